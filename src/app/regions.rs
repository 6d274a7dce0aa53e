//! The screen's parts as the renderer lays them out: the console's own key and mouse handling
//! read them (a click on a tab, a row, a title), the renderer (`ui::regions`) fills them in.

use crate::model::Pane;
use ratatui::layout::Rect;

/// Where each part of the screen goes. Empty rectangles for parts not shown.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Regions {
    pub tabs: Rect,
    /// Everything between the tab strip and the prompt line.
    pub body: Rect,
    /// The body without the lab's side pane.
    pub main: Rect,
    pub lab: Option<Rect>,
    pub prompt: Rect,
    pub status: Rect,
    /// The panes drawn (none while the editor is open).
    pub panes: Vec<(Pane, Rect)>,
}
