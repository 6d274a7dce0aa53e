//! Evidence screenshots written to files: from the console (`F2`, `:snap`) and headless
//! (`estiba snap`), through the pure `app::snap` that says which cells and how.

use crate::app::snap::{default_name, lab_step, pane_of, saved_message};
use crate::app::state::{Overlay, Pane, State};
use crate::command::{Snap, SnapWhat};
use crate::config::SnapSettings;
use crate::export::{self, Look, Palette};
use crate::ui::{self, theme::Theme};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::path::PathBuf;

/// Where a pane's picture comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The cells on screen, as the console shows them (a pane not on screen is drawn alone).
    Screen,
    /// The pane drawn alone over the whole area (`estiba snap --pane`).
    Alone,
    /// The pane drawn alone, as wide as the screen and as tall as its rows (a lab step's
    /// evidence: no empty frame under a few rows).
    Fitted,
}

/// The cells of a snapshot, secrets masked when asked, and how to draw them.
pub fn picture(
    state: &State,
    theme: &Theme,
    screen: Rect,
    what: SnapWhat,
    source: Source,
    settings: &SnapSettings,
    scale: Option<u32>,
) -> (Buffer, Look) {
    // With an overlay or the editor open, the pane alone would cut it: take the screen.
    let covered = state.overlay != Overlay::None || state.editor.is_some();
    let what = match what {
        SnapWhat::Focused if covered && source == Source::Screen => SnapWhat::Screen,
        w => w,
    };
    let pane = pane_of(state, what);
    let mut full = Buffer::empty(screen);
    ui::draw(state, theme, screen, &mut full);
    let on_screen = pane.and_then(|p| {
        ui::regions(state, screen)
            .panes
            .into_iter()
            .find(|(q, _)| *q == p)
            .map(|(_, r)| r)
    });
    let mut buf = match (pane, on_screen, source) {
        (None, _, _) => full,
        (Some(_), Some(rect), Source::Screen) => export::crop(&full, rect),
        (Some(p), _, Source::Fitted) => {
            // Borders, the header and the rows; at least a few lines, at most the screen.
            let rows = crate::app::evidence::rows(state, p) as u16;
            let area = Rect::new(
                0,
                0,
                screen.width,
                (rows + 3).clamp(6, screen.height.max(6)),
            );
            let mut alone = Buffer::empty(area);
            alone.set_style(area, theme.base());
            ui::draw_pane(state, theme, p, area, &mut alone, true);
            alone
        }
        (Some(p), _, _) => {
            let mut alone = Buffer::empty(screen);
            alone.set_style(screen, theme.base());
            ui::draw_pane(state, theme, p, screen, &mut alone, true);
            alone
        }
    };
    if settings.redact {
        export::redact(&mut buf);
    }
    let what_title = match pane {
        Some(p) => state.pane_title(p),
        None => "estiba".to_string(),
    };
    let look = framed(state, theme, &what_title, buf.area.width, settings, scale);
    (buf, look)
}

/// A lab step's evidence that is a file: a certificate's summary (subject, names, key,
/// validity), or a text file the student wrote, in a window as wide as the screen and as tall
/// as its lines, framed as any picture.
pub fn file_window(
    state: &mut State,
    theme: &Theme,
    screen: Rect,
    (file, shown): (&std::path::Path, &str),
    certificate: bool,
    name: &str,
    settings: &SnapSettings,
) -> Vec<PathBuf> {
    use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};
    let read = if certificate {
        crate::certs::inspect(file)
            .map(|summaries| {
                summaries
                    .iter()
                    .map(crate::certs::Summary::describe)
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .map_err(|e| e.to_string())
    } else {
        std::fs::read_to_string(file)
            .map_err(|e| crate::tr!("err.read_file", file = file.display(), detail = e))
    };
    let text = match read {
        Ok(t) => t,
        Err(e) => {
            state.toast(e.to_string(), true);
            return vec![];
        }
    };
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            crate::sanitize::clean(&l.replace('\t', "    "))
                .trim_end()
                .to_string()
        })
        .collect();
    let height = (lines.len() as u16 + 2).min(screen.height.max(3));
    let area = Rect::new(0, 0, screen.width, height);
    let mut buf = Buffer::empty(area);
    buf.set_style(area, theme.base());
    Paragraph::new(lines.join("\n"))
        .style(theme.base())
        .wrap(Wrap { trim: false })
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.border(true))
                .title(format!(" {shown} ")),
        )
        .render(area, &mut buf);
    let what = if certificate {
        crate::tr!("certs.evidence_title")
    } else {
        file.file_name()
            .map(|f| f.to_string_lossy().to_string())
            .unwrap_or_default()
    };
    let look = framed(state, theme, &what, buf.area.width, settings, None);
    match export::save(&buf, &look, &settings.dir, name, &settings.formats) {
        Ok(files) => {
            state.toast(saved_message(&files), false);
            files
        }
        Err(e) => {
            state.toast(e.to_string(), true);
            vec![]
        }
    }
}

/// How a picture is drawn: the theme's colours and, when framed, a title naming what it shows,
/// the cluster, the lab step and the time.
fn framed(
    state: &State,
    theme: &Theme,
    what: &str,
    width: u16,
    settings: &SnapSettings,
    scale: Option<u32>,
) -> Look {
    let title = settings.frame.then(|| {
        export::caption(
            what,
            &cluster(state),
            lab_step(state).as_deref(),
            &crate::time::local_stamp(),
            export::title_room(width),
        )
    });
    Look {
        palette: Palette::of(theme.fg, theme.bg),
        title,
        scale: scale.unwrap_or(settings.scale),
    }
}

/// The cluster as the title names it: the node's hostname and the endpoint.
fn cluster(state: &State) -> String {
    if let Some(k) = state.cluster.info.as_ref().and_then(|i| i.kube.as_ref()) {
        let ns = k
            .namespace
            .clone()
            .unwrap_or_else(|| crate::tr!("kube.all_namespaces"));
        return format!("{} · ns {ns}", k.context);
    }
    match &state.cluster.info {
        Some(i) if !i.hostname.is_empty() && i.hostname != state.cluster.endpoint => {
            format!("{} ({})", i.hostname, state.cluster.endpoint)
        }
        _ => state.cluster.endpoint.clone(),
    }
}

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
pub fn now(
    state: &mut State,
    theme: &Theme,
    screen: Rect,
    snap: &Snap,
    settings: &SnapSettings,
) -> Vec<PathBuf> {
    now_from(state, theme, screen, snap, Source::Screen, settings)
}

/// Saves a picture of the kind `source` says, and says where.
pub fn now_from(
    state: &mut State,
    theme: &Theme,
    screen: Rect,
    snap: &Snap,
    source: Source,
    settings: &SnapSettings,
) -> Vec<PathBuf> {
    let started = std::time::Instant::now();
    match save(state, theme, screen, snap, source, settings) {
        Ok(files) => {
            tracing::info!(files = ?files, ms = started.elapsed().as_millis() as u64, "snapshot saved");
            state.toast(saved_message(&files), false);
            files
        }
        Err(e) => {
            state.toast(e.to_string(), true);
            vec![]
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::Event;

    fn state_with_secret_label() -> State {
        let now = 1_700_000_000;
        let mut s = State::new("demo", true, 100, now);
        for ev in crate::backend::demo::Demo::at(now).events() {
            if let Event::Nodes(mut nodes) = ev {
                nodes[0]
                    .labels
                    .insert("MONGO_PASSWORD".into(), "hunter2".into());
                s.apply_event(Event::Nodes(nodes));
            } else {
                s.apply_event(ev);
            }
        }
        s.focus = Pane::Nodes;
        s
    }

    #[test]
    fn secrets_are_masked_unless_the_config_says_not_to() {
        let s = state_with_secret_label();
        let theme = Theme::default_dark();
        let mut settings = SnapSettings::new(&Default::default(), None);
        let screen = Rect::new(0, 0, 120, 30);
        let shot = |settings: &SnapSettings| {
            let (buf, look) = picture(
                &s,
                &theme,
                screen,
                SnapWhat::Focused,
                Source::Screen,
                settings,
                None,
            );
            (export::text(&buf), look)
        };
        let (text, look) = shot(&settings);
        assert!(text.contains("MONGO_PASSWORD=••••••"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("app=database"), "{text}");
        let title = look.title.unwrap_or_default();
        assert!(
            title.starts_with("Nodes") && title.contains("manager1"),
            "{title}"
        );
        settings.redact = false;
        settings.frame = false;
        let (text, look) = shot(&settings);
        assert!(text.contains("MONGO_PASSWORD=hunter2"), "{text}");
        assert_eq!(look.title, None);
    }

    #[test]
    fn a_steps_evidence_shows_that_step_not_the_next_one_the_pane_moved_to() {
        let mut s = state_with_secret_label();
        let lab = crate::lab::load("semana-3").expect("the preset");
        let mut l = crate::app::lab::LabSession::new(
            crate::lab::Opened { lab, dir: None },
            Default::default(),
            true,
        );
        // Step 1 just passed: the pane moved on to step 3, and step 1's picture is being taken.
        l.step = 2;
        l.snapping = Some("1-certificados".into());
        s.lab = Some(l);
        let settings = SnapSettings::new(&Default::default(), None);
        let text = |s: &State, width| {
            let (buf, _) = picture(
                s,
                &Theme::default_dark(),
                Rect::new(0, 0, width, 24),
                SnapWhat::Screen,
                Source::Screen,
                &settings,
                None,
            );
            export::text(&buf)
        };
        for width in [80, 140] {
            let shown = text(&s, width);
            assert!(
                shown.contains("Step 1/9") && !shown.contains("Step 3/9"),
                "{shown}"
            );
        }
        // Once taken, the pane shows where the student is.
        s.lab.as_mut().unwrap().snapping = None;
        assert!(text(&s, 80).contains("Step 3/9"));
    }

    #[test]
    fn the_lab_step_names_the_picture_and_titles_it() {
        let mut s = state_with_secret_label();
        assert!(default_name(&s, SnapWhat::Focused).starts_with("nodes-"));
        let lab = crate::lab::load("semana-3").expect("the preset");
        let mut l = crate::app::lab::LabSession::new(
            crate::lab::Opened { lab, dir: None },
            Default::default(),
            true,
        );
        l.step = 6;
        s.lab = Some(l);
        let name = default_name(&s, SnapWhat::Focused);
        assert_eq!(name, "7-escalar-backend");
        let settings = SnapSettings::new(&Default::default(), None);
        // A narrow pane keeps the step in its title and drops the cluster first.
        let (_, look) = picture(
            &s,
            &Theme::default_dark(),
            Rect::new(0, 0, 60, 20),
            SnapWhat::Focused,
            Source::Screen,
            &settings,
            None,
        );
        let title = look.title.unwrap_or_default();
        assert!(title.contains("7-escalar-backend"), "{title}");
    }
}
