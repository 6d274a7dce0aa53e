//! Images of the local engine: repository, tag, short ID, size, age. One row per tag, so every tag
//! of an image ID shows.

use super::{frame, message};
use crate::app::sorted as sort;
use crate::app::state::{Pane, State};
use crate::model::human_size;
use crate::tr;
use crate::ui::theme::Theme;
use crate::ui::widgets::table::{self, Col, TableRow};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub fn render(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer, focused: bool) {
    let list = state.visible_images();
    let extra = if state.cluster.images.is_empty() {
        String::new()
    } else {
        format!("({})", state.cluster.images.len())
    };
    let inner = frame(state, Pane::Images, &extra, theme, area, buf, focused);
    if !state.cluster.loaded.images {
        return message(&tr!("pane.loading"), theme.muted(), inner, buf);
    }
    if list.is_empty() {
        let text = if state.is_kube() {
            tr!("images.none_kube")
        } else if state.cluster.images.is_empty() {
            tr!("images.none")
        } else {
            tr!("pane.empty_filter")
        };
        return message(&text, theme.muted(), inner, buf);
    }
    let cols = [
        Col::new(
            sort::title(state, Pane::Images, 0, tr!("col.repository")),
            20,
            3,
            0,
        )
        .cut_left(),
        Col::new(sort::title(state, Pane::Images, 1, tr!("col.tag")), 8, 1, 0),
        Col::new(
            sort::title(state, Pane::Images, 2, tr!("col.image_id")),
            12,
            0,
            1,
        ),
        Col::new(
            sort::title(state, Pane::Images, 3, tr!("col.size")),
            8,
            0,
            2,
        ),
        Col::new(
            sort::title(state, Pane::Images, 4, tr!("col.created")),
            7,
            0,
            3,
        ),
    ];
    let row = |k: usize| {
        let i = list[k];
        TableRow {
            cells: vec![
                Line::from(i.repo.clone()),
                Line::from(Span::styled(i.tag.clone(), theme.fg(theme.accent))),
                Line::from(Span::styled(
                    i.id.get(..12).unwrap_or(&i.id).to_string(),
                    theme.muted(),
                )),
                Line::from(human_size(i.size)),
                Line::from(crate::time::age(i.created, state.now)),
            ],
            style: theme.base(),
            header: false,
        }
    };
    table::render(
        &cols,
        list.len(),
        &row,
        Some(state.view(Pane::Images).selected),
        theme,
        inner,
        buf,
    );
}
