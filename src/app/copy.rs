//! `Y`: copy to the terminal's clipboard with OSC 52, which works through SSH and tmux (as k9s
//! does): the selected row's name, its ID at a second `Y` on the same row, or in the inspect
//! window its whole text.

use super::effect::Effect;
use super::state::{Pane, State};

/// The selected row of a pane: (name, ID); a view's row has its name only.
fn selected(s: &State, pane: Pane) -> Option<(String, String)> {
    if pane == Pane::Services
        && let Some(v) = &s.slot
    {
        let filter = &s.view(Pane::Services).filter;
        let name = v.object_name(filter).or_else(|| v.selected_name(filter))?;
        return Some((name.clone(), name));
    }
    match pane {
        Pane::Services => s.current_workload().map(|w| (w.name.clone(), w.id.clone())),
        Pane::Tasks => s
            .selected_instance()
            .map(|i| (i.name.clone(), i.id.clone())),
        Pane::Nodes => s
            .selected_node()
            .map(|n| (n.hostname.clone(), n.id.clone())),
        Pane::Images => {
            let sel = s.view(Pane::Images).selected;
            s.visible_images()
                .get(sel)
                .map(|i| (i.reference(), i.id.clone()))
        }
        Pane::Logs => None,
    }
}

/// `Y` on a pane: the name, or the ID when the name of this row was the last thing copied.
pub(super) fn copy_selected(s: &mut State, pane: Pane) -> Vec<Effect> {
    let Some((name, id)) = selected(s, pane) else {
        s.toast(crate::tr!("copy.nothing"), true);
        return vec![];
    };
    let again = s
        .copied
        .as_ref()
        .is_some_and(|(n, i)| *n == name && *i == id);
    let text = if again && id != name {
        id.clone()
    } else {
        name.clone()
    };
    s.copied = if again { None } else { Some((name, id)) };
    copy(s, text)
}

/// Copies `text`, saying so.
pub(super) fn copy(s: &mut State, text: String) -> Vec<Effect> {
    let shown = match text.lines().count() {
        0 | 1 => text.clone(),
        n => crate::tr!("copy.lines", lines = n),
    };
    s.toast(crate::tr!("copy.done", what = shown), false);
    vec![Effect::Copy(text)]
}

/// The bytes that ask the terminal to put `text` on its clipboard: OSC 52 (`c`, the clipboard),
/// base64. Inside tmux the same sequence goes too wrapped for tmux to pass it on (with
/// `allow-passthrough`); tmux's own `set-clipboard` takes the plain one.
pub fn osc52(text: &str, in_tmux: bool) -> String {
    let plain = format!("\u{1b}]52;c;{}\u{7}", base64(text.as_bytes()));
    if in_tmux {
        let wrapped = format!(
            "\u{1b}Ptmux;{}\u{1b}\\",
            plain.replace('\u{1b}', "\u{1b}\u{1b}")
        );
        format!("{plain}{wrapped}")
    } else {
        plain
    }
}

fn base64(data: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sequence_is_osc_52_with_base64() {
        assert_eq!(
            osc52("gopenux_backend", false),
            "\u{1b}]52;c;Z29wZW51eF9iYWNrZW5k\u{7}"
        );
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"a"), "YQ==");
        assert_eq!(base64("ñ".as_bytes()), "w7E=");
        let t = osc52("x", true);
        assert!(
            t.starts_with("\u{1b}]52;c;eA==\u{7}\u{1b}Ptmux;\u{1b}\u{1b}]52;c;eA==\u{7}"),
            "{t:?}"
        );
    }
}
