//! The parsers of the commands with more than a word or two of arguments; the table names them.

use super::args::{Args, ParseError};
use super::*;

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
        [] => return Err(a.missing("NAME|next|prev|close|init|check|report|solve")),
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
        ["solve" | "resolver"] => LabCommand::Solve(None),
        ["solve" | "resolver", step] => LabCommand::Solve(Some(step.to_string())),
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

/// `pods [-A]`: every task or pod, of every namespace with `-A` (`--all-namespaces`).
pub(super) fn pods(a: &Args) -> Result<Command, ParseError> {
    let mut all_namespaces = false;
    for w in a.rest {
        match *w {
            "-A" | "--all-namespaces" => all_namespaces = true,
            _ => return Err(a.extra(&[w])),
        }
    }
    Ok(Command::Pods { all_namespaces })
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
            "--all-containers" => req.all_containers = true,
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

/// `class FILE` | `class report FILE [--out FILE]`
pub(super) fn class(a: &Args) -> Result<Command, ParseError> {
    let mut words = a.words();
    let (mut file, mut report, mut out) = (None, false, None);
    while let Some(w) = words.next_word() {
        match w {
            "report" | "informe" if file.is_none() && !report => report = true,
            "--out" | "-o" if report => out = Some(words.value("FILE")?),
            f if file.is_none() && !f.starts_with('-') => file = Some(f.to_string()),
            _ => return Err(a.extra(words.left())),
        }
    }
    let file = file.ok_or_else(|| a.missing("FILE"))?;
    Ok(Command::Class { file, report, out })
}
