//! The demo cluster's resource use: steady, plausible figures per task (a web server idles, an
//! API works a little), moving a bit at each sample, so the columns and sparklines show what
//! they would on a real cluster. Only ever shown as the demo's.

use super::Demo;
use super::sim::rng;
use crate::model::stats::{StatsTarget, Usage};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// One sample of a demo task at `tick`: its base use (from its ID) with some movement.
pub fn sample(t: &StatsTarget, tick: u64, started: i64, now: i64) -> Usage {
    let mut seed = t
        .instance
        .bytes()
        .fold(17u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    let base = (rng(&mut seed) % 250) as f64 / 10.0;
    let mem = 8 * 1024 * 1024 + (rng(&mut seed) % (120 * 1024 * 1024));
    let mut wobble = seed ^ tick.wrapping_mul(0x9E37_79B9);
    let jitter = (rng(&mut wobble) % 100) as f64 / 100.0;
    let age = (now - started).max(0) as u64;
    Usage {
        cpu_percent: base * (0.6 + 0.8 * jitter),
        mem_usage: mem + (rng(&mut wobble) % (2 * 1024 * 1024)),
        mem_limit: 2 * 1024 * 1024 * 1024,
        net_rx: age * (200 + seed % 3000),
        net_tx: age * (100 + seed % 1500),
        block_read: seed % (40 * 1024 * 1024),
        block_write: age * 16,
        pids: 1 + seed % 9,
        only_cpu_mem: false,
    }
}

impl Demo {
    /// A sample of every task named, every two seconds, while `tx` is open.
    pub async fn follow_stats(
        &self,
        mut targets: watch::Receiver<Vec<StatsTarget>>,
        tx: mpsc::Sender<Vec<(String, Usage)>>,
    ) {
        let started = crate::time::now() - 3600;
        let mut tick = tokio::time::interval(Duration::from_secs(2));
        let mut n = 0u64;
        loop {
            tokio::select! {
                changed = targets.changed() => if changed.is_err() { return },
                _ = tick.tick() => {}
            }
            n += 1;
            let now = crate::time::now();
            let batch: Vec<(String, Usage)> = targets
                .borrow_and_update()
                .iter()
                .map(|t| (t.instance.clone(), sample(t, n, started, now)))
                .collect();
            if !batch.is_empty() && tx.send(batch).await.is_err() {
                return;
            }
        }
    }
}
