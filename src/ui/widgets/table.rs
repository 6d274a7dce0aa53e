//! A list table that fits any width: columns have a priority and the least important ones are
//! dropped when the pane is narrow; the selected row is kept in view.

use crate::ui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Row, StatefulWidget, Table, TableState};

pub struct Col {
    pub title: String,
    /// Minimum width in cells.
    pub min: u16,
    /// Share of the spare width (0: fixed at `min`).
    pub grow: u16,
    /// Lower is more important; the highest are dropped first when space runs out.
    pub priority: u8,
    /// Cut long values at the left (`…/api-semana-3:latest`): the end is what matters.
    pub cut_left: bool,
}

impl Col {
    pub fn new(title: String, min: u16, grow: u16, priority: u8) -> Col {
        Col {
            title,
            min,
            grow,
            priority,
            cut_left: false,
        }
    }

    pub fn cut_left(mut self) -> Col {
        self.cut_left = true;
        self
    }
}

/// The first `width` cells of a line, the last of them an ellipsis, each span keeping its style.
fn cut_right(line: Line<'_>, width: u16) -> Line<'static> {
    let mut spans = Vec::new();
    let mut used = 0usize;
    let room = (width as usize).saturating_sub(1);
    let mut last_style = ratatui::style::Style::default();
    'outer: for span in &line.spans {
        last_style = span.style;
        let mut text = String::new();
        for c in span.content.chars() {
            let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            if used + w > room {
                if !text.is_empty() {
                    spans.push(ratatui::text::Span::styled(text, span.style));
                }
                break 'outer;
            }
            used += w;
            text.push(c);
        }
        spans.push(ratatui::text::Span::styled(text, span.style));
    }
    if width > 0 {
        spans.push(ratatui::text::Span::styled("…", last_style));
    }
    Line::from(spans)
}

/// A value cut at its start, in its first span's style. An image reference loses its registry
/// and path first (`…/api-semana-3:latest`), then the middle of its name, never its start or
/// its tag (`api-s…:latest`): what tells two images apart is the name. Anything else keeps its
/// last `width` cells after an ellipsis.
fn cut_left(line: Line<'_>, width: u16) -> Line<'static> {
    let style = line.spans.first().map(|s| s.style).unwrap_or_default();
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    let width = width as usize;
    Line::from(ratatui::text::Span::styled(shortened(&text, width), style))
}

fn cells(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// The first cells of `s` that fit in `width`.
fn head(s: &str, width: usize) -> String {
    let mut used = 0;
    s.chars()
        .take_while(|c| {
            used += unicode_width::UnicodeWidthChar::width(*c).unwrap_or(0);
            used <= width
        })
        .collect()
}

/// The last cells of `s` that fit in `width`.
fn tail(s: &str, width: usize) -> String {
    let mut used = 0;
    let mut out: Vec<char> = s
        .chars()
        .rev()
        .take_while(|c| {
            used += unicode_width::UnicodeWidthChar::width(*c).unwrap_or(0);
            used <= width
        })
        .collect();
    out.reverse();
    out.into_iter().collect()
}

pub(crate) fn shortened(text: &str, width: usize) -> String {
    if cells(text) <= width {
        return text.to_string();
    }
    // Whole path parts given up from the left, as few as make it fit.
    let parts: Vec<usize> = text.match_indices('/').map(|(i, _)| i + 1).collect();
    if let Some(&from) = parts.iter().find(|&&i| cells(&text[i..]) + 2 <= width) {
        return format!("…/{}", &text[from..]);
    }
    let last = text.rsplit('/').next().unwrap_or(text);
    if cells(last) <= width {
        return last.to_string();
    }
    if let Some((name, tag)) = last.rsplit_once(':')
        && !name.is_empty()
    {
        // A short name whole and the start of a long tag (`redis:7.2-al…`)...
        if cells(name) + 5 <= width {
            return format!("{name}:{}…", head(tag, width - cells(name) - 2));
        }
        // ...else the name's start and the whole tag, the middle of the name given up.
        if cells(tag) + 3 <= width {
            let room = width - cells(tag) - 2;
            return format!("{}…:{tag}", head(name, room));
        }
    }
    format!("…{}", tail(text, width.saturating_sub(1)))
}

pub struct TableRow<'a> {
    pub cells: Vec<Line<'a>>,
    pub style: ratatui::style::Style,
    /// Group headers span the row and cannot be selected.
    pub header: bool,
}

/// Which columns fit in `width`, by priority: first those whose minimums fit; then, while the
/// content still does not fit, columns with nothing to show and optional columns (priority 3 and
/// up) make room before names get cut.
pub fn fit(cols: &[Col], width: u16) -> Vec<usize> {
    fit_content(
        cols,
        width,
        &cols.iter().map(|c| c.min).collect::<Vec<_>>(),
        &vec![false; cols.len()],
    )
}

pub fn fit_content(cols: &[Col], width: u16, content: &[u16], empty: &[bool]) -> Vec<usize> {
    let mut keep: Vec<usize> = (0..cols.len()).collect();
    let need = |k: &[usize], w: &dyn Fn(usize) -> u16| k.iter().map(|&i| w(i) + 1).sum::<u16>();
    let drop_worst = |keep: &mut Vec<usize>, allowed: &dyn Fn(usize) -> bool| -> bool {
        let pick = keep
            .iter()
            .copied()
            .filter(|&i| allowed(i))
            .max_by_key(|&i| (empty[i], cols[i].priority, i));
        match pick {
            Some(d) if keep.len() > 1 => {
                keep.retain(|&i| i != d);
                true
            }
            _ => false,
        }
    };
    while need(&keep, &|i| cols[i].min) > width + 1 {
        if !drop_worst(&mut keep, &|_| true) {
            break;
        }
    }
    let want = |i: usize| content[i].max(cols[i].min);
    while need(&keep, &want) > width + 1 {
        if !drop_worst(&mut keep, &|i| empty[i] || cols[i].priority >= 3) {
            break;
        }
    }
    keep
}

/// Column widths for `width` cells: each column gets what its content needs when everything fits,
/// spare width going to the growing columns. Otherwise the essential columns (priority 0) get
/// their content first, up to two thirds of the width, and the others share the rest so that
/// short values (a tag, ports, a size) stay whole and only the longest ones are cut.
pub fn widths(cols: &[Col], keep: &[usize], content: &[u16], width: u16) -> Vec<u16> {
    let gaps = keep.len().saturating_sub(1) as u16;
    let avail = width.saturating_sub(gaps);
    let want: Vec<u16> = keep.iter().map(|&i| content[i].max(cols[i].min)).collect();
    let total: u16 = want.iter().sum();
    if total <= avail {
        let mut out = want;
        let spare = avail - total;
        let grow: u32 = keep.iter().map(|&i| u32::from(cols[i].grow)).sum();
        if grow > 0 {
            let mut given = 0;
            for (k, &i) in keep.iter().enumerate() {
                // At most `spare`, so it fits in u16.
                let add = (u32::from(spare) * u32::from(cols[i].grow))
                    .checked_div(grow)
                    .unwrap_or(0) as u16;
                out[k] += add;
                given += add;
            }
            if let Some(k) = keep.iter().rposition(|&i| cols[i].grow > 0) {
                out[k] += spare - given;
            }
        }
        return out;
    }
    // Short of space: what each column's content needs (its title at least, not its minimum).
    let need: Vec<u16> = keep.iter().map(|&i| content[i]).collect();
    let mut out = vec![0u16; keep.len()];
    // Water-filling: the shortest first, each at most an even share of what is left, so that
    // the cut falls on the longest values.
    let fill = |ks: Vec<usize>, room: u16, out: &mut Vec<u16>| -> u16 {
        let mut ks = ks;
        ks.sort_by_key(|&k| need[k] - out[k]);
        let mut left = room;
        let mut n = ks.len() as u16;
        for k in ks {
            let give = (need[k] - out[k]).min(left / n.max(1));
            out[k] += give;
            left -= give;
            n -= 1;
        }
        room - left
    };
    let essential: Vec<usize> = (0..keep.len())
        .filter(|&k| cols[keep[k]].priority == 0)
        .collect();
    let others: Vec<usize> = (0..keep.len())
        .filter(|&k| cols[keep[k]].priority != 0)
        .collect();
    // The essential columns (names, replicas) first, up to two thirds of the width; then the
    // others; what is left goes back to the essential ones.
    let mut left = avail;
    left -= fill(essential.clone(), avail * 2 / 3, &mut out);
    left -= fill(others, left, &mut out);
    fill(essential, left, &mut out);
    out
}

/// The rows a table of `area_height` cells (its header included) shows: the first ones, or
/// those that end with the selected row.
pub fn window(total: usize, selected: Option<usize>, area_height: u16) -> std::ops::Range<usize> {
    if area_height < 2 {
        return 0..0;
    }
    let height = (area_height - 1) as usize;
    let offset = selected
        .filter(|s| *s < total)
        .map_or(0, |s| (s + 1).saturating_sub(height));
    offset..total.min(offset + height)
}

/// Draws rows `0..total`, building only those in view (`row(i)` makes row `i`), so a list of
/// thousands costs what a screenful does. Column widths follow the rows in view.
pub fn render<'a>(
    cols: &[Col],
    total: usize,
    row: &dyn Fn(usize) -> TableRow<'a>,
    selected: Option<usize>,
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    if area.width == 0 || area.height < 2 {
        return;
    }
    let sel = selected.filter(|s| *s < total);
    let shown = window(total, selected, area.height);
    let offset = shown.start;
    let rows: Vec<TableRow> = shown.map(row).collect();
    let mut content: Vec<u16> = cols
        .iter()
        .map(|c| c.title.chars().count() as u16)
        .collect();
    let mut empty = vec![true; cols.len()];
    for r in rows.iter().filter(|r| !r.header) {
        for (i, cell) in r.cells.iter().enumerate().take(cols.len()) {
            let w = cell.width().min(u16::MAX as usize) as u16;
            content[i] = content[i].max(w);
            empty[i] &= w == 0;
        }
    }
    for r in rows.iter().filter(|r| r.header) {
        if let Some(cell) = r.cells.first() {
            content[0] = content[0].max(cell.width().min(u16::MAX as usize) as u16);
        }
    }
    let keep = fit_content(cols, area.width, &content, &empty);
    let sizes = widths(cols, &keep, &content, area.width);
    let widths: Vec<Constraint> = sizes.iter().copied().map(Constraint::Length).collect();
    let header = Row::new(
        keep.iter()
            .map(|&i| Line::from(cols[i].title.clone()))
            .collect::<Vec<_>>(),
    )
    .style(theme.header());
    let body: Vec<Row> = rows
        .into_iter()
        .map(|r| {
            if r.header {
                return Row::new(r.cells.into_iter().take(1).collect::<Vec<_>>()).style(r.style);
            }
            let mut cells = r.cells;
            let last = cells.len().saturating_sub(1);
            let picked: Vec<Line> = keep
                .iter()
                .zip(&sizes)
                .filter_map(|(&i, &w)| {
                    let cell = cells.get_mut(i.min(last)).map(std::mem::take)?;
                    // A value that does not fit says so with an ellipsis, at the end that
                    // matters less.
                    Some(if cell.width() <= w as usize {
                        cell
                    } else if cols[i].cut_left {
                        cut_left(cell, w)
                    } else {
                        cut_right(cell, w)
                    })
                })
                .collect();
            Row::new(picked).style(r.style)
        })
        .collect();
    let table = Table::new(body, widths)
        .header(header)
        .column_spacing(1)
        .row_highlight_style(theme.selection());
    let mut st = TableState::default().with_selected(sel.map(|s| s - offset));
    StatefulWidget::render(table, area, buf, &mut st);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_references_keep_their_name_and_tag() {
        let api = "registry.developers.lan/gopenux/api-semana-3:latest";
        let web = "registry.developers.lan/gopenux/frontend-semana-3:latest";
        assert_eq!(shortened(api, 21), "…/api-semana-3:latest");
        assert_eq!(shortened(api, 30), "…/gopenux/api-semana-3:latest");
        assert_eq!(shortened(api, 12), "api-…:latest");
        assert_eq!(shortened(web, 12), "fron…:latest");
        assert_eq!(shortened(api, 60), api);
        assert_eq!(shortened("gopenux_image-microservice", 10), "…roservice");
        assert_eq!(cells(&shortened(api, 5)), 5);
        assert_eq!(shortened("redis:7.2-alpine", 13), "redis:7.2-al…");
    }

    #[test]
    fn narrow_tables_drop_the_least_important_columns() {
        let cols = vec![
            Col::new("A".into(), 10, 1, 0),
            Col::new("B".into(), 10, 0, 2),
            Col::new("C".into(), 10, 0, 1),
        ];
        assert_eq!(fit(&cols, 40), vec![0, 1, 2]);
        assert_eq!(fit(&cols, 25), vec![0, 2]);
        assert_eq!(fit(&cols, 5), vec![0]);
    }

    #[test]
    fn empty_and_optional_columns_make_room_for_content() {
        let cols = vec![
            Col::new("Name".into(), 8, 1, 0),
            Col::new("Mode".into(), 6, 0, 3),
            Col::new("Err".into(), 6, 1, 2),
        ];
        // Everything fits at its content width.
        assert_eq!(
            fit_content(&cols, 40, &[20, 6, 6], &[false, false, false]),
            vec![0, 1, 2]
        );
        // Too narrow for the content: the empty column goes first, then the optional one.
        assert_eq!(
            fit_content(&cols, 29, &[20, 6, 6], &[false, false, true]),
            vec![0, 1]
        );
        assert_eq!(
            fit_content(&cols, 25, &[20, 6, 6], &[false, false, false]),
            vec![0, 2]
        );
    }

    #[test]
    fn widths_follow_content_and_share_the_shortfall() {
        let cols = vec![Col::new("A".into(), 4, 1, 0), Col::new("B".into(), 4, 0, 1)];
        // Everything fits: content widths, the spare to the growing column.
        assert_eq!(widths(&cols, &[0, 1], &[10, 6], 30), vec![23, 6]);
        // Too narrow: the essential column gets up to two thirds, the other what it needs.
        assert_eq!(widths(&cols, &[0, 1], &[24, 4], 15), vec![10, 4]);
        // The essential column gets its content before the others share.
        let cols = vec![Col::new("A".into(), 4, 1, 0), Col::new("B".into(), 4, 1, 2)];
        assert_eq!(widths(&cols, &[0, 1], &[10, 30], 25), vec![10, 14]);
        // Short values stay whole; the longest one is cut (a repository, not its tag).
        let cols = vec![
            Col::new("Repository".into(), 20, 3, 1).cut_left(),
            Col::new("Tag".into(), 8, 1, 1),
            Col::new("Size".into(), 8, 0, 2),
        ];
        assert_eq!(widths(&cols, &[0, 1, 2], &[52, 10, 6], 60), vec![42, 10, 6]);
    }

    #[test]
    fn cut_values_end_in_an_ellipsis() {
        let l = cut_right(Line::from("80->80,443->443"), 8);
        assert_eq!(l.to_string(), "80->80,…");
        let l = cut_left(Line::from("registry.lan/frontend"), 10);
        assert_eq!(l.to_string(), "…/frontend");
    }
}
