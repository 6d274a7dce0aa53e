//! Completion of the palette's last word, from the command table and the cluster's names.

use super::table::{SPECS, spec};
use super::{ArgKind, tokenize};

/// Completion candidates for the last word of `line`. `names` supplies the values of an argument kind.
pub fn complete(line: &str, names: &dyn Fn(ArgKind) -> Vec<String>) -> Vec<String> {
    let words = tokenize(line).unwrap_or_default();
    let ends_with_space = line.ends_with(char::is_whitespace) || line.is_empty();
    let (done, partial) = if ends_with_space {
        (words.as_slice(), "")
    } else {
        match words.split_last() {
            Some((last, done)) => (done, last.as_str()),
            None => (words.as_slice(), ""),
        }
    };
    let p = partial.to_lowercase();
    let candidates: Vec<String> = if done.is_empty() {
        let mut v: Vec<String> = SPECS.iter().map(|s| s.name.to_string()).collect();
        if !p.is_empty() {
            v.extend(
                SPECS
                    .iter()
                    .flat_map(|s| s.aliases.iter().map(|a| a.to_string())),
            );
        }
        v
    } else {
        let Some(spec) = spec(&done[0]) else {
            return vec![];
        };
        let idx = done.len() - 1;
        match spec.args.get(idx) {
            Some(ArgKind::Lang) => vec!["es".into(), "en".into()],
            Some(ArgKind::SwarmVerb) => vec!["init".into(), "join-token".into(), "leave".into()],
            Some(ArgKind::Lab) => crate::presets::names()
                .iter()
                .map(|n| n.to_string())
                .chain(["next", "prev", "close", "init", "check", "report"].map(String::from))
                .collect(),
            Some(ArgKind::Command) => SPECS.iter().map(|s| s.name.to_string()).collect(),
            Some(ArgKind::SnapTarget) => [
                "pane", "screen", "nodes", "services", "tasks", "images", "logs",
            ]
            .map(String::from)
            .to_vec(),
            Some(ArgKind::Text) | None => vec![],
            Some(kind) => names(*kind),
        }
    };
    let mut out: Vec<String> = candidates
        .into_iter()
        .filter(|c| c.to_lowercase().starts_with(&p))
        .collect();
    out.dedup();
    out
}
