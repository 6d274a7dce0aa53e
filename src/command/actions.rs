//! The commands that change the cluster: their arguments, checked as Docker checks them, become an
//! [`Action`].

use super::{Args, Command, ParseError};
use crate::model::action::{Action, DEPLOY_TIMEOUT_SECS, ResolveImage};
use crate::model::{Availability, Role};

pub use super::args::MAX_REPLICAS;

fn replicas(v: &str) -> Result<u64, ParseError> {
    match v.parse::<u64>() {
        Ok(n) if n <= MAX_REPLICAS => Ok(n),
        _ => Err(ParseError::Replicas { value: v.into() }),
    }
}

pub use crate::model::reference::valid as valid_reference;

fn image_ref(a: &Args, v: &str) -> Result<String, ParseError> {
    if valid_reference(v) {
        Ok(v.to_string())
    } else {
        Err(ParseError::Reference {
            command: a.name().into(),
            value: v.into(),
        })
    }
}

/// A label key as `docker node update --label-add` accepts it: not empty, no white space.
fn label_key(k: &str) -> Result<String, ParseError> {
    if k.is_empty() || k.chars().any(char::is_whitespace) {
        Err(ParseError::LabelKey { value: k.into() })
    } else {
        Ok(k.to_string())
    }
}

type Parsed = Result<Command, ParseError>;

fn act(a: Action) -> Parsed {
    Ok(Command::Act(a))
}

pub(super) fn scale(a: &Args) -> Parsed {
    let mut pairs = Vec::new();
    match a.rest {
        [] => return Err(a.missing("SERVICE=N")),
        [svc, n] if !svc.contains('=') && !n.contains('=') => {
            pairs.push((svc.to_string(), replicas(n)?))
        }
        words => {
            for w in words {
                let (s, n) = w.split_once('=').ok_or_else(|| a.bad("SERVICE=N", w))?;
                if s.is_empty() {
                    return Err(a.bad("SERVICE=N", w));
                }
                pairs.push((s.to_string(), replicas(n)?));
            }
        }
    }
    act(Action::Scale(pairs))
}

pub(super) fn image(a: &Args) -> Parsed {
    let no_resolve = a.rest.contains(&"--no-resolve");
    let words: Vec<&str> = a
        .rest
        .iter()
        .copied()
        .filter(|w| *w != "--no-resolve")
        .collect();
    match words.as_slice() {
        [] => Err(a.missing("SERVICE")),
        [_] => Err(a.missing("IMAGE")),
        [s, i] => act(Action::Image {
            service: s.to_string(),
            image: image_ref(a, i)?,
            resolve: !no_resolve,
        }),
        [_, _, more @ ..] => Err(a.extra(more)),
    }
}

pub(super) fn rollback(a: &Args) -> Parsed {
    act(Action::Rollback(a.one("SERVICE")?))
}

pub(super) fn restart(a: &Args) -> Parsed {
    act(Action::Restart(a.one("SERVICE")?))
}

pub(super) fn tag(a: &Args) -> Parsed {
    match a.rest {
        [] => Err(a.missing("SOURCE")),
        [_] => Err(a.missing("TARGET")),
        [s, t] => act(Action::Tag {
            source: image_ref(a, s)?,
            target: image_ref(a, t)?,
        }),
        [_, _, more @ ..] => Err(a.extra(more)),
    }
}

pub(super) fn push(a: &Args) -> Parsed {
    act(Action::Push(image_ref(a, &a.one("IMAGE")?)?))
}

pub(super) fn rmi(a: &Args) -> Parsed {
    act(Action::Rmi(a.one("IMAGE")?))
}

pub(super) fn rm_stack(a: &Args) -> Parsed {
    act(Action::RmStack(a.one("STACK")?))
}

/// `networks`, `volumes`, `secrets`, `configs`: a view in the console, a table on the command
/// line.
pub(super) fn view(a: &Args) -> Parsed {
    use crate::model::listing::ViewKind;
    let kind = match a.name() {
        "networks" => ViewKind::Networks,
        "volumes" => ViewKind::Volumes,
        "secrets" => ViewKind::Secrets,
        _ => ViewKind::Configs,
    };
    a.none(Command::View(kind))
}

/// `network create NAME [--driver D] [--attachable] [--internal]`, `network rm NAME`,
/// `volume rm NAME`.
pub(super) fn network_or_volume(a: &Args) -> Parsed {
    use crate::model::inspect::Kind;
    let network = a.name() == "network";
    match a.rest {
        [] => Err(a.missing(if network { "create|rm" } else { "rm" })),
        ["rm" | "remove" | "borrar"] => Err(a.missing("NAME")),
        ["rm" | "remove" | "borrar", n] => act(Action::Remove {
            kind: if network { Kind::Network } else { Kind::Volume },
            name: n.to_string(),
        }),
        ["rm" | "remove" | "borrar", _, more @ ..] => Err(a.extra(more)),
        ["create" | "crear", rest @ ..] if network => {
            let mut driver = "overlay".to_string();
            let (mut attachable, mut internal) = (false, false);
            let mut name = None;
            let sub = Args { spec: a.spec, rest };
            let mut words = sub.words();
            while let Some(w) = words.next_word() {
                match w {
                    "-d" | "--driver" => driver = words.value("DRIVER")?,
                    "--attachable" => attachable = true,
                    "--internal" => internal = true,
                    n if name.is_none() && !n.starts_with('-') => name = Some(n.to_string()),
                    other => return Err(a.extra(&[other])),
                }
            }
            let name = name.ok_or_else(|| a.missing("NAME"))?;
            let ok = name
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric())
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
            if !ok {
                return Err(a.bad("NAME", &name));
            }
            act(Action::NetworkCreate {
                name,
                driver,
                attachable,
                internal,
            })
        }
        [verb, ..] => Err(a.bad(if network { "create|rm" } else { "rm" }, verb)),
    }
}

/// `secret …` and `config …`: create one from a file (or, for a Kubernetes secret, from literals
/// and files), or show a secret.
pub(super) fn object(a: &Args) -> Parsed {
    let secret = a.name() == "secret";
    match a.rest {
        [] => Err(a.missing("create")),
        ["create" | "crear"] => Err(a.missing("NAME")),
        ["show" | "ver", n] if secret => act(Action::SecretShow(n.to_string())),
        ["rm" | "remove" | "borrar", n] => act(Action::Remove {
            kind: if secret {
                crate::model::inspect::Kind::Secret
            } else {
                crate::model::inspect::Kind::Config
            },
            name: n.to_string(),
        }),
        ["rm" | "remove" | "borrar"] => Err(a.missing("NAME")),
        ["create" | "crear", n, first, ..] if secret && first.starts_with("--from-") => {
            super::kube::secret(a, n)
        }
        ["create" | "crear", _] => Err(a.missing("FILE")),
        ["create" | "crear", n, file] => {
            // Names as the engine takes them: letters, digits, `-`, `_`, `.`.
            let ok = n.len() <= 64
                && n.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
            if !ok {
                return Err(a.bad("NAME", n));
            }
            act(Action::CreateObject {
                kind: if secret {
                    crate::model::inspect::Kind::Secret
                } else {
                    crate::model::inspect::Kind::Config
                },
                name: n.to_string(),
                file: file.to_string(),
            })
        }
        ["create" | "crear", _, _, more @ ..] => Err(a.extra(more)),
        [verb, ..] => Err(a.bad("create", verb)),
    }
}

pub(super) fn label(a: &Args) -> Parsed {
    match a.rest {
        [] => Err(a.missing("NODE")),
        [_] => Err(a.missing("key=value")),
        [node, pairs @ ..] => {
            let mut labels = Vec::new();
            for p in pairs {
                let (k, v) = p.split_once('=').ok_or_else(|| a.bad("key=value", p))?;
                labels.push((label_key(k)?, v.to_string()));
            }
            act(Action::Label {
                node: node.to_string(),
                labels,
            })
        }
    }
}

pub(super) fn unlabel(a: &Args) -> Parsed {
    match a.rest {
        [] => Err(a.missing("NODE")),
        [_] => Err(a.missing("KEY")),
        [node, keys @ ..] => act(Action::Unlabel {
            node: node.to_string(),
            keys: keys
                .iter()
                .map(|k| label_key(k))
                .collect::<Result<_, _>>()?,
        }),
    }
}

fn availability(a: &Args, to: Availability) -> Parsed {
    act(Action::Availability {
        node: a.one("NODE")?,
        to,
    })
}

pub(super) fn drain(a: &Args) -> Parsed {
    availability(a, Availability::Drain)
}

pub(super) fn activate(a: &Args) -> Parsed {
    availability(a, Availability::Active)
}

pub(super) fn pause(a: &Args) -> Parsed {
    availability(a, Availability::Pause)
}

fn role(a: &Args, to: Role) -> Parsed {
    act(Action::Role {
        node: a.one("NODE")?,
        to,
    })
}

pub(super) fn promote(a: &Args) -> Parsed {
    role(a, Role::Manager)
}

pub(super) fn demote(a: &Args) -> Parsed {
    role(a, Role::Worker)
}

/// `inspect [KIND] NAME [--show-secrets] [--out FILE]`
pub(super) fn inspect(a: &Args) -> Parsed {
    let mut show_secrets = false;
    let mut out = None;
    let mut plain = Vec::new();
    let mut words = a.words();
    while let Some(w) = words.next_word() {
        match w {
            "--show-secrets" => show_secrets = true,
            "--out" => out = Some(words.value("FILE")?),
            w => plain.push(w),
        }
    }
    let (kind, name) = match plain.as_slice() {
        [] => return Err(a.missing("NAME")),
        [name] => (None, name.to_string()),
        // Another word names a Kubernetes kind the server serves (`inspect widgets w1`).
        [kind, name] => match crate::model::inspect::Kind::parse(kind) {
            Some(k) => (Some(k), name.to_string()),
            None => (
                Some(crate::model::inspect::Kind::Object),
                format!("{kind}/{name}"),
            ),
        },
        [_, _, more @ ..] => return Err(a.extra(more)),
    };
    Ok(Command::Inspect {
        kind,
        name,
        show_secrets,
        out,
    })
}

/// `deploy` and `diff` take the same words; `--timeout` and `--detach` only matter to `deploy`.
pub(super) fn deploy(a: &Args) -> Parsed {
    let diff = a.name() == "diff";
    let mut files = Vec::new();
    let mut prune = false;
    let mut detach = false;
    let mut resolve = ResolveImage::default();
    let mut timeout = DEPLOY_TIMEOUT_SECS;
    let mut plain = Vec::new();
    let mut words = a.words();
    while let Some(w) = words.next_word() {
        match w {
            "-c" | "--compose-file" => files.push(words.value("FILE")?),
            "--prune" => prune = true,
            "-d" | "--detach" => detach = true,
            "--resolve-image" => {
                let v = words.value("always|changed|never")?;
                resolve = ResolveImage::parse(&v).ok_or_else(|| a.bad("--resolve-image", &v))?;
            }
            "--timeout" if !diff => {
                let v = words.value("DURATION")?;
                timeout = crate::stack::values::duration_ns(&v)
                    .filter(|ns| *ns > 0)
                    .map(|ns| (ns as u64).div_ceil(1_000_000_000))
                    .ok_or_else(|| a.bad("--timeout", &v))?;
            }
            w => plain.push(w),
        }
    }
    let (files, stack) = match (files.is_empty(), plain.as_slice()) {
        (true, [f, s]) => (vec![f.to_string()], s.to_string()),
        (false, [s]) => (files, s.to_string()),
        (_, []) | (true, [_]) => {
            return Err(a.missing(if files.is_empty() { "FILE" } else { "STACK" }));
        }
        (_, [_, more @ ..]) => return Err(a.extra(more)),
    };
    act(if diff {
        Action::Diff {
            files,
            stack,
            prune,
            resolve,
        }
    } else {
        Action::Deploy {
            files,
            stack,
            prune,
            detach,
            resolve,
            timeout,
        }
    })
}

pub(super) fn swarm(a: &Args) -> Parsed {
    let action = match a.rest {
        [] => return Err(a.missing("init|join-token|leave")),
        ["init"] => Action::SwarmInit {
            advertise_addr: None,
        },
        ["init", "--advertise-addr", addr] => Action::SwarmInit {
            advertise_addr: Some(addr.to_string()),
        },
        ["init", "--advertise-addr"] => return Err(a.missing("ADDR")),
        ["join-token"] => return Err(a.missing("worker|manager")),
        ["join-token", "worker"] => Action::JoinToken(Role::Worker),
        ["join-token", "manager"] => Action::JoinToken(Role::Manager),
        ["join-token", r] => return Err(a.bad("worker|manager", r)),
        ["leave"] => Action::SwarmLeave { force: false },
        ["leave", "--force" | "-f"] => Action::SwarmLeave { force: true },
        [sub] if !["init", "join-token", "leave"].contains(sub) => {
            return Err(a.bad("init|join-token|leave", sub));
        }
        [_, more @ ..] => return Err(a.extra(more)),
    };
    act(action)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::{Command, parse_line};

    fn act(s: &str) -> Action {
        match parse_line(s) {
            Ok(Command::Act(a)) => a,
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn actions_parse_in_both_forms_and_languages() {
        assert_eq!(
            act("scale gopenux_backend 5"),
            Action::Scale(vec![("gopenux_backend".into(), 5)])
        );
        assert_eq!(
            act("escalar a=1 b=0"),
            Action::Scale(vec![("a".into(), 1), ("b".into(), 0)])
        );
        assert_eq!(
            act("image web web:test --no-resolve"),
            Action::Image {
                service: "web".into(),
                image: "web:test".into(),
                resolve: false
            }
        );
        assert_eq!(
            act("tag api:latest api:test"),
            Action::Tag {
                source: "api:latest".into(),
                target: "api:test".into()
            }
        );
        assert_eq!(
            act("label w1 app=api zone=b"),
            Action::Label {
                node: "w1".into(),
                labels: vec![("app".into(), "api".into()), ("zone".into(), "b".into())]
            }
        );
        assert_eq!(
            act("label w1 empty="),
            Action::Label {
                node: "w1".into(),
                labels: vec![("empty".into(), String::new())]
            }
        );
        assert_eq!(
            act("drenar w1"),
            Action::Availability {
                node: "w1".into(),
                to: Availability::Drain
            }
        );
        assert_eq!(
            act("swarm join-token manager"),
            Action::JoinToken(Role::Manager)
        );
        assert_eq!(
            act("swarm init --advertise-addr 10.0.0.1"),
            Action::SwarmInit {
                advertise_addr: Some("10.0.0.1".into())
            }
        );
        assert_eq!(
            act("swarm leave --force"),
            Action::SwarmLeave { force: true }
        );
    }

    #[test]
    fn bad_arguments_say_what_is_wrong() {
        for (line, needle) in [
            ("scale web -1", "-1"),
            ("scale web 10001", "10001"),
            ("scale web lots", "lots"),
            ("scale web=", "\"\""),
            ("image web Web:Test", "Web:Test"),
            ("label w1 app", "app"),
            ("label w1 =x", "\"\""),
            ("swarm join-token boss", "boss"),
            ("swarm explode", "explode"),
        ] {
            let e = parse_line(line).expect_err(line).to_string();
            assert!(e.contains(needle), "{line}: {e}");
        }
        assert!(matches!(
            parse_line("scale"),
            Err(ParseError::Missing { .. })
        ));
        assert!(matches!(
            parse_line("tag a:b"),
            Err(ParseError::Missing { .. })
        ));
    }

    #[test]
    fn references_are_checked_like_docker() {
        for ok in [
            "nginx",
            "nginx:1.25",
            "127.0.0.1:5000/lab/api-semana-3:test",
            "registry.developers.lan/gopenux/frontend-semana-3:latest",
            "localhost/x",
            "a_b.c-d:v1.0_rc",
        ] {
            assert!(valid_reference(ok), "{ok}");
        }
        for bad in [
            "",
            "Nginx",
            "nginx:",
            "nginx:-x",
            "a//b",
            "-a",
            "a:b:c",
            "x@sha256:12",
            "has space",
        ] {
            assert!(!valid_reference(bad), "{bad}");
        }
    }
}
