//! The simulated cluster behind the demo: its nodes, the gopenux stack, how tasks move, and
//! the log lines they write.

use crate::model::*;
use serde_json::Value as J;
use std::collections::{BTreeMap, BTreeSet};

pub(super) struct Sim {
    pub(super) nodes: Vec<Node>,
    pub(super) workloads: Vec<Workload>,
    pub(super) instances: Vec<Instance>,
    pub(super) images: Vec<Image>,
    /// Pseudo-random state (deterministic: the same demo every time).
    pub(super) seed: u64,
    pub(super) next_failure: i64,
    pub(super) serial: u64,
    pub(super) synthetic: Option<Synthetic>,
    /// The image each service had before its last image change, for rollback.
    pub(super) previous: BTreeMap<String, String>,
    /// Image references pushed to the demo's registry.
    pub(super) pushed: std::collections::BTreeSet<String>,
    /// Whether the demo's engine is in a swarm (a lab may start before `swarm init`).
    pub(super) swarm: SwarmRole,
    /// What deploys made.
    pub(super) objects: Objects,
    /// Workers that will join, and when.
    pub(super) joining: Vec<(i64, Node)>,
    /// The steps built before (their chain of instructions), for the demo builder's cache.
    pub(super) built: std::collections::BTreeSet<String>,
    /// What made each layer of the images the demo built, oldest first, by image ID.
    pub(super) histories: BTreeMap<String, Vec<String>>,
    /// What happened, oldest first (the events view).
    pub(super) events: Vec<crate::model::events::ClusterEvent>,
}

/// A large synthetic cluster, generated when listed rather than stored (it never changes).
#[derive(Clone, Copy)]
pub(super) struct Synthetic {
    pub(super) services: usize,
    pub(super) per: u64,
    pub(super) now: i64,
}

impl Synthetic {
    pub(super) fn workloads(&self) -> Vec<Workload> {
        (0..self.services)
            .map(|s| {
                let stack = format!("stack{:02}", s / 20);
                let mut w = workload(
                    &format!("svc{s:021}"),
                    &format!("{stack}_svc{s:04}"),
                    Some(&stack),
                    &format!("{REGISTRY}/app{s}:latest"),
                    self.per,
                    &[],
                    self.now - 3600,
                );
                w.running = self.per;
                w
            })
            .collect()
    }

    pub(super) fn instances(&self, nodes: &[Node]) -> Vec<Instance> {
        let mut out = Vec::with_capacity(self.services * self.per as usize);
        for s in 0..self.services {
            let name = format!("stack{:02}_svc{s:04}", s / 20);
            let id = format!("svc{s:021}");
            for slot in 1..=self.per {
                let n = &nodes[(slot as usize) % nodes.len()];
                out.push(instance(
                    &id,
                    &name,
                    slot,
                    n,
                    "running",
                    self.now - 3000,
                    &format!("app{s}:latest"),
                    s as u64 * 1000 + slot,
                ));
            }
        }
        out
    }
}

/// What the demo's stacks made: the specs as deployed (for the next diff) and their objects.
#[derive(Default)]
pub(super) struct Objects {
    pub(super) specs: BTreeMap<String, J>,
    /// Network name → internal.
    pub(super) networks: BTreeMap<String, bool>,
    pub(super) secrets: BTreeSet<String>,
    pub(super) configs: BTreeSet<String>,
}

pub(super) const REGISTRY: &str = "registry.developers.lan/gopenux";

pub(super) fn rng(seed: &mut u64) -> u64 {
    *seed = seed
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    *seed >> 33
}

pub(super) fn node(
    id: &str,
    host: &str,
    role: Role,
    leader: bool,
    addr: &str,
    label: &str,
) -> Node {
    Node {
        id: id.into(),
        hostname: host.into(),
        role,
        leader,
        status: NodeStatus::Ready,
        availability: Availability::Active,
        engine: "27.3.1".into(),
        addr: addr.into(),
        labels: BTreeMap::from([("app".to_string(), label.to_string())]),
    }
}

pub(super) fn port(published: u16, target: u16) -> Port {
    Port {
        published: Some(published),
        target,
        protocol: "tcp".into(),
        mode: "ingress".into(),
    }
}

pub(super) struct SvcDef {
    pub(super) key: &'static str,
    pub(super) image: &'static str,
    pub(super) replicas: u64,
    pub(super) ports: &'static [(u16, u16)],
    pub(super) node: usize,
}

pub(super) const STACK: &[SvcDef] = &[
    SvcDef {
        key: "frontend",
        image: "frontend-semana-3:latest",
        replicas: 2,
        ports: &[(80, 80), (443, 443)],
        node: 1,
    },
    SvcDef {
        key: "backend",
        image: "api-semana-3:latest",
        replicas: 3,
        ports: &[(5000, 5000)],
        node: 2,
    },
    SvcDef {
        key: "image-microservice",
        image: "image-microservice-semana3:latest",
        replicas: 2,
        ports: &[],
        node: 2,
    },
    SvcDef {
        key: "mongo",
        image: "mongo:7.0",
        replicas: 1,
        ports: &[],
        node: 0,
    },
    SvcDef {
        key: "redis",
        image: "redis:7.2-alpine",
        replicas: 1,
        ports: &[],
        node: 0,
    },
];

pub(super) fn line(source: &str, key: &str, ts: i64, seed: &mut u64) -> LogLine {
    let r = rng(seed);
    let paths = [
        "/api/users",
        "/api/images/42",
        "/api/health",
        "/api/users?q=ana",
        "/",
    ];
    let path = paths[(r % paths.len() as u64) as usize];
    let (stream, text) = match key {
        "frontend" | "ingress" => (
            Stream::Stdout,
            format!(
                "10.0.0.{} - - \"GET {path} HTTP/1.1\" 200 {}",
                r % 250 + 2,
                300 + r % 4000
            ),
        ),
        "backend" | "api" if r.is_multiple_of(11) => (
            Stream::Stderr,
            "WARNING: slow query on users (412 ms)".to_string(),
        ),
        "backend" | "api" => (
            Stream::Stdout,
            format!(
                "INFO 10.0.1.{} GET {path} 200 {}ms",
                r % 250 + 2,
                3 + r % 90
            ),
        ),
        "image-microservice" => (
            Stream::Stdout,
            format!("resized image {} to 320x240 in {}ms", r % 900, 20 + r % 200),
        ),
        "mongo" => (
            Stream::Stdout,
            format!(
                "{{\"s\":\"I\",\"c\":\"NETWORK\",\"msg\":\"Connection accepted\",\"connectionCount\":{}}}",
                r % 30 + 1
            ),
        ),
        "redis" => (
            Stream::Stdout,
            format!("1:M * {} changes in 60 seconds. Saving...", r % 100 + 1),
        ),
        _ => (Stream::Stdout, format!("tick {r}")),
    };
    LogLine {
        source: source.to_string(),
        stream,
        ts: Some(ts),
        ts_nanos: 0,
        text,
    }
}

pub(super) fn workload(
    id: &str,
    name: &str,
    stack: Option<&str>,
    image: &str,
    replicas: u64,
    ports: &[(u16, u16)],
    created: i64,
) -> Workload {
    let mut labels = BTreeMap::new();
    if let Some(s) = stack {
        labels.insert("com.docker.stack.namespace".to_string(), s.to_string());
        labels.insert("com.docker.stack.image".to_string(), image.to_string());
    }
    Workload {
        id: id.into(),
        name: name.into(),
        stack: stack.map(str::to_string),
        mode: Mode::Replicated,
        running: 0,
        desired: replicas,
        image: image.into(),
        ports: ports.iter().map(|(p, t)| port(*p, *t)).collect(),
        update: None,
        labels,
        created,
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn instance(
    wid: &str,
    wname: &str,
    slot: u64,
    n: &Node,
    state: &str,
    since: i64,
    image: &str,
    serial: u64,
) -> Instance {
    Instance {
        id: format!("task{serial:021}"),
        workload_id: wid.into(),
        name: format!("{wname}.{slot}"),
        slot: Some(slot),
        node_id: n.id.clone(),
        node: n.hostname.clone(),
        desired: "running".into(),
        state: state.into(),
        since,
        error: None,
        image: image.into(),
        container: format!("{serial:064x}"),
        containers: vec![],
    }
}

/// The images the demo's manager has: the lab's, two tags of the frontend sharing one ID.
fn demo_images(now: i64) -> Vec<Image> {
    let mut images = Vec::new();
    for (k, (repo, tag, size)) in [
        (
            format!("{REGISTRY}/frontend-semana-3"),
            "latest",
            43_100_000u64,
        ),
        (format!("{REGISTRY}/frontend-semana-3"), "test", 43_100_000),
        (format!("{REGISTRY}/api-semana-3"), "latest", 152_000_000),
        (
            format!("{REGISTRY}/image-microservice-semana3"),
            "latest",
            181_000_000,
        ),
        ("mongo".to_string(), "7.0", 795_000_000),
        ("redis".to_string(), "7.2-alpine", 41_200_000),
    ]
    .into_iter()
    .enumerate()
    {
        // Both frontend tags share one image ID, as `docker tag` makes them.
        let id_n = if k == 1 { 0 } else { k };
        images.push(Image {
            id: format!(
                "{:012x}{:052x}",
                0xa1b2c3d4e5f6u64 + id_n as u64 * 7919,
                id_n
            ),
            repo,
            tag: tag.into(),
            size,
            created: now - 86_400 * (3 + k as i64),
        });
    }
    images
}

impl Sim {
    pub(super) fn new(now: i64, live: bool) -> Sim {
        let nodes = vec![
            node(
                "demonode0manager1",
                "manager1",
                Role::Manager,
                true,
                "10.10.0.2",
                "database",
            ),
            node(
                "demonode1worker01",
                "worker1",
                Role::Worker,
                false,
                "10.10.0.3",
                "ingress",
            ),
            node(
                "demonode2worker02",
                "worker2",
                Role::Worker,
                false,
                "10.10.0.4",
                "api",
            ),
        ];
        let mut sim = Sim {
            nodes,
            workloads: vec![],
            instances: vec![],
            images: vec![],
            seed: 42,
            next_failure: now + 25,
            serial: 0,
            synthetic: None,
            previous: BTreeMap::new(),
            pushed: Default::default(),
            built: Default::default(),
            histories: BTreeMap::new(),
            events: vec![],
            swarm: SwarmRole::Manager,
            objects: Default::default(),
            joining: vec![],
        };
        sim.gopenux(now, live);
        // One failed task from an earlier update, kept like the engine keeps task history.
        if let Some(n) = sim.nodes.get(2).cloned() {
            sim.serial += 1;
            let mut failed = instance(
                &sim.workloads[1].id.clone(),
                "gopenux_backend",
                2,
                &n,
                "failed",
                now - 3600 * 5 - 200,
                &format!("{REGISTRY}/api-semana-3:test"),
                sim.serial,
            );
            failed.desired = "shutdown".into();
            failed.error = Some(format!("No such image: {REGISTRY}/api-semana-3:test"));
            sim.instances.push(failed);
        }
        sim.images = demo_images(now);
        sim.recount();
        sim
    }

    /// The gopenux stack's services and their tasks (pending when `live`: they start as the
    /// class watches).
    fn gopenux(&mut self, now: i64, live: bool) {
        for (i, d) in STACK.iter().enumerate() {
            let id = format!("demosvc{i}{:018}", i);
            let name = format!("gopenux_{}", d.key);
            let image = if d.image.starts_with("mongo") || d.image.starts_with("redis") {
                d.image.to_string()
            } else {
                format!("{REGISTRY}/{}", d.image)
            };
            let mut w = workload(
                &id,
                &name,
                Some("gopenux"),
                &image,
                d.replicas,
                d.ports,
                now - 86_400 * 2,
            );
            w.labels
                .insert("com.docker.stack.image".into(), image.clone());
            self.workloads.push(w);
            for slot in 1..=d.replicas {
                let n = self.nodes[(d.node + slot as usize - 1) % 3].clone();
                self.serial += 1;
                let (state, since) = if live {
                    ("pending", now + slot as i64 - 1)
                } else {
                    ("running", now - 3600 * 5 - slot as i64 * 60)
                };
                self.instances.push(instance(
                    &id,
                    &name,
                    slot,
                    &n,
                    state,
                    since,
                    &image,
                    self.serial,
                ));
            }
        }
    }

    pub(super) fn recount(&mut self) {
        for w in &mut self.workloads {
            w.running = self
                .instances
                .iter()
                .filter(|i| i.workload_id == w.id && i.state == "running" && i.desired == "running")
                .count() as u64;
        }
    }

    /// Moves pending tasks to running, and now and then fails one and replaces it.
    pub(super) fn advance(&mut self, now: i64) -> bool {
        let mut moved = self.settle(now);
        let mut started = vec![];
        for i in &mut self.instances {
            if i.state == "pending" && !i.node_id.is_empty() && i.since + 2 <= now {
                i.state = "running".into();
                i.since = now;
                moved = true;
                started.push(event(now, "container", "start", &i.name, &i.id));
            }
        }
        for e in started {
            push(self, e);
        }
        if now >= self.next_failure {
            self.next_failure = now + 40 + (rng(&mut self.seed) % 20) as i64;
            let running: Vec<usize> = (0..self.instances.len())
                .filter(|&k| {
                    self.instances[k].state == "running"
                        && self.instances[k].name.contains("image-microservice")
                })
                .collect();
            if !running.is_empty() {
                let k = running[(rng(&mut self.seed) as usize) % running.len()];
                let old = &mut self.instances[k];
                old.state = "failed".into();
                old.desired = "shutdown".into();
                old.since = now;
                old.error = Some("task: non-zero exit (137): OOM killed".into());
                let mut died = event(now, "container", "die", &old.name, &old.id);
                died.message = "exitCode=137 (OOM killed)".into();
                died.warning = true;
                let mut fresh = old.clone();
                self.serial += 1;
                fresh.id = format!("task{:021}", self.serial);
                fresh.state = "pending".into();
                fresh.desired = "running".into();
                fresh.error = None;
                self.instances.push(fresh);
                push(self, died);
                // Keep the history short, like the engine's task history limit.
                let finished: Vec<usize> = (0..self.instances.len())
                    .filter(|&k| self.instances[k].finished())
                    .collect();
                if finished.len() > 6 {
                    self.instances.remove(finished[0]);
                }
                moved = true;
            }
        }
        if moved {
            self.recount();
        }
        moved
    }
}

/// How many events the demo keeps (the engine keeps its last 1 000 too).
const EVENTS_KEPT: usize = 1000;

/// An event at `now`, with no message.
pub(super) fn event(
    now: i64,
    kind: &str,
    action: &str,
    name: &str,
    id: &str,
) -> crate::model::events::ClusterEvent {
    crate::model::events::ClusterEvent {
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
pub(super) fn push(s: &mut Sim, mut e: crate::model::events::ClusterEvent) {
    s.serial += 1;
    e.nanos = (s.serial % 1_000_000_000) as u32;
    s.events.push(e);
    if s.events.len() > EVENTS_KEPT {
        let extra = s.events.len() - EVENTS_KEPT;
        s.events.drain(..extra);
    }
}
