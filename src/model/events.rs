//! What happened in the cluster: Swarm engine events and Kubernetes Events, in one shape.

use serde::Serialize;

/// The events view's columns; the kind and the name say what Enter inspects.
pub const COLUMNS: [&str; 5] = ["time", "kind", "action", "name", "message"];

/// The kind of object to inspect for an event's kind (`service`, `Pod`…).
pub fn inspect_kind(kind: &str) -> Option<super::inspect::Kind> {
    use super::inspect::Kind;
    Some(match kind {
        "service" | "Service" => Kind::Service,
        "node" | "Node" => Kind::Node,
        "network" => Kind::Network,
        "secret" | "Secret" => Kind::Secret,
        "config" => Kind::Config,
        "volume" => Kind::Volume,
        "image" => Kind::Image,
        "Pod" => Kind::Pod,
        "Deployment" => Kind::Deployment,
        "ConfigMap" => Kind::ConfigMap,
        "Namespace" => Kind::Namespace,
        _ => return None,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ClusterEvent {
    /// Seconds since the epoch.
    pub time: i64,
    /// Nanoseconds within the second, to keep order.
    pub nanos: u32,
    /// The kind of object: `service`, `node`, `network`, `container`… or `Pod`, `Deployment`.
    pub kind: String,
    /// What happened: `create`, `update`, `die`, `health_status: unhealthy`, or a Kubernetes
    /// reason (`Scheduled`, `BackOff`).
    pub action: String,
    /// The object's name (a container's task name when it has one).
    pub name: String,
    /// The object's ID, when the engine gives one.
    pub id: String,
    /// More words: a Kubernetes Event's message, a container's exit code.
    pub message: String,
    /// How many times (Kubernetes Events repeat).
    pub count: u32,
    /// A warning (Kubernetes `Warning`, a container that died or ran out of memory).
    pub warning: bool,
}

impl ClusterEvent {
    /// Its row in the events view (see [`COLUMNS`]), the time as the clock shows it.
    pub fn row(&self, clock: &str) -> Vec<String> {
        let mut message = self.message.clone();
        if self.count > 1 {
            message.push_str(&format!(" (×{})", self.count));
        }
        // Warnings (a Kubernetes `Warning`, a container that died badly) are marked.
        let action = if self.warning {
            format!("⚠ {}", self.action)
        } else {
            self.action.clone()
        };
        vec![
            clock.to_string(),
            self.kind.clone(),
            action,
            self.name.clone(),
            message,
        ]
    }

    /// One line: `TIME KIND ACTION NAME MESSAGE (×N)`, as `estiba events` prints it.
    pub fn line(&self, time: &str) -> String {
        let mut s = format!("{time} {} {} {}", self.kind, self.action, self.name);
        if !self.message.is_empty() {
            s.push_str(&format!(" {}", self.message));
        }
        if self.count > 1 {
            s.push_str(&format!(" (×{})", self.count));
        }
        s
    }
}

/// `--since`: a while ago (`10m`, `1h30m`, `45s`) or a moment (RFC 3339, or seconds since the
/// epoch), as `docker events --since` takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    Ago(i64),
    At(i64),
}

impl Since {
    /// `duration` turns `10m` into seconds (the compose duration grammar).
    pub fn parse(s: &str, duration: impl Fn(&str) -> Option<i64>) -> Option<Since> {
        if let Ok(n) = s.parse::<i64>() {
            return Some(Since::At(n));
        }
        if let Some(d) = duration(s).filter(|d| *d >= 0) {
            return Some(Since::Ago(d));
        }
        None
    }

    pub fn at(self, now: i64) -> i64 {
        match self {
            Since::Ago(d) => now - d,
            Since::At(t) => t,
        }
    }
}
