//! The inspect window's state: an object as YAML lines, scrolled and searched with the keys a
//! pager has (`/`, `n`, `N`), and a file to write it to when `:inspect … --out F` asked.

use crossterm::event::{KeyCode, KeyEvent};

pub use crate::output::yaml;

#[derive(Debug, Clone, PartialEq)]
pub struct InspectWindow {
    pub title: String,
    pub lines: Vec<String>,
    /// The first line shown.
    pub scroll: usize,
    /// What `/` looks for (case-insensitive), once Enter was pressed.
    pub search: Option<String>,
    /// The search being typed after `/`.
    pub typing: Option<String>,
    /// A file to write the text to; the runtime writes it and clears this.
    pub save_to: Option<String>,
    /// Said at the bottom: no match, or where the text was written.
    pub note: Option<String>,
    /// Lines shown at once, as last drawn (for PgUp/PgDn and keeping a match in view).
    pub height: usize,
    /// What the object uses, opened with 1…9.
    pub links: Vec<(crate::model::inspect::Kind, String)>,
    /// The window this one was opened from, shown again on Esc.
    pub back: Option<Box<InspectWindow>>,
}

/// What a key did to the window.
#[derive(Debug, PartialEq, Eq)]
pub enum WindowKey {
    Stay,
    Close,
    /// `Y`: its text to the terminal's clipboard.
    Copy,
    /// Open what the object uses (a service's network, secret, config).
    Open(crate::model::inspect::Kind, String),
}

impl InspectWindow {
    pub fn new(title: String, text: &str, save_to: Option<String>) -> InspectWindow {
        InspectWindow {
            title,
            lines: text.lines().map(str::to_string).collect(),
            scroll: 0,
            search: None,
            typing: None,
            save_to,
            note: None,
            height: 20,
            links: vec![],
            back: None,
        }
    }

    pub fn text(&self) -> String {
        let mut t = self.lines.join("\n");
        t.push('\n');
        t
    }

    fn last_top(&self) -> usize {
        self.lines.len().saturating_sub(self.height.max(1))
    }

    fn scroll_by(&mut self, delta: isize) {
        let top = (self.scroll as isize + delta).max(0) as usize;
        self.scroll = top.min(self.last_top());
    }

    /// The lines that hold the search, by index.
    pub fn matches(&self) -> Vec<usize> {
        let Some(q) = self.search.as_ref().map(|q| q.to_lowercase()) else {
            return vec![];
        };
        if q.is_empty() {
            return vec![];
        }
        self.lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.to_lowercase().contains(&q))
            .map(|(i, _)| i)
            .collect()
    }

    /// Brings the next match after (or before) the top line to the top.
    fn jump(&mut self, forward: bool, from_here: bool) {
        let m = self.matches();
        let found = if forward {
            let start = if from_here {
                self.scroll
            } else {
                self.scroll + 1
            };
            m.iter()
                .copied()
                .find(|&i| i >= start)
                .or(m.first().copied())
        } else {
            m.iter()
                .rev()
                .copied()
                .find(|&i| i < self.scroll)
                .or(m.last().copied())
        };
        match found {
            Some(i) => {
                self.scroll = i;
                self.note = None;
            }
            None => {
                self.note = Some(crate::tr!(
                    "inspect.no_match",
                    text = self.search.clone().unwrap_or_default()
                ))
            }
        }
    }

    pub fn key(&mut self, key: KeyEvent) -> WindowKey {
        if let Some(t) = &mut self.typing {
            match key.code {
                KeyCode::Esc => self.typing = None,
                KeyCode::Enter => {
                    self.search = self.typing.take();
                    self.jump(true, true);
                }
                KeyCode::Backspace => {
                    t.pop();
                }
                KeyCode::Char(c) => t.push(c),
                _ => {}
            }
            return WindowKey::Stay;
        }
        let page = self.height.max(2) as isize - 1;
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') => return WindowKey::Close,
            KeyCode::Down | KeyCode::Char('j') => self.scroll_by(1),
            KeyCode::Up | KeyCode::Char('k') => self.scroll_by(-1),
            KeyCode::PageDown | KeyCode::Char(' ') => self.scroll_by(page),
            KeyCode::PageUp => self.scroll_by(-page),
            KeyCode::Home | KeyCode::Char('g') => self.scroll = 0,
            KeyCode::End | KeyCode::Char('G') => self.scroll = self.last_top(),
            KeyCode::Char('/') => self.typing = Some(String::new()),
            KeyCode::Char('Y') => return WindowKey::Copy,
            KeyCode::Char('n') => self.jump(true, false),
            KeyCode::Char('N') => self.jump(false, false),
            KeyCode::Char(c @ '1'..='9') => {
                let i = (c as usize) - ('1' as usize);
                if let Some((k, n)) = self.links.get(i) {
                    return WindowKey::Open(*k, n.clone());
                }
            }
            _ => {}
        }
        WindowKey::Stay
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    fn k(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    fn window() -> InspectWindow {
        let text: String = (0..50).map(|i| format!("line{i}: v\n")).collect();
        let mut w = InspectWindow::new("t".into(), &text, None);
        w.height = 10;
        w
    }

    #[test]
    fn scrolls_within_the_text() {
        let mut w = window();
        w.key(k(KeyCode::Up));
        assert_eq!(w.scroll, 0);
        w.key(k(KeyCode::PageDown));
        assert_eq!(w.scroll, 9);
        w.key(k(KeyCode::End));
        assert_eq!(w.scroll, 40);
        w.key(k(KeyCode::Down));
        assert_eq!(w.scroll, 40, "not past the end");
        assert_eq!(w.key(k(KeyCode::Esc)), WindowKey::Close);
    }

    #[test]
    fn searches_forward_and_back_and_says_when_nothing_matches() {
        let mut w = window();
        for c in "/LINE3".chars() {
            w.key(k(KeyCode::Char(c)));
        }
        w.key(k(KeyCode::Enter));
        assert_eq!(w.scroll, 3, "the first match, case-insensitive");
        w.key(k(KeyCode::Char('n')));
        assert_eq!(w.scroll, 30);
        w.key(k(KeyCode::Char('n')));
        assert_eq!(w.scroll, 31);
        w.key(k(KeyCode::Char('N')));
        assert_eq!(w.scroll, 30);
        w.key(k(KeyCode::Char('/')));
        for c in "zzz".chars() {
            w.key(k(KeyCode::Char(c)));
        }
        w.key(k(KeyCode::Enter));
        assert!(w.note.as_deref().is_some_and(|n| n.contains("zzz")));
        assert_eq!(w.scroll, 30, "stays where it was");
    }
}
