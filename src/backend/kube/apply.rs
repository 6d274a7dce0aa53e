//! `apply FILE|PRESET`: the manifests of a file (several documents) or of a lab preset, checked
//! whole before anything is sent, then server-side applied with field manager `estiba`,
//! namespaces first.

use super::{Kube, kube_error};
use crate::backend::Error;
use crate::model::action::{Outcome, Progress};
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
        force: bool,
        progress: &mpsc::Sender<Progress>,
    ) -> Result<Outcome, Error> {
        let (manifests, file) = self.manifests(source)?;
        let mut params = PatchParams::apply("estiba");
        if force {
            params = params.force();
        } else {
            // A dry run of every object first: fields another manager owns stop the apply
            // before anything has changed.
            let mut dry = params.clone();
            dry.dry_run = true;
            let mut conflicts = Vec::new();
            for m in &manifests {
                match self
                    .api_for(m)
                    .patch(&m.name, &dry, &Patch::Apply(&m.body))
                    .await
                {
                    Ok(_) => {}
                    Err(kube::Error::Api(s)) if s.code == 409 => {
                        conflicts.extend(conflict_lines(m, &s))
                    }
                    // In a namespace this apply makes: it cannot be tried before that exists.
                    Err(kube::Error::Api(s)) if s.code == 404 && makes_namespace(&manifests, m) => {
                    }
                    Err(e) => return Err(about(m, kube_error(e))),
                }
            }
            if !conflicts.is_empty() {
                return Err(refused_conflicts(&file, conflicts));
            }
        }
        let mut done = Vec::new();
        for m in &manifests {
            let _ = progress
                .send(Progress::Step(tr!("kube.applying", what = m.describe())))
                .await;
            match self
                .api_for(m)
                .patch(&m.name, &params, &Patch::Apply(&m.body))
                .await
            {
                Ok(_) => done.push(m.describe()),
                Err(kube::Error::Api(s)) if s.code == 409 => {
                    return Err(refused_conflicts(&file, conflict_lines(m, &s)));
                }
                Err(e) => return Err(about(m, kube_error(e))),
            }
        }
        Ok(Outcome {
            summary: tr!("kube.applied", count = done.len(), file = file),
            detail: Some(crate::model::action::Detail::Text(done.join("\n"))),
        })
    }

    /// The manifests of a file, of a folder's `.yaml`, `.yml` and `.json` files (in name order,
    /// as kubectl takes a folder), or of a lab preset; namespaces first.
    fn manifests(&self, source: &str) -> Result<(Vec<Manifest>, String), Error> {
        let default_ns = self.namespace_for_new();
        let path = std::path::Path::new(source);
        let read = |p: &std::path::Path| {
            std::fs::read_to_string(p)
                .map_err(|e| Error::Refused(tr!("err.read_file", file = p.display(), detail = e)))
        };
        if let Some(t) = crate::presets::manifests(source).filter(|_| !path.exists()) {
            let file = format!("{source}/manifests.yaml");
            return Ok((parse(t, &file, &default_ns)?, file));
        }
        if !path.is_dir() {
            return Ok((
                parse(&read(path)?, source, &default_ns)?,
                source.to_string(),
            ));
        }
        let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(path)
            .map_err(|e| Error::Refused(tr!("err.read_file", file = source, detail = e)))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && p.extension()
                        .is_some_and(|x| ["yaml", "yml", "json"].contains(&&*x.to_string_lossy()))
            })
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(Error::Refused(tr!("kube.no_manifests", file = source)));
        }
        let mut all = Vec::new();
        for f in &files {
            all.extend(parse(&read(f)?, &f.display().to_string(), &default_ns)?);
        }
        all.sort_by_key(|m| m.gvk.2 != "Namespace");
        Ok((all, source.to_string()))
    }

    /// `apply --dry-run` (kubectl diff): each object as the server would make it, beside the
    /// live one, as a diff of their YAML; new objects whole; nothing changes.
    pub(super) async fn apply_preview(&self, source: &str, force: bool) -> Result<Outcome, Error> {
        let (manifests, file) = self.manifests(source)?;
        let mut dry = PatchParams::apply("estiba");
        dry.dry_run = true;
        if force {
            dry = dry.force();
        }
        let (mut text, mut counts) = (Vec::new(), [0usize; 3]);
        for m in &manifests {
            let api = self.api_for(m);
            let live = api
                .get_opt(&m.name)
                .await
                .map_err(|e| about(m, kube_error(e)))?;
            let after = match api.patch(&m.name, &dry, &Patch::Apply(&m.body)).await {
                Ok(o) => Some(o),
                // In a namespace this apply makes: all of it is new.
                Err(kube::Error::Api(s)) if s.code == 404 && makes_namespace(&manifests, m) => None,
                Err(kube::Error::Api(s)) if s.code == 409 => {
                    return Err(refused_conflicts(&file, conflict_lines(m, &s)));
                }
                Err(e) => return Err(about(m, kube_error(e))),
            };
            let after = match after {
                Some(a) => shown_yaml(&a),
                None => shown_yaml_value(&m.body),
            };
            let before = live.as_ref().map(shown_yaml);
            let (lines, at) = super::diff::lines(&m.describe(), before.as_deref(), &after);
            counts[at] += 1;
            text.extend(lines);
        }
        let [create, change, same] = counts;
        Ok(Outcome {
            summary: tr!(
                "kube.preview",
                create = create,
                change = change,
                same = same
            ),
            detail: Some(crate::model::action::Detail::Text(text.join("\n"))),
        })
    }

    fn api_for(&self, m: &Manifest) -> Api<DynamicObject> {
        let gvk = GroupVersionKind::gvk(&m.gvk.0, &m.gvk.1, &m.gvk.2);
        let ar = ApiResource::from_gvk(&gvk);
        match &m.namespace {
            Some(ns) => Api::namespaced_with(self.client(), ns, &ar),
            None => Api::all_with(self.client(), &ar),
        }
    }
}

/// An object as YAML, without what kubectl diff leaves out (managedFields).
pub(super) fn shown_yaml(o: &DynamicObject) -> String {
    shown_yaml_value(&serde_json::to_value(o).unwrap_or_default())
}

pub(super) fn shown_yaml_value(v: &serde_json::Value) -> String {
    let mut v = v.clone();
    if let Some(m) = v["metadata"].as_object_mut() {
        m.remove("managedFields");
    }
    serde_norway::to_string(&v).unwrap_or_default()
}

/// The refusal of an apply whose fields another manager owns, one line per field.
fn refused_conflicts(file: &str, lines: Vec<String>) -> Error {
    Error::Refused(tr!(
        "kube.apply_conflicts",
        file = file,
        conflicts = lines.join("\n")
    ))
}

/// An error about one object, naming it.
fn about(m: &Manifest, e: Error) -> Error {
    match e {
        Error::Engine {
            cause,
            object: None,
        } => Error::engine(format!("{}: {cause}", m.describe())),
        other => other,
    }
}

/// Whether the manifests make the namespace `m` goes in.
fn makes_namespace(all: &[Manifest], m: &Manifest) -> bool {
    all.iter()
        .any(|n| n.gvk.2 == "Namespace" && Some(&n.name) == m.namespace.as_ref())
}

/// One line per field another manager owns: the object, the field and the manager, from the
/// server's conflict status (`conflict with "kubectl-scale" using apps/v1` on `.spec.replicas`).
fn conflict_lines(m: &Manifest, s: &kube::core::Status) -> Vec<String> {
    let causes = s
        .details
        .as_ref()
        .map(|d| d.causes.clone())
        .unwrap_or_default();
    let lines: Vec<String> = causes
        .iter()
        .map(|c| {
            let manager = c
                .message
                .split('"')
                .nth(1)
                .unwrap_or(c.message.as_str())
                .to_string();
            tr!(
                "kube.conflict_line",
                what = m.describe(),
                field = crate::sanitize::one_line(&c.field),
                manager = crate::sanitize::one_line(&manager)
            )
        })
        .collect();
    if lines.is_empty() {
        vec![format!(
            "  {}: {}",
            m.describe(),
            crate::sanitize::one_line(&s.message)
        )]
    } else {
        lines
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
            let m = parse(crate::presets::manifests(p).unwrap(), p, "default").unwrap();
            assert!(m.len() >= 4, "{p}");
        }
    }
}
