//! The keymap: a table from keys to actions, per pane. The help overlay is generated from it, so
//! what `?` shows is what the keys do.

use super::state::Pane;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAction {
    Quit,
    FocusNext,
    FocusPrev,
    Focus(Pane),
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    /// Enter: a service's tasks and logs; a task's logs.
    Open,
    /// `/`: filter a list, search the logs.
    Find,
    /// Esc: clear the filter or search, close what is open.
    Clear,
    Palette,
    Help,
    ToggleFinished,
    ToggleTimestamps,
    ToggleWrap,
    NextMatch,
    PrevMatch,
    /// The palette with a command for the selected row written out.
    Prefill(Prefill),
    History,
    /// F2: save the focused pane as evidence.
    Snap,
    /// `y`: the selected row's object as YAML (k9s users press `y`).
    Inspect,
    /// `Y`: the selected row's name (again: its ID) to the terminal's clipboard.
    Copy,
    /// `E`: the cluster's events, live.
    Events,
    /// `W` `V` `S` `C`: networks, volumes, secrets, configs in the services' place.
    View(crate::model::listing::ViewKind),
    /// `e` on a task: a shell in its container.
    Exec,
    /// `e` on a Kubernetes kind's row: the live object in the editor.
    Edit,
    /// `M`: the mouse on or off.
    Mouse,
    /// `o` / `O`: sort the list by the next column / the other way.
    Sort(bool),
    /// `f` in the logs: keep only the lines that match.
    LogFilter,
    /// `]` `[`: the lab's next or previous step.
    LabStep(bool),
    /// `c`: check the lab's steps now, and show them.
    LabCheck,
}

/// Which command a key writes into the palette for the selected row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefill {
    Scale,
    Image,
    Restart,
    Rollback,
    Tag,
    Push,
    Rmi,
    Label,
    Unlabel,
    Drain,
    Activate,
    SwarmInit,
    /// In a view: remove the selected network, volume, secret or config.
    Remove,
    /// A plain container (the Tasks pane on an engine without swarm): `container VERB NAME`.
    Container(crate::model::compose::ContainerVerb),
    /// A compose service's whole project: `compose ... up -d` / `compose -p P down`.
    ComposeUp,
    ComposeDown,
    /// `B` on the images: the last build run from this folder (or a first one), to edit and run.
    Build,
    /// `F` on a pod or a Kubernetes Service: `pf pod/NAME PORT`.
    Forward,
}

pub struct Binding {
    pub keys: &'static str,
    pub key: fn(&KeyEvent) -> bool,
    pub action: KeyAction,
    /// The panes it applies to; empty means every pane.
    pub panes: &'static [Pane],
    /// Catalog key of its description in the help overlay.
    pub help: &'static str,
}

fn ch(e: &KeyEvent, c: char) -> bool {
    e.code == KeyCode::Char(c)
        && !e.modifiers.contains(KeyModifiers::CONTROL)
        && !e.modifiers.contains(KeyModifiers::ALT)
}

pub const BINDINGS: &[Binding] = &[
    Binding {
        keys: "q, Ctrl-C",
        key: |e| {
            ch(e, 'q')
                || (e.code == KeyCode::Char('c') && e.modifiers.contains(KeyModifiers::CONTROL))
        },
        action: KeyAction::Quit,
        panes: &[],
        help: "key.quit",
    },
    Binding {
        keys: "Tab",
        key: |e| e.code == KeyCode::Tab,
        action: KeyAction::FocusNext,
        panes: &[],
        help: "key.focus_next",
    },
    Binding {
        keys: "Shift-Tab",
        key: |e| e.code == KeyCode::BackTab,
        action: KeyAction::FocusPrev,
        panes: &[],
        help: "key.focus_prev",
    },
    Binding {
        keys: "1",
        key: |e| ch(e, '1'),
        action: KeyAction::Focus(Pane::Nodes),
        panes: &[],
        help: "key.focus_nodes",
    },
    Binding {
        keys: "2",
        key: |e| ch(e, '2'),
        action: KeyAction::Focus(Pane::Services),
        panes: &[],
        help: "key.focus_services",
    },
    Binding {
        keys: "3",
        key: |e| ch(e, '3'),
        action: KeyAction::Focus(Pane::Tasks),
        panes: &[],
        help: "key.focus_tasks",
    },
    Binding {
        keys: "4",
        key: |e| ch(e, '4'),
        action: KeyAction::Focus(Pane::Images),
        panes: &[],
        help: "key.focus_images",
    },
    Binding {
        keys: "5",
        key: |e| ch(e, '5'),
        action: KeyAction::Focus(Pane::Logs),
        panes: &[],
        help: "key.focus_logs",
    },
    Binding {
        keys: "k, ↑",
        key: |e| ch(e, 'k') || e.code == KeyCode::Up,
        action: KeyAction::Up,
        panes: &[],
        help: "key.up",
    },
    Binding {
        keys: "j, ↓",
        key: |e| ch(e, 'j') || e.code == KeyCode::Down,
        action: KeyAction::Down,
        panes: &[],
        help: "key.down",
    },
    Binding {
        keys: "PgUp",
        key: |e| e.code == KeyCode::PageUp,
        action: KeyAction::PageUp,
        panes: &[],
        help: "key.page_up",
    },
    Binding {
        keys: "PgDn",
        key: |e| e.code == KeyCode::PageDown,
        action: KeyAction::PageDown,
        panes: &[],
        help: "key.page_down",
    },
    Binding {
        keys: "Home, g",
        key: |e| e.code == KeyCode::Home || ch(e, 'g'),
        action: KeyAction::Home,
        panes: &[],
        help: "key.home",
    },
    Binding {
        keys: "End, G",
        key: |e| e.code == KeyCode::End || ch(e, 'G'),
        action: KeyAction::End,
        panes: &[],
        help: "key.end",
    },
    Binding {
        keys: "Enter",
        key: |e| e.code == KeyCode::Enter,
        action: KeyAction::Open,
        panes: &[Pane::Services],
        help: "key.open_service",
    },
    Binding {
        keys: "Enter",
        key: |e| e.code == KeyCode::Enter,
        action: KeyAction::Open,
        panes: &[Pane::Tasks],
        help: "key.open_task",
    },
    Binding {
        keys: "E",
        key: |e| ch(e, 'E'),
        action: KeyAction::Events,
        panes: &[],
        help: "key.events",
    },
    Binding {
        keys: "W",
        key: |e| ch(e, 'W'),
        action: KeyAction::View(crate::model::listing::ViewKind::Networks),
        panes: &[],
        help: "key.view_networks",
    },
    Binding {
        keys: "V",
        key: |e| ch(e, 'V'),
        action: KeyAction::View(crate::model::listing::ViewKind::Volumes),
        panes: &[],
        help: "key.view_volumes",
    },
    Binding {
        keys: "S",
        key: |e| ch(e, 'S'),
        action: KeyAction::View(crate::model::listing::ViewKind::Secrets),
        panes: &[],
        help: "key.view_secrets",
    },
    Binding {
        keys: "C",
        key: |e| ch(e, 'C'),
        action: KeyAction::View(crate::model::listing::ViewKind::Configs),
        panes: &[],
        help: "key.view_configs",
    },
    Binding {
        keys: "y",
        key: |e| ch(e, 'y'),
        action: KeyAction::Inspect,
        panes: &[Pane::Nodes, Pane::Services, Pane::Tasks, Pane::Images],
        help: "key.inspect",
    },
    Binding {
        keys: "/",
        key: |e| ch(e, '/'),
        action: KeyAction::Find,
        panes: &[Pane::Nodes, Pane::Services, Pane::Tasks, Pane::Images],
        help: "key.filter",
    },
    Binding {
        keys: "/",
        key: |e| ch(e, '/'),
        action: KeyAction::Find,
        panes: &[Pane::Logs],
        help: "key.search",
    },
    Binding {
        keys: "n",
        key: |e| ch(e, 'n'),
        action: KeyAction::NextMatch,
        panes: &[Pane::Logs],
        help: "key.next_match",
    },
    Binding {
        keys: "N",
        key: |e| ch(e, 'N'),
        action: KeyAction::PrevMatch,
        panes: &[Pane::Logs],
        help: "key.prev_match",
    },
    Binding {
        keys: "Esc",
        key: |e| e.code == KeyCode::Esc,
        action: KeyAction::Clear,
        panes: &[],
        help: "key.clear",
    },
    Binding {
        keys: "a",
        key: |e| ch(e, 'a'),
        action: KeyAction::ToggleFinished,
        panes: &[Pane::Tasks],
        help: "key.toggle_finished",
    },
    Binding {
        keys: "t",
        key: |e| ch(e, 't'),
        action: KeyAction::ToggleTimestamps,
        panes: &[Pane::Logs],
        help: "key.timestamps",
    },
    Binding {
        keys: "w",
        key: |e| ch(e, 'w'),
        action: KeyAction::ToggleWrap,
        panes: &[Pane::Logs],
        help: "key.wrap",
    },
    Binding {
        keys: ":",
        key: |e| ch(e, ':'),
        action: KeyAction::Palette,
        panes: &[],
        help: "key.palette",
    },
    Binding {
        keys: "?",
        key: |e| ch(e, '?'),
        action: KeyAction::Help,
        panes: &[],
        help: "key.help",
    },
    Binding {
        keys: "s",
        key: |e| ch(e, 's'),
        action: KeyAction::Prefill(Prefill::Scale),
        panes: &[Pane::Services],
        help: "key.scale",
    },
    Binding {
        keys: "i",
        key: |e| ch(e, 'i'),
        action: KeyAction::Prefill(Prefill::Image),
        panes: &[Pane::Services],
        help: "key.image",
    },
    Binding {
        keys: "r",
        key: |e| ch(e, 'r'),
        action: KeyAction::Prefill(Prefill::Restart),
        panes: &[Pane::Services],
        help: "key.restart",
    },
    Binding {
        keys: "b",
        key: |e| ch(e, 'b'),
        action: KeyAction::Prefill(Prefill::Rollback),
        panes: &[Pane::Services],
        help: "key.rollback",
    },
    Binding {
        keys: "t",
        key: |e| ch(e, 't'),
        action: KeyAction::Prefill(Prefill::Tag),
        panes: &[Pane::Images],
        help: "key.tag",
    },
    Binding {
        keys: "p",
        key: |e| ch(e, 'p'),
        action: KeyAction::Prefill(Prefill::Push),
        panes: &[Pane::Images],
        help: "key.push",
    },
    Binding {
        keys: "x, Del",
        key: |e| ch(e, 'x') || e.code == KeyCode::Delete,
        action: KeyAction::Prefill(Prefill::Rmi),
        panes: &[Pane::Images],
        help: "key.rmi",
    },
    Binding {
        keys: "x, Del",
        key: |e| ch(e, 'x') || e.code == KeyCode::Delete,
        action: KeyAction::Prefill(Prefill::Remove),
        panes: &[Pane::Services],
        help: "key.remove_object",
    },
    Binding {
        keys: "l",
        key: |e| ch(e, 'l'),
        action: KeyAction::Prefill(Prefill::Label),
        panes: &[Pane::Nodes],
        help: "key.label",
    },
    Binding {
        keys: "L",
        key: |e| ch(e, 'L'),
        action: KeyAction::Prefill(Prefill::Unlabel),
        panes: &[Pane::Nodes],
        help: "key.unlabel",
    },
    Binding {
        keys: "d",
        key: |e| ch(e, 'd'),
        action: KeyAction::Prefill(Prefill::Drain),
        panes: &[Pane::Nodes],
        help: "key.drain",
    },
    Binding {
        keys: "a",
        key: |e| ch(e, 'a'),
        action: KeyAction::Prefill(Prefill::Activate),
        panes: &[Pane::Nodes],
        help: "key.activate",
    },
    Binding {
        keys: "I",
        key: |e| ch(e, 'I'),
        action: KeyAction::Prefill(Prefill::SwarmInit),
        panes: &[Pane::Nodes],
        help: "key.swarm_init",
    },
    Binding {
        keys: "H",
        key: |e| ch(e, 'H'),
        action: KeyAction::History,
        panes: &[],
        help: "key.history",
    },
    Binding {
        keys: "e",
        key: |e| ch(e, 'e'),
        action: KeyAction::Exec,
        panes: &[Pane::Tasks],
        help: "key.exec",
    },
    Binding {
        keys: "Y",
        key: |e| ch(e, 'Y'),
        action: KeyAction::Copy,
        panes: &[Pane::Nodes, Pane::Services, Pane::Tasks, Pane::Images],
        help: "key.copy",
    },
    Binding {
        keys: "F",
        key: |e| ch(e, 'F'),
        action: KeyAction::Prefill(Prefill::Forward),
        panes: &[Pane::Tasks, Pane::Services],
        help: "key.forward",
    },
    Binding {
        keys: "e",
        key: |e| ch(e, 'e'),
        action: KeyAction::Edit,
        panes: &[Pane::Services],
        help: "key.edit",
    },
    Binding {
        keys: "u",
        key: |e| ch(e, 'u'),
        action: KeyAction::Prefill(Prefill::Container(
            crate::model::compose::ContainerVerb::Start,
        )),
        panes: &[Pane::Tasks],
        help: "key.container_start",
    },
    Binding {
        keys: "T",
        key: |e| ch(e, 'T'),
        action: KeyAction::Prefill(Prefill::Container(
            crate::model::compose::ContainerVerb::Stop,
        )),
        panes: &[Pane::Tasks],
        help: "key.container_stop",
    },
    Binding {
        keys: "r",
        key: |e| ch(e, 'r'),
        action: KeyAction::Prefill(Prefill::Container(
            crate::model::compose::ContainerVerb::Restart,
        )),
        panes: &[Pane::Tasks],
        help: "key.container_restart",
    },
    Binding {
        keys: "K",
        key: |e| ch(e, 'K'),
        action: KeyAction::Prefill(Prefill::Container(
            crate::model::compose::ContainerVerb::Kill,
        )),
        panes: &[Pane::Tasks],
        help: "key.container_kill",
    },
    Binding {
        keys: "x, Del",
        key: |e| ch(e, 'x') || e.code == KeyCode::Delete,
        action: KeyAction::Prefill(Prefill::Container(crate::model::compose::ContainerVerb::Rm)),
        panes: &[Pane::Tasks],
        help: "key.container_rm",
    },
    Binding {
        keys: "B",
        key: |e| ch(e, 'B'),
        action: KeyAction::Prefill(Prefill::Build),
        panes: &[Pane::Images],
        help: "key.build",
    },
    Binding {
        keys: "u",
        key: |e| ch(e, 'u'),
        action: KeyAction::Prefill(Prefill::ComposeUp),
        panes: &[Pane::Services],
        help: "key.compose_up",
    },
    Binding {
        keys: "D",
        key: |e| ch(e, 'D'),
        action: KeyAction::Prefill(Prefill::ComposeDown),
        panes: &[Pane::Services],
        help: "key.compose_down",
    },
    Binding {
        keys: "M",
        key: |e| ch(e, 'M'),
        action: KeyAction::Mouse,
        panes: &[],
        help: "key.mouse",
    },
    Binding {
        keys: "o",
        key: |e| ch(e, 'o'),
        action: KeyAction::Sort(false),
        panes: &[Pane::Nodes, Pane::Services, Pane::Tasks, Pane::Images],
        help: "key.sort",
    },
    Binding {
        keys: "O",
        key: |e| ch(e, 'O'),
        action: KeyAction::Sort(true),
        panes: &[Pane::Nodes, Pane::Services, Pane::Tasks, Pane::Images],
        help: "key.sort_reverse",
    },
    Binding {
        keys: "f",
        key: |e| ch(e, 'f'),
        action: KeyAction::LogFilter,
        panes: &[Pane::Logs],
        help: "key.log_filter",
    },
    Binding {
        keys: "]",
        key: |e| ch(e, ']'),
        action: KeyAction::LabStep(true),
        panes: &[],
        help: "key.lab_next",
    },
    Binding {
        keys: "[",
        key: |e| ch(e, '['),
        action: KeyAction::LabStep(false),
        panes: &[],
        help: "key.lab_prev",
    },
    Binding {
        keys: "c",
        key: |e| ch(e, 'c'),
        action: KeyAction::LabCheck,
        panes: &[],
        help: "key.lab_check",
    },
    Binding {
        keys: "F2",
        key: |e| e.code == KeyCode::F(2),
        action: KeyAction::Snap,
        panes: &[],
        help: "key.snap",
    },
];

/// The action a key has in a pane.
pub fn action(e: &KeyEvent, pane: Pane) -> Option<KeyAction> {
    BINDINGS
        .iter()
        .find(|b| (b.panes.is_empty() || b.panes.contains(&pane)) && (b.key)(e))
        .map(|b| b.action)
}

/// The bindings the help overlay lists for a pane: that pane's own first, then the global ones.
pub fn for_pane(pane: Pane) -> Vec<&'static Binding> {
    let own = BINDINGS.iter().filter(|b| b.panes.contains(&pane));
    let global = BINDINGS.iter().filter(|b| b.panes.is_empty());
    own.chain(global).collect()
}

#[cfg(test)]
mod tests;
