//! Words to a [`Command`]: the tokenizer, the parser and its errors.

use super::actions;
use super::table::{SPECS, spec, usage};
use super::*;
use crate::tr;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("{}", tr!("parse.empty"))]
    Empty,
    #[error("{}", tr!("parse.unknown", word = .word, hint = hint(.suggestion)))]
    Unknown {
        word: String,
        suggestion: Option<String>,
    },
    #[error("{}", tr!("parse.missing", command = .command, arg = .arg, usage = .usage))]
    Missing {
        command: String,
        arg: String,
        usage: String,
    },
    #[error("{}", tr!("parse.bad_value", command = .command, arg = .arg, value = .value))]
    BadValue {
        command: String,
        arg: String,
        value: String,
    },
    #[error("{}", tr!("parse.extra", command = .command, extra = .extra, usage = .usage))]
    Extra {
        command: String,
        extra: String,
        usage: String,
    },
    #[error("{}", tr!("parse.quote"))]
    UnclosedQuote,
    #[error("{}", tr!("parse.replicas", value = .value, max = actions::MAX_REPLICAS))]
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

/// Splits a palette line into words, honouring quotes and backslashes as a shell does.
pub fn tokenize(line: &str) -> Result<Vec<String>, ParseError> {
    crate::model::words::split(line).ok_or(ParseError::UnclosedQuote)
}

/// Parses a palette line.
pub fn parse_line(line: &str) -> Result<Command, ParseError> {
    parse(&tokenize(line)?)
}

/// Parses words (from the palette after [`tokenize`], or from the command line).
pub fn parse<S: AsRef<str>>(words: &[S]) -> Result<Command, ParseError> {
    let Some(first) = words.first() else {
        return Err(ParseError::Empty);
    };
    let first = first.as_ref();
    let Some(spec) = spec(first) else {
        let names = SPECS
            .iter()
            .flat_map(|s| std::iter::once(s.name).chain(s.aliases.iter().copied()));
        // Suggest the command's own name, even when the word was closest to an alias.
        let suggestion = crate::suggest::closest(first, names)
            .and_then(|n| spec(&n))
            .map(|s| s.name.to_string());
        return Err(ParseError::Unknown {
            word: first.to_string(),
            suggestion,
        });
    };
    let rest: Vec<&str> = words[1..].iter().map(AsRef::as_ref).collect();
    let name = spec.name;
    let missing = |arg: &str| ParseError::Missing {
        command: name.into(),
        arg: arg.into(),
        usage: usage(spec),
    };
    let extra = |extra: &[&str]| ParseError::Extra {
        command: name.into(),
        extra: extra.join(" "),
        usage: usage(spec),
    };
    let no_args = |cmd: Command| {
        if rest.is_empty() {
            Ok(cmd)
        } else {
            Err(extra(&rest))
        }
    };
    match name {
        "nodes" => no_args(Command::Nodes),
        "services" => no_args(Command::Services),
        "workloads" => no_args(Command::Workloads),
        "secrets" => no_args(Command::Act(Action::KubeList("secrets".into()))),
        "images" => no_args(Command::Images),
        "quit" => no_args(Command::Quit),
        "history" => no_args(Command::History),
        "stacks" => no_args(Command::Stacks),
        "labs" => no_args(Command::Labs),
        "snap" => parse_snap(&rest, &missing, &extra).map(Command::Snap),
        "certs" => certs::parse(&rest, &missing, &extra).map(Command::Certs),
        "edit" => match rest.as_slice() {
            [] => Err(missing("FILE|STACK")),
            [t] => Ok(Command::Edit {
                target: t.to_string(),
                stack: None,
            }),
            [t, st] => Ok(Command::Edit {
                target: t.to_string(),
                stack: Some(st.to_string()),
            }),
            [_, _, more @ ..] => Err(extra(more)),
        },
        "lab" => match rest.as_slice() {
            [] => Err(missing("NAME|next|prev|close|init")),
            ["next" | "siguiente"] => Ok(Command::Lab(LabCommand::Next)),
            ["prev" | "anterior"] => Ok(Command::Lab(LabCommand::Prev)),
            ["close" | "cerrar"] => Ok(Command::Lab(LabCommand::Close)),
            ["init"] => Err(missing("NAME")),
            ["init", n] => Ok(Command::Lab(LabCommand::Init {
                name: n.to_string(),
                dir: None,
            })),
            ["init", n, d] => Ok(Command::Lab(LabCommand::Init {
                name: n.to_string(),
                dir: Some(d.to_string()),
            })),
            [n] => Ok(Command::Lab(LabCommand::Open(n.to_string()))),
            [_, more @ ..] => Err(extra(more)),
        },
        "scale" | "image" | "rollback" | "restart" | "tag" | "push" | "rmi" | "label"
        | "unlabel" | "drain" | "activate" | "pause" | "promote" | "demote" | "swarm"
        | "deploy" | "diff" | "rm-stack" | "secret" | "config" | "ctx" | "ns" | "apply"
        | "delete" => actions::parse(name, &rest, &missing, &extra).map(Command::Act),
        "tasks" => match rest.as_slice() {
            [] => Err(missing("SERVICE")),
            [service] => Ok(Command::Tasks {
                service: service.to_string(),
            }),
            [_, more @ ..] => Err(extra(more)),
        },
        "logs" => parse_logs(&rest, &missing, &extra),
        "filter" => Ok(Command::Filter(rest.join(" "))),
        "theme" => match rest.as_slice() {
            [] => Err(missing("NAME")),
            [t] => Ok(Command::Theme(t.to_string())),
            [_, more @ ..] => Err(extra(more)),
        },
        "lang" => match rest.as_slice() {
            [] => Err(missing("es|en")),
            [l] => Lang::parse(l)
                .map(Command::Lang)
                .ok_or_else(|| ParseError::BadValue {
                    command: name.into(),
                    arg: "es|en".into(),
                    value: l.to_string(),
                }),
            [_, more @ ..] => Err(extra(more)),
        },
        "help" => match rest.as_slice() {
            [] => Ok(Command::Help(None)),
            [c] => match spec_name(c) {
                Some(n) => Ok(Command::Help(Some(n.to_string()))),
                None => Err(ParseError::Unknown {
                    word: c.to_string(),
                    suggestion: crate::suggest::closest(c, SPECS.iter().map(|s| s.name)),
                }),
            },
            [_, more @ ..] => Err(extra(more)),
        },
        _ => Err(ParseError::Unknown {
            word: first.to_string(),
            suggestion: None,
        }),
    }
}

fn spec_name(word: &str) -> Option<&'static str> {
    spec(word).map(|s| s.name)
}

fn parse_logs(
    rest: &[&str],
    missing: &dyn Fn(&str) -> ParseError,
    extra: &dyn Fn(&[&str]) -> ParseError,
) -> Result<Command, ParseError> {
    let mut target = None;
    let mut tail = None;
    let mut follow = false;
    let mut i = 0;
    while i < rest.len() {
        let w = rest[i];
        let tail_value = if w == "--tail" || w == "-n" {
            i += 1;
            Some(rest.get(i).copied().ok_or_else(|| missing("N"))?)
        } else {
            w.strip_prefix("--tail=")
        };
        if let Some(v) = tail_value {
            tail = Some(v.parse::<usize>().map_err(|_| ParseError::BadValue {
                command: "logs".into(),
                arg: "--tail".into(),
                value: v.to_string(),
            })?);
        } else if w == "-f" || w == "--follow" {
            follow = true;
        } else if target.is_none() && !w.starts_with('-') {
            target = Some(w.to_string());
        } else {
            return Err(extra(&rest[i..]));
        }
        i += 1;
    }
    let target = target.ok_or_else(|| missing("SERVICE|TASK"))?;
    Ok(Command::Logs {
        target,
        tail,
        follow,
    })
}

fn parse_snap(
    rest: &[&str],
    missing: &dyn Fn(&str) -> ParseError,
    extra: &dyn Fn(&[&str]) -> ParseError,
) -> Result<Snap, ParseError> {
    let bad = |arg: &str, value: &str| ParseError::BadValue {
        command: "snap".into(),
        arg: arg.into(),
        value: value.into(),
    };
    let mut snap = Snap {
        what: SnapWhat::Focused,
        name: None,
        out: None,
        size: None,
        scale: None,
    };
    let mut what_given = false;
    let mut words = Words::new(rest, missing);
    while let Some(flag) = words.next_word() {
        let w = flag;
        match flag {
            "--pane" | "-p" => {
                let v = words.value("PANE")?;
                snap.what = SnapWhat::parse(&v).ok_or_else(|| bad("--pane", &v))?;
                what_given = true;
            }
            "--out" | "-o" => snap.out = Some(words.value("FILE")?),
            "--size" => {
                let v = words.value("WxH")?;
                let size = v
                    .split_once(['x', 'X'])
                    .and_then(|(w, h)| Some((w.parse::<u16>().ok()?, h.parse::<u16>().ok()?)))
                    .filter(|(w, h)| (20..=1000).contains(w) && (5..=500).contains(h));
                snap.size = Some(size.ok_or_else(|| bad("--size", &v))?);
            }
            "--scale" => {
                let v = words.value("N")?;
                let n = v.parse::<u32>().ok().filter(|n| (1..=4).contains(n));
                snap.scale = Some(n.ok_or_else(|| bad("--scale", &v))?);
            }
            f if f.starts_with('-') && f.len() > 1 => return Err(extra(words.left())),
            _ => match SnapWhat::parse(w) {
                Some(what) if !what_given && snap.name.is_none() => {
                    snap.what = what;
                    what_given = true;
                }
                _ if snap.name.is_none() => snap.name = Some(w.to_string()),
                _ => return Err(extra(words.left())),
            },
        }
    }
    Ok(snap)
}

/// Walks the words of a command with options: `--flag value`, `--flag=value` and plain words.
pub(crate) struct Words<'a, 'm> {
    rest: &'a [&'a str],
    /// The word being looked at (one past it before the first).
    at: usize,
    inline: Option<&'a str>,
    missing: &'m dyn Fn(&str) -> ParseError,
}

impl<'a, 'm> Words<'a, 'm> {
    pub(crate) fn new(rest: &'a [&'a str], missing: &'m dyn Fn(&str) -> ParseError) -> Self {
        Words {
            rest,
            at: usize::MAX,
            inline: None,
            missing,
        }
    }

    /// The next flag (without its `=value`) or plain word.
    pub(crate) fn next_word(&mut self) -> Option<&'a str> {
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
    pub(crate) fn value(&mut self, arg: &str) -> Result<String, ParseError> {
        if let Some(v) = self.inline.take() {
            return Ok(v.to_string());
        }
        self.at += 1;
        self.rest
            .get(self.at)
            .map(|v| v.to_string())
            .ok_or_else(|| (self.missing)(arg))
    }

    /// The words from the current one on (for "unexpected words" errors).
    pub(crate) fn left(&self) -> &'a [&'a str] {
        &self.rest[self.at.min(self.rest.len())..]
    }
}
