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

/// The last `width` cells of a line's text, after an ellipsis, in its first span's style.
fn cut_left(line: Line<'_>, width: u16) -> Line<'static> {
    let style = line.spans.first().map(|s| s.style).unwrap_or_default();
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    let mut tail: Vec<char> = Vec::new();
    let mut used = 1;
    for c in text.chars().rev() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > width as usize {
            break;
        }
        used += w;
        tail.push(c);
    }
    tail.reverse();
    Line::from(ratatui::text::Span::styled(
        format!("…{}", tail.into_iter().collect::<String>()),
        style,
    ))
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

/// Column widths for `width` cells: each column gets what its content needs when everything fits;
/// otherwise every column gets its minimum and the rest is shared in proportion to what each
/// still lacks. Spare width goes to the growing columns.
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
    // Short of space: the essential columns (priority 0) get their content, up to half the
    // width between them; the others share what is left by what each lacks.
    let mut mins: Vec<u16> = keep.iter().map(|&i| cols[i].min).collect();
    let base: u16 = mins.iter().sum();
    let mut budget = avail.saturating_sub(base).min(avail / 2);
    for (k, &i) in keep.iter().enumerate() {
        if cols[i].priority == 0 {
            let add = (want[k] - mins[k]).min(budget);
            mins[k] += add;
            budget -= add;
        }
    }
    let base: u16 = mins.iter().sum();
    let spare = avail.saturating_sub(base) as u32;
    let lack: Vec<u32> = want
        .iter()
        .zip(&mins)
        .map(|(w, m)| u32::from(w.saturating_sub(*m)))
        .collect();
    let lack_total: u32 = lack.iter().sum::<u32>().max(1);
    mins.iter()
        .zip(&lack)
        .map(|(m, l)| m + (spare * l / lack_total) as u16)
        .collect()
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
    let height = (area.height - 1) as usize;
    let sel = selected.filter(|s| *s < total);
    let offset = sel.map_or(0, |s| (s + 1).saturating_sub(height));
    let rows: Vec<TableRow> = (offset..total.min(offset + height)).map(row).collect();
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
                    Some(if cols[i].cut_left && cell.width() > w as usize {
                        cut_left(cell, w)
                    } else {
                        cell
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
        // Too narrow: minimums plus a share of what is left, by what each lacks.
        assert_eq!(widths(&cols, &[0, 1], &[24, 4], 15), vec![10, 4]);
        // The essential column gets its content before the others share.
        let cols = vec![Col::new("A".into(), 4, 1, 0), Col::new("B".into(), 4, 1, 2)];
        assert_eq!(widths(&cols, &[0, 1], &[10, 30], 25), vec![10, 14]);
    }
}
