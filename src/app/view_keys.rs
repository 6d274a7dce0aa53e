//! Keys on a view in the services pane's place (networks, volumes, secrets, configs, events).

use super::act::{PAGE, prefill};
use super::effect::Effect;
use super::keymap::KeyAction;
use super::state::{Pane, State};

/// Keys on a view in the services pane's place: move, inspect a row (`y`, Enter), Esc back
/// to the services; the services' own actions do not apply. `None`: as on any pane.
pub(super) fn key(s: &mut State, a: KeyAction) -> Option<Vec<Effect>> {
    let filter = s.view(Pane::Services).filter.clone();
    let kube = s.is_kube();
    let v = s.slot.as_mut()?;
    let delta = match a {
        KeyAction::Up => -1,
        KeyAction::Down => 1,
        KeyAction::PageUp => -PAGE,
        KeyAction::PageDown => PAGE,
        KeyAction::Home => isize::MIN / 2,
        KeyAction::End => isize::MAX / 2,
        KeyAction::Clear if filter.is_empty() => return Some(super::commands::close_view(s)),
        KeyAction::Copy => return Some(super::copy::copy_selected(s, Pane::Services)),
        KeyAction::Inspect | KeyAction::Open => {
            let Some(row) = v.selected_row(&filter) else {
                return Some(vec![]);
            };
            // A view's row is its object; an event's row names the object it is about.
            let (kind, name) = match v.kind.object_kind(kube) {
                _ if v.resource.is_some() => (
                    crate::model::inspect::Kind::Object,
                    v.object_name(&filter).unwrap_or_default(),
                ),
                Some(k) => (k, row[0].clone()),
                None => {
                    let kind = row
                        .get(1)
                        .and_then(|k| crate::model::events::inspect_kind(k));
                    match (kind, row.get(3)) {
                        (Some(k), Some(n)) if !n.is_empty() => (k, n.clone()),
                        _ => return Some(vec![]),
                    }
                }
            };
            return Some(super::commands::apply(
                s,
                crate::command::Command::Inspect {
                    kind: Some(kind),
                    name,
                    show_secrets: false,
                    out: None,
                },
            ));
        }
        // `F` on a Service (or a pod of a kind's view): the forward, its first port written.
        KeyAction::Prefill(super::keymap::Prefill::Forward) if kube => {
            let row = v.selected_row(&filter).unwrap_or_default();
            let object = match (v.kind, v.resource.as_deref()) {
                (crate::model::listing::ViewKind::Networks, _) => Some("svc"),
                (_, Some("svc" | "service" | "services")) => Some("svc"),
                (_, Some("po" | "pod" | "pods")) => Some("pod"),
                _ => None,
            };
            if let (Some(object), Some(name)) = (object, row.first()) {
                // The ports column: `8000:30080/TCP,...`; the first port.
                let port = row
                    .iter()
                    .find(|c| c.contains("/TCP") || c.contains("/UDP"))
                    .and_then(|c| c.split([':', '/', ',']).next())
                    .unwrap_or("");
                prefill(s, format!("pf {object}/{name} {port}"), vec![]);
            }
            return Some(vec![]);
        }
        KeyAction::Prefill(super::keymap::Prefill::Remove) => {
            if v.resource.is_some()
                && let Some(name) = v.object_name(&filter)
            {
                prefill(s, format!("delete {name}"), vec![]);
            } else if let (Some(kind), Some(name)) =
                (v.kind.object_kind(kube), v.selected_name(&filter))
            {
                // Kubernetes objects go as kubectl has them: `delete KIND/NAME`.
                let text = if kube {
                    format!("delete {}/{name}", kind.word())
                } else {
                    format!("{} rm {name}", kind.word())
                };
                prefill(s, text, vec![]);
            }
            return Some(vec![]);
        }
        // `e` on a kind's row edits the live object, as in k9s.
        KeyAction::Edit if v.resource.is_some() => {
            let Some(target) = v.object_name(&filter) else {
                return Some(vec![]);
            };
            let edit = crate::command::Command::Edit {
                target,
                stack: None,
            };
            return Some(super::commands::apply(s, edit));
        }
        KeyAction::Sort(reverse) => {
            let n = v.listing.as_ref().map_or(0, |l| l.columns.len());
            v.sort = super::sort::cycle(v.sort, n, reverse);
            return Some(vec![]);
        }
        KeyAction::Prefill(_) | KeyAction::ToggleFinished => return Some(vec![]),
        _ => return None,
    };
    v.move_by(delta, &filter);
    Some(vec![])
}
