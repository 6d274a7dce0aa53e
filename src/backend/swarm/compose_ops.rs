//! The compose verbs besides `up`: `down`, `ps`, `logs`, `stop`, `start`, `restart`, `build`.
//! They find the project's containers, networks and volumes by compose's labels, as docker
//! compose does, so they work on a project either tool brought up; with `-p NAME` they need no
//! file at all.

use super::compose::{containers, label, name, number, project, running};
use super::{Swarm, engine_error};
use crate::backend::Error;
use crate::compose::{self, Project};
use crate::model::action::{Detail, Outcome, Progress};
use crate::model::compose::{ComposeSpec, Verb};
use crate::tr;
use bollard::query_parameters::{
    ListNetworksOptions, ListVolumesOptions, LogsOptions, RemoveImageOptions,
    RestartContainerOptions, StopContainerOptions,
};
use std::collections::HashMap;
use tokio::sync::mpsc;

/// The project's name and, when its files are here, the project.
fn which(spec: &ComposeSpec) -> Result<(String, Option<Project>), Error> {
    match (project(spec), &spec.project) {
        (Ok(p), _) => Ok((p.name.clone(), Some(p))),
        (Err(_), Some(name)) if spec.files.is_empty() => Ok((name.clone(), None)),
        (Err(e), _) => Err(e),
    }
}

fn label_filter(key: &str, value: &str) -> HashMap<String, Vec<String>> {
    HashMap::from([("label".to_string(), vec![format!("{key}={value}")])])
}

impl Swarm {
    /// Every compose project's containers (on a manager, shown beside the services).
    pub(super) async fn compose_listed(
        &self,
    ) -> Result<Vec<bollard::models::ContainerSummary>, Error> {
        self.docker()
            .list_containers(Some(bollard::query_parameters::ListContainersOptions {
                all: true,
                filters: Some(HashMap::from([(
                    "label".to_string(),
                    vec![compose::PROJECT.to_string()],
                )])),
                ..Default::default()
            }))
            .await
            .map_err(|e| self.reach(e))
    }

    /// The containers of a compose project (`""`: every project), for the lab's compose check.
    pub async fn compose_containers(
        &self,
        project: &str,
    ) -> Result<Vec<crate::backend::probe::ComposeContainer>, Error> {
        let list = self.compose_listed().await?;
        Ok(list
            .iter()
            .filter(|c| label(c, compose::ONEOFF) != "True")
            .filter(|c| project.is_empty() || label(c, compose::PROJECT) == project)
            .map(|c| {
                let status = c.status.clone().unwrap_or_default();
                let health = if status.contains("(healthy)") {
                    "healthy"
                } else if status.contains("(unhealthy)") {
                    "unhealthy"
                } else if status.contains("(health: starting)") {
                    "starting"
                } else {
                    ""
                };
                crate::backend::probe::ComposeContainer {
                    project: label(c, compose::PROJECT),
                    service: label(c, compose::SERVICE),
                    name: name(c),
                    running: running(c),
                    completed: status.starts_with("Exited (0)"),
                    health: health.to_string(),
                }
            })
            .collect())
    }

    pub(super) async fn compose_down(
        &self,
        spec: &ComposeSpec,
        progress: &mpsc::Sender<Progress>,
    ) -> Result<Outcome, Error> {
        let (project, files) = which(spec)?;
        let docker = self.docker();
        let mut removed = 0;
        for c in containers(self, &project).await?.iter().rev() {
            self.remove_compose_container(c.id.as_deref().unwrap_or_default(), spec.volumes)
                .await?;
            let _ = progress
                .send(Progress::Step(tr!("compose.removed", name = name(c))))
                .await;
            removed += 1;
        }
        let networks = docker
            .list_networks(Some(ListNetworksOptions {
                filters: Some(label_filter(compose::PROJECT, &project)),
            }))
            .await
            .map_err(engine_error)?;
        for n in networks {
            let id = n.id.unwrap_or_default();
            docker.remove_network(&id).await.map_err(engine_error)?;
            let _ = progress
                .send(Progress::Step(tr!(
                    "compose.removed_network",
                    name = n.name.unwrap_or_default()
                )))
                .await;
        }
        if spec.volumes {
            let volumes = docker
                .list_volumes(Some(ListVolumesOptions {
                    filters: Some(label_filter(compose::PROJECT, &project)),
                }))
                .await
                .map_err(engine_error)?
                .volumes
                .unwrap_or_default();
            for v in volumes {
                docker
                    .remove_volume(
                        &v.name,
                        None::<bollard::query_parameters::RemoveVolumeOptions>,
                    )
                    .await
                    .map_err(engine_error)?;
                let _ = progress
                    .send(Progress::Step(tr!("compose.removed_volume", name = v.name)))
                    .await;
            }
        }
        if spec.rmi_local
            && let Some(p) = &files
        {
            for s in p.services.values().filter(|s| s.image.is_empty()) {
                let image = p.image(s);
                if docker
                    .remove_image(&image, None::<RemoveImageOptions>, None)
                    .await
                    .is_ok()
                {
                    let _ = progress
                        .send(Progress::Step(tr!("compose.removed_image", name = image)))
                        .await;
                }
            }
        }
        Ok(Outcome {
            summary: tr!("compose.down_done", project = project, count = removed),
            detail: None,
        })
    }

    /// `docker compose ps`: the project's containers with their service, state and ports.
    pub(super) async fn compose_ps(&self, spec: &ComposeSpec) -> Result<Outcome, Error> {
        let (project, _) = which(spec)?;
        let rows: Vec<Vec<String>> = containers(self, &project)
            .await?
            .iter()
            .filter(|c| spec.all || running(c))
            .filter(|c| {
                spec.services.is_empty() || spec.services.contains(&label(c, compose::SERVICE))
            })
            .map(|c| {
                let ports: Vec<String> = c
                    .ports
                    .iter()
                    .flatten()
                    .map(|p| {
                        let proto = p.typ.map(|t| t.to_string()).unwrap_or_default();
                        match p.public_port {
                            Some(pub_port) => format!(
                                "{}:{pub_port}->{}/{proto}",
                                p.ip.clone().unwrap_or_default(),
                                p.private_port
                            ),
                            None => format!("{}/{proto}", p.private_port),
                        }
                    })
                    .collect();
                vec![
                    name(c),
                    c.image.clone().unwrap_or_default(),
                    label(c, compose::SERVICE),
                    c.status.clone().unwrap_or_default(),
                    ports.join(", "),
                ]
            })
            .collect();
        Ok(Outcome {
            summary: tr!("compose.ps_summary", project = project, count = rows.len()),
            detail: Some(Detail::Table {
                header: ["NAME", "IMAGE", "SERVICE", "STATUS", "PORTS"]
                    .iter()
                    .map(|h| h.to_string())
                    .collect(),
                rows,
            }),
        })
    }

    /// `docker compose logs [-f]`: each line after its container's name, as compose prints it.
    /// Followed logs come as progress lines until the command is stopped.
    pub(super) async fn compose_logs(
        &self,
        spec: &ComposeSpec,
        progress: &mpsc::Sender<Progress>,
    ) -> Result<Outcome, Error> {
        use futures::StreamExt;
        let (project, _) = which(spec)?;
        let list: Vec<_> = containers(self, &project)
            .await?
            .into_iter()
            .filter(|c| {
                spec.services.is_empty() || spec.services.contains(&label(c, compose::SERVICE))
            })
            .collect();
        let width = list.iter().map(|c| name(c).len()).max().unwrap_or(0);
        let docker = self.docker();
        let streams = list.iter().map(|c| {
            let prefix = format!("{:width$} | ", name(c));
            docker
                .logs(
                    c.id.as_deref().unwrap_or_default(),
                    Some(LogsOptions {
                        stdout: true,
                        stderr: true,
                        follow: spec.follow,
                        ..Default::default()
                    }),
                )
                .map(move |item| (prefix.clone(), item))
                .boxed()
        });
        let mut merged = futures::stream::select_all(streams);
        let mut lines = Vec::new();
        while let Some((prefix, item)) = merged.next().await {
            let chunk = item.map_err(engine_error)?;
            for l in String::from_utf8_lossy(&chunk.into_bytes()).lines() {
                let line = format!("{prefix}{}", crate::sanitize::clean(l));
                if spec.follow {
                    let _ = progress.send(Progress::Step(line)).await;
                } else {
                    lines.push(line);
                }
            }
        }
        Ok(Outcome {
            summary: tr!(
                "compose.logs_summary",
                project = project,
                count = list.len()
            ),
            detail: (!lines.is_empty()).then(|| Detail::Text(lines.join("\n"))),
        })
    }

    /// `stop`, `start`, `restart`: the project's containers, in dependency order (stops in the
    /// reverse order).
    pub(super) async fn compose_lifecycle(
        &self,
        spec: &ComposeSpec,
        progress: &mpsc::Sender<Progress>,
    ) -> Result<Outcome, Error> {
        // The whole project (not only the services named): their dependants matter here.
        let whole = ComposeSpec {
            services: vec![],
            ..spec.clone()
        };
        let (project, files) = which(&whole)?;
        let mut list = containers(self, &project).await?;
        // A restarted service restarts those that depend on it with `restart: true`.
        let mut named = spec.services.clone();
        if let (Verb::Restart, Some(p)) = (spec.verb, &files) {
            let mut grew = true;
            while grew && !named.is_empty() {
                grew = false;
                for s in p.services.values() {
                    let follows = s
                        .depends_on
                        .iter()
                        .any(|d| d.restart && named.contains(&d.service));
                    if follows && !named.contains(&s.name) {
                        named.push(s.name.clone());
                        grew = true;
                    }
                }
            }
        }
        list.retain(|c| named.is_empty() || named.contains(&label(c, compose::SERVICE)));
        if let Some(p) = &files {
            let order: Vec<String> = p.start_order().iter().map(|s| s.name.clone()).collect();
            let rank = |c: &bollard::models::ContainerSummary| {
                let s = label(c, compose::SERVICE);
                (
                    order.iter().position(|o| *o == s).unwrap_or(usize::MAX),
                    number(c),
                )
            };
            list.sort_by_key(rank);
        }
        if spec.verb == Verb::Stop {
            list.reverse();
        }
        let docker = self.docker();
        for c in &list {
            let id = c.id.as_deref().unwrap_or_default();
            let r = match spec.verb {
                Verb::Stop => {
                    docker
                        .stop_container(id, None::<StopContainerOptions>)
                        .await
                }
                Verb::Start if running(c) => Ok(()),
                Verb::Start => docker.start_container(id, None).await,
                _ => {
                    docker
                        .restart_container(id, None::<RestartContainerOptions>)
                        .await
                }
            };
            r.map_err(engine_error)?;
            let _ = progress
                .send(Progress::Step(format!("{} {}", spec.verb.word(), name(c))))
                .await;
        }
        Ok(Outcome {
            summary: tr!(
                "compose.lifecycle_done",
                verb = spec.verb.word(),
                project = project,
                count = list.len()
            ),
            detail: None,
        })
    }

    /// `docker compose build`: every `build:` service (or the ones named).
    pub(super) async fn compose_build_all(
        &self,
        spec: &ComposeSpec,
        progress: &mpsc::Sender<Progress>,
    ) -> Result<Outcome, Error> {
        let p = project(spec)?;
        let mut built = Vec::new();
        for s in p.services.values().filter(|s| s.build.is_some()) {
            if !spec.services.is_empty() && !spec.services.contains(&s.name) {
                continue;
            }
            self.compose_build(&p, s, progress).await?;
            built.push(p.image(s));
        }
        Ok(Outcome {
            summary: tr!("compose.built", project = p.name, images = built.join(", ")),
            detail: None,
        })
    }
}
