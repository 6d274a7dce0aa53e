//! The demo's events, as an engine's `/events` would tell them: what an action changed
//! (services created, updated, removed; nodes updated; images tagged, pushed, removed) and the
//! tasks' containers starting and dying. The events view and `estiba --demo events` read them.

use super::sim::Sim;
use crate::model::events::ClusterEvent;
use std::collections::BTreeMap;

/// How many events the demo keeps (the engine keeps its last 1 000 too).
const KEPT: usize = 1000;

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

/// An event at `now`, with no message.
pub(super) fn event(now: i64, kind: &str, action: &str, name: &str, id: &str) -> ClusterEvent {
    ClusterEvent {
        time: now,
        nanos: 0,
        kind: kind.into(),
        action: action.into(),
        name: name.into(),
        id: id.into(),
        message: String::new(),
        count: 1,
        warning: false,
    }
}

/// Adds one event, after those before it.
pub(super) fn push(s: &mut Sim, mut e: ClusterEvent) {
    s.serial += 1;
    e.nanos = (s.serial % 1_000_000_000) as u32;
    s.events.push(e);
    if s.events.len() > KEPT {
        let extra = s.events.len() - KEPT;
        s.events.drain(..extra);
    }
}
