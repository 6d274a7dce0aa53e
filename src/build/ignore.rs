//! `.dockerignore`, applied by the rules of Docker's own pattern matcher (moby/patternmatcher, as
//! the docker CLI uses it for a build context): each line trimmed, `#` comments and blank lines
//! skipped, `!` an exception, the pattern cleaned like a path (`./a`, `/a` and `a/` all mean `a`);
//! `*` and `?` stop at `/`, `**` crosses directories (`**/` also matches none), `[...]` is a class,
//! `\` escapes. A path is excluded when the last pattern that matches it, or one of its parent
//! directories, is not an exception.
//!
//! No kept crate matches these rules (gitignore's differ: there `a` matches at any depth, here only
//! at the root), so the translation to a regular expression follows the matcher's own, on the
//! `regex` crate the project already uses.

use regex::Regex;

/// One line of `.dockerignore` that the matcher refused, with its line number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::tr!("build.bad_ignore", line = .line, pattern = .pattern))]
pub struct IgnoreError {
    pub line: usize,
    pub pattern: String,
}

#[derive(Debug, Clone)]
struct Pattern {
    /// The cleaned pattern, as written after `!`.
    text: String,
    exception: bool,
    regex: Regex,
}

/// The patterns of one `.dockerignore` file.
#[derive(Debug, Clone, Default)]
pub struct Ignore {
    patterns: Vec<Pattern>,
}

impl Ignore {
    /// Reads `.dockerignore` text. A pattern the matcher cannot compile names its line.
    pub fn parse(text: &str) -> Result<Ignore, IgnoreError> {
        let mut patterns = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (exception, body) = match line.strip_prefix('!') {
                Some(rest) => (true, rest.trim()),
                None => (false, line),
            };
            let bad = || IgnoreError {
                line: i + 1,
                pattern: line.to_string(),
            };
            if body.is_empty() {
                return Err(bad());
            }
            let mut cleaned = clean(body);
            if cleaned.len() > 1 && cleaned.starts_with('/') {
                cleaned.remove(0);
            }
            let regex = Regex::new(&to_regex(&cleaned)).map_err(|_| bad())?;
            patterns.push(Pattern {
                text: cleaned,
                exception,
                regex,
            });
        }
        Ok(Ignore { patterns })
    }

    /// Whether any pattern is an exception (`!`): then an excluded folder must still be walked,
    /// since something under it may come back.
    pub fn has_exceptions(&self) -> bool {
        self.patterns.iter().any(|p| p.exception)
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Whether `path` (relative to the context, `/`-separated, cleaned) is left out.
    pub fn excludes(&self, path: &str) -> bool {
        let parents: Vec<&str> = match path.rfind('/') {
            Some(at) => path[..at].split('/').collect(),
            None => Vec::new(),
        };
        let mut excluded = false;
        for p in &self.patterns {
            // An exception only matters for what is excluded, a pattern only for what is not.
            if p.exception != excluded {
                continue;
            }
            let mut hit = p.regex.is_match(path);
            if !hit {
                hit = (1..=parents.len()).any(|n| p.regex.is_match(&parents[..n].join("/")));
            }
            if hit {
                excluded = !p.exception;
            }
        }
        excluded
    }

    /// Keeps the Dockerfile and `.dockerignore` in the context even when a pattern leaves them
    /// out, as the docker CLI does: the builder needs the one, and reads the other.
    pub fn keep(&mut self, path: &str) {
        if self.excludes(path) {
            let cleaned = clean(path);
            if let Ok(regex) = Regex::new(&to_regex(&cleaned)) {
                self.patterns.push(Pattern {
                    text: cleaned,
                    exception: true,
                    regex,
                });
            }
        }
    }

    /// The patterns, cleaned, `!` in front of the exceptions (for messages and tests).
    pub fn patterns(&self) -> Vec<String> {
        self.patterns
            .iter()
            .map(|p| format!("{}{}", if p.exception { "!" } else { "" }, p.text))
            .collect()
    }
}

/// Go's `filepath.Clean` on a `/`-separated path: no `.` parts, `..` folded, no doubled or
/// trailing `/`; empty becomes `.`.
pub fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

/// The pattern as a regular expression anchored at both ends, as the matcher translates it.
fn to_regex(pattern: &str) -> String {
    let mut re = String::from("^");
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                if chars.peek() == Some(&'/') {
                    chars.next();
                }
                if chars.peek().is_none() {
                    re.push_str(".*");
                } else {
                    re.push_str("(.*/)?");
                }
            }
            '*' => re.push_str("[^/]*"),
            '?' => re.push_str("[^/]"),
            '\\' => match chars.next() {
                Some(n) => re.push_str(&regex::escape(&n.to_string())),
                None => re.push_str("\\\\"),
            },
            '.' | '+' | '(' | ')' | '|' | '{' | '}' | '$' => {
                re.push('\\');
                re.push(c);
            }
            c => re.push(c),
        }
    }
    re.push('$');
    re
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ignore(text: &str) -> Ignore {
        Ignore::parse(text).unwrap()
    }

    #[test]
    fn a_plain_name_matches_at_the_root_only_and_everything_under_it() {
        let i = ignore("node_modules\n");
        assert!(i.excludes("node_modules"));
        assert!(i.excludes("node_modules/a/b.js"));
        assert!(!i.excludes("web/node_modules"));
        assert!(!i.excludes("web/node_modules/x"));
    }

    #[test]
    fn double_star_crosses_folders_and_matches_none() {
        let i = ignore("**/node_modules\n**/*.pyc\n");
        assert!(i.excludes("node_modules/x"));
        assert!(i.excludes("web/app/node_modules/x"));
        assert!(i.excludes("a.pyc"));
        assert!(i.excludes("src/deep/b.pyc"));
        assert!(!i.excludes("src/b.py"));
        let tail = ignore("logs/**\n");
        assert!(tail.excludes("logs/a"));
        assert!(tail.excludes("logs/a/b"));
    }

    #[test]
    fn one_star_stops_at_a_slash() {
        let i = ignore("*.md\n*/temp*\n");
        assert!(i.excludes("README.md"));
        assert!(!i.excludes("docs/guide.md"));
        assert!(i.excludes("somedir/temporary.txt"));
        assert!(!i.excludes("a/b/temporary.txt"));
    }

    #[test]
    fn exceptions_bring_back_and_the_last_match_wins() {
        let i = ignore("*.md\n!README*.md\nREADME-secret.md\n");
        assert!(i.excludes("CHANGES.md"));
        assert!(!i.excludes("README.md"));
        assert!(i.excludes("README-secret.md"));
        assert!(i.has_exceptions());
        let dir = ignore("docs\n!docs/keep.txt\n");
        assert!(dir.excludes("docs"));
        assert!(dir.excludes("docs/other.txt"));
        assert!(!dir.excludes("docs/keep.txt"));
    }

    #[test]
    fn a_pattern_is_cleaned_like_a_path() {
        for p in ["/secret", "./secret", "secret/", "a/../secret", "//secret"] {
            let i = ignore(p);
            assert!(i.excludes("secret"), "{p}");
            assert!(i.excludes("secret/key"), "{p}");
            assert!(!i.excludes("x/secret"), "{p}");
        }
        assert_eq!(ignore(" # c\n\n  a/b/  \n! c ").patterns(), ["a/b", "!c"]);
    }

    #[test]
    fn classes_single_characters_and_escapes() {
        let i = ignore("file[0-9].txt\nx?y\n\\*star\n[^a]z\n");
        assert!(i.excludes("file3.txt"));
        assert!(!i.excludes("filea.txt"));
        assert!(i.excludes("x_y"));
        assert!(!i.excludes("x/y"));
        assert!(i.excludes("*star"));
        assert!(!i.excludes("astar"));
        assert!(i.excludes("bz"));
        assert!(!i.excludes("az"));
    }

    #[test]
    fn a_bad_line_is_named() {
        let e = Ignore::parse("ok\n[unclosed\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert_eq!(e.pattern, "[unclosed");
        assert_eq!(Ignore::parse("!\n").unwrap_err().line, 1);
    }

    #[test]
    fn the_dockerfile_is_kept_even_when_ignored() {
        let mut i = ignore("*\n");
        i.keep("Dockerfile");
        i.keep(".dockerignore");
        assert!(!i.excludes("Dockerfile"));
        assert!(!i.excludes(".dockerignore"));
        assert!(i.excludes("app.py"));
    }
}
