//! The swarm's networks, volumes, secrets and configs, each with the services that use it, for
//! the views and `estiba networks` (like `docker network ls`, with the services added).

use super::{Swarm, engine_error};
use crate::backend::Error;
use crate::model::listing::{Listing, NETWORK_COLUMNS, OBJECT_COLUMNS, VOLUME_COLUMNS, ViewKind};
use crate::sanitize::one_line;
use serde_json::Value;
use std::collections::BTreeMap;

/// What each service uses, by the names and IDs it refers to them with.
#[derive(Default)]
struct Uses {
    /// Network ID → services.
    networks: BTreeMap<String, Vec<String>>,
    volumes: BTreeMap<String, Vec<String>>,
    secrets: BTreeMap<String, Vec<String>>,
    configs: BTreeMap<String, Vec<String>>,
}

fn uses(services: &Value) -> Uses {
    let mut u = Uses::default();
    for s in services.as_array().into_iter().flatten() {
        let name = s["Spec"]["Name"].as_str().unwrap_or("").to_string();
        let t = &s["Spec"]["TaskTemplate"];
        let add = |map: &mut BTreeMap<String, Vec<String>>, key: &str| {
            let v = map.entry(key.to_string()).or_default();
            if !v.contains(&name) {
                v.push(name.clone());
            }
        };
        for n in t["Networks"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(s["Spec"]["Networks"].as_array().into_iter().flatten())
        {
            if let Some(id) = n["Target"].as_str() {
                add(&mut u.networks, id);
            }
        }
        // The ingress network, for services that publish ports.
        for v in s["Endpoint"]["VirtualIPs"].as_array().into_iter().flatten() {
            if let Some(id) = v["NetworkID"].as_str() {
                add(&mut u.networks, id);
            }
        }
        let c = &t["ContainerSpec"];
        for m in c["Mounts"].as_array().into_iter().flatten() {
            if m["Type"] == "volume"
                && let Some(src) = m["Source"].as_str()
            {
                add(&mut u.volumes, src);
            }
        }
        for x in c["Secrets"].as_array().into_iter().flatten() {
            if let Some(id) = x["SecretID"].as_str() {
                add(&mut u.secrets, id);
            }
        }
        for x in c["Configs"].as_array().into_iter().flatten() {
            if let Some(id) = x["ConfigID"].as_str() {
                add(&mut u.configs, id);
            }
        }
    }
    u
}

fn text(v: &Value) -> String {
    one_line(v.as_str().unwrap_or(""))
}

/// `true` or `false`, as docker network inspect writes them.
fn yes_no(v: &Value) -> String {
    v.as_bool().unwrap_or(false).to_string()
}

fn joined(map: &BTreeMap<String, Vec<String>>, keys: &[&str]) -> String {
    let mut all: Vec<String> = keys
        .iter()
        .filter_map(|k| map.get(*k))
        .flatten()
        .cloned()
        .collect();
    all.sort();
    all.dedup();
    one_line(&all.join(","))
}

impl Swarm {
    /// GET of a list, as the engine returns it (through bollard's types on TLS endpoints).
    async fn list_json(&self, path: &str) -> Result<Value, Error> {
        if let Some(r) = super::raw::request(&self.wire(), "GET", path, &[]).await {
            let r = r.map_err(|e| Error::engine(e.to_string()))?;
            let status = r.status;
            let body = r.text().await.map_err(|e| Error::engine(e.to_string()))?;
            let v: Value = serde_json::from_str(&body).map_err(|e| Error::engine(e.to_string()))?;
            if status != 200 {
                return Err(match status {
                    503 => Error::NotManager,
                    _ => Error::engine(one_line(v["message"].as_str().unwrap_or(&body))),
                });
            }
            return Ok(v);
        }
        let d = self.docker();
        let v = match path {
            "/services" => serde_json::to_value(
                d.list_services(None::<bollard::query_parameters::ListServicesOptions>)
                    .await
                    .map_err(engine_error)?,
            ),
            "/networks" => serde_json::to_value(
                d.list_networks(None::<bollard::query_parameters::ListNetworksOptions>)
                    .await
                    .map_err(engine_error)?,
            ),
            "/volumes" => serde_json::to_value(
                d.list_volumes(None::<bollard::query_parameters::ListVolumesOptions>)
                    .await
                    .map_err(engine_error)?,
            ),
            "/secrets" => serde_json::to_value(
                d.list_secrets(None::<bollard::query_parameters::ListSecretsOptions>)
                    .await
                    .map_err(engine_error)?,
            ),
            _ => serde_json::to_value(
                d.list_configs(None::<bollard::query_parameters::ListConfigsOptions>)
                    .await
                    .map_err(engine_error)?,
            ),
        };
        v.map_err(|e| Error::engine(e.to_string()))
    }

    /// The services that use an object: a network or secret or config by ID, a volume by name.
    pub(super) async fn users_of(
        &self,
        kind: crate::model::inspect::Kind,
        key: &str,
    ) -> Result<Vec<String>, Error> {
        use crate::model::inspect::Kind;
        let u = uses(&self.list_json("/services").await?);
        let map = match kind {
            Kind::Network => &u.networks,
            Kind::Volume => &u.volumes,
            Kind::Secret => &u.secrets,
            _ => &u.configs,
        };
        Ok(map.get(key).cloned().unwrap_or_default())
    }

    pub async fn listing(&self, kind: ViewKind) -> Result<Listing, Error> {
        let services = self.list_json("/services").await?;
        let u = uses(&services);
        let (columns, mut rows): (Vec<&'static str>, Vec<Vec<String>>) = match kind {
            ViewKind::Networks => {
                let list = self.list_json("/networks").await?;
                let rows = list
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|n| {
                        let subnets: Vec<String> = n["IPAM"]["Config"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(|c| c["Subnet"].as_str().map(str::to_string))
                            .collect();
                        let id = n["Id"].as_str().unwrap_or("");
                        vec![
                            text(&n["Name"]),
                            text(&n["Driver"]),
                            text(&n["Scope"]),
                            yes_no(&n["Internal"]),
                            yes_no(&n["Attachable"]),
                            one_line(&subnets.join(",")),
                            joined(&u.networks, &[id]),
                        ]
                    })
                    .collect();
                (NETWORK_COLUMNS.to_vec(), rows)
            }
            // Followed as a stream (`events`), not listed.
            ViewKind::Events => (crate::model::events::COLUMNS.to_vec(), vec![]),
            // A kind's table is followed from its watch (`Backend::follow_table`).
            ViewKind::Resource => (vec!["name"], vec![]),
            ViewKind::Volumes => {
                let list = self.list_json("/volumes").await?;
                let node = self.hostname();
                let rows = list["Volumes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|v| {
                        let name = v["Name"].as_str().unwrap_or("");
                        vec![
                            one_line(name),
                            text(&v["Driver"]),
                            text(&v["Scope"]),
                            one_line(&node),
                            joined(&u.volumes, &[name]),
                        ]
                    })
                    .collect();
                (VOLUME_COLUMNS.to_vec(), rows)
            }
            ViewKind::Secrets | ViewKind::Configs => {
                let (path, map) = if kind == ViewKind::Secrets {
                    ("/secrets", &u.secrets)
                } else {
                    ("/configs", &u.configs)
                };
                let list = self.list_json(path).await?;
                let rows = list
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|o| {
                        let labels: Vec<String> = o["Spec"]["Labels"]
                            .as_object()
                            .into_iter()
                            .flatten()
                            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                            .collect();
                        let age = |f: &str| {
                            o[f].as_str()
                                .and_then(crate::time::parse_rfc3339)
                                .map(|t| crate::time::age(t, crate::time::now()))
                                .unwrap_or_default()
                        };
                        vec![
                            text(&o["Spec"]["Name"]),
                            age("CreatedAt"),
                            age("UpdatedAt"),
                            one_line(&labels.join(",")),
                            joined(map, &[o["ID"].as_str().unwrap_or("")]),
                        ]
                    })
                    .collect();
                (OBJECT_COLUMNS.to_vec(), rows)
            }
        };
        rows.sort();
        Ok(Listing {
            kind,
            titles: Vec::new(),
            resource: None,
            columns,
            rows,
        })
    }
}
