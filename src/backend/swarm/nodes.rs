//! Nodes and the swarm itself: labels, availability, role; init, join tokens, leave. Node changes
//! are inspect → change → update with the node's version, once more on a version conflict.

use super::ops::done;
use super::{Swarm, convert, engine_error};
use crate::backend::{Error, find_by_name};
use crate::model::action::{Detail, Outcome};
use crate::model::{Availability, Role};
use crate::tr;
use bollard::models::{NodeSpec, NodeSpecAvailabilityEnum, NodeSpecRoleEnum};
use bollard::query_parameters::{LeaveSwarmOptions, UpdateNodeOptions};

impl Swarm {
    pub(super) async fn label(
        &self,
        node: &str,
        labels: &[(String, String)],
    ) -> Result<Outcome, Error> {
        let id = self.node_id(node).await?;
        self.update_node(&id, |spec| {
            let l = spec.labels.get_or_insert_with(Default::default);
            for (k, v) in labels {
                l.insert(k.clone(), v.clone());
            }
        })
        .await?;
        let shown: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
        done(tr!("done.label", node = node, labels = shown.join(" ")))
    }

    pub(super) async fn unlabel(&self, node: &str, keys: &[String]) -> Result<Outcome, Error> {
        let id = self.node_id(node).await?;
        let current = self
            .docker()
            .inspect_node(&id)
            .await
            .map_err(engine_error)?;
        let have = current.spec.and_then(|s| s.labels).unwrap_or_default();
        if let Some(k) = keys.iter().find(|k| !have.contains_key(*k)) {
            return Err(Error::NotFound {
                kind: "kind.label",
                name: k.clone(),
                suggestion: crate::suggest::closest(k, have.keys().map(String::as_str)),
            });
        }
        self.update_node(&id, |spec| {
            if let Some(l) = spec.labels.as_mut() {
                for k in keys {
                    l.remove(k);
                }
            }
        })
        .await?;
        done(tr!("done.unlabel", node = node, keys = keys.join(" ")))
    }

    pub(super) async fn set_availability(
        &self,
        node: &str,
        to: &Availability,
    ) -> Result<Outcome, Error> {
        let id = self.node_id(node).await?;
        let a = match to {
            Availability::Active => NodeSpecAvailabilityEnum::ACTIVE,
            Availability::Pause => NodeSpecAvailabilityEnum::PAUSE,
            Availability::Drain => NodeSpecAvailabilityEnum::DRAIN,
        };
        self.update_node(&id, |spec| spec.availability = Some(a))
            .await?;
        done(tr!(
            "done.availability",
            node = node,
            to = format!("{to:?}").to_lowercase()
        ))
    }

    pub(super) async fn set_role(&self, node: &str, to: &Role) -> Result<Outcome, Error> {
        let id = self.node_id(node).await?;
        let r = match to {
            Role::Manager => NodeSpecRoleEnum::MANAGER,
            Role::Worker => NodeSpecRoleEnum::WORKER,
        };
        self.update_node(&id, |spec| spec.role = Some(r)).await?;
        done(tr!(
            "done.role",
            node = node,
            to = format!("{to:?}").to_lowercase()
        ))
    }

    pub(super) async fn swarm_init(
        &self,
        advertise_addr: &Option<String>,
    ) -> Result<Outcome, Error> {
        let req = bollard::models::SwarmInitRequest {
            listen_addr: Some("0.0.0.0:2377".into()),
            advertise_addr: advertise_addr.clone(),
            ..Default::default()
        };
        let node = self.docker().init_swarm(req).await.map_err(engine_error)?;
        done(tr!(
            "done.swarm_init",
            node = crate::sanitize::one_line(&node)
        ))
    }

    /// The command a node runs to join, with the token for `role`.
    pub(super) async fn join_token(&self, role: &Role) -> Result<Outcome, Error> {
        let swarm = self
            .docker()
            .inspect_swarm()
            .await
            .map_err(|_| Error::NotManager)?;
        let tokens = swarm.join_tokens.unwrap_or_default();
        let token = match role {
            Role::Worker => tokens.worker,
            Role::Manager => tokens.manager,
        }
        .unwrap_or_default();
        let info = self.docker().info().await.map_err(engine_error)?;
        let addr = info
            .swarm
            .and_then(|s| s.remote_managers)
            .and_then(|m| m.into_iter().find_map(|p| p.addr))
            .unwrap_or_default();
        let command = format!(
            "docker swarm join --token {} {}",
            crate::sanitize::one_line(&token),
            crate::sanitize::one_line(&addr)
        );
        Ok(Outcome {
            summary: tr!("done.join_token", role = format!("{role:?}").to_lowercase()),
            detail: Some(Detail::Command(command)),
        })
    }

    pub(super) async fn swarm_leave(&self, force: bool) -> Result<Outcome, Error> {
        self.docker()
            .leave_swarm(Some(LeaveSwarmOptions { force }))
            .await
            .map_err(engine_error)?;
        done(tr!("done.swarm_leave"))
    }

    async fn node_id(&self, name: &str) -> Result<String, Error> {
        let all = self.docker().list_nodes(None).await.map_err(|e| match e {
            bollard::errors::Error::DockerResponseServerError {
                status_code: 503, ..
            } => Error::NotManager,
            other => engine_error(other),
        })?;
        let list: Vec<crate::model::Node> = all.iter().map(convert::node).collect();
        let same_host: Vec<&crate::model::Node> =
            list.iter().filter(|n| n.hostname == name).collect();
        if same_host.len() > 1 {
            return Err(Error::Ambiguous {
                name: name.into(),
                matches: same_host.iter().map(|n| n.id.clone()).collect(),
            });
        }
        find_by_name(list, name, "kind.node", |n| (&n.hostname, &n.id)).map(|n| n.id)
    }

    async fn node_version(&self, id: &str) -> Option<u64> {
        let node = self.docker().inspect_node(id).await.ok()?;
        node.version.and_then(|v| v.index)
    }

    async fn update_node(&self, id: &str, f: impl Fn(&mut NodeSpec)) -> Result<(), Error> {
        for attempt in 0..2 {
            let node = self.docker().inspect_node(id).await.map_err(engine_error)?;
            let version = node.version.and_then(|v| v.index).unwrap_or(0);
            let mut spec = node.spec.unwrap_or_default();
            f(&mut spec);
            match self
                .docker()
                .update_node(
                    id,
                    spec,
                    UpdateNodeOptions {
                        version: version as i64,
                    },
                )
                .await
            {
                Ok(()) => return Ok(()),
                // As for services: a conflict is a version that moved since it was read.
                Err(e) if attempt == 0 && self.node_version(id).await != Some(version) => {
                    tracing::info!(node = id, error = %e, "version conflict; retrying once")
                }
                Err(e) => return Err(engine_error(e)),
            }
        }
        Err(Error::engine(tr!("err.conflict")))
    }
}
