//! `.env` and `env_file` files as docker compose reads them: `KEY=VALUE` lines, `export `
//! prefixes, `#` comments, single quotes kept literal, double quotes with `\n`-style escapes,
//! and `${VAR}` expanded from the lines above (then the environment) outside single quotes.

use crate::stack::interpolate::interpolate;

/// The variables in the file's order. `file` names it in errors (`FILE:LINE: ...`).
pub fn parse(text: &str, file: &str) -> Result<Vec<(String, String)>, String> {
    parse_with(text, file, &|k| std::env::var(k).ok())
}

pub fn parse_with(
    text: &str,
    file: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim_start_matches('\u{feff}').trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
        let bad = || crate::tr!("compose.env_line", file = file, line = n + 1, text = line);
        let Some((key, value)) = line.split_once('=') else {
            // A bare name takes the environment's value, as compose does, or is left out.
            if line
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
            {
                if let Some(v) = env(line) {
                    out.push((line.to_string(), v));
                }
                continue;
            }
            return Err(bad());
        };
        let key = key.trim();
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
        {
            return Err(bad());
        }
        let value = value.trim_start();
        let lookup = |k: &str| {
            out.iter()
                .rev()
                .find(|(name, _)| name == k)
                .map(|(_, v)| v.clone())
                .or_else(|| env(k))
        };
        let value = if let Some(rest) = value.strip_prefix('\'') {
            let end = rest.find('\'').ok_or_else(bad)?;
            rest[..end].to_string()
        } else if let Some(rest) = value.strip_prefix('"') {
            let end = closing_quote(rest).ok_or_else(bad)?;
            let unescaped = unescape(&rest[..end]);
            interpolate(&unescaped, &lookup, &mut Vec::new()).map_err(|_| bad())?
        } else {
            // An unquoted value ends at ` #` (a comment) and is trimmed.
            let v = match value.find(" #") {
                Some(i) => &value[..i],
                None => value,
            };
            interpolate(v.trim_end(), &lookup, &mut Vec::new()).map_err(|_| bad())?
        };
        out.push((key.to_string(), value));
    }
    Ok(out)
}

fn closing_quote(s: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(i),
            _ => {}
        }
    }
    None
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::parse_with;

    #[test]
    fn dotenv_lines_read_as_compose_reads_them() {
        let text = "# c\nexport A=1\nB = two words # note\nC='lit $A'\nD=\"x\\ny ${A}\"\nE=${A}-${HOMEX:-d}\nF\n";
        let env = |k: &str| (k == "F").then(|| "from-env".to_string());
        let got = parse_with(text, ".env", &env).unwrap();
        let want: Vec<(String, String)> = [
            ("A", "1"),
            ("B", "two words"),
            ("C", "lit $A"),
            ("D", "x\ny 1"),
            ("E", "1-d"),
            ("F", "from-env"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(got, want);
        let err = parse_with("ok=1\nbad key=2\n", "app.env", &|_| None).unwrap_err();
        assert!(err.contains("app.env") && err.contains('2'), "{err}");
    }
}
