//! Where a key path (`services.web.deploy.replicas`, `services.web.ports[1]`) is in a YAML file,
//! as line and column, so that errors can point at it. It follows block indentation, which is
//! how compose files are written; flow style (`{a: 1}`) falls back to the parent's position.

/// 1-based line and column of the key at `path` (segments: keys, or `[i]` for list items).
pub fn locate(text: &str, path: &[String]) -> Option<(usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut from = 0usize;
    let mut parent_indent: isize = -1;
    let mut found = None;
    for seg in path {
        let mut hit = None;
        if let Some(idx) = seg
            .strip_prefix('[')
            .and_then(|s| s.strip_suffix(']'))
            .and_then(|s| s.parse::<usize>().ok())
        {
            let mut count = 0;
            let mut item_indent = None;
            for (n, line) in lines.iter().enumerate().skip(from) {
                let t = line.trim_start();
                let indent = (line.len() - t.len()) as isize;
                if t.is_empty() || t.starts_with('#') {
                    continue;
                }
                if indent <= parent_indent && !t.starts_with('-') {
                    break;
                }
                if t.starts_with('-') && item_indent.is_none_or(|i| i == indent) {
                    item_indent = Some(indent);
                    if count == idx {
                        hit = Some((n, indent as usize + 3, indent));
                        break;
                    }
                    count += 1;
                }
            }
        } else {
            // Keys of this mapping sit at one indentation, the first one below the parent.
            let mut child_indent = None;
            for (n, line) in lines.iter().enumerate().skip(from) {
                let t = line.trim_start().trim_start_matches("- ");
                let indent = (line.len() - t.len()) as isize;
                if line.trim().is_empty() || line.trim_start().starts_with('#') {
                    continue;
                }
                if indent <= parent_indent && n > from {
                    break;
                }
                if *child_indent.get_or_insert(indent) != indent {
                    continue;
                }
                let key = t
                    .split(':')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .trim_matches(|c| c == '"' || c == '\'');
                if key == seg && t.contains(':') {
                    hit = Some((n, indent as usize + 1, indent));
                    break;
                }
            }
        }
        match hit {
            Some((n, col, indent)) => {
                found = Some((n + 1, col));
                from = n + 1;
                parent_indent = indent;
            }
            None => return found,
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const Y: &str = "version: \"3.8\"\nservices:\n  web:\n    image: nginx\n    ports:\n      - \"80:80\"\n      - target: 443\n        published: 443\n    deploy:\n      replicas: 2\n  api:\n    image: api\n";

    fn p(s: &str) -> Vec<String> {
        s.split('.').map(str::to_string).collect()
    }

    #[test]
    fn keys_and_items_are_found() {
        assert_eq!(locate(Y, &p("services.web.deploy.replicas")), Some((10, 7)));
        assert_eq!(locate(Y, &p("services.api.image")), Some((12, 5)));
        assert_eq!(
            locate(
                Y,
                &[
                    "services".into(),
                    "web".into(),
                    "ports".into(),
                    "[1]".into()
                ]
            ),
            Some((7, 9))
        );
        // A key that is not there: the deepest parent found.
        assert_eq!(locate(Y, &p("services.web.deploy.nope")), Some((9, 5)));
        // A top-level key is not taken for a nested key of the same name.
        let t = "services:\n  web:\n    secrets: [s]\nsecrets:\n  s:\n    file: x\n";
        assert_eq!(locate(t, &p("secrets.s.file")), Some((6, 5)));
    }
}
