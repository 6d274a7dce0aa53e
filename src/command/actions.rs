//! The commands that change the cluster: their arguments, checked as Docker checks them, become an
//! [`Action`].

use super::ParseError;
use crate::model::action::{Action, DEPLOY_TIMEOUT_SECS, ResolveImage};
use crate::model::{Availability, Role};

/// The most replicas `scale` accepts.
pub const MAX_REPLICAS: u64 = 10_000;

fn bad(command: &str, arg: &str, value: &str) -> ParseError {
    ParseError::BadValue {
        command: command.into(),
        arg: arg.into(),
        value: value.into(),
    }
}

fn replicas(v: &str) -> Result<u64, ParseError> {
    match v.parse::<u64>() {
        Ok(n) if n <= MAX_REPLICAS => Ok(n),
        _ => Err(ParseError::Replicas { value: v.into() }),
    }
}

pub use crate::model::reference::valid as valid_reference;

fn image(command: &str, v: &str) -> Result<String, ParseError> {
    if valid_reference(v) {
        Ok(v.to_string())
    } else {
        Err(ParseError::Reference {
            command: command.into(),
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

type Missing<'a> = &'a dyn Fn(&str) -> ParseError;
type Extra<'a> = &'a dyn Fn(&[&str]) -> ParseError;

/// Parses the arguments of an action command (`name` is the command's own name).
pub fn parse(
    name: &str,
    rest: &[&str],
    missing: Missing<'_>,
    extra: Extra<'_>,
) -> Result<Action, ParseError> {
    let one = |what: &str| -> Result<String, ParseError> {
        match rest {
            [] => Err(missing(what)),
            [x] => Ok(x.to_string()),
            [_, more @ ..] => Err(extra(more)),
        }
    };
    match name {
        "scale" => {
            let mut pairs = Vec::new();
            match rest {
                [] => return Err(missing("SERVICE=N")),
                [svc, n] if !svc.contains('=') && !n.contains('=') => {
                    pairs.push((svc.to_string(), replicas(n)?))
                }
                words => {
                    for w in words {
                        let (s, n) = w.split_once('=').ok_or_else(|| bad(name, "SERVICE=N", w))?;
                        if s.is_empty() {
                            return Err(bad(name, "SERVICE=N", w));
                        }
                        pairs.push((s.to_string(), replicas(n)?));
                    }
                }
            }
            Ok(Action::Scale(pairs))
        }
        "image" => {
            let no_resolve = rest.contains(&"--no-resolve");
            let words: Vec<&str> = rest
                .iter()
                .copied()
                .filter(|w| *w != "--no-resolve")
                .collect();
            match words.as_slice() {
                [] => Err(missing("SERVICE")),
                [_] => Err(missing("IMAGE")),
                [s, i] => Ok(Action::Image {
                    service: s.to_string(),
                    image: image(name, i)?,
                    resolve: !no_resolve,
                }),
                [_, _, more @ ..] => Err(extra(more)),
            }
        }
        "rollback" => Ok(Action::Rollback(one("SERVICE")?)),
        "restart" => Ok(Action::Restart(one("SERVICE")?)),
        "tag" => match rest {
            [] => Err(missing("SOURCE")),
            [_] => Err(missing("TARGET")),
            [s, t] => Ok(Action::Tag {
                source: image(name, s)?,
                target: image(name, t)?,
            }),
            [_, _, more @ ..] => Err(extra(more)),
        },
        "push" => Ok(Action::Push(image(name, &one("IMAGE")?)?)),
        "rmi" => Ok(Action::Rmi(one("IMAGE")?)),
        "rm-stack" => Ok(Action::RmStack(one("STACK")?)),
        "ctx" => Ok(Action::Context(one("NAME")?)),
        "apply" => Ok(Action::Apply(one("FILE|PRESET")?)),
        "delete" => {
            let target = one("KIND/NAME")?;
            match target.split_once('/') {
                Some((k, n)) if !k.is_empty() && !n.is_empty() => Ok(Action::Delete {
                    kind: k.to_lowercase(),
                    name: n.to_string(),
                }),
                _ => Err(bad(name, "KIND/NAME", &target)),
            }
        }
        "ns" => Ok(Action::Namespace(match one("NAME|all")?.as_str() {
            "all" | "todos" | "-A" => None,
            n => Some(n.to_string()),
        })),
        "secret" | "config" => match rest {
            [] => Err(missing("create")),
            ["create" | "crear"] => Err(missing("NAME")),
            ["show" | "ver", n] if name == "secret" => Ok(Action::SecretShow(n.to_string())),
            ["create" | "crear", n, first, ..]
                if name == "secret" && first.starts_with("--from-") =>
            {
                kube_secret(n, &rest[2..], missing, extra)
            }
            ["create" | "crear", _] => Err(missing("FILE")),
            ["create" | "crear", n, file] => {
                // Names as the engine takes them: letters, digits, `-`, `_`, `.`.
                let ok = n.len() <= 64
                    && n.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
                    && n.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
                if !ok {
                    return Err(bad(name, "NAME", n));
                }
                Ok(Action::CreateObject {
                    secret: name == "secret",
                    name: n.to_string(),
                    file: file.to_string(),
                })
            }
            ["create" | "crear", _, _, more @ ..] => Err(extra(more)),
            [verb, ..] => Err(bad(name, "create", verb)),
        },
        "label" => match rest {
            [] => Err(missing("NODE")),
            [_] => Err(missing("key=value")),
            [node, pairs @ ..] => {
                let mut labels = Vec::new();
                for p in pairs {
                    let (k, v) = p.split_once('=').ok_or_else(|| bad(name, "key=value", p))?;
                    labels.push((label_key(k)?, v.to_string()));
                }
                Ok(Action::Label {
                    node: node.to_string(),
                    labels,
                })
            }
        },
        "unlabel" => match rest {
            [] => Err(missing("NODE")),
            [_] => Err(missing("KEY")),
            [node, keys @ ..] => Ok(Action::Unlabel {
                node: node.to_string(),
                keys: keys
                    .iter()
                    .map(|k| label_key(k))
                    .collect::<Result<_, _>>()?,
            }),
        },
        "drain" => Ok(Action::Availability {
            node: one("NODE")?,
            to: Availability::Drain,
        }),
        "activate" => Ok(Action::Availability {
            node: one("NODE")?,
            to: Availability::Active,
        }),
        "pause" => Ok(Action::Availability {
            node: one("NODE")?,
            to: Availability::Pause,
        }),
        "promote" => Ok(Action::Role {
            node: one("NODE")?,
            to: Role::Manager,
        }),
        "demote" => Ok(Action::Role {
            node: one("NODE")?,
            to: Role::Worker,
        }),
        "deploy" | "diff" => {
            let mut files = Vec::new();
            let mut prune = false;
            let mut detach = false;
            let mut resolve = ResolveImage::default();
            let mut timeout = DEPLOY_TIMEOUT_SECS;
            let mut words = Vec::new();
            let mut i = 0;
            while i < rest.len() {
                let (flag, inline) = match rest[i].split_once('=') {
                    Some((f, v)) if f.starts_with("--") => (f, Some(v)),
                    _ => (rest[i], None),
                };
                let mut value = |what: &str| -> Result<&str, ParseError> {
                    match inline {
                        Some(v) => Ok(v),
                        None => {
                            i += 1;
                            rest.get(i).copied().ok_or_else(|| missing(what))
                        }
                    }
                };
                match flag {
                    "-c" | "--compose-file" => files.push(value("FILE")?.to_string()),
                    "--prune" => prune = true,
                    "-d" | "--detach" => detach = true,
                    "--resolve-image" => {
                        let v = value("always|changed|never")?;
                        resolve = ResolveImage::parse(v)
                            .ok_or_else(|| bad(name, "--resolve-image", v))?;
                    }
                    "--timeout" if name == "deploy" => {
                        let v = value("DURATION")?;
                        timeout = crate::stack::values::duration_ns(v)
                            .filter(|ns| *ns > 0)
                            .map(|ns| (ns as u64).div_ceil(1_000_000_000))
                            .ok_or_else(|| bad(name, "--timeout", v))?;
                    }
                    w => words.push(w),
                }
                i += 1;
            }
            let make = |files: Vec<String>, stack: String| {
                if name == "diff" {
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
                }
            };
            match (files.is_empty(), words.as_slice()) {
                (true, [f, s]) => Ok(make(vec![f.to_string()], s.to_string())),
                (false, [s]) => Ok(make(files, s.to_string())),
                (_, []) | (true, [_]) => {
                    Err(missing(if files.is_empty() { "FILE" } else { "STACK" }))
                }
                (_, [_, more @ ..]) => Err(extra(more)),
            }
        }
        "swarm" => match rest {
            [] => Err(missing("init|join-token|leave")),
            ["init"] => Ok(Action::SwarmInit {
                advertise_addr: None,
            }),
            ["init", "--advertise-addr", a] => Ok(Action::SwarmInit {
                advertise_addr: Some(a.to_string()),
            }),
            ["init", "--advertise-addr"] => Err(missing("ADDR")),
            ["join-token"] => Err(missing("worker|manager")),
            ["join-token", "worker"] => Ok(Action::JoinToken(Role::Worker)),
            ["join-token", "manager"] => Ok(Action::JoinToken(Role::Manager)),
            ["join-token", r] => Err(bad(name, "worker|manager", r)),
            ["leave"] => Ok(Action::SwarmLeave { force: false }),
            ["leave", "--force" | "-f"] => Ok(Action::SwarmLeave { force: true }),
            [sub] if !["init", "join-token", "leave"].contains(sub) => {
                Err(bad(name, "init|join-token|leave", sub))
            }
            [_, more @ ..] => Err(extra(more)),
        },
        _ => Err(ParseError::Unknown {
            word: name.into(),
            suggestion: None,
        }),
    }
}

/// `secret create NAME --from-literal k=v --from-file F ...`, as kubectl takes it.
fn kube_secret(
    name: &str,
    rest: &[&str],
    missing: Missing<'_>,
    extra: Extra<'_>,
) -> Result<Action, ParseError> {
    let mut literals = Vec::new();
    let mut files = Vec::new();
    let mut words = super::Words::new(rest, missing);
    while let Some(flag) = words.next_word() {
        match flag {
            "--from-literal" => {
                let v = words.value("KEY=VALUE")?;
                let (k, val) = v
                    .split_once('=')
                    .filter(|(k, _)| !k.is_empty())
                    .ok_or_else(|| bad("secret", "--from-literal KEY=VALUE", &v))?;
                literals.push((k.to_string(), val.to_string()));
            }
            "--from-file" => files.push(words.value("FILE")?),
            _ => return Err(extra(words.left())),
        }
    }
    Ok(Action::KubeSecret {
        name: name.to_string(),
        literals,
        files,
    })
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
