//! Images of the local engine: repository, tag, short ID, size, age. One row per tag, so every tag
//! of an image ID shows.

use super::{frame, loading, message};
use crate::app::state::{Pane, State};
use crate::model::human_size;
use crate::tr;
use crate::ui::theme::Theme;
use crate::ui::widgets::table::{self, TableRow};
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
        return loading(state, theme, inner, buf);
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
    let cols = super::columns(state, Pane::Images, crate::columns::IMAGES, false);
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
