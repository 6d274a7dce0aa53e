//! The Kubernetes commands' arguments, as kubectl takes them: `apply`, `delete KIND/NAME`, `ctx`,
//! `ns`, `secret create --from-literal`.

use super::{Args, Command, ParseError};
use crate::model::action::Action;

type Parsed = Result<Command, ParseError>;

fn act(a: Action) -> Parsed {
    Ok(Command::Act(a))
}

pub(super) fn ctx(a: &Args) -> Parsed {
    act(Action::Context(a.one("NAME")?))
}

/// `apply [-f] FILE|DIR|PRESET [--force-conflicts] [--dry-run]`.
pub(super) fn apply(a: &Args) -> Parsed {
    let flag = |f: &str| a.rest.contains(&f);
    let (force, dry_run) = (flag("--force-conflicts"), flag("--dry-run"));
    let rest: Vec<&str> = a
        .rest
        .iter()
        .copied()
        .filter(|w| !["--force-conflicts", "--dry-run", "-f", "--filename"].contains(w))
        .collect();
    let source = Args {
        spec: a.spec,
        rest: &rest,
    }
    .one("FILE|DIR|PRESET")?;
    act(Action::Apply {
        source,
        force,
        dry_run,
    })
}

pub(super) fn delete(a: &Args) -> Parsed {
    let target = a.one("KIND/NAME")?;
    match target.split_once('/') {
        Some((k, n)) if !k.is_empty() && !n.is_empty() => act(Action::Delete {
            kind: k.to_string(),
            name: n.to_string(),
        }),
        _ => Err(a.bad("KIND/NAME", &target)),
    }
}

/// `trigger CRONJOB`: its job now, named as kubectl users name it (`NAME-manual-xxxxx`).
pub(super) fn trigger(a: &Args) -> Parsed {
    let cronjob = a.one("CRONJOB")?;
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    // Job names end in five characters, as the controller's own do; 63 at most.
    let suffix: String = (0..5)
        .map(|i| {
            let d = (stamp >> (i * 5)) as u32 % 36;
            char::from_digit(d, 36).unwrap_or('0')
        })
        .collect();
    let base: String = cronjob.chars().take(63 - 13).collect();
    act(Action::Trigger {
        job: format!("{base}-manual-{suffix}"),
        cronjob,
    })
}

/// `port-forward TARGET [LOCAL:]REMOTE`, `pf` (the list), `pf stop [N]`.
pub(super) fn forward(a: &Args) -> Parsed {
    use super::Forward;
    Ok(Command::Forward(match a.rest {
        [] => Forward::List,
        ["stop"] => Forward::Stop(None),
        ["stop", n] => Forward::Stop(Some(n.parse().map_err(|_| a.bad("N", n))?)),
        [target, ports] => Forward::Start(
            crate::model::forward::ForwardSpec::parse(target, ports)
                .ok_or_else(|| a.bad("[LOCAL:]REMOTE", ports))?,
        ),
        [_] => return Err(a.missing("[LOCAL:]REMOTE")),
        [_, _, more @ ..] => return Err(a.extra(more)),
    }))
}

/// `get KIND [-A]`: a kind the server serves (`crd`, `ing`, `widgets.example.com`).
pub(super) fn get(a: &Args) -> Parsed {
    let mut kind = None;
    let mut all_namespaces = false;
    for w in a.rest {
        match *w {
            "-A" | "--all-namespaces" => all_namespaces = true,
            w if kind.is_none() && !w.starts_with('-') => kind = Some(w.to_string()),
            _ => return Err(a.extra(&[w])),
        }
    }
    let kind = kind.ok_or_else(|| a.missing("KIND"))?;
    Ok(Command::Get {
        kind,
        all_namespaces,
    })
}

pub(super) fn ns(a: &Args) -> Parsed {
    act(Action::Namespace(match a.one("NAME|all")?.as_str() {
        "all" | "todos" | "-A" => None,
        n => Some(n.to_string()),
    }))
}

/// `secret create NAME --from-literal k=v --from-file F ...`, as kubectl takes it.
pub(super) fn secret(a: &Args, name: &str) -> Parsed {
    let mut literals = Vec::new();
    let mut files = Vec::new();
    let rest = Args {
        spec: a.spec,
        rest: &a.rest[2..],
    };
    let mut words = rest.words();
    while let Some(flag) = words.next_word() {
        match flag {
            "--from-literal" => {
                let v = words.value("KEY=VALUE")?;
                let (k, val) = v
                    .split_once('=')
                    .filter(|(k, _)| !k.is_empty())
                    .ok_or_else(|| a.bad("--from-literal KEY=VALUE", &v))?;
                literals.push((k.to_string(), val.to_string()));
            }
            "--from-file" => files.push(words.value("FILE")?),
            _ => return Err(a.extra(words.left())),
        }
    }
    act(Action::KubeSecret {
        name: name.to_string(),
        literals,
        files,
    })
}
