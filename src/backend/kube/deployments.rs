//! Deployments: scale, image, restart and rollback (to the previous ReplicaSet's template), each
//! followed until the rollout is done or stuck.

use super::ops::{done, is_conflict};
use super::{Kube, convert, kube_error};
use crate::backend::Error;
use crate::model::action::{Outcome, Progress};
use crate::tr;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use serde_json::json;
use std::time::Duration;
use tokio::sync::mpsc;

/// Pod states that will not get better by waiting.
const STUCK: [&str; 5] = [
    "ImagePullBackOff",
    "ErrImagePull",
    "CrashLoopBackOff",
    "InvalidImageName",
    "CreateContainerConfigError",
];

impl Kube {
    pub(super) async fn scale(
        &self,
        pairs: &[(String, u64)],
        progress: &mpsc::Sender<Progress>,
    ) -> Result<Outcome, Error> {
        let mut parts = Vec::new();
        for (name, n) in pairs {
            let (api, d) = match self.find_deployment(name).await {
                Ok(found) => found,
                Err(e) => match self.find_set(name).await? {
                    Some(set) => {
                        self.scale_set(set, *n, progress).await?;
                        parts.push(format!("{name}={n}"));
                        continue;
                    }
                    None => return Err(e),
                },
            };
            let real = d.metadata.name.clone().unwrap_or_default();
            let patch = json!({ "spec": { "replicas": n } });
            api.patch_scale(&real, &PatchParams::default(), &Patch::Merge(&patch))
                .await
                .map_err(kube_error)?;
            self.watch_rollout(&api, &real, progress).await?;
            parts.push(format!("{name}={n}"));
        }
        done(tr!("done.scale", targets = parts.join(" ")))
    }

    /// `kubectl set image`: `IMAGE`, or `CONTAINER=IMAGE` when the pod has several containers.
    pub(super) async fn set_image(
        &self,
        service: &str,
        image: &str,
        progress: &mpsc::Sender<Progress>,
    ) -> Result<Outcome, Error> {
        let (api, d) = self.find_deployment(service).await?;
        let real = d.metadata.name.clone().unwrap_or_default();
        let (container, image) = match image.split_once('=') {
            Some((c, i)) => (Some(c.to_string()), i.to_string()),
            None => (None, image.to_string()),
        };
        self.update(&api, &real, |d| {
            let containers = d
                .spec
                .template
                .spec
                .as_mut()
                .map(|p| &mut p.containers)
                .ok_or_else(|| Error::engine("no pod template"))?;
            let names: Vec<String> = containers.iter().map(|c| c.name.clone()).collect();
            let target = match (&container, containers.len()) {
                (Some(c), _) => containers
                    .iter_mut()
                    .find(|x| &x.name == c)
                    .ok_or_else(|| {
                        Error::Refused(tr!(
                            "kube.no_container",
                            name = c,
                            containers = names.join(", ")
                        ))
                    })?,
                (None, 1) => &mut containers[0],
                (None, _) => {
                    return Err(Error::Refused(tr!(
                        "kube.pick_container",
                        containers = names.join(", ")
                    )));
                }
            };
            target.image = Some(image.clone());
            Ok(())
        })
        .await?;
        self.watch_rollout(&api, &real, progress).await?;
        done(tr!("done.rollout", name = service, image = image))
    }

    /// `kubectl rollout restart`: a new `restartedAt` annotation on the pod template.
    pub(super) async fn restart(
        &self,
        service: &str,
        progress: &mpsc::Sender<Progress>,
    ) -> Result<Outcome, Error> {
        let (api, d) = match self.find_deployment(service).await {
            Ok(found) => found,
            Err(e) => match self.find_set(service).await? {
                Some(set) => return self.restart_set(set, progress).await,
                None => return Err(e),
            },
        };
        let real = d.metadata.name.clone().unwrap_or_default();
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        self.update(&api, &real, |d| {
            d.spec
                .template
                .metadata
                .get_or_insert_with(Default::default)
                .annotations
                .get_or_insert_with(Default::default)
                .insert("kubectl.kubernetes.io/restartedAt".into(), now.clone());
            Ok(())
        })
        .await?;
        self.watch_rollout(&api, &real, progress).await?;
        done(tr!("kube.restarted", name = service))
    }

    /// `kubectl rollout undo`: the template of the previous ReplicaSet.
    pub(super) async fn rollback(
        &self,
        service: &str,
        progress: &mpsc::Sender<Progress>,
    ) -> Result<Outcome, Error> {
        let (api, d) = self.find_deployment(service).await?;
        let real = d.metadata.name.clone().unwrap_or_default();
        let previous = self.previous_template(&d).await?;
        let image = previous
            .spec
            .as_ref()
            .map(|s| {
                s.containers
                    .iter()
                    .filter_map(|c| c.image.clone())
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .unwrap_or_default();
        self.update(&api, &real, |d| {
            d.spec.template = previous.clone();
            Ok(())
        })
        .await?;
        self.watch_rollout(&api, &real, progress).await?;
        done(tr!("done.rolled_back", name = service, image = image))
    }

    /// A Deployment by its name as shown (`name`, or `namespace/name` across namespaces).
    pub(super) async fn find_deployment(
        &self,
        name: &str,
    ) -> Result<(Api<Deployment>, Deployment), Error> {
        let all = self.all_namespaces();
        let list = self
            .api::<Deployment>()
            .list(&ListParams::default())
            .await
            .map_err(kube_error)?;
        let shown: Vec<String> = list
            .items
            .iter()
            .map(|d| convert::shown_name(&d.metadata, all))
            .collect();
        match shown.iter().position(|s| s == name) {
            Some(i) => {
                let d = list.items[i].clone();
                let ns = d.metadata.namespace.clone().unwrap_or_default();
                Ok((Api::namespaced(self.client(), &ns), d))
            }
            None => {
                // A StatefulSet or DaemonSet of that name: shown, but not changed by estiba.
                if let Some(w) = self.workloads().await?.into_iter().find(|w| w.name == name) {
                    let kind = w.update.map(|u| u.state).unwrap_or_default();
                    return Err(Error::Refused(tr!(
                        "kube.read_only_kind",
                        name = name,
                        kind = kind
                    )));
                }
                Err(Error::NotFound {
                    kind: "kind.deployment",
                    name: name.to_string(),
                    suggestion: crate::suggest::closest(name, shown.iter().map(String::as_str)),
                })
            }
        }
    }

    /// Fresh read → change → write with its resourceVersion; read again on a conflict (the
    /// controller writes the Deployment's status often during a rollout, a stuck one most),
    /// up to five times, a little longer between each.
    pub(super) async fn update(
        &self,
        api: &Api<Deployment>,
        name: &str,
        change: impl Fn(&mut Deployment) -> Result<(), Error>,
    ) -> Result<(), Error> {
        const ATTEMPTS: u64 = 5;
        for attempt in 1..=ATTEMPTS {
            let mut d = api.get(name).await.map_err(kube_error)?;
            change(&mut d)?;
            match api.replace(name, &PostParams::default(), &d).await {
                Ok(_) => return Ok(()),
                Err(e) if is_conflict(&e) && attempt < ATTEMPTS => {
                    tracing::info!(deployment = name, attempt, "conflict; reading it again");
                    tokio::time::sleep(std::time::Duration::from_millis(50 * attempt)).await;
                }
                Err(e) => return Err(kube_error(e)),
            }
        }
        Ok(())
    }

    /// The pod template of the revision before the current one, as `kubectl rollout undo`.
    pub(super) async fn previous_template(
        &self,
        d: &Deployment,
    ) -> Result<k8s_openapi::api::core::v1::PodTemplateSpec, Error> {
        let ns = d.metadata.namespace.clone().unwrap_or_default();
        let uid = d.metadata.uid.clone().unwrap_or_default();
        let name = d.metadata.name.clone().unwrap_or_default();
        let api: Api<ReplicaSet> = Api::namespaced(self.client(), &ns);
        let mut sets: Vec<(i64, ReplicaSet)> = api
            .list(&ListParams::default())
            .await
            .map_err(kube_error)?
            .items
            .into_iter()
            .filter(|rs| {
                rs.metadata
                    .owner_references
                    .as_ref()
                    .is_some_and(|o| o.iter().any(|o| o.uid == uid))
            })
            .map(|rs| {
                let rev = rs
                    .metadata
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get("deployment.kubernetes.io/revision"))
                    .and_then(|r| r.parse().ok())
                    .unwrap_or(0);
                (rev, rs)
            })
            .collect();
        sets.sort_by_key(|(rev, _)| std::cmp::Reverse(*rev));
        let Some((_, previous)) = sets.into_iter().nth(1) else {
            return Err(Error::Refused(tr!("kube.no_previous", name = name)));
        };
        let mut t = previous
            .spec
            .template
            .ok_or_else(|| Error::Refused(tr!("kube.no_previous", name = name)))?;
        if let Some(l) = t.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
            l.remove("pod-template-hash");
        }
        Ok(t)
    }

    /// Follows a Deployment until every replica runs its current template; stops with the
    /// reason when a pod is stuck (a missing image, a crash loop).
    pub(super) async fn watch_rollout(
        &self,
        api: &Api<Deployment>,
        name: &str,
        progress: &mpsc::Sender<Progress>,
    ) -> Result<(), Error> {
        let pods: Api<Pod> = Api::namespaced(
            self.client(),
            api.get(name)
                .await
                .map_err(kube_error)?
                .metadata
                .namespace
                .as_deref()
                .unwrap_or("default"),
        );
        let mut last = String::new();
        for _ in 0..180 {
            let d = api.get(name).await.map_err(kube_error)?;
            let generation = d.metadata.generation.unwrap_or(0);
            let s = d.status.clone().unwrap_or_default();
            let want = d.spec.replicas.unwrap_or(1);
            let (updated, ready, total) = (
                s.updated_replicas.unwrap_or(0),
                s.ready_replicas.unwrap_or(0),
                s.replicas.unwrap_or(0),
            );
            let line = tr!(
                "kube.rollout",
                name = name,
                updated = updated,
                ready = ready,
                want = want
            );
            if line != last {
                let _ = progress.send(Progress::Step(line.clone())).await;
                last = line;
            }
            if s.observed_generation.unwrap_or(0) >= generation
                && updated == want
                && ready == want
                && total == want
            {
                return Ok(());
            }
            // Only the pods of the current ReplicaSet tell whether the rollout is stuck: while a
            // rollback replaces a broken one, its pods still wait for their image.
            let selector = convert::selector(&d.spec.selector);
            let current = if s.observed_generation.unwrap_or(0) >= generation {
                self.current_hash(&d, &selector).await?
            } else {
                None
            };
            let stuck = match current {
                None => None,
                Some(hash) => pods
                    .list(
                        &ListParams::default()
                            .labels(&format!("{selector},pod-template-hash={hash}")),
                    )
                    .await
                    .map_err(kube_error)?
                    .items
                    .into_iter()
                    .filter(|p| p.metadata.deletion_timestamp.is_none())
                    .find_map(|p| {
                        let (state, why) = convert::pod_state(&p);
                        STUCK.contains(&state.as_str()).then(|| {
                            format!(
                                "{}: {state}{}",
                                p.metadata.name.unwrap_or_default(),
                                why.map(|w| format!(": {w}")).unwrap_or_default()
                            )
                        })
                    }),
            };
            if let Some(reason) = stuck {
                return Err(Error::Refused(tr!(
                    "kube.stuck",
                    name = name,
                    reason = reason
                )));
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        Err(Error::Refused(tr!("kube.slow", name = name)))
    }

    /// The pod-template-hash of a Deployment's current ReplicaSet: the one whose revision is the
    /// Deployment's.
    async fn current_hash(&self, d: &Deployment, selector: &str) -> Result<Option<String>, Error> {
        const REVISION: &str = "deployment.kubernetes.io/revision";
        let Some(revision) = d
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(REVISION))
        else {
            return Ok(None);
        };
        let ns = d.metadata.namespace.as_deref().unwrap_or("default");
        let sets: Api<ReplicaSet> = Api::namespaced(self.client(), ns);
        let list = sets
            .list(&ListParams::default().labels(selector))
            .await
            .map_err(kube_error)?;
        Ok(list
            .items
            .into_iter()
            .find(|rs| {
                rs.metadata
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get(REVISION))
                    == Some(revision)
            })
            .and_then(|rs| rs.metadata.labels?.get("pod-template-hash").cloned()))
    }
}
