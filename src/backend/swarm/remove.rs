//! `docker stack rm` natively: a stack's services, secrets, configs and networks.

use super::deploy::filters;
use super::{Swarm, engine_error};
use crate::backend::Error;
use crate::model::action::Outcome;
use crate::stack::NAMESPACE;
use crate::tr;
use bollard::query_parameters::{ListNetworksOptions, ListServicesOptions, ListTasksOptions};

/// How long a stack's removal waits for its tasks to go before it removes the networks.
const TASKS_GONE: std::time::Duration = std::time::Duration::from_secs(60);
use tokio::sync::mpsc;

impl Swarm {
    /// `docker stack rm`, but safe for the swarm's addresses: the stack's services, then (unlike
    /// the docker CLI) a wait until their tasks are gone, then secrets, configs and networks.
    /// Removing a network while tasks on it still stop makes the manager keep their ingress
    /// addresses for ever (moby/moby#37338): a long-lived swarm redeployed often runs out of
    /// them. Volumes stay, as with docker.
    pub async fn remove_stack(
        &self,
        stack: &str,
        progress: &mpsc::Sender<crate::model::action::Progress>,
    ) -> Result<Outcome, Error> {
        let d = self.docker();
        let label = format!("{NAMESPACE}={stack}");
        let f = || Some(filters("label", &label));
        let services = d
            .list_services(Some(ListServicesOptions {
                filters: f(),
                ..Default::default()
            }))
            .await
            .map_err(engine_error)?;
        let secrets = d
            .list_secrets(Some(bollard::query_parameters::ListSecretsOptions {
                filters: f(),
            }))
            .await
            .map_err(engine_error)?;
        let configs = d
            .list_configs(Some(bollard::query_parameters::ListConfigsOptions {
                filters: f(),
            }))
            .await
            .map_err(engine_error)?;
        let networks = d
            .list_networks(Some(ListNetworksOptions { filters: f() }))
            .await
            .map_err(engine_error)?;
        if services.is_empty() && networks.is_empty() && secrets.is_empty() && configs.is_empty() {
            return Err(Error::NotFound {
                kind: "kind.stack",
                name: stack.to_string(),
                suggestion: None,
            });
        }
        let mut removed = 0;
        let ids: Vec<String> = services.iter().filter_map(|s| s.id.clone()).collect();
        for s in &services {
            let name = s
                .spec
                .as_ref()
                .and_then(|x| x.name.clone())
                .unwrap_or_default();
            let _ = progress
                .send(crate::model::action::Progress::Step(tr!(
                    "deploy.removing_object",
                    kind = "service",
                    name = name
                )))
                .await;
            d.delete_service(s.id.as_deref().unwrap_or_default())
                .await
                .map_err(engine_error)?;
            removed += 1;
        }
        self.wait_tasks_gone(&ids, progress).await?;
        for s in &secrets {
            d.delete_secret(s.id.as_deref().unwrap_or_default())
                .await
                .map_err(engine_error)?;
            removed += 1;
        }
        for c in &configs {
            d.delete_config(c.id.as_deref().unwrap_or_default())
                .await
                .map_err(engine_error)?;
            removed += 1;
        }
        for n in &networks {
            let id = n.id.clone().unwrap_or_default();
            let name = n.name.clone().unwrap_or_default();
            let _ = progress
                .send(crate::model::action::Progress::Step(tr!(
                    "deploy.removing_object",
                    kind = "network",
                    name = name
                )))
                .await;
            let mut tries = 0;
            loop {
                match d.remove_network(&id).await {
                    Ok(()) => break,
                    Err(_) if tries < 30 => {
                        tries += 1;
                        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                    }
                    Err(e) => return Err(engine_error(e)),
                }
            }
            removed += 1;
        }
        Ok(Outcome {
            summary: tr!("deploy.removed", stack = stack, count = removed),
            detail: None,
        })
    }

    /// Waits (at most `TASKS_GONE`) until no task of these services is left, saying how many
    /// still stop. Past the bound it goes on: the networks are then retried while in use.
    async fn wait_tasks_gone(
        &self,
        services: &[String],
        progress: &mpsc::Sender<crate::model::action::Progress>,
    ) -> Result<(), Error> {
        if services.is_empty() {
            return Ok(());
        }
        let deadline = tokio::time::Instant::now() + TASKS_GONE;
        let mut said = None;
        loop {
            let left = self
                .docker()
                .list_tasks(None::<ListTasksOptions>)
                .await
                .map_err(engine_error)?
                .iter()
                .filter(|t| {
                    t.service_id
                        .as_ref()
                        .is_some_and(|id| services.contains(id))
                })
                .count();
            if left == 0 {
                return Ok(());
            }
            if tokio::time::Instant::now() > deadline {
                tracing::warn!(
                    left,
                    "tasks of a removed stack still there; removing its networks"
                );
                let _ = progress
                    .send(crate::model::action::Progress::Step(tr!(
                        "deploy.tasks_still_there",
                        count = left
                    )))
                    .await;
                return Ok(());
            }
            if said != Some(left) {
                let _ = progress
                    .send(crate::model::action::Progress::Step(tr!(
                        "deploy.waiting_tasks",
                        count = left
                    )))
                    .await;
                said = Some(left);
            }
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        }
    }
}
