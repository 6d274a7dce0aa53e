//! Secrets, ConfigMaps, listings, `delete` and `secret show`.

use super::ops::{done, is_conflict};
use super::{Kube, convert, kube_error};
use crate::backend::Error;
use crate::model::action::{Detail, Outcome};
use crate::model::kube::KubeKind;
use crate::model::listing::{Listing, ViewKind};
use crate::tr;
use kube::api::{Api, ListParams, PostParams};

impl Kube {
    /// `kubectl create secret generic NAME --from-file F` / `kubectl create configmap …`.
    pub(super) async fn create_object(
        &self,
        secret: bool,
        name: &str,
        file: &str,
    ) -> Result<Outcome, Error> {
        let key = std::path::Path::new(file)
            .file_name()
            .map(|f| f.to_string_lossy().to_string())
            .unwrap_or_else(|| "data".into());
        let bytes = std::fs::read(file)
            .map_err(|e| Error::Refused(tr!("err.read_file", file = file, detail = e)))?;
        if secret {
            self.create_secret(name, vec![(key, bytes)]).await
        } else {
            let text = String::from_utf8(bytes)
                .map_err(|_| Error::Refused(tr!("kube.not_text", file = file)))?;
            self.create_configmap(name, key, text).await
        }
    }

    /// `kubectl create secret generic NAME --from-literal k=v --from-file F`.
    pub(super) async fn kube_secret(
        &self,
        name: &str,
        literals: &[(String, String)],
        files: &[String],
    ) -> Result<Outcome, Error> {
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

    /// Where a new object goes, and where a bare name is looked for: the namespace looked
    /// at, the first of several, else `default`.
    pub(super) fn namespace_for_new(&self) -> String {
        let scope = self.scope();
        match (scope.single(), scope.several()) {
            (Some(ns), _) => ns.to_string(),
            (None, Some(list)) => list[0].clone(),
            (None, None) => "default".to_string(),
        }
    }

    pub(super) async fn create_secret(
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
    pub(super) async fn create_new<K>(
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

    pub(super) async fn create_configmap(
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

    /// `services` or `secrets` as a table (the commands of before the views).
    pub(super) async fn table(&self, what: KubeKind) -> Result<Outcome, Error> {
        let kind = match what {
            KubeKind::Service => ViewKind::Networks,
            KubeKind::Secret => ViewKind::Secrets,
            other => {
                return Err(Error::Refused(tr!(
                    "kube.unknown_kind",
                    kind = other.word()
                )));
            }
        };
        let l = self.listing(kind).await?;
        Ok(Outcome {
            summary: tr!("kube.listed", count = l.rows.len(), what = what.plural()),
            detail: Some(Detail::Table {
                header: crate::columns::listing_headers(&l),
                rows: l.rows,
            }),
        })
    }

    /// The views' lists on Kubernetes: Services, Namespaces, Secrets (names, types and keys,
    /// never values) and ConfigMaps.
    pub async fn listing(&self, kind: ViewKind) -> Result<Listing, Error> {
        use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret, Service};
        let all = self.all_namespaces();
        let now = crate::time::now();
        let age = |m: &kube::api::ObjectMeta| {
            m.creation_timestamp
                .as_ref()
                .map(|t| crate::time::age(t.0.as_second(), now))
                .unwrap_or_default()
        };
        let (columns, rows): (Vec<&'static str>, Vec<Vec<String>>) = match kind {
            ViewKind::Networks => {
                let list = self
                    .api::<Service>()
                    .list(&ListParams::default())
                    .await
                    .map_err(kube_error)?;
                let rows = list.items.iter().map(|s| service_row(s, all)).collect();
                (vec!["name", "type", "cluster_ip", "ports"], rows)
            }
            ViewKind::Secrets => {
                let list = self
                    .api::<Secret>()
                    .list(&ListParams::default())
                    .await
                    .map_err(kube_error)?;
                let rows = list
                    .items
                    .iter()
                    .map(|s| {
                        let keys = keys_of(s.data.as_ref());
                        vec![
                            convert::shown_name(&s.metadata, all),
                            s.type_.clone().unwrap_or_else(|| "Opaque".into()),
                            keys.join(","),
                        ]
                    })
                    .collect();
                (vec!["name", "type", "keys"], rows)
            }
            ViewKind::Configs => {
                let list = self
                    .api::<ConfigMap>()
                    .list(&ListParams::default())
                    .await
                    .map_err(kube_error)?;
                let rows = list
                    .items
                    .iter()
                    .map(|c| {
                        let keys = keys_of(c.data.as_ref());
                        vec![
                            convert::shown_name(&c.metadata, all),
                            keys.join(","),
                            age(&c.metadata),
                        ]
                    })
                    .collect();
                (vec!["name", "keys", "age"], rows)
            }
            // Followed as a stream (`events`), not listed.
            ViewKind::Events => (crate::model::events::COLUMNS.to_vec(), vec![]),
            // A kind's table is followed from its watch (`Backend::follow_table`).
            ViewKind::Resource => (vec!["name"], vec![]),
            ViewKind::Volumes => {
                let api: Api<Namespace> = Api::all(self.client());
                let list = api.list(&ListParams::default()).await.map_err(kube_error)?;
                let rows = list
                    .items
                    .iter()
                    .map(|n| {
                        vec![
                            n.metadata.name.clone().unwrap_or_default(),
                            n.status
                                .as_ref()
                                .and_then(|s| s.phase.clone())
                                .unwrap_or_default(),
                            age(&n.metadata),
                        ]
                    })
                    .collect();
                (vec!["name", "status", "age"], rows)
            }
        };
        // Several namespaces: rows (`ns/name`) of the others are left out.
        let scope = self.scope();
        let held = |r: &Vec<String>| {
            kind == ViewKind::Volumes
                || scope.holds(r.first().and_then(|n| n.split_once('/')).map(|(ns, _)| ns))
        };
        let rows = rows
            .into_iter()
            .filter(held)
            .map(|r| r.iter().map(|c| crate::sanitize::one_line(c)).collect())
            .collect();
        Ok(Listing {
            kind,
            titles: Vec::new(),
            resource: None,
            columns,
            rows,
        })
    }

    /// A secret's keys and values, decoded, for `secret show NAME`.
    pub(super) async fn secret_values(&self, name: &str) -> Result<Outcome, Error> {
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
            detail: Some(Detail::Text(lines.join("\n"))),
        })
    }
}

/// The keys of a Secret's or ConfigMap's data (never the values).
fn keys_of<V>(data: Option<&std::collections::BTreeMap<String, V>>) -> Vec<String> {
    data.map(|d| d.keys().cloned().collect())
        .unwrap_or_default()
}

/// A Service's row: name, type, cluster IP, ports (`8000:30080/TCP` for a NodePort).
fn service_row(s: &k8s_openapi::api::core::v1::Service, all: bool) -> Vec<String> {
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
}
