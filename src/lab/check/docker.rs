//! The checks on what a student builds: a Dockerfile's shape (read as the builder reads it) and
//! an image on the engine whose layers were made by that Dockerfile's last stage.

use super::*;
use crate::backend::probe::ComposeContainer;
use crate::build::dockerfile::{Dockerfile, Instruction};
use crate::tr;
use std::collections::BTreeMap;

/// Words that name a small base image.
const SMALL: &[&str] = &[
    "alpine",
    "slim",
    "distroless",
    "scratch",
    "busybox",
    "minimal",
];

/// Commands that install a project's dependencies.
const INSTALLS: &[&str] = &[
    "pip install",
    "pip3 install",
    "npm install",
    "npm ci",
    "yarn install",
    "pnpm install",
    "go mod download",
    "bundle install",
    "composer install",
    "poetry install",
];

/// The Dockerfile as probed: parsed, or the verdict that says why not.
fn parsed(file: &str, probed: Option<&Probed>) -> Result<Dockerfile, Verdict> {
    let text = probed_file(probed, file)?;
    Dockerfile::parse(file, text).map_err(|e| Verdict::Fail(e.to_string()))
}

/// The final stage's instructions, its `FROM` first.
fn last_stage(d: &Dockerfile) -> &[Instruction] {
    d.stage(d.stages.len().saturating_sub(1))
}

/// The image's name without registry, tag or digest: `docker.io/library/nginx:1.25` is `nginx`.
fn image_name(image: &str) -> String {
    let (repo, _) = crate::model::reference::split_tag(image);
    repo.rsplit('/').next().unwrap_or(&repo).to_string()
}

/// How many `key=value` pairs (or one legacy `key value`) a `LABEL` line sets.
fn label_pairs(args: &str) -> usize {
    let mut quote = None;
    let mut n = 0;
    for c in args.chars() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '=') => n += 1,
            _ => {}
        }
    }
    n.max(usize::from(!args.trim().is_empty()))
}

fn is_root(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or(user).trim();
    name.is_empty() || name == "root" || name == "0"
}

/// Whether a stage copies its whole context (`COPY . .`) before it installs dependencies: the
/// install then runs again on every change to the code.
fn installs_after_everything(stage: &[Instruction]) -> bool {
    let mut copied_all = false;
    for i in stage {
        match i.keyword.as_str() {
            "COPY" | "ADD" => {
                let words: Vec<&str> = i
                    .args
                    .split_whitespace()
                    .filter(|w| !w.starts_with("--"))
                    .collect();
                let sources = &words[..words.len().saturating_sub(1)];
                copied_all |= sources.iter().any(|s| matches!(*s, "." | "./" | "*"));
            }
            "RUN" if INSTALLS.iter().any(|c| i.args.contains(c)) => return copied_all,
            _ => {}
        }
    }
    false
}

pub(super) fn dockerfile(c: &DockerfileCheck, probed: Option<&Probed>) -> Verdict {
    let d = match parsed(&c.file, probed) {
        Ok(d) => d,
        Err(v) => return v,
    };
    let file = &c.file;
    let stage = last_stage(&d);
    let base = d.stages.last().map(|s| s.base.as_str()).unwrap_or("");
    let mut why = vec![];
    if let Some(want) = c.stages.filter(|n| *n != d.stages.len()) {
        why.push(tr!(
            "check.df_stages",
            file = file,
            have = d.stages.len(),
            want = want
        ));
    }
    if let Some(want) = &c.base {
        let same = if want.contains(':') {
            base == want || base.ends_with(&format!("/{want}"))
        } else {
            image_name(base) == *want
        };
        if !same {
            why.push(tr!("check.df_base", file = file, have = base, want = want));
        }
    }
    if c.small_base && !SMALL.iter().any(|w| base.to_ascii_lowercase().contains(w)) {
        why.push(tr!("check.df_small", file = file, have = base));
    }
    if c.non_root && d.user().is_none_or(is_root) {
        why.push(tr!("check.df_root", file = file));
    }
    let exposed = d.exposes();
    if c.expose && exposed.is_empty() {
        why.push(tr!("check.df_no_expose", file = file));
    }
    if let Some(port) = c.port {
        let port = port.to_string();
        if !exposed
            .iter()
            .any(|e| e.split('/').next() == Some(port.as_str()))
        {
            let have = if exposed.is_empty() {
                "—".to_string()
            } else {
                exposed.join(" ")
            };
            why.push(tr!("check.df_port", file = file, have = have, want = port));
        }
    }
    if let Some(want) = c.labels {
        let have: usize = stage
            .iter()
            .filter(|i| i.keyword == "LABEL")
            .map(|i| label_pairs(&i.args))
            .sum();
        if have < want {
            why.push(tr!(
                "check.df_labels",
                file = file,
                have = have,
                want = want
            ));
        }
    }
    if let Some(want) = &c.entrypoint {
        let entry = stage.iter().rev().find(|i| i.keyword == "ENTRYPOINT");
        let first = entry.map(|i| command(&i.args)).unwrap_or_default();
        let program = first.split_whitespace().next().unwrap_or("");
        if program.rsplit('/').next() != Some(want.as_str()) {
            why.push(tr!("check.df_entrypoint", file = file, want = want));
        }
    }
    for word in &c.runs {
        let w = word.to_ascii_lowercase();
        let runs = stage.iter().any(|i| {
            matches!(i.keyword.as_str(), "RUN" | "CMD" | "ENTRYPOINT")
                && i.args.to_ascii_lowercase().contains(&w)
        });
        if !runs {
            why.push(tr!("check.df_runs", file = file, word = word));
        }
    }
    if c.cached_deps {
        let late = (0..d.stages.len()).find(|s| installs_after_everything(d.stage(*s)));
        if let Some(s) = late {
            let line = d.stage(s).first().map_or(0, |i| i.line);
            why.push(tr!("check.df_cache", file = file, line = line));
        }
    }
    if why.is_empty() {
        Verdict::Pass
    } else {
        Verdict::Fail(why.join("; "))
    }
}

/// Squeezes runs of blanks to one space, so a command matches however it was wrapped.
fn squeezed(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A `RUN`'s command as the builder records it: the shell form as written, the exec form's
/// words joined.
fn command(args: &str) -> String {
    let args = args.trim();
    if args.starts_with('[')
        && let Ok(words) = serde_json::from_str::<Vec<String>>(args)
    {
        return squeezed(&words.join(" "));
    }
    let words: Vec<&str> = args
        .split_whitespace()
        .skip_while(|w| w.starts_with("--"))
        .collect();
    words.join(" ")
}

/// Whether a layer's record (`docker history`'s CREATED BY, classic builder or BuildKit) was
/// made by this instruction.
fn made_by(layer: &str, i: &Instruction) -> bool {
    let layer = squeezed(layer);
    if i.keyword == "RUN" {
        return layer.contains(&command(&i.args));
    }
    let body = layer
        .split_once("#(nop)")
        .map(|(_, b)| b.trim())
        .unwrap_or(layer.as_str());
    body.split_whitespace().next() == Some(i.keyword.as_str())
}

pub(super) fn built(b: &BuiltCheck, snap: &Snapshot, probed: Option<&Probed>) -> Verdict {
    let image = format!("{}:{}", b.name, b.tag);
    let local: Vec<String> = snap
        .images
        .iter()
        .filter(|i| b.matches(&i.repo) && i.tag == b.tag)
        .map(|i| format!("{}:{}", i.repo, i.tag))
        .collect();
    if local.is_empty() {
        return Verdict::Fail(tr!("check.no_image", image = image));
    }
    let Some(file) = &b.dockerfile else {
        return Verdict::Pass;
    };
    let d = match parsed(file, probed) {
        Ok(d) => d,
        Err(v) => return v,
    };
    let Some(p) = probed else {
        return not_probed();
    };
    let mut why = vec![];
    for r in &local {
        match p.histories.get(r) {
            None => return not_probed(),
            Some(Err(e)) => why.push(e.clone()),
            Some(Ok(layers)) => match unmatched(&d, layers) {
                None => return Verdict::Pass,
                Some(i) => why.push(tr!(
                    "check.not_built_from",
                    image = r,
                    file = file,
                    line = i.line,
                    instruction = format!("{} {}", i.keyword, i.args)
                )),
            },
        }
    }
    Verdict::Fail(why.join("; "))
}

/// The first instruction of the final stage, newest first, that the image's newest layers do
/// not record (`None`: every one does, in order, the newest layer made by the last line). Labels
/// given on the command line (`--label`) add layers of their own on top, which are skipped.
fn unmatched<'a>(d: &'a Dockerfile, layers: &[String]) -> Option<&'a Instruction> {
    let stage = last_stage(d);
    let wanted = stage.get(1..).unwrap_or(&[]);
    let mut newest = layers.iter().rev().peekable();
    if wanted.last().is_some_and(|i| i.keyword != "LABEL") {
        while newest.peek().is_some_and(|l| {
            let l = squeezed(l);
            l.ends_with("#(nop)") || l.split_whitespace().any(|w| w == "LABEL")
        }) {
            newest.next();
        }
    }
    for i in wanted.iter().rev() {
        match newest.next() {
            Some(l) if made_by(l, i) => {}
            _ => return Some(i),
        }
    }
    None
}

/// A compose project's services all up (one-shot ones ended well), and healthy when asked.
pub(super) fn compose(c: &ComposeCheck, probed: Option<&Probed>) -> Verdict {
    let key = c.project.clone().unwrap_or_default();
    let containers = match probed.map(|p| p.compose.get(&key)) {
        None | Some(None) => return not_probed(),
        Some(Some(Err(e))) => return Verdict::Fail(e.clone()),
        Some(Some(Ok(list))) => list,
    };
    // The project asked for, or the one with the most services.
    let mut projects: BTreeMap<&str, BTreeMap<&str, Vec<&ComposeContainer>>> = BTreeMap::new();
    for k in containers {
        projects
            .entry(&k.project)
            .or_default()
            .entry(&k.service)
            .or_default()
            .push(k);
    }
    let Some((name, services)) = projects.into_iter().max_by_key(|(_, s)| s.len()) else {
        return Verdict::Fail(match &c.project {
            Some(p) => tr!("check.compose_not_up", project = p),
            None => tr!("check.compose_none"),
        });
    };
    for (service, list) in &services {
        if let Some(k) = list.iter().find(|k| !k.running && !k.completed) {
            return Verdict::Fail(tr!(
                "check.compose_down",
                service = service,
                project = name,
                container = k.name
            ));
        }
        if c.healthy
            && let Some(k) = list
                .iter()
                .find(|k| k.health == "unhealthy" || k.health == "starting")
        {
            return Verdict::Fail(tr!(
                "check.compose_unhealthy",
                container = k.name,
                health = k.health
            ));
        }
    }
    if services.len() < c.services {
        return Verdict::Fail(tr!(
            "check.compose_services",
            project = name,
            count = services.len(),
            want = c.services
        ));
    }
    Verdict::Pass
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRONT: &str = "FROM node:20-alpine AS deps\nWORKDIR /app\nCOPY package.json .\nRUN npm ci\n\
        FROM deps AS build\nCOPY . .\nRUN npm run build\n\
        FROM nginx:1.25-alpine\nLABEL company=GopenuxLab developer=\"Ana Pérez\"\n\
        COPY --from=build /app/dist /usr/share/nginx/html\nEXPOSE 80\n";

    fn probed(file: &str, text: Option<&str>) -> Probed {
        let mut p = Probed::default();
        p.files.insert(file.into(), text.map(str::to_string));
        p
    }

    fn check(text: &str, c: DockerfileCheck) -> Verdict {
        dockerfile(&c, Some(&probed("Dockerfile", Some(text))))
    }

    fn df() -> DockerfileCheck {
        DockerfileCheck {
            file: "Dockerfile".into(),
            ..Default::default()
        }
    }

    #[test]
    fn the_statement_of_semana_3s_frontend_passes() {
        let c = DockerfileCheck {
            stages: Some(3),
            base: Some("nginx".into()),
            small_base: true,
            expose: true,
            port: Some(80),
            labels: Some(2),
            cached_deps: true,
            ..df()
        };
        assert_eq!(check(FRONT, c), Verdict::Pass);
    }

    #[test]
    fn each_failure_says_what_the_file_lacks() {
        crate::i18n::set_lang(crate::i18n::Lang::En);
        let text = "FROM python:3.12\nCOPY . .\nRUN pip install -r requirements.txt\nUSER root\nCMD python app.py\n";
        let c = DockerfileCheck {
            stages: Some(2),
            base: Some("nginx".into()),
            small_base: true,
            non_root: true,
            expose: true,
            port: Some(5000),
            labels: Some(2),
            runs: vec!["gunicorn".into()],
            entrypoint: Some("tini".into()),
            cached_deps: true,
            ..df()
        };
        let Verdict::Fail(why) = check(text, c) else {
            panic!("fails")
        };
        for part in [
            "1 stages",
            "python:3.12",
            "root",
            "no EXPOSE",
            "5000",
            "0 labels",
            "gunicorn",
            "line 1",
            "ENTRYPOINT",
        ] {
            assert!(why.contains(part), "{part} in {why}");
        }
    }

    #[test]
    fn a_missing_or_broken_dockerfile_is_named() {
        crate::i18n::set_lang(crate::i18n::Lang::En);
        let v = dockerfile(&df(), Some(&probed("Dockerfile", None)));
        assert_eq!(v, Verdict::Fail("Dockerfile does not exist yet".into()));
        let Verdict::Fail(why) = check("FROM alpine\nRUNN true\n", df()) else {
            panic!()
        };
        assert!(why.contains("Dockerfile:2"), "{why}");
        assert!(matches!(dockerfile(&df(), None), Verdict::Unknown(_)));
    }

    #[test]
    fn the_entrypoint_is_the_program_it_starts() {
        let c = || DockerfileCheck {
            entrypoint: Some("tini".into()),
            ..df()
        };
        let ok = "FROM alpine\nENTRYPOINT [\"/sbin/tini\", \"--\"]\nCMD gunicorn app:app\n";
        assert_eq!(check(ok, c()), Verdict::Pass);
        let shell = "FROM alpine\nENTRYPOINT tini -- gunicorn\n";
        assert_eq!(check(shell, c()), Verdict::Pass);
        let no = "FROM alpine\nRUN apk add tini\nCMD [\"gunicorn\"]\n";
        assert!(matches!(check(no, c()), Verdict::Fail(_)));
    }

    #[test]
    fn labels_are_counted_by_pairs_quotes_and_all() {
        assert_eq!(label_pairs("a=1 b=\"x = y\""), 2);
        assert_eq!(label_pairs("maintainer Ana"), 1);
        assert_eq!(label_pairs(""), 0);
    }

    fn layers(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn history_matches_the_last_stage_in_either_builders_words() {
        let d = Dockerfile::parse("Dockerfile", FRONT).unwrap();
        let classic = layers(&[
            "/bin/sh -c #(nop) ADD file:abc in / ",
            "/bin/sh -c #(nop)  CMD [\"nginx\"]",
            "/bin/sh -c #(nop)  LABEL company=GopenuxLab developer=Ana Pérez",
            "/bin/sh -c #(nop) COPY dir:123 in /usr/share/nginx/html ",
            "/bin/sh -c #(nop)  EXPOSE 80",
        ]);
        assert_eq!(unmatched(&d, &classic), None);
        let buildkit = layers(&[
            "ADD alpine.tar /",
            "LABEL company=GopenuxLab developer=Ana Pérez",
            "COPY /app/dist /usr/share/nginx/html # buildkit",
            "EXPOSE map[80/tcp:{}]",
        ]);
        assert_eq!(unmatched(&d, &buildkit), None);
        // A label given with --label sits on top.
        let mut labelled = classic.clone();
        labelled.push("/bin/sh -c #(nop)  LABEL course=devops".into());
        assert_eq!(unmatched(&d, &labelled), None);
        // Another Dockerfile's image: its newest layer is not this file's last line.
        let other = layers(&["/bin/sh -c #(nop)  CMD [\"sh\"]"]);
        assert_eq!(unmatched(&d, &other).map(|i| i.line), Some(11));
    }

    #[test]
    fn a_run_matches_by_its_command_text() {
        let text = "FROM alpine\nRUN apk add --no-cache tini \\\n    && echo ok\nENTRYPOINT [\"tini\", \"--\"]\n";
        let d = Dockerfile::parse("Dockerfile", text).unwrap();
        let good = layers(&[
            "|1 V=2 /bin/sh -c apk add --no-cache tini     && echo ok",
            "/bin/sh -c #(nop)  ENTRYPOINT [\"tini\" \"--\"]",
        ]);
        assert_eq!(unmatched(&d, &good), None);
        let changed = layers(&[
            "/bin/sh -c apk add --no-cache curl",
            "/bin/sh -c #(nop)  ENTRYPOINT [\"tini\" \"--\"]",
        ]);
        assert_eq!(unmatched(&d, &changed).map(|i| i.line), Some(2));
    }
}
