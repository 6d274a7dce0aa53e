//! The class screen: one row per student, one column per step, the selected cell's reason and
//! the time it last changed under the grid.

use crate::app::class::ClassView;
use crate::tr;
use crate::ui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

fn short(step: &str) -> &str {
    step.split('-').next().unwrap_or(step)
}

/// The grid's lines: the header of step numbers, then a row per student.
fn grid(v: &ClassView, theme: &Theme, name_w: usize) -> Vec<Line<'static>> {
    let mut head = vec![Span::styled(
        format!("{:<name_w$} ", tr!("col.student")),
        theme.header(),
    )];
    for (k, s) in v.steps.iter().enumerate() {
        let style = if k == v.col {
            theme.header().add_modifier(Modifier::REVERSED)
        } else {
            theme.header()
        };
        head.push(Span::styled(format!("{:^3}", short(s)), style));
    }
    head.push(Span::styled(
        format!(" {}", tr!("col.done")),
        theme.header(),
    ));
    let mut lines = vec![Line::from(head)];
    for (r, st) in v.class.students.iter().enumerate() {
        let name: String = crate::sanitize::one_line(&st.name)
            .chars()
            .take(name_w)
            .collect();
        let mut spans = vec![Span::styled(
            format!("{name:<name_w$} "),
            if r == v.row {
                theme.selection()
            } else {
                theme.base()
            },
        )];
        for k in 0..v.steps.len() {
            let m = v.cell(r, k);
            let mut style = match m {
                "✓" => theme.fg(theme.ok),
                "✗" => theme.error(),
                _ => theme.muted(),
            };
            if r == v.row && k == v.col {
                style = style.add_modifier(Modifier::REVERSED | Modifier::BOLD);
            }
            spans.push(Span::styled(format!(" {m} "), style));
        }
        let look = v.looks.get(r).and_then(Option::as_ref);
        let tail = match look {
            Some(l) if l.reachable => format!(" {}", l.done()),
            Some(l) => format!(" {}", crate::output::where_(l)),
            None => String::new(),
        };
        let style = if look.is_some_and(|l| !l.reachable) {
            theme.error()
        } else {
            theme.base()
        };
        spans.push(Span::styled(crate::sanitize::one_line(&tail), style));
        lines.push(Line::from(spans));
    }
    lines
}

/// What the selected cell says: the student, the step, where they were looked at, why, since
/// when.
fn detail(v: &ClassView, theme: &Theme) -> Vec<Line<'static>> {
    let (Some(st), Some(step)) = (v.class.students.get(v.row), v.steps.get(v.col)) else {
        return vec![];
    };
    let mut lines = vec![Line::from(Span::styled(
        crate::sanitize::one_line(&format!("{} · {step}", st.name)),
        theme.header(),
    ))];
    let Some(look) = v.looks.get(v.row).and_then(Option::as_ref) else {
        return lines;
    };
    lines.push(Line::from(Span::styled(
        crate::sanitize::one_line(&crate::output::where_(look)),
        theme.muted(),
    )));
    if let Some(s) = look.steps.get(v.col) {
        if let Some(at) = s.passed_at {
            lines.push(Line::from(Span::styled(
                tr!("lab.passed_at", at = crate::time::format_local(at)),
                theme.fg(theme.ok),
            )));
        }
        for r in &s.reasons {
            lines.push(Line::from(Span::styled(
                format!("✗ {}", crate::sanitize::one_line(r)),
                theme.error(),
            )));
        }
    }
    if let Some(at) = v
        .changed
        .get(v.row)
        .and_then(|c| c.get(v.col))
        .copied()
        .flatten()
    {
        lines.push(Line::from(Span::styled(
            tr!("class.changed_at", at = crate::time::format_local(at)),
            theme.muted(),
        )));
    }
    lines
}

pub fn draw(v: &ClassView, theme: &Theme, area: Rect, buf: &mut Buffer) {
    buf.set_style(area, theme.base());
    let name_w = v
        .class
        .students
        .iter()
        .map(|s| s.name.chars().count())
        .max()
        .unwrap_or(8)
        .clamp(8, 24);
    let rows = v.class.students.len() as u16 + 3;
    let [top, bottom, help] = Layout::vertical([
        Constraint::Length(rows.min(area.height.saturating_sub(6))),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    let title = tr!(
        "class.title",
        lab = v.class.lab,
        count = v.class.students.len()
    );
    Paragraph::new(grid(v, theme, name_w))
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.border(true))
                .title(Span::styled(format!(" {title} "), theme.fg(theme.accent))),
        )
        .render(top, buf);
    Paragraph::new(detail(v, theme))
        .wrap(Wrap { trim: false })
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.border(false)),
        )
        .render(bottom, buf);
    Paragraph::new(Span::styled(tr!("class.help"), theme.muted())).render(help, buf);
}
