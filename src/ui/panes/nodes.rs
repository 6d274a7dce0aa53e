//! Nodes: hostname, role (leader marked), status, availability, engine, address, labels. The
//! selected node's labels are listed in full below the table.

use super::{frame, loading, message};
use crate::app::state::{Pane, State};
use crate::model::{Availability, NodeStatus, Role, SwarmRole};
use crate::tr;
use crate::ui::theme::Theme;
use crate::ui::widgets::table::{self, TableRow};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

pub fn render(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer, focused: bool) {
    let nodes = state.visible_nodes();
    let extra = if state.cluster.nodes.is_empty() {
        String::new()
    } else {
        format!("({})", state.cluster.nodes.len())
    };
    let inner = frame(state, Pane::Nodes, &extra, theme, area, buf, focused);
    match state.cluster.swarm_role() {
        Some(SwarmRole::None) => {
            return message(&tr!("nodes.not_swarm"), theme.fg(theme.warn), inner, buf);
        }
        Some(SwarmRole::Worker) => {
            return message(&tr!("nodes.worker"), theme.fg(theme.warn), inner, buf);
        }
        _ if !state.cluster.loaded.nodes => {
            return loading(state, theme, inner, buf);
        }
        _ if nodes.is_empty() => {
            return message(&tr!("pane.empty_filter"), theme.muted(), inner, buf);
        }
        _ => {}
    }
    let detail_h = if inner.height >= 8 { 2 } else { 0 };
    let table_area = Rect {
        height: inner.height - detail_h,
        ..inner
    };
    let cols = super::columns(state, Pane::Nodes, crate::columns::NODES, false);
    let row = |k: usize| {
        let n = nodes[k];
        {
            let role = match (n.role, n.leader) {
                (Role::Manager, true) => Span::styled(tr!("node.leader"), theme.fg(theme.accent)),
                (Role::Manager, false) => Span::raw(tr!("node.manager")),
                (Role::Worker, _) => Span::raw(tr!("node.worker")),
            };
            let status = match n.status {
                NodeStatus::Ready => Span::styled(tr!("node.ready"), theme.fg(theme.ok)),
                NodeStatus::Down => Span::styled(tr!("node.down"), theme.error()),
                NodeStatus::Disconnected => Span::styled(tr!("node.disconnected"), theme.error()),
                NodeStatus::Unknown => Span::styled(tr!("node.unknown"), theme.fg(theme.warn)),
            };
            let avail = match n.availability {
                Availability::Active => Span::raw(tr!("node.active")),
                Availability::Pause => Span::styled(tr!("node.pause"), theme.fg(theme.warn)),
                Availability::Drain => Span::styled(tr!("node.drain"), theme.fg(theme.warn)),
            };
            let labels: Vec<String> = n.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
            TableRow {
                cells: vec![
                    Line::from(n.hostname.clone()),
                    Line::from(role),
                    Line::from(status),
                    Line::from(avail),
                    Line::from(n.engine.clone()),
                    Line::from(n.addr.clone()),
                    Line::from(labels.join(",")),
                ],
                style: theme.base(),
                header: false,
            }
        }
    };
    table::render(
        &cols,
        nodes.len(),
        &row,
        Some(state.view(Pane::Nodes).selected),
        theme,
        table_area,
        buf,
    );
    if detail_h > 0
        && let Some(n) = state.selected_node()
    {
        let area = Rect {
            y: inner.y + inner.height - detail_h,
            height: detail_h,
            ..inner
        };
        let mut spans = vec![Span::styled(
            format!("{} {}: ", tr!("col.labels"), n.hostname),
            theme.muted(),
        )];
        if n.labels.is_empty() {
            spans.push(Span::styled(tr!("node.no_labels"), theme.muted()));
        }
        for (i, (k, v)) in n.labels.iter().enumerate() {
            if i > 0 {
                spans.push(Span::raw("  "));
            }
            spans.push(Span::styled(k.clone(), theme.fg(theme.accent)));
            spans.push(Span::raw(format!("={v}")));
        }
        Paragraph::new(Line::from(spans))
            .wrap(Wrap { trim: true })
            .render(area, buf);
    }
}
