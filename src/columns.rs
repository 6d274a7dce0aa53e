//! One table of columns per list pane: each column's title, how it takes the pane's width, the
//! key it sorts by, the JSON field it shows, and its plain text. The pane draws its header and
//! widths from it (its cells keep their colours there), `o`/`O` sort by it, and the headless
//! commands (`estiba nodes`, `services`, `tasks`, `images`) print it. It sits beside `i18n`, low
//! enough for all three, and imports only `model` and the catalog.

use crate::model::stats::Usage;
use crate::model::{Image, Instance, Node, Pane, Role, Workload};
use crate::tr;

/// How a column takes the pane's width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Width {
    /// Cells it never goes below.
    pub min: u16,
    /// Its share of the spare width (0: it stays at `min`).
    pub grow: u16,
    /// When the pane is too narrow, the columns with the highest `drop` go first.
    pub drop: u8,
    /// Long values are cut at the left (`…/api-semana-3:latest`): the end is what matters.
    pub cut_left: bool,
}

const fn w(min: u16, grow: u16, drop: u8) -> Width {
    Width {
        min,
        grow,
        drop,
        cut_left: false,
    }
}

const fn cut_left(min: u16, grow: u16, drop: u8) -> Width {
    Width {
        min,
        grow,
        drop,
        cut_left: true,
    }
}

/// A swarm task's state in the user's language (`running` → `en ejecución`); a state the
/// catalog does not know (a Kubernetes pod's `CrashLoopBackOff`) as the cluster says it.
pub fn state_word(state: &str) -> String {
    // A pod's state carries its ready containers (`running 1/1`): the word is translated.
    if let Some((word, rest)) = state.split_once(' ') {
        return format!("{} {rest}", state_word(word));
    }
    let key = match state {
        "new" => "state.new",
        "pending" => "state.pending",
        "assigned" => "state.assigned",
        "accepted" => "state.accepted",
        "preparing" => "state.preparing",
        "ready" => "state.ready",
        "starting" => "state.starting",
        "running" => "state.running",
        "complete" => "state.complete",
        "shutdown" => "state.shutdown",
        "failed" => "state.failed",
        "rejected" => "state.rejected",
        "remove" => "state.remove",
        "orphaned" => "state.orphaned",
        other => return other.to_string(),
    };
    crate::i18n::text(key).to_string()
}

/// Where a column is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// In the pane and in the headless table.
    Both,
    /// Only in the pane, and only while samples come in (CPU, memory).
    Measured,
    /// Only in the headless table (the ID, which the pane has no room for).
    Headless,
}

/// A value to compare: numbers as numbers (replicas, sizes, ages), the rest as text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    Num(i64),
    Text(String),
}

/// Text compared without case.
pub fn text_key(s: &str) -> Key {
    Key::Text(s.to_lowercase())
}

/// What a column's value may need beside its row.
pub struct Ctx<'a> {
    pub now: i64,
    /// A row's last measured use (a task's sample, a service's total over its tasks).
    pub usage: &'a dyn Fn(&str) -> Option<Usage>,
}

impl Ctx<'_> {
    /// No samples: what the headless tables and the columns that need none use.
    pub fn at(now: i64) -> Ctx<'static> {
        Ctx {
            now,
            usage: &|_| None,
        }
    }
}

/// One column of a pane.
pub struct Column<T: 'static> {
    /// Catalog key of its title.
    pub title: &'static str,
    /// The field of the row's JSON (`--output json`) the column shows.
    pub field: &'static str,
    pub width: Width,
    pub shown: Shown,
    pub key: fn(&T, &Ctx) -> Key,
    /// Its plain text, as the headless table prints it.
    pub text: fn(&T, &Ctx) -> String,
}

impl<T> Column<T> {
    pub fn in_pane(&self) -> bool {
        self.shown != Shown::Headless
    }
}

/// The columns a pane shows (sorting counts in these), in order.
pub fn pane<T>(table: &'static [Column<T>]) -> impl Iterator<Item = &'static Column<T>> {
    table.iter().filter(|c| c.in_pane())
}

/// The catalog keys of a pane's columns, left to right (as its header has them).
pub fn titles(p: Pane) -> Vec<&'static str> {
    match p {
        Pane::Nodes => pane(NODES).map(|c| c.title).collect(),
        Pane::Services => pane(SERVICES).map(|c| c.title).collect(),
        Pane::Tasks => pane(TASKS).map(|c| c.title).collect(),
        Pane::Images => pane(IMAGES).map(|c| c.title).collect(),
        Pane::Logs => vec![],
    }
}

/// How many of a pane's columns can be sorted by now: the measured ones only with samples
/// (they come last).
pub fn sortable(p: Pane, measured: bool) -> usize {
    fn count<T>(table: &[Column<T>], measured: bool) -> usize {
        table
            .iter()
            .filter(|c| c.shown == Shown::Both || (measured && c.shown == Shown::Measured))
            .count()
    }
    match p {
        Pane::Nodes => count(NODES, measured),
        Pane::Services => count(SERVICES, measured),
        Pane::Tasks => count(TASKS, measured),
        Pane::Images => count(IMAGES, measured),
        Pane::Logs => 0,
    }
}

/// The sort key of a row by its pane's column `col` (counted among the pane's columns).
pub fn key<T>(table: &'static [Column<T>], row: &T, col: usize, ctx: &Ctx) -> Key {
    pane(table)
        .nth(col)
        .map_or(Key::Num(0), |c| (c.key)(row, ctx))
}

/// The headless table: its titles (upper case, as the docker CLI's) and rows.
pub fn headless<T>(
    table: &'static [Column<T>],
    rows: &[T],
    now: i64,
) -> (Vec<String>, Vec<Vec<String>>) {
    let ctx = Ctx::at(now);
    let cols: Vec<&Column<T>> = table
        .iter()
        .filter(|c| c.shown != Shown::Measured)
        .collect();
    let titles = cols
        .iter()
        .map(|c| crate::i18n::text(c.title).to_uppercase())
        .collect();
    let rows = rows
        .iter()
        .map(|r| cols.iter().map(|c| (c.text)(r, &ctx)).collect())
        .collect();
    (titles, rows)
}

fn short_id(id: &str) -> String {
    id.get(..12).unwrap_or(id).to_string()
}

fn labels(n: &Node) -> String {
    n.labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// A node's role as a word: the leader is named.
pub fn role(n: &Node) -> String {
    match (n.role, n.leader) {
        (Role::Manager, true) => tr!("node.leader"),
        (Role::Manager, false) => tr!("node.manager"),
        _ => tr!("node.worker"),
    }
}

/// A task's error as shown: the engine's, or for a task the engine could not allocate, what is
/// likely wrong and how to mend it.
pub fn task_error(t: &Instance, now: i64) -> Option<String> {
    if t.unallocated(now) {
        return Some(tr!("task.not_allocated", secs = now - t.since));
    }
    t.error.clone()
}

/// CPU and memory keys from a use (none: below every measured one).
fn cpu_key(u: Option<Usage>) -> Key {
    Key::Num(u.map_or(-1, |u| (u.cpu_percent * 1000.0) as i64))
}

fn mem_key(u: Option<Usage>) -> Key {
    Key::Num(u.map_or(-1, |u| u.mem_usage.min(i64::MAX as u64) as i64))
}

/// Nodes, as the pane and `estiba nodes` show them.
pub const NODES: &[Column<Node>] = &[
    Column {
        title: "col.id",
        field: "id",
        width: w(12, 0, 9),
        shown: Shown::Headless,
        key: |n, _| text_key(&n.id),
        text: |n, _| short_id(&n.id),
    },
    Column {
        title: "col.hostname",
        field: "hostname",
        width: w(12, 2, 0),
        shown: Shown::Both,
        key: |n, _| text_key(&n.hostname),
        text: |n, _| n.hostname.clone(),
    },
    Column {
        title: "col.role",
        field: "role",
        width: w(10, 0, 1),
        shown: Shown::Both,
        key: |n, _| {
            Key::Num(match (n.role, n.leader) {
                (Role::Manager, true) => 0,
                (Role::Manager, false) => 1,
                _ => 2,
            })
        },
        text: |n, _| role(n),
    },
    Column {
        title: "col.status",
        field: "status",
        width: w(6, 0, 1),
        shown: Shown::Both,
        key: |n, _| text_key(&format!("{:?}", n.status)),
        text: |n, _| format!("{:?}", n.status).to_lowercase(),
    },
    Column {
        title: "col.availability",
        field: "availability",
        width: w(6, 0, 2),
        shown: Shown::Both,
        key: |n, _| text_key(&format!("{:?}", n.availability)),
        text: |n, _| format!("{:?}", n.availability).to_lowercase(),
    },
    Column {
        title: "col.engine",
        field: "engine",
        width: w(8, 0, 4),
        shown: Shown::Both,
        key: |n, _| text_key(&n.engine),
        text: |n, _| n.engine.clone(),
    },
    Column {
        title: "col.address",
        field: "addr",
        width: w(11, 0, 3),
        shown: Shown::Both,
        key: |n, _| text_key(&n.addr),
        text: |n, _| n.addr.clone(),
    },
    Column {
        title: "col.labels",
        field: "labels",
        width: w(10, 3, 2),
        shown: Shown::Both,
        key: |n, _| text_key(&labels(n)),
        text: |n, _| labels(n),
    },
];

/// Services (Kubernetes: Deployments), as the pane and `estiba services` show them.
pub const SERVICES: &[Column<Workload>] = &[
    Column {
        title: "col.id",
        field: "id",
        width: w(12, 0, 9),
        shown: Shown::Headless,
        key: |s, _| text_key(&s.id),
        text: |s, _| short_id(&s.id),
    },
    Column {
        title: "col.name",
        field: "name",
        width: w(18, 3, 0),
        shown: Shown::Both,
        key: |s, _| text_key(&s.name),
        text: |s, _| s.name.clone(),
    },
    Column {
        title: "col.stack",
        field: "stack",
        width: w(10, 0, 9),
        shown: Shown::Headless,
        key: |s, _| text_key(s.stack.as_deref().unwrap_or("")),
        text: |s, _| s.stack.clone().unwrap_or_else(|| "—".into()),
    },
    Column {
        title: "col.mode",
        field: "mode",
        width: w(10, 0, 3),
        shown: Shown::Both,
        key: |s, _| text_key(&format!("{:?}", s.mode)),
        text: |s, _| format!("{:?}", s.mode).to_lowercase(),
    },
    Column {
        title: "col.replicas",
        field: "running",
        width: w(8, 0, 0),
        shown: Shown::Both,
        key: |s, _| Key::Num(s.running as i64 * 100_000 + s.desired as i64),
        text: |s, _| format!("{}/{}", s.running, s.desired),
    },
    Column {
        title: "col.image",
        field: "image",
        width: cut_left(16, 3, 1),
        shown: Shown::Both,
        key: |s, _| text_key(&s.image),
        text: |s, _| s.image.clone(),
    },
    Column {
        title: "col.ports",
        field: "ports",
        width: w(10, 1, 2),
        shown: Shown::Both,
        key: |s, _| {
            Key::Num(
                s.ports
                    .iter()
                    .filter_map(|p| p.published)
                    .min()
                    .map_or(i64::MAX, i64::from),
            )
        },
        text: |s, _| {
            s.ports
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(",")
        },
    },
    Column {
        title: "col.update",
        field: "update",
        width: w(9, 1, 4),
        shown: Shown::Both,
        key: |s, _| text_key(s.update.as_ref().map(|u| u.state.as_str()).unwrap_or("")),
        text: |s, _| {
            s.update
                .as_ref()
                .map(|u| u.state.clone())
                .unwrap_or_default()
        },
    },
    Column {
        title: "col.cpu",
        field: "cpu_percent",
        width: w(6, 0, 2),
        shown: Shown::Measured,
        key: |s, c| cpu_key((c.usage)(&s.id)),
        text: |_, _| String::new(),
    },
    Column {
        title: "col.mem",
        field: "mem_usage",
        width: w(7, 0, 3),
        shown: Shown::Measured,
        key: |s, c| mem_key((c.usage)(&s.id)),
        text: |_, _| String::new(),
    },
];

/// Tasks (Kubernetes: pods), as the pane and `estiba tasks` show them.
pub const TASKS: &[Column<Instance>] = &[
    Column {
        title: "col.id",
        field: "id",
        width: w(12, 0, 9),
        shown: Shown::Headless,
        key: |t, _| text_key(&t.id),
        text: |t, _| short_id(&t.id),
    },
    Column {
        title: "col.name",
        field: "name",
        width: w(16, 2, 0),
        shown: Shown::Both,
        key: |t, _| {
            Key::Text(format!(
                "{}{:>9}",
                t.name.split('.').next().unwrap_or(""),
                t.slot.unwrap_or(0)
            ))
        },
        text: |t, _| t.name.clone(),
    },
    Column {
        title: "col.node",
        field: "node",
        width: w(10, 1, 2),
        shown: Shown::Both,
        key: |t, _| text_key(&t.node),
        text: |t, _| t.node.clone(),
    },
    Column {
        title: "col.desired",
        field: "desired",
        width: w(8, 0, 3),
        shown: Shown::Both,
        key: |t, _| text_key(&t.desired),
        text: |t, _| state_word(&t.desired),
    },
    Column {
        title: "col.current",
        field: "state",
        width: w(16, 0, 0),
        shown: Shown::Both,
        // The state, then how long it has been in it.
        key: |t, _| Key::Text(format!("{}{:>20}", t.state, i64::MAX - t.since)),
        text: |t, c| {
            format!(
                "{} {}",
                state_word(&t.state),
                crate::time::age(t.since, c.now)
            )
        },
    },
    Column {
        title: "col.error",
        field: "error",
        width: w(12, 3, 1),
        shown: Shown::Both,
        key: |t, c| text_key(&task_error(t, c.now).unwrap_or_default()),
        text: |t, c| task_error(t, c.now).unwrap_or_default(),
    },
    Column {
        title: "col.image",
        field: "image",
        width: cut_left(12, 1, 4),
        shown: Shown::Both,
        key: |t, _| text_key(&t.image),
        text: |t, _| t.image.clone(),
    },
    Column {
        title: "col.cpu",
        field: "cpu_percent",
        width: w(6, 0, 2),
        shown: Shown::Measured,
        key: |t, c| cpu_key((c.usage)(&t.id)),
        text: |_, _| String::new(),
    },
    Column {
        title: "col.mem",
        field: "mem_usage",
        width: w(9, 0, 2),
        shown: Shown::Measured,
        key: |t, c| mem_key((c.usage)(&t.id)),
        text: |_, _| String::new(),
    },
];

/// Images, as the pane and `estiba images` show them.
pub const IMAGES: &[Column<Image>] = &[
    Column {
        title: "col.repository",
        field: "repo",
        width: cut_left(20, 3, 0),
        shown: Shown::Both,
        key: |i, _| text_key(&i.repo),
        text: |i, _| i.repo.clone(),
    },
    Column {
        title: "col.tag",
        field: "tag",
        width: w(8, 1, 0),
        shown: Shown::Both,
        key: |i, _| text_key(&i.tag),
        text: |i, _| i.tag.clone(),
    },
    Column {
        title: "col.image_id",
        field: "id",
        width: w(12, 0, 1),
        shown: Shown::Both,
        key: |i, _| text_key(&i.id),
        text: |i, _| short_id(&i.id),
    },
    Column {
        title: "col.size",
        field: "size",
        width: w(8, 0, 2),
        shown: Shown::Both,
        key: |i, _| Key::Num(i.size as i64),
        text: |i, _| crate::model::human_size(i.size),
    },
    Column {
        title: "col.created",
        field: "created",
        width: w(7, 0, 3),
        shown: Shown::Both,
        // Newest first reads as "created ▲": the age grows as the time goes back.
        key: |i, _| Key::Num(-i.created),
        text: |i, c| crate::time::age(i.created, c.now),
    },
];

/// A view's headers in words: the server's own (a Kubernetes kind's table), else the catalog's.
pub fn listing_headers(l: &crate::model::listing::Listing) -> Vec<String> {
    if l.titles.is_empty() {
        l.header_keys()
            .into_iter()
            .map(|k| crate::i18n::text(k).to_string())
            .collect()
    } else {
        l.titles.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every column names a field its rows' JSON has, so `--output json` and the table agree.
    #[test]
    fn every_column_shows_a_field_of_its_rows_json() {
        use crate::backend::Event;
        fn fields<T: serde::Serialize>(table: &[Column<T>], row: &T, measured: &[&str]) {
            let json = serde_json::to_value(row).unwrap_or_default();
            for c in table {
                assert!(
                    json.get(c.field).is_some() || measured.contains(&c.field),
                    "{}: no field {} in {json}",
                    c.title,
                    c.field
                );
                assert!(!crate::i18n::text(c.title).is_empty());
            }
        }
        let mut seen = 0;
        for ev in crate::backend::demo::Demo::at(1_000_000).events() {
            match ev {
                Event::Nodes(n) => fields(NODES, &n[0], &[]),
                Event::Workloads(w) => fields(SERVICES, &w[0], &["cpu_percent", "mem_usage"]),
                Event::Instances(i) => fields(TASKS, &i[0], &["cpu_percent", "mem_usage"]),
                Event::Images(i) => fields(IMAGES, &i[0], &[]),
                _ => continue,
            }
            seen += 1;
        }
        assert_eq!(seen, 4);
    }

    #[test]
    fn sorting_counts_the_measured_columns_only_with_samples() {
        assert_eq!(sortable(Pane::Tasks, false), 6);
        assert_eq!(sortable(Pane::Tasks, true), 8);
        assert_eq!(sortable(Pane::Nodes, true), 7);
        assert_eq!(titles(Pane::Images).len(), 5);
    }
}
