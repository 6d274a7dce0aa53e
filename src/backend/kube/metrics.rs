//! Pods' CPU and memory from `metrics.k8s.io` (what `kubectl top pod` reads), when the cluster
//! serves it (metrics-server); otherwise the console is told once that there are none.

use super::{Kube, kube_error};
use crate::backend::Error;
use crate::model::stats::{StatsTarget, Usage};
use kube::api::{Api, ApiResource, DynamicObject, ListParams};
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// metrics-server resolves every 15 s: asking more often shows nothing new.
const EVERY: Duration = Duration::from_secs(15);

fn resource() -> ApiResource {
    ApiResource {
        group: "metrics.k8s.io".into(),
        version: "v1beta1".into(),
        api_version: "metrics.k8s.io/v1beta1".into(),
        kind: "PodMetrics".into(),
        plural: "pods".into(),
    }
}

/// A CPU quantity in cores: `250m`, `12345n`, `1`, `1500u`.
pub fn cores(q: &str) -> f64 {
    let q = q.trim();
    let (num, scale) = match q.char_indices().last() {
        Some((i, 'n')) => (&q[..i], 1e-9),
        Some((i, 'u')) => (&q[..i], 1e-6),
        Some((i, 'm')) => (&q[..i], 1e-3),
        _ => (q, 1.0),
    };
    num.parse::<f64>().map(|v| v * scale).unwrap_or(0.0)
}

/// A memory quantity in bytes: `1234Ki`, `12Mi`, `1G`, `5e6`, `1000`.
pub fn bytes(q: &str) -> u64 {
    let q = q.trim();
    let units: [(&str, f64); 12] = [
        ("Ki", 1024.0),
        ("Mi", 1024.0 * 1024.0),
        ("Gi", 1024.0 * 1024.0 * 1024.0),
        ("Ti", 1024f64.powi(4)),
        ("Pi", 1024f64.powi(5)),
        ("Ei", 1024f64.powi(6)),
        ("k", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("T", 1e12),
        ("P", 1e15),
        ("E", 1e18),
    ];
    for (suffix, mult) in units {
        if let Some(n) = q.strip_suffix(suffix) {
            return n.parse::<f64>().map(|v| (v * mult) as u64).unwrap_or(0);
        }
    }
    q.parse::<f64>().map(|v| v as u64).unwrap_or(0)
}

/// Whether an error means the cluster does not serve metrics (no metrics-server): not found,
/// or the API service registered but unavailable.
fn unavailable(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(s) if s.code == 404 || s.code == 503)
}

impl Kube {
    /// Every pod's use now (`namespace/pod` → use), summed over its containers.
    pub async fn pod_metrics(&self) -> Result<HashMap<String, Usage>, Error> {
        let ar = resource();
        let api: Api<DynamicObject> = match self.scope().single() {
            Some(ns) => Api::namespaced_with(self.client(), ns, &ar),
            None => Api::all_with(self.client(), &ar),
        };
        let list = api.list(&ListParams::default()).await.map_err(|e| {
            if unavailable(&e) {
                Error::Refused(crate::tr!("stats.no_metrics"))
            } else {
                kube_error(e)
            }
        })?;
        let mut out = HashMap::new();
        for p in list.items {
            let key = format!(
                "{}/{}",
                p.metadata.namespace.as_deref().unwrap_or("default"),
                p.metadata.name.as_deref().unwrap_or_default()
            );
            let mut u = Usage {
                only_cpu_mem: true,
                ..Usage::default()
            };
            for c in p
                .data
                .get("containers")
                .and_then(|c| c.as_array())
                .into_iter()
                .flatten()
            {
                let usage = c.get("usage");
                let q = |k: &str| usage.and_then(|u| u.get(k)).and_then(|v| v.as_str());
                u.cpu_percent += q("cpu").map(cores).unwrap_or(0.0) * 100.0;
                u.mem_usage += q("memory").map(bytes).unwrap_or(0);
            }
            out.insert(key, u);
        }
        Ok(out)
    }

    /// Follows the pods `targets` names, every 15 s. When the cluster has no metrics, says so
    /// once on `unavailable` and stops asking.
    pub async fn follow_stats(
        &self,
        mut targets: watch::Receiver<Vec<StatsTarget>>,
        tx: mpsc::Sender<Vec<(String, Usage)>>,
    ) -> Result<(), Error> {
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tokio::select! {
                changed = targets.changed() => if changed.is_err() { return Ok(()) },
                _ = tick.tick() => {}
            }
            let wanted = targets.borrow_and_update().clone();
            if wanted.is_empty() {
                continue;
            }
            let all = self.pod_metrics().await?;
            let batch: Vec<(String, Usage)> = wanted
                .iter()
                .filter_map(|t| Some((t.instance.clone(), all.get(&t.container)?.clone())))
                .collect();
            if !batch.is_empty() && tx.send(batch).await.is_err() {
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_read_as_kubernetes_writes_them() {
        assert!((cores("250m") - 0.25).abs() < 1e-9);
        assert!((cores("12345678n") - 0.012_345_678).abs() < 1e-12);
        assert!((cores("2") - 2.0).abs() < 1e-9);
        assert!((cores("1500u") - 0.0015).abs() < 1e-12);
        assert_eq!(bytes("1234Ki"), 1234 * 1024);
        assert_eq!(bytes("12Mi"), 12 * 1024 * 1024);
        assert_eq!(bytes("1G"), 1_000_000_000);
        assert_eq!(bytes("5e6"), 5_000_000);
        assert_eq!(bytes("1000"), 1000);
    }
}
