//! Sorting the list panes by a column: `o` picks the next column, `O` reverses; the header marks
//! the column with ▲ or ▼. Services keep their stack groups and sort inside each.

use super::state::{Pane, State};
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

/// `o`: the next column (after the last, back to the order as listed); `O`: the other way.
pub fn next(s: &mut State, pane: Pane, reverse: bool) {
    // The CPU and memory columns (the last two of services and tasks) are there only with samples.
    let measured = !s.cluster.stats.last.is_empty();
    let n = match pane {
        Pane::Services | Pane::Tasks if !measured => columns(pane) - 2,
        _ => columns(pane),
    };
    if n == 0 {
        return;
    }
    let v = s.view_mut(pane);
    v.sort = cycle(v.sort, n, reverse);
    let said = match v.sort {
        Some(sort) => crate::tr!(
            "sort.by",
            column = crate::i18n::text(column_keys(pane)[sort.col]),
            way = if sort.desc { "▼" } else { "▲" }
        ),
        None => crate::tr!("sort.none"),
    };
    s.reselect(pane);
    s.toast(said, false);
}

/// A column's title with the sort's mark when the list is sorted by it.
pub fn title(s: &State, pane: Pane, col: usize, title: String) -> String {
    match s.view(pane).sort {
        Some(sort) if sort.col == col => format!("{title}{}", if sort.desc { "▼" } else { "▲" }),
        _ => title,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::demo::Demo;

    fn demo() -> State {
        let mut s = State::new("demo", true, 100, 1_000_000);
        for ev in Demo::at(1_000_000).events() {
            s.apply_event(ev);
        }
        s
    }

    #[test]
    fn tasks_and_services_sort_by_cpu_once_measured() {
        let mut s = demo();
        // Without samples the cycle ends at the last column shown.
        for _ in 0..6 {
            next(&mut s, Pane::Tasks, false);
        }
        assert_eq!(
            s.view(Pane::Tasks).sort,
            Some(Sort {
                col: 5,
                desc: false
            })
        );
        next(&mut s, Pane::Tasks, false);
        assert_eq!(s.view(Pane::Tasks).sort, None);
        let ids: Vec<String> = s.cluster.instances.iter().map(|i| i.id.clone()).collect();
        let batch = ids
            .iter()
            .enumerate()
            .map(|(k, id)| {
                let u = crate::model::stats::Usage {
                    cpu_percent: ((k * 7) % 11) as f64,
                    ..Default::default()
                };
                (id.clone(), u)
            })
            .collect();
        s.apply_event(crate::backend::Event::Stats(batch));
        s.view_mut(Pane::Tasks).sort = Some(Sort { col: 6, desc: true });
        let cpu = |s: &State| -> Vec<f64> {
            s.visible_instances()
                .iter()
                .map(|i| s.cluster.stats.last[&i.id].cpu_percent)
                .collect()
        };
        let got = cpu(&s);
        assert!(
            got.len() > 1 && got.windows(2).all(|p| p[0] >= p[1]),
            "{got:?}"
        );
        s.view_mut(Pane::Services).sort = Some(Sort {
            col: 6,
            desc: false,
        });
        let totals: Vec<f64> = s
            .visible_workloads()
            .iter()
            .filter(|w| w.stack.is_some())
            .map(|w| {
                s.cluster
                    .instances_of(&w.id)
                    .filter_map(|i| s.cluster.stats.last.get(&i.id))
                    .map(|u| u.cpu_percent)
                    .sum()
            })
            .collect();
        assert!(totals.windows(2).all(|p| p[0] <= p[1]), "{totals:?}");
    }

    #[test]
    fn o_cycles_the_columns_capital_o_reverses_and_stacks_stay_grouped() {
        let mut s = demo();
        let names = |s: &State| -> Vec<String> {
            s.visible_workloads()
                .iter()
                .map(|w| w.name.clone())
                .collect()
        };
        let listed = names(&s);
        next(&mut s, Pane::Services, false);
        assert_eq!(
            s.view(Pane::Services).sort,
            Some(Sort {
                col: 0,
                desc: false
            })
        );
        let mut sorted = listed.clone();
        sorted.sort();
        assert_eq!(names(&s), sorted);
        next(&mut s, Pane::Services, true);
        sorted.reverse();
        assert_eq!(names(&s), sorted);
        // Replicas: the most running last, ascending.
        next(&mut s, Pane::Services, false);
        next(&mut s, Pane::Services, false);
        assert_eq!(
            s.view(Pane::Services).sort,
            Some(Sort {
                col: 2,
                desc: false
            })
        );
        let running: Vec<u64> = s.visible_workloads().iter().map(|w| w.running).collect();
        assert!(running.windows(2).all(|p| p[0] <= p[1]), "{running:?}");
        assert_eq!(title(&s, Pane::Services, 2, "Replicas".into()), "Replicas▲");
        for _ in 0..4 {
            next(&mut s, Pane::Services, false);
        }
        assert_eq!(s.view(Pane::Services).sort, None);
        assert_eq!(names(&s), listed);
        // Images by size, biggest first.
        next(&mut s, Pane::Images, false);
        for _ in 0..3 {
            next(&mut s, Pane::Images, false);
        }
        next(&mut s, Pane::Images, true);
        let sizes: Vec<u64> = s.visible_images().iter().map(|i| i.size).collect();
        assert!(sizes.windows(2).all(|p| p[0] >= p[1]), "{sizes:?}");
    }

    #[test]
    fn a_view_sorts_by_its_columns_numbers_as_numbers() {
        use crate::app::input::handle_key;
        use crate::model::listing::{Listing, ViewKind};
        use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        let mut s = demo();
        crate::app::input::apply(&mut s, crate::command::Command::View(ViewKind::Volumes));
        s.apply_event(crate::backend::Event::Listing(Listing {
            kind: ViewKind::Volumes,
            columns: vec!["name", "size"],
            rows: vec![
                vec!["b".into(), "10".into()],
                vec!["a".into(), "9".into()],
                vec!["c".into(), "100".into()],
            ],
        }));
        let names = |s: &State| -> Vec<String> {
            s.slot
                .as_ref()
                .unwrap()
                .visible("")
                .iter()
                .map(|r| r[0].clone())
                .collect()
        };
        assert_eq!(names(&s), ["b", "a", "c"]);
        s.focus = Pane::Services;
        let o = |s: &mut State, c| {
            handle_key(s, KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        };
        o(&mut s, 'o');
        assert_eq!(names(&s), ["a", "b", "c"]);
        o(&mut s, 'o');
        assert_eq!(names(&s), ["a", "b", "c"], "9 < 10 < 100");
        o(&mut s, 'O');
        assert_eq!(names(&s), ["c", "b", "a"]);
    }
}
