//! Plain containers one by one (`docker container start|stop|restart|kill|rm`), and `prune`:
//! what would go (stopped containers, dangling images, unused networks, unused volumes) with the
//! space each frees, and, once accepted, exactly those removed: the preview is the list the
//! removal works from, never a guess beside it.

use super::{Swarm, engine_error};
use crate::backend::Error;
use crate::model::action::{Detail, Outcome, Progress};
use crate::model::compose::ContainerVerb;
use crate::model::human_size;
use crate::tr;
use bollard::query_parameters::{
    KillContainerOptions, ListContainersOptions, ListImagesOptions, ListNetworksOptions,
    RemoveContainerOptions, RemoveImageOptions, RestartContainerOptions, StopContainerOptions,
};
use std::collections::HashMap;
use tokio::sync::mpsc;

/// One thing prune would remove.
struct Item {
    kind: &'static str,
    id: String,
    name: String,
    size: u64,
}

/// Networks the engine makes itself, never pruned.
const PREDEFINED: &[&str] = &["bridge", "host", "none", "ingress", "docker_gwbridge"];

impl Swarm {
    pub(super) async fn container(
        &self,
        verb: ContainerVerb,
        name: &str,
    ) -> Result<Outcome, Error> {
        let docker = self.docker();
        let r = match verb {
            ContainerVerb::Start => docker.start_container(name, None).await,
            ContainerVerb::Stop => {
                docker
                    .stop_container(name, None::<StopContainerOptions>)
                    .await
            }
            ContainerVerb::Restart => {
                docker
                    .restart_container(name, None::<RestartContainerOptions>)
                    .await
            }
            ContainerVerb::Kill => {
                docker
                    .kill_container(name, None::<KillContainerOptions>)
                    .await
            }
            ContainerVerb::Rm => {
                docker
                    .remove_container(
                        name,
                        Some(RemoveContainerOptions {
                            force: true,
                            ..Default::default()
                        }),
                    )
                    .await
            }
        };
        r.map_err(engine_error)?;
        super::ops::done(tr!("container.done", verb = verb.word(), name = name))
    }

    /// What prune would remove, in the order it removes them (containers free the images,
    /// networks and volumes they held).
    async fn prunable(&self) -> Result<Vec<Item>, Error> {
        let docker = self.docker();
        let mut items = Vec::new();
        let containers = docker
            .list_containers(Some(ListContainersOptions {
                all: true,
                size: true,
                filters: Some(HashMap::from([(
                    "status".to_string(),
                    vec!["exited".into(), "created".into(), "dead".into()],
                )])),
                ..Default::default()
            }))
            .await
            .map_err(engine_error)?;
        for c in &containers {
            items.push(Item {
                kind: "container",
                id: c.id.clone().unwrap_or_default(),
                name: super::compose::name(c),
                size: c.size_rw.unwrap_or(0).max(0) as u64,
            });
        }
        let images = docker
            .list_images(Some(ListImagesOptions {
                filters: Some(HashMap::from([(
                    "dangling".to_string(),
                    vec!["true".into()],
                )])),
                ..Default::default()
            }))
            .await
            .map_err(engine_error)?;
        for i in &images {
            items.push(Item {
                kind: "image",
                id: i.id.clone(),
                name: i
                    .id
                    .trim_start_matches("sha256:")
                    .chars()
                    .take(12)
                    .collect(),
                size: i.size.max(0) as u64,
            });
        }
        // A network is in use while a container (running or not, besides those pruned above)
        // is attached to it.
        let all = docker
            .list_containers(Some(ListContainersOptions {
                all: true,
                ..Default::default()
            }))
            .await
            .map_err(engine_error)?;
        let pruned: Vec<String> = items.iter().map(|i| i.id.clone()).collect();
        let used: Vec<String> = all
            .iter()
            .filter(|c| !pruned.contains(&c.id.clone().unwrap_or_default()))
            .flat_map(|c| {
                c.network_settings
                    .as_ref()
                    .and_then(|n| n.networks.as_ref())
                    .map(|n| n.keys().cloned().collect::<Vec<_>>())
                    .unwrap_or_default()
            })
            .collect();
        let networks = docker
            .list_networks(None::<ListNetworksOptions>)
            .await
            .map_err(engine_error)?;
        for n in networks {
            let name = n.name.clone().unwrap_or_default();
            let local = n.scope.as_deref() == Some("local");
            if PREDEFINED.contains(&name.as_str()) || !local || used.contains(&name) {
                continue;
            }
            items.push(Item {
                kind: "network",
                id: n.id.unwrap_or_default(),
                name,
                size: 0,
            });
        }
        items.extend(self.prunable_volumes(&all, &pruned).await?);
        Ok(items)
    }

    /// Volumes no container (besides those pruned) mounts, with the space they hold.
    async fn prunable_volumes(
        &self,
        all: &[bollard::models::ContainerSummary],
        pruned: &[String],
    ) -> Result<Vec<Item>, Error> {
        let used: Vec<String> = all
            .iter()
            .filter(|c| !pruned.contains(&c.id.clone().unwrap_or_default()))
            .flat_map(|c| c.mounts.iter().flatten().filter_map(|m| m.name.clone()))
            .collect();
        let volumes = self
            .docker()
            .list_volumes(None::<bollard::query_parameters::ListVolumesOptions>)
            .await
            .map_err(engine_error)?
            .volumes
            .unwrap_or_default();
        // The space each holds, as `docker system df -v` reads it (where the endpoint allows a
        // plain request; elsewhere the sizes show as 0 B).
        let df = super::raw::get_json(&self.wire(), "/system/df").await;
        let size_of = |name: &str| -> u64 {
            df.as_ref()
                .and_then(|d| d["Volumes"].as_array())
                .and_then(|vs| vs.iter().find(|v| v["Name"] == name))
                .and_then(|v| v["UsageData"]["Size"].as_i64())
                .map(|s| s.max(0) as u64)
                .unwrap_or(0)
        };
        Ok(volumes
            .into_iter()
            .filter(|v| !used.contains(&v.name))
            .map(|v| Item {
                kind: "volume",
                id: v.name.clone(),
                size: size_of(&v.name),
                name: v.name,
            })
            .collect())
    }

    pub(super) async fn prune(
        &self,
        apply: bool,
        progress: &mpsc::Sender<Progress>,
    ) -> Result<Outcome, Error> {
        let items = self.prunable().await?;
        let total: u64 = items.iter().map(|i| i.size).sum();
        let rows: Vec<Vec<String>> = items
            .iter()
            .map(|i| {
                let kind = match i.kind {
                    "container" => tr!("prune.container"),
                    "image" => tr!("prune.image"),
                    "network" => tr!("prune.network"),
                    _ => tr!("prune.volume"),
                };
                vec![kind, i.name.clone(), human_size(i.size)]
            })
            .collect();
        let table = (!rows.is_empty()).then(|| Detail::Table {
            header: vec![tr!("prune.kind"), tr!("prune.name"), tr!("prune.size")],
            rows,
        });
        if !apply {
            return Ok(Outcome {
                summary: if items.is_empty() {
                    tr!("prune.nothing")
                } else {
                    tr!(
                        "prune.preview",
                        count = items.len(),
                        size = human_size(total)
                    )
                },
                detail: table,
            });
        }
        let docker = self.docker();
        let (mut freed, mut removed) = (0, 0);
        for i in &items {
            let r = match i.kind {
                "container" => docker
                    .remove_container(&i.id, None::<RemoveContainerOptions>)
                    .await
                    .map(|_| ()),
                "image" => docker
                    .remove_image(&i.id, None::<RemoveImageOptions>, None)
                    .await
                    .map(|_| ()),
                "network" => docker.remove_network(&i.id).await,
                _ => {
                    docker
                        .remove_volume(
                            &i.id,
                            None::<bollard::query_parameters::RemoveVolumeOptions>,
                        )
                        .await
                }
            };
            match r {
                Ok(()) => {
                    freed += i.size;
                    removed += 1;
                }
                // Something started using it since the preview: it stays, and says so.
                Err(e) => {
                    let _ = progress
                        .send(Progress::Step(tr!(
                            "prune.kept",
                            name = i.name,
                            reason = engine_error(e).to_string()
                        )))
                        .await;
                }
            }
        }
        Ok(Outcome {
            summary: tr!("prune.done", count = removed, size = human_size(freed)),
            detail: table,
        })
    }
}
