//! A view in the services pane's place: networks, volumes, secrets or configs (on Kubernetes
//! Services, Namespaces, Secrets, ConfigMaps), with the services that use each.

use super::{frame, loading, message};
use crate::app::state::{Pane, State};
use crate::app::views::SlotView;
use crate::tr;
use crate::ui::theme::Theme;
use crate::ui::widgets::table::{self, Col, TableRow};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub fn render(
    state: &State,
    v: &SlotView,
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
    focused: bool,
) {
    let filter = state.view(Pane::Services).filter.as_str();
    let rows = v.visible(filter);
    let extra = match &v.listing {
        Some(l) => format!("({}) · {}", l.rows.len(), tr!("view.back")),
        None => tr!("view.back"),
    };
    let inner = frame(state, Pane::Services, &extra, theme, area, buf, focused);
    if let Some(why) = &v.failed {
        return message(why, theme.fg(theme.error), inner, buf);
    }
    let Some(l) = &v.listing else {
        return loading(state, theme, inner, buf);
    };
    if rows.is_empty() {
        let text = if l.rows.is_empty() {
            tr!("view.empty")
        } else {
            tr!("pane.empty_filter")
        };
        return message(&text, theme.muted(), inner, buf);
    }
    let cols: Vec<Col> = crate::columns::listing_headers(l)
        .into_iter()
        .enumerate()
        .map(|(i, mut title)| {
            if let Some(sort) = state.slot.as_ref().and_then(|v| v.sort)
                && sort.col == i
            {
                title.push(if sort.desc { '▼' } else { '▲' });
            }
            match l.columns.get(i).copied().unwrap_or("") {
                "name" => Col::new(title, 14, 3, 0),
                "message" => Col::new(title, 12, 3, 2),
                "time" => Col::new(title, 9, 0, 1),
                "action" => Col::new(title, 8, 0, 1),
                "kind" => Col::new(title, 10, 0, 1),
                "services" | "labels" | "keys" | "ports" => Col::new(title, 10, 2, 1),
                "subnet" | "cluster_ip" => Col::new(title, 11, 1, 2),
                _ => Col::new(title, 7, 0, 3),
            }
        })
        .collect();
    let row = |k: usize| TableRow {
        cells: rows[k]
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i == 0 {
                    Line::from(Span::styled(c.clone(), theme.fg(theme.accent)))
                } else {
                    Line::from(c.clone())
                }
            })
            .collect(),
        style: theme.base(),
        header: false,
    };
    let selected = v.selected.min(rows.len() - 1);
    table::render(&cols, rows.len(), &row, Some(selected), theme, inner, buf);
}
