//! Splitting a line into words as a POSIX shell does (quotes and backslashes): the palette's
//! commands and compose files' `command: sh -c '…'` alike, as the docker CLI's shlex.

/// Splits a command like a POSIX shell does (quotes and backslashes), as the CLI's shlex.
pub fn split(s: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') => cur.push(chars.next()?),
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, '\\') => {
                cur.push(chars.next()?);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return None;
    }
    if in_word {
        out.push(cur);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn words_split_like_a_shell() {
        assert_eq!(
            super::split("sh -c 'echo a b' \"x\\\"y\""),
            Some(vec![
                "sh".into(),
                "-c".into(),
                "echo a b".into(),
                "x\"y".into()
            ])
        );
        assert_eq!(
            super::split("scale  web 3 "),
            Some(vec!["scale".into(), "web".into(), "3".into()])
        );
        assert_eq!(super::split("say 'open"), None);
    }
}
