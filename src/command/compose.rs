//! `compose [-f FILE]... [-p NAME] [--env-file FILE]... [--profile P]... VERB [FLAGS] [SERVICE...]`,
//! as `docker compose` takes them. Verbs: up [-d] [--build], down [-v] [--rmi local], ps [-a],
//! logs [-f], restart, stop, start, build.

use super::{Args, Command, ParseError};
use crate::model::action::Action;
use crate::model::compose::{ComposeSpec, Verb};

/// The flags each verb takes, besides the services.
fn flag(spec: &mut ComposeSpec, w: &str, words: &mut super::args::Words<'_, '_>) -> Option<bool> {
    let ok = match (spec.verb, w) {
        (Verb::Up, "-d" | "--detach") => {
            spec.detach = true;
            true
        }
        (Verb::Up, "--build") => {
            spec.build = true;
            true
        }
        (Verb::Down, "-v" | "--volumes") => {
            spec.volumes = true;
            true
        }
        (Verb::Down, "--rmi") => {
            // Only `local` is carried out (`all` would remove pulled images too).
            return Some(
                words.value("local").ok()? == "local" && {
                    spec.rmi_local = true;
                    true
                },
            );
        }
        (Verb::Logs, "-f" | "--follow") => {
            spec.follow = true;
            true
        }
        (Verb::Ps, "-a" | "--all") => {
            spec.all = true;
            true
        }
        _ => false,
    };
    Some(ok)
}

pub(super) fn parse(a: &Args) -> Result<Command, ParseError> {
    let mut words = a.words();
    let mut spec = ComposeSpec::new(Verb::Up);
    let mut verb = None;
    while let Some(w) = words.next_word() {
        if verb.is_none() {
            match w {
                "-f" | "--file" => spec.files.push(words.value("FILE")?),
                "-p" | "--project-name" => spec.project = Some(words.value("PROJECT")?),
                "--env-file" => spec.env_files.push(words.value("FILE")?),
                "--profile" => spec.profiles.push(words.value("PROFILE")?),
                v => match Verb::parse(v) {
                    Some(v) => {
                        verb = Some(v);
                        spec.verb = v;
                    }
                    None => return Err(a.bad("VERB", v)),
                },
            }
            continue;
        }
        if w.starts_with('-') && w.len() > 1 {
            if flag(&mut spec, w, &mut words) != Some(true) {
                return Err(a.bad(spec.verb.word(), w));
            }
        } else {
            spec.services.push(w.to_string());
        }
    }
    if verb.is_none() {
        return Err(a.missing("VERB"));
    }
    Ok(Command::Act(Action::Compose(spec)))
}

/// `container start|stop|restart|kill|rm NAME`.
pub(super) fn container(a: &Args) -> Result<Command, ParseError> {
    use crate::model::compose::ContainerVerb;
    match a.rest {
        [] => Err(a.missing("start|stop|restart|kill|rm")),
        [_] => Err(a.missing("CONTAINER")),
        [verb, name] => match ContainerVerb::parse(verb) {
            Some(verb) => Ok(Command::Act(Action::Container {
                verb,
                name: name.to_string(),
            })),
            None => Err(a.bad("start|stop|restart|kill|rm", verb)),
        },
        [_, _, more @ ..] => Err(a.extra(more)),
    }
}

/// `prune [--apply]`: the preview, or (asked first) the removal.
pub(super) fn prune(a: &Args) -> Result<Command, ParseError> {
    match a.rest {
        [] => Ok(Command::Act(Action::Prune { apply: false })),
        ["--apply"] => Ok(Command::Act(Action::Prune { apply: true })),
        [w, ..] if w.starts_with('-') => Err(a.bad("prune", w)),
        more => Err(a.extra(more)),
    }
}

#[cfg(test)]
mod tests {
    use crate::command::{Command, parse_line};
    use crate::model::action::Action;
    use crate::model::compose::{ComposeSpec, Verb};

    fn compose(line: &str) -> ComposeSpec {
        match parse_line(line) {
            Ok(Command::Act(Action::Compose(c))) => c,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn compose_takes_docker_composes_words() {
        let c = compose(
            "compose -f a.yml -f b.yml -p shop --env-file prod.env --profile debug up -d --build web",
        );
        assert_eq!(c.verb, Verb::Up);
        assert_eq!(c.files, ["a.yml", "b.yml"]);
        assert_eq!(c.project.as_deref(), Some("shop"));
        assert!(c.detach && c.build);
        assert_eq!(c.services, ["web"]);
        assert_eq!(
            c.cli(),
            "docker compose -f a.yml -f b.yml -p shop --env-file prod.env --profile debug up -d --build web"
        );
        let c = compose("compose down -v --rmi local");
        assert!(c.volumes && c.rmi_local);
        assert!(compose("compose logs -f").follow);
        assert!(compose("compose ps -a").all);
        assert!(parse_line("compose").is_err());
        assert!(parse_line("compose launch").is_err());
        assert!(parse_line("compose up -v").is_err());
        assert!(parse_line("compose down --rmi all").is_err());
    }

    #[test]
    fn container_and_prune_take_their_words() {
        use crate::model::compose::ContainerVerb;
        assert_eq!(
            parse_line("container rm web-1").unwrap(),
            Command::Act(Action::Container {
                verb: ContainerVerb::Rm,
                name: "web-1".into()
            })
        );
        assert!(parse_line("container web-1").is_err());
        assert!(parse_line("container explode web-1").is_err());
        assert_eq!(
            parse_line("prune").unwrap(),
            Command::Act(Action::Prune { apply: false })
        );
        assert_eq!(
            parse_line("prune --apply").unwrap(),
            Command::Act(Action::Prune { apply: true })
        );
        assert!(parse_line("prune --all").is_err());
    }
}
