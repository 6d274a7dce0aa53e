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
    (spec.parse)(&Args { spec, rest: &rest })
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

pub(super) fn edit(a: &Args) -> Result<Command, ParseError> {
    match a.rest {
        [] => Err(a.missing("FILE|STACK")),
        [t] => Ok(Command::Edit {
            target: t.to_string(),
            stack: None,
        }),
        [t, st] => Ok(Command::Edit {
            target: t.to_string(),
            stack: Some(st.to_string()),
        }),
        [_, _, more @ ..] => Err(a.extra(more)),
    }
}

pub(super) fn lab(a: &Args) -> Result<Command, ParseError> {
    let lab = match a.rest {
        [] => return Err(a.missing("NAME|next|prev|close|init|check|report")),
        ["next" | "siguiente"] => LabCommand::Next,
        ["prev" | "anterior"] => LabCommand::Prev,
        ["close" | "cerrar"] => LabCommand::Close,
        ["init"] => return Err(a.missing("NAME")),
        ["init", n] => LabCommand::Init {
            name: n.to_string(),
            dir: None,
        },
        ["init", n, d] => LabCommand::Init {
            name: n.to_string(),
            dir: Some(d.to_string()),
        },
        ["check" | "comprobar"] => LabCommand::Check(None),
        ["check" | "comprobar", n] => LabCommand::Check(Some(n.to_string())),
        ["report" | "informe", ..] => {
            let mut words = a.words();
            words.next_word();
            let (mut name, mut student) = (None, None);
            while let Some(w) = words.next_word() {
                match w {
                    "--student" | "--estudiante" => {
                        student = Some(words.value("NAME")?);
                    }
                    n if name.is_none() && !n.starts_with('-') => name = Some(n.to_string()),
                    _ => return Err(a.extra(words.left())),
                }
            }
            LabCommand::Report { name, student }
        }
        [n] => LabCommand::Open(n.to_string()),
        [_, more @ ..] => return Err(a.extra(more)),
    };
    Ok(Command::Lab(lab))
}

/// `exec [TASK] [-- CMD...]`
pub(super) fn exec(a: &Args) -> Result<Command, ParseError> {
    let (before, cmd) = match a.rest.iter().position(|w| *w == "--") {
        Some(i) => (
            &a.rest[..i],
            a.rest[i + 1..].iter().map(|s| s.to_string()).collect(),
        ),
        None => (a.rest, vec![]),
    };
    let mut target = None;
    let mut container = None;
    let mut words = before.iter();
    while let Some(w) = words.next() {
        match *w {
            "-c" | "--container" => {
                container = Some(
                    words
                        .next()
                        .ok_or_else(|| a.missing("CONTAINER"))?
                        .to_string(),
                );
            }
            t if target.is_none() => target = Some(t.to_string()),
            _ => return Err(a.extra(&[w])),
        }
    }
    Ok(Command::Exec {
        target,
        container,
        cmd,
    })
}

/// `stats [SERVICE] [--no-stream]`
pub(super) fn stats(a: &Args) -> Result<Command, ParseError> {
    let mut service = None;
    let mut no_stream = false;
    for w in a.rest {
        match *w {
            "--no-stream" => no_stream = true,
            flag if flag.starts_with('-') => return Err(a.extra(&[w])),
            name if service.is_none() => service = Some(name.to_string()),
            _ => return Err(a.extra(&[w])),
        }
    }
    Ok(Command::Stats { service, no_stream })
}

pub(super) fn tasks(a: &Args) -> Result<Command, ParseError> {
    Ok(Command::Tasks {
        service: a.one("SERVICE")?,
    })
}

pub(super) fn theme(a: &Args) -> Result<Command, ParseError> {
    a.one("NAME").map(Command::Theme)
}

pub(super) fn lang(a: &Args) -> Result<Command, ParseError> {
    let l = a.one("es|en")?;
    Lang::parse(&l)
        .map(Command::Lang)
        .ok_or_else(|| a.bad("es|en", &l))
}

pub(super) fn help(a: &Args) -> Result<Command, ParseError> {
    match a.rest {
        [] => Ok(Command::Help(None)),
        [c] => match spec(c) {
            Some(s) => Ok(Command::Help(Some(s.name.to_string()))),
            None => Err(ParseError::Unknown {
                word: c.to_string(),
                suggestion: crate::suggest::closest(c, SPECS.iter().map(|s| s.name)),
            }),
        },
        [_, more @ ..] => Err(a.extra(more)),
    }
}

/// A moment for `--since`/`--until`: `10m` ago, RFC 3339, or seconds since the epoch.
fn moment(a: &Args, flag: &str, v: &str) -> Result<crate::model::events::Since, ParseError> {
    crate::model::events::Since::parse(v, |d| {
        crate::stack::values::duration_ns(d)
            .map(|ns| ns / 1_000_000_000)
            .or_else(|| crate::time::parse_rfc3339(d).map(|t| crate::time::now() - t))
    })
    .ok_or_else(|| a.bad(flag, v))
}

/// `logs SERVICE|TASK [--tail N] [-f] [--since T] [--until T] [--previous] [-c CONTAINER]`,
/// `logs save FILE`, `logs filter TEXT|re:REGEX`.
pub(super) fn logs(a: &Args) -> Result<Command, ParseError> {
    match a.rest {
        ["save" | "guardar"] => return Err(a.missing("FILE")),
        ["save" | "guardar", file] => return Ok(Command::LogsSave(file.to_string())),
        ["filter" | "filtrar", rest @ ..] => return Ok(Command::LogsFilter(rest.join(" "))),
        _ => {}
    }
    let mut target = None;
    let mut req = crate::command::LogRequest::default();
    let mut words = a.words();
    while let Some(w) = words.next_word() {
        match w {
            "--tail" | "-n" => {
                let v = words.value("N")?;
                req.tail = Some(v.parse::<usize>().map_err(|_| a.bad("--tail", &v))?);
            }
            "-f" | "--follow" => req.follow = true,
            "--since" => req.since = Some(moment(a, "--since", &words.value("DURATION|TIME")?)?),
            "--until" => req.until = Some(moment(a, "--until", &words.value("DURATION|TIME")?)?),
            "-p" | "--previous" => req.previous = true,
            "-c" | "--container" => req.container = Some(words.value("CONTAINER")?),
            _ if target.is_none() && !w.starts_with('-') => target = Some(w.to_string()),
            _ => return Err(a.extra(words.left())),
        }
    }
    let target = target.ok_or_else(|| a.missing("SERVICE|TASK"))?;
    Ok(Command::Logs { target, req })
}

/// `events [--since 10m|TIME] [-f]`
pub(super) fn events(a: &Args) -> Result<Command, ParseError> {
    use crate::model::events::Since;
    let mut since = Since::Ago(600);
    let mut follow = false;
    let mut words = a.words();
    while let Some(w) = words.next_word() {
        match w {
            "--since" => {
                since = moment(a, "--since", &words.value("DURATION|TIME")?)?;
            }
            "-f" | "--follow" => follow = true,
            _ => return Err(a.extra(words.left())),
        }
    }
    Ok(Command::Events { since, follow })
}

pub(super) fn snap(a: &Args) -> Result<Command, ParseError> {
    let mut snap = Snap {
        what: SnapWhat::Focused,
        name: None,
        out: None,
        size: None,
        scale: None,
    };
    let mut what_given = false;
    let mut words = a.words();
    while let Some(flag) = words.next_word() {
        let w = flag;
        match flag {
            "--pane" | "-p" => {
                let v = words.value("PANE")?;
                snap.what = SnapWhat::parse(&v).ok_or_else(|| a.bad("--pane", &v))?;
                what_given = true;
            }
            "--out" | "-o" => snap.out = Some(words.value("FILE")?),
            "--size" => {
                let v = words.value("WxH")?;
                let size = v
                    .split_once(['x', 'X'])
                    .and_then(|(w, h)| Some((w.parse::<u16>().ok()?, h.parse::<u16>().ok()?)))
                    .filter(|(w, h)| (20..=1000).contains(w) && (5..=500).contains(h));
                snap.size = Some(size.ok_or_else(|| a.bad("--size", &v))?);
            }
            "--scale" => {
                let v = words.value("N")?;
                let n = v.parse::<u32>().ok().filter(|n| (1..=4).contains(n));
                snap.scale = Some(n.ok_or_else(|| a.bad("--scale", &v))?);
            }
            f if f.starts_with('-') && f.len() > 1 => return Err(a.extra(words.left())),
            _ => match SnapWhat::parse(w) {
                Some(what) if !what_given && snap.name.is_none() => {
                    snap.what = what;
                    what_given = true;
                }
                _ if snap.name.is_none() => snap.name = Some(w.to_string()),
                _ => return Err(a.extra(words.left())),
            },
        }
    }
    Ok(Command::Snap(snap))
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
