//! Evidence screenshots written to files: from the console (`F2`, `:snap`) and headless
//! (`estiba snap`), through the pure `app::snap` that says which cells and how.

use crate::app::snap::{Source, default_name, picture, saved_message};
use crate::app::state::{Pane, State};
use crate::command::{Snap, SnapWhat};
use crate::config::SnapSettings;
use crate::export;
use crate::ui::{self, theme::Theme};
use ratatui::layout::Rect;
use std::path::PathBuf;

/// Saves a snapshot as the console and `estiba snap` do: into the evidence folder under a free
/// name, or into `--out`. Returns the files written.
pub fn save(
    state: &State,
    theme: &Theme,
    screen: Rect,
    snap: &Snap,
    source: Source,
    settings: &SnapSettings,
) -> Result<Vec<PathBuf>, export::SnapError> {
    let (buf, look) = picture(
        state, theme, screen, snap.what, source, settings, snap.scale,
    );
    match &snap.out {
        Some(out) => {
            let path = PathBuf::from(out);
            export::write_to(&buf, &look, &path)?;
            Ok(vec![path])
        }
        None => {
            let name = snap
                .name
                .clone()
                .unwrap_or_else(|| default_name(state, snap.what));
            export::save(&buf, &look, &settings.dir, &name, &settings.formats)
        }
    }
}

/// Saves what is on screen now (the palette that asked for it already closed) and says where.
pub fn now(state: &mut State, theme: &Theme, screen: Rect, snap: &Snap, settings: &SnapSettings) {
    let started = std::time::Instant::now();
    match save(state, theme, screen, snap, Source::Screen, settings) {
        Ok(files) => {
            tracing::info!(files = ?files, ms = started.elapsed().as_millis() as u64, "snapshot saved");
            state.toast(saved_message(&files), false);
        }
        Err(e) => state.toast(e.to_string(), true),
    }
}

/// `estiba snap`: connects, waits for the listings (and a moment of logs), draws off-screen at
/// `--size` (120x40 by default) and saves. Nothing is shown on the terminal.
pub async fn headless(
    backend: crate::backend::Backend,
    snap: &Snap,
    settings: &SnapSettings,
    theme: &Theme,
) -> Result<Vec<PathBuf>, export::SnapError> {
    use crate::backend::{Event, Op};
    use std::time::Duration;
    use tokio::sync::mpsc;
    let (cols, rows) = snap.size.unwrap_or((120, 40));
    let now = crate::time::now();
    let mut state = State::new(&backend.endpoint(), backend.is_demo(), 1000, now);
    // On the command line there is no focus: the whole screen unless a pane is named.
    let what = match snap.what {
        SnapWhat::Focused => SnapWhat::Screen,
        w => w,
    };
    if let SnapWhat::Pane(p) = what {
        state.focus = p;
    }
    let (op_tx, op_rx) = mpsc::channel::<Op>(16);
    let (ev_tx, mut ev_rx) = mpsc::channel::<Event>(256);
    // Read-only: a snapshot never changes the cluster.
    let driver = tokio::spawn(crate::backend::drive(backend, true, op_rx, ev_tx));
    let until = |secs: u64| tokio::time::Instant::now() + Duration::from_secs(secs);
    let deadline = until(10);
    while !state.cluster.loaded.all() {
        match tokio::time::timeout_at(deadline, ev_rx.recv()).await {
            Ok(Some(ev)) => state.apply_event(ev),
            _ => break,
        }
    }
    // The logs of the first service, when they are to be seen.
    let logs_shown = match what {
        SnapWhat::Pane(p) => p == Pane::Logs,
        _ => ui::regions(&state, Rect::new(0, 0, cols, rows))
            .panes
            .iter()
            .any(|(p, _)| *p == Pane::Logs),
    };
    if logs_shown && let Some(first) = state.cluster.workloads.first().map(|w| w.name.clone()) {
        let cmd = crate::command::Command::Logs {
            target: first,
            req: crate::command::LogRequest {
                follow: true,
                ..Default::default()
            },
        };
        let focus = state.focus;
        for fx in crate::app::input::apply(&mut state, cmd) {
            if let crate::app::input::Effect::Op(op) = fx {
                let _ = op_tx.send(op).await;
            }
        }
        state.focus = focus;
        let logs_deadline = until(2);
        while let Ok(Some(ev)) = tokio::time::timeout_at(logs_deadline, ev_rx.recv()).await {
            state.apply_event(ev);
        }
    }
    // The use of what is on screen, as the console shows it: one batch, or word that there is none.
    let screen = Rect::new(0, 0, cols, rows);
    let wanted = match what {
        SnapWhat::Pane(p) => ui::panes::stats_wanted_in(&state, &[(p, screen)]),
        _ => ui::panes::stats_wanted(&state, screen),
    };
    if settings.stats && !wanted.is_empty() {
        let _ = op_tx.send(Op::Stats(wanted)).await;
        let stats_deadline = until(6);
        while let Ok(Some(ev)) = tokio::time::timeout_at(stats_deadline, ev_rx.recv()).await {
            let done = matches!(ev, Event::Stats(_) | Event::StatsUnavailable(_));
            state.apply_event(ev);
            if done {
                break;
            }
        }
    }
    driver.abort();
    state.toast = None;
    let snap = Snap {
        what,
        ..snap.clone()
    };
    save(
        &state,
        theme,
        Rect::new(0, 0, cols, rows),
        &snap,
        Source::Alone,
        settings,
    )
}
