//! The logs pane's filter: only the lines that match are shown (plain text, case-insensitive,
//! or a regular expression after `re:`), apart from search, which highlights and jumps. And the
//! pane's lines as text, for `:logs save FILE`.

use crate::model::{LogLine, LogTarget};
use std::collections::VecDeque;

#[derive(Debug, Clone)]
enum Matcher {
    All,
    /// Lowercased.
    Plain(String),
    Regex(regex::Regex),
    /// A `re:` that does not compile: nothing is filtered, and the prompt says why.
    Bad(String),
}

/// What the user typed, and the matcher made from it once.
#[derive(Debug, Clone)]
pub struct LogFilter {
    pub text: String,
    matcher: Matcher,
}

impl PartialEq for LogFilter {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Default for LogFilter {
    fn default() -> Self {
        LogFilter::new("")
    }
}

/// Why a regular expression does not compile, in the user's language: the common mistakes by
/// the catalog, the rest in the regex crate's words after a localized lead.
fn regex_words(e: &regex::Error) -> String {
    let said = e.to_string();
    let last = said.lines().last().unwrap_or_default().trim();
    let last = last.strip_prefix("error: ").unwrap_or(last);
    let key = match last {
        "unclosed group" => "regex.unclosed_group",
        "unopened group" => "regex.unopened_group",
        "unclosed character class" => "regex.unclosed_class",
        "repetition operator missing expression" => "regex.repetition",
        "incomplete escape sequence, reached end of pattern prematurely" => "regex.escape_end",
        _ if last.starts_with("unrecognized escape sequence") => "regex.escape",
        _ if matches!(e, regex::Error::CompiledTooBig(_)) => "regex.too_big",
        _ => return crate::tr!("regex.invalid", detail = last),
    };
    crate::i18n::text(key).to_string()
}

impl LogFilter {
    pub fn new(text: &str) -> LogFilter {
        let matcher = if text.is_empty() {
            Matcher::All
        } else if let Some(re) = text.strip_prefix("re:") {
            match regex::RegexBuilder::new(re).size_limit(1 << 20).build() {
                Ok(r) => Matcher::Regex(r),
                Err(e) => Matcher::Bad(regex_words(&e)),
            }
        } else {
            Matcher::Plain(text.to_lowercase())
        };
        LogFilter {
            text: text.to_string(),
            matcher,
        }
    }

    /// Whether it filters at all.
    pub fn is_active(&self) -> bool {
        matches!(self.matcher, Matcher::Plain(_) | Matcher::Regex(_))
    }

    /// Why the regular expression does not compile.
    pub fn error(&self) -> Option<&str> {
        match &self.matcher {
            Matcher::Bad(e) => Some(e),
            _ => None,
        }
    }

    pub fn matches(&self, l: &LogLine) -> bool {
        match &self.matcher {
            Matcher::All | Matcher::Bad(_) => true,
            Matcher::Plain(p) => {
                l.text.to_lowercase().contains(p.as_str())
                    || l.source.to_lowercase().contains(p.as_str())
            }
            Matcher::Regex(r) => r.is_match(&l.text) || r.is_match(&l.source),
        }
    }
}

/// The logs pane: what it follows, the lines kept, scroll, search and filter.
#[derive(Debug, Clone, PartialEq)]
pub struct LogView {
    pub target: Option<LogTarget>,
    pub generation: u64,
    pub lines: VecDeque<LogLine>,
    pub capacity: usize,
    /// Lines scrolled up from the bottom; 0 follows new lines.
    pub scroll: usize,
    pub search: String,
    /// Only the lines that match are shown.
    pub filter: LogFilter,
    pub timestamps: bool,
    pub wrap: bool,
    /// The logs ended (with the error that ended them, if any).
    pub ended: Option<Option<crate::backend::Error>>,
}

impl LogView {
    pub fn new(capacity: usize) -> LogView {
        LogView {
            target: None,
            generation: 0,
            lines: VecDeque::new(),
            capacity: capacity.max(1),
            scroll: 0,
            search: String::new(),
            filter: Default::default(),
            timestamps: false,
            wrap: false,
            ended: None,
        }
    }

    pub fn push(&mut self, lines: Vec<LogLine>) {
        let added = lines.iter().filter(|l| self.filter.matches(l)).count();
        for l in lines {
            if self.lines.len() == self.capacity {
                self.lines.pop_front();
            }
            self.lines.push_back(l);
        }
        // Scrolled up: stay on the same lines while new ones arrive below.
        if self.scroll > 0 {
            self.scroll = (self.scroll + added).min(self.lines.len().saturating_sub(1));
        }
    }

    pub fn following(&self) -> bool {
        self.scroll == 0
    }
}

impl LogView {
    /// Positions in `lines` of the lines shown, oldest first.
    pub fn visible(&self) -> Vec<usize> {
        (0..self.lines.len())
            .filter(|&i| self.filter.matches(&self.lines[i]))
            .collect()
    }

    /// Filters by `text` from now on; the view follows the bottom again.
    pub fn set_filter(&mut self, text: &str) {
        if text != self.filter.text {
            self.filter = LogFilter::new(text);
            self.scroll = 0;
        }
    }

    /// What the pane holds (filtered, when it is), one line each as `docker service logs`
    /// prints them, without colours; with timestamps when the pane shows them.
    pub fn as_text(&self) -> String {
        let mut out = String::new();
        for i in self.visible() {
            let l = &self.lines[i];
            if self.timestamps
                && let Some(ts) = l.ts
            {
                out.push_str(&crate::time::format_utc(ts));
                out.push(' ');
            }
            out.push_str(&l.source);
            out.push_str("    | ");
            out.push_str(&l.text);
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_regular_expression_is_said_in_the_users_words() {
        for (re, key) in [
            ("(a", "regex.unclosed_group"),
            ("a)", "regex.unopened_group"),
            ("[a", "regex.unclosed_class"),
            ("*a", "regex.repetition"),
            ("a\\", "regex.escape_end"),
            ("\\q", "regex.escape"),
        ] {
            let f = LogFilter::new(&format!("re:{re}"));
            assert_eq!(f.error(), Some(crate::i18n::text(key)), "{re}");
        }
    }
    use crate::app::state::LogView;
    use crate::model::Stream;

    fn line(source: &str, text: &str) -> LogLine {
        LogLine {
            source: source.into(),
            stream: Stream::Stdout,
            ts: Some(1_764_700_000),
            ts_nanos: 0,
            text: text.into(),
        }
    }

    #[test]
    fn plain_is_case_insensitive_regex_after_re_and_a_bad_one_says_why() {
        let l = line("web.1@n1", "GET /api/users 200");
        assert!(LogFilter::new("api/USERS").matches(&l));
        assert!(LogFilter::new("web.1").matches(&l), "the source counts too");
        assert!(!LogFilter::new("POST").matches(&l));
        assert!(LogFilter::new(r"re:\s2\d\d$").matches(&l));
        assert!(!LogFilter::new(r"re:\s5\d\d$").matches(&l));
        let bad = LogFilter::new("re:(unclosed");
        assert!(bad.error().is_some() && !bad.is_active() && bad.matches(&l));
    }

    #[test]
    fn the_pane_scrolls_among_the_lines_it_shows_and_saves_them() {
        let mut v = LogView::new(100);
        v.push(vec![
            line("a.1", "ok one"),
            line("a.1", "ERROR two"),
            line("a.2", "ok three"),
            line("a.2", "error four"),
        ]);
        v.set_filter("error");
        assert_eq!(v.visible(), [1, 3]);
        v.scroll = 1;
        // Scrolled up, a new matching line keeps the view where it was; others do not count.
        v.push(vec![line("a.1", "ok five"), line("a.1", "error six")]);
        assert_eq!(v.scroll, 2);
        assert_eq!(
            v.as_text(),
            "a.1    | ERROR two\na.2    | error four\na.1    | error six\n"
        );
        v.set_filter("");
        assert_eq!(v.as_text().lines().count(), 6);
    }

    #[test]
    fn the_palette_asks_for_a_window_and_f_filters_as_typed() {
        use crate::app::input::{Effect, apply, handle_key};
        use crate::backend::Op;
        use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        let now = 1_000_000;
        let mut s = crate::app::state::State::new("demo", true, 100, now);
        for ev in crate::backend::demo::Demo::at(now).events() {
            s.apply_event(ev);
        }
        let cmd =
            crate::command::parse(&["logs", "gopenux_backend", "--since", "10m", "--until", "5m"])
                .unwrap();
        let fx = apply(&mut s, cmd);
        let Some(Effect::Op(Op::FollowLogs { opts, .. })) = fx.first() else {
            panic!("{fx:?}")
        };
        assert_eq!((opts.since, opts.until), (Some(now - 600), Some(now - 300)));
        assert!(!opts.follow, "a window with an end is not followed");
        s.logs
            .push(vec![line("a.1", "GET /health"), line("a.1", "POST /users")]);
        s.focus = crate::app::state::Pane::Logs;
        let key = |c| KeyEvent::new(c, KeyModifiers::NONE);
        handle_key(&mut s, key(KeyCode::Char('f')));
        for c in "post".chars() {
            handle_key(&mut s, key(KeyCode::Char(c)));
        }
        assert_eq!(s.logs.visible(), [1]);
        handle_key(&mut s, key(KeyCode::Enter));
        assert_eq!(s.logs.filter.text, "post", "Enter keeps it");
        handle_key(&mut s, key(KeyCode::Char('f')));
        handle_key(&mut s, key(KeyCode::Esc));
        assert_eq!(s.logs.visible(), [0, 1], "Esc clears it");
    }
}
