//! `docker stack deploy`, natively: networks, secrets and configs first, then each service
//! created, or updated with its current version when its spec changed; `--prune` removes the
//! stack's services that are no longer in the file. Everything was checked before the first call.

use super::{Swarm, engine_error};
use crate::backend::Error;
use crate::model::action::{Outcome, ResolveImage};
use crate::model::reference;
use crate::stack::NAMESPACE;
use crate::stack::StackSpec;
use crate::stack::compare::{covers, first_difference};
use crate::tr;
use base64::Engine as _;
use bollard::query_parameters::{ListNetworksOptions, ListServicesOptions, UpdateServiceOptions};
use serde_json::Value as J;
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::mpsc;

/// How a deploy goes: `--prune`, `--detach`, `--resolve-image`, `--timeout`.
#[derive(Debug, Clone, Copy)]
pub struct How {
    pub prune: bool,
    pub detach: bool,
    pub resolve: ResolveImage,
    pub timeout: Duration,
}

/// What a deploy did to one service.
enum Change {
    Created,
    Updated,
    Unchanged,
}

/// The names a service's spec gives its networks, secrets and configs (and a credential spec's
/// config) turned into the IDs the engine keeps.
fn to_ids(
    want: &mut J,
    net_ids: &HashMap<String, String>,
    secret_ids: &HashMap<String, String>,
    config_ids: &HashMap<String, String>,
) -> Result<(), Error> {
    // Names to the IDs the engine keeps.
    if let Some(nets) = want["TaskTemplate"]["Networks"].as_array_mut() {
        for n in nets {
            if let Some(id) = n["Target"].as_str().and_then(|t| net_ids.get(t)) {
                n["Target"] = J::String(id.clone());
            }
        }
    }
    for (field, id_field, ids) in [
        ("Secrets", "SecretID", &secret_ids),
        ("Configs", "ConfigID", &config_ids),
    ] {
        let name_field = if field == "Secrets" {
            "SecretName"
        } else {
            "ConfigName"
        };
        if let Some(refs) = want["TaskTemplate"]["ContainerSpec"][field].as_array_mut() {
            for r in refs {
                let n = r[name_field].as_str().unwrap_or_default().to_string();
                let id = ids
                    .get(&n)
                    .cloned()
                    .ok_or_else(|| Error::Refused(tr!("deploy.object_missing", name = n)))?;
                r[id_field] = J::String(id);
            }
        }
    }
    // A credential spec names its config by ID.
    let cred = &mut want["TaskTemplate"]["ContainerSpec"]["Privileges"]["CredentialSpec"];
    if let Some(id) = cred["Config"].as_str().and_then(|n| config_ids.get(n)) {
        cred["Config"] = J::String(id.clone());
    }
    Ok(())
}

/// The label that keeps a service's image as the file wrote it.
const IMAGE_LABEL: &str = "com.docker.stack.image";

/// The docker client's warning when an image's digest cannot be had (its exact words).
fn digest_warning(image: &str) -> String {
    format!(
        "image {image} could not be accessed on a registry to record\nits digest. Each node will access {image} independently,\npossibly leading to different nodes running different\nversions of the image."
    )
}

pub(super) fn filters(k: &str, v: &str) -> HashMap<String, Vec<String>> {
    HashMap::from([(k.to_string(), vec![v.to_string()])])
}

/// The stack's running services that the file no longer has: what `--prune` removes.
pub fn not_in_file(spec: &StackSpec, existing: &[bollard::models::Service]) -> Vec<String> {
    let keep: Vec<&str> = spec
        .services
        .values()
        .filter_map(|s| s["Name"].as_str())
        .collect();
    existing
        .iter()
        .filter_map(|svc| svc.spec.as_ref().and_then(|s| s.name.clone()))
        .filter(|name| !keep.contains(&name.as_str()))
        .collect()
}

impl Swarm {
    /// The image each service will run, as the docker client makes it before it sends the spec:
    /// tagged (`redis` → `redis:latest`), and per `--resolve-image` pinned to the digest the
    /// registry has for it (`redis:latest@sha256:…`) with the platforms it was built for. An image
    /// no registry knows stays unpinned, with the client's warning; nothing fails for it.
    pub(super) async fn pin_images(
        &self,
        spec: &mut StackSpec,
        existing: &[bollard::models::Service],
        mode: ResolveImage,
        progress: &mpsc::Sender<crate::model::action::Progress>,
    ) {
        let mut asked: HashMap<String, Option<(String, Vec<J>)>> = HashMap::new();
        for want in spec.services.values_mut() {
            let name = want["Name"].as_str().unwrap_or_default().to_string();
            let written = want["Labels"][IMAGE_LABEL]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let tagged = reference::familiar_tagged(&written).unwrap_or_else(|| written.clone());
            let current = existing
                .iter()
                .filter_map(|s| s.spec.as_ref())
                .find(|sp| sp.name.as_deref() == Some(name.as_str()));
            let current_label = current
                .and_then(|sp| sp.labels.as_ref())
                .and_then(|l| l.get(IMAGE_LABEL))
                .cloned();
            let current_image = current
                .and_then(|sp| sp.task_template.as_ref())
                .and_then(|t| t.container_spec.as_ref())
                .and_then(|c| c.image.clone());
            let unchanged = current_label.as_deref() == Some(written.as_str());
            let resolve = match mode {
                ResolveImage::Always => true,
                ResolveImage::Changed => !(current.is_some() && unchanged),
                ResolveImage::Never => false,
            };
            let image = if resolve {
                if !asked.contains_key(&tagged) {
                    let answer = self.digest_of(&tagged).await;
                    if answer.is_none() {
                        let _ = progress
                            .send(crate::model::action::Progress::Step(digest_warning(
                                &tagged,
                            )))
                            .await;
                    }
                    asked.insert(tagged.clone(), answer);
                }
                match asked.get(&tagged).cloned().flatten() {
                    Some((digest, platforms)) => {
                        if !platforms.is_empty() {
                            let t = &mut want["TaskTemplate"];
                            if !t["Placement"].is_object() {
                                t["Placement"] = serde_json::json!({});
                            }
                            t["Placement"]["Platforms"] = J::Array(platforms);
                        }
                        reference::with_digest(&tagged, &digest)
                    }
                    None => tagged,
                }
            } else if unchanged && let Some(img) = current_image {
                // The file did not change the image: keep what the last deploy pinned.
                reference::familiar_tagged(&img).unwrap_or(img)
            } else {
                tagged
            };
            want["TaskTemplate"]["ContainerSpec"]["Image"] = J::String(image);
        }
    }

    /// The digest and platforms the registry has for an image, through the engine's
    /// distribution endpoint with the docker config's credentials.
    async fn digest_of(&self, image: &str) -> Option<(String, Vec<J>)> {
        let creds = crate::backend::auth::credentials_for(image);
        match self.docker().inspect_registry_image(image, creds).await {
            Ok(d) => {
                let digest = d.descriptor.digest?;
                let platforms = d
                    .platforms
                    .iter()
                    .map(|p| {
                        let arch = p.architecture.clone().unwrap_or_default();
                        // As the client does: swarm nodes say armv7l where images say arm.
                        let arch = if arch.eq_ignore_ascii_case("arm") {
                            String::new()
                        } else {
                            arch
                        };
                        serde_json::json!({ "Architecture": arch, "OS": p.os.clone().unwrap_or_default() })
                    })
                    .collect();
                Some((digest, platforms))
            }
            Err(e) => {
                tracing::info!(image = %image, error = %e, "no digest");
                None
            }
        }
    }

    pub async fn deploy(
        &self,
        mut spec: StackSpec,
        how: How,
        progress: &mpsc::Sender<crate::model::action::Progress>,
    ) -> Result<Outcome, Error> {
        let d = self.docker();
        let stack = spec.name.clone();
        for w in &spec.warnings {
            let _ = progress
                .send(crate::model::action::Progress::Step(w.clone()))
                .await;
        }
        let (mut created, mut updated, mut unchanged) = (0, 0, 0);
        let net_ids = self.ensure_networks(&spec, progress, &mut created).await?;
        let secret_ids = self
            .sync_objects(&spec, true, progress, &mut created)
            .await?;
        let config_ids = self
            .sync_objects(&spec, false, progress, &mut created)
            .await?;
        let existing = d
            .list_services(Some(ListServicesOptions {
                filters: Some(filters("label", &format!("{NAMESPACE}={stack}"))),
                ..Default::default()
            }))
            .await
            .map_err(engine_error)?;
        self.pin_images(&mut spec, &existing, how.resolve, progress)
            .await;
        for want in spec.services.values() {
            let mut want = want.clone();
            let name = want["Name"].as_str().unwrap_or_default().to_string();
            to_ids(&mut want, &net_ids, &secret_ids, &config_ids)?;
            match self.apply_service(want, &name, &existing, progress).await? {
                Change::Created => created += 1,
                Change::Updated => updated += 1,
                Change::Unchanged => unchanged += 1,
            }
        }
        let mut removed = 0;
        if how.prune {
            for name in not_in_file(&spec, &existing) {
                let _ = progress
                    .send(crate::model::action::Progress::Step(tr!(
                        "deploy.removing",
                        name = name
                    )))
                    .await;
                d.delete_service(&name).await.map_err(engine_error)?;
                removed += 1;
            }
        }
        let done = tr!(
            "deploy.done",
            stack = stack,
            created = created,
            updated = updated,
            unchanged = unchanged,
            removed = removed
        );
        let convergence = if how.detach {
            tr!("deploy.detached")
        } else {
            let _ = progress
                .send(crate::model::action::Progress::Step(done.clone()))
                .await;
            self.watch_stack(&stack, how.timeout, progress).await?
        };
        Ok(Outcome {
            summary: format!("{done} · {convergence}"),
            detail: None,
        })
    }

    /// The stack's networks: the external ones must exist, the others are created when missing.
    /// Returns every network's ID by name.
    async fn ensure_networks(
        &self,
        spec: &StackSpec,
        progress: &mpsc::Sender<crate::model::action::Progress>,
        created: &mut usize,
    ) -> Result<HashMap<String, String>, Error> {
        let d = self.docker();
        let networks = d
            .list_networks(None::<ListNetworksOptions>)
            .await
            .map_err(engine_error)?;
        let mut net_ids: HashMap<String, String> = networks
            .iter()
            .filter_map(|n| Some((n.name.clone()?, n.id.clone()?)))
            .collect();
        if let Some(missing) = spec
            .external_networks
            .iter()
            .find(|n| !net_ids.contains_key(*n))
        {
            return Err(Error::Refused(tr!(
                "deploy.external_missing",
                name = missing
            )));
        }
        for (name, req) in &spec.networks {
            if net_ids.contains_key(name) {
                continue;
            }
            let _ = progress
                .send(crate::model::action::Progress::Step(tr!(
                    "deploy.creating",
                    kind = "network",
                    name = name
                )))
                .await;
            let req: bollard::models::NetworkCreateRequest =
                serde_json::from_value(req.clone()).map_err(|e| Error::engine(e.to_string()))?;
            let r = d.create_network(req).await.map_err(engine_error)?;
            net_ids.insert(name.clone(), r.id);
            *created += 1;
        }
        Ok(net_ids)
    }

    /// Creates one service, or updates it when the file asks for something it lacks.
    async fn apply_service(
        &self,
        mut want: J,
        name: &str,
        existing: &[bollard::models::Service],
        progress: &mpsc::Sender<crate::model::action::Progress>,
    ) -> Result<Change, Error> {
        let d = self.docker();
        let image = want["TaskTemplate"]["ContainerSpec"]["Image"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let creds = crate::backend::auth::credentials_for(&image);
        let current = existing
            .iter()
            .find(|s| s.spec.as_ref().and_then(|sp| sp.name.as_deref()) == Some(name));
        match current {
            Some(svc) => {
                let id = svc.id.clone().unwrap_or_default();
                let mut live =
                    serde_json::to_value(svc.spec.clone().unwrap_or_default()).unwrap_or(J::Null);
                // bollard reads the engine's `Healthcheck` as `HealthCheck` and so loses it;
                // read it raw where we can, and otherwise count it as changed.
                if want["TaskTemplate"]["ContainerSpec"]
                    .get("HealthCheck")
                    .is_some()
                {
                    match self.raw_service_spec(&id).await {
                        Some(raw) => {
                            live["TaskTemplate"]["ContainerSpec"]["HealthCheck"] =
                                raw["TaskTemplate"]["ContainerSpec"]["Healthcheck"].clone()
                        }
                        None => live["TaskTemplate"]["ContainerSpec"]["HealthCheck"] = J::Null,
                    }
                }
                if covers(&live, &want) {
                    return Ok(Change::Unchanged);
                }
                tracing::info!(service = %name, changed = ?first_difference(&live, &want, ""), "updating");
                let _ = progress
                    .send(crate::model::action::Progress::Step(tr!(
                        "deploy.updating",
                        name = name
                    )))
                    .await;
                // Keep what `docker service update --force` set, as the CLI does.
                want["TaskTemplate"]["ForceUpdate"] = live["TaskTemplate"]["ForceUpdate"].clone();
                let spec: bollard::models::ServiceSpec =
                    serde_json::from_value(want).map_err(|e| Error::engine(e.to_string()))?;
                let version = svc.version.as_ref().and_then(|v| v.index).unwrap_or(0);
                let opts = UpdateServiceOptions {
                    version: i32::try_from(version).unwrap_or(i32::MAX),
                    ..Default::default()
                };
                d.update_service(&id, spec, opts, creds)
                    .await
                    .map_err(engine_error)?;
                Ok(Change::Updated)
            }
            None => {
                let _ = progress
                    .send(crate::model::action::Progress::Step(tr!(
                        "deploy.creating",
                        kind = "service",
                        name = name
                    )))
                    .await;
                let spec: bollard::models::ServiceSpec =
                    serde_json::from_value(want).map_err(|e| Error::engine(e.to_string()))?;
                d.create_service(spec, creds).await.map_err(engine_error)?;
                Ok(Change::Created)
            }
        }
    }

    /// A service's spec as the engine writes it (raw HTTP: bollard drops `Healthcheck`).
    pub(super) async fn raw_service_spec(&self, id: &str) -> Option<J> {
        super::raw::get_json(&self.wire(), &format!("/services/{id}"))
            .await?
            .get("Spec")
            .cloned()
    }

    /// Creates the stack's secrets (or configs) that are missing, and checks the others did not
    /// change: swarm cannot change a secret's content. Returns name → ID.
    async fn sync_objects(
        &self,
        spec: &StackSpec,
        secrets: bool,
        progress: &mpsc::Sender<crate::model::action::Progress>,
        created: &mut usize,
    ) -> Result<HashMap<String, String>, Error> {
        let d = self.docker();
        let mut ids: HashMap<String, String> = if secrets {
            d.list_secrets(None)
                .await
                .map_err(engine_error)?
                .into_iter()
                .filter_map(|s| Some((s.spec?.name?, s.id?)))
                .collect()
        } else {
            d.list_configs(None)
                .await
                .map_err(engine_error)?
                .into_iter()
                .filter_map(|s| Some((s.spec?.name?, s.id?)))
                .collect()
        };
        let objects = if secrets {
            &spec.secrets
        } else {
            &spec.configs
        };
        let kind = if secrets { "secret" } else { "config" };
        for (name, object) in objects {
            let encoded = base64::engine::general_purpose::STANDARD.encode(&object.data);
            let labels: HashMap<String, String> = object.labels.clone().into_iter().collect();
            let templating = object.templating.clone().map(|t| bollard::models::Driver {
                name: t,
                options: None,
            });
            let driver = object.driver.clone().map(|(n, o)| bollard::models::Driver {
                name: n,
                options: Some(o.into_iter().collect()),
            });
            let data = object.driver.is_none().then(|| encoded.clone());
            match ids.get(name) {
                Some(id) if !secrets => {
                    // Configs can be read back: compare the content.
                    let cur = d.inspect_config(id).await.map_err(engine_error)?;
                    let same = cur
                        .spec
                        .and_then(|s| s.data)
                        .is_some_and(|have| have == encoded);
                    if !same {
                        return Err(Error::Refused(tr!(
                            "deploy.changed",
                            kind = kind,
                            name = name
                        )));
                    }
                }
                Some(id) => {
                    // Secrets cannot be read back; the engine refuses a change of content.
                    let cur = d.inspect_secret(id).await.map_err(engine_error)?;
                    let version = cur.version.and_then(|v| v.index).unwrap_or(0);
                    let s = bollard::models::SecretSpec {
                        name: Some(name.clone()),
                        labels: Some(labels),
                        data: data.clone(),
                        driver: driver.clone(),
                        templating: templating.clone(),
                    };
                    d.update_secret(
                        id,
                        s,
                        bollard::query_parameters::UpdateSecretOptions {
                            version: version as i64,
                        },
                    )
                    .await
                    .map_err(|e| {
                        // 400: swarm takes only label changes, so the content is not the same.
                        if super::status(&e) == Some(400) {
                            Error::Refused(tr!("deploy.changed", kind = kind, name = name))
                        } else {
                            engine_error(e)
                        }
                    })?;
                }
                None => {
                    let _ = progress
                        .send(crate::model::action::Progress::Step(tr!(
                            "deploy.creating",
                            kind = kind,
                            name = name
                        )))
                        .await;
                    let id = if secrets {
                        let s = bollard::models::SecretSpec {
                            name: Some(name.clone()),
                            labels: Some(labels),
                            data,
                            driver,
                            templating,
                        };
                        d.create_secret(s).await.map_err(engine_error)?.id
                    } else {
                        let s = bollard::models::ConfigSpec {
                            name: Some(name.clone()),
                            labels: Some(labels),
                            data,
                            templating,
                        };
                        d.create_config(s).await.map_err(engine_error)?.id
                    };
                    ids.insert(name.clone(), id);
                    *created += 1;
                }
            }
        }
        Ok(ids)
    }
}
