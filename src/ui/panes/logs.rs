//! Logs of the followed service or task, each line prefixed `name.slot@node` like
//! `docker service logs`; stderr marked; search matches highlighted; optional timestamps and wrap.
//! Follows the bottom until scrolled up.

use super::{frame, message};
use crate::app::state::{Pane, State};
use crate::model::{LogLine, Stream};
use crate::tr;
use crate::ui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use unicode_width::UnicodeWidthChar;

/// A stable colour per source, so lines of one task read as one column.
fn source_color(source: &str, theme: &Theme) -> Style {
    if theme.monochrome {
        return Style::default();
    }
    let palette = [
        Color::Cyan,
        Color::Magenta,
        Color::Blue,
        Color::Green,
        Color::Yellow,
        Color::LightBlue,
    ];
    let h = source
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    Style::default().fg(palette[(h as usize) % palette.len()])
}

/// Spans of `text` with case-insensitive matches of `needle` highlighted.
fn highlighted<'a>(text: &'a str, needle: &str, base: Style, hl: Style) -> Vec<Span<'a>> {
    if needle.is_empty() {
        return vec![Span::styled(text, base)];
    }
    let lower = text.to_lowercase();
    let n = needle.to_lowercase();
    // Lowercasing can change byte lengths; highlight only when it does not.
    if lower.len() != text.len() {
        return vec![Span::styled(text, base)];
    }
    let mut out = Vec::new();
    let mut pos = 0;
    for (i, _) in lower.match_indices(&n) {
        if i < pos || !text.is_char_boundary(i) || !text.is_char_boundary(i + n.len()) {
            continue;
        }
        if i > pos {
            out.push(Span::styled(&text[pos..i], base));
        }
        out.push(Span::styled(&text[i..i + n.len()], hl));
        pos = i + n.len();
    }
    if pos < text.len() {
        out.push(Span::styled(&text[pos..], base));
    }
    out
}

fn line_spans<'a>(l: &'a LogLine, state: &State, theme: &Theme, prefix_w: usize) -> Vec<Span<'a>> {
    let mut spans = Vec::with_capacity(6);
    if state.logs.timestamps {
        let ts =
            l.ts.map(crate::time::format_clock)
                .unwrap_or_else(|| "--:--:--".into());
        spans.push(Span::styled(format!("{ts} "), theme.muted()));
    }
    // One gutter for every line: a longer source is cut at its start (the slot and node matter).
    let source = if l.source.chars().count() > prefix_w {
        let keep: String = l
            .source
            .chars()
            .rev()
            .take(prefix_w.saturating_sub(1))
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        format!("…{keep}")
    } else {
        format!("{:<prefix_w$}", l.source)
    };
    spans.push(Span::styled(source, source_color(&l.source, theme)));
    let (bar, text_style) = match l.stream {
        Stream::Stdout => (Span::styled(" │ ", theme.muted()), theme.base()),
        Stream::Stderr => (Span::styled(" ┃ ", theme.error()), theme.fg(theme.warn)),
    };
    spans.push(bar);
    spans.extend(highlighted(
        &l.text,
        &state.logs.search,
        text_style,
        theme.highlight(),
    ));
    spans
}

/// Splits spans into rows of at most `width` cells.
fn wrap_spans(spans: Vec<Span<'_>>, width: usize) -> Vec<Line<'static>> {
    let mut rows: Vec<Line<'static>> = vec![Line::default()];
    let mut used = 0;
    for s in spans {
        let mut chunk = String::new();
        for c in s.content.chars() {
            let w = c.width().unwrap_or(0);
            if used + w > width && used > 0 {
                if let Some(last) = rows.last_mut() {
                    last.spans
                        .push(Span::styled(std::mem::take(&mut chunk), s.style));
                }
                rows.push(Line::default());
                used = 0;
            }
            chunk.push(c);
            used += w;
        }
        if let Some(last) = rows.last_mut() {
            last.spans.push(Span::styled(chunk, s.style));
        }
    }
    rows
}

pub fn render(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer, focused: bool) {
    let logs = &state.logs;
    let mut extra = logs
        .target
        .as_ref()
        .map(|t| t.name().to_string())
        .unwrap_or_default();
    if logs.target.is_some() {
        let mode = if logs.following() {
            tr!("logs.following")
        } else {
            tr!("logs.paused", lines = logs.scroll)
        };
        extra.push_str(&format!(" · {mode}"));
        if logs.timestamps {
            extra.push_str(" · t");
        }
        if logs.wrap {
            extra.push_str(" · w");
        }
        if logs.filter.is_active() {
            extra.push_str(&format!(
                " · {} {}",
                tr!("logs.filter_title"),
                logs.filter.text
            ));
        }
        if !logs.search.is_empty() {
            extra.push_str(&format!(" · /{}", logs.search));
        }
    }
    let inner = frame(state, Pane::Logs, &extra, theme, area, buf, focused);
    if logs.target.is_none() {
        let text = if state.is_kube() {
            tr!("logs.pick_kube")
        } else {
            tr!("logs.pick")
        };
        return message(&text, theme.muted(), inner, buf);
    }
    if logs.lines.is_empty() {
        let text = match &logs.ended {
            Some(Some(e)) => tr!("logs.failed", error = e),
            Some(None) => tr!("logs.none"),
            None => tr!("logs.waiting"),
        };
        return message(&text, theme.muted(), inner, buf);
    }
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let height = inner.height as usize;
    let width = inner.width as usize;
    // The lines shown: every line, or the filter's.
    let shown: Vec<usize> = if logs.filter.is_active() {
        logs.visible()
    } else {
        (0..logs.lines.len()).collect()
    };
    if shown.is_empty() {
        return message(
            &tr!("logs.none_match", filter = logs.filter.text),
            theme.muted(),
            inner,
            buf,
        );
    }
    let bottom = shown.len() - 1 - logs.scroll.min(shown.len() - 1);
    let first = bottom.saturating_sub(height * 2);
    let prefix_w = shown[first..=bottom]
        .iter()
        .map(|&i| logs.lines[i].source.chars().count())
        .max()
        .unwrap_or(0)
        .min(width / 3);
    // Fill from the bottom up.
    let mut rows: Vec<Line> = Vec::with_capacity(height);
    for idx in shown[..=bottom].iter().rev().copied() {
        let spans = line_spans(&logs.lines[idx], state, theme, prefix_w);
        if logs.wrap {
            let wrapped = wrap_spans(spans, width);
            for r in wrapped.into_iter().rev() {
                rows.push(r);
                if rows.len() == height {
                    break;
                }
            }
        } else {
            rows.push(Line::from(spans));
        }
        if rows.len() >= height {
            break;
        }
    }
    rows.reverse();
    let top_pad = height.saturating_sub(rows.len());
    for (k, row) in rows.into_iter().enumerate() {
        let y = inner.y + (top_pad + k) as u16;
        row.render(
            Rect {
                y,
                height: 1,
                ..inner
            },
            buf,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlight_marks_every_match() {
        let spans = highlighted(
            "Error then error",
            "ERROR",
            Style::default(),
            Style::default().fg(Color::Red),
        );
        let texts: Vec<&str> = spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(texts, ["Error", " then ", "error"]);
    }

    #[test]
    fn wrapping_respects_width() {
        let rows = wrap_spans(vec![Span::raw("abcdefghij"), Span::raw("klm")], 4);
        let texts: Vec<String> = rows
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect();
        assert_eq!(texts, ["abcd", "efgh", "ijkl", "m"]);
    }
}
