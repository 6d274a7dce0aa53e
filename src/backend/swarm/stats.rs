//! Live resource use of containers, read from the engine that runs each one (`docker stats`): the
//! connected engine, or the node's own endpoint from the config (`[nodes.NAME] host`).

use super::{Swarm, engine_error};
use crate::backend::Error;
use crate::model::stats::{StatsTarget, Usage};
use bollard::Docker;
use bollard::models::ContainerStatsResponse;
use bollard::query_parameters::StatsOptions;
use futures::StreamExt;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// How often collected samples go to the console, at most.
pub const FLUSH: Duration = Duration::from_secs(2);

/// One sample as `docker stats` computes it: CPU from the change since the previous sample
/// (against the host's), memory less the inactive page cache, network and block I/O summed.
pub fn usage(s: &ContainerStatsResponse) -> Usage {
    let cpu = s.cpu_stats.as_ref();
    let pre = s.precpu_stats.as_ref();
    let total = |c: Option<&bollard::models::ContainerCpuStats>| {
        c.and_then(|c| c.cpu_usage.as_ref())
            .and_then(|u| u.total_usage)
            .unwrap_or(0) as f64
    };
    let system = |c: Option<&bollard::models::ContainerCpuStats>| {
        c.and_then(|c| c.system_cpu_usage).unwrap_or(0) as f64
    };
    let cpu_delta = total(cpu) - total(pre);
    let system_delta = system(cpu) - system(pre);
    let online = cpu
        .and_then(|c| c.online_cpus)
        .filter(|n| *n > 0)
        .map(f64::from)
        .or_else(|| {
            cpu.and_then(|c| c.cpu_usage.as_ref())
                .and_then(|u| u.percpu_usage.as_ref())
                .map(|p| p.len() as f64)
        })
        .unwrap_or(0.0);
    let cpu_percent = if system_delta > 0.0 && cpu_delta > 0.0 {
        cpu_delta / system_delta * online * 100.0
    } else {
        0.0
    };
    let mem = s.memory_stats.as_ref();
    let used = mem.and_then(|m| m.usage).unwrap_or(0);
    let stat = |k: &str| {
        mem.and_then(|m| m.stats.as_ref())
            .and_then(|s| s.get(k).copied())
    };
    // cgroup v1 names it total_inactive_file, v2 inactive_file.
    let mem_usage = match stat("total_inactive_file") {
        Some(v) if v < used => used - v,
        _ => match stat("inactive_file") {
            Some(v) if v < used => used - v,
            _ => used,
        },
    };
    let (mut net_rx, mut net_tx) = (0, 0);
    for n in s.networks.iter().flat_map(|n| n.values()) {
        net_rx += n.rx_bytes.unwrap_or(0);
        net_tx += n.tx_bytes.unwrap_or(0);
    }
    let (mut block_read, mut block_write) = (0, 0);
    let entries = s
        .blkio_stats
        .as_ref()
        .and_then(|b| b.io_service_bytes_recursive.as_ref());
    for e in entries.into_iter().flatten() {
        match e.op.as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("read") => block_read += e.value.unwrap_or(0),
            Some("write") => block_write += e.value.unwrap_or(0),
            _ => {}
        }
    }
    Usage {
        cpu_percent,
        mem_usage,
        mem_limit: mem.and_then(|m| m.limit).unwrap_or(0),
        net_rx,
        net_tx,
        block_read,
        block_write,
        pids: s.pids_stats.as_ref().and_then(|p| p.current).unwrap_or(0),
        only_cpu_mem: false,
    }
}

/// One sample of a container, over two readings as `docker stats --no-stream` takes it.
pub async fn once(docker: &Docker, container: &str) -> Result<Usage, Error> {
    let mut s = docker.stats(
        container,
        Some(StatsOptions {
            stream: false,
            one_shot: false,
        }),
    );
    match s.next().await {
        Some(Ok(r)) => Ok(usage(&r)),
        Some(Err(e)) => Err(engine_error(e)),
        None => Err(Error::engine(container.to_string())),
    }
}

impl Swarm {
    /// The engine that runs `t`'s container: this one when it is the task's node (or no swarm),
    /// otherwise the node's configured endpoint; or why it cannot be reached.
    pub async fn engine_for(&self, node_id: &str, node: &str) -> Result<Docker, super::Unreached> {
        let local = self.local_node_id();
        if node_id.is_empty() || node_id == local {
            return Ok(self.docker());
        }
        self.nodes.get(node).await
    }

    /// One sample of each target it can reach, all at once.
    pub async fn stats_once(&self, targets: &[StatsTarget]) -> HashMap<String, Usage> {
        let mut jobs = Vec::new();
        for t in targets.iter().filter(|t| !t.container.is_empty()) {
            if let Ok(docker) = self.engine_for(&t.node_id, &t.node).await {
                jobs.push(async move {
                    once(&docker, &t.container)
                        .await
                        .ok()
                        .map(|u| (t.instance.clone(), u))
                });
            }
        }
        futures::future::join_all(jobs)
            .await
            .into_iter()
            .flatten()
            .collect()
    }

    /// Follows the use of the containers `targets` names (changing as the console scrolls),
    /// sending what was collected every [`FLUSH`]. Ends when either channel closes.
    pub async fn follow_stats(
        &self,
        mut targets: watch::Receiver<Vec<StatsTarget>>,
        tx: mpsc::Sender<Vec<(String, Usage)>>,
    ) {
        let fresh: Arc<Mutex<HashMap<String, Usage>>> = Arc::default();
        let mut streams: HashMap<StatsTarget, tokio::task::JoinHandle<()>> = HashMap::new();
        let mut flush = tokio::time::interval(FLUSH);
        flush.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut wanted = targets.borrow_and_update().clone();
        loop {
            streams.retain(|t, h| {
                let keep = wanted.contains(t) && !h.is_finished();
                if !keep {
                    h.abort();
                }
                keep
            });
            for t in &wanted {
                if streams.contains_key(t) || t.container.is_empty() {
                    continue;
                }
                let Ok(docker) = self.engine_for(&t.node_id, &t.node).await else {
                    continue;
                };
                streams.insert(
                    t.clone(),
                    tokio::spawn(stream(docker, t.clone(), fresh.clone())),
                );
            }
            tokio::select! {
                changed = targets.changed() => {
                    if changed.is_err() {
                        break;
                    }
                    wanted = targets.borrow_and_update().clone();
                }
                _ = flush.tick() => {
                    let batch: Vec<(String, Usage)> = match fresh.lock() {
                        Ok(mut m) => m.drain().collect(),
                        Err(_) => Vec::new(),
                    };
                    if !batch.is_empty() && tx.send(batch).await.is_err() {
                        break;
                    }
                }
            }
        }
        for h in streams.values() {
            h.abort();
        }
    }
}

/// The engine's stream of one container's samples (one a second), the latest kept in `fresh`.
async fn stream(docker: Docker, t: StatsTarget, fresh: Arc<Mutex<HashMap<String, Usage>>>) {
    let mut s = docker.stats(&t.container, Some(StatsOptions::default()));
    let mut first = true;
    while let Some(Ok(r)) = s.next().await {
        // The first sample has no previous one to measure CPU against.
        if std::mem::take(&mut first)
            && r.precpu_stats
                .as_ref()
                .and_then(|c| c.system_cpu_usage)
                .is_none()
        {
            continue;
        }
        if let Ok(mut m) = fresh.lock() {
            m.insert(t.instance.clone(), usage(&r));
        }
    }
}
