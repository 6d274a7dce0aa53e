//! The cluster as the console last saw it: the connection, nodes, workloads, instances and images.
//! Only backend events change it; what the user looks at (focus, filters, windows) is in
//! [`super::state::State`].

use crate::backend::{ConnState, Event};
use crate::model::*;
use std::collections::HashMap;

/// Which listings have arrived at least once (until then a pane says "loading").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Loaded {
    pub nodes: bool,
    pub workloads: bool,
    pub instances: bool,
    pub images: bool,
}

impl Loaded {
    pub fn all(&self) -> bool {
        self.nodes && self.workloads && self.instances && self.images
    }

    pub fn any(&self) -> bool {
        self.nodes || self.workloads || self.instances || self.images
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    pub conn: ConnState,
    pub info: Option<ClusterInfo>,
    pub endpoint: String,
    pub demo: bool,
    /// When the backend tries the engine again (for the countdown in the status bar).
    pub retry_at: Option<i64>,
    pub nodes: Vec<Node>,
    pub workloads: Vec<Workload>,
    pub instances: Vec<Instance>,
    /// Positions in `instances` of each workload's tasks, rebuilt when tasks change, so a frame
    /// does not scan every task of the cluster.
    instances_of: HashMap<String, Vec<usize>>,
    pub images: Vec<Image>,
    pub loaded: Loaded,
    /// Live use of the instances on screen, and the services' histories.
    pub stats: stats::StatsStore,
    /// Each instance's workload, by instance ID (for the samples' totals).
    workload_of: HashMap<String, String>,
}

/// What an event changed in the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changed {
    /// The connection or what the engine says about itself.
    Conn,
    /// The rows of a list pane.
    Rows(Pane),
    /// Samples of use.
    Stats,
    /// There will be none, for this reason (no metrics.k8s.io).
    NoStats(String),
}

impl Cluster {
    pub fn new(endpoint: &str, demo: bool) -> Cluster {
        Cluster {
            conn: if demo {
                ConnState::Demo
            } else {
                ConnState::Connecting
            },
            info: None,
            endpoint: endpoint.to_string(),
            demo,
            retry_at: None,
            nodes: vec![],
            workloads: vec![],
            instances: vec![],
            instances_of: HashMap::new(),
            images: vec![],
            loaded: Loaded::default(),
            stats: stats::StatsStore::default(),
            workload_of: HashMap::new(),
        }
    }

    /// Takes in an event about the cluster and says what changed; gives back any other event.
    #[expect(
        clippy::result_large_err,
        reason = "the event given back is the one moved in, not a new error value"
    )]
    pub fn apply(&mut self, ev: Event, now: i64) -> Result<Changed, Event> {
        Ok(match ev {
            Event::Conn(c) => {
                self.retry_at = match &c {
                    ConnState::Reconnecting { retry_in, .. } => Some(now + *retry_in as i64),
                    _ => None,
                };
                self.conn = c;
                Changed::Conn
            }
            Event::Info(i) => {
                if i.swarm != SwarmRole::Manager {
                    self.nodes.clear();
                    self.loaded.nodes = true;
                }
                self.info = Some(i);
                Changed::Rows(Pane::Nodes)
            }
            Event::Nodes(n) => {
                self.nodes = n;
                self.loaded.nodes = true;
                Changed::Rows(Pane::Nodes)
            }
            Event::Workloads(mut w) => {
                // Stacks first, by name; services without a stack last.
                w.sort_by(|a, b| {
                    (a.stack.is_none(), &a.stack, &a.name).cmp(&(
                        b.stack.is_none(),
                        &b.stack,
                        &b.name,
                    ))
                });
                self.workloads = w;
                self.loaded.workloads = true;
                Changed::Rows(Pane::Services)
            }
            Event::Instances(i) => {
                self.instances = i;
                self.instances_of.clear();
                self.workload_of.clear();
                for (k, inst) in self.instances.iter().enumerate() {
                    self.instances_of
                        .entry(inst.workload_id.clone())
                        .or_default()
                        .push(k);
                    self.workload_of
                        .insert(inst.id.clone(), inst.workload_id.clone());
                }
                // Samples of tasks that are gone go with them.
                let ids: std::collections::HashSet<&str> =
                    self.instances.iter().map(|i| i.id.as_str()).collect();
                self.stats.keep(&ids);
                self.loaded.instances = true;
                Changed::Rows(Pane::Tasks)
            }
            Event::Images(i) => {
                self.images = i;
                self.loaded.images = true;
                Changed::Rows(Pane::Images)
            }
            Event::Stats(batch) => {
                // Samples again (another context): the cluster has metrics after all.
                self.stats.unavailable = None;
                let of = &self.workload_of;
                self.stats.add(batch, |id| of.get(id).cloned());
                Changed::Stats
            }
            Event::StatsUnavailable(why) => {
                self.stats.unavailable = Some(why.to_string());
                Changed::NoStats(why.to_string())
            }
            other => return Err(other),
        })
    }

    /// The instances (tasks, pods) of one workload.
    pub fn instances_of(&self, workload_id: &str) -> impl Iterator<Item = &Instance> {
        self.instances_of
            .get(workload_id)
            .into_iter()
            .flatten()
            .map(|&k| &self.instances[k])
    }

    /// Whether what is shown was loaded before the engine went away (never said of data it
    /// never had).
    pub fn stale(&self) -> bool {
        matches!(self.conn, ConnState::Reconnecting { .. }) && self.loaded.any()
    }

    /// Why nothing could be loaded yet: the engine has not answered once, and said why.
    pub fn unreached(&self) -> Option<&str> {
        match &self.conn {
            ConnState::Reconnecting { error, .. } if !self.loaded.any() => Some(error),
            _ => None,
        }
    }

    pub fn swarm_role(&self) -> Option<SwarmRole> {
        self.info.as_ref().map(|i| i.swarm)
    }

    /// Whether the cluster is Kubernetes (commands are then shown as kubectl's).
    pub fn is_kube(&self) -> bool {
        self.info.as_ref().is_some_and(|i| i.kube.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::demo::Demo;

    #[test]
    fn instances_are_found_by_their_workload_and_other_events_come_back() {
        let mut c = Cluster::new("demo", true);
        for ev in Demo::at(1_000_000).events() {
            let _ = c.apply(ev, 1_000_000);
        }
        assert!(c.loaded.all());
        let backend = c
            .workloads
            .iter()
            .find(|w| w.name == "gopenux_backend")
            .unwrap();
        let mine: Vec<_> = c.instances_of(&backend.id).collect();
        assert!(!mine.is_empty());
        assert!(mine.iter().all(|i| i.workload_id == backend.id));
        assert_eq!(
            mine.len(),
            c.instances
                .iter()
                .filter(|i| i.workload_id == backend.id)
                .count()
        );
        let ev = Event::Error(crate::backend::Error::NotConnected);
        assert_eq!(c.apply(ev.clone(), 0), Err(ev));
    }
}
