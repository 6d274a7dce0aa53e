//! The small moves every handler shares: start an action, open the palette with a command
//! written, follow a target's logs.

use super::effect::Effect;
use super::state::{Input, State};
use crate::backend::Op;
use crate::model::LogTarget;
use crate::tr;

/// Rows a page key moves.
pub const PAGE: isize = 10;
/// Lines of history asked for when logs start.
pub const LOG_TAIL: usize = 500;

/// Sends an action to the backend and remembers it as under way.
pub fn start(s: &mut State, action: crate::model::action::Action) -> Vec<Effect> {
    let id = s.next_action;
    s.next_action += 1;
    s.running.insert(
        id,
        (
            action.clone(),
            tr!("progress.started", command = action.cli(s.is_kube())),
        ),
    );
    vec![Effect::Op(Op::Act { id, action })]
}

/// The palette, opened with a command already written (what a key like `s` does).
pub fn prefill(s: &mut State, text: String, candidates: Vec<String>) {
    s.input = Input::Palette(super::state::Palette {
        text,
        offered: !candidates.is_empty(),
        candidates,
        ..Default::default()
    });
}

/// Starts following a target's logs: a new generation, so lines of the old one are dropped.
pub fn follow(s: &mut State, target: LogTarget) -> Vec<Effect> {
    // A workload's logs: every pod and every container, each line with its source.
    let opts = crate::model::LogOptions {
        tail: LOG_TAIL.min(s.logs.capacity),
        follow: true,
        all_containers: matches!(target, LogTarget::Workload { .. }),
        ..Default::default()
    };
    follow_with(s, target, opts)
}

/// Starts showing a target's logs as asked (`:logs web --since 10m --until 5m`).
pub fn follow_with(
    s: &mut State,
    target: LogTarget,
    opts: crate::model::LogOptions,
) -> Vec<Effect> {
    s.logs.generation += 1;
    s.logs.lines.clear();
    s.logs.scroll = 0;
    s.logs.ended = None;
    s.logs.target = Some(target.clone());
    vec![Effect::Op(Op::FollowLogs {
        target,
        opts,
        generation: s.logs.generation,
    })]
}
