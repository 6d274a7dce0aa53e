//! What a dry run would change, as lines: a unified diff of the live object's YAML and the one
//! the server would keep (kubectl diff's shape), or the whole of a new object.

use similar::{ChangeTag, TextDiff};

/// Which count a diff adds to: created, changed, unchanged.
pub const CREATED: usize = 0;
pub const CHANGED: usize = 1;
pub const SAME: usize = 2;

/// The lines that tell what happens to `what`, and which count it adds to.
pub fn lines(what: &str, before: Option<&str>, after: &str) -> (Vec<String>, usize) {
    let Some(before) = before else {
        let mut out = vec![format!("+++ {what} (new)")];
        out.extend(after.lines().map(|l| format!("+ {l}")));
        return (out, CREATED);
    };
    if before == after {
        return (vec![format!("=== {what} (unchanged)")], SAME);
    }
    let diff = TextDiff::from_lines(before, after);
    let mut out = vec![format!("--- {what} (live)"), format!("+++ {what} (after)")];
    for group in diff.grouped_ops(3) {
        for op in group {
            for change in diff.iter_changes(&op) {
                let sign = match change.tag() {
                    ChangeTag::Delete => '-',
                    ChangeTag::Insert => '+',
                    ChangeTag::Equal => ' ',
                };
                out.push(format!("{sign} {}", change.value().trim_end_matches('\n')));
            }
        }
        out.push("  …".to_string());
    }
    out.pop();
    (out, CHANGED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_a_new_object_and_an_unchanged_one() {
        let (l, at) = lines("deployment/web", Some("a: 1\nb: 2\n"), "a: 1\nb: 3\n");
        assert_eq!(at, CHANGED);
        assert!(
            l.contains(&"- b: 2".to_string()) && l.contains(&"+ b: 3".to_string()),
            "{l:?}"
        );
        assert!(l.contains(&"  a: 1".to_string()));
        let (l, at) = lines("service/web", None, "kind: Service\n");
        assert_eq!((l[1].as_str(), at), ("+ kind: Service", CREATED));
        assert_eq!(lines("x", Some("a\n"), "a\n").1, SAME);
    }
}
