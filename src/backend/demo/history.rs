//! The demo's events, as an engine's `/events` would tell them: what an action changed
//! (services created, updated, removed; nodes updated; images tagged, pushed, removed) and the
//! tasks' containers starting and dying. The events view and `estiba --demo events` read them.

use super::sim::{Sim, event, push};
use crate::backend::Error;
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::sync::mpsc;

/// What an action may change, taken before it and compared after.
pub(super) struct Before {
    services: BTreeMap<String, Service>,
    nodes: BTreeMap<String, (String, String)>,
    images: BTreeMap<String, String>,
}

/// A service as an update changes it: name, image, replicas, and its tasks (a restart
/// replaces them all).
type Service = (String, String, u64, Vec<String>);

fn services(s: &Sim) -> BTreeMap<String, Service> {
    s.workloads
        .iter()
        .map(|w| {
            let tasks = s
                .instances
                .iter()
                .filter(|i| i.workload_id == w.id && i.desired == "running")
                .map(|i| i.id.clone())
                .collect();
            (
                w.id.clone(),
                (w.name.clone(), w.image.clone(), w.desired, tasks),
            )
        })
        .collect()
}

fn nodes(s: &Sim) -> BTreeMap<String, (String, String)> {
    s.nodes
        .iter()
        .map(|n| {
            let state = format!(
                "{:?}{:?}{:?}{:?}",
                n.role, n.availability, n.labels, n.status
            );
            (n.id.clone(), (n.hostname.clone(), state))
        })
        .collect()
}

fn images(s: &Sim) -> BTreeMap<String, String> {
    s.images
        .iter()
        .map(|i| (format!("{}:{}", i.repo, i.tag), i.id.clone()))
        .collect()
}

impl Before {
    pub(super) fn take(s: &Sim) -> Before {
        Before {
            services: services(s),
            nodes: nodes(s),
            images: images(s),
        }
    }

    /// The events between this and the sim now.
    pub(super) fn since(self, s: &mut Sim, now: i64) {
        let mut out = vec![];
        let after = services(s);
        for (id, (name, image, desired, tasks)) in &after {
            match self.services.get(id) {
                None => out.push(("service", "create", name, id, String::new())),
                Some((_, i, d, t)) if i != image || d != desired || t != tasks => out.push((
                    "service",
                    "update",
                    name,
                    id,
                    update_words(i, image, *d, *desired),
                )),
                Some(_) => {}
            }
        }
        for (id, (name, ..)) in &self.services {
            if !after.contains_key(id) {
                out.push(("service", "remove", name, id, String::new()));
            }
        }
        let after = nodes(s);
        for (id, (name, state)) in &after {
            match self.nodes.get(id) {
                None => out.push(("node", "create", name, id, String::new())),
                Some((_, st)) if st != state => {
                    out.push(("node", "update", name, id, String::new()))
                }
                Some(_) => {}
            }
        }
        let after = images(s);
        for (r, id) in &after {
            if self.images.get(r) != Some(id) {
                out.push(("image", "tag", r, id, String::new()));
            }
        }
        for (r, id) in &self.images {
            if !after.contains_key(r) {
                out.push(("image", "untag", r, id, String::new()));
            }
        }
        for (kind, action, name, id, message) in out {
            let mut e = event(now, kind, action, name, id);
            e.message = message;
            push(s, e);
        }
    }
}

fn update_words(image: &str, new_image: &str, desired: u64, new_desired: u64) -> String {
    let mut words = vec![];
    if desired != new_desired {
        words.push(format!("replicas {desired} → {new_desired}"));
    }
    if image != new_image {
        words.push(format!("image {new_image}"));
    }
    words.join(", ")
}

impl super::Demo {
    /// The events since `since` (seconds since the epoch), and with `follow` those that come
    /// after, as an engine's `/events` stream sends them.
    pub async fn events_since(
        &self,
        since: i64,
        follow: bool,
        tx: mpsc::Sender<Vec<crate::model::events::ClusterEvent>>,
    ) -> Result<(), Error> {
        let mut seen = 0u64;
        loop {
            let batch: Vec<_> = self
                .with(|s| {
                    s.events
                        .iter()
                        .filter(|e| e.time >= since && u64::from(e.nanos) > seen)
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            if let Some(last) = batch.last() {
                seen = u64::from(last.nanos);
            }
            if !batch.is_empty() && tx.send(batch).await.is_err() {
                return Ok(());
            }
            if !follow || tx.is_closed() {
                return Ok(());
            }
            tokio::select! {
                _ = tx.closed() => return Ok(()),
                _ = tokio::time::sleep(Duration::from_millis(500)) => {}
            }
        }
    }
}
