//! Compose projects in the demo: the student's real files are read and checked as on an engine
//! (`crate::compose::load`: the same errors with file and line), `build:` sections are built by
//! the demo's builder, and each service's containers appear under their project in the Services
//! pane, as a plain engine groups them; `ps`, `stop`, `start`, `restart` and `down` act on them.
//! A class without an engine can watch a lab's compose step happen, and `lab check` sees it.

use super::Demo;
use super::sim::{Sim, instance, workload};
use crate::backend::Error;
use crate::backend::probe::ComposeContainer;
use crate::compose::{self, Project};
use crate::model::Mode;
use crate::model::action::{Detail, Outcome, Progress};
use crate::model::compose::{ComposeSpec, Verb};
use crate::tr;
use tokio::sync::mpsc;

fn project(spec: &ComposeSpec) -> Result<Project, Error> {
    compose::load::from_spec(spec).map_err(|e| Error::Refused(e.to_string()))
}

/// The project named by `-p`, else the one in this folder's files.
fn name_of(spec: &ComposeSpec) -> Result<String, Error> {
    match (&spec.project, project(spec)) {
        (_, Ok(p)) => Ok(p.name),
        (Some(n), Err(_)) if spec.files.is_empty() => Ok(n.clone()),
        (_, Err(e)) => Err(e),
    }
}

fn workload_id(project: &str, service: &str) -> String {
    format!("compose:{project}/{service}")
}

impl Sim {
    /// Puts one service's containers in place; true when anything changed.
    fn compose_service(&mut self, p: &Project, s: &compose::Service, now: i64) -> bool {
        let id = workload_id(&p.name, &s.name);
        let hash = compose::hash::service(s);
        let same = self
            .workloads
            .iter()
            .find(|w| w.id == id)
            .is_some_and(|w| w.labels.get(compose::CONFIG_HASH) == Some(&hash));
        let all_up = self
            .instances
            .iter()
            .filter(|i| i.workload_id == id)
            .all(|i| i.state == "running");
        if same && all_up {
            return false;
        }
        self.workloads.retain(|w| w.id != id);
        self.instances.retain(|i| i.workload_id != id);
        let image = p.image(s);
        let mut w = workload(&id, &s.name, Some(&p.name), &image, s.replicas(), &[], now);
        w.mode = Mode::Container;
        w.labels.clear();
        for (k, v) in [
            (compose::PROJECT, p.name.clone()),
            (compose::SERVICE, s.name.clone()),
            (compose::CONFIG_HASH, hash),
            (
                "com.docker.compose.project.config_files",
                p.config_files.join(","),
            ),
        ] {
            w.labels.insert(k.to_string(), v);
        }
        w.ports = s
            .ports
            .iter()
            .map(|port| crate::model::Port {
                published: port.published.parse().ok(),
                target: port.target as u16,
                protocol: port.protocol.clone(),
                mode: String::new(),
            })
            .collect();
        self.workloads.push(w);
        let Some(node) = self.nodes.first().cloned() else {
            return true;
        };
        for n in 1..=s.replicas() {
            self.serial += 1;
            let mut i = instance(&id, &s.name, n, &node, "running", now, &image, self.serial);
            i.name = p.container_name(s, n);
            self.instances.push(i);
        }
        true
    }

    /// The compose projects' containers, for the lab's compose check.
    pub(super) fn compose_containers(&self, project: &str) -> Vec<ComposeContainer> {
        self.instances
            .iter()
            .filter_map(|i| {
                let (p, s) = i.workload_id.strip_prefix("compose:")?.split_once('/')?;
                (project.is_empty() || p == project).then(|| ComposeContainer {
                    project: p.to_string(),
                    service: s.to_string(),
                    name: i.name.clone(),
                    running: i.state == "running",
                    completed: false,
                    health: String::new(),
                })
            })
            .collect()
    }
}

impl Demo {
    pub(super) async fn compose(
        &self,
        spec: &ComposeSpec,
        progress: &mpsc::Sender<Progress>,
    ) -> Result<Outcome, Error> {
        let now = crate::time::now();
        match spec.verb {
            Verb::Up | Verb::Build => {
                let p = project(spec)?;
                self.compose_images(&p, spec.verb == Verb::Build || spec.build, progress)
                    .await?;
                if spec.verb == Verb::Build {
                    return Ok(Outcome {
                        summary: tr!("compose.built", project = p.name, images = ""),
                        detail: None,
                    });
                }
                let mut changed = 0;
                for s in p.start_order() {
                    if self.with(|sim| sim.compose_service(&p, s, now)) == Some(true) {
                        changed += s.replicas() as usize;
                        for n in 1..=s.replicas() {
                            let _ = progress
                                .send(Progress::Step(tr!(
                                    "compose.started",
                                    name = p.container_name(s, n)
                                )))
                                .await;
                        }
                    }
                }
                self.with(Sim::recount);
                Ok(Outcome {
                    summary: if changed == 0 {
                        tr!("compose.up_unchanged", project = p.name)
                    } else {
                        tr!("compose.up_done", project = p.name, count = changed)
                    },
                    detail: None,
                })
            }
            _ => self.compose_other(spec),
        }
    }

    /// Builds the `build:` services (all with `--build`, else those without their image) and
    /// checks the others' images are in the demo.
    async fn compose_images(
        &self,
        p: &Project,
        rebuild: bool,
        progress: &mpsc::Sender<Progress>,
    ) -> Result<(), Error> {
        for s in p.services.values() {
            let image = p.image(s);
            let (repo, tag) = crate::model::reference::split_tag(&image);
            let present = self
                .with(|sim| sim.images.iter().any(|i| i.repo == repo && i.tag == tag))
                .unwrap_or(false);
            match &s.build {
                Some(b) if rebuild || !present => {
                    let spec = crate::model::action::BuildSpec {
                        context: b.context.clone(),
                        dockerfile: Some(
                            std::path::Path::new(&b.context)
                                .join(&b.dockerfile)
                                .display()
                                .to_string(),
                        ),
                        tags: vec![image.clone()],
                        target: (!b.target.is_empty()).then(|| b.target.clone()),
                        build_args: b.args.clone(),
                        ..Default::default()
                    };
                    let _ = progress
                        .send(Progress::Step(tr!("compose.building", service = s.name)))
                        .await;
                    self.build(&spec, progress).await?;
                }
                None if !present => {
                    return Err(Error::Refused(tr!("compose.demo_no_image", image = image)));
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn compose_other(&self, spec: &ComposeSpec) -> Result<Outcome, Error> {
        let name = name_of(spec)?;
        let prefix = format!("compose:{name}/");
        let wanted = |wid: &str| {
            wid.strip_prefix(&prefix)
                .is_some_and(|s| spec.services.is_empty() || spec.services.iter().any(|x| x == s))
        };
        let now = crate::time::now();
        let outcome = self.with(|sim| {
            let count = sim
                .instances
                .iter()
                .filter(|i| wanted(&i.workload_id))
                .count();
            let summary = match spec.verb {
                Verb::Down => {
                    sim.instances.retain(|i| !wanted(&i.workload_id));
                    sim.workloads.retain(|w| !wanted(&w.id));
                    tr!("compose.down_done", project = name, count = count)
                }
                Verb::Stop | Verb::Start | Verb::Restart => {
                    let state = if spec.verb == Verb::Stop {
                        "exited"
                    } else {
                        "running"
                    };
                    for i in sim.instances.iter_mut().filter(|i| wanted(&i.workload_id)) {
                        i.state = state.into();
                        i.desired = if state == "running" {
                            "running"
                        } else {
                            "shutdown"
                        }
                        .into();
                        i.since = now;
                    }
                    tr!(
                        "compose.lifecycle_done",
                        verb = spec.verb.word(),
                        project = name,
                        count = count
                    )
                }
                Verb::Logs => tr!("compose.logs_summary", project = name, count = count),
                _ => tr!("compose.ps_summary", project = name, count = count),
            };
            sim.recount();
            let rows: Vec<Vec<String>> = sim
                .instances
                .iter()
                .filter(|i| wanted(&i.workload_id))
                .filter(|i| spec.all || i.state == "running")
                .map(|i| {
                    let service = i.workload_id.rsplit('/').next().unwrap_or_default();
                    vec![
                        i.name.clone(),
                        i.image.clone(),
                        service.to_string(),
                        i.state.clone(),
                        String::new(),
                    ]
                })
                .collect();
            let detail = (spec.verb == Verb::Ps).then(|| Detail::Table {
                header: ["NAME", "IMAGE", "SERVICE", "STATUS", "PORTS"]
                    .iter()
                    .map(|h| h.to_string())
                    .collect(),
                rows,
            });
            Outcome { summary, detail }
        });
        outcome.ok_or_else(|| Error::engine("demo"))
    }
}
