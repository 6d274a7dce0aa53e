//! The editor's Ctrl-S, carried out: a stack file written, checked (an error at its line) and
//! its deploy previewed; a live Kubernetes object checked and its server-side dry run shown.

use crate::app::input::{self, Effect};
use crate::app::state::State;
use crate::backend;
use tokio::sync::mpsc;

/// Saves what the editor holds and previews what it would change.
pub(super) async fn save(state: &mut State, ops: &mpsc::Sender<backend::Op>) {
    let Some(ed) = state.editor.as_mut() else {
        return;
    };
    if ed.object.is_none()
        && let Err(e) = std::fs::write(&ed.path, ed.text())
    {
        ed.error = Some((0, e.to_string()));
        return;
    }
    if let Some(target) = ed.object.clone() {
        return save_object(state, target, ops).await;
    }
    ed.saved = ed.area.lines().to_vec();
    // Check before anything else: an error is shown at its line and nothing is deployed.
    let (path, stack) = (ed.path.clone(), ed.stack.clone());
    let demo = state.cluster.demo;
    match crate::stack::load(std::slice::from_ref(&path), &stack, &|k| {
        crate::backend::demo::variable_for(demo, k)
    }) {
        Err(e) => ed.show_error(e.line, e.to_string()),
        Ok(_) => {
            let deploy = crate::model::action::Action::Deploy {
                files: vec![path.display().to_string()],
                stack,
                prune: false,
                detach: false,
                resolve: Default::default(),
                timeout: crate::model::action::DEPLOY_TIMEOUT_SECS,
            };
            for fx in input::apply(state, crate::command::Command::Act(deploy)) {
                if let Effect::Op(op) = fx {
                    let _ = ops.send(op).await;
                }
            }
        }
    }
}

/// An edited Kubernetes object: its YAML checked (an error at its line), then the server's dry
/// run shown and, on y, the object put back.
async fn save_object(state: &mut State, target: String, ops: &mpsc::Sender<backend::Op>) {
    let Some(ed) = state.editor.as_mut() else {
        return;
    };
    let yaml = ed.text();
    if let Err(e) = serde_norway::from_str::<serde_json::Value>(&yaml) {
        let line = e.location().map(|l| l.line()).unwrap_or(0);
        ed.show_error(line, e.to_string());
        return;
    }
    ed.saved = ed.area.lines().to_vec();
    let edit = crate::model::action::Action::KubeEdit {
        target,
        yaml,
        dry_run: false,
    };
    for fx in input::apply(state, crate::command::Command::Act(edit)) {
        if let Effect::Op(op) = fx {
            let _ = ops.send(op).await;
        }
    }
}
