//! Swarm secrets and configs.

use super::ops::status;
use super::{Swarm, engine_error};
use crate::backend::Error;
use crate::model::action::{Detail, Outcome};
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
