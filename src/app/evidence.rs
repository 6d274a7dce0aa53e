//! A lab step's evidence: the console turned, for one picture, to the view that proves the
//! step (its pane focused, its object selected, nothing over it), then put back as it was.

use super::state::{Input, Overlay, State};
use super::views::SlotView;
use crate::lab::EvidenceView;
use crate::model::Pane;
use crate::model::listing::ViewKind;

/// What the console showed before, to put back after the picture.
pub struct Kept {
    focus: Pane,
    overlay: Overlay,
    input: Input,
    selected: Vec<(Pane, usize, Option<String>)>,
    slot: Option<SlotView>,
}

/// The look-inside view a step's evidence names, as this cluster calls it.
pub fn view_kind(view: &EvidenceView, kube: bool) -> Option<ViewKind> {
    Some(match (view.view.as_deref()?, kube) {
        ("services", true) | ("networks", false) => ViewKind::Networks,
        ("namespaces", true) | ("volumes", false) => ViewKind::Volumes,
        ("secrets", _) => ViewKind::Secrets,
        ("configmaps", true) | ("configs", false) => ViewKind::Configs,
        _ => return None,
    })
}

/// The pane a step's evidence names (a look-inside view stands in the services pane).
pub fn pane(view: &EvidenceView) -> Option<Pane> {
    if view.view.is_some() {
        return Some(Pane::Services);
    }
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
        slot: s.slot.take(),
    };
    if let Some(kind) = view_kind(view, s.is_kube()) {
        s.focus = Pane::Services;
        s.slot = Some(look_inside(
            s,
            kind,
            kept.slot.as_ref(),
            view.select.as_deref(),
        ));
        return kept;
    }
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

/// A look-inside view with the rows the lab's checks saw (or the open view's, of that kind),
/// the object named selected.
fn look_inside(s: &State, kind: ViewKind, open: Option<&SlotView>, name: Option<&str>) -> SlotView {
    let mut v = SlotView::new(kind);
    v.listing = s
        .lab
        .as_ref()
        .and_then(|l| l.probed.as_ref())
        .and_then(|p| p.listing(kind).cloned())
        .or_else(|| {
            open.filter(|o| o.kind == kind)
                .and_then(|o| o.listing.clone())
        });
    if let Some(name) = name {
        let filter = &s.view(Pane::Services).filter;
        if let Some(i) = v.visible(filter).iter().position(|r| names(r, name)) {
            v.selected = i;
        }
    }
    v
}

/// Whether the step's view has the rows that show it: the object named among them, and for
/// a workload's pods or a look-inside view, some rows.
pub fn ready(s: &mut State, view: &EvidenceView) -> bool {
    if view.cert.is_some() || view.file.is_some() {
        return true;
    }
    let Some(p) = pane(view) else {
        return true;
    };
    let kept = show(s, view);
    let ready = match (p, view.select.as_deref()) {
        (Pane::Services, Some(name)) if s.slot.is_some() => s.slot.as_ref().is_some_and(|v| {
            v.visible(&s.view(Pane::Services).filter)
                .iter()
                .any(|r| names(r, name))
        }),
        (Pane::Tasks, _) => rows(s, Pane::Tasks) > 0,
        (p, Some(name)) => position(s, p, name).is_some(),
        (p, None) => rows(s, p) > 0,
    };
    restore(s, kept);
    ready
}

/// Puts the console back as it was before the picture.
pub fn restore(s: &mut State, kept: Kept) {
    s.slot = kept.slot;
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
    if let (Pane::Services, Some(v)) = (pane, &s.slot) {
        return v.visible(&s.view(Pane::Services).filter).len();
    }
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

/// Whether a look-inside row is the object `name` (`ns/name` on every namespace).
fn names(row: &[String], name: &str) -> bool {
    row.first()
        .is_some_and(|n| n == name || n.ends_with(&format!("/{name}")))
}
