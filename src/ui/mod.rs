//! Pure renderers: `draw(state, theme, area, buf)` and nothing else. The same Buffer goes to the
//! terminal, to snapshot tests and to the screenshot exporter.

mod chrome;
pub mod class;
pub mod panes;
pub mod theme;
pub mod widgets;
mod windows;

use chrome::*;
use windows::*;

use crate::app::state::{Input, Overlay, Pane, State};
use crate::backend::ConnState;
use crate::model::SwarmRole;
use crate::tr;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};
use theme::Theme;

pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 15;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayoutKind {
    TooSmall,
    /// One pane at a time with a tab strip (80x24).
    Single,
    /// A list pane on the left, tasks and logs on the right (about 100x30).
    TwoColumns,
    /// Every pane at once.
    Wide,
}

pub fn layout_kind(area: Rect) -> LayoutKind {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        LayoutKind::TooSmall
    } else if area.width >= 150 && area.height >= 40 {
        LayoutKind::Wide
    } else if area.width >= 100 && area.height >= 28 {
        LayoutKind::TwoColumns
    } else {
        LayoutKind::Single
    }
}

/// Where each visible pane is drawn in `area` (the screen less its bars), for a layout `kind`
/// decided by the screen's height (the bars must not make a 15-row screen "too small" for its
/// panes) and the width left beside the lab's pane.
pub fn pane_areas(state: &State, area: Rect, kind: LayoutKind) -> Vec<(Pane, Rect)> {
    if area.width == 0 || area.height == 0 {
        return vec![];
    }
    match kind {
        LayoutKind::TooSmall => vec![],
        LayoutKind::Single => vec![(state.focus, area)],
        LayoutKind::TwoColumns => {
            let [left, right] =
                Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                    .areas(area);
            let [top, bottom] =
                Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)])
                    .areas(right);
            let list = match state.focus {
                p @ (Pane::Nodes | Pane::Services | Pane::Images) => p,
                _ => Pane::Services,
            };
            vec![(list, left), (Pane::Tasks, top), (Pane::Logs, bottom)]
        }
        LayoutKind::Wide => {
            let [top, mid, bottom] = Layout::vertical([
                Constraint::Percentage(24),
                Constraint::Percentage(40),
                Constraint::Percentage(36),
            ])
            .areas(area);
            let [nodes, images] =
                Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                    .areas(top);
            let [services, tasks] =
                Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                    .areas(mid);
            vec![
                (Pane::Nodes, nodes),
                (Pane::Images, images),
                (Pane::Services, services),
                (Pane::Tasks, tasks),
                (Pane::Logs, bottom),
            ]
        }
    }
}

pub use crate::app::regions::Regions;

/// Where each part of the screen goes at this size, in this state.
pub fn regions(state: &State, area: Rect) -> Regions {
    let kind = layout_kind(area);
    if kind == LayoutKind::TooSmall {
        return Regions::default();
    }
    let prompt = !matches!(state.input, Input::Normal) || !state.running.is_empty();
    let tabs = kind != LayoutKind::Wide;
    let rows = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Length(u16::from(tabs)),
            Constraint::Min(3),
            Constraint::Length(u16::from(prompt)),
            Constraint::Length(1),
        ])
        .split(area);
    let (mut main, mut lab) = (rows[1], None);
    if state.lab.is_some() && main.width >= 110 {
        let [left, right] =
            Layout::horizontal([Constraint::Min(60), Constraint::Length(34)]).areas(main);
        main = left;
        lab = Some(right);
    }
    let panes = if state.editor.is_some() {
        vec![]
    } else {
        // The width the lab's pane leaves, the screen's height: the bars do not count.
        let kind = layout_kind(Rect {
            width: main.width,
            ..area
        });
        pane_areas(state, main, kind)
    };
    Regions {
        tabs: rows[0],
        body: rows[1],
        main,
        lab,
        prompt: rows[2],
        status: rows[3],
        panes,
    }
}

/// One pane into `rect`.
pub fn draw_pane(
    state: &State,
    theme: &Theme,
    pane: Pane,
    rect: Rect,
    buf: &mut Buffer,
    focused: bool,
) {
    match pane {
        Pane::Nodes => panes::nodes::render(state, theme, rect, buf, focused),
        Pane::Services => match &state.slot {
            Some(v) => panes::view::render(state, v, theme, rect, buf, focused),
            None => panes::services::render(state, theme, rect, buf, focused),
        },
        Pane::Tasks => panes::tasks::render(state, theme, rect, buf, focused),
        Pane::Images => panes::images::render(state, theme, rect, buf, focused),
        Pane::Logs => panes::logs::render(state, theme, rect, buf, focused),
    }
}

pub fn draw(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    buf.set_style(area, theme.base());
    let kind = layout_kind(area);
    if kind == LayoutKind::TooSmall {
        let text = tr!(
            "ui.too_small",
            w = MIN_WIDTH,
            h = MIN_HEIGHT,
            cw = area.width,
            ch = area.height
        );
        Paragraph::new(text)
            .wrap(Wrap { trim: true })
            .style(theme.fg(theme.warn))
            .render(area, buf);
        return;
    }
    let regions = regions(state, area);
    let rows = [regions.tabs, regions.body, regions.prompt, regions.status];
    if regions.tabs.height > 0 {
        tab_strip(state, theme, rows[0], buf);
    }
    let prompt = regions.prompt.height > 0;
    // An open lab: its steps beside the panes when there is room, else the step in the tab strip.
    let main = regions.main;
    if let Some(l) = &state.lab {
        let (lab, step) = (&l.lab, l.shown_step());
        if let Some(right) = regions.lab {
            lab_pane(l, theme, right, buf);
        } else if let Some(s) = lab.steps.get(step) {
            // After the tabs: the step's number, mark and name, or less when there is no room.
            let tabs: usize = Pane::ALL
                .iter()
                .map(|p| {
                    format!(" {} {} ", p.number(), state.pane_title(*p))
                        .chars()
                        .count()
                        + 1
                })
                .sum();
            let room = (rows[0].width as usize).saturating_sub(tabs + 1);
            let number = tr!("lab.step", n = step + 1, total = lab.steps.len());
            let mark = chrome::mark(l, step);
            let text = [
                format!("{number} {mark} {}", s.name),
                format!("{number} {mark}"),
                format!("{}/{} {mark}", step + 1, lab.steps.len()),
            ]
            .into_iter()
            .find(|t| t.chars().count() < room)
            .unwrap_or_default();
            let w = (text.chars().count() as u16 + 1).min(rows[0].width);
            let r = Rect {
                x: rows[0].x + rows[0].width - w,
                width: w,
                ..rows[0]
            };
            Line::from(Span::styled(
                text,
                theme.fg(theme.accent).add_modifier(Modifier::BOLD),
            ))
            .render(r, buf);
        }
    }
    if let Some(ed) = &state.editor {
        editor(ed, theme, main, buf);
    }
    for (pane, rect) in regions.panes {
        draw_pane(state, theme, pane, rect, buf, pane == state.focus);
    }
    if prompt {
        prompt_line(state, theme, rows[2], buf);
    }
    if matches!(state.input, Input::Normal) {
        live_panel(state, theme, rows[1], buf);
    }
    status_bar(state, theme, rows[3], buf);
    if let Some(t) = &state.toast {
        toast(t, theme, rows[1], buf);
    }
    match &state.overlay {
        Overlay::Help { pane, only, scroll } => {
            help(*pane, only.as_deref(), *scroll, theme, rows[1], buf)
        }
        Overlay::History { scroll } => history(state, *scroll, theme, rows[1], buf),
        Overlay::LabCheck { scroll } => lab_check(state, *scroll, theme, rows[1], buf),
        Overlay::Text { title, body } => text_box(title, body, theme, rows[1], buf),
        Overlay::Labels { node_id, selected } => {
            labels_box(state, node_id, *selected, theme, rows[1], buf)
        }
        Overlay::Certs(form) => certs_box(form, theme, rows[1], buf),
        Overlay::Build(form) => build_box(form, theme, rows[1], buf),
        Overlay::Inspect(w) => inspect_window(w, theme, rows[1], buf),
        Overlay::None => {}
    }
}
