//! The mouse, for those who want it (off by default: over SSH it gets in the way of copying
//! text; `mouse = true` in the config or `M` turns it on). A click on a tab or a pane's title
//! focuses that pane, a click on a row selects it, the wheel scrolls what is under it. Every
//! move goes through the same keys a person would press.

use super::input::{Effect, handle_key};
use super::regions::Regions;
use super::state::{Input, Overlay, Pane, State};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

/// Presses Down (or Up) `n` times.
fn step(s: &mut State, delta: isize) -> Vec<Effect> {
    let code = if delta > 0 {
        KeyCode::Down
    } else {
        KeyCode::Up
    };
    let mut fx = vec![];
    for _ in 0..delta.unsigned_abs() {
        fx.extend(handle_key(s, key(code)));
    }
    fx
}

/// The rows of a pane's table, top to bottom: which item each is (`None` for a stack's group
/// header), and the row of the selected item.
fn table_rows(s: &State, pane: Pane) -> (Vec<Option<usize>>, usize) {
    if pane == Pane::Services
        && let Some(v) = &s.slot
    {
        let n = v.listing.as_ref().map_or(0, |l| l.rows.len());
        return ((0..n).map(Some).collect(), v.selected);
    }
    let selected = s.view(pane).selected;
    if pane != Pane::Services {
        let n = s.visible_ids(pane).len();
        return ((0..n).map(Some).collect(), selected);
    }
    // As the services pane draws them: a header before each stack's group.
    let list = s.visible_workloads();
    let mut rows = vec![];
    let mut sel_row = 0;
    for (i, w) in list.iter().enumerate() {
        if i == 0 || list[i - 1].stack != w.stack {
            rows.push(None);
        }
        if i == selected {
            sel_row = rows.len();
        }
        rows.push(Some(i));
    }
    (rows, sel_row)
}

/// Which pane a tab of the tab strip at column `x` is.
fn tab_at(s: &State, tabs: Rect, x: u16) -> Option<Pane> {
    let mut left = tabs.x;
    for p in Pane::ALL {
        let w = format!(" {} {} ", p.number(), s.pane_title(p))
            .chars()
            .count() as u16;
        if x >= left && x < left + w {
            return Some(p);
        }
        left += w + 1;
    }
    None
}

/// A mouse event over the screen laid out as `regions` (from `ui::regions`).
pub fn handle_mouse(s: &mut State, m: MouseEvent, regions: &Regions) -> Vec<Effect> {
    let at = Position::new(m.column, m.row);
    let free = s.input == Input::Normal && s.overlay == Overlay::None && s.editor.is_none();
    let under = regions
        .panes
        .iter()
        .find(|(_, r)| r.contains(at))
        .map(|(p, r)| (*p, *r));
    match m.kind {
        MouseEventKind::ScrollUp | MouseEventKind::ScrollDown => {
            if free && let Some((p, _)) = under {
                s.focus = p;
            }
            let delta = if m.kind == MouseEventKind::ScrollUp {
                -3
            } else {
                3
            };
            step(s, delta)
        }
        MouseEventKind::Down(MouseButton::Left) if free => {
            if regions.tabs.contains(at) {
                if let Some(p) = tab_at(s, regions.tabs, m.column) {
                    s.focus = p;
                }
                return vec![];
            }
            let Some((pane, r)) = under else {
                return vec![];
            };
            s.focus = pane;
            // The title (top border) focuses; the header row and borders do no more.
            let inner = Rect::new(
                r.x + 1,
                r.y + 1,
                r.width.saturating_sub(2),
                r.height.saturating_sub(2),
            );
            if !pane.is_list() || !inner.contains(at) || m.row == inner.y {
                return vec![];
            }
            let height = inner.height.saturating_sub(1) as usize;
            let (rows, sel_row) = table_rows(s, pane);
            let offset = (sel_row + 1).saturating_sub(height);
            let clicked = offset + (m.row - inner.y - 1) as usize;
            let Some(Some(item)) = rows.get(clicked) else {
                return vec![];
            };
            let current = rows.get(sel_row).copied().flatten().unwrap_or(0);
            step(s, *item as isize - current as isize)
        }
        _ => vec![],
    }
}
