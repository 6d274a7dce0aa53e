//! Actions on a real engine. Every change is fresh inspect → change → update with the object's
//! version; on a version conflict it inspects again and retries once.

use super::{Swarm, convert, engine_error};
use crate::backend::{Error, find_by_name};
use crate::model::action::{Action, Outcome};
use crate::model::{Availability, Role};
use crate::tr;
use bollard::models::{NodeSpec, NodeSpecAvailabilityEnum, NodeSpecRoleEnum, ServiceSpec};
use bollard::query_parameters::{
    LeaveSwarmOptions, RemoveImageOptions, TagImageOptions, UpdateNodeOptions, UpdateServiceOptions,
};
use std::time::Duration;
use tokio::sync::mpsc;

/// How long an update is watched before the command returns (it goes on in the engine).
const ROLLOUT_WAIT: Duration = Duration::from_secs(300);

/// The HTTP status the engine answered with, if it answered.
pub fn status(e: &bollard::errors::Error) -> Option<u16> {
    match e {
        bollard::errors::Error::DockerResponseServerError { status_code, .. } => Some(*status_code),
        _ => None,
    }
}

impl Swarm {
    pub async fn act(
        &self,
        action: &Action,
        progress: &mpsc::Sender<crate::model::action::Progress>,
    ) -> Result<Outcome, Error> {
        let done = |summary: String| {
            Ok(Outcome {
                summary,
                detail: None,
            })
        };
        match action {
            Action::Scale(pairs) => {
                let mut parts = Vec::new();
                for (name, n) in pairs {
                    let id = self.service_id(name).await?;
                    let global = self
                        .docker()
                        .inspect_service(&id, None)
                        .await
                        .map_err(engine_error)?
                        .spec
                        .and_then(|s| s.mode)
                        .is_some_and(|m| m.global.is_some());
                    if global {
                        return Err(Error::Refused(tr!("err.scale_global", name = name)));
                    }
                    self.update_service(&id, false, |spec| {
                        let mode = spec.mode.get_or_insert_with(Default::default);
                        mode.replicated
                            .get_or_insert_with(Default::default)
                            .replicas = Some(*n as i64);
                    })
                    .await?;
                    parts.push(format!("{name}={n}"));
                }
                if let [(name, n)] = pairs.as_slice() {
                    self.watch_replicas(name, *n, progress).await;
                }
                done(tr!("done.scale", targets = parts.join(" ")))
            }
            Action::Image {
                service,
                image,
                resolve,
            } => {
                let id = self.service_id(service).await?;
                let mut pinned = image.clone();
                if *resolve {
                    match self
                        .docker()
                        .inspect_registry_image(image, crate::backend::auth::credentials_for(image))
                        .await
                    {
                        Ok(d) => {
                            if let Some(digest) = d.descriptor.digest {
                                pinned = format!("{}@{digest}", crate::model::strip_digest(image));
                            }
                        }
                        Err(e) => {
                            let _ = progress
                                .send(crate::model::action::Progress::Step(tr!(
                                    "warn.no_resolve",
                                    image = image,
                                    reason = crate::sanitize::one_line(&e.to_string())
                                )))
                                .await;
                        }
                    }
                }
                self.update_service(&id, false, |spec| {
                    let t = spec.task_template.get_or_insert_with(Default::default);
                    t.container_spec.get_or_insert_with(Default::default).image =
                        Some(pinned.clone());
                })
                .await?;
                self.watch_rollout(&id, progress).await
            }
            Action::Rollback(service) => {
                let id = self.service_id(service).await?;
                self.update_service(&id, true, |_| {}).await?;
                self.watch_rollout(&id, progress).await
            }
            Action::Restart(service) => {
                let id = self.service_id(service).await?;
                self.update_service(&id, false, |spec| {
                    let t = spec.task_template.get_or_insert_with(Default::default);
                    t.force_update = Some(t.force_update.unwrap_or(0) + 1);
                })
                .await?;
                self.watch_rollout(&id, progress).await
            }
            Action::Tag { source, target } => {
                if self.docker().inspect_image(source).await.is_err() {
                    return Err(Error::NotFound {
                        kind: "kind.image",
                        name: source.clone(),
                        suggestion: self.image_suggestion(source).await,
                    });
                }
                let (repo, tag) = split_tag(target);
                self.docker()
                    .tag_image(
                        source,
                        Some(TagImageOptions {
                            repo: Some(repo),
                            tag: Some(tag),
                        }),
                    )
                    .await
                    .map_err(engine_error)?;
                done(tr!("done.tag", source = source, target = target))
            }
            Action::Push(image) => crate::backend::swarm::push::push(self, image, progress).await,
            Action::Rmi(image) => {
                self.docker()
                    .inspect_image(image)
                    .await
                    .map_err(|_| Error::NotFound {
                        kind: "kind.image",
                        name: image.clone(),
                        suggestion: None,
                    })?;
                self.docker()
                    .remove_image(
                        image,
                        Some(RemoveImageOptions {
                            force: false,
                            noprune: false,
                            platforms: None,
                        }),
                        None,
                    )
                    .await
                    .map_err(engine_error)?;
                done(tr!("done.rmi", image = image))
            }
            Action::Label { node, labels } => {
                let id = self.node_id(node).await?;
                self.update_node(&id, |spec| {
                    let l = spec.labels.get_or_insert_with(Default::default);
                    for (k, v) in labels {
                        l.insert(k.clone(), v.clone());
                    }
                })
                .await?;
                let shown: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
                done(tr!("done.label", node = node, labels = shown.join(" ")))
            }
            Action::Unlabel { node, keys } => {
                let id = self.node_id(node).await?;
                let current = self
                    .docker()
                    .inspect_node(&id)
                    .await
                    .map_err(engine_error)?;
                let have = current.spec.and_then(|s| s.labels).unwrap_or_default();
                if let Some(k) = keys.iter().find(|k| !have.contains_key(*k)) {
                    return Err(Error::NotFound {
                        kind: "kind.label",
                        name: k.clone(),
                        suggestion: crate::suggest::closest(k, have.keys().map(String::as_str)),
                    });
                }
                self.update_node(&id, |spec| {
                    if let Some(l) = spec.labels.as_mut() {
                        for k in keys {
                            l.remove(k);
                        }
                    }
                })
                .await?;
                done(tr!("done.unlabel", node = node, keys = keys.join(" ")))
            }
            Action::Availability { node, to } => {
                let id = self.node_id(node).await?;
                let a = match to {
                    Availability::Active => NodeSpecAvailabilityEnum::ACTIVE,
                    Availability::Pause => NodeSpecAvailabilityEnum::PAUSE,
                    Availability::Drain => NodeSpecAvailabilityEnum::DRAIN,
                };
                self.update_node(&id, |spec| spec.availability = Some(a))
                    .await?;
                done(tr!(
                    "done.availability",
                    node = node,
                    to = format!("{to:?}").to_lowercase()
                ))
            }
            Action::Role { node, to } => {
                let id = self.node_id(node).await?;
                let r = match to {
                    Role::Manager => NodeSpecRoleEnum::MANAGER,
                    Role::Worker => NodeSpecRoleEnum::WORKER,
                };
                self.update_node(&id, |spec| spec.role = Some(r)).await?;
                done(tr!(
                    "done.role",
                    node = node,
                    to = format!("{to:?}").to_lowercase()
                ))
            }
            Action::SwarmInit { advertise_addr } => {
                let req = bollard::models::SwarmInitRequest {
                    listen_addr: Some("0.0.0.0:2377".into()),
                    advertise_addr: advertise_addr.clone(),
                    ..Default::default()
                };
                let node = self.docker().init_swarm(req).await.map_err(engine_error)?;
                done(tr!(
                    "done.swarm_init",
                    node = crate::sanitize::one_line(&node)
                ))
            }
            Action::JoinToken(role) => {
                let swarm = self
                    .docker()
                    .inspect_swarm()
                    .await
                    .map_err(|_| Error::NotManager)?;
                let tokens = swarm.join_tokens.unwrap_or_default();
                let token = match role {
                    Role::Worker => tokens.worker,
                    Role::Manager => tokens.manager,
                }
                .unwrap_or_default();
                let info = self.docker().info().await.map_err(engine_error)?;
                let addr = info
                    .swarm
                    .and_then(|s| s.remote_managers)
                    .and_then(|m| m.into_iter().find_map(|p| p.addr))
                    .unwrap_or_default();
                let command = format!(
                    "docker swarm join --token {} {}",
                    crate::sanitize::one_line(&token),
                    crate::sanitize::one_line(&addr)
                );
                Ok(Outcome {
                    summary: tr!("done.join_token", role = format!("{role:?}").to_lowercase()),
                    detail: Some(crate::model::action::Detail::Command(command)),
                })
            }
            Action::RmStack(stack) => self.remove_stack(stack, progress).await,
            Action::Context(_)
            | Action::Namespace(_)
            | Action::Apply(_)
            | Action::KubeSecret { .. }
            | Action::KubeList(_)
            | Action::SecretShow(_)
            | Action::Delete { .. } => Err(Error::Refused(tr!(
                "err.kube_only",
                command = action.kubectl()
            ))),
            Action::CreateObject { secret, name, file } => {
                let data = crate::backend::files::read_object_file(file)?;
                let d = self.docker();
                let created = if *secret {
                    let spec = bollard::models::SecretSpec {
                        name: Some(name.clone()),
                        data: Some(data),
                        ..Default::default()
                    };
                    d.create_secret(spec).await.map(|r| r.id)
                } else {
                    let spec = bollard::models::ConfigSpec {
                        name: Some(name.clone()),
                        data: Some(data),
                        ..Default::default()
                    };
                    d.create_config(spec).await.map(|r| r.id)
                };
                let kind = if *secret { "secret" } else { "config" };
                match created {
                    Ok(id) => Ok(Outcome {
                        summary: tr!("done.create_object", kind = kind, name = name),
                        detail: Some(crate::model::action::Detail::Text(id)),
                    }),
                    Err(e) if status(&e) == Some(409) => Err(Error::Refused(tr!(
                        "err.object_exists",
                        kind = kind,
                        name = name
                    ))),
                    Err(e) => Err(engine_error(e)),
                }
            }
            Action::Diff {
                files,
                stack,
                prune,
                resolve,
            } => {
                let spec = load_stack(files, stack)?;
                let lines = self.preview(&spec, *prune, *resolve, progress).await?;
                let summary = if lines.is_empty() {
                    tr!("preview.none", stack = stack)
                } else {
                    tr!("preview.summary", stack = stack, count = lines.len())
                };
                Ok(Outcome {
                    summary,
                    detail: (!lines.is_empty())
                        .then(|| crate::model::action::Detail::Text(lines.join("\n"))),
                })
            }
            Action::Deploy {
                files,
                stack,
                prune,
                detach,
                resolve,
                timeout,
            } => {
                // Everything is checked before the first call: a bad file changes nothing.
                let spec = load_stack(files, stack)?;
                let how = super::deploy::How {
                    prune: *prune,
                    detach: *detach,
                    resolve: *resolve,
                    timeout: std::time::Duration::from_secs(*timeout),
                };
                self.deploy(spec, how, progress).await
            }
            Action::SwarmLeave { force } => {
                self.docker()
                    .leave_swarm(Some(LeaveSwarmOptions { force: *force }))
                    .await
                    .map_err(engine_error)?;
                done(tr!("done.swarm_leave"))
            }
        }
    }

    async fn service_id(&self, name: &str) -> Result<String, Error> {
        let all = self
            .docker()
            .list_services(None)
            .await
            .map_err(engine_error)?;
        let list: Vec<crate::model::Workload> = all.iter().map(convert::service).collect();
        find_by_name(list, name, "kind.service", |w| (&w.name, &w.id)).map(|w| w.id)
    }

    async fn node_id(&self, name: &str) -> Result<String, Error> {
        let all = self.docker().list_nodes(None).await.map_err(|e| match e {
            bollard::errors::Error::DockerResponseServerError {
                status_code: 503, ..
            } => Error::NotManager,
            other => engine_error(other),
        })?;
        let list: Vec<crate::model::Node> = all.iter().map(convert::node).collect();
        let same_host: Vec<&crate::model::Node> =
            list.iter().filter(|n| n.hostname == name).collect();
        if same_host.len() > 1 {
            return Err(Error::Ambiguous {
                name: name.into(),
                matches: same_host.iter().map(|n| n.id.clone()).collect(),
            });
        }
        find_by_name(list, name, "kind.node", |n| (&n.hostname, &n.id)).map(|n| n.id)
    }

    pub(super) async fn image_suggestion(&self, name: &str) -> Option<String> {
        let images = self.images().await.ok()?;
        let refs: Vec<String> = images
            .iter()
            .map(|i| format!("{}:{}", i.repo, i.tag))
            .collect();
        crate::suggest::closest(name, refs.iter().map(String::as_str))
    }

    /// Inspects, changes the spec with `f`, and updates with the version just read; once more
    /// on a version conflict. `rollback` asks the engine for its previous spec instead.
    /// A service's version now, if it can be read.
    async fn version_of(&self, id: &str) -> Option<u64> {
        let svc = self.docker().inspect_service(id, None).await.ok()?;
        svc.version.and_then(|v| v.index)
    }

    async fn update_service(
        &self,
        id: &str,
        rollback: bool,
        f: impl Fn(&mut ServiceSpec),
    ) -> Result<(), Error> {
        for attempt in 0..2 {
            let svc = self
                .docker()
                .inspect_service(id, None)
                .await
                .map_err(engine_error)?;
            let version = svc.version.and_then(|v| v.index).unwrap_or(0);
            let mut spec = svc.spec.unwrap_or_default();
            let name = spec.name.clone().unwrap_or_else(|| id.to_string());
            f(&mut spec);
            let opts = UpdateServiceOptions {
                version: i32::try_from(version).unwrap_or(i32::MAX),
                rollback: rollback.then(|| "previous".to_string()),
                ..Default::default()
            };
            let image = spec
                .task_template
                .as_ref()
                .and_then(|t| t.container_spec.as_ref())
                .and_then(|c| c.image.clone())
                .unwrap_or_default();
            match self
                .docker()
                .update_service(
                    id,
                    spec,
                    opts,
                    crate::backend::auth::credentials_for(&image),
                )
                .await
            {
                Ok(_) => return Ok(()),
                // A rollback's only failed precondition: no previous spec to go back to.
                Err(e) if rollback && status(&e) == Some(400) => {
                    return Err(Error::Refused(tr!("err.no_previous", name = name)));
                }
                // The engine answers a stale version with a plain 500; what tells a conflict is
                // that the service's version moved since it was read.
                Err(e) if attempt == 0 && self.version_of(id).await != Some(version) => {
                    tracing::info!(service = id, error = %e, "version conflict; retrying once")
                }
                Err(e) => return Err(engine_error(e)),
            }
        }
        Err(Error::Engine(tr!("err.conflict")))
    }

    async fn node_version(&self, id: &str) -> Option<u64> {
        let node = self.docker().inspect_node(id).await.ok()?;
        node.version.and_then(|v| v.index)
    }

    async fn update_node(&self, id: &str, f: impl Fn(&mut NodeSpec)) -> Result<(), Error> {
        for attempt in 0..2 {
            let node = self.docker().inspect_node(id).await.map_err(engine_error)?;
            let version = node.version.and_then(|v| v.index).unwrap_or(0);
            let mut spec = node.spec.unwrap_or_default();
            f(&mut spec);
            match self
                .docker()
                .update_node(
                    id,
                    spec,
                    UpdateNodeOptions {
                        version: version as i64,
                    },
                )
                .await
            {
                Ok(()) => return Ok(()),
                // As for services: a conflict is a version that moved since it was read.
                Err(e) if attempt == 0 && self.node_version(id).await != Some(version) => {
                    tracing::info!(node = id, error = %e, "version conflict; retrying once")
                }
                Err(e) => return Err(engine_error(e)),
            }
        }
        Err(Error::Engine(tr!("err.conflict")))
    }

    /// Reports "4/6 running" until the service has its replicas (or a while has passed).
    async fn watch_replicas(
        &self,
        name: &str,
        want: u64,
        progress: &mpsc::Sender<crate::model::action::Progress>,
    ) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        let mut last = String::new();
        while tokio::time::Instant::now() < deadline {
            if let Ok(w) = self.workloads().await
                && let Some(w) = w.iter().find(|w| w.name == name)
            {
                let line = tr!(
                    "progress.replicas",
                    name = name,
                    running = w.running,
                    desired = want
                );
                if line != last {
                    let _ = progress
                        .send(crate::model::action::Progress::Step(line.clone()))
                        .await;
                    last = line;
                }
                if w.running == want && w.desired == want {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// Follows a rolling update: tasks updated out of the total, until the engine says it is
    /// completed, paused or rolled back.
    async fn watch_rollout(
        &self,
        id: &str,
        progress: &mpsc::Sender<crate::model::action::Progress>,
    ) -> Result<Outcome, Error> {
        let deadline = tokio::time::Instant::now() + ROLLOUT_WAIT;
        let mut last = String::new();
        let mut seen_update = false;
        loop {
            let svc = self
                .docker()
                .inspect_service(id, None)
                .await
                .map_err(engine_error)?;
            let name = svc
                .spec
                .as_ref()
                .and_then(|s| s.name.clone())
                .unwrap_or_default();
            let image = svc
                .spec
                .as_ref()
                .and_then(|s| s.task_template.as_ref())
                .and_then(|t| t.container_spec.as_ref())
                .and_then(|c| c.image.clone())
                .unwrap_or_default();
            let status = svc.update_status.as_ref();
            let state = status
                .and_then(|u| u.state)
                .map(|s| s.to_string())
                .unwrap_or_default();
            let message = status
                .and_then(|u| u.message.clone())
                .map(|m| crate::sanitize::one_line(&m))
                .unwrap_or_default();
            seen_update |= !state.is_empty();
            let tasks = self.instances().await?;
            let mine: Vec<_> = tasks
                .iter()
                .filter(|t| t.workload_id == id && t.desired == "running")
                .collect();
            let updated = mine
                .iter()
                .filter(|t| t.state == "running" && crate::model::strip_digest(&image) == t.image)
                .count();
            let line = tr!(
                "progress.rollout",
                name = name,
                state = if state.is_empty() {
                    "updating".into()
                } else {
                    state.replace('_', " ")
                },
                updated = updated,
                total = mine.len()
            );
            if line != last {
                let _ = progress
                    .send(crate::model::action::Progress::Step(line.clone()))
                    .await;
                last = line;
            }
            match state.as_str() {
                "completed" => {
                    return Ok(Outcome {
                        summary: tr!(
                            "done.rollout",
                            name = name,
                            image = crate::model::strip_digest(&image)
                        ),
                        detail: None,
                    });
                }
                "rollback_completed" => {
                    return Ok(Outcome {
                        summary: tr!(
                            "done.rolled_back",
                            name = name,
                            image = crate::model::strip_digest(&image)
                        ),
                        detail: (!message.is_empty())
                            .then_some(crate::model::action::Detail::Text(message)),
                    });
                }
                "paused" | "rollback_paused" => {
                    // The engine's message names a task; the task's own error says why.
                    let why = tasks
                        .iter()
                        .filter(|t| t.workload_id == id && t.error.is_some())
                        .max_by_key(|t| t.since)
                        .and_then(|t| t.error.clone());
                    let message = match why {
                        Some(w) => format!("{message} ({w})"),
                        None => message,
                    };
                    return Err(Error::Refused(tr!(
                        "err.update_paused",
                        name = name,
                        message = message
                    )));
                }
                _ => {}
            }
            // No update status at all (nothing to replace): done when the tasks run.
            if !seen_update && !mine.is_empty() && updated == mine.len() {
                return Ok(Outcome {
                    summary: tr!(
                        "done.rollout",
                        name = name,
                        image = crate::model::strip_digest(&image)
                    ),
                    detail: None,
                });
            }
            if tokio::time::Instant::now() > deadline {
                return Ok(Outcome {
                    summary: tr!("done.rollout_running", name = name),
                    detail: None,
                });
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}

/// Loads and checks compose files for a stack before anything touches the engine: a bad file
/// is refused here, with its place.
fn load_stack(files: &[String], stack: &str) -> Result<crate::stack::StackSpec, Error> {
    let paths: Vec<std::path::PathBuf> = files.iter().map(std::path::PathBuf::from).collect();
    crate::stack::load(&paths, stack, &|k| std::env::var(k).ok())
        .map_err(|e| Error::Refused(e.to_string()))
}

use crate::model::reference::split_tag;
