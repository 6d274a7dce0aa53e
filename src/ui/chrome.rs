//! The chrome around the panes: the lab steps, the tab strip, the prompt line with a running
//! action's progress, the status bar and toasts.

use super::*;

/// A step's mark: ✓ done, ✗ not yet, · not checkable.
pub(super) fn mark(l: &crate::app::lab::LabSession, step: usize) -> &'static str {
    let Some(s) = l.lab.steps.get(step) else {
        return " ";
    };
    match l.now.get(step) {
        _ if l.passes.passed.contains_key(&s.name) => "✓",
        Some(Some(n)) if n.holds => "✓",
        Some(Some(_)) => "✗",
        _ if s.checks.is_empty() => "·",
        _ => " ",
    }
}

/// The lab's steps, each marked done or not, the current one described with why it is not
/// done yet.
pub(super) fn lab_pane(
    l: &crate::app::lab::LabSession,
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    let lang = crate::i18n::lang();
    let (lab, step) = (&l.lab, l.shown_step());
    let mut lines = vec![
        Line::from(Span::styled(
            lab.title.get(lang).to_string(),
            theme.header(),
        )),
        Line::default(),
    ];
    let mark_style = |m: &str| match m {
        "✓" => theme.fg(theme.ok),
        "✗" => theme.error(),
        _ => theme.muted(),
    };
    for (i, s) in lab.steps.iter().enumerate() {
        let m = mark(l, i);
        if i == step {
            lines.push(Line::from(vec![
                Span::styled(format!("{m} "), mark_style(m)),
                Span::styled(
                    format!("▶ {}", s.name),
                    theme.selection().add_modifier(Modifier::BOLD),
                ),
            ]));
            lines.push(Line::from(Span::styled(
                format!("  {}", s.text(lang)),
                theme.fg(theme.fg),
            )));
            if let Some(at) = l.passes.passed.get(&s.name) {
                lines.push(Line::from(Span::styled(
                    format!(
                        "  {}",
                        tr!("lab.passed_at", at = crate::time::format_local(at.at))
                    ),
                    theme.fg(theme.ok),
                )));
            } else if let Some(Some(n)) = l.now.get(i) {
                for r in &n.reasons {
                    lines.push(Line::from(Span::styled(format!("  ✗ {r}"), theme.error())));
                }
                // After a failure, where to look.
                if let Some(h) = s.hint.as_ref().filter(|_| !n.holds && n.looked) {
                    lines.push(Line::from(Span::styled(
                        format!("  {}", tr!("lab.hint", hint = h.get(lang))),
                        theme.fg(theme.accent),
                    )));
                }
            } else if s.checks.is_empty() {
                lines.push(Line::from(Span::styled(
                    format!("  {}", tr!("lab.status_unchecked")),
                    theme.muted(),
                )));
            }
        } else {
            let style = if i < step {
                theme.muted()
            } else {
                theme.base()
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{m} "), mark_style(m)),
                Span::styled(format!("  {}", s.name), style),
            ]));
        }
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(ratatui::widgets::BorderType::Rounded)
        .border_style(theme.border(false))
        .title(Line::from(Span::styled(
            format!(
                " {} · {} ",
                crate::i18n::text("pane.lab"),
                tr!("lab.step", n = step + 1, total = lab.steps.len())
            ),
            theme.fg(theme.accent),
        )));
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(block)
        .render(area, buf);
}

pub(super) fn tab_strip(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let mut spans = Vec::new();
    for p in Pane::ALL {
        let label = format!(" {} {} ", p.number(), state.pane_title(p));
        let style = if p == state.focus {
            theme.selection().add_modifier(Modifier::BOLD)
        } else {
            theme.muted()
        };
        spans.push(Span::styled(label, style));
        spans.push(Span::raw(" "));
    }
    Line::from(spans).render(area, buf);
}

pub(super) fn prompt_line(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let line = match &state.input {
        Input::Palette(p) => {
            let mut spans = vec![
                Span::styled(":", theme.fg(theme.accent).add_modifier(Modifier::BOLD)),
                Span::raw(p.text.clone()),
                Span::styled("█", theme.fg(theme.accent)),
            ];
            if !p.candidates.is_empty() {
                let shown: Vec<String> = p.candidates.iter().take(8).cloned().collect();
                let more = if p.candidates.len() > 8 { " …" } else { "" };
                spans.push(Span::styled(
                    format!("   {}{more}", shown.join("  ")),
                    theme.muted(),
                ));
            }
            Line::from(spans)
        }
        Input::Filter => {
            let f = &state.view(state.focus).filter;
            Line::from(vec![
                Span::styled(
                    format!("{} /", tr!("prompt.filter")),
                    theme.fg(theme.accent),
                ),
                Span::raw(f.clone()),
                Span::styled("█", theme.fg(theme.accent)),
            ])
        }
        Input::LogFilter => {
            let f = &state.logs.filter;
            let mut spans = vec![
                Span::styled(
                    format!("{} ", tr!("prompt.log_filter")),
                    theme.fg(theme.accent),
                ),
                Span::raw(f.text.clone()),
                Span::styled("█", theme.fg(theme.accent)),
            ];
            if let Some(e) = f.error() {
                spans.push(Span::styled(format!("  {e}"), theme.error()));
            } else if f.text.is_empty() {
                spans.push(Span::styled(
                    format!("  {}", tr!("prompt.log_filter_hint")),
                    theme.muted(),
                ));
            }
            Line::from(spans)
        }
        Input::Search => Line::from(vec![
            Span::styled(
                format!("{} /", tr!("prompt.search")),
                theme.fg(theme.accent),
            ),
            Span::raw(state.logs.search.clone()),
            Span::styled("█", theme.fg(theme.accent)),
        ]),
        Input::Confirm(action) => Line::from(vec![
            Span::styled(
                format!(
                    "{} ",
                    crate::i18n::text(action.confirmation().unwrap_or("confirm.generic"))
                ),
                theme.fg(theme.warn).add_modifier(Modifier::BOLD),
            ),
            Span::raw(action.cli(state.is_kube())),
            Span::styled(format!("  {}", tr!("confirm.keys")), theme.fg(theme.accent)),
        ]),
        Input::Normal => match state.running.values().next_back() {
            Some((_, progress)) => Line::from(vec![
                Span::styled("↻ ", theme.fg(theme.accent)),
                Span::styled(
                    progress.lines().next().unwrap_or_default().to_string(),
                    theme.fg(theme.fg),
                ),
            ]),
            None => Line::default(),
        },
    };
    line.render(area, buf);
}

/// The newest action's steps so far and the lines after the first of its progress (a push's bar
/// per layer, a build's steps), in a box at the bottom of the panes, above the prompt line that
/// shows the latest.
pub(super) fn live_panel(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let Some((id, (_, progress))) = state.running.iter().next_back() else {
        return;
    };
    // The steps so far (a build's, a compose project's), then the live lines.
    let steps = state.steps.get(id).map(Vec::as_slice).unwrap_or_default();
    let lines: Vec<Line> = steps
        .iter()
        .map(String::as_str)
        .chain(progress.lines().skip(1))
        .map(|l| Line::from(Span::styled(l.to_string(), theme.fg(theme.fg))))
        .collect();
    if lines.is_empty() || area.height < 6 {
        return;
    }
    let height = (lines.len() as u16 + 2).min(area.height / 2);
    let rect = Rect {
        y: area.y + area.height - height,
        height,
        ..area
    };
    Clear.render(rect, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true));
    // The newest lines matter most when they do not all fit.
    let skip = lines.len().saturating_sub(usize::from(height - 2));
    Paragraph::new(lines.into_iter().skip(skip).collect::<Vec<_>>())
        .style(theme.base())
        .block(block)
        .render(rect, buf);
}

pub(super) fn status_bar(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let mut left = Vec::new();
    match &state.cluster.conn {
        ConnState::Demo => left.push(Span::styled(
            format!(" {} ", tr!("status.demo")),
            theme.badge(),
        )),
        ConnState::Connected => left.push(Span::styled(
            format!("● {}", tr!("status.connected")),
            theme.fg(theme.ok),
        )),
        ConnState::Connecting => left.push(Span::styled(
            format!("○ {}", tr!("status.connecting")),
            theme.fg(theme.warn),
        )),
        ConnState::Reconnecting { retry_in, .. } => left.push(Span::styled(
            format!(
                "○ {}",
                tr!(
                    "status.reconnecting",
                    secs = state
                        .cluster
                        .retry_at
                        .map_or(*retry_in as i64, |t| (t - state.now).max(0))
                )
            ),
            theme.fg(theme.warn),
        )),
    }
    left.push(Span::raw(" "));
    left.push(Span::styled(
        state.cluster.endpoint.clone(),
        theme.fg(theme.fg),
    ));
    if let Some(k) = state.cluster.info.as_ref().and_then(|i| i.kube.as_ref()) {
        let ns = k
            .namespace
            .clone()
            .unwrap_or_else(|| tr!("kube.all_namespaces"));
        left.push(Span::styled(
            format!(" · ⎈ {} · ns {ns}", k.context),
            theme.fg(theme.accent),
        ));
    } else if let Some(info) = &state.cluster.info {
        let role = match info.swarm {
            SwarmRole::Manager => tr!("status.manager"),
            SwarmRole::Worker => tr!("status.worker"),
            SwarmRole::None => tr!("status.no_swarm"),
        };
        left.push(Span::styled(format!(" · {role}"), theme.muted()));
        if !info.hostname.is_empty() {
            left.push(Span::styled(format!(" · {}", info.hostname), theme.muted()));
        }
    }
    if let Some(f) = crate::app::forwards::status(state) {
        left.push(Span::styled(format!(" · {f}"), theme.fg(theme.ok)));
    }
    if let Some(e) = &state.last_error {
        left.push(Span::styled(format!(" · {e}"), theme.error()));
    }
    let hint = tr!("status.hint");
    let hint_w = hint.chars().count() as u16 + 1;
    let left_area = Rect {
        width: area.width.saturating_sub(hint_w),
        ..area
    };
    Line::from(left).render(left_area, buf);
    if area.width > hint_w + 20 {
        let r = Rect {
            x: area.x + area.width - hint_w,
            width: hint_w,
            ..area
        };
        Line::from(Span::styled(hint, theme.muted())).render(r, buf);
    }
}

pub(super) fn toast(t: &crate::app::state::Toast, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let width = (t.text.chars().count() as u16 + 4)
        .min(area.width.saturating_sub(2))
        .max(10);
    let lines = (t.text.chars().count() as u16 / width.saturating_sub(4).max(1)) + 1;
    let height = (lines + 2).min(area.height);
    let rect = Rect {
        x: area.x + area.width.saturating_sub(width + 1),
        y: area.y + area.height.saturating_sub(height),
        width,
        height,
    };
    Clear.render(rect, buf);
    let style = if t.error {
        theme.error()
    } else {
        theme.fg(theme.ok)
    };
    Paragraph::new(t.text.clone())
        .wrap(Wrap { trim: true })
        .style(theme.base())
        .block(Block::default().borders(Borders::ALL).border_style(style))
        .render(rect, buf);
}
