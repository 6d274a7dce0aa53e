//! Evidence from the console's state: which cells (a pane or the screen), the frame's title and
//! the default name. Saving them is the runtime's (`runtime::snap`).

use super::state::{Pane, State};
use crate::command::SnapWhat;
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
}

/// The pane a snapshot shows; `None` for the screen.
fn pane_of(state: &State, what: SnapWhat) -> Option<Pane> {
    match what {
        SnapWhat::Focused => Some(state.focus),
        SnapWhat::Screen => None,
        SnapWhat::Pane(p) => Some(p),
    }
}

/// The name used when none is given: the lab step's (`7-escalar-backend`), else pane and time.
pub fn default_name(state: &State, what: SnapWhat) -> String {
    if let Some(step) = lab_step(state) {
        return step;
    }
    let what = match pane_of(state, what) {
        Some(p) => state.pane_title(p).to_lowercase(),
        None => crate::tr!("snap.screen").to_lowercase(),
    };
    export::safe_name(&format!("{what}-{}", crate::time::local_file_stamp()))
}

fn lab_step(state: &State) -> Option<String> {
    let l = state.lab.as_ref()?;
    l.snapping
        .clone()
        .or_else(|| l.lab.steps.get(l.step).map(|s| s.name.clone()))
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
    let covered = state.overlay != super::state::Overlay::None || state.editor.is_some();
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
    let title = settings.frame.then(|| {
        export::caption(
            &what_title,
            &cluster(state),
            lab_step(state).as_deref(),
            &crate::time::local_stamp(),
            export::title_room(buf.area.width),
        )
    });
    let look = Look {
        palette: Palette::of(theme.fg, theme.bg),
        title,
        scale: scale.unwrap_or(settings.scale),
    };
    (buf, look)
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

/// "Saved evidencias/7-escalar-backend.png (+ txt)".
pub fn saved_message(files: &[PathBuf]) -> String {
    let Some(first) = files.first() else {
        return String::new();
    };
    let others: Vec<String> = files[1..]
        .iter()
        .filter_map(|p| p.extension().map(|e| e.to_string_lossy().to_string()))
        .collect();
    let more = if others.is_empty() {
        String::new()
    } else {
        format!(" (+ {})", others.join(", "))
    };
    crate::tr!("snap.saved", file = first.display(), more = more)
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
