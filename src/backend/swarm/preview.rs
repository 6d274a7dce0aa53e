//! What a deploy would change, object by object, in words a student reads before saying yes:
//! `+ service gopenux_cache`, `gopenux_frontend: image a:latest → a:test`, `replicas 2 → 3`.

use super::{Swarm, engine_error};
use crate::backend::Error;
use crate::model::action::ResolveImage;
use crate::stack::NAMESPACE;
use crate::stack::StackSpec;
use crate::stack::compare::service_changes;
use bollard::query_parameters::{ListNetworksOptions, ListServicesOptions};
use serde_json::Value as J;
use std::collections::HashMap;
use tokio::sync::mpsc;

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
            lines.push(format!("+ {} {name}", crate::i18n::text("kind.network")));
        }
        let secrets: Vec<String> = d
            .list_secrets(None)
            .await
            .map_err(engine_error)?
            .into_iter()
            .filter_map(|s| s.spec?.name)
            .collect();
        for name in spec.secrets.keys().filter(|n| !secrets.contains(n)) {
            lines.push(format!("+ {} {name}", crate::i18n::text("kind.secret")));
        }
        let configs: Vec<String> = d
            .list_configs(None)
            .await
            .map_err(engine_error)?
            .into_iter()
            .filter_map(|s| s.spec?.name)
            .collect();
        for name in spec.configs.keys().filter(|n| !configs.contains(n)) {
            lines.push(format!("+ {} {name}", crate::i18n::text("kind.config")));
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
                None => lines.push(format!("+ {} {name}", crate::i18n::text("kind.service"))),
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
                    .map(|name| format!("- {} {name}", crate::i18n::text("kind.service"))),
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
