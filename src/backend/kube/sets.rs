//! StatefulSets and DaemonSets changed as Deployments are: `scale` (a StatefulSet; a DaemonSet
//! runs one pod per node and is not scaled, as kubectl refuses it) and `restart` (`kubectl
//! rollout restart`), each followed until its rollout is done.

use super::ops::done;
use super::{Kube, convert, kube_error};
use crate::backend::Error;
use crate::model::action::{Outcome, Progress};
use crate::tr;
use k8s_openapi::api::apps::v1::{DaemonSet, StatefulSet};
use kube::api::{Api, ListParams, Patch, PatchParams};
use serde_json::json;
use std::time::Duration;
use tokio::sync::mpsc;

/// A workload that is not a Deployment, found by the name the panes show.
pub(super) enum Set {
    Stateful(Api<StatefulSet>, String),
    Daemon(Api<DaemonSet>, String),
}

/// How far a set's rollout is: updated, ready and wanted pods, and whether it is done.
struct Rollout {
    updated: i32,
    ready: i32,
    want: i32,
    done: bool,
}

fn stateful_rollout(s: &StatefulSet) -> Rollout {
    let st = s.status.clone().unwrap_or_default();
    let want = s.spec.replicas.unwrap_or(1);
    let (updated, ready) = (
        st.updated_replicas.unwrap_or(0),
        st.ready_replicas.unwrap_or(0),
    );
    let observed = st.observed_generation.unwrap_or(0) >= s.metadata.generation.unwrap_or(0);
    Rollout {
        updated,
        ready,
        want,
        done: observed
            && ready == want
            && st.replicas == want
            && (want == 0 || updated == want)
            && st.current_revision == st.update_revision,
    }
}

fn daemon_rollout(d: &DaemonSet) -> Rollout {
    let st = d.status.clone().unwrap_or_default();
    let want = st.desired_number_scheduled;
    let updated = st.updated_number_scheduled.unwrap_or(0);
    let observed = st.observed_generation.unwrap_or(0) >= d.metadata.generation.unwrap_or(0);
    Rollout {
        updated,
        ready: st.number_ready,
        want,
        done: observed
            && updated == want
            && st.number_ready == want
            && st.number_available.unwrap_or(0) == want,
    }
}

/// kubectl's restart: a new `restartedAt` on the pod template.
fn restart_patch() -> serde_json::Value {
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    json!({"spec": {"template": {"metadata": {"annotations": {
        "kubectl.kubernetes.io/restartedAt": now
    }}}}})
}

impl Kube {
    /// The StatefulSet or DaemonSet shown as `name` (`name`, or `namespace/name` across
    /// namespaces), if there is one.
    pub(super) async fn find_set(&self, name: &str) -> Result<Option<Set>, Error> {
        let all = self.all_namespaces();
        let api = |ns: &Option<String>| ns.clone().unwrap_or_default();
        for s in self
            .api::<StatefulSet>()
            .list(&ListParams::default())
            .await
            .map_err(kube_error)?
            .items
        {
            if convert::shown_name(&s.metadata, all) == name {
                let ns = api(&s.metadata.namespace);
                let real = s.metadata.name.unwrap_or_default();
                return Ok(Some(Set::Stateful(
                    Api::namespaced(self.client(), &ns),
                    real,
                )));
            }
        }
        for d in self
            .api::<DaemonSet>()
            .list(&ListParams::default())
            .await
            .map_err(kube_error)?
            .items
        {
            if convert::shown_name(&d.metadata, all) == name {
                let ns = api(&d.metadata.namespace);
                let real = d.metadata.name.unwrap_or_default();
                return Ok(Some(Set::Daemon(Api::namespaced(self.client(), &ns), real)));
            }
        }
        Ok(None)
    }

    /// `kubectl scale statefulset/NAME --replicas N`, followed until every pod is ready.
    pub(super) async fn scale_set(
        &self,
        set: Set,
        n: u64,
        progress: &mpsc::Sender<Progress>,
    ) -> Result<(), Error> {
        match set {
            Set::Stateful(api, name) => {
                let patch = json!({ "spec": { "replicas": n } });
                api.patch_scale(&name, &PatchParams::default(), &Patch::Merge(&patch))
                    .await
                    .map_err(kube_error)?;
                self.follow_set(Set::Stateful(api, name), progress).await
            }
            Set::Daemon(_, name) => Err(Error::Refused(tr!("kube.daemon_scale", name = name))),
        }
    }

    /// `kubectl rollout restart statefulset/NAME` (or daemonset), followed to its end.
    pub(super) async fn restart_set(
        &self,
        set: Set,
        progress: &mpsc::Sender<Progress>,
    ) -> Result<Outcome, Error> {
        let patch = restart_patch();
        let params = PatchParams::default();
        let name = match &set {
            Set::Stateful(api, name) => {
                api.patch(name, &params, &Patch::Strategic(&patch))
                    .await
                    .map_err(kube_error)?;
                name.clone()
            }
            Set::Daemon(api, name) => {
                api.patch(name, &params, &Patch::Strategic(&patch))
                    .await
                    .map_err(kube_error)?;
                name.clone()
            }
        };
        self.follow_set(set, progress).await?;
        done(tr!("kube.restarted", name = name))
    }

    /// Follows a set until its rollout is done, saying each step; gives up after 90 s.
    async fn follow_set(&self, set: Set, progress: &mpsc::Sender<Progress>) -> Result<(), Error> {
        let mut last = String::new();
        let name = match &set {
            Set::Stateful(_, n) | Set::Daemon(_, n) => n.clone(),
        };
        for _ in 0..180 {
            let r = match &set {
                Set::Stateful(api, n) => stateful_rollout(&api.get(n).await.map_err(kube_error)?),
                Set::Daemon(api, n) => daemon_rollout(&api.get(n).await.map_err(kube_error)?),
            };
            let line = tr!(
                "kube.rollout",
                name = name,
                updated = r.updated,
                ready = r.ready,
                want = r.want
            );
            if line != last {
                let _ = progress.send(Progress::Step(line.clone())).await;
                last = line;
            }
            if r.done {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        Err(Error::Refused(tr!("kube.slow", name = name)))
    }
}

impl Kube {
    /// `kubectl create job --from=cronjob/NAME JOB`: the CronJob's job template as a Job it
    /// owns, marked as started by hand, as kubectl makes it.
    pub(super) async fn trigger(&self, cronjob: &str, job: &str) -> Result<Outcome, Error> {
        use k8s_openapi::api::batch::v1::{CronJob, Job};
        use kube::api::PostParams;
        let (ns, name) = match cronjob.split_once('/') {
            Some((ns, n)) => (ns.to_string(), n),
            None => (self.namespace_for_new(), cronjob),
        };
        let api: Api<CronJob> = Api::namespaced(self.client(), &ns);
        let cj = match api.get_opt(name).await.map_err(kube_error)? {
            Some(cj) => cj,
            None => {
                let names = api
                    .list(&ListParams::default())
                    .await
                    .map_err(kube_error)?
                    .items
                    .into_iter()
                    .filter_map(|c| c.metadata.name)
                    .collect::<Vec<_>>();
                return Err(Error::NotFound {
                    kind: "kind.cronjob",
                    name: name.to_string(),
                    suggestion: crate::suggest::closest(name, names.iter().map(String::as_str)),
                });
            }
        };
        let spec = cj.spec.job_template.clone();
        let meta = spec.metadata.clone().unwrap_or_default();
        let mut annotations = meta.annotations.unwrap_or_default();
        annotations.insert("cronjob.kubernetes.io/instantiate".into(), "manual".into());
        let owner = k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference {
            api_version: "batch/v1".into(),
            kind: "CronJob".into(),
            name: name.to_string(),
            uid: cj.metadata.uid.clone().unwrap_or_default(),
            controller: Some(true),
            block_owner_deletion: Some(true),
        };
        let j = Job {
            metadata: kube::api::ObjectMeta {
                name: Some(job.to_string()),
                namespace: Some(ns.clone()),
                labels: meta.labels,
                annotations: Some(annotations),
                owner_references: Some(vec![owner]),
                ..Default::default()
            },
            spec: spec.spec,
            ..Default::default()
        };
        let jobs: Api<Job> = Api::namespaced(self.client(), &ns);
        jobs.create(&PostParams::default(), &j)
            .await
            .map_err(kube_error)?;
        done(tr!("kube.triggered", cronjob = name, job = job))
    }
}
