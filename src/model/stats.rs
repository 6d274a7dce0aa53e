//! Resource use of running instances: what `docker stats` shows, per task or pod, and the
//! history a service's sparkline draws.

use serde::Serialize;
use std::collections::{HashMap, VecDeque};

/// One sample of a container's (or pod's) use. Counters (network, block I/O) are totals since it
/// started, as `docker stats` shows them.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Usage {
    /// Percent of one CPU (200 is two CPUs busy), as `docker stats` computes it.
    pub cpu_percent: f64,
    /// Memory used less the inactive page cache, as `docker stats` shows it.
    pub mem_usage: u64,
    pub mem_limit: u64,
    pub net_rx: u64,
    pub net_tx: u64,
    pub block_read: u64,
    pub block_write: u64,
    pub pids: u64,
    /// Which of the fields the source gives (Kubernetes metrics have no network, limit or PIDs).
    #[serde(skip)]
    pub only_cpu_mem: bool,
}

impl Usage {
    pub fn mem_percent(&self) -> f64 {
        if self.mem_limit == 0 {
            0.0
        } else {
            self.mem_usage as f64 / self.mem_limit as f64 * 100.0
        }
    }

    /// The sum of several instances' use (a service's total).
    pub fn total<'a>(all: impl IntoIterator<Item = &'a Usage>) -> Option<Usage> {
        let mut sum: Option<Usage> = None;
        for u in all {
            let s = sum.get_or_insert_with(|| Usage {
                only_cpu_mem: u.only_cpu_mem,
                ..Usage::default()
            });
            s.cpu_percent += u.cpu_percent;
            s.mem_usage += u.mem_usage;
            s.mem_limit = s.mem_limit.saturating_add(u.mem_limit);
            s.net_rx += u.net_rx;
            s.net_tx += u.net_tx;
            s.block_read += u.block_read;
            s.block_write += u.block_write;
            s.pids += u.pids;
        }
        sum
    }
}

/// What to measure: an instance and where it runs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StatsTarget {
    /// The instance's ID (the key samples come back under).
    pub instance: String,
    /// [`crate::model::Instance::container`].
    pub container: String,
    pub node_id: String,
    pub node: String,
}

impl StatsTarget {
    pub fn of(i: &super::Instance) -> StatsTarget {
        StatsTarget {
            instance: i.id.clone(),
            container: i.container.clone(),
            node_id: i.node_id.clone(),
            node: i.node.clone(),
        }
    }
}

/// How many samples a service's history keeps (one every two seconds: six minutes).
pub const HISTORY: usize = 180;

/// The samples the console holds: the last one per instance, and per workload the history of
/// its total CPU.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatsStore {
    pub last: HashMap<String, Usage>,
    pub history: HashMap<String, VecDeque<f64>>,
    /// Why there are none (a Kubernetes cluster without metrics.k8s.io), said once.
    pub unavailable: Option<String>,
}

impl StatsStore {
    /// Takes a batch of samples (instance ID → use); `workload_of` tells whose each is, for the
    /// services' totals.
    pub fn add(
        &mut self,
        batch: Vec<(String, Usage)>,
        workload_of: impl Fn(&str) -> Option<String>,
    ) {
        let mut totals: HashMap<String, f64> = HashMap::new();
        for (id, u) in batch {
            if let Some(w) = workload_of(&id) {
                *totals.entry(w).or_default() += u.cpu_percent;
            }
            self.last.insert(id, u);
        }
        for (w, cpu) in totals {
            let h = self.history.entry(w).or_default();
            if h.len() == HISTORY {
                h.pop_front();
            }
            h.push_back(cpu);
        }
    }

    /// Forgets instances no longer measured.
    pub fn keep(&mut self, ids: &std::collections::HashSet<&str>) {
        self.last.retain(|k, _| ids.contains(k.as_str()));
    }
}

/// A sparkline's bars, the highest short of the full block: bars of rows one above the other
/// stay apart (in a picture too, where the bars are drawn with a gap between them).
const SPARKS: [char; 7] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇'];

/// The last `width` values as a sparkline, scaled to their own maximum (at least 1%).
pub fn sparkline(values: &VecDeque<f64>, width: usize) -> String {
    let skip = values.len().saturating_sub(width);
    let shown: Vec<f64> = values.iter().skip(skip).copied().collect();
    let max = shown.iter().copied().fold(1.0_f64, f64::max);
    shown
        .iter()
        .map(|v| {
            let k = ((v / max) * 6.0).round().clamp(0.0, 6.0) as usize;
            SPARKS[k]
        })
        .collect()
}

/// `docker stats`' memory sizes: binary units, four significant digits (`1.164MiB`, `23.42GiB`).
pub fn binary_size(bytes: u64) -> String {
    scaled(
        bytes as f64,
        1024.0,
        &["B", "KiB", "MiB", "GiB", "TiB", "PiB"],
    )
}

/// A memory size for a narrow column: three significant digits (`12.4MiB`, `2GiB`).
pub fn binary_size_short(bytes: u64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = bytes as f64;
    let mut i = 0;
    while v >= 1024.0 && i < units.len() - 1 {
        v /= 1024.0;
        i += 1;
    }
    format!("{}{}", go_g(v, 3), units[i])
}

/// `docker stats`' network and block I/O: decimal units, three significant digits (`1.05kB`).
pub fn decimal_size(bytes: u64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB", "PB"];
    let mut v = bytes as f64;
    let mut i = 0;
    while v >= 1000.0 && i < units.len() - 1 {
        v /= 1000.0;
        i += 1;
    }
    format!("{}{}", go_g(v, 3), units[i])
}

fn scaled(mut v: f64, base: f64, units: &[&str]) -> String {
    let mut i = 0;
    while v >= base && i < units.len() - 1 {
        v /= base;
        i += 1;
    }
    format!("{}{}", go_g(v, 4), units[i])
}

/// Go's `%.Ng`: `precision` significant digits, trailing zeros dropped.
fn go_g(v: f64, precision: usize) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let digits = v.abs().log10().floor() as i64 + 1;
    let decimals = (precision as i64 - digits).max(0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_docker_stats_prints_them() {
        assert_eq!(binary_size(0), "0B");
        assert_eq!(binary_size(1_220_608), "1.164MiB");
        assert_eq!(binary_size(25_147_006_976), "23.42GiB");
        assert_eq!(binary_size(1000), "1000B");
        assert_eq!(decimal_size(0), "0B");
        assert_eq!(decimal_size(1046), "1.05kB");
        assert_eq!(decimal_size(872), "872B");
        assert_eq!(decimal_size(12_300_000), "12.3MB");
    }

    #[test]
    fn totals_add_up_and_history_is_bounded() {
        let a = Usage {
            cpu_percent: 10.0,
            mem_usage: 100,
            mem_limit: 1000,
            ..Usage::default()
        };
        let t = Usage::total([&a, &a]).unwrap();
        assert_eq!(t.cpu_percent, 20.0);
        assert_eq!(t.mem_usage, 200);
        assert!(Usage::total([]).is_none());
        let mut s = StatsStore::default();
        for _ in 0..HISTORY + 5 {
            s.add(vec![("t1".into(), a.clone())], |_| Some("w".into()));
        }
        assert_eq!(s.history["w"].len(), HISTORY);
        let line = sparkline(&s.history["w"], 8);
        assert_eq!(line.chars().count(), 8);
        assert!(line.chars().all(|c| c == '▇'));
    }
}
