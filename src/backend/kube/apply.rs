//! `apply FILE|PRESET`: the manifests of a file (several documents) or of a lab preset, checked
//! whole before anything is sent, then server-side applied with field manager `estiba`,
//! namespaces first.

use super::{Kube, kube_error};
use crate::backend::Error;
use crate::model::action::Outcome;
use crate::tr;
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use kube::core::{ApiResource, GroupVersionKind};
use tokio::sync::mpsc;

/// Kinds that live outside namespaces.
const CLUSTER_KINDS: [&str; 8] = [
    "Namespace",
    "Node",
    "PersistentVolume",
    "StorageClass",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "IngressClass",
];

/// One document to apply.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    pub gvk: (String, String, String),
    pub name: String,
    pub namespace: Option<String>,
    pub body: serde_json::Value,
}

impl Manifest {
    pub fn describe(&self) -> String {
        let kind = self.gvk.2.to_lowercase();
        match &self.namespace {
            Some(ns) => format!("{kind}/{} ({ns})", self.name),
            None => format!("{kind}/{}", self.name),
        }
    }
}

/// Reads the documents of `text` (named `file` in errors): each needs apiVersion, kind and
/// metadata.name. Namespaced kinds without a namespace get `default_ns`.
pub fn parse(text: &str, file: &str, default_ns: &str) -> Result<Vec<Manifest>, Error> {
    use serde::Deserialize;
    let mut out = Vec::new();
    for (i, doc) in serde_norway::Deserializer::from_str(text).enumerate() {
        let v = serde_json::Value::deserialize(doc).map_err(|e| {
            let at = e
                .location()
                .map(|l| format!("{file}:{}:{}", l.line(), l.column()))
                .unwrap_or_else(|| file.to_string());
            Error::Refused(tr!("kube.bad_manifest", at = at, detail = e.to_string()))
        })?;
        if v.is_null() {
            continue;
        }
        let field = |path: &str| -> Result<String, Error> {
            let mut cur = &v;
            for p in path.split('.') {
                cur = &cur[p];
            }
            cur.as_str().map(str::to_string).ok_or_else(|| {
                Error::Refused(tr!(
                    "kube.manifest_missing",
                    file = file,
                    doc = i + 1,
                    field = path
                ))
            })
        };
        let api_version = field("apiVersion")?;
        let kind = field("kind")?;
        let name = field("metadata.name")?;
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), api_version.clone()),
        };
        let namespace = if CLUSTER_KINDS.contains(&kind.as_str()) {
            None
        } else {
            Some(
                v["metadata"]["namespace"]
                    .as_str()
                    .unwrap_or(default_ns)
                    .to_string(),
            )
        };
        out.push(Manifest {
            gvk: (group, version, kind),
            name,
            namespace,
            body: v,
        });
    }
    if out.is_empty() {
        return Err(Error::Refused(tr!("kube.no_manifests", file = file)));
    }
    // Namespaces first, so what goes in them finds them.
    out.sort_by_key(|m| m.gvk.2 != "Namespace");
    Ok(out)
}

impl Kube {
    pub(super) async fn apply(
        &self,
        source: &str,
        progress: &mpsc::Sender<crate::model::action::Progress>,
    ) -> Result<Outcome, Error> {
        let (text, file) = match crate::lab::manifests(source) {
            Some(t) if !std::path::Path::new(source).exists() => {
                (t.to_string(), format!("{source}/manifests.yaml"))
            }
            _ => (
                std::fs::read_to_string(source)
                    .map_err(|e| Error::Refused(tr!("err.read_file", file = source, detail = e)))?,
                source.to_string(),
            ),
        };
        let default_ns = self
            .scope()
            .namespace
            .unwrap_or_else(|| "default".to_string());
        let manifests = parse(&text, &file, &default_ns)?;
        let params = PatchParams::apply("estiba").force();
        let mut done = Vec::new();
        for m in &manifests {
            let gvk = GroupVersionKind::gvk(&m.gvk.0, &m.gvk.1, &m.gvk.2);
            let ar = ApiResource::from_gvk(&gvk);
            let api: Api<DynamicObject> = match &m.namespace {
                Some(ns) => Api::namespaced_with(self.client(), ns, &ar),
                None => Api::all_with(self.client(), &ar),
            };
            let _ = progress
                .send(crate::model::action::Progress::Step(tr!(
                    "kube.applying",
                    what = m.describe()
                )))
                .await;
            api.patch(&m.name, &params, &Patch::Apply(&m.body))
                .await
                .map_err(|e| match kube_error(e) {
                    Error::Engine(msg) => Error::Engine(format!("{}: {msg}", m.describe())),
                    other => other,
                })?;
            done.push(m.describe());
        }
        Ok(Outcome {
            summary: tr!("kube.applied", count = done.len(), file = file),
            detail: Some(crate::model::action::Detail::Text(done.join("\n"))),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_get_their_namespace_and_namespaces_go_first() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n---\n\
                    apiVersion: v1\nkind: Namespace\nmetadata: {name: lab}\n---\n";
        let m = parse(text, "m.yaml", "default").unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].describe(), "namespace/lab");
        assert_eq!(m[1].describe(), "deployment/web (default)");
        assert_eq!(m[1].gvk, ("apps".into(), "v1".into(), "Deployment".into()));
    }

    #[test]
    fn bad_documents_say_where() {
        let e = parse("kind: Service\nmetadata: {name: x}\n", "m.yaml", "default").unwrap_err();
        assert!(
            e.to_string().contains("apiVersion") && e.to_string().contains("m.yaml"),
            "{e}"
        );
        let e = parse("apiVersion: v1\nkind: [\n", "m.yaml", "default").unwrap_err();
        assert!(e.to_string().contains("m.yaml:"), "{e}");
        assert!(parse("", "m.yaml", "default").is_err());
    }

    #[test]
    fn the_presets_manifests_parse() {
        for p in ["practica-k8s", "desafio-final"] {
            let m = parse(crate::lab::manifests(p).unwrap(), p, "default").unwrap();
            assert!(m.len() >= 4, "{p}");
        }
    }
}
