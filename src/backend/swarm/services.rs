//! Services: scale, image, rollback and restart, each a fresh inspect → change → update with the
//! service's version (once more on a version conflict), then followed until it converges.

use super::ops::{ROLLOUT_WAIT, done};
use super::status;
use super::{Swarm, convert, engine_error};
use crate::backend::{Error, find_by_name};
use crate::model::action::{Detail, Outcome, Progress};
use crate::tr;
use bollard::models::ServiceSpec;
use bollard::query_parameters::UpdateServiceOptions;
use std::time::Duration;
use tokio::sync::mpsc;

/// An update's end in words: `done` is its catalog key, with the service and its image.
fn finished(done: &'static str, name: &str, image: &str) -> String {
    crate::i18n::format(
        done,
        &[
            ("name", name.to_string()),
            ("image", crate::model::strip_digest(image).to_string()),
        ],
    )
}

impl Swarm {
    pub(super) async fn scale(
        &self,
        pairs: &[(String, u64)],
        progress: &mpsc::Sender<Progress>,
    ) -> Result<Outcome, Error> {
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
        if let [(name, n)] = pairs {
            self.watch_replicas(name, *n, progress).await;
        }
        done(tr!("done.scale", targets = parts.join(" ")))
    }

    /// `docker service update --image`: pinned to the registry's digest unless `resolve` is off.
    pub(super) async fn set_image(
        &self,
        service: &str,
        image: &String,
        resolve: bool,
        progress: &mpsc::Sender<Progress>,
    ) -> Result<Outcome, Error> {
        let id = self.service_id(service).await?;
        let mut pinned = image.clone();
        if resolve {
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
                        .send(Progress::Step(tr!(
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
            t.container_spec.get_or_insert_with(Default::default).image = Some(pinned.clone());
        })
        .await?;
        self.watch_rollout(&id, "done.rollout", progress).await
    }

    pub(super) async fn rollback(
        &self,
        service: &str,
        progress: &mpsc::Sender<Progress>,
    ) -> Result<Outcome, Error> {
        let id = self.service_id(service).await?;
        self.update_service(&id, true, |_| {}).await?;
        self.watch_rollout(&id, "done.rollout", progress).await
    }

    /// `docker service update --force`: new tasks with the same spec.
    pub(super) async fn restart(
        &self,
        service: &str,
        progress: &mpsc::Sender<Progress>,
    ) -> Result<Outcome, Error> {
        let id = self.service_id(service).await?;
        self.update_service(&id, false, |spec| {
            let t = spec.task_template.get_or_insert_with(Default::default);
            t.force_update = Some(t.force_update.unwrap_or(0) + 1);
        })
        .await?;
        self.watch_rollout(&id, "done.restarted", progress).await
    }

    pub(super) async fn service_id(&self, name: &str) -> Result<String, Error> {
        let all = self
            .docker()
            .list_services(None)
            .await
            .map_err(engine_error)?;
        let list: Vec<crate::model::Workload> = all.iter().map(convert::service).collect();
        find_by_name(list, name, "kind.service", |w| (&w.name, &w.id)).map(|w| w.id)
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
        Err(Error::engine(tr!("err.conflict")))
    }

    /// Reports "4/6 running" until the service has its replicas (or a while has passed).
    async fn watch_replicas(&self, name: &str, want: u64, progress: &mpsc::Sender<Progress>) {
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
                    let _ = progress.send(Progress::Step(line.clone())).await;
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
    /// Follows an update to its end; `done` is the catalog key of its success ("now runs",
    /// "every task replaced").
    async fn watch_rollout(
        &self,
        id: &str,
        done: &'static str,
        progress: &mpsc::Sender<Progress>,
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
                let _ = progress.send(Progress::Step(line.clone())).await;
                last = line;
            }
            match state.as_str() {
                "completed" => {
                    return Ok(Outcome {
                        summary: finished(done, &name, &image),
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
                        detail: (!message.is_empty()).then_some(Detail::Text(message)),
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
                    summary: finished(done, &name, &image),
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
