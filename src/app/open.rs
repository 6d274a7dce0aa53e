//! `y` and Enter on a row: the inspect window on the selected object (asked of the backend).

use super::effect::Effect;
use super::state::{Pane, State};

/// Opens the inspect window on the selected row of a pane.
pub(super) fn open_selected(s: &mut State, pane: Pane) -> Vec<Effect> {
    use crate::model::inspect::Kind;
    let kube = s.is_kube();
    let target = match pane {
        Pane::Services => s.current_workload().map(|w| {
            let kind = if kube {
                Kind::Deployment
            } else {
                Kind::Service
            };
            (kind, w.name.clone())
        }),
        Pane::Tasks => s.selected_instance().map(|i| {
            if kube {
                (Kind::Pod, i.name.clone())
            } else {
                (Kind::Task, i.id.clone())
            }
        }),
        Pane::Nodes => s.selected_node().map(|n| {
            (
                Kind::Node,
                if kube {
                    n.hostname.clone()
                } else {
                    n.id.clone()
                },
            )
        }),
        Pane::Images => {
            let sel = s.view(Pane::Images).selected;
            s.visible_images()
                .get(sel)
                .map(|i| (Kind::Image, i.reference()))
        }
        Pane::Logs => None,
    };
    match target {
        Some((kind, name)) => super::commands::apply(
            s,
            crate::command::Command::Inspect {
                kind: Some(kind),
                name,
                show_secrets: false,
                out: None,
            },
        ),
        None => vec![],
    }
}
