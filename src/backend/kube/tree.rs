//! `tree NAME`: a workload as its objects hold each other: a Deployment's ReplicaSets (newest
//! revision first), each one's pods, each pod's containers with their state; a StatefulSet's or
//! DaemonSet's pods directly. Read once, through the workload's selector.

use super::{Kube, convert, kube_error};
use crate::backend::Error;
use crate::model::action::{Detail, Outcome};
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};

/// A container's line: name, state (with its reason), ready, restarts, image.
fn container_lines(p: &Pod) -> Vec<String> {
    let statuses = p
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.clone())
        .unwrap_or_default();
    let spec = p
        .spec
        .as_ref()
        .map(|s| s.containers.clone())
        .unwrap_or_default();
    spec.iter()
        .map(|c| {
            let st = statuses.iter().find(|s| s.name == c.name);
            let state = st.and_then(|s| s.state.as_ref()).map(|s| {
                if s.running.is_some() {
                    "running".to_string()
                } else if let Some(w) = &s.waiting {
                    format!("waiting: {}", w.reason.as_deref().unwrap_or("-"))
                } else if let Some(t) = &s.terminated {
                    format!("terminated: {}", t.reason.as_deref().unwrap_or("-"))
                } else {
                    "-".to_string()
                }
            });
            let ready = if st.is_some_and(|s| s.ready) {
                "ready"
            } else {
                "not ready"
            };
            let restarts = st.map(|s| s.restart_count).unwrap_or(0);
            crate::sanitize::one_line(&format!(
                "{}  {}  {ready}  ↻{restarts}  {}",
                c.name,
                state.unwrap_or_else(|| "pending".into()),
                c.image.as_deref().unwrap_or("")
            ))
        })
        .collect()
}

fn pod_line(p: &Pod) -> String {
    let (state, _) = convert::pod_state(p);
    let node = p
        .spec
        .as_ref()
        .and_then(|s| s.node_name.clone())
        .unwrap_or_else(|| "-".into());
    crate::sanitize::one_line(&format!(
        "pod/{}  {state}  {node}",
        p.metadata.name.as_deref().unwrap_or("")
    ))
}

/// The lines of a pod and its containers under `indent` (`│  ` or three spaces).
fn pod_branch(out: &mut Vec<String>, indent: &str, p: &Pod, last: bool) {
    let (joint, under) = if last {
        ("└─ ", "   ")
    } else {
        ("├─ ", "│  ")
    };
    out.push(format!("{indent}{joint}{}", pod_line(p)));
    let cs = container_lines(p);
    let n = cs.len();
    for (i, c) in cs.into_iter().enumerate() {
        let j = if i + 1 == n { "└─ " } else { "├─ " };
        out.push(format!("{indent}{under}{j}{c}"));
    }
}

fn owned_by(meta: &kube::api::ObjectMeta, uid: &str) -> bool {
    meta.owner_references
        .as_ref()
        .is_some_and(|o| o.iter().any(|o| o.uid == uid))
}

impl Kube {
    /// The tree of the workload shown as `name`.
    pub(super) async fn tree(&self, name: &str) -> Result<Outcome, Error> {
        let workload = self.workloads().await?.into_iter().find(|w| w.name == name);
        let Some(w) = workload else {
            // Not shown: the Deployment lookup says why, with the closest name.
            return Err(match self.find_deployment(name).await {
                Err(e) => e,
                Ok(_) => Error::engine(name.to_string()),
            });
        };
        let (ns, selector) = self.selector_by_uid(&w.id).await?;
        let lp = ListParams::default().labels(&selector);
        let pods: Api<Pod> = Api::namespaced(self.client(), &ns);
        let mut pods = pods.list(&lp).await.map_err(kube_error)?.items;
        pods.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
        let kind = match w.update.as_ref().map(|u| u.state.as_str()) {
            Some(k @ ("statefulset" | "daemonset")) => k.to_string(),
            _ => "deployment".to_string(),
        };
        let mut out = vec![format!(
            "{kind}/{}  {}/{}",
            crate::sanitize::one_line(name),
            w.running,
            w.desired
        )];
        if kind != "deployment" {
            let n = pods.len();
            for (i, p) in pods.iter().enumerate() {
                pod_branch(&mut out, "", p, i + 1 == n);
            }
        } else {
            let sets: Api<ReplicaSet> = Api::namespaced(self.client(), &ns);
            let mut sets: Vec<(i64, ReplicaSet)> = sets
                .list(&lp)
                .await
                .map_err(kube_error)?
                .items
                .into_iter()
                .filter(|rs| owned_by(&rs.metadata, &w.id))
                .map(|rs| (revision(&rs), rs))
                .collect();
            sets.sort_by_key(|(rev, _)| std::cmp::Reverse(*rev));
            let n = sets.len();
            for (i, (rev, rs)) in sets.iter().enumerate() {
                let last = i + 1 == n;
                let st = rs.status.clone().unwrap_or_default();
                out.push(format!(
                    "{}replicaset/{}  revision {rev}  {}/{}",
                    if last { "└─ " } else { "├─ " },
                    rs.metadata.name.as_deref().unwrap_or(""),
                    st.ready_replicas.unwrap_or(0),
                    rs.spec.replicas.unwrap_or(0)
                ));
                let uid = rs.metadata.uid.clone().unwrap_or_default();
                let mine: Vec<&Pod> = pods
                    .iter()
                    .filter(|p| owned_by(&p.metadata, &uid))
                    .collect();
                let indent = if last { "   " } else { "│  " };
                let m = mine.len();
                for (j, p) in mine.into_iter().enumerate() {
                    pod_branch(&mut out, indent, p, j + 1 == m);
                }
            }
        }
        Ok(Outcome {
            summary: crate::tr!("kube.tree", name = name),
            detail: Some(Detail::Text(out.join("\n"))),
        })
    }
}

fn revision(rs: &ReplicaSet) -> i64 {
    rs.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("deployment.kubernetes.io/revision"))
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}
