//! What the event loop must do after a key or a command: the console's pure parts return these,
//! `runtime` carries them out.

use crate::backend::Op;
use crate::i18n::Lang;

/// What the event loop must do after a key or command.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Op(Op),
    /// Read a file into the editor.
    OpenEditor {
        path: std::path::PathBuf,
        stack: String,
    },
    /// Write the editor's text, check it, and preview the deploy.
    SaveEditor,
    Theme(String),
    Lang(Lang),
    /// Save an evidence screenshot of what is on screen.
    Snap(crate::command::Snap),
    /// Make certificates (or read one): local files, no cluster.
    Certs(crate::command::CertsCommand),
    /// Hand the terminal to a shell in a container, then take it back.
    Exec(crate::model::ExecRequest),
    /// Put text on the terminal's clipboard (OSC 52).
    Copy(String),
    /// Capture the mouse (or give it back to the terminal).
    Mouse(bool),
    /// Write what the logs pane holds into a file.
    SaveLogs(String),
    /// Write a lab preset's files into a folder.
    LabInit {
        name: String,
        dir: std::path::PathBuf,
    },
    /// Open a lab: the folder's (`None`: the one in this folder) or a preset's; with `check`,
    /// show its steps' checks once open.
    LabOpen {
        name: Option<String>,
        check: bool,
    },
    /// Write the open lab's hand-in (`evidencias/index.html`, `README.md`).
    LabReport {
        student: Option<String>,
    },
}
