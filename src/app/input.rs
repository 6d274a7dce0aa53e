//! Keys and commands become state changes and effects. Pure: no I/O here; the event loop carries
//! out the effects.

use super::act::PAGE;
pub use super::act::{LOG_TAIL, follow, follow_with, prefill, start};
pub use super::effect::Effect;
use super::keymap::{self, KeyAction};
use super::state::{Input, Overlay, Palette, Pane, State};
use crate::command::Command;
use crate::model::LogTarget;
use crate::tr;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub fn handle_key(s: &mut State, key: KeyEvent) -> Vec<Effect> {
    if key.kind == crossterm::event::KeyEventKind::Release {
        return vec![];
    }
    if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
        s.quit = true;
        return vec![];
    }
    if s.editor.is_some() && matches!(s.input, Input::Normal) && s.overlay == Overlay::None {
        return editor_key(s, key);
    }
    match s.input.clone() {
        Input::Palette(p) => return palette_key(s, p, key),
        Input::Filter | Input::Search | Input::LogFilter => return find_key(s, key),
        Input::Confirm(action) => {
            s.input = Input::Normal;
            if matches!(s.overlay, Overlay::Text { .. }) {
                s.overlay = Overlay::None;
            }
            // y, or s for "sí".
            if matches!(key.code, KeyCode::Char('y' | 'Y' | 's' | 'S')) {
                return start(s, action);
            }
            s.toast(tr!("toast.cancelled"), false);
            return vec![];
        }
        Input::Normal => {}
    }
    // Evidence works over overlays too: what is on screen is what is saved.
    if keymap::action(&key, s.focus) == Some(KeyAction::Snap) {
        return act(s, KeyAction::Snap);
    }
    if let Overlay::Labels { node_id, selected } = s.overlay.clone() {
        return labels_key(s, &node_id, selected, key);
    }
    if let Overlay::Build(form) = &mut s.overlay {
        if key.code == KeyCode::Esc {
            s.overlay = Overlay::None;
            return vec![];
        }
        return match form.key(key) {
            Some(spec) => {
                s.overlay = Overlay::None;
                super::commands::apply(s, Command::Act(crate::model::action::Action::Build(spec)))
            }
            None => vec![],
        };
    }
    if let Overlay::Certs(form) = &mut s.overlay {
        if key.code == KeyCode::Esc {
            s.overlay = Overlay::None;
            return vec![];
        }
        return match form.key(key) {
            Some(req) => vec![Effect::Certs(crate::command::CertsCommand::Make {
                req,
                bare: false,
            })],
            None => vec![],
        };
    }
    if let Overlay::Inspect(w) = &mut s.overlay {
        use crate::app::inspect::WindowKey;
        match w.key(key) {
            WindowKey::Stay => {}
            WindowKey::Copy => {
                let text = w.text();
                return super::copy::copy(s, text);
            }
            // Back to the window this one was opened from, if any.
            WindowKey::Close => {
                s.overlay = match w.back.take() {
                    Some(prev) => Overlay::Inspect(prev),
                    None => Overlay::None,
                }
            }
            WindowKey::Open(kind, name) => {
                let effects = super::commands::apply(
                    s,
                    crate::command::Command::Inspect {
                        kind: Some(kind),
                        name,
                        show_secrets: false,
                        out: None,
                    },
                );
                // The window it opens from, to come back to.
                if let Overlay::Inspect(w) = std::mem::replace(&mut s.overlay, Overlay::None) {
                    s.inspect_back = Some(w);
                }
                return effects;
            }
        }
        return vec![];
    }
    if s.overlay != Overlay::None {
        overlay_key(s, key);
        return vec![];
    }
    match keymap::action(&key, s.focus) {
        Some(a) => act(s, a),
        None => vec![],
    }
}

fn act(s: &mut State, a: KeyAction) -> Vec<Effect> {
    let pane = s.focus;
    if pane == Pane::Services
        && s.slot.is_some()
        && let Some(fx) = super::view_keys::key(s, a)
    {
        return fx;
    }
    match a {
        KeyAction::Quit => s.quit = true,
        KeyAction::FocusNext | KeyAction::FocusPrev => {
            let i = Pane::ALL.iter().position(|p| *p == pane).unwrap_or(0);
            let n = Pane::ALL.len();
            s.focus = Pane::ALL[if a == KeyAction::FocusNext {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            }];
        }
        KeyAction::Focus(p) => s.focus = p,
        KeyAction::Up => s.move_selection(pane, -1),
        KeyAction::Down => s.move_selection(pane, 1),
        KeyAction::PageUp => s.move_selection(pane, -PAGE),
        KeyAction::PageDown => s.move_selection(pane, PAGE),
        KeyAction::Home => s.move_selection(pane, isize::MIN / 2),
        KeyAction::End => s.move_selection(pane, isize::MAX / 2),
        KeyAction::Open => return open(s),
        KeyAction::Inspect => return super::open::open_selected(s, pane),
        KeyAction::Copy => return super::copy::copy_selected(s, pane),
        KeyAction::Find => {
            if pane == Pane::Logs {
                s.input = Input::Search;
            } else {
                s.input = Input::Filter;
            }
        }
        KeyAction::LogFilter => s.input = Input::LogFilter,
        // On Kubernetes, `e` on a workload edits it live (a StatefulSet or DaemonSet by its kind).
        KeyAction::Edit => {
            if let Some(w) = s.current_workload().filter(|_| s.is_kube()) {
                let kind = match w.update.as_ref().map(|u| u.state.as_str()) {
                    Some(k @ ("statefulset" | "daemonset")) => k.to_string(),
                    _ => "deployment".to_string(),
                };
                let target = format!("{kind}/{}", w.name);
                let edit = crate::command::Command::Edit {
                    target,
                    stack: None,
                };
                return super::commands::apply(s, edit);
            }
        }
        KeyAction::Sort(reverse) => super::sorted::next(s, pane, reverse),
        KeyAction::Exec
        | KeyAction::LabStep(_)
        | KeyAction::LabCheck
        | KeyAction::View(_)
        | KeyAction::Events
        | KeyAction::Snap => return command_key(s, a),
        KeyAction::Mouse => {
            s.mouse = !s.mouse;
            s.toast(
                if s.mouse {
                    tr!("mouse.on")
                } else {
                    tr!("mouse.off")
                },
                false,
            );
            return vec![Effect::Mouse(s.mouse)];
        }
        // Esc stops a build under way first (the engine stops it and tags nothing).
        KeyAction::Clear
            if let Some(id) = s
                .running
                .iter()
                .rev()
                .find(|(_, (a, _))| matches!(a, crate::model::action::Action::Build(_)))
                .map(|(id, _)| *id) =>
        {
            return vec![Effect::Op(crate::backend::Op::Cancel(id))];
        }
        KeyAction::Clear => {
            if pane == Pane::Logs {
                s.logs.search.clear();
                s.logs.set_filter("");
            } else {
                s.view_mut(pane).filter.clear();
                s.reselect(pane);
            }
        }
        KeyAction::Palette => s.input = Input::Palette(Palette::default()),
        KeyAction::Help => {
            s.overlay = Overlay::Help {
                pane,
                only: None,
                scroll: 0,
            }
        }
        KeyAction::ToggleFinished => {
            s.show_finished = !s.show_finished;
            s.reselect(Pane::Tasks);
        }
        KeyAction::ToggleTimestamps => s.logs.timestamps = !s.logs.timestamps,
        KeyAction::ToggleWrap => s.logs.wrap = !s.logs.wrap,
        KeyAction::NextMatch => jump_to_match(s, true),
        KeyAction::Prefill(what) => prefill_for(s, what),
        KeyAction::History => s.overlay = Overlay::History { scroll: 0 },
        KeyAction::PrevMatch => jump_to_match(s, false),
    }
    vec![]
}

/// The keys that run a command of the grammar: a shell, a lab step, a view, the events, a
/// picture.
fn command_key(s: &mut State, a: KeyAction) -> Vec<Effect> {
    match a {
        KeyAction::Exec => {
            return super::commands::apply(
                s,
                crate::command::Command::Exec {
                    target: None,
                    container: None,
                    cmd: vec![],
                },
            );
        }
        KeyAction::LabStep(next) => {
            let cmd = if next {
                crate::command::LabCommand::Next
            } else {
                crate::command::LabCommand::Prev
            };
            return super::commands::apply(s, crate::command::Command::Lab(cmd));
        }
        KeyAction::LabCheck => {
            if s.lab.is_none() {
                s.toast(tr!("lab.none_open"), true);
                return vec![];
            }
            return super::commands::apply(
                s,
                crate::command::Command::Lab(crate::command::LabCommand::Check(None)),
            );
        }
        KeyAction::View(kind) => {
            return super::commands::apply(s, crate::command::Command::View(kind));
        }
        KeyAction::Events => {
            return super::commands::apply(
                s,
                crate::command::Command::Events {
                    since: crate::model::events::Since::Ago(600),
                    follow: true,
                },
            );
        }
        KeyAction::Snap => {
            let snap = crate::command::Snap {
                what: crate::command::SnapWhat::Focused,
                name: None,
                out: None,
                size: None,
                scale: None,
            };
            // In a lab the step names the picture; otherwise the user sees and may edit a name.
            if s.lab.is_some() {
                return vec![Effect::Snap(snap)];
            }
            let name = super::snap::default_name(s, snap.what);
            prefill(s, format!("snap pane {name}"), vec![]);
        }
        _ => {}
    }
    vec![]
}

/// Enter: on a service, its tasks and logs; on a task, its logs.
fn open(s: &mut State) -> Vec<Effect> {
    let target = match s.focus {
        Pane::Services => s.current_workload().map(|w| {
            (
                LogTarget::Workload {
                    id: w.id.clone(),
                    name: w.name.clone(),
                },
                Pane::Tasks,
            )
        }),
        Pane::Tasks => s.selected_instance().map(|i| {
            (
                LogTarget::Instance {
                    id: i.id.clone(),
                    name: i.name.clone(),
                },
                Pane::Logs,
            )
        }),
        _ => None,
    };
    match target {
        Some((t, next)) => {
            s.focus = next;
            follow(s, t)
        }
        None => vec![],
    }
}

/// Keys in the editor: Ctrl-S saves (then checks and previews), Ctrl-F searches, F3 finds the
/// next match, Esc closes (Ctrl-Q discards unsaved changes); the rest edits.
fn editor_key(s: &mut State, key: KeyEvent) -> Vec<Effect> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let Some(ed) = s.editor.as_mut() else {
        return vec![];
    };
    if let Some(query) = ed.searching.as_mut() {
        match key.code {
            KeyCode::Esc => ed.searching = None,
            KeyCode::Enter => {
                let q = std::mem::take(query);
                ed.searching = None;
                if ed.area.set_search_pattern(regex_escape(&q)).is_ok()
                    && !ed.area.search_forward(true)
                {
                    s.toast(tr!("editor.not_found", text = q), true);
                }
            }
            KeyCode::Backspace => {
                query.pop();
            }
            KeyCode::Char(c) if !ctrl => query.push(c),
            _ => {}
        }
        return vec![];
    }
    match key.code {
        KeyCode::Char('s') if ctrl => return vec![Effect::SaveEditor],
        KeyCode::Char('f') if ctrl => ed.searching = Some(String::new()),
        KeyCode::F(3) => {
            ed.area.search_forward(false);
        }
        KeyCode::Char('q') if ctrl => s.editor = None,
        KeyCode::Esc if !ed.dirty() => s.editor = None,
        KeyCode::Esc => s.toast(tr!("editor.unsaved"), true),
        _ => {
            ed.area.input(key);
            ed.error = None;
        }
    }
    vec![]
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if "\\.+*?()|[]{}^$".contains(c) {
                vec!['\\', c]
            } else {
                vec![c]
            }
        })
        .collect()
}

/// Scrolls or closes whatever overlay is open.
fn overlay_key(s: &mut State, key: KeyEvent) {
    let delta: isize = match key.code {
        KeyCode::Down | KeyCode::Char('j') => 1,
        KeyCode::Up | KeyCode::Char('k') => -1,
        KeyCode::PageDown => 10,
        KeyCode::PageUp => -10,
        KeyCode::Esc | KeyCode::Char('?' | 'q') | KeyCode::Enter => {
            s.overlay = Overlay::None;
            return;
        }
        _ => return,
    };
    let bump = |v: &mut usize| *v = (*v as isize + delta).max(0) as usize;
    match &mut s.overlay {
        Overlay::Help { scroll, .. }
        | Overlay::History { scroll }
        | Overlay::LabCheck { scroll } => bump(scroll),
        Overlay::Text { .. }
        | Overlay::Labels { .. }
        | Overlay::Certs(_)
        | Overlay::Build(_)
        | Overlay::Inspect(_)
        | Overlay::None => {}
    }
}

/// The label editor: j/k move, a adds, Enter changes the selected label, d removes it, Esc closes.
/// Adding and changing go through the palette, so the user sees the `label` command they run.
fn labels_key(s: &mut State, node_id: &str, selected: usize, key: KeyEvent) -> Vec<Effect> {
    let Some(node) = s.cluster.nodes.iter().find(|n| n.id == node_id).cloned() else {
        s.overlay = Overlay::None;
        return vec![];
    };
    let keys: Vec<&String> = node.labels.keys().collect();
    let current = keys
        .get(selected.min(keys.len().saturating_sub(1)))
        .map(|k| (k.to_string(), node.labels[*k].clone()));
    let host = node.hostname.clone();
    match key.code {
        KeyCode::Esc | KeyCode::Char('q' | 'l') => s.overlay = Overlay::None,
        KeyCode::Down | KeyCode::Char('j') => {
            s.overlay = Overlay::Labels {
                node_id: node_id.to_string(),
                selected: (selected + 1).min(keys.len().saturating_sub(1)),
            };
        }
        KeyCode::Up | KeyCode::Char('k') => {
            s.overlay = Overlay::Labels {
                node_id: node_id.to_string(),
                selected: selected.saturating_sub(1),
            };
        }
        KeyCode::Char('a') => prefill(s, format!("label {host} "), vec![]),
        KeyCode::Enter | KeyCode::Char('e') => {
            if let Some((k, v)) = current {
                prefill(s, format!("label {host} {k}={v}"), vec![]);
            }
        }
        KeyCode::Char('d') | KeyCode::Delete => {
            if let Some((k, _)) = current {
                return apply(
                    s,
                    Command::Act(crate::model::action::Action::Unlabel {
                        node: host,
                        keys: vec![k],
                    }),
                );
            }
        }
        _ => {}
    }
    vec![]
}

/// `n` goes to the next older match, `N` to the next newer one.
fn jump_to_match(s: &mut State, older: bool) {
    let needle = s.logs.search.to_lowercase();
    if needle.is_empty() || s.logs.lines.is_empty() {
        return;
    }
    // Among the lines shown (the filter's, when there is one).
    let shown = s.logs.visible();
    let len = shown.len();
    if len == 0 {
        return;
    }
    let bottom = len - 1 - s.logs.scroll.min(len - 1);
    let hit = |k: &usize| {
        s.logs.lines[shown[*k]]
            .text
            .to_lowercase()
            .contains(&needle)
    };
    let found = if older {
        (0..bottom).rev().find(hit)
    } else {
        (bottom + 1..len).find(hit)
    };
    if let Some(k) = found {
        s.logs.scroll = len - 1 - k;
    }
}

/// A key typed on the bottom line: edits `text`; Esc clears it and Enter keeps it, both ending
/// the typing. `false`: a key the line does not take.
fn edit_line(text: &mut String, input: &mut Input, key: KeyEvent) -> bool {
    match key.code {
        KeyCode::Esc => {
            text.clear();
            *input = Input::Normal;
        }
        KeyCode::Enter => *input = Input::Normal,
        KeyCode::Backspace => {
            text.pop();
        }
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => text.push(c),
        _ => return false,
    }
    true
}

fn find_key(s: &mut State, key: KeyEvent) -> Vec<Effect> {
    if s.input == Input::LogFilter {
        let mut text = s.logs.filter.text.clone();
        if edit_line(&mut text, &mut s.input, key) {
            s.logs.set_filter(&text);
        }
        return vec![];
    }
    let pane = s.focus;
    let searching = s.input == Input::Search;
    let mut input = s.input.clone();
    let text = if searching {
        &mut s.logs.search
    } else {
        &mut s.view_mut(pane).filter
    };
    if !edit_line(text, &mut input, key) {
        return vec![];
    }
    s.input = input;
    if searching {
        if !s.logs.search.is_empty() && key.code != KeyCode::Enter {
            s.logs.scroll = 0;
            let needle = s.logs.search.to_lowercase();
            if !s
                .logs
                .lines
                .back()
                .is_some_and(|l| l.text.to_lowercase().contains(&needle))
            {
                jump_to_match(s, true);
            }
        }
    } else {
        s.reselect(pane);
    }
    vec![]
}

pub use super::commands::{apply, describe};
use super::palette::*;

mod prefill;
use prefill::prefill_for;

#[cfg(test)]
mod tests;
