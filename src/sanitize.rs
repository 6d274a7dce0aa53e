//! Every string that comes from a cluster passes through here before it can reach the terminal.
//!
//! Escape sequences (CSI, OSC, DCS, ...) are removed whole; other control characters become
//! `U+FFFD`, except tab, which becomes spaces. The result is safe to draw and to print.

/// Removes escape sequences and control characters from `input`.
pub fn clean(input: &str) -> String {
    if input
        .chars()
        .all(|c| !c.is_control() && c != '\u{7f}' && !is_c1(c))
    {
        return input.to_string();
    }
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            '\u{9b}' => skip_csi_body(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string_body(&mut chars),
            '\t' => out.push_str("    "),
            c if c.is_control() || is_c1(c) => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Like [`clean`], for text that is shown on one line: line breaks become spaces too.
pub fn one_line(input: &str) -> String {
    clean(&input.replace(['\n', '\r'], " ")).trim().to_string()
}

/// An error and its causes on one line ("connect: invalid peer certificate: UnknownIssuer"):
/// clients such as hyper say only "client error (Connect)" at the top, and the cause that tells
/// the user what to fix is further down. A cause already said by the text before is skipped.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = words_of(e);
    let mut next = e.source();
    while let Some(cause) = next {
        let said = words_of(cause);
        if !said.is_empty() && !out.contains(&said) {
            out.push_str(": ");
            out.push_str(&said);
        }
        next = cause.source();
    }
    out
}

/// One error's own words; an error of the operating system (refused, not found, denied...) in
/// the user's language.
fn words_of(e: &(dyn std::error::Error + 'static)) -> String {
    match e.downcast_ref::<std::io::Error>() {
        Some(io) if io.raw_os_error().is_some() => crate::i18n::os_error(io),
        _ => one_line(&e.to_string()),
    }
}

fn is_c1(c: char) -> bool {
    ('\u{80}'..='\u{9f}').contains(&c)
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

fn skip_escape(chars: &mut Chars<'_>) {
    match chars.next() {
        Some('[') => skip_csi_body(chars),
        Some(']') | Some('P') | Some('X') | Some('^') | Some('_') => skip_string_body(chars),
        // Two- and three-byte sequences: ESC ( B, ESC # 8, ESC = ...
        Some('(') | Some(')') | Some('*') | Some('+') | Some('#') | Some('%') => {
            chars.next();
        }
        _ => {}
    }
}

fn skip_csi_body(chars: &mut Chars<'_>) {
    // Parameters and intermediates, then one final byte in 0x40..=0x7e.
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            break;
        }
    }
}

fn skip_string_body(chars: &mut Chars<'_>) {
    // Ends at BEL, ST (ESC \) or the 8-bit ST.
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

/// A name that is safe as a file name on every system: no path separators or characters Windows
/// refuses, no leading dots; accents and ñ are kept.
pub fn safe_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars() {
        let unsafe_char = c.is_control()
            || c.is_whitespace()
            || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|');
        let c = if unsafe_char { '-' } else { c };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    let out: String = out
        .trim_start_matches(['.', '-'])
        .trim_end_matches(['.', '-'])
        .chars()
        .take(100)
        .collect();
    if out.is_empty() {
        "evidencia".into()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);
    impl std::fmt::Display for Layer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }
    impl std::error::Error for Layer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|l| l as _)
        }
    }

    #[test]
    fn an_error_is_said_with_its_causes_once_each() {
        let e = Layer(
            "client error (Connect)",
            Some(Box::new(Layer(
                "Connect",
                Some(Box::new(Layer(
                    "invalid peer certificate: UnknownIssuer",
                    Some(Box::new(Layer("UnknownIssuer\n", None))),
                ))),
            ))),
        );
        assert_eq!(
            super::error_chain(&e),
            "client error (Connect): invalid peer certificate: UnknownIssuer"
        );
    }

    use super::*;

    #[test]
    fn plain_text_is_untouched() {
        assert_eq!(clean("gopenux_backend ñandú ✓"), "gopenux_backend ñandú ✓");
    }

    #[test]
    fn csi_and_osc_sequences_are_removed() {
        assert_eq!(clean("\u{1b}[31mred\u{1b}[0m"), "red");
        assert_eq!(clean("a\u{1b}]0;pwned title\u{7}b"), "ab");
        assert_eq!(clean("a\u{1b}]52;c;ZXZpbA==\u{1b}\\b"), "ab");
        assert_eq!(clean("x\u{1b}[2J\u{1b}[Hy"), "xy");
        assert_eq!(clean("x\u{9b}31my"), "xy");
    }

    #[test]
    fn control_characters_are_replaced() {
        assert_eq!(clean("a\u{7}b\u{8}c"), "a\u{fffd}b\u{fffd}c");
        assert_eq!(clean("a\tb"), "a    b");
        assert_eq!(clean("a\rb"), "a\u{fffd}b");
        assert_eq!(one_line(" a\r\nb "), "a  b");
    }

    #[test]
    fn an_unterminated_sequence_swallows_only_itself() {
        assert_eq!(clean("ok\u{1b}[31"), "ok");
        assert_eq!(clean("ok\u{1b}"), "ok");
    }
}
