//! Evidence from the console's state: which pane, the lab step, the default name and the
//! message once saved. Drawing and saving them is the runtime's (`runtime::snap`).

use super::state::{Pane, State};
use crate::command::SnapWhat;
use std::path::PathBuf;

/// The pane a snapshot shows; `None` for the screen.
pub fn pane_of(state: &State, what: SnapWhat) -> Option<Pane> {
    match what {
        SnapWhat::Focused => Some(state.focus),
        SnapWhat::Screen => None,
        SnapWhat::Pane(p) => Some(p),
    }
}

/// The name used when none is given: the lab step's (`7-escalar-backend`), else pane and time.
pub fn default_name(state: &State, what: SnapWhat) -> String {
    if let Some(step) = lab_step(state) {
        return step;
    }
    let what = match pane_of(state, what) {
        Some(p) => state.pane_title(p).to_lowercase(),
        None => crate::tr!("snap.screen").to_lowercase(),
    };
    crate::sanitize::safe_name(&format!("{what}-{}", crate::time::local_file_stamp()))
}

/// The lab step a picture is of: the one being saved, else the one shown.
pub fn lab_step(state: &State) -> Option<String> {
    let l = state.lab.as_ref()?;
    l.snapping
        .clone()
        .or_else(|| l.lab.steps.get(l.step).map(|s| s.name.clone()))
}

/// "Saved evidencias/7-escalar-backend.png (+ txt)".
pub fn saved_message(files: &[PathBuf]) -> String {
    let Some(first) = files.first() else {
        return String::new();
    };
    let others: Vec<String> = files[1..]
        .iter()
        .filter_map(|p| p.extension().map(|e| e.to_string_lossy().to_string()))
        .collect();
    let more = if others.is_empty() {
        String::new()
    } else {
        format!(" (+ {})", others.join(", "))
    };
    crate::tr!("snap.saved", file = first.display(), more = more)
}
