//! Services grouped by stack (others under "without a stack"): name, mode, replicas coloured by health, image,
//! ports, update state. On an engine outside a swarm: containers grouped by compose project.

use super::{frame, loading, message};
use crate::app::state::{Pane, State};
use crate::model::{Health, Mode, SwarmRole, Workload};
use crate::tr;
use crate::ui::theme::Theme;
use crate::ui::widgets::table::{self, Col, TableRow};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

pub fn replicas_style(w: &Workload, theme: &Theme) -> ratatui::style::Style {
    match w.health() {
        Health::Healthy => theme.fg(theme.ok),
        Health::Converging => theme.fg(theme.warn),
        Health::Down => theme.error(),
    }
}

fn mode(m: &Mode) -> String {
    match m {
        Mode::Replicated => tr!("mode.replicated"),
        Mode::Global => tr!("mode.global"),
        Mode::ReplicatedJob => tr!("mode.replicated_job"),
        Mode::GlobalJob => tr!("mode.global_job"),
        Mode::Container => tr!("mode.container"),
    }
}

/// A row of the pane: a group's header (its stack and how many services) or a service.
pub enum Entry<'a> {
    Header(Option<&'a str>, usize),
    Item(usize),
}

/// The pane's rows for `list` (grouped by stack), and which row holds the service `selected`.
pub fn entries<'a>(list: &[&'a Workload], selected: usize) -> (Vec<Entry<'a>>, Option<usize>) {
    let mut entries = Vec::with_capacity(list.len() + 4);
    let mut selected_row = None;
    let mut start = 0;
    while start < list.len() {
        let g = list[start].stack.as_deref();
        let end = list[start..]
            .iter()
            .position(|w| w.stack.as_deref() != g)
            .map_or(list.len(), |n| start + n);
        entries.push(Entry::Header(g, end - start));
        for i in start..end {
            if i == selected {
                selected_row = Some(entries.len());
            }
            entries.push(Entry::Item(i));
        }
        start = end;
    }
    (entries, selected_row)
}

pub fn render(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer, focused: bool) {
    let list = state.visible_workloads();
    let swarm = state.cluster.swarm_role() == Some(SwarmRole::Manager)
        || state.cluster.swarm_role().is_none();
    let extra = if swarm {
        format!("({})", state.cluster.workloads.len())
    } else {
        tr!("services.containers")
    };
    let inner = frame(state, Pane::Services, &extra, theme, area, buf, focused);
    if !state.cluster.loaded.workloads {
        return loading(state, theme, inner, buf);
    }
    if list.is_empty() {
        let text = if !state.view(Pane::Services).filter.is_empty() {
            tr!("pane.empty_filter")
        } else if state.is_kube() {
            tr!("services.none_kube")
        } else if swarm {
            tr!("services.none")
        } else {
            tr!("services.not_swarm")
        };
        return message(&text, theme.muted(), inner, buf);
    }
    let measured = !state.cluster.stats.last.is_empty();
    let mut cols = super::columns(state, Pane::Services, crate::columns::SERVICES, measured);
    // Beside the CPU and memory (from the table), their trend over the last minutes.
    if measured {
        cols.push(Col::new(tr!("col.cpu_trend"), 10, 0, 2));
    }
    // Group headers and services, in order; rows are built only for what is in view.
    let (entries, selected_row) = entries(&list, state.view(Pane::Services).selected);
    let kube = state
        .cluster
        .info
        .as_ref()
        .is_some_and(|i| i.kube.is_some());
    let kind = if kube {
        tr!("services.namespace")
    } else if swarm {
        tr!("services.stack")
    } else {
        tr!("services.project")
    };
    let summaries = crate::model::stacks(&state.cluster.workloads);
    // A compose project on a swarm manager (the demo's) is a project, not a stack.
    let project = tr!("services.project");
    let kind_of = |g: Option<&str>| {
        let containers = state.cluster.workloads.iter().any(|w| {
            w.stack.as_deref() == g && g.is_some() && w.mode == crate::model::Mode::Container
        });
        if containers && !kube { &project } else { &kind }
    };
    let row = |k: usize| match entries[k] {
        Entry::Header(g, count) => group_row(g, count, kind_of(g), swarm, &summaries, theme),
        Entry::Item(i) => service_row(state, list[i], measured, theme),
    };
    table::render(&cols, entries.len(), &row, selected_row, theme, inner, buf);
}

/// A stack's (or project's, or namespace's) header row: its name, how many services, and on a
/// swarm its replicas in the colour of its health.
fn group_row(
    g: Option<&str>,
    count: usize,
    kind: &str,
    swarm: bool,
    summaries: &[crate::model::StackSummary],
    theme: &Theme,
) -> TableRow<'static> {
    let title = match g {
        Some(label) => format!("▾ {kind} {label} ({count})"),
        None if swarm => format!("▾ {} ({count})", tr!("services.no_stack")),
        None => format!("▾ {} ({count})", tr!("services.no_project")),
    };
    let mut spans = vec![Span::raw(title)];
    // The stack's replicas, in the colour of its health.
    if let Some(sum) = g
        .and_then(|label| summaries.iter().find(|x| x.name == label))
        .filter(|_| swarm)
    {
        let style = match sum.health {
            crate::model::Health::Healthy => theme.fg(theme.ok),
            crate::model::Health::Converging => theme.fg(theme.warn),
            crate::model::Health::Down => theme.error(),
        };
        spans.push(Span::styled(
            format!(" {}/{}", sum.running, sum.desired),
            style,
        ));
    }
    let text = Line::from(spans);
    TableRow {
        cells: vec![text],
        style: theme.fg(theme.accent).add_modifier(Modifier::BOLD),
        header: true,
    }
}

/// A service's row; with samples, its tasks' total use and the trend of its CPU.
fn service_row(state: &State, w: &Workload, measured: bool, theme: &Theme) -> TableRow<'static> {
    let update = match &w.update {
        // Kubernetes: up-to-date and available instead of a state word.
        Some(u) if u.state == "current" => Span::styled(u.message.clone(), theme.muted()),
        Some(u) => {
            let style = match u.state.as_str() {
                "completed" | "rollback_completed" | "statefulset" | "daemonset" => theme.muted(),
                "paused" | "rollback_paused" => theme.error(),
                _ => theme.fg(theme.warn),
            };
            Span::styled(u.state.replace('_', " "), style)
        }
        None => Span::raw(""),
    };
    let ports: Vec<String> = w
        .ports
        .iter()
        .filter_map(|p| {
            p.published
                .map(|published| format!("{published}->{}", p.target))
        })
        .collect();
    let mut cells = vec![
        Line::from(format!("  {}", w.name)),
        Line::from(mode(&w.mode)),
        Line::from(Span::styled(
            format!("{}/{}", w.running, w.desired),
            replicas_style(w, theme),
        )),
        Line::from(w.image.clone()),
        Line::from(ports.join(",")),
        Line::from(update),
    ];
    if measured {
        let stats = &state.cluster.stats;
        let total = crate::model::stats::Usage::total(
            state
                .cluster
                .instances_of(&w.id)
                .filter(|i| !i.finished())
                .filter_map(|i| stats.last.get(&i.id)),
        );
        let history = stats
            .history
            .get(&w.id)
            // One sample is no trend yet.
            .filter(|h| h.len() > 1)
            .map(|h| crate::model::stats::sparkline(h, 10))
            .unwrap_or_default();
        cells.extend([
            Line::from(
                total
                    .as_ref()
                    .map(super::tasks::cpu_text)
                    .unwrap_or_default(),
            ),
            Line::from(
                total
                    .as_ref()
                    .map(|u| crate::model::stats::binary_size_short(u.mem_usage))
                    .unwrap_or_default(),
            ),
            Line::from(Span::styled(history, theme.fg(theme.accent))),
        ]);
    }
    TableRow {
        cells,
        style: theme.base(),
        header: false,
    }
}
