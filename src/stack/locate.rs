//! Where a key path (`services.web.deploy.replicas`, `services.web.ports[1]`) is in a YAML file,
//! as line and column, so that errors can point at it. It follows block indentation, which is
//! how compose files are written; flow style (`{a: 1}`) falls back to the parent's position.

/// 1-based line and column of the key at `path` (segments: keys, or `[i]` for list items).
pub fn locate(text: &str, path: &[String]) -> Option<(usize, usize)> {
    walk(text, path).0
}

/// Whether the scalar `value` at `path` is written plain (not quoted, not a block scalar, not
/// tagged `!!str`), where a YAML 1.1 reader may take it for a number. Flow collections
/// (`[0400]`) are searched for the value as an unquoted token.
pub fn is_plain(text: &str, path: &[String], value: &str) -> bool {
    let (Some((line, col)), complete) = walk(text, path) else {
        return false;
    };
    let Some(l) = text.lines().nth(line - 1) else {
        return false;
    };
    let rest = l.get(col - 1..).unwrap_or("");
    let is_item = path.last().is_some_and(|s| s.starts_with('['));
    let after = if complete && is_item {
        rest
    } else {
        rest.split_once(':').map(|(_, v)| v).unwrap_or("")
    };
    let mut v = after.trim_start();
    if let Some(anchored) = v.strip_prefix('&') {
        v = anchored
            .split_once(' ')
            .map(|(_, r)| r.trim_start())
            .unwrap_or("");
    }
    if !complete || v.starts_with('[') || v.starts_with('{') {
        return unquoted_token(v, value);
    }
    let v = match v.find(" #") {
        Some(c) => &v[..c],
        None => v,
    };
    v.trim_end() == value
}

/// `value` stands in the flow text `v` as a token of its own, not inside quotes.
fn unquoted_token(v: &str, value: &str) -> bool {
    let bytes = v.as_bytes();
    v.match_indices(value).any(|(i, _)| {
        let before = v[..i].trim_end().bytes().last();
        let after = v[i + value.len()..].trim_start().bytes().next();
        let quotes = v[..i].bytes().filter(|b| *b == b'"' || *b == b'\'').count();
        quotes % 2 == 0
            && matches!(before, None | Some(b'[' | b'{' | b',' | b':'))
            && matches!(after, None | Some(b']' | b'}' | b',' | b'#'))
            && !bytes.is_empty()
    })
}

/// The deepest position found along `path`, and whether the whole path was found.
fn walk(text: &str, path: &[String]) -> (Option<(usize, usize)>, bool) {
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
            None => return (found, false),
        }
    }
    (found, true)
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

    #[test]
    fn plain_scalars_are_told_from_quoted_ones() {
        let t = "services:\n  web:\n    secrets:\n      - source: s\n        mode: 0400\n      - source: t\n        mode: \"0440\"\n    labels:\n      - 0644\n      - '0755'\n    ports: [0400, \"0500\"]\n";
        let path = |s: &str| -> Vec<String> { s.split('.').map(str::to_string).collect() };
        assert!(is_plain(t, &path("services.web.secrets.[0].mode"), "0400"));
        assert!(!is_plain(t, &path("services.web.secrets.[1].mode"), "0440"));
        assert!(is_plain(t, &path("services.web.labels.[0]"), "0644"));
        assert!(!is_plain(t, &path("services.web.labels.[1]"), "0755"));
        assert!(is_plain(t, &path("services.web.ports.[0]"), "0400"));
        assert!(!is_plain(t, &path("services.web.ports.[1]"), "0500"));
    }
}
