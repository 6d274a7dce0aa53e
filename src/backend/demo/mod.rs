//! The embedded demo cluster: an in-process simulated swarm for class demos, README screenshots
//! and render tests. Three labelled nodes and the "gopenux" stack of lab 000; tasks go pending →
//! running, now and then a task fails and is replaced, and running tasks write log lines.
//! It implements the same backend interface as the real engine; it never stands in for testing
//! against one.

use super::{Dirty, Error};
use crate::model::*;
use futures::StreamExt;
use futures::stream::BoxStream;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

mod build;
mod compose;
mod history;
pub mod kube;
mod ops;
mod sim;
mod stack;
pub use stack::{variable, variable_for};
pub mod stats;

use sim::*;

#[derive(Clone)]
pub struct Demo {
    sim: Arc<Mutex<Sim>>,
    live: bool,
}

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

    /// The demo where a lab starts, for a class to watch each step happen: for `semana-3` and
    /// `semana-4`, an engine outside any swarm with the students' images built and nothing
    /// deployed (semana-4's workers join after `swarm join-token worker`). Other labs get the
    /// usual demo.
    pub fn for_lab(now: i64, lab: &str) -> Demo {
        let mut sim = Sim::new(now, true);
        if lab == "semana-3" || lab == "semana-4" {
            sim.swarm = SwarmRole::None;
            sim.nodes.clear();
            sim.workloads.clear();
            sim.instances.clear();
            sim.previous.clear();
            // The images the students built (step 2): `latest` only, nothing retagged yet.
            sim.images.retain(|i| i.tag != "test");
            if lab == "semana-4" {
                sim.images.retain(|i| i.repo == "mongo");
                for (k, (repo, tag, size)) in [
                    (format!("{REGISTRY}/api-semana-4"), "latest", 98_000_000u64),
                    ("nginx".to_string(), "1.25-alpine", 43_000_000),
                ]
                .into_iter()
                .enumerate()
                {
                    sim.images.push(Image {
                        id: format!("{:012x}{:052x}", 0xb1c2d3e4f5u64 + k as u64, k),
                        repo,
                        tag: tag.into(),
                        size,
                        created: now - 86_400,
                    });
                }
            }
        }
        Demo {
            sim: Arc::new(Mutex::new(sim)),
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

    /// The compose projects' containers (`""`: every project), for the lab's compose check.
    pub fn compose_containers(
        &self,
        project: &str,
    ) -> Vec<crate::backend::probe::ComposeContainer> {
        self.with(|s| s.compose_containers(project))
            .unwrap_or_default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut Sim) -> T) -> Option<T> {
        self.sim.lock().ok().map(|mut s| f(&mut s))
    }

    pub fn info(&self) -> ClusterInfo {
        ClusterInfo {
            endpoint: "demo".into(),
            engine: "27.3.1".into(),
            swarm: self.with(|s| s.swarm).unwrap_or(SwarmRole::Manager),
            node_id: "demonode0manager1".into(),
            hostname: "manager1".into(),
            kube: None,
            id: "demo".into(),
            swarm_id: "demo-swarm".into(),
            demo: true,
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

    /// The demo's networks: the ingress (for services that publish ports) and each stack's
    /// default overlay network, as `docker stack deploy` makes them; no volumes, secrets or
    /// configs of its own.
    pub fn listing(&self, kind: crate::model::listing::ViewKind) -> crate::model::listing::Listing {
        use crate::model::listing::{
            Listing, NETWORK_COLUMNS, OBJECT_COLUMNS, VOLUME_COLUMNS, ViewKind,
        };
        let w = self.workloads();
        let (yes, no) = ("true".to_string(), "false".to_string());
        let (columns, rows): (Vec<&'static str>, Vec<Vec<String>>) = match kind {
            ViewKind::Networks => {
                let publishing: Vec<String> = w
                    .iter()
                    .filter(|w| !w.ports.is_empty())
                    .map(|w| w.name.clone())
                    .collect();
                let mut rows = vec![vec![
                    "ingress".to_string(),
                    "overlay".into(),
                    "swarm".into(),
                    no.clone(),
                    no.clone(),
                    "10.0.0.0/24".into(),
                    publishing.join(","),
                ]];
                let made = self.with(|s| s.object_rows(kind)).unwrap_or_default();
                // Stacks deployed here have the networks their files declare; the seeded one
                // has the default network `docker stack deploy` makes.
                let mut stacks: Vec<&str> = w
                    .iter()
                    .filter_map(|w| w.stack.as_deref())
                    .filter(|st| !made.iter().any(|r| r[0].starts_with(&format!("{st}_"))))
                    .collect();
                stacks.dedup();
                for (i, st) in stacks.iter().enumerate() {
                    let members: Vec<String> = w
                        .iter()
                        .filter(|w| w.stack.as_deref() == Some(st))
                        .map(|w| w.name.clone())
                        .collect();
                    rows.push(vec![
                        format!("{st}_default"),
                        "overlay".into(),
                        "swarm".into(),
                        no.clone(),
                        yes.clone(),
                        format!("10.0.{}.0/24", i + 1),
                        members.join(","),
                    ]);
                }
                rows.extend(made);
                (NETWORK_COLUMNS.to_vec(), rows)
            }
            ViewKind::Volumes => (VOLUME_COLUMNS.to_vec(), vec![]),
            ViewKind::Events => (crate::model::events::COLUMNS.to_vec(), vec![]),
            // A kind's table is followed from its watch (`Backend::follow_table`).
            ViewKind::Resource => (vec!["name"], vec![]),
            ViewKind::Secrets | ViewKind::Configs => (
                OBJECT_COLUMNS.to_vec(),
                self.with(|s| s.object_rows(kind)).unwrap_or_default(),
            ),
        };
        Listing {
            kind,
            titles: Vec::new(),
            resource: None,
            columns,
            rows,
        }
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
        opts: &crate::model::LogOptions,
        tx: mpsc::Sender<Vec<LogLine>>,
    ) -> Result<(), Error> {
        let (tail, follow) = (opts.tail, opts.follow);
        let now = crate::time::now();
        let (since, until) = (
            opts.since.unwrap_or(i64::MIN),
            opts.until.unwrap_or(i64::MAX),
        );
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
            .filter(|l| l.ts.is_some_and(|t| t >= since && t < until))
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
        d.logs(&target, &crate::model::LogOptions::last(20, false), tx)
            .await
            .unwrap();
        let batch = rx.recv().await.unwrap();
        assert_eq!(batch.len(), 20);
        assert!(
            batch
                .iter()
                .all(|l| l.source.starts_with("gopenux_backend."))
        );
        assert!(batch.windows(2).all(|p| p[0].ts <= p[1].ts));
    }

    #[tokio::test]
    async fn actions_and_tasks_leave_events_as_an_engine_would() {
        let now = crate::time::now();
        let d = Demo::live(now);
        let (ptx, _prx) = mpsc::channel(64);
        let scale = crate::model::action::Action::Scale(vec![("gopenux_backend".into(), 5)]);
        d.act(&scale, &ptx).await.unwrap();
        let restart = crate::model::action::Action::Restart("gopenux_frontend".into());
        d.act(&restart, &ptx).await.unwrap();
        d.with(|s| s.advance(now + 5));
        let (tx, mut rx) = mpsc::channel(8);
        d.events_since(now - 1, false, tx).await.unwrap();
        let got = rx.recv().await.unwrap();
        let said: Vec<String> = got.iter().map(|e| e.line("t")).collect();
        assert!(
            said.iter()
                .any(|l| l.starts_with("t service update gopenux_backend replicas 3 → 5")),
            "{said:?}"
        );
        assert!(
            said.iter()
                .any(|l| l.contains("service update gopenux_frontend")),
            "{said:?}"
        );
        assert!(
            said.iter()
                .any(|l| l.starts_with("t container start gopenux_backend.")),
            "{said:?}"
        );
        assert!(got.windows(2).all(|p| p[0].nanos < p[1].nanos));
    }

    #[test]
    fn scaled_has_the_asked_size() {
        let d = Demo::scaled(0, 1000, 10_000);
        assert_eq!(d.workloads().len(), 1000);
        assert_eq!(d.instances().len(), 10_000);
    }
}
