//! Sorting the list panes by a column: `o` picks the next column, `O` reverses; the header marks
//! the column with ▲ or ▼. Services keep their stack groups and sort inside each.

use crate::model::Workload;

/// The column a list is sorted by, and which way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub col: usize,
    pub desc: bool,
}

pub use crate::columns::Key;
use crate::columns::{Ctx, SERVICES, text_key};

/// Sorts `items` by the pane's sort, stably; without one they stay as listed.
pub fn apply<T>(items: &mut Vec<&T>, sort: Option<Sort>, key: impl Fn(&T, usize) -> Key) {
    apply_ranked(items, sort, |_| 0, key);
}

/// Services: inside each stack's group (groups stay in the order listed).
pub fn apply_grouped(
    items: &mut Vec<&Workload>,
    sort: Option<Sort>,
    cluster: &super::cluster::Cluster,
) {
    // A service's use is its tasks' total, from their last samples.
    let usage = |id: &str| {
        crate::model::stats::Usage::total(
            cluster
                .instances_of(id)
                .filter_map(|i| cluster.stats.last.get(&i.id)),
        )
    };
    let ctx = Ctx {
        now: 0,
        usage: &usage,
    };
    let mut groups: Vec<Option<String>> = vec![];
    for w in items.iter() {
        if !groups.contains(&w.stack) {
            groups.push(w.stack.clone());
        }
    }
    apply_ranked(
        items,
        sort,
        |w: &Workload| groups.iter().position(|g| *g == w.stack).unwrap_or(0),
        |w, col| crate::columns::key(SERVICES, w, col, &ctx),
    );
}

/// Sorts by (rank, the column's key), each key computed once.
fn apply_ranked<'a, T>(
    items: &mut Vec<&'a T>,
    sort: Option<Sort>,
    rank: impl Fn(&T) -> usize,
    key: impl Fn(&T, usize) -> Key,
) {
    let Some(s) = sort else { return };
    let mut keyed: Vec<(usize, Key, &'a T)> =
        items.iter().map(|t| (rank(t), key(t, s.col), *t)).collect();
    keyed.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| if s.desc { b.1.cmp(&a.1) } else { a.1.cmp(&b.1) })
    });
    *items = keyed.into_iter().map(|(_, _, t)| t).collect();
}

/// A cell of a view's row: a number when it reads as one, else text.
pub fn cell(c: &str) -> Key {
    match c.parse::<i64>() {
        Ok(n) => Key::Num(n),
        Err(_) => text_key(c),
    }
}

/// The sort after `o` (the next of `n` columns; after the last, none) or `O` (the other way).
pub fn cycle(sort: Option<Sort>, n: usize, reverse: bool) -> Option<Sort> {
    if n == 0 {
        return None;
    }
    match (sort, reverse) {
        (None, false) => Some(Sort {
            col: 0,
            desc: false,
        }),
        (Some(cur), false) if cur.col + 1 < n => Some(Sort {
            col: cur.col + 1,
            desc: false,
        }),
        (Some(_), false) => None,
        (None, true) => Some(Sort { col: 0, desc: true }),
        (Some(cur), true) => Some(Sort {
            desc: !cur.desc,
            ..cur
        }),
    }
}
