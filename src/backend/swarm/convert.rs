//! From bollard's types to the backend-neutral model. Every string from the engine is sanitized
//! here, before it can travel further.

use crate::model::*;
use crate::sanitize::{clean, one_line};
use crate::time::parse_rfc3339;
use bollard::models as bm;
use std::collections::{BTreeMap, HashMap};

fn s(v: &Option<String>) -> String {
    v.as_deref().map(one_line).unwrap_or_default()
}

fn labels(m: &Option<HashMap<String, String>>) -> BTreeMap<String, String> {
    m.iter()
        .flatten()
        .map(|(k, v)| (one_line(k), one_line(v)))
        .collect()
}

fn date(v: &Option<String>) -> i64 {
    v.as_deref().and_then(parse_rfc3339).unwrap_or(0)
}

pub fn node(n: &bm::Node) -> Node {
    let spec = n.spec.as_ref();
    let desc = n.description.as_ref();
    let status = n.status.as_ref();
    Node {
        id: s(&n.id),
        hostname: desc.map(|d| s(&d.hostname)).unwrap_or_default(),
        role: match spec.and_then(|s| s.role) {
            Some(bm::NodeSpecRoleEnum::MANAGER) => Role::Manager,
            _ => Role::Worker,
        },
        leader: n
            .manager_status
            .as_ref()
            .and_then(|m| m.leader)
            .unwrap_or(false),
        status: match status.and_then(|s| s.state) {
            Some(bm::NodeState::READY) => NodeStatus::Ready,
            Some(bm::NodeState::DOWN) => NodeStatus::Down,
            Some(bm::NodeState::DISCONNECTED) => NodeStatus::Disconnected,
            _ => NodeStatus::Unknown,
        },
        availability: match spec.and_then(|s| s.availability) {
            Some(bm::NodeSpecAvailabilityEnum::DRAIN) => Availability::Drain,
            Some(bm::NodeSpecAvailabilityEnum::PAUSE) => Availability::Pause,
            _ => Availability::Active,
        },
        engine: desc
            .and_then(|d| d.engine.as_ref())
            .map(|e| s(&e.engine_version))
            .unwrap_or_default(),
        addr: status.map(|st| s(&st.addr)).unwrap_or_default(),
        labels: labels(&spec.and_then(|s| s.labels.clone())),
    }
}

fn port(p: &bm::EndpointPortConfig) -> Port {
    Port {
        published: p
            .published_port
            .and_then(|v| u16::try_from(v).ok())
            .filter(|v| *v > 0),
        target: p
            .target_port
            .and_then(|v| u16::try_from(v).ok())
            .unwrap_or(0),
        protocol: p
            .protocol
            .map(|p| p.to_string())
            .unwrap_or_else(|| "tcp".into()),
        mode: p
            .publish_mode
            .map(|m| m.to_string())
            .unwrap_or_else(|| "ingress".into()),
    }
}

pub fn service(sv: &bm::Service) -> Workload {
    let spec = sv.spec.as_ref();
    let name = spec.map(|sp| s(&sp.name)).unwrap_or_default();
    let lbl = labels(&spec.and_then(|s| s.labels.clone()));
    let mode = spec.and_then(|s| s.mode.as_ref());
    let (mode, replicas) = match mode {
        Some(m) if m.global.is_some() => (Mode::Global, None),
        Some(m) if m.replicated_job.is_some() => (Mode::ReplicatedJob, None),
        Some(m) if m.global_job.is_some() => (Mode::GlobalJob, None),
        Some(m) => (
            Mode::Replicated,
            m.replicated.as_ref().and_then(|r| r.replicas),
        ),
        None => (Mode::Replicated, None),
    };
    let status = sv.service_status.as_ref();
    let image = spec
        .and_then(|s| s.task_template.as_ref())
        .and_then(|t| t.container_spec.as_ref())
        .map(|c| s(&c.image))
        .unwrap_or_default();
    let mut ports: Vec<Port> = sv
        .endpoint
        .as_ref()
        .and_then(|e| e.ports.as_ref())
        .or_else(|| {
            spec.and_then(|s| s.endpoint_spec.as_ref())
                .and_then(|e| e.ports.as_ref())
        })
        .map(|ps| ps.iter().map(port).collect())
        .unwrap_or_default();
    ports.sort_by_key(|p| (p.published, p.target));
    Workload {
        id: s(&sv.id),
        stack: lbl.get("com.docker.stack.namespace").cloned(),
        name,
        mode,
        running: status.and_then(|s| s.running_tasks).unwrap_or(0),
        desired: status
            .and_then(|s| s.desired_tasks)
            .or(replicas.map(|r| r as u64))
            .unwrap_or(0),
        image: strip_digest(&image).to_string(),
        ports,
        update: sv.update_status.as_ref().and_then(|u| {
            u.state.map(|st| UpdateStatus {
                state: st.to_string(),
                message: s(&u.message),
            })
        }),
        labels: lbl,
        created: date(&sv.created_at),
    }
}

pub fn task(
    t: &bm::Task,
    services: &HashMap<String, String>,
    nodes: &HashMap<String, String>,
) -> Instance {
    let service_id = s(&t.service_id);
    let service_name = services
        .get(&service_id)
        .cloned()
        .unwrap_or_else(|| short(&service_id).to_string());
    let node_id = s(&t.node_id);
    let name = match t.slot.filter(|v| *v > 0) {
        Some(slot) => format!("{service_name}.{slot}"),
        None => format!("{service_name}.{node_id}"),
    };
    let status = t.status.as_ref();
    let image = t
        .spec
        .as_ref()
        .and_then(|s| s.container_spec.as_ref())
        .map(|c| s(&c.image))
        .unwrap_or_default();
    Instance {
        id: s(&t.id),
        workload_id: service_id,
        name,
        slot: t.slot.and_then(|v| u64::try_from(v).ok()),
        node: nodes
            .get(&node_id)
            .cloned()
            .unwrap_or_else(|| short(&node_id).to_string()),
        node_id,
        desired: t.desired_state.map(|d| d.to_string()).unwrap_or_default(),
        state: status
            .and_then(|s| s.state)
            .map(|d| d.to_string())
            .unwrap_or_default(),
        since: status.map(|st| date(&st.timestamp)).unwrap_or(0),
        error: status
            .and_then(|st| st.err.as_deref())
            .map(one_line)
            .filter(|e| !e.is_empty()),
        image: strip_digest(&image).to_string(),
        container: status
            .and_then(|st| st.container_status.as_ref())
            .and_then(|c| c.container_id.as_deref())
            .map(one_line)
            .unwrap_or_default(),
        containers: vec![],
    }
}

pub fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

/// Images, one row per tag (an untagged image is one `<none>:<none>` row).
pub fn images(list: &[bm::ImageSummary]) -> Vec<Image> {
    let mut out = Vec::new();
    for i in list {
        let id = one_line(i.id.trim_start_matches("sha256:"));
        let tags: Vec<&String> = i
            .repo_tags
            .iter()
            .filter(|t| t.as_str() != "<none>:<none>")
            .collect();
        let row = |repo: String, tag: String| Image {
            id: id.clone(),
            repo,
            tag,
            size: u64::try_from(i.size).unwrap_or(0),
            created: i.created,
        };
        if tags.is_empty() {
            out.push(row("<none>".into(), "<none>".into()));
        }
        for t in tags {
            let t = one_line(t);
            let (repo, tag) = match t.rfind(':') {
                Some(p) if !t[p..].contains('/') => (t[..p].to_string(), t[p + 1..].to_string()),
                _ => (t.clone(), "latest".to_string()),
            };
            out.push(row(repo, tag));
        }
    }
    out.sort_by(|a, b| (&a.repo, &a.tag, &a.id).cmp(&(&b.repo, &b.tag, &b.id)));
    out
}

const PROJECT: &str = "com.docker.compose.project";
const SERVICE: &str = "com.docker.compose.service";

/// The workload a container belongs to on a plain engine: its compose service, or itself.
pub fn container_group(c: &bm::ContainerSummary) -> (String, String, Option<String>) {
    let l = labels(&c.labels);
    let cname = container_name(c);
    match (l.get(PROJECT), l.get(SERVICE)) {
        (Some(p), Some(sv)) => (format!("compose:{p}/{sv}"), sv.clone(), Some(p.clone())),
        _ => (format!("container:{}", s(&c.id)), cname, None),
    }
}

pub fn container_name(c: &bm::ContainerSummary) -> String {
    c.names
        .as_ref()
        .and_then(|n| n.first())
        .map(|n| one_line(n.trim_start_matches('/')))
        .unwrap_or_else(|| short(&s(&c.id)).to_string())
}

fn running(c: &bm::ContainerSummary) -> bool {
    c.state == Some(bm::ContainerSummaryStateEnum::RUNNING)
}

/// Containers grouped into workloads (compose services, or lone containers).
pub fn container_workloads(list: &[bm::ContainerSummary]) -> Vec<Workload> {
    let mut groups: BTreeMap<String, Workload> = BTreeMap::new();
    for c in list {
        let (id, name, stack) = container_group(c);
        let w = groups.entry(id.clone()).or_insert_with(|| Workload {
            id,
            name,
            stack,
            mode: Mode::Container,
            running: 0,
            desired: 0,
            image: strip_digest(&s(&c.image)).to_string(),
            ports: vec![],
            update: None,
            labels: labels(&c.labels),
            created: c.created.unwrap_or(0),
        });
        w.desired += 1;
        w.running += u64::from(running(c));
        for p in c.ports.iter().flatten() {
            let port = Port {
                published: p.public_port,
                target: p.private_port,
                protocol: p.typ.map(|t| t.to_string()).unwrap_or_else(|| "tcp".into()),
                mode: String::new(),
            };
            if !w.ports.contains(&port) {
                w.ports.push(port);
            }
        }
    }
    groups.into_values().collect()
}

pub fn container_instance(c: &bm::ContainerSummary, hostname: &str) -> Instance {
    let (workload_id, _, _) = container_group(c);
    let state = c.state.map(|st| st.to_string()).unwrap_or_default();
    Instance {
        id: s(&c.id),
        workload_id,
        name: container_name(c),
        slot: c
            .labels
            .as_ref()
            .and_then(|l| l.get("com.docker.compose.container-number"))
            .and_then(|n| n.parse().ok()),
        node_id: String::new(),
        node: hostname.to_string(),
        desired: if running(c) {
            "running".into()
        } else {
            "shutdown".into()
        },
        since: c.created.unwrap_or(0),
        error: None,
        image: strip_digest(&s(&c.image)).to_string(),
        container: s(&c.id),
        containers: vec![],
        state: if state.is_empty() {
            clean(&s(&c.status))
        } else {
            state
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_split_at_the_last_colon_outside_the_registry_port() {
        let i = bm::ImageSummary {
            id: "sha256:0123456789abcdef".into(),
            repo_tags: vec![
                "127.0.0.1:5000/api-semana-3:test".into(),
                "api-semana-3:latest".into(),
            ],
            size: 4_000_000,
            created: 10,
            ..Default::default()
        };
        let rows = images(&[i]);
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].repo.as_str(), rows[0].tag.as_str()),
            ("127.0.0.1:5000/api-semana-3", "test")
        );
        assert_eq!(
            (rows[1].repo.as_str(), rows[1].tag.as_str()),
            ("api-semana-3", "latest")
        );
        assert_eq!(rows[0].id, "0123456789abcdef");
    }

    #[test]
    fn hostile_names_are_sanitized() {
        let n = bm::Node {
            id: Some("n1".into()),
            description: Some(bm::NodeDescription {
                hostname: Some("evil\u{1b}]0;x\u{7}host".into()),
                ..Default::default()
            }),
            spec: Some(bm::NodeSpec {
                labels: Some(HashMap::from([(
                    "app".to_string(),
                    "a\u{1b}[2Jpi".to_string(),
                )])),
                ..Default::default()
            }),
            ..Default::default()
        };
        let n = node(&n);
        assert_eq!(n.hostname, "evilhost");
        assert_eq!(n.labels["app"], "api");
    }
}
