//! The YAML editor: a compose file open full screen (ratatui-textarea), saved with Ctrl-S, then
//! checked, previewed and deployed on y. Errors are shown at their line.

use ratatui_textarea::{CursorMove, TextArea};
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Editor {
    pub path: PathBuf,
    pub stack: String,
    pub area: TextArea<'static>,
    /// The text as last saved, to tell whether there are unsaved changes.
    pub saved: Vec<String>,
    /// Typing a search (Ctrl-F) rather than text.
    pub searching: Option<String>,
    /// The error of the last check: 1-based line, and the message.
    pub error: Option<(usize, String)>,
    /// A live Kubernetes object (`deploy/web`) rather than a file: saving previews the
    /// server's dry run, then puts it back.
    pub object: Option<String>,
}

/// Editors compare by what they hold (the widget itself has no equality).
impl PartialEq for Editor {
    fn eq(&self, o: &Editor) -> bool {
        self.path == o.path
            && self.stack == o.stack
            && self.area.lines() == o.area.lines()
            && (self.area.cursor().0, self.area.cursor().1)
                == (o.area.cursor().0, o.area.cursor().1)
            && self.searching == o.searching
            && self.error == o.error
            && self.object == o.object
    }
}

impl Editor {
    pub fn new(path: PathBuf, stack: String, text: &str) -> Editor {
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        let mut area = TextArea::new(if lines.is_empty() {
            vec![String::new()]
        } else {
            lines.clone()
        });
        area.set_tab_length(2);
        area.set_line_number_style(
            ratatui::style::Style::default().add_modifier(ratatui::style::Modifier::DIM),
        );
        Editor {
            path,
            stack,
            area,
            saved: lines,
            searching: None,
            error: None,
            object: None,
        }
    }

    /// A Kubernetes object's YAML, as the server gave it, to edit.
    pub fn object(target: &str, text: &str) -> Editor {
        Editor {
            object: Some(target.to_string()),
            ..Editor::new(PathBuf::from(target), String::new(), text)
        }
    }

    pub fn text(&self) -> String {
        let mut t = self.area.lines().join("\n");
        t.push('\n');
        t
    }

    pub fn dirty(&self) -> bool {
        self.area.lines() != self.saved.as_slice()
    }

    /// Puts the cursor on a 1-based line, and remembers the error to show there.
    pub fn show_error(&mut self, line: usize, message: String) {
        let row = line
            .saturating_sub(1)
            .min(self.area.lines().len().saturating_sub(1));
        self.area.move_cursor(CursorMove::Jump(row as u16, 0));
        self.error = Some((line, message));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_mark_the_file_unsaved_and_errors_move_the_cursor() {
        let mut e = Editor::new(
            "s.yml".into(),
            "s".into(),
            "services:\n  web:\n    image: a\n",
        );
        assert!(!e.dirty());
        e.area.insert_str("x");
        assert!(e.dirty());
        e.show_error(3, "bad".into());
        assert_eq!(e.area.cursor().0, 2);
        assert_eq!(e.text().lines().count(), 3);
    }
}
