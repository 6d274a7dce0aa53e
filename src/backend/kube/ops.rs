//! Actions on Kubernetes: scale, image, restart and rollback of Deployments with rollout
//! progress; node labels and cordon; context and namespace. Each change reads the object fresh,
//! changes it and writes it back with its resourceVersion, retrying once on a conflict.

use super::{Kube, convert, kube_error};
use crate::backend::Error;
use crate::model::Availability;
use crate::model::action::{Action, Outcome};
use crate::tr;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{Node as KNode, Pod};
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

fn done(summary: String) -> Result<Outcome, Error> {
    Ok(Outcome {
        summary,
        detail: None,
    })
}

fn is_conflict(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(s) if s.code == 409)
}

impl Kube {
    pub async fn act(
        &self,
        action: &Action,
        progress: &mpsc::Sender<crate::model::action::Progress>,
    ) -> Result<Outcome, Error> {
        match action {
            Action::Scale(pairs) => {
                let mut parts = Vec::new();
                for (name, n) in pairs {
                    let (api, d) = self.find_deployment(name).await?;
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
            Action::Image { service, image, .. } => {
                let (api, d) = self.find_deployment(service).await?;
                let real = d.metadata.name.clone().unwrap_or_default();
                let (container, image) = match image.split_once('=') {
                    Some((c, i)) => (Some(c.to_string()), i.to_string()),
                    None => (None, image.clone()),
                };
                self.update(&api, &real, |d| {
                    let containers = d
                        .spec
                        .template
                        .spec
                        .as_mut()
                        .map(|p| &mut p.containers)
                        .ok_or_else(|| Error::Engine("no pod template".into()))?;
                    let names: Vec<String> = containers.iter().map(|c| c.name.clone()).collect();
                    let target =
                        match (&container, containers.len()) {
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
            Action::Restart(service) => {
                let (api, d) = self.find_deployment(service).await?;
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
            Action::Rollback(service) => {
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
            Action::Label { node, labels } => {
                let map: serde_json::Map<String, serde_json::Value> =
                    labels.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
                self.patch_node(node, json!({ "metadata": { "labels": map } }))
                    .await?;
                let l: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
                done(tr!("done.label", node = node, labels = l.join(" ")))
            }
            Action::Unlabel { node, keys } => {
                let map: serde_json::Map<String, serde_json::Value> =
                    keys.iter().map(|k| (k.clone(), json!(null))).collect();
                self.patch_node(node, json!({ "metadata": { "labels": map } }))
                    .await?;
                done(tr!("done.unlabel", node = node, keys = keys.join(" ")))
            }
            Action::Availability { node, to } => {
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
            Action::Apply(source) => self.apply(source, progress).await,
            Action::CreateObject { secret, name, file } => {
                let key = std::path::Path::new(file)
                    .file_name()
                    .map(|f| f.to_string_lossy().to_string())
                    .unwrap_or_else(|| "data".into());
                let bytes = std::fs::read(file)
                    .map_err(|e| Error::Refused(tr!("err.read_file", file = file, detail = e)))?;
                if *secret {
                    self.create_secret(name, vec![(key, bytes)]).await
                } else {
                    let text = String::from_utf8(bytes)
                        .map_err(|_| Error::Refused(tr!("kube.not_text", file = file)))?;
                    self.create_configmap(name, key, text).await
                }
            }
            Action::KubeSecret {
                name,
                literals,
                files,
            } => {
                let mut data: Vec<(String, Vec<u8>)> = literals
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone().into_bytes()))
                    .collect();
                for f in files {
                    let key = std::path::Path::new(f)
                        .file_name()
                        .map(|n| n.to_string_lossy().to_string())
                        .unwrap_or_else(|| f.clone());
                    let bytes = std::fs::read(f)
                        .map_err(|e| Error::Refused(tr!("err.read_file", file = f, detail = e)))?;
                    data.push((key, bytes));
                }
                self.create_secret(name, data).await
            }
            Action::Delete { kind, name } => self.delete(kind, name).await,
            Action::KubeList(what) => self.table(what).await,
            Action::SecretShow(name) => self.secret_values(name).await,
            Action::Context(name) => {
                self.set_context(name).await?;
                done(tr!("kube.context_now", context = name))
            }
            Action::Namespace(ns) => {
                self.set_namespace(ns.clone()).await?;
                done(tr!(
                    "kube.namespace_now",
                    namespace = ns.clone().unwrap_or_else(|| tr!("kube.all_namespaces"))
                ))
            }
            other => Err(Error::Refused(tr!(
                "kube.not_here",
                command = other.docker_cli()
            ))),
        }
    }

    /// A Deployment by its name as shown (`name`, or `namespace/name` across namespaces).
    async fn find_deployment(&self, name: &str) -> Result<(Api<Deployment>, Deployment), Error> {
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

    /// Fresh read → change → write with its resourceVersion; once more on a conflict.
    async fn update(
        &self,
        api: &Api<Deployment>,
        name: &str,
        change: impl Fn(&mut Deployment) -> Result<(), Error>,
    ) -> Result<(), Error> {
        for attempt in 0..2 {
            let mut d = api.get(name).await.map_err(kube_error)?;
            change(&mut d)?;
            match api.replace(name, &PostParams::default(), &d).await {
                Ok(_) => return Ok(()),
                Err(e) if is_conflict(&e) && attempt == 0 => {
                    tracing::info!(deployment = name, "conflict; reading it again");
                }
                Err(e) => return Err(kube_error(e)),
            }
        }
        Ok(())
    }

    /// The pod template of the revision before the current one, as `kubectl rollout undo`.
    async fn previous_template(
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
    async fn watch_rollout(
        &self,
        api: &Api<Deployment>,
        name: &str,
        progress: &mpsc::Sender<crate::model::action::Progress>,
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
                let _ = progress
                    .send(crate::model::action::Progress::Step(line.clone()))
                    .await;
                last = line;
            }
            if s.observed_generation.unwrap_or(0) >= generation
                && updated == want
                && ready == want
                && total == want
            {
                return Ok(());
            }
            let selector = convert::selector(&d.spec.selector);
            let stuck = pods
                .list(&ListParams::default().labels(&selector))
                .await
                .map_err(kube_error)?
                .items
                .into_iter()
                .find_map(|p| {
                    let (state, why) = convert::pod_state(&p);
                    STUCK.contains(&state.as_str()).then(|| {
                        format!(
                            "{}: {state}{}",
                            p.metadata.name.unwrap_or_default(),
                            why.map(|w| format!(": {w}")).unwrap_or_default()
                        )
                    })
                });
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

    async fn patch_node(&self, node: &str, patch: serde_json::Value) -> Result<(), Error> {
        self.require_cluster_object::<KNode>(node, "kind.node")
            .await?;
        let api: Api<KNode> = Api::all(self.client());
        api.patch(node, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .map_err(kube_error)?;
        Ok(())
    }

    /// Evicts every pod on a node (after cordoning it), as `kubectl drain` does.
    async fn evict_from(
        &self,
        node: &str,
        progress: &mpsc::Sender<crate::model::action::Progress>,
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
                .send(crate::model::action::Progress::Step(tr!(
                    "kube.evicting",
                    pod = name
                )))
                .await;
            let api: Api<Pod> = Api::namespaced(self.client(), &ns);
            api.evict(&name, &Default::default())
                .await
                .map_err(kube_error)?;
            n += 1;
        }
        Ok(n)
    }

    fn namespace_for_new(&self) -> String {
        self.scope()
            .namespace
            .unwrap_or_else(|| "default".to_string())
    }

    async fn create_secret(
        &self,
        name: &str,
        data: Vec<(String, Vec<u8>)>,
    ) -> Result<Outcome, Error> {
        use k8s_openapi::ByteString;
        let ns = self.namespace_for_new();
        let secret = k8s_openapi::api::core::v1::Secret {
            metadata: kube::api::ObjectMeta {
                name: Some(name.to_string()),
                namespace: Some(ns.clone()),
                ..Default::default()
            },
            type_: Some("Opaque".into()),
            data: Some(data.into_iter().map(|(k, v)| (k, ByteString(v))).collect()),
            ..Default::default()
        };
        self.create_new(&ns, &secret, "secret", name).await
    }

    /// Creates an object that must not exist yet in `ns`.
    async fn create_new<K>(
        &self,
        ns: &str,
        obj: &K,
        kind: &str,
        name: &str,
    ) -> Result<Outcome, Error>
    where
        K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>
            + Clone
            + serde::Serialize
            + serde::de::DeserializeOwned
            + std::fmt::Debug,
        <K as kube::Resource>::DynamicType: Default,
    {
        let api: Api<K> = Api::namespaced(self.client(), ns);
        match api.create(&PostParams::default(), obj).await {
            Ok(_) => done(tr!("done.create_object", kind = kind, name = name)),
            Err(e) if is_conflict(&e) => Err(Error::Refused(tr!(
                "kube.exists",
                kind = kind,
                name = name,
                namespace = ns
            ))),
            Err(e) => Err(kube_error(e)),
        }
    }

    async fn create_configmap(
        &self,
        name: &str,
        key: String,
        text: String,
    ) -> Result<Outcome, Error> {
        let ns = self.namespace_for_new();
        let cm = k8s_openapi::api::core::v1::ConfigMap {
            metadata: kube::api::ObjectMeta {
                name: Some(name.to_string()),
                namespace: Some(ns.clone()),
                ..Default::default()
            },
            data: Some([(key, text)].into_iter().collect()),
            ..Default::default()
        };
        self.create_new(&ns, &cm, "configmap", name).await
    }

    /// `delete KIND/NAME` in the current namespace (namespaces and nodes are cluster-wide).
    async fn delete(&self, kind: &str, name: &str) -> Result<Outcome, Error> {
        use kube::api::{DeleteParams, DynamicObject};
        use kube::core::{ApiResource, GroupVersionKind};
        let (group, version, k, namespaced) = match kind {
            "deployment" | "deployments" | "deploy" => ("apps", "v1", "Deployment", true),
            "replicaset" | "replicasets" | "rs" => ("apps", "v1", "ReplicaSet", true),
            "statefulset" | "statefulsets" | "sts" => ("apps", "v1", "StatefulSet", true),
            "daemonset" | "daemonsets" | "ds" => ("apps", "v1", "DaemonSet", true),
            "service" | "services" | "svc" => ("", "v1", "Service", true),
            "secret" | "secrets" => ("", "v1", "Secret", true),
            "configmap" | "configmaps" | "cm" => ("", "v1", "ConfigMap", true),
            "pod" | "pods" | "po" => ("", "v1", "Pod", true),
            "namespace" | "namespaces" | "ns" => ("", "v1", "Namespace", false),
            "job" | "jobs" => ("batch", "v1", "Job", true),
            "ingress" | "ingresses" | "ing" => ("networking.k8s.io", "v1", "Ingress", true),
            _ => return Err(Error::Refused(tr!("kube.unknown_kind", kind = kind))),
        };
        let ar = ApiResource::from_gvk(&GroupVersionKind::gvk(group, version, k));
        let ns = self.namespace_for_new();
        let api: Api<DynamicObject> = if namespaced {
            Api::namespaced_with(self.client(), &ns, &ar)
        } else {
            Api::all_with(self.client(), &ar)
        };
        match api.delete(name, &DeleteParams::default()).await {
            Ok(_) => done(tr!("kube.deleted", kind = k.to_lowercase(), name = name)),
            Err(kube::Error::Api(s)) if s.code == 404 => Err(Error::NotFound {
                kind: "kind.object",
                name: format!("{}/{name}", k.to_lowercase()),
                suggestion: None,
            }),
            Err(e) => Err(kube_error(e)),
        }
    }

    /// `kubectl get services|secrets` as a table: names and types, never secret values.
    async fn table(&self, what: &str) -> Result<Outcome, Error> {
        use k8s_openapi::api::core::v1::{Secret, Service};
        let all = self.all_namespaces();
        let (header, rows): (Vec<String>, Vec<Vec<String>>) = match what {
            "services" => {
                let list = self
                    .api::<Service>()
                    .list(&ListParams::default())
                    .await
                    .map_err(kube_error)?;
                let rows = list
                    .items
                    .iter()
                    .map(|s| {
                        let spec = s.spec.clone().unwrap_or_default();
                        let ports = spec
                            .ports
                            .unwrap_or_default()
                            .iter()
                            .map(|p| {
                                let proto = p.protocol.as_deref().unwrap_or("TCP");
                                match p.node_port {
                                    Some(n) => format!("{}:{n}/{proto}", p.port),
                                    None => format!("{}/{proto}", p.port),
                                }
                            })
                            .collect::<Vec<_>>()
                            .join(",");
                        vec![
                            convert::shown_name(&s.metadata, all),
                            spec.type_.unwrap_or_else(|| "ClusterIP".into()),
                            spec.cluster_ip.unwrap_or_else(|| "-".into()),
                            ports,
                        ]
                    })
                    .collect();
                (
                    vec![
                        tr!("col.name"),
                        tr!("col.type"),
                        "CLUSTER-IP".into(),
                        tr!("col.ports"),
                    ],
                    rows,
                )
            }
            "secrets" => {
                let list = self
                    .api::<Secret>()
                    .list(&ListParams::default())
                    .await
                    .map_err(kube_error)?;
                let rows = list
                    .items
                    .iter()
                    .map(|s| {
                        let keys: Vec<String> = s
                            .data
                            .as_ref()
                            .map(|d| d.keys().cloned().collect())
                            .unwrap_or_default();
                        vec![
                            convert::shown_name(&s.metadata, all),
                            s.type_.clone().unwrap_or_else(|| "Opaque".into()),
                            keys.join(","),
                        ]
                    })
                    .collect();
                (
                    vec![tr!("col.name"), tr!("col.type"), tr!("col.keys")],
                    rows,
                )
            }
            other => return Err(Error::Refused(tr!("kube.unknown_kind", kind = other))),
        };
        let rows: Vec<Vec<String>> = rows
            .into_iter()
            .map(|r| r.iter().map(|c| crate::sanitize::one_line(c)).collect())
            .collect();
        Ok(Outcome {
            summary: tr!("kube.listed", count = rows.len(), what = what),
            detail: Some(crate::model::action::Detail::Table { header, rows }),
        })
    }

    /// A secret's keys and values, decoded, for `secret show NAME`.
    async fn secret_values(&self, name: &str) -> Result<Outcome, Error> {
        let ns = self.namespace_for_new();
        let api: Api<k8s_openapi::api::core::v1::Secret> = Api::namespaced(self.client(), &ns);
        let s = match api.get(name).await {
            Ok(s) => s,
            Err(kube::Error::Api(e)) if e.code == 404 => {
                return Err(Error::NotFound {
                    kind: "kind.secret",
                    name: name.to_string(),
                    suggestion: None,
                });
            }
            Err(e) => return Err(kube_error(e)),
        };
        let lines: Vec<String> = s
            .data
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| match String::from_utf8(v.0.clone()) {
                Ok(t) => format!("{k} = {}", crate::sanitize::one_line(&t)),
                Err(_) => format!("{k} = <{} bytes>", v.0.len()),
            })
            .collect();
        Ok(Outcome {
            summary: tr!("kube.secret_shown", name = name),
            detail: Some(crate::model::action::Detail::Text(lines.join("\n"))),
        })
    }
}
