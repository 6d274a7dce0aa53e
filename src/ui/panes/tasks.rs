//! Tasks of the selected service: name.slot, node, desired state, current state with its age,
//! the error in the error colour, image. Finished tasks are dimmed, and hidden until `a`.

use super::{frame, message};
use crate::app::sort;
use crate::app::state::{Pane, State};
use crate::tr;
use crate::ui::theme::Theme;
use crate::ui::widgets::table::{self, Col, TableRow};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

/// The last path segment of an image reference: `registry:5000/team/api:test` → `api:test`.
pub fn short_image(image: &str) -> &str {
    image.rsplit('/').next().unwrap_or(image)
}

pub fn render(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer, focused: bool) {
    let current = state.current_workload();
    let extra = match current {
        Some(w) => {
            let finished = if state.show_finished {
                format!(" · {}", tr!("tasks.all"))
            } else {
                String::new()
            };
            format!(
                "{} ({}){finished}",
                w.name,
                tr!("tasks.progress", running = w.running, desired = w.desired)
            )
        }
        None => String::new(),
    };
    let inner = frame(state, Pane::Tasks, &extra, theme, area, buf, focused);
    if !state.cluster.loaded.instances {
        return message(&tr!("pane.loading"), theme.muted(), inner, buf);
    }
    if current.is_none() {
        let text = if state.is_kube() {
            tr!("tasks.pick_service_kube")
        } else {
            tr!("tasks.pick_service")
        };
        return message(&text, theme.muted(), inner, buf);
    }
    let list = state.visible_instances();
    if list.is_empty() {
        let text = if state.is_kube() {
            tr!("tasks.none_kube")
        } else {
            tr!("tasks.none")
        };
        return message(&text, theme.muted(), inner, buf);
    }
    let cols = [
        Col::new(
            sort::title(state, Pane::Tasks, 0, tr!("col.name")),
            16,
            2,
            0,
        ),
        Col::new(
            sort::title(state, Pane::Tasks, 1, tr!("col.node")),
            10,
            1,
            2,
        ),
        Col::new(
            sort::title(state, Pane::Tasks, 2, tr!("col.desired")),
            8,
            0,
            3,
        ),
        Col::new(
            sort::title(state, Pane::Tasks, 3, tr!("col.current")),
            14,
            0,
            0,
        ),
        Col::new(
            sort::title(state, Pane::Tasks, 4, tr!("col.error")),
            12,
            3,
            1,
        ),
        Col::new(
            sort::title(state, Pane::Tasks, 5, tr!("col.image")),
            12,
            1,
            4,
        )
        .cut_left(),
    ];
    let row = |k: usize| {
        let i = list[k];
        {
            let finished = i.finished();
            let state_style = match i.state.as_str() {
                "running" => theme.fg(theme.ok),
                "failed" | "rejected" | "orphaned" => theme.error(),
                "complete" | "shutdown" => theme.muted(),
                _ => theme.fg(theme.warn),
            };
            let current = format!("{} {}", i.state, crate::time::age(i.since, state.now));
            let error = i.error.clone().unwrap_or_default();
            let style = if finished {
                theme.muted().add_modifier(Modifier::DIM)
            } else {
                theme.base()
            };
            TableRow {
                cells: vec![
                    Line::from(i.name.clone()),
                    Line::from(i.node.clone()),
                    Line::from(i.desired.clone()),
                    Line::from(Span::styled(
                        current,
                        if finished { style } else { state_style },
                    )),
                    Line::from(Span::styled(error, theme.error())),
                    Line::from(short_image(&i.image).to_string()),
                ],
                style,
                header: false,
            }
        }
    };
    // The selected task's whole error, under the table: the column may be too narrow for it.
    let selected = state.selected_instance().filter(|_| inner.height >= 8);
    let error = selected.and_then(|i| i.error.as_ref().map(|e| (i.name.as_str(), e.as_str())));
    let detail_h = if error.is_some() { 2 } else { 0 };
    let table_area = Rect {
        height: inner.height - detail_h,
        ..inner
    };
    table::render(
        &cols,
        list.len(),
        &row,
        Some(state.view(Pane::Tasks).selected),
        theme,
        table_area,
        buf,
    );
    if let Some((name, e)) = error {
        let area = Rect {
            y: inner.y + inner.height - detail_h,
            height: detail_h,
            ..inner
        };
        let line = Line::from(vec![
            Span::styled(format!("{} {name}: ", tr!("col.error")), theme.muted()),
            Span::styled(e.to_string(), theme.error()),
        ]);
        Paragraph::new(line)
            .wrap(Wrap { trim: true })
            .render(area, buf);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn short_images_keep_the_tag() {
        assert_eq!(
            super::short_image("127.0.0.1:5000/lab/api-semana-3:test"),
            "api-semana-3:test"
        );
        assert_eq!(super::short_image("redis:7"), "redis:7");
    }
}
