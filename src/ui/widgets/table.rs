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
}

impl Col {
    pub fn new(title: String, min: u16, grow: u16, priority: u8) -> Col {
        Col {
            title,
            min,
            grow,
            priority,
        }
    }
}

pub struct TableRow<'a> {
    pub cells: Vec<Line<'a>>,
    pub style: ratatui::style::Style,
    /// Group headers span the row and cannot be selected.
    pub header: bool,
}

/// Which columns fit in `width`, by priority.
pub fn fit(cols: &[Col], width: u16) -> Vec<usize> {
    let mut keep: Vec<usize> = (0..cols.len()).collect();
    let need = |k: &[usize]| k.iter().map(|&i| cols[i].min + 1).sum::<u16>();
    while need(&keep) > width && keep.len() > 1 {
        let Some(drop) = keep.iter().copied().max_by_key(|&i| (cols[i].priority, i)) else {
            break;
        };
        keep.retain(|&i| i != drop);
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
        let grow: u16 = keep.iter().map(|&i| cols[i].grow).sum();
        if grow > 0 {
            let mut given = 0;
            for (k, &i) in keep.iter().enumerate() {
                let add = spare * cols[i].grow / grow;
                out[k] += add;
                given += add;
            }
            if let Some(k) = keep.iter().rposition(|&i| cols[i].grow > 0) {
                out[k] += spare - given;
            }
        }
        return out;
    }
    let mins: Vec<u16> = keep.iter().map(|&i| cols[i].min).collect();
    let base: u16 = mins.iter().sum();
    let spare = avail.saturating_sub(base) as u32;
    let lack: Vec<u32> = want
        .iter()
        .zip(&mins)
        .map(|(w, m)| u32::from(w - m))
        .collect();
    let lack_total: u32 = lack.iter().sum::<u32>().max(1);
    mins.iter()
        .zip(&lack)
        .map(|(m, l)| m + (spare * l / lack_total) as u16)
        .collect()
}

pub fn render(
    cols: &[Col],
    rows: Vec<TableRow<'_>>,
    selected: Option<usize>,
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let keep = fit(cols, area.width);
    let mut content: Vec<u16> = cols
        .iter()
        .map(|c| c.title.chars().count() as u16)
        .collect();
    for r in &rows {
        for (i, cell) in r.cells.iter().enumerate().take(cols.len()) {
            content[i] = content[i].max(cell.width().min(u16::MAX as usize) as u16);
        }
    }
    let widths: Vec<Constraint> = widths(cols, &keep, &content, area.width)
        .into_iter()
        .map(Constraint::Length)
        .collect();
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
                Row::new(r.cells.into_iter().take(1).collect::<Vec<_>>()).style(r.style)
            } else {
                let mut cells = r.cells;
                let last = cells.len().saturating_sub(1);
                let picked: Vec<Line> = keep
                    .iter()
                    .filter_map(|&i| cells.get_mut(i.min(last)).map(std::mem::take))
                    .collect();
                Row::new(picked).style(r.style)
            }
        })
        .collect();
    let table = Table::new(body, widths)
        .header(header)
        .column_spacing(1)
        .row_highlight_style(theme.selection());
    let mut st = TableState::default().with_selected(selected);
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
    fn widths_follow_content_and_share_the_shortfall() {
        let cols = vec![Col::new("A".into(), 4, 1, 0), Col::new("B".into(), 4, 0, 1)];
        // Everything fits: content widths, the spare to the growing column.
        assert_eq!(widths(&cols, &[0, 1], &[10, 6], 30), vec![23, 6]);
        // Too narrow: minimums plus a share of what is left, by what each lacks.
        assert_eq!(widths(&cols, &[0, 1], &[24, 4], 15), vec![10, 4]);
    }
}
