//! The crate's layers, checked: every `crate::` path in a module's code (tests left out) points
//! to a module of a lower layer, as ARCHITECTURE.md draws them. A new import that runs up fails
//! here with the file, the line and the two layers.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly

use std::path::{Path, PathBuf};

/// Top-level modules by layer, lowest first. A module may import modules of lower layers only.
const LAYERS: &[&[&str]] = &[
    &["model"],
    &["i18n"],
    &["time", "sanitize", "suggest", "presets"],
    &["config", "certs", "columns"],
    &["stack", "build"],
    &["compose"],
    &["backend"],
    &["command", "lab"],
    &["output"],
    &["app"],
    &["ui", "export"],
    &["runtime"],
    &["cli"],
    &["shell"],
    &["start"],
];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// The file's text without its `#[cfg(test)] mod … { … }` blocks.
fn without_tests(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let Some(open) = after.find('{').filter(|&o| after[..o].contains("mod ")) else {
            // `#[cfg(test)] mod tests;`: the file it names is skipped as a tests file.
            rest = &after["#[cfg(test)]".len()..];
            continue;
        };
        let mut depth = 0;
        let mut end = after.len();
        for (i, c) in after[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// The top-level modules a path after `crate::` names: one (`ui::draw`), or each of a group
/// (`{command, config::Config}`).
fn imported(after: &str) -> Vec<String> {
    let word = |s: &str| -> String {
        s.trim()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    match after.strip_prefix('{') {
        Some(group) => group
            .split('}')
            .next()
            .unwrap_or("")
            .split(',')
            .map(word)
            .filter(|w| !w.is_empty() && w != "self")
            .collect(),
        None => vec![word(after)],
    }
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") && p.file_name().unwrap() != "tests.rs" {
            out.push(p);
        }
    }
}

#[test]
fn every_import_points_down() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = vec![];
    files(&src, &mut all);
    let mut wrong = vec![];
    let mut seen = 0;
    for f in &all {
        let rel = f.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if top == "lib" || top == "main" {
            continue;
        }
        let from = layer(&top).unwrap_or_else(|| panic!("{top} is in no layer: add it to LAYERS"));
        let text = without_tests(&std::fs::read_to_string(f).unwrap());
        // Comments out; a group (`use crate::{…}`) may span lines.
        let code: String = text
            .lines()
            .map(|l| l.split("//").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        for (i, _) in code.match_indices("crate::") {
            let line = code[..i].matches('\n').count() + 1;
            for name in imported(&code[i + 7..]) {
                // `crate::tr!` is the catalog's macro.
                let to = if name == "tr" { "i18n" } else { name.as_str() };
                if to == top {
                    continue;
                }
                seen += 1;
                match layer(to) {
                    Some(l) if l < from => {}
                    _ => wrong.push(format!(
                        "{}:{line}: {top} (layer {from}) imports {to} (layer {:?})",
                        rel.display(),
                        layer(to)
                    )),
                }
            }
        }
    }
    assert!(seen > 500, "the check read too few imports ({seen})");
    assert!(
        wrong.is_empty(),
        "imports that run up:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_check_sees_an_import_that_runs_up() {
    let text = "use crate::ui::draw;\n#[cfg(test)]\nmod tests {\n    use crate::runtime::x;\n}\n";
    let kept = without_tests(text);
    assert!(kept.contains("crate::ui") && !kept.contains("crate::runtime"));
    assert!(layer("app") < layer("ui"));
    assert_eq!(
        imported("{command, config::Config};"),
        ["command", "config"]
    );
    assert_eq!(imported("ui::draw(s)"), ["ui"]);
}
