//! `build [PATH] -t NAME[:TAG]... [-f FILE] [--target STAGE] [--build-arg K=V]... [--label K=V]...
//! [--no-cache] [--pull]`, as `docker build` takes them.

use super::{Args, Command, ParseError};
use crate::model::action::{Action, BuildSpec};

/// `K=V`; a bare `K` takes its value from the environment, as `docker build --build-arg K`
/// does (and is left out when the environment has none).
fn pair(
    a: &Args,
    flag: &str,
    v: &str,
    from_env: bool,
) -> Result<Option<(String, String)>, ParseError> {
    match v.split_once('=') {
        Some(("", _)) => Err(a.bad(flag, v)),
        Some((k, val)) => Ok(Some((k.to_string(), val.to_string()))),
        None if from_env && !v.is_empty() => {
            Ok(std::env::var(v).ok().map(|val| (v.to_string(), val)))
        }
        None => Err(a.bad(flag, v)),
    }
}

pub(super) fn parse(a: &Args) -> Result<Command, ParseError> {
    let mut spec = BuildSpec::default();
    let mut paths = Vec::new();
    let mut words = a.words();
    while let Some(w) = words.next_word() {
        match w {
            "-t" | "--tag" => {
                let v = words.value("NAME[:TAG]")?;
                if !super::actions::valid_reference(&v) {
                    return Err(ParseError::Reference {
                        command: a.name().into(),
                        value: v,
                    });
                }
                spec.tags.push(v);
            }
            "-f" | "--file" => spec.dockerfile = Some(words.value("FILE")?),
            "--target" => spec.target = Some(words.value("STAGE")?),
            "--build-arg" => {
                let v = words.value("KEY=VALUE")?;
                spec.build_args.extend(pair(a, w, &v, true)?);
            }
            "--label" => {
                let v = words.value("KEY=VALUE")?;
                spec.labels.extend(pair(a, w, &v, false)?);
            }
            "--no-cache" => spec.no_cache = true,
            "--pull" => spec.pull = true,
            flag if flag.starts_with('-') && flag.len() > 1 => return Err(a.bad("build", flag)),
            path => paths.push(path),
        }
    }
    spec.context = match paths.as_slice() {
        [] => ".".into(),
        [p] => p.to_string(),
        [_, more @ ..] => return Err(a.extra(more)),
    };
    Ok(Command::Act(Action::Build(spec)))
}

#[cfg(test)]
mod tests {
    use crate::command::{Command, parse_line};
    use crate::model::action::{Action, BuildSpec};

    fn build(line: &str) -> BuildSpec {
        match parse_line(line) {
            Ok(Command::Act(Action::Build(b))) => b,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn build_takes_docker_builds_flags() {
        let b = build(
            "build -t web:latest --tag web:test -f web/Dockerfile.prod --target final --build-arg V=2 --label team=ops --no-cache --pull web",
        );
        assert_eq!(b.context, "web");
        assert_eq!(b.tags, ["web:latest", "web:test"]);
        assert_eq!(b.dockerfile.as_deref(), Some("web/Dockerfile.prod"));
        assert_eq!(b.target.as_deref(), Some("final"));
        assert_eq!(b.build_args, [("V".to_string(), "2".to_string())]);
        assert_eq!(b.labels, [("team".to_string(), "ops".to_string())]);
        assert!(b.no_cache && b.pull);
        assert_eq!(build("build").context, ".");
        assert_eq!(build("construir -t a .").tags, ["a"]);
    }

    #[test]
    fn bad_build_words_are_named() {
        crate::i18n::set_lang(crate::i18n::Lang::En);
        for (line, word) in [
            ("build -t Web:Latest .", "Web:Latest"),
            ("build --label =x .", "=x"),
            ("build --squash .", "--squash"),
            ("build a b", "b"),
            ("build -t", "NAME[:TAG]"),
        ] {
            let e = parse_line(line).unwrap_err().to_string();
            assert!(e.contains(word), "{line}: {e}");
        }
    }
}
