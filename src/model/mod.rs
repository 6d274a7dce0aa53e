//! Backend-neutral types: what every backend (swarm, kube, demo) reports, and what panes draw.
//!
//! Strings in these types are already sanitized by the backend that made them.

pub mod action;
pub mod cli;
pub mod compose;
pub mod events;
pub mod forward;
pub mod inspect;
pub mod kube;
pub mod listing;
pub mod reference;
pub mod stats;
pub mod words;

pub use reference::strip_digest;

use serde::Serialize;
use std::collections::BTreeMap;

/// The five fixed places of the console: what the grammar (`nodes`, `snap tasks`), the state
/// and the renderers name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Nodes,
    Services,
    Tasks,
    Images,
    Logs,
}

impl Pane {
    pub const ALL: [Pane; 5] = [
        Pane::Nodes,
        Pane::Services,
        Pane::Tasks,
        Pane::Images,
        Pane::Logs,
    ];

    pub fn number(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0) + 1
    }

    pub fn title_key(self) -> &'static str {
        match self {
            Pane::Nodes => "pane.nodes",
            Pane::Services => "pane.services",
            Pane::Tasks => "pane.tasks",
            Pane::Images => "pane.images",
            Pane::Logs => "pane.logs",
        }
    }

    pub fn is_list(self) -> bool {
        self != Pane::Logs
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Manager,
    Worker,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeStatus {
    Ready,
    Down,
    Disconnected,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Availability {
    Active,
    Pause,
    Drain,
}

#[derive(Debug, Clone, PartialEq, Hash, Serialize)]
pub struct Node {
    pub id: String,
    pub hostname: String,
    pub role: Role,
    pub leader: bool,
    pub status: NodeStatus,
    pub availability: Availability,
    pub engine: String,
    pub addr: String,
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    Replicated,
    Global,
    ReplicatedJob,
    GlobalJob,
    /// A plain container (compose project member or lone container) on an engine outside a swarm.
    Container,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Port {
    pub published: Option<u16>,
    pub target: u16,
    pub protocol: String,
    /// `ingress` or `host` in a swarm; empty for containers.
    pub mode: String,
}

impl std::fmt::Display for Port {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.published {
            Some(p) => write!(f, "{p}->{}/{}", self.target, self.protocol),
            None => write!(f, "{}/{}", self.target, self.protocol),
        }
    }
}

/// The rolling update state of a service, as the engine reports it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct UpdateStatus {
    /// updating, paused, completed, rollback_started, rollback_paused, rollback_completed
    pub state: String,
    pub message: String,
}

/// A swarm service, or on a plain engine a compose service (or a lone container).
#[derive(Debug, Clone, PartialEq, Hash, Serialize)]
pub struct Workload {
    pub id: String,
    pub name: String,
    /// The stack (`com.docker.stack.namespace`) or compose project it belongs to.
    pub stack: Option<String>,
    pub mode: Mode,
    pub running: u64,
    pub desired: u64,
    /// repo:tag, digest removed.
    pub image: String,
    pub ports: Vec<Port>,
    pub update: Option<UpdateStatus>,
    pub labels: BTreeMap<String, String>,
    pub created: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    /// every desired replica is running
    Healthy,
    /// some are running, or none are desired yet some run
    Converging,
    /// none running while some are desired
    Down,
}

impl Workload {
    pub fn health(&self) -> Health {
        if self.running >= self.desired && (self.desired > 0 || self.running == 0) {
            Health::Healthy
        } else if self.running == 0 {
            Health::Down
        } else {
            Health::Converging
        }
    }
}

/// A swarm task, or on a plain engine a container.
#[derive(Debug, Clone, Default, PartialEq, Hash, Serialize)]
pub struct Instance {
    pub id: String,
    pub workload_id: String,
    /// `gopenux_backend.2`, or for global services `name.<node id>`, or a container's name.
    pub name: String,
    pub slot: Option<u64>,
    pub node_id: String,
    pub node: String,
    pub desired: String,
    pub state: String,
    /// When the current state was entered (Unix seconds).
    pub since: i64,
    pub error: Option<String>,
    pub image: String,
    /// Where its usage and a shell are found: the container's ID on its engine (a Swarm task's
    /// once it has one, a plain engine's container); on Kubernetes `namespace/pod`.
    pub container: String,
    /// A pod's containers, by name (Kubernetes; one per task elsewhere, so empty).
    pub containers: Vec<String>,
}

/// Seconds a task may stay `new` before it is taken as not allocated: the scheduler needs well
/// under one.
pub const NEW_TOO_LONG: i64 = 10;

impl Instance {
    /// The engine could not allocate it (an address on the ingress or an overlay network): it
    /// stays `new`, with no error, past what the scheduler needs. The engine says nothing of it
    /// in its API; its log says "could not find an available IP".
    pub fn unallocated(&self, now: i64) -> bool {
        self.state == "new"
            && self.error.is_none()
            && self.desired == "running"
            && now - self.since >= NEW_TOO_LONG
    }

    /// Shutdown, failed, complete, rejected...: tasks that are done and hidden by default.
    pub fn finished(&self) -> bool {
        matches!(self.desired.as_str(), "shutdown" | "remove" | "complete")
            || matches!(
                self.state.as_str(),
                "shutdown"
                    | "failed"
                    | "complete"
                    | "rejected"
                    | "orphaned"
                    | "remove"
                    | "exited"
                    | "dead"
                    | "succeeded"
            )
    }
}

#[derive(Debug, Clone, PartialEq, Hash, Serialize)]
pub struct Image {
    pub id: String,
    pub repo: String,
    pub tag: String,
    pub size: u64,
    pub created: i64,
}

impl Image {
    /// How the image is named: `repo:tag`, or its ID when it has no tag.
    pub fn reference(&self) -> String {
        if self.tag.is_empty() || self.tag == "<none>" {
            self.id.clone()
        } else {
            format!("{}:{}", self.repo, self.tag)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stream {
    Stdout,
    Stderr,
}

#[derive(Debug, Clone, PartialEq, Hash, Serialize)]
pub struct LogLine {
    /// `name.slot@node`, as `docker service logs` prefixes lines.
    pub source: String,
    pub stream: Stream,
    /// Unix seconds, when the engine gave a timestamp.
    pub ts: Option<i64>,
    /// Nanoseconds within the second, for ordering merged streams.
    pub ts_nanos: u32,
    pub text: String,
}

/// What logs to ask for: the last `tail` lines, between `since` and `until` (Unix seconds),
/// following new ones; on Kubernetes, the previous container's or a given container's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct LogOptions {
    pub tail: usize,
    pub follow: bool,
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub previous: bool,
    pub container: Option<String>,
    /// Kubernetes: every container of each pod, each line's source `pod/container`.
    pub all_containers: bool,
}

impl LogOptions {
    /// The last `tail` lines, and with `follow` those that come after.
    pub fn last(tail: usize, follow: bool) -> LogOptions {
        LogOptions {
            tail,
            follow,
            ..Default::default()
        }
    }
}

/// What `exec` was asked to open: a task (or container) and the command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecRequest {
    /// The task's (or container's) ID and name.
    pub id: String,
    pub name: String,
    /// The node it runs on ("" on a plain engine).
    pub node_id: String,
    pub node: String,
    /// The command; empty: the first of the configured shells that exists.
    pub cmd: Vec<String>,
    /// Where it runs: [`Instance::container`] (on Kubernetes `namespace/pod`).
    pub handle: String,
    /// Which of a pod's containers (Kubernetes); none: its only one.
    pub container: Option<String>,
}

impl ExecRequest {
    /// A shell (or `cmd`) in `i`, in its `container` when it is a pod's.
    pub fn new(i: Instance, container: Option<String>, cmd: Vec<String>) -> ExecRequest {
        ExecRequest {
            id: i.id,
            name: i.name,
            node_id: i.node_id,
            node: i.node,
            cmd,
            handle: i.container,
            container,
        }
    }
}

/// What a shell in a pod still needs said: which of its containers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContainerChoice {
    /// Several, none named.
    Ask,
    /// The one named is not among them.
    Unknown(String),
}

impl Instance {
    /// Whether `container` picks one of this pod's containers (`None`: it does, or needs not).
    pub fn container_choice(&self, container: Option<&str>) -> Option<ContainerChoice> {
        match container {
            None if self.containers.len() > 1 => Some(ContainerChoice::Ask),
            Some(c) if !self.containers.is_empty() && !self.containers.iter().any(|n| n == c) => {
                Some(ContainerChoice::Unknown(c.to_string()))
            }
            _ => None,
        }
    }
}

/// What a log pane follows.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum LogTarget {
    Workload { id: String, name: String },
    Instance { id: String, name: String },
}

impl LogTarget {
    pub fn name(&self) -> &str {
        match self {
            LogTarget::Workload { name, .. } | LogTarget::Instance { name, .. } => name,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SwarmRole {
    Manager,
    Worker,
    /// The engine is not part of a swarm.
    None,
}

/// The context and namespace a Kubernetes console looks at.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct KubeScope {
    pub context: String,
    /// `None`: every namespace.
    pub namespace: Option<String>,
}

/// Facts about the endpoint, for the status bar.
#[derive(Debug, Clone, PartialEq, Hash, Serialize)]
pub struct ClusterInfo {
    pub endpoint: String,
    pub engine: String,
    pub swarm: SwarmRole,
    pub node_id: String,
    pub hostname: String,
    /// The context and namespace, on Kubernetes.
    pub kube: Option<KubeScope>,
    /// What tells this cluster from any other, as lab passes record where they were observed:
    /// the engine's ID (it stays through `swarm init` and `swarm leave`), the `kube-system`
    /// namespace's UID on Kubernetes, `demo` for the demo cluster.
    pub id: String,
    /// The swarm's ID, when the engine is in one.
    pub swarm_id: String,
    /// The embedded demo cluster, not a real one.
    pub demo: bool,
}

/// A stack at a glance: its services and how many of their replicas run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StackSummary {
    pub name: String,
    pub services: usize,
    pub running: u64,
    pub desired: u64,
    pub health: Health,
}

/// The stacks of these workloads (those without a stack are left out), by name.
pub fn stacks(workloads: &[Workload]) -> Vec<StackSummary> {
    let mut map: std::collections::BTreeMap<&str, StackSummary> = std::collections::BTreeMap::new();
    for w in workloads {
        let Some(stack) = w.stack.as_deref() else {
            continue;
        };
        let s = map.entry(stack).or_insert_with(|| StackSummary {
            name: stack.to_string(),
            services: 0,
            running: 0,
            desired: 0,
            health: Health::Healthy,
        });
        s.services += 1;
        s.running += w.running;
        s.desired += w.desired;
        s.health = match (s.health, w.health()) {
            (Health::Down, _) | (_, Health::Down) => Health::Down,
            (Health::Converging, _) | (_, Health::Converging) => Health::Converging,
            _ => Health::Healthy,
        };
    }
    map.into_values().collect()
}

/// Human size like the docker CLI: `12.3MB`, base 1000.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1000.0 && u < UNITS.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes}B")
    } else if v < 10.0 {
        format!("{v:.2}{}", UNITS[u])
    } else if v < 100.0 {
        format!("{v:.1}{}", UNITS[u])
    } else {
        format!("{v:.0}{}", UNITS[u])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_the_docker_cli() {
        assert_eq!(human_size(512), "512B");
        assert_eq!(human_size(1_234_567), "1.23MB");
        assert_eq!(human_size(45_600_000), "45.6MB");
        assert_eq!(human_size(456_000_000), "456MB");
    }

    #[test]
    fn digests_are_hidden() {
        assert_eq!(strip_digest("nginx:1.25@sha256:abcd"), "nginx:1.25");
        assert_eq!(strip_digest("nginx"), "nginx");
    }

    fn w(running: u64, desired: u64) -> Workload {
        Workload {
            id: "x".into(),
            name: "x".into(),
            stack: None,
            mode: Mode::Replicated,
            running,
            desired,
            image: String::new(),
            ports: vec![],
            update: None,
            labels: BTreeMap::new(),
            created: 0,
        }
    }

    #[test]
    fn health_follows_replicas() {
        assert_eq!(w(3, 3).health(), Health::Healthy);
        assert_eq!(w(0, 0).health(), Health::Healthy);
        assert_eq!(w(1, 3).health(), Health::Converging);
        assert_eq!(w(0, 3).health(), Health::Down);
    }
}
