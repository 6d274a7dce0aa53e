//! What a deploy would change, object by object, in words a student reads before saying yes:
//! `+ service gopenux_cache`, `gopenux_frontend: image a:latest → a:test`, `replicas 2 → 3`.

use super::deploy::first_difference;
use super::{Swarm, engine_error};
use crate::backend::Error;
use crate::model::action::ResolveImage;
use crate::model::reference;
use crate::stack::StackSpec;
use crate::stack::NAMESPACE;
use crate::tr;
use bollard::query_parameters::{ListNetworksOptions, ListServicesOptions};
use serde_json::Value as J;
use std::collections::HashMap;
use tokio::sync::mpsc;

fn short(v: &J) -> String {
    match v {
        J::Null => "—".into(),
        J::String(s) => s.clone(),
        J::Array(a) if a.iter().all(J::is_string) => {
            a.iter().filter_map(J::as_str).collect::<Vec<_>>().join(" ")
        }
        other => other.to_string(),
    }
}

/// The changes to one service, in the fields students change most, then any other key paths.
pub fn service_changes(live: &J, want: &J) -> Vec<String> {
    let mut out = Vec::new();
    let fields: [(&str, &[&str]); 6] = [
        ("image", &["TaskTemplate", "ContainerSpec", "Image"]),
        ("replicas", &["Mode", "Replicated", "Replicas"]),
        ("command", &["TaskTemplate", "ContainerSpec", "Args"]),
        ("environment", &["TaskTemplate", "ContainerSpec", "Env"]),
        ("ports", &["EndpointSpec", "Ports"]),
        ("constraints", &["TaskTemplate", "Placement", "Constraints"]),
    ];
    let at = |v: &J, path: &[&str]| {
        path.iter()
            .fold(v.clone(), |acc, k| acc.get(*k).cloned().unwrap_or(J::Null))
    };
    for (label, path) in fields {
        let (a, b) = (at(live, path), at(want, path));
        if !b.is_null() && !super::deploy::covers(&a, &b) {
            if label == "image" {
                out.push(image_change(&short(&a), &short(&b)));
                continue;
            }
            let (a, b) = if label == "ports" {
                let show = |v: &J| {
                    v.as_array()
                        .map(|ps| {
                            ps.iter()
                                .map(|p| format!("{}:{}", p["PublishedPort"], p["TargetPort"]))
                                .collect::<Vec<_>>()
                                .join(",")
                        })
                        .unwrap_or_default()
                };
                (show(&a), show(&b))
            } else {
                (short(&a), short(&b))
            };
            out.push(format!("{label} {a} → {b}"));
        }
    }
    let mut rest = live.clone();
    let mut want_rest = want.clone();
    for (_, path) in fields {
        for v in [&mut rest, &mut want_rest] {
            let mut cur = v;
            for (i, k) in path.iter().enumerate() {
                if i + 1 == path.len() {
                    if let Some(o) = cur.as_object_mut() {
                        o.remove(*k);
                    }
                    break;
                }
                match cur.get_mut(*k) {
                    Some(next) => cur = next,
                    None => break,
                }
            }
        }
    }
    // The stack image label and the image's platforms follow the image; they are not news of
    // their own.
    if let Some(l) = want_rest.get_mut("Labels").and_then(J::as_object_mut) {
        l.remove("com.docker.stack.image");
    }
    for v in [&mut rest, &mut want_rest] {
        if let Some(p) = v["TaskTemplate"]["Placement"].as_object_mut() {
            p.remove("Platforms");
        }
    }
    if let Some(p) = first_difference(&rest, &want_rest, "") {
        out.push(tr!("preview.other", path = p));
    }
    out
}

/// An image change as a student reads it: the tags when they differ
/// (`a:latest → a:test`), the digests when only they do (`a:latest (sha256:ab12… → sha256:cd34…)`).
fn image_change(live: &str, want: &str) -> String {
    let (from, to) = (reference::strip_digest(live), reference::strip_digest(want));
    if from != to {
        return format!("image {from} → {to}");
    }
    let digest = |image: &str| match reference::digest(image) {
        Some(d) => {
            let (algo, hex) = d.split_once(':').unwrap_or(("", d));
            format!("{algo}:{}…", hex.get(..12).unwrap_or(hex))
        }
        None => tr!("preview.unpinned"),
    };
    format!("image {to} ({} → {})", digest(live), digest(want))
}

impl Swarm {
    pub async fn preview(
        &self,
        spec: &StackSpec,
        prune: bool,
        resolve: ResolveImage,
        progress: &mpsc::Sender<crate::model::action::Progress>,
    ) -> Result<Vec<String>, Error> {
        let d = self.docker();
        let mut lines = Vec::new();
        let networks = d
            .list_networks(None::<ListNetworksOptions>)
            .await
            .map_err(engine_error)?;
        let net_ids: HashMap<String, String> = networks
            .iter()
            .filter_map(|n| Some((n.name.clone()?, n.id.clone()?)))
            .collect();
        for name in spec.networks.keys().filter(|n| !net_ids.contains_key(*n)) {
            lines.push(format!("+ network {name}"));
        }
        let secrets: Vec<String> = d
            .list_secrets(None)
            .await
            .map_err(engine_error)?
            .into_iter()
            .filter_map(|s| s.spec?.name)
            .collect();
        for name in spec.secrets.keys().filter(|n| !secrets.contains(n)) {
            lines.push(format!("+ secret {name}"));
        }
        let configs: Vec<String> = d
            .list_configs(None)
            .await
            .map_err(engine_error)?
            .into_iter()
            .filter_map(|s| s.spec?.name)
            .collect();
        for name in spec.configs.keys().filter(|n| !configs.contains(n)) {
            lines.push(format!("+ config {name}"));
        }
        let filters = HashMap::from([(
            "label".to_string(),
            vec![format!("{NAMESPACE}={}", spec.name)],
        )]);
        let existing = d
            .list_services(Some(ListServicesOptions {
                filters: Some(filters),
                ..Default::default()
            }))
            .await
            .map_err(engine_error)?;
        // Pinned as the deploy will pin them, so that a tag pushed again shows as a change.
        let mut spec = spec.clone();
        self.pin_images(&mut spec, &existing, resolve, progress)
            .await;
        for want in spec.services.values() {
            let name = want["Name"].as_str().unwrap_or_default();
            let mut want = want.clone();
            if let Some(nets) = want["TaskTemplate"]["Networks"].as_array_mut() {
                for n in nets {
                    if let Some(id) = n["Target"].as_str().and_then(|t| net_ids.get(t)) {
                        n["Target"] = J::String(id.clone());
                    }
                }
            }
            // IDs are filled in at deploy time; they are not changes.
            strip_ids(&mut want);
            match existing
                .iter()
                .find(|s| s.spec.as_ref().and_then(|sp| sp.name.as_deref()) == Some(name))
            {
                None => lines.push(format!("+ service {name}")),
                Some(svc) => {
                    let mut live = serde_json::to_value(svc.spec.clone().unwrap_or_default())
                        .unwrap_or(J::Null);
                    if want["TaskTemplate"]["ContainerSpec"]
                        .get("HealthCheck")
                        .is_some()
                        && let Some(raw) = self
                            .raw_service_spec(svc.id.as_deref().unwrap_or_default())
                            .await
                    {
                        live["TaskTemplate"]["ContainerSpec"]["HealthCheck"] =
                            raw["TaskTemplate"]["ContainerSpec"]["Healthcheck"].clone();
                    }
                    strip_ids(&mut live);
                    for change in service_changes(&live, &want) {
                        lines.push(format!("~ {name}: {change}"));
                    }
                }
            }
        }
        if prune {
            lines.extend(
                super::deploy::not_in_file(&spec, &existing)
                    .into_iter()
                    .map(|name| format!("- service {name}")),
            );
        }
        Ok(lines)
    }
}

fn strip_ids(v: &mut J) {
    for (field, id) in [("Secrets", "SecretID"), ("Configs", "ConfigID")] {
        if let Some(refs) = v["TaskTemplate"]["ContainerSpec"][field].as_array_mut() {
            for r in refs {
                if let Some(o) = r.as_object_mut() {
                    o.remove(id);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::service_changes;
    use serde_json::json;

    #[test]
    fn changes_read_like_a_student_would_say_them() {
        let live = json!({"Mode": {"Replicated": {"Replicas": 2}}, "TaskTemplate": {"ContainerSpec": {"Image": "frontend-semana-3:latest"}}, "Labels": {"com.docker.stack.image": "frontend-semana-3:latest"}});
        let want = json!({"Mode": {"Replicated": {"Replicas": 3}}, "TaskTemplate": {"ContainerSpec": {"Image": "frontend-semana-3:test"}}, "Labels": {"com.docker.stack.image": "frontend-semana-3:test"}});
        assert_eq!(
            service_changes(&live, &want),
            [
                "image frontend-semana-3:latest → frontend-semana-3:test",
                "replicas 2 → 3"
            ]
        );
        assert!(service_changes(&live, &live).is_empty());
    }

    #[test]
    fn a_tag_pushed_again_reads_as_a_digest_change() {
        let a = format!("frontend-semana-3:latest@sha256:ab12{}", "0".repeat(60));
        let b = format!("frontend-semana-3:latest@sha256:cd34{}", "1".repeat(60));
        assert_eq!(
            super::image_change(&a, &b),
            "image frontend-semana-3:latest (sha256:ab1200000000… → sha256:cd3411111111…)"
        );
        assert_eq!(
            super::image_change(&a, "frontend-semana-3:test"),
            "image frontend-semana-3:latest → frontend-semana-3:test"
        );
    }
}
