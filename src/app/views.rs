//! A view in the services pane's place (`:networks`, `:volumes`, `:secrets`, `:configs`), as k9s
//! shows a resource in its main list: rows kept fresh by the backend, a selection, the pane's
//! filter, `y`/Enter to inspect a row, Esc to go back to the services.

use crate::model::listing::{Listing, ViewKind};

#[derive(Debug, Clone, PartialEq)]
pub struct SlotView {
    pub kind: ViewKind,
    /// `None` until the backend has listed it.
    pub listing: Option<Listing>,
    pub selected: usize,
    /// The column its rows are sorted by (`o`, `O`).
    pub sort: Option<super::sort::Sort>,
    /// The Kubernetes kind a `Resource` view shows, as the user named it (`crd`).
    pub resource: Option<String>,
    /// Why the backend could not show it (no such kind, not allowed).
    pub failed: Option<String>,
}

impl SlotView {
    pub fn new(kind: ViewKind) -> SlotView {
        SlotView {
            kind,
            listing: None,
            selected: 0,
            sort: None,
            resource: None,
            failed: None,
        }
    }

    /// A Kubernetes kind's table (`:crd`), as the server prints it.
    pub fn resource(word: &str) -> SlotView {
        SlotView {
            resource: Some(word.to_string()),
            ..SlotView::new(ViewKind::Resource)
        }
    }

    /// Whether a listing is this view's (the kind asked last, not one shown before it).
    pub fn takes(&self, l: &Listing) -> bool {
        self.kind == l.kind && self.resource == l.resource
    }

    /// The name `inspect` and `delete` give the selected row: `KIND/NAME` on a kind's table.
    pub fn object_name(&self, filter: &str) -> Option<String> {
        let name = self.selected_name(filter)?;
        Some(match &self.resource {
            Some(word) => format!("{word}/{name}"),
            None => name,
        })
    }

    /// The rows that hold `filter` (case-insensitive) in any cell.
    pub fn visible(&self, filter: &str) -> Vec<&Vec<String>> {
        let f = filter.to_lowercase();
        let mut rows: Vec<&Vec<String>> = self
            .listing
            .iter()
            .flat_map(|l| l.rows.iter())
            .filter(|r| f.is_empty() || r.iter().any(|c| c.to_lowercase().contains(&f)))
            .collect();
        super::sort::apply(&mut rows, self.sort, |r: &Vec<String>, col| {
            super::sort::cell(r.get(col).map(String::as_str).unwrap_or(""))
        });
        rows
    }

    pub fn move_by(&mut self, delta: isize, filter: &str) {
        let n = self.visible(filter).len();
        self.selected = if n == 0 {
            0
        } else {
            (self.selected as isize + delta).clamp(0, n as isize - 1) as usize
        };
    }

    /// The selected row.
    pub fn selected_row(&self, filter: &str) -> Option<Vec<String>> {
        let rows = self.visible(filter);
        rows.get(self.selected.min(rows.len().saturating_sub(1)))
            .map(|r| r.to_vec())
    }

    /// The selected row's name.
    pub fn selected_name(&self, filter: &str) -> Option<String> {
        let rows = self.visible(filter);
        rows.get(self.selected.min(rows.len().saturating_sub(1)))
            .and_then(|r| r.first().cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_and_moves_within_the_rows() {
        let mut v = SlotView::new(ViewKind::Networks);
        assert!(v.visible("").is_empty());
        v.move_by(1, "");
        assert_eq!(v.selected, 0);
        v.listing = Some(Listing {
            kind: ViewKind::Networks,
            titles: Vec::new(),
            resource: None,
            columns: vec!["name", "driver"],
            rows: vec![
                vec!["ingress".into(), "overlay".into()],
                vec!["bridge".into(), "bridge".into()],
                vec!["gopenux_default".into(), "overlay".into()],
            ],
        });
        assert_eq!(v.visible("OVERLAY").len(), 2);
        v.move_by(5, "overlay");
        assert_eq!(
            v.selected_name("overlay").as_deref(),
            Some("gopenux_default")
        );
        v.move_by(-9, "");
        assert_eq!(v.selected_name("").as_deref(), Some("ingress"));
    }
}
