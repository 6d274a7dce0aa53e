//! Tasks of the selected service: name.slot, node, desired state, current state with its age,
//! the error in the error colour, image. Finished tasks are dimmed, and hidden until `a`.

use super::{frame, loading, message};
use crate::app::state::{Pane, State};
use crate::model::Instance;
use crate::model::stats::{self, Usage};
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

/// A task's CPU as the stats columns show it: `12.3%`.
pub fn cpu_text(u: &Usage) -> String {
    format!("{:.1}%", u.cpu_percent)
}

/// Memory used, and of what limit when the source says: `12.4MiB/2GiB`.
pub fn mem_text(u: &Usage) -> String {
    if u.only_cpu_mem || u.mem_limit == 0 {
        stats::binary_size_short(u.mem_usage)
    } else {
        format!(
            "{}/{}",
            stats::binary_size_short(u.mem_usage),
            stats::binary_size_short(u.mem_limit)
        )
    }
}

/// Network received/sent since the container started: `1.05kB/872B`.
pub fn net_text(u: &Usage) -> String {
    if u.only_cpu_mem {
        "—".into()
    } else {
        format!(
            "{}/{}",
            stats::decimal_size(u.net_rx),
            stats::decimal_size(u.net_tx)
        )
    }
}

pub fn render(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer, focused: bool) {
    let current = state.current_workload();
    let extra = match current {
        _ if state.all_instances => {
            let all = &state.cluster.instances;
            let running = all.iter().filter(|i| !i.finished()).count();
            tr!("tasks.every", running = running, count = all.len())
        }
        Some(w) => {
            let finished = if state.show_finished {
                format!(" · {}", tr!("tasks.all"))
            } else {
                String::new()
            };
            let metrics = if state.cluster.stats.unavailable.is_some() {
                format!(" · {}", tr!("stats.none_short"))
            } else {
                String::new()
            };
            format!(
                "{} ({}){finished}{metrics}",
                w.name,
                tr!("tasks.progress", running = w.running, desired = w.desired)
            )
        }
        None => String::new(),
    };
    let inner = frame(state, Pane::Tasks, &extra, theme, area, buf, focused);
    if !state.cluster.loaded.instances {
        return loading(state, theme, inner, buf);
    }
    if current.is_none() && !state.all_instances {
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
    let measured = !state.cluster.stats.last.is_empty();
    let mut cols = super::columns(state, Pane::Tasks, crate::columns::TASKS, measured);
    // Beside the CPU and memory (from the table), the network.
    if measured {
        cols.push(Col::new(tr!("col.net"), 9, 0, 4));
    }
    let row = |k: usize| task_row(state, list[k], measured, theme);
    // The selected task's whole error, under the table: the column may be too narrow for it.
    let selected = state.selected_instance().filter(|_| inner.height >= 8);
    let error = selected
        .and_then(|i| crate::columns::task_error(i, state.now).map(|e| (i.name.as_str(), e)));
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

/// A task's row: finished ones dimmed, the state in its colour; with samples, its use.
fn task_row(state: &State, i: &Instance, measured: bool, theme: &Theme) -> TableRow<'static> {
    let finished = i.finished();
    // A pod's state carries its ready containers (`running 1/1`): the word gives the colour.
    let state_style = match i.state.split(' ').next().unwrap_or_default() {
        "running" => theme.fg(theme.ok),
        "failed" | "rejected" | "orphaned" => theme.error(),
        "complete" | "shutdown" => theme.muted(),
        _ => theme.fg(theme.warn),
    };
    let current = format!(
        "{} {}",
        crate::columns::state_word(&i.state),
        crate::time::age(i.since, state.now)
    );
    let error = crate::columns::task_error(i, state.now).unwrap_or_default();
    let style = if finished {
        theme.muted().add_modifier(Modifier::DIM)
    } else {
        theme.base()
    };
    let mut cells = vec![
        Line::from(i.name.clone()),
        Line::from(i.node.clone()),
        Line::from(crate::columns::state_word(&i.desired)),
        Line::from(Span::styled(
            current,
            if finished { style } else { state_style },
        )),
        Line::from(Span::styled(error, theme.error())),
        Line::from(short_image(&i.image).to_string()),
    ];
    if measured {
        let u = state.cluster.stats.last.get(&i.id).filter(|_| !finished);
        let text = |f: fn(&Usage) -> String| Line::from(u.map(f).unwrap_or_default());
        cells.extend([text(cpu_text), text(mem_text), text(net_text)]);
    }
    TableRow {
        cells,
        style,
        header: false,
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
