//! Nodes: labels, cordon, uncordon and drain (evicting every pod, as `kubectl drain` does).

use super::ops::done;
use super::{Kube, kube_error};
use crate::backend::Error;
use crate::model::Availability;
use crate::model::action::{Outcome, Progress};
use crate::tr;
use k8s_openapi::api::core::v1::{Node as KNode, Pod};
use kube::api::{Api, ListParams, Patch, PatchParams};
use serde_json::json;
use tokio::sync::mpsc;

impl Kube {
    pub(super) async fn label(
        &self,
        node: &str,
        labels: &[(String, String)],
    ) -> Result<Outcome, Error> {
        let map: serde_json::Map<String, serde_json::Value> =
            labels.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
        self.patch_node(node, json!({ "metadata": { "labels": map } }))
            .await?;
        let l: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
        done(tr!("done.label", node = node, labels = l.join(" ")))
    }

    pub(super) async fn unlabel(&self, node: &str, keys: &[String]) -> Result<Outcome, Error> {
        let map: serde_json::Map<String, serde_json::Value> =
            keys.iter().map(|k| (k.clone(), json!(null))).collect();
        self.patch_node(node, json!({ "metadata": { "labels": map } }))
            .await?;
        done(tr!("done.unlabel", node = node, keys = keys.join(" ")))
    }

    pub(super) async fn set_availability(
        &self,
        node: &str,
        to: &Availability,
        progress: &mpsc::Sender<Progress>,
    ) -> Result<Outcome, Error> {
        let cordon = *to != Availability::Active;
        self.patch_node(node, json!({ "spec": { "unschedulable": cordon } }))
            .await?;
        if *to == Availability::Drain {
            let evicted = self.evict_from(node, progress).await?;
            return done(tr!("kube.drained", node = node, count = evicted));
        }
        done(if cordon {
            tr!("kube.cordoned", node = node)
        } else {
            tr!("kube.uncordoned", node = node)
        })
    }

    pub(super) async fn patch_node(
        &self,
        node: &str,
        patch: serde_json::Value,
    ) -> Result<(), Error> {
        self.require_cluster_object::<KNode>(node, "kind.node")
            .await?;
        let api: Api<KNode> = Api::all(self.client());
        api.patch(node, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .map_err(kube_error)?;
        Ok(())
    }

    /// Evicts every pod on a node (after cordoning it), as `kubectl drain` does.
    pub(super) async fn evict_from(
        &self,
        node: &str,
        progress: &mpsc::Sender<Progress>,
    ) -> Result<usize, Error> {
        let api: Api<Pod> = Api::all(self.client());
        let pods = api
            .list(&ListParams::default().fields(&format!("spec.nodeName={node}")))
            .await
            .map_err(kube_error)?
            .items;
        let mut n = 0;
        for p in pods {
            let (Some(name), Some(ns)) = (p.metadata.name, p.metadata.namespace) else {
                continue;
            };
            let _ = progress
                .send(Progress::Step(tr!("kube.evicting", pod = name)))
                .await;
            let api: Api<Pod> = Api::namespaced(self.client(), &ns);
            match api.evict(&name, &Default::default()).await {
                Ok(_) => n += 1,
                // A PodDisruptionBudget that allows no more disruptions: the server says 429.
                // The node stays cordoned; what was evicted stays evicted, as with kubectl.
                Err(kube::Error::Api(s)) if s.code == 429 => {
                    return Err(Error::Refused(tr!(
                        "kube.drain_blocked",
                        node = node,
                        pod = format!("{ns}/{name}"),
                        count = n,
                        reason = crate::sanitize::one_line(&s.message)
                    )));
                }
                Err(e) => return Err(kube_error(e)),
            }
        }
        Ok(n)
    }
}
