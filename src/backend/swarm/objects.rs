//! Swarm secrets, configs, networks and volumes: made and removed.

use super::status;
use super::{Swarm, engine_error};
use crate::backend::Error;
use crate::model::action::{Detail, Outcome};
use crate::model::inspect::Kind;
use crate::tr;

impl Swarm {
    /// `docker secret create` / `docker config create` from a file (`-` is standard input).
    pub(super) async fn create_object(
        &self,
        secret: bool,
        name: &String,
        file: &str,
    ) -> Result<Outcome, Error> {
        let data = crate::backend::files::read_object_file(file)?;
        let d = self.docker();
        let created = if secret {
            let spec = bollard::models::SecretSpec {
                name: Some(name.clone()),
                data: Some(data),
                ..Default::default()
            };
            d.create_secret(spec).await.map(|r| r.id)
        } else {
            let spec = bollard::models::ConfigSpec {
                name: Some(name.clone()),
                data: Some(data),
                ..Default::default()
            };
            d.create_config(spec).await.map(|r| r.id)
        };
        let kind = if secret { "secret" } else { "config" };
        match created {
            Ok(id) => Ok(Outcome {
                summary: tr!("done.create_object", kind = kind, name = name),
                detail: Some(Detail::Text(id)),
            }),
            Err(e) if status(&e) == Some(409) => Err(Error::Refused(tr!(
                "err.object_exists",
                kind = kind,
                name = name
            ))),
            Err(e) => Err(engine_error(e)),
        }
    }
}

impl Swarm {
    /// `docker network create`: the request the docker CLI sends with its defaults (IPAM driver
    /// `default`, no options or labels).
    pub(super) async fn network_create(
        &self,
        name: &str,
        driver: &str,
        attachable: bool,
        internal: bool,
    ) -> Result<Outcome, Error> {
        let req = bollard::models::NetworkCreateRequest {
            name: name.to_string(),
            driver: Some(driver.to_string()),
            internal: Some(internal),
            attachable: Some(attachable),
            ingress: Some(false),
            ipam: Some(bollard::models::Ipam {
                driver: Some("default".into()),
                config: Some(vec![]),
                options: Some(Default::default()),
            }),
            options: Some(Default::default()),
            labels: Some(Default::default()),
            ..Default::default()
        };
        match self.docker().create_network(req).await {
            Ok(r) => Ok(Outcome {
                summary: tr!("done.network_created", name = name, driver = driver),
                detail: Some(Detail::Text(r.id)),
            }),
            Err(e) if status(&e) == Some(409) => {
                Err(Error::Refused(tr!("network.exists", name = name)))
            }
            Err(e) => Err(engine_error(e)),
        }
    }

    /// `docker network|volume|secret|config rm`, refused while a service uses it (the engine
    /// would refuse too, with less to say).
    pub(super) async fn remove_object(&self, kind: Kind, name: &str) -> Result<Outcome, Error> {
        let Some(found) = self.fetch(kind, name).await? else {
            return Err(Error::NotFound {
                kind: kind.catalog_key(),
                name: name.to_string(),
                suggestion: None,
            });
        };
        let (key, id) = match kind {
            Kind::Volume => (name.to_string(), name.to_string()),
            Kind::Network => {
                let id = found["Id"].as_str().unwrap_or(name).to_string();
                (id.clone(), id)
            }
            _ => {
                let id = found["ID"].as_str().unwrap_or(name).to_string();
                (id.clone(), id)
            }
        };
        let users = self.users_of(kind, &key).await?;
        let what = crate::i18n::text(kind.catalog_key());
        if !users.is_empty() {
            return Err(Error::Refused(tr!(
                "remove.in_use",
                kind = what,
                name = name,
                services = users.join(", ")
            )));
        }
        let d = self.docker();
        let r = match kind {
            Kind::Network => d.remove_network(&id).await,
            Kind::Volume => {
                d.remove_volume(&id, None::<bollard::query_parameters::RemoveVolumeOptions>)
                    .await
            }
            Kind::Secret => d.delete_secret(&id).await,
            _ => d.delete_config(&id).await,
        };
        r.map_err(engine_error)?;
        Ok(Outcome {
            summary: tr!("done.removed", kind = what, name = name),
            detail: None,
        })
    }
}
