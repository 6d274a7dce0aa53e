//! Kubernetes objects → the backend-neutral model: a Node is a node, a Deployment a workload
//! (grouped by namespace), a Pod an instance of the Deployment that owns its ReplicaSet.

use crate::model::{
    Availability, Instance, Mode, Node, NodeStatus, Port, Role, UpdateStatus, Workload,
};
use crate::sanitize::one_line;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{Node as KNode, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use std::collections::{BTreeMap, HashMap};

fn secs(t: &Option<Time>) -> i64 {
    t.as_ref().map(|t| t.0.as_second()).unwrap_or(0)
}

fn clean(s: &str) -> String {
    one_line(s)
}

fn labels(m: &ObjectMeta) -> BTreeMap<String, String> {
    m.labels
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (clean(&k), clean(&v)))
        .collect()
}

/// `name` in one namespace, `namespace/name` when every namespace is shown.
pub fn shown_name(m: &ObjectMeta, all_namespaces: bool) -> String {
    let name = clean(m.name.as_deref().unwrap_or_default());
    match (&m.namespace, all_namespaces) {
        (Some(ns), true) => format!("{}/{name}", clean(ns)),
        _ => name,
    }
}

pub fn node(n: &KNode) -> Node {
    let m = &n.metadata;
    let labels = labels(m);
    let control = labels.contains_key("node-role.kubernetes.io/control-plane")
        || labels.contains_key("node-role.kubernetes.io/master");
    let status = n.status.as_ref();
    let ready = status
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
        .map(|c| c.status.as_str());
    let addr = status
        .and_then(|s| s.addresses.as_ref())
        .and_then(|a| a.iter().find(|a| a.type_ == "InternalIP"))
        .map(|a| clean(&a.address))
        .unwrap_or_default();
    let unschedulable = n
        .spec
        .as_ref()
        .and_then(|s| s.unschedulable)
        .unwrap_or(false);
    Node {
        id: clean(m.name.as_deref().unwrap_or_default()),
        hostname: clean(m.name.as_deref().unwrap_or_default()),
        role: if control { Role::Manager } else { Role::Worker },
        leader: false,
        status: match ready {
            Some("True") => NodeStatus::Ready,
            Some("False") => NodeStatus::Down,
            _ => NodeStatus::Unknown,
        },
        // Cordoned: no new pods, the ones there stay (swarm's "pause").
        availability: if unschedulable {
            Availability::Pause
        } else {
            Availability::Active
        },
        engine: status
            .and_then(|s| s.node_info.as_ref())
            .map(|i| clean(&i.kubelet_version))
            .unwrap_or_default(),
        addr,
        labels,
    }
}

pub fn deployment(d: &Deployment, all_namespaces: bool) -> Workload {
    let m = &d.metadata;
    let spec = &d.spec;
    let status = d.status.as_ref();
    let desired = spec.replicas.unwrap_or(1).max(0) as u64;
    let ready = status.and_then(|s| s.ready_replicas).unwrap_or(0).max(0) as u64;
    let updated = status.and_then(|s| s.updated_replicas).unwrap_or(0).max(0) as u64;
    let total = status.and_then(|s| s.replicas).unwrap_or(0).max(0) as u64;
    let containers = spec
        .template
        .spec
        .as_ref()
        .map(|p| p.containers.clone())
        .unwrap_or_default();
    let image = containers
        .iter()
        .map(|c| clean(c.image.as_deref().unwrap_or_default()))
        .collect::<Vec<_>>()
        .join(",");
    let ports = containers
        .iter()
        .flat_map(|c| c.ports.clone().unwrap_or_default())
        .map(|p| Port {
            published: None,
            target: u16::try_from(p.container_port).unwrap_or(0),
            protocol: p.protocol.unwrap_or_else(|| "TCP".into()).to_lowercase(),
            mode: "pod".into(),
        })
        .collect();
    // A rollout is under way while not every replica runs the current template.
    let progressing = status
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_.as_deref() == Some("Progressing")));
    let available = status
        .and_then(|s| s.available_replicas)
        .unwrap_or(0)
        .max(0) as u64;
    // Up-to-date and available, as `kubectl get deployments` shows them.
    let counts = crate::tr!("kube.up_to_date", updated = updated, available = available);
    let update = if updated < desired || total > desired {
        Some(UpdateStatus {
            state: "updating".into(),
            message: counts,
        })
    } else {
        Some(
            progressing
                .filter(|c| c.status.as_deref() == Some("False"))
                .map(|c| UpdateStatus {
                    state: "paused".into(),
                    message: clean(c.message.as_deref().unwrap_or_default()),
                })
                .unwrap_or(UpdateStatus {
                    state: "current".into(),
                    message: counts,
                }),
        )
    };
    Workload {
        id: clean(m.uid.as_deref().unwrap_or_default()),
        name: shown_name(m, all_namespaces),
        stack: m.namespace.as_deref().map(clean),
        mode: Mode::Replicated,
        running: ready,
        desired,
        image,
        ports,
        update,
        labels: labels(m),
        created: secs(&m.creation_timestamp),
    }
}

/// A label selector's `matchLabels` as `a=b,c=d`, for list calls.
pub fn selector(s: &k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector) -> String {
    s.match_labels
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// ReplicaSet UID → the UID of the Deployment that owns it.
pub fn owners(sets: &[ReplicaSet]) -> HashMap<String, String> {
    sets.iter()
        .filter_map(|rs| {
            let owner = rs
                .metadata
                .owner_references
                .as_ref()?
                .iter()
                .find(|o| o.kind == "Deployment")?;
            Some((rs.metadata.uid.clone()?, owner.uid.clone()))
        })
        .collect()
}

/// The workload UID a pod belongs to: its Deployment (through its ReplicaSet), or its
/// StatefulSet or DaemonSet.
pub fn pod_owner(p: &Pod, rs_owner: &HashMap<String, String>) -> Option<String> {
    let refs = p.metadata.owner_references.as_ref()?;
    refs.iter().find_map(|o| match o.kind.as_str() {
        "ReplicaSet" => rs_owner.get(&o.uid).cloned(),
        "StatefulSet" | "DaemonSet" => Some(o.uid.clone()),
        _ => None,
    })
}

/// A StatefulSet or DaemonSet, shown beside the Deployments (read-only: estiba's actions are
/// for Deployments).
pub fn other_workload(
    m: &ObjectMeta,
    kind: &str,
    ready: i32,
    desired: i32,
    image: String,
    all_namespaces: bool,
) -> Workload {
    Workload {
        id: clean(m.uid.as_deref().unwrap_or_default()),
        name: shown_name(m, all_namespaces),
        stack: m.namespace.as_deref().map(clean),
        mode: if kind == "DaemonSet" {
            Mode::Global
        } else {
            Mode::Replicated
        },
        running: ready.max(0) as u64,
        desired: desired.max(0) as u64,
        image: clean(&image),
        ports: vec![],
        update: Some(UpdateStatus {
            state: kind.to_lowercase(),
            message: String::new(),
        }),
        labels: labels(m),
        created: secs(&m.creation_timestamp),
    }
}

/// A pod's state as a word, and why when it is unhealthy (CrashLoopBackOff, ImagePullBackOff...).
pub fn pod_state(p: &Pod) -> (String, Option<String>) {
    let status = p.status.as_ref();
    if p.metadata.deletion_timestamp.is_some() {
        return ("terminating".into(), None);
    }
    let waiting = status
        .and_then(|s| s.container_statuses.as_ref())
        .and_then(|cs| cs.iter().find_map(|c| c.state.as_ref()?.waiting.clone()));
    if let Some(w) = waiting {
        let reason = clean(w.reason.as_deref().unwrap_or("Waiting"));
        let message = w.message.as_deref().map(clean);
        return (reason, message);
    }
    let phase = status
        .and_then(|s| s.phase.as_deref())
        .unwrap_or("Unknown")
        .to_lowercase();
    let message = status.and_then(|s| s.message.as_deref()).map(clean);
    (phase, message)
}

/// Ready containers out of all, and restarts.
pub fn pod_ready(p: &Pod) -> (usize, usize, i32) {
    let cs = p
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.clone())
        .unwrap_or_default();
    let total = p
        .spec
        .as_ref()
        .map(|s| s.containers.len())
        .unwrap_or(cs.len());
    let ready = cs.iter().filter(|c| c.ready).count();
    let restarts = cs.iter().map(|c| c.restart_count).sum();
    (ready, total, restarts)
}

pub fn pod(p: &Pod, rs_owner: &HashMap<String, String>, all_namespaces: bool) -> Instance {
    let m = &p.metadata;
    let (state, error) = pod_state(p);
    let (ready, total, restarts) = pod_ready(p);
    let node = clean(
        p.spec
            .as_ref()
            .and_then(|s| s.node_name.as_deref())
            .unwrap_or_default(),
    );
    let mut state = state;
    if state == "running" {
        state = format!("running {ready}/{total}");
    }
    if restarts > 0 {
        state = format!("{state} ↻{restarts}");
    }
    Instance {
        id: clean(m.uid.as_deref().unwrap_or_default()),
        workload_id: pod_owner(p, rs_owner).unwrap_or_default(),
        name: shown_name(m, all_namespaces),
        slot: None,
        node_id: node.clone(),
        node,
        desired: if m.deletion_timestamp.is_some() {
            "shutdown".into()
        } else {
            "running".into()
        },
        state,
        since: p
            .status
            .as_ref()
            .map(|s| secs(&s.start_time))
            .filter(|t| *t > 0)
            .unwrap_or_else(|| secs(&m.creation_timestamp)),
        error,
        image: p
            .spec
            .as_ref()
            .and_then(|s| s.containers.first())
            .and_then(|c| c.image.as_deref())
            .map(clean)
            .unwrap_or_default(),
        container: format!(
            "{}/{}",
            clean(m.namespace.as_deref().unwrap_or("default")),
            clean(m.name.as_deref().unwrap_or_default())
        ),
        containers: p
            .spec
            .iter()
            .flat_map(|s| s.containers.iter())
            .map(|c| clean(&c.name))
            .collect(),
    }
}
