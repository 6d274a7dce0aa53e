//! A lab step's evidence: the console turned, for one picture, to the view that proves the
//! step (its pane focused, its object selected, nothing over it), then put back as it was.

use super::state::{Input, Overlay, State};
use crate::lab::EvidenceView;
use crate::model::Pane;

/// What the console showed before, to put back after the picture.
pub struct Kept {
    focus: Pane,
    overlay: Overlay,
    input: Input,
    selected: Vec<(Pane, usize, Option<String>)>,
}

/// The pane a step's evidence names.
pub fn pane(view: &EvidenceView) -> Option<Pane> {
    Some(match view.pane.as_deref()? {
        "nodes" => Pane::Nodes,
        "services" => Pane::Services,
        "tasks" => Pane::Tasks,
        "images" => Pane::Images,
        _ => return None,
    })
}

/// The position of the object `name` among a pane's visible rows.
fn position(s: &State, pane: Pane, name: &str) -> Option<usize> {
    let last = |x: &str| x.rsplit('/').next().unwrap_or(x).to_string();
    match pane {
        Pane::Services => s
            .visible_workloads()
            .iter()
            .position(|w| w.name == name || last(&w.name) == name),
        Pane::Nodes => s.visible_nodes().iter().position(|n| n.hostname == name),
        Pane::Images => s
            .visible_images()
            .iter()
            .position(|i| format!("{}:{}", last(&i.repo), i.tag) == name),
        Pane::Tasks => s
            .visible_instances()
            .iter()
            .position(|i| i.name.starts_with(name)),
        Pane::Logs => None,
    }
}

/// Turns the console to the step's view; returns what to put back.
pub fn show(s: &mut State, view: &EvidenceView) -> Kept {
    let panes = [Pane::Nodes, Pane::Services, Pane::Tasks, Pane::Images];
    let kept = Kept {
        focus: s.focus,
        overlay: std::mem::replace(&mut s.overlay, Overlay::None),
        input: std::mem::replace(&mut s.input, Input::Normal),
        selected: panes
            .iter()
            .map(|&p| (p, s.view(p).selected, s.view(p).selected_id.clone()))
            .collect(),
    };
    if let Some(p) = pane(view) {
        s.focus = p;
        // A workload's pods or tasks: the workload selected, its rows shown.
        let p = if p == Pane::Tasks { Pane::Services } else { p };
        if let Some(i) = view.select.as_deref().and_then(|n| position(s, p, n)) {
            let ids = s.visible_ids(p);
            let v = s.view_mut(p);
            v.selected = i;
            v.selected_id = ids.get(i).cloned();
            if p == Pane::Services {
                s.reselect(Pane::Tasks);
            }
        }
    }
    kept
}

/// Puts the console back as it was before the picture.
pub fn restore(s: &mut State, kept: Kept) {
    s.focus = kept.focus;
    s.overlay = kept.overlay;
    s.input = kept.input;
    for (p, selected, id) in kept.selected {
        let v = s.view_mut(p);
        v.selected = selected;
        v.selected_id = id;
    }
}

/// How many lines a pane's rows take now (its picture is cut to them): services grouped by
/// stack take a heading line per stack.
pub fn rows(s: &State, pane: Pane) -> usize {
    let stacks = if pane == Pane::Services {
        let mut names: Vec<&str> = s
            .visible_workloads()
            .iter()
            .filter_map(|w| w.stack.as_deref())
            .collect();
        names.sort_unstable();
        names.dedup();
        names.len()
    } else {
        0
    };
    s.visible_ids(pane).len() + stacks
}
