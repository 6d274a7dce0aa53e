//! `docker compose` on the engine: `up` as compose converges a project (networks and volumes
//! first, then each service after what it depends on; a container whose config hash and image
//! are unchanged is left running, a changed one recreated, extra replicas removed), and `down`.
//! The other verbs are in compose_ops.rs. What is created is what docker compose creates (see
//! `crate::compose`), so either tool can take over a project the other brought up.

use super::{Swarm, engine_error};
use crate::backend::Error;
use crate::compose::{self, Condition, Project, Service};
use crate::model::action::{Outcome, Progress};
use crate::model::compose::{ComposeSpec, Verb};
use crate::tr;
use bollard::models::{ContainerCreateBody, ContainerSummary};
use bollard::query_parameters::{
    CreateContainerOptions, ListContainersOptions, ListNetworksOptions, ListVolumesOptions,
    RemoveContainerOptions, StopContainerOptions,
};
use std::collections::HashMap;
use tokio::sync::mpsc;

/// What one `up` created, to remove again if it fails.
#[derive(Default)]
struct Made {
    containers: Vec<String>,
    networks: Vec<String>,
    volumes: Vec<String>,
}

/// The project's files read from the current folder as docker compose reads them.
pub(super) fn project(spec: &ComposeSpec) -> Result<Project, Error> {
    compose::load::from_spec(spec).map_err(|e| Error::Refused(e.to_string()))
}

/// The project's containers on the engine (stopped ones too), by the compose labels.
pub(super) async fn containers(sw: &Swarm, project: &str) -> Result<Vec<ContainerSummary>, Error> {
    let filters = HashMap::from([(
        "label".to_string(),
        vec![format!("{}={project}", compose::PROJECT)],
    )]);
    let mut list = sw
        .docker()
        .list_containers(Some(ListContainersOptions {
            all: true,
            filters: Some(filters),
            ..Default::default()
        }))
        .await
        .map_err(engine_error)?;
    list.retain(|c| label(c, compose::ONEOFF) != "True");
    list.sort_by_key(|c| (label(c, compose::SERVICE), number(c)));
    Ok(list)
}

pub(super) fn label(c: &ContainerSummary, key: &str) -> String {
    c.labels
        .as_ref()
        .and_then(|l| l.get(key))
        .cloned()
        .unwrap_or_default()
}

pub(super) fn number(c: &ContainerSummary) -> u64 {
    label(c, compose::NUMBER).parse().unwrap_or(0)
}

pub(super) fn name(c: &ContainerSummary) -> String {
    c.names
        .as_ref()
        .and_then(|n| n.first())
        .map(|n| n.trim_start_matches('/').to_string())
        .unwrap_or_default()
}

pub(super) fn running(c: &ContainerSummary) -> bool {
    c.state.as_ref().map(|s| s.to_string()) == Some("running".into())
}

impl Swarm {
    /// Stops (with the container's own stop timeout) and removes one container.
    pub(super) async fn remove_compose_container(
        &self,
        id: &str,
        volumes: bool,
    ) -> Result<(), Error> {
        let docker = self.docker();
        let _ = docker
            .stop_container(id, None::<StopContainerOptions>)
            .await;
        docker
            .remove_container(
                id,
                Some(RemoveContainerOptions {
                    force: true,
                    v: volumes,
                    ..Default::default()
                }),
            )
            .await
            .map_err(engine_error)
    }

    /// `docker compose up`. When a step fails, what this run created (containers, networks,
    /// volumes) is removed again: a failed `up` leaves nothing half-made.
    pub(super) async fn compose_up(
        &self,
        spec: &ComposeSpec,
        progress: &mpsc::Sender<Progress>,
    ) -> Result<Outcome, Error> {
        let p = project(spec)?;
        for w in &p.warnings {
            let _ = progress.send(Progress::Step(w.clone())).await;
        }
        let images = self.compose_images(&p, spec.build, progress).await?;
        let mut made = Made::default();
        match self.converge(&p, spec, &images, &mut made, progress).await {
            Ok(changed) => Ok(Outcome {
                summary: if changed == 0 {
                    tr!("compose.up_unchanged", project = p.name)
                } else {
                    tr!("compose.up_done", project = p.name, count = changed)
                },
                detail: None,
            }),
            Err(e) => {
                self.undo(&made).await;
                Err(e)
            }
        }
    }

    async fn converge(
        &self,
        p: &Project,
        spec: &ComposeSpec,
        images: &HashMap<String, String>,
        made: &mut Made,
        progress: &mpsc::Sender<Progress>,
    ) -> Result<usize, Error> {
        self.compose_networks(p, made, progress).await?;
        self.compose_volumes(p, made, progress).await?;
        let existing = containers(self, &p.name).await?;
        let mut changed = 0;
        for s in p.start_order() {
            self.wait_dependencies(p, s, progress).await?;
            let image = images.get(&s.name).cloned().unwrap_or_default();
            changed += self
                .converge_service(p, s, &image, &existing, made, progress)
                .await?;
        }
        if !spec.detach {
            for s in p.services.values() {
                self.wait_condition(p, &s.name, Condition::Healthy, progress)
                    .await?;
            }
        }
        Ok(changed)
    }

    /// Removes what a failed `up` created, newest first.
    async fn undo(&self, made: &Made) {
        let docker = self.docker();
        for id in made.containers.iter().rev() {
            let _ = self.remove_compose_container(id, true).await;
        }
        for n in &made.networks {
            let _ = docker.remove_network(n).await;
        }
        for v in &made.volumes {
            let _ = docker
                .remove_volume(v, None::<bollard::query_parameters::RemoveVolumeOptions>)
                .await;
        }
    }

    /// Builds what needs building (all `build:` services with `--build`, else those whose image
    /// is missing), pulls missing images of the others, and returns each service's image ID.
    async fn compose_images(
        &self,
        p: &Project,
        rebuild: bool,
        progress: &mpsc::Sender<Progress>,
    ) -> Result<HashMap<String, String>, Error> {
        let docker = self.docker();
        let mut ids = HashMap::new();
        for s in p.services.values() {
            let image = p.image(s);
            let present = docker.inspect_image(&image).await.ok();
            let id = match (present, &s.build) {
                (Some(i), Some(_)) if !rebuild => i.id.unwrap_or_default(),
                (_, Some(_)) => {
                    self.compose_build(p, s, progress).await?;
                    let i = docker.inspect_image(&image).await.map_err(engine_error)?;
                    i.id.unwrap_or_default()
                }
                (Some(i), None) => i.id.unwrap_or_default(),
                (None, None) => {
                    let _ = progress
                        .send(Progress::Step(tr!("compose.pulling", image = image)))
                        .await;
                    self.compose_pull(&image).await?;
                    let i = docker.inspect_image(&image).await.map_err(engine_error)?;
                    i.id.unwrap_or_default()
                }
            };
            ids.insert(s.name.clone(), id);
        }
        Ok(ids)
    }

    async fn compose_pull(&self, image: &str) -> Result<(), Error> {
        use futures::StreamExt;
        let (repo, tag) = crate::model::reference::split_tag(image);
        let mut stream = self.docker().create_image(
            Some(bollard::query_parameters::CreateImageOptions {
                from_image: Some(repo.to_string()),
                tag: Some(if tag.is_empty() {
                    "latest".to_string()
                } else {
                    tag
                }),
                ..Default::default()
            }),
            None,
            None,
        );
        while let Some(item) = stream.next().await {
            item.map_err(engine_error)?;
        }
        Ok(())
    }

    /// Builds one service's image as compose's classic builder does (its label included).
    pub(super) async fn compose_build(
        &self,
        p: &Project,
        s: &Service,
        progress: &mpsc::Sender<Progress>,
    ) -> Result<(), Error> {
        let Some(b) = &s.build else { return Ok(()) };
        // The classic builder marks the image as its own, and nothing more.
        let mut labels: Vec<(String, String)> = b
            .labels
            .iter()
            .filter(|(k, _)| *k != "com.docker.compose.image.builder")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        labels.push(("com.docker.compose.image.builder".into(), "classic".into()));
        labels.sort();
        let dockerfile = std::path::Path::new(&b.context).join(&b.dockerfile);
        let spec = crate::model::action::BuildSpec {
            context: b.context.clone(),
            dockerfile: Some(dockerfile.display().to_string()),
            tags: vec![p.image(s)],
            target: (!b.target.is_empty()).then(|| b.target.clone()),
            build_args: b.args.clone(),
            labels,
            no_cache: false,
            pull: false,
        };
        let _ = progress
            .send(Progress::Step(tr!("compose.building", service = s.name)))
            .await;
        self.build(&spec, progress).await.map(|_| ())
    }

    /// Creates the project's networks that are not there yet; checks the external ones exist.
    async fn compose_networks(
        &self,
        p: &Project,
        made: &mut Made,
        progress: &mpsc::Sender<Progress>,
    ) -> Result<(), Error> {
        let docker = self.docker();
        let live = docker
            .list_networks(None::<ListNetworksOptions>)
            .await
            .map_err(engine_error)?;
        for n in p.networks.values() {
            if live
                .iter()
                .any(|l| l.name.as_deref() == Some(n.name.as_str()))
            {
                continue;
            }
            if n.external {
                return Err(Error::Refused(tr!(
                    "compose.no_external_network",
                    name = n.name
                )));
            }
            let labels = compose::object_labels(
                &n.labels,
                compose::NETWORK,
                &n.key,
                &p.name,
                compose::hash::network(n),
            );
            let mut body = serde_json::json!({
                "Name": n.name,
                "Driver": n.driver,
                "Options": n.driver_opts,
                "Internal": n.internal,
                "Attachable": n.attachable,
                "Labels": labels,
            });
            if !n.ipam_driver.is_empty() || !n.ipam_config.is_empty() {
                let config: Vec<serde_json::Value> = n
                    .ipam_config
                    .iter()
                    .map(|(subnet, gateway)| {
                        let mut c = serde_json::json!({ "Subnet": subnet });
                        if !gateway.is_empty() {
                            c["Gateway"] = serde_json::json!(gateway);
                        }
                        c
                    })
                    .collect();
                body["IPAM"] = serde_json::json!({ "Driver": n.ipam_driver, "Config": config });
            }
            let req: bollard::models::NetworkCreateRequest =
                serde_json::from_value(body).map_err(|e| Error::Refused(e.to_string()))?;
            docker.create_network(req).await.map_err(engine_error)?;
            made.networks.push(n.name.clone());
            let _ = progress
                .send(Progress::Step(tr!(
                    "compose.created_network",
                    name = n.name
                )))
                .await;
        }
        Ok(())
    }

    async fn compose_volumes(
        &self,
        p: &Project,
        made: &mut Made,
        progress: &mpsc::Sender<Progress>,
    ) -> Result<(), Error> {
        let docker = self.docker();
        let live = docker
            .list_volumes(None::<ListVolumesOptions>)
            .await
            .map_err(engine_error)?
            .volumes
            .unwrap_or_default();
        for v in p.volumes.values() {
            if live.iter().any(|l| l.name == v.name) {
                continue;
            }
            if v.external {
                return Err(Error::Refused(tr!(
                    "compose.no_external_volume",
                    name = v.name
                )));
            }
            let labels = compose::object_labels(
                &v.labels,
                compose::VOLUME,
                &v.key,
                &p.name,
                compose::hash::volume(v),
            );
            let mut body = serde_json::json!({
                "Name": v.name,
                "Driver": v.driver,
                "Labels": labels,
            });
            if !v.driver_opts.is_empty() {
                body["DriverOpts"] = serde_json::json!(v.driver_opts);
            }
            let req: bollard::models::VolumeCreateRequest =
                serde_json::from_value(body).map_err(|e| Error::Refused(e.to_string()))?;
            docker.create_volume(req).await.map_err(engine_error)?;
            made.volumes.push(v.name.clone());
            let _ = progress
                .send(Progress::Step(tr!("compose.created_volume", name = v.name)))
                .await;
        }
        Ok(())
    }

    /// Brings one service to its replicas; returns how many containers it created or removed.
    async fn converge_service(
        &self,
        p: &Project,
        s: &Service,
        image_id: &str,
        existing: &[ContainerSummary],
        made: &mut Made,
        progress: &mpsc::Sender<Progress>,
    ) -> Result<usize, Error> {
        let docker = self.docker();
        let hash = compose::hash::service(s);
        let mine: Vec<&ContainerSummary> = existing
            .iter()
            .filter(|c| label(c, compose::SERVICE) == s.name)
            .collect();
        let want = s.replicas();
        let mut changed = 0;
        for c in mine.iter().filter(|c| number(c) > want || number(c) == 0) {
            self.remove_compose_container(c.id.as_deref().unwrap_or_default(), false)
                .await?;
            let _ = progress
                .send(Progress::Step(tr!("compose.removed", name = name(c))))
                .await;
            changed += 1;
        }
        for n in 1..=want {
            let current = mine.iter().find(|c| number(c) == n);
            if let Some(c) = current {
                let same =
                    label(c, compose::CONFIG_HASH) == hash && label(c, compose::IMAGE) == image_id;
                if same {
                    if !running(c) {
                        docker
                            .start_container(c.id.as_deref().unwrap_or_default(), None)
                            .await
                            .map_err(engine_error)?;
                        let _ = progress
                            .send(Progress::Step(tr!("compose.started", name = name(c))))
                            .await;
                        changed += 1;
                    }
                    continue;
                }
                self.remove_compose_container(c.id.as_deref().unwrap_or_default(), false)
                    .await?;
            }
            self.create_compose_container(p, s, n, image_id, made)
                .await?;
            let shown = p.container_name(s, n);
            let line = if current.is_some() {
                tr!("compose.recreated", name = shown)
            } else {
                tr!("compose.started", name = shown)
            };
            let _ = progress.send(Progress::Step(line)).await;
            changed += 1;
        }
        Ok(changed)
    }

    async fn create_compose_container(
        &self,
        p: &Project,
        s: &Service,
        n: u64,
        image_id: &str,
        made: &mut Made,
    ) -> Result<(), Error> {
        let docker = self.docker();
        let body = compose::create::body(p, s, n, image_id);
        let body: ContainerCreateBody =
            serde_json::from_value(body).map_err(|e| Error::Refused(e.to_string()))?;
        let name = p.container_name(s, n);
        let created = docker
            .create_container(
                Some(CreateContainerOptions {
                    name: Some(name.clone()),
                    ..Default::default()
                }),
                body,
            )
            .await
            .map_err(engine_error)?;
        made.containers.push(created.id.clone());
        // The other networks are joined after the create, as compose does with engines older
        // than API 1.44 (the result is the same on newer ones).
        for key in compose::create::networks_by_priority(s).into_iter().skip(1) {
            let Some(net) = p.networks.get(&key) else {
                continue;
            };
            let endpoint: bollard::models::EndpointSettings =
                serde_json::from_value(compose::create::endpoint(p, s, n, &key))
                    .map_err(|e| Error::Refused(e.to_string()))?;
            docker
                .connect_network(
                    &net.name,
                    bollard::models::NetworkConnectRequest {
                        container: created.id.clone(),
                        endpoint_config: Some(endpoint),
                    },
                )
                .await
                .map_err(engine_error)?;
        }
        docker
            .start_container(&created.id, None)
            .await
            .map_err(engine_error)
    }

    pub(super) async fn compose(
        &self,
        spec: &ComposeSpec,
        progress: &mpsc::Sender<Progress>,
    ) -> Result<Outcome, Error> {
        match spec.verb {
            Verb::Up => self.compose_up(spec, progress).await,
            Verb::Down => self.compose_down(spec, progress).await,
            Verb::Ps => self.compose_ps(spec).await,
            Verb::Logs => self.compose_logs(spec, progress).await,
            Verb::Stop | Verb::Start | Verb::Restart => {
                self.compose_lifecycle(spec, progress).await
            }
            Verb::Build => self.compose_build_all(spec, progress).await,
        }
    }
}
