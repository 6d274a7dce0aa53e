//! The embedded demo cluster: an in-process simulated swarm for class demos, README screenshots
//! and render tests. Three labelled nodes and the "gopenux" stack of lab 000; tasks go pending →
//! running, now and then a task fails and is replaced, and running tasks write log lines.
//! It implements the same backend interface as the real engine; it never stands in for testing
//! against one.

use super::{Dirty, Error};
use crate::model::*;
use futures::StreamExt;
use futures::stream::BoxStream;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

struct Sim {
    nodes: Vec<Node>,
    workloads: Vec<Workload>,
    instances: Vec<Instance>,
    images: Vec<Image>,
    /// Pseudo-random state (deterministic: the same demo every time).
    seed: u64,
    next_failure: i64,
    serial: u64,
    synthetic: Option<Synthetic>,
}

#[derive(Clone)]
pub struct Demo {
    sim: Arc<Mutex<Sim>>,
    live: bool,
}

/// A large synthetic cluster, generated when listed rather than stored (it never changes).
#[derive(Clone, Copy)]
struct Synthetic {
    services: usize,
    per: u64,
    now: i64,
}

impl Synthetic {
    fn workloads(&self) -> Vec<Workload> {
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

    fn instances(&self, nodes: &[Node]) -> Vec<Instance> {
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

const REGISTRY: &str = "registry.developers.lan/gopenux";

fn rng(seed: &mut u64) -> u64 {
    *seed = seed
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    *seed >> 33
}

fn node(id: &str, host: &str, role: Role, leader: bool, addr: &str, label: &str) -> Node {
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

fn port(published: u16, target: u16) -> Port {
    Port {
        published: Some(published),
        target,
        protocol: "tcp".into(),
        mode: "ingress".into(),
    }
}

struct SvcDef {
    key: &'static str,
    image: &'static str,
    replicas: u64,
    ports: &'static [(u16, u16)],
    node: usize,
}

const STACK: &[SvcDef] = &[
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

impl Demo {
    /// The demo as it stands at `now`, every task running (render tests, screenshots, headless).
    pub fn at(now: i64) -> Demo {
        Demo {
            sim: Arc::new(Mutex::new(Sim::new(now, false))),
            live: false,
        }
    }

    /// The demo for the console: tasks start pending and come up over the first seconds, and the
    /// cluster keeps moving while it is watched.
    pub fn live(now: i64) -> Demo {
        Demo {
            sim: Arc::new(Mutex::new(Sim::new(now, true))),
            live: true,
        }
    }

    /// A large synthetic cluster (for benchmarks): `services` services with `tasks` tasks in all.
    pub fn scaled(now: i64, services: usize, tasks: usize) -> Demo {
        let mut sim = Sim::new(now, false);
        sim.workloads.clear();
        sim.instances.clear();
        let per = (tasks / services.max(1)).max(1) as u64;
        sim.synthetic = Some(Synthetic { services, per, now });
        Demo {
            sim: Arc::new(Mutex::new(sim)),
            live: false,
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Sim) -> T) -> Option<T> {
        self.sim.lock().ok().map(|mut s| f(&mut s))
    }

    pub fn info(&self) -> ClusterInfo {
        ClusterInfo {
            endpoint: "demo".into(),
            engine: "27.3.1".into(),
            swarm: SwarmRole::Manager,
            node_id: "demonode0manager1".into(),
            hostname: "manager1".into(),
        }
    }

    pub fn nodes(&self) -> Vec<Node> {
        self.with(|s| s.nodes.clone()).unwrap_or_default()
    }

    pub fn workloads(&self) -> Vec<Workload> {
        self.with(|s| match s.synthetic {
            Some(syn) => syn.workloads(),
            None => {
                s.recount();
                s.workloads.clone()
            }
        })
        .unwrap_or_default()
    }

    pub fn instances(&self) -> Vec<Instance> {
        self.with(|s| match s.synthetic {
            Some(syn) => syn.instances(&s.nodes),
            None => s.instances.clone(),
        })
        .unwrap_or_default()
    }

    pub fn images(&self) -> Vec<Image> {
        self.with(|s| s.images.clone()).unwrap_or_default()
    }

    /// Advances the simulation once a second and says what moved.
    pub fn changes(&self) -> BoxStream<'static, Result<Dirty, Error>> {
        let demo = self.clone();
        let ticks = tokio_interval(Duration::from_secs(1));
        ticks
            .filter_map(move |_| {
                let moved = demo.live
                    && demo
                        .with(|s| s.advance(crate::time::now()))
                        .unwrap_or(false);
                async move {
                    moved.then_some(Ok(Dirty {
                        workloads: true,
                        instances: true,
                        ..Dirty::default()
                    }))
                }
            })
            .boxed()
    }

    /// Everything the demo would list, as the events a backend sends on connecting: for
    /// headless drawing, render tests and benchmarks.
    pub fn events(&self) -> Vec<super::Event> {
        use super::Event;
        vec![
            Event::Conn(super::ConnState::Demo),
            Event::Info(self.info()),
            Event::Nodes(self.nodes()),
            Event::Workloads(self.workloads()),
            Event::Instances(self.instances()),
            Event::Images(self.images()),
        ]
    }

    pub async fn logs(
        &self,
        target: &LogTarget,
        tail: usize,
        follow: bool,
        tx: mpsc::Sender<Vec<LogLine>>,
    ) -> Result<(), Error> {
        let now = crate::time::now();
        let sources = self.log_sources(target)?;
        if sources.is_empty() {
            if follow {
                tx.closed().await;
            }
            return Ok(());
        }
        let mut seed = 7u64;
        let past: Vec<LogLine> = (0..tail.min(2000))
            .rev()
            .map(|k| {
                let (src, key) = &sources[(rng(&mut seed) as usize) % sources.len()];
                line(src, key, now - 2 * k as i64, &mut seed)
            })
            .collect();
        if tx.send(past).await.is_err() || !follow {
            return Ok(());
        }
        let mut tick = tokio::time::interval(Duration::from_millis(700));
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    let sources = self.log_sources(target).unwrap_or_default();
                    if sources.is_empty() { continue; }
                    let (src, key) = &sources[(rng(&mut seed) as usize) % sources.len()];
                    if tx.send(vec![line(src, key, crate::time::now(), &mut seed)]).await.is_err() {
                        return Ok(());
                    }
                }
                _ = tx.closed() => return Ok(()),
            }
        }
    }

    /// `(name.slot@node, service key)` of the running instances behind a target.
    fn log_sources(&self, target: &LogTarget) -> Result<Vec<(String, String)>, Error> {
        let all = self.instances();
        let picked: Vec<&Instance> = match target {
            LogTarget::Workload { id, .. } => all
                .iter()
                .filter(|i| &i.workload_id == id && i.state == "running")
                .collect(),
            LogTarget::Instance { id, name } => {
                let v: Vec<&Instance> = all.iter().filter(|i| &i.id == id).collect();
                if v.is_empty() {
                    return Err(Error::NotFound {
                        kind: "kind.task",
                        name: name.clone(),
                        suggestion: None,
                    });
                }
                v
            }
        };
        Ok(picked
            .iter()
            .map(|i| {
                let key = i
                    .name
                    .split('_')
                    .nth(1)
                    .unwrap_or("")
                    .split('.')
                    .next()
                    .unwrap_or("")
                    .to_string();
                (format!("{}@{}", i.name, i.node), key)
            })
            .collect())
    }
}

fn tokio_interval(period: Duration) -> impl futures::Stream<Item = ()> {
    futures::stream::unfold(tokio::time::interval(period), |mut iv| async move {
        iv.tick().await;
        Some(((), iv))
    })
}

fn line(source: &str, key: &str, ts: i64, seed: &mut u64) -> LogLine {
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
        "frontend" => (
            Stream::Stdout,
            format!(
                "10.0.0.{} - - \"GET {path} HTTP/1.1\" 200 {}",
                r % 250 + 2,
                300 + r % 4000
            ),
        ),
        "backend" if r % 11 == 0 => (
            Stream::Stderr,
            "WARNING: slow query on users (412 ms)".to_string(),
        ),
        "backend" => (
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

fn workload(
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
fn instance(
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
    }
}

impl Sim {
    fn new(now: i64, live: bool) -> Sim {
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
        };
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
            sim.workloads.push(w);
            for slot in 1..=d.replicas {
                let n = sim.nodes[(d.node + slot as usize - 1) % 3].clone();
                sim.serial += 1;
                let (state, since) = if live {
                    ("pending", now + slot as i64 - 1)
                } else {
                    ("running", now - 3600 * 5 - slot as i64 * 60)
                };
                sim.instances.push(instance(
                    &id, &name, slot, &n, state, since, &image, sim.serial,
                ));
            }
        }
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
            sim.images.push(Image {
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
        sim.recount();
        sim
    }

    fn recount(&mut self) {
        for w in &mut self.workloads {
            w.running = self
                .instances
                .iter()
                .filter(|i| i.workload_id == w.id && i.state == "running" && i.desired == "running")
                .count() as u64;
        }
    }

    /// Moves pending tasks to running, and now and then fails one and replaces it.
    fn advance(&mut self, now: i64) -> bool {
        let mut moved = false;
        for i in &mut self.instances {
            if i.state == "pending" && i.since + 2 <= now {
                i.state = "running".into();
                i.since = now;
                moved = true;
            }
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
                let mut fresh = old.clone();
                self.serial += 1;
                fresh.id = format!("task{:021}", self.serial);
                fresh.state = "pending".into();
                fresh.desired = "running".into();
                fresh.error = None;
                self.instances.push(fresh);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_is_the_gopenux_stack_on_three_labelled_nodes() {
        let d = Demo::at(1_000_000);
        let nodes = d.nodes();
        assert_eq!(nodes.len(), 3);
        let labels: Vec<&str> = nodes.iter().map(|n| n.labels["app"].as_str()).collect();
        assert_eq!(labels, ["database", "ingress", "api"]);
        let w = d.workloads();
        assert_eq!(w.len(), 5);
        assert!(w.iter().all(|w| w.stack.as_deref() == Some("gopenux")));
        assert!(w.iter().all(|w| w.health() == Health::Healthy), "{w:#?}");
        assert!(
            d.instances()
                .iter()
                .any(|i| i.error.is_some() && i.finished())
        );
    }

    #[test]
    fn live_tasks_go_from_pending_to_running() {
        let d = Demo::live(1_000_000);
        assert!(d.workloads().iter().all(|w| w.running == 0));
        let moved = d.with(|s| s.advance(1_000_010)).unwrap();
        assert!(moved);
        assert!(d.workloads().iter().all(|w| w.running == w.desired));
    }

    #[test]
    fn failures_replace_the_task() {
        let d = Demo::at(1_000_000);
        let before = d.instances().len();
        d.with(|s| s.advance(1_000_000 + 30));
        let after = d.instances();
        assert_eq!(after.len(), before + 1);
        assert!(
            after
                .iter()
                .any(|i| i.error.as_deref().is_some_and(|e| e.contains("OOM")))
        );
    }

    #[tokio::test]
    async fn logs_give_the_tail_then_follow() {
        let d = Demo::at(crate::time::now());
        let w = &d.workloads()[1];
        let target = LogTarget::Workload {
            id: w.id.clone(),
            name: w.name.clone(),
        };
        let (tx, mut rx) = mpsc::channel(8);
        d.logs(&target, 20, false, tx).await.unwrap();
        let batch = rx.recv().await.unwrap();
        assert_eq!(batch.len(), 20);
        assert!(
            batch
                .iter()
                .all(|l| l.source.starts_with("gopenux_backend."))
        );
        assert!(batch.windows(2).all(|p| p[0].ts <= p[1].ts));
    }

    #[test]
    fn scaled_has_the_asked_size() {
        let d = Demo::scaled(0, 1000, 10_000);
        assert_eq!(d.workloads().len(), 1000);
        assert_eq!(d.instances().len(), 10_000);
    }
}
