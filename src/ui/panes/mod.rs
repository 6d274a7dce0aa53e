//! One file per pane. Each is a pure `render(state, theme, area, buf, focused)`.

pub mod images;
pub mod logs;
pub mod nodes;
pub mod services;
pub mod tasks;
pub mod view;

use crate::app::state::{Pane, State};
use crate::columns::{Column, Shown};
use crate::tr;
use crate::ui::theme::Theme;
use crate::ui::widgets::table::Col;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Widget, Wrap};

/// A pane's columns from its table (`crate::columns`): titles with the sort's mark, widths; the
/// measured ones (CPU, memory) only while samples come in.
pub fn columns<T>(
    state: &State,
    pane: Pane,
    table: &'static [Column<T>],
    measured: bool,
) -> Vec<Col> {
    crate::columns::pane(table)
        .filter(|c| c.shown == Shown::Both || measured)
        .enumerate()
        .map(|(k, c)| {
            let title =
                crate::app::sorted::title(state, pane, k, crate::i18n::text(c.title).to_string());
            let col = Col::new(title, c.width.min, c.width.grow, c.width.drop);
            if c.width.cut_left {
                col.cut_left()
            } else {
                col
            }
        })
        .collect()
}

/// The pane's frame: `N Title extra`, marked stale while reconnecting. Returns the inner area.
pub fn frame(
    state: &State,
    pane: Pane,
    extra: &str,
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
    focused: bool,
) -> Rect {
    let mut title = vec![
        Span::styled(format!(" {} ", pane.number()), theme.muted()),
        Span::styled(
            state.pane_title(pane),
            theme.border(focused).add_modifier(Modifier::BOLD),
        ),
    ];
    if !extra.is_empty() {
        title.push(Span::styled(format!(" {extra}"), theme.fg(theme.fg)));
    }
    let filter = if pane.is_list() {
        state.view(pane).filter.as_str()
    } else {
        ""
    };
    if !filter.is_empty() {
        title.push(Span::styled(format!(" /{filter}"), theme.fg(theme.accent)));
    }
    if state.cluster.stale() {
        title.push(Span::styled(
            format!(" {}", tr!("pane.stale")),
            theme.fg(theme.warn),
        ));
    }
    title.push(Span::raw(" "));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Rounded
        })
        .border_style(theme.border(focused))
        .title(Line::from(title));
    let inner = block.inner(area);
    block.render(area, buf);
    inner
}

/// A centred, wrapped message inside a pane (loading, not a swarm, nothing here...).
/// What a pane shows before its first rows: "Loading…", or, while the engine has never
/// answered, why not (the console keeps retrying; the status bar counts down).
pub fn loading(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    match state.cluster.unreached() {
        Some(error) => message(error, theme.fg(theme.warn), area, buf),
        None => message(&tr!("pane.loading"), theme.muted(), area, buf),
    }
}

pub fn message(text: &str, style: ratatui::style::Style, area: Rect, buf: &mut Buffer) {
    if area.height == 0 {
        return;
    }
    let top = area.height.saturating_sub(2) / 2;
    let rect = Rect {
        y: area.y + top,
        height: area.height - top,
        ..area
    };
    Paragraph::new(text.to_string())
        .style(style)
        .alignment(ratatui::layout::Alignment::Center)
        .wrap(Wrap { trim: true })
        .render(rect, buf);
}

/// Whose use is on screen, so that only that is measured: the running tasks in the tasks
/// pane's rows in view, and every running task of the services in view (their totals).
pub fn stats_wanted(state: &State, screen: Rect) -> Vec<crate::model::stats::StatsTarget> {
    let panes = crate::ui::regions(state, screen).panes;
    stats_wanted_in(state, &panes)
}

/// The same for panes drawn in these places (a snapshot of one pane fills its picture).
pub fn stats_wanted_in(
    state: &State,
    panes: &[(Pane, Rect)],
) -> Vec<crate::model::stats::StatsTarget> {
    use crate::ui::widgets::table;
    let mut out = std::collections::BTreeSet::new();
    let mut add = |i: &crate::model::Instance| {
        if i.state.starts_with("running") && !i.finished() && !i.container.is_empty() {
            out.insert(crate::model::stats::StatsTarget::of(i));
        }
    };
    for &(pane, area) in panes {
        // Inside the borders.
        let height = area.height.saturating_sub(2);
        match pane {
            Pane::Tasks => {
                let list = state.visible_instances();
                let sel = Some(state.view(Pane::Tasks).selected);
                for k in table::window(list.len(), sel, height) {
                    add(list[k]);
                }
            }
            Pane::Services if state.slot.is_none() => {
                let list = state.visible_workloads();
                let (entries, sel) = services::entries(&list, state.view(Pane::Services).selected);
                for k in table::window(entries.len(), sel, height) {
                    if let services::Entry::Item(i) = entries[k] {
                        state.cluster.instances_of(&list[i].id).for_each(&mut add);
                    }
                }
            }
            _ => {}
        }
    }
    out.into_iter().collect()
}
