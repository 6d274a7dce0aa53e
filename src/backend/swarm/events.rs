//! The engine's events for the events view, `estiba events` and an object's inspect window:
//! services, nodes, networks, secrets, configs, volumes, and this node's containers when they
//! die, run out of memory or change health.

use super::{Swarm, engine_error};
use crate::backend::Error;
use crate::model::events::ClusterEvent;
use crate::sanitize::one_line;
use bollard::query_parameters::EventsOptions;
use futures::StreamExt;
use std::collections::HashMap;

/// The container events worth telling an operator about.
const CONTAINER_ACTIONS: [&str; 4] = ["die", "oom", "kill", "health_status"];

fn convert(ev: bollard::models::EventMessage) -> Option<ClusterEvent> {
    let kind = ev.typ.map(|t| t.to_string()).unwrap_or_default();
    let action = ev.action.unwrap_or_default();
    if kind == "container" && !CONTAINER_ACTIONS.iter().any(|a| action.starts_with(a)) {
        return None;
    }
    let actor = ev.actor.unwrap_or_default();
    let attrs = actor.attributes.unwrap_or_default();
    let id = actor.id.unwrap_or_default();
    // A volume's ID is its name; a node's update may come without one.
    let name = attrs
        .get("com.docker.swarm.task.name")
        .or_else(|| attrs.get("name"))
        .cloned()
        .unwrap_or_else(|| id.clone());
    let mut message = Vec::new();
    for key in [
        "exitCode",
        "image",
        "updatestate.new",
        "replicas.new",
        "availability.new",
    ] {
        if let Some(v) = attrs.get(key) {
            message.push(format!("{key}={v}"));
        }
    }
    let warning = kind == "container"
        && (action == "oom"
            || action.contains("unhealthy")
            || (action == "die" && attrs.get("exitCode").is_some_and(|c| c != "0")));
    let nanos = ev.time_nano.unwrap_or(0).rem_euclid(1_000_000_000) as u32;
    Some(ClusterEvent {
        time: ev.time.unwrap_or(0),
        nanos,
        kind: one_line(&kind),
        action: one_line(&action),
        name: one_line(&name),
        id: one_line(&id),
        message: one_line(&message.join(" ")),
        count: 1,
        warning,
    })
}

impl Swarm {
    /// Events since `since` (seconds since the epoch), and with `follow` the ones that come
    /// after, in batches on `tx`, until `tx` closes. `only` keeps the events of one object
    /// (by ID or name).
    pub async fn events(
        &self,
        since: i64,
        follow: bool,
        only: Option<(&str, &str)>,
        tx: tokio::sync::mpsc::Sender<Vec<ClusterEvent>>,
    ) -> Result<(), Error> {
        let mut filters: HashMap<String, Vec<String>> = HashMap::from([(
            "type".to_string(),
            [
                "service",
                "node",
                "network",
                "secret",
                "config",
                "volume",
                "container",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        )]);
        if let Some((kind, id)) = only {
            filters.insert("type".into(), vec![kind.to_string()]);
            // Container events of a task carry its ID as a label, not as their own.
            let key = if kind == "container" { "label" } else { kind };
            let value = if kind == "container" {
                format!("com.docker.swarm.task.id={id}")
            } else {
                id.to_string()
            };
            filters.insert(key.to_string(), vec![value]);
        }
        let now = crate::time::now();
        let opts = EventsOptions {
            since: Some(since.to_string()),
            until: (!follow).then(|| now.to_string()),
            filters: Some(filters),
        };
        let mut stream = self.docker().events(Some(opts)).ready_chunks(64);
        while let Some(batch) = stream.next().await {
            let mut out = Vec::new();
            for ev in batch {
                if let Some(e) = convert(ev.map_err(engine_error)?) {
                    out.push(e);
                }
            }
            if !out.is_empty() && tx.send(out).await.is_err() {
                break;
            }
        }
        Ok(())
    }
}
