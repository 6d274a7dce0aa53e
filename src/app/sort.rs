//! Sorting the list panes by a column: `o` picks the next column, `O` reverses; the header marks
//! the column with ▲ or ▼. Services keep their stack groups and sort inside each.

use crate::model::Pane;
use crate::model::{Image, Instance, Node, Workload};

/// The column a list is sorted by, and which way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub col: usize,
    pub desc: bool,
}

/// A value to compare: numbers as numbers (replicas, sizes, ages), the rest as text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    Num(i64),
    Text(String),
}

fn text(s: &str) -> Key {
    Key::Text(s.to_lowercase())
}

/// The catalog keys of a pane's columns, left to right (as its header has them).
pub fn column_keys(pane: Pane) -> &'static [&'static str] {
    match pane {
        Pane::Nodes => &[
            "col.hostname",
            "col.role",
            "col.status",
            "col.availability",
            "col.engine",
            "col.address",
            "col.labels",
        ],
        Pane::Services => &[
            "col.name",
            "col.mode",
            "col.replicas",
            "col.image",
            "col.ports",
            "col.update",
            "col.cpu",
            "col.mem",
        ],
        Pane::Tasks => &[
            "col.name",
            "col.node",
            "col.desired",
            "col.current",
            "col.error",
            "col.image",
            "col.cpu",
            "col.mem",
        ],
        Pane::Images => &[
            "col.repository",
            "col.tag",
            "col.image_id",
            "col.size",
            "col.created",
        ],
        Pane::Logs => &[],
    }
}

/// How many columns a pane has.
pub fn columns(pane: Pane) -> usize {
    column_keys(pane).len()
}

pub fn node(n: &Node, col: usize) -> Key {
    match col {
        0 => text(&n.hostname),
        1 => Key::Num(match (n.role, n.leader) {
            (crate::model::Role::Manager, true) => 0,
            (crate::model::Role::Manager, false) => 1,
            _ => 2,
        }),
        2 => text(&format!("{:?}", n.status)),
        3 => text(&format!("{:?}", n.availability)),
        4 => text(&n.engine),
        5 => text(&n.addr),
        _ => text(
            &n.labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(","),
        ),
    }
}

pub fn workload(w: &Workload, col: usize) -> Key {
    match col {
        0 => text(&w.name),
        1 => text(&format!("{:?}", w.mode)),
        2 => Key::Num(w.running as i64 * 100_000 + w.desired as i64),
        3 => text(&w.image),
        4 => Key::Num(
            w.ports
                .iter()
                .filter_map(|p| p.published)
                .min()
                .map_or(i64::MAX, i64::from),
        ),
        _ => text(w.update.as_ref().map(|u| u.state.as_str()).unwrap_or("")),
    }
}

/// A task's key; CPU and memory from its last sample (none: below every measured one).
pub fn instance(i: &Instance, col: usize, stats: &crate::model::stats::StatsStore) -> Key {
    let sample = || stats.last.get(&i.id);
    match col {
        6 => Key::Num(sample().map_or(-1, |u| (u.cpu_percent * 1000.0) as i64)),
        7 => Key::Num(sample().map_or(-1, |u| u.mem_usage.min(i64::MAX as u64) as i64)),
        0 => Key::Text(format!(
            "{}{:>9}",
            i.name.split('.').next().unwrap_or(""),
            i.slot.unwrap_or(0)
        )),
        1 => text(&i.node),
        2 => text(&i.desired),
        // The state, then how long it has been in it.
        3 => Key::Text(format!("{}{:>20}", i.state, i64::MAX - i.since)),
        4 => text(i.error.as_deref().unwrap_or("")),
        _ => text(&i.image),
    }
}

pub fn image(i: &Image, col: usize) -> Key {
    match col {
        0 => text(&i.repo),
        1 => text(&i.tag),
        2 => text(&i.id),
        3 => Key::Num(i.size as i64),
        // Newest first reads as "created ▲": the age grows as the time goes back.
        _ => Key::Num(-i.created),
    }
}

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
        |w, col| match col {
            // The service's total use, from its tasks' last samples (none: below every one).
            6 | 7 => {
                let total = crate::model::stats::Usage::total(
                    cluster
                        .instances_of(&w.id)
                        .filter_map(|i| cluster.stats.last.get(&i.id)),
                );
                Key::Num(total.map_or(-1, |u| {
                    if col == 6 {
                        (u.cpu_percent * 1000.0) as i64
                    } else {
                        u.mem_usage.min(i64::MAX as u64) as i64
                    }
                }))
            }
            _ => workload(w, col),
        },
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
        Err(_) => text(c),
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
