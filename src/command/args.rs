//! What every command's parser works with: its row of the table (`Spec`), the words after its
//! name (`Args`, `Words`), and the errors they raise (`ParseError`).

use super::{ArgKind, Command};
use crate::tr;

/// The most replicas `scale` accepts.
pub const MAX_REPLICAS: u64 = 10_000;

/// A row of the command table.
pub struct Spec {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    /// Usage after the name, e.g. `SERVICE [--tail N] [-f]`.
    pub usage: &'static str,
    /// Catalog key of the one-line description.
    pub help: &'static str,
    pub args: &'static [ArgKind],
    /// Reads the words after the name.
    pub parse: Parser,
}

/// A command's parser: its words to a [`Command`].
pub type Parser = fn(&Args) -> Result<Command, ParseError>;

/// The placeholders usages are written with, and their catalog keys (Spanish: SERVICIO...).
const PLACEHOLDERS: &[(&str, &str)] = &[
    ("NAME", "ph.NAME"),
    ("FILE", "ph.FILE"),
    ("SERVICE", "ph.SERVICE"),
    ("STACK", "ph.STACK"),
    ("NODE", "ph.NODE"),
    ("CONTAINER", "ph.CONTAINER"),
    ("KIND", "ph.KIND"),
    ("IMAGE", "ph.IMAGE"),
    ("DIR", "ph.DIR"),
    ("TEXT", "ph.TEXT"),
    ("TASK", "ph.TASK"),
    ("WORKLOAD", "ph.WORKLOAD"),
    ("TIME", "ph.TIME"),
    ("TARGET", "ph.TARGET"),
    ("TAG", "ph.TAG"),
    ("STEP", "ph.STEP"),
    ("STAGE", "ph.STAGE"),
    ("SOURCE", "ph.SOURCE"),
    ("REMOTE", "ph.REMOTE"),
    ("PROJECT", "ph.PROJECT"),
    ("PRESET", "ph.PRESET"),
    ("PATH", "ph.PATH"),
    ("PANE", "ph.PANE"),
    ("KEY", "ph.KEY"),
    ("COMMAND", "ph.COMMAND"),
    ("CMD", "ph.CMD"),
    ("ADDR", "ph.ADDR"),
    ("LOCAL", "ph.LOCAL"),
    ("POD", "ph.POD"),
    ("CRONJOB", "ph.CRONJOB"),
    ("REGEX", "ph.REGEX"),
    ("CC", "ph.CC"),
];

/// A usage in the user's language: its placeholders translated (`scale SERVICIO N`).
pub fn localized(usage: &str) -> String {
    let mut out = String::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let w = std::mem::take(word);
        match PLACEHOLDERS.iter().find(|(p, _)| *p == w) {
            Some((_, key)) => out.push_str(crate::i18n::text(key)),
            None => out.push_str(&w),
        }
    };
    for c in usage.chars() {
        if c.is_ascii_uppercase() || (c == '_' && !word.is_empty()) {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// `name usage`, e.g. `logs SERVICE|TASK [--tail N] [--follow]`.
pub fn usage(spec: &Spec) -> String {
    if spec.usage.is_empty() {
        spec.name.to_string()
    } else {
        format!("{} {}", spec.name, spec.usage)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("{}", tr!("parse.empty"))]
    Empty,
    #[error("{}", tr!("parse.unknown", word = .word, hint = hint(.suggestion)))]
    Unknown {
        word: String,
        suggestion: Option<String>,
    },
    #[error("{}", tr!("parse.missing", command = .command, arg = localized(.arg), usage = localized(.usage)))]
    Missing {
        command: String,
        arg: String,
        usage: String,
    },
    #[error("{}", tr!("parse.bad_value", command = .command, arg = localized(.arg), value = .value))]
    BadValue {
        command: String,
        arg: String,
        value: String,
    },
    #[error("{}", tr!("parse.extra", command = .command, extra = .extra, usage = localized(.usage)))]
    Extra {
        command: String,
        extra: String,
        usage: String,
    },
    #[error("{}", tr!("parse.quote"))]
    UnclosedQuote,
    #[error("{}", tr!("parse.replicas", value = .value, max = MAX_REPLICAS))]
    Replicas { value: String },
    #[error("{}", tr!("parse.reference", command = .command, value = .value))]
    Reference { command: String, value: String },
    #[error("{}", tr!("parse.label_key", value = .value))]
    LabelKey { value: String },
}

fn hint(s: &Option<String>) -> String {
    s.as_ref()
        .map(|s| tr!("hint.did_you_mean", name = s))
        .unwrap_or_default()
}

/// What a command's parser gets: its row of the table and the words after its name, with the
/// errors every parser raises.
pub struct Args<'a> {
    pub spec: &'static Spec,
    pub rest: &'a [&'a str],
}

impl<'a> Args<'a> {
    /// The command's own name (not the alias that was typed).
    pub fn name(&self) -> &'static str {
        self.spec.name
    }

    pub fn missing(&self, arg: &str) -> ParseError {
        ParseError::Missing {
            command: self.spec.name.into(),
            arg: arg.into(),
            usage: usage(self.spec),
        }
    }

    pub fn extra(&self, extra: &[&str]) -> ParseError {
        ParseError::Extra {
            command: self.spec.name.into(),
            extra: extra.join(" "),
            usage: usage(self.spec),
        }
    }

    pub fn bad(&self, arg: &str, value: &str) -> ParseError {
        ParseError::BadValue {
            command: self.spec.name.into(),
            arg: arg.into(),
            value: value.into(),
        }
    }

    /// No words allowed: `cmd` as it is.
    pub fn none(&self, cmd: Command) -> Result<Command, ParseError> {
        match self.rest {
            [] => Ok(cmd),
            more => Err(self.extra(more)),
        }
    }

    /// Exactly one word, named `what` in the error when it is missing.
    pub fn one(&self, what: &str) -> Result<String, ParseError> {
        match self.rest {
            [] => Err(self.missing(what)),
            [x] => Ok(x.to_string()),
            [_, more @ ..] => Err(self.extra(more)),
        }
    }

    /// The words with their flags and values.
    pub fn words(&self) -> Words<'a, '_> {
        Words::new(self.rest, self)
    }
}

/// Walks the words of a command with options: `--flag value`, `--flag=value` and plain words.
pub struct Words<'a, 'm> {
    rest: &'a [&'a str],
    /// The word being looked at (one past it before the first).
    at: usize,
    inline: Option<&'a str>,
    args: &'m Args<'m>,
}

impl<'a, 'm> Words<'a, 'm> {
    fn new(rest: &'a [&'a str], args: &'m Args<'m>) -> Self {
        Words {
            rest,
            at: usize::MAX,
            inline: None,
            args,
        }
    }

    /// The next flag (without its `=value`) or plain word.
    pub fn next_word(&mut self) -> Option<&'a str> {
        self.at = self.at.wrapping_add(1);
        let w = *self.rest.get(self.at)?;
        match w.split_once('=') {
            Some((f, v)) if f.starts_with("--") => {
                self.inline = Some(v);
                Some(f)
            }
            _ => {
                self.inline = None;
                Some(w)
            }
        }
    }

    /// The current flag's value: after its `=`, or the next word.
    pub fn value(&mut self, arg: &str) -> Result<String, ParseError> {
        if let Some(v) = self.inline.take() {
            return Ok(v.to_string());
        }
        self.at += 1;
        self.rest
            .get(self.at)
            .map(|v| v.to_string())
            .ok_or_else(|| self.args.missing(arg))
    }

    /// The words from the current one on (for "unexpected words" errors).
    pub fn left(&self) -> &'a [&'a str] {
        &self.rest[self.at.min(self.rest.len())..]
    }
}
