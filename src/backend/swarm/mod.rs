//! Docker Swarm (and plain Docker engines) through bollard.

mod build;
mod compose;
mod compose_ops;
mod compose_wait;
mod converge;
mod convert;
mod deploy;
mod events;
mod images;
mod inspect;
mod listing;
mod logs;
mod nodes;
mod objects;
mod ops;
pub(crate) mod preview;
mod prune;
pub(crate) mod push;
mod raw;
mod remove;
mod services;
pub mod stats;

use super::endpoint::Endpoint;
use super::{Dirty, Error};
use crate::model::{ClusterInfo, Image, Instance, Node, SwarmRole, Workload};
use crate::sanitize::one_line;
use bollard::Docker;
use bollard::query_parameters::{
    EventsOptions, ListContainersOptions, ListImagesOptions, ListServicesOptions,
};
use futures::StreamExt;
use futures::stream::BoxStream;
use std::collections::HashMap;
use std::sync::Mutex;

/// How long one request may take before the engine is taken as unreachable.
const TIMEOUT_SECS: u64 = 20;

pub struct Swarm {
    docker: std::sync::RwLock<Docker>,
    /// Whether the API version has been agreed with the engine yet.
    negotiated: std::sync::atomic::AtomicBool,
    endpoint: String,
    /// For an `ssh://` engine, the local socket `ssh` carries to it (kept open while this lives).
    tunnel: Option<std::sync::Arc<super::ssh::Tunnel>>,
    /// The role seen at the last `info`, which decides what "workloads" are on this engine.
    role: Mutex<SwarmRole>,
    hostname: Mutex<String>,
    /// This engine's node in the swarm ("" outside one).
    node_id: Mutex<String>,
    /// Other nodes' own engines, from the config (`[nodes.NAME] host`): exec and stats reach
    /// the tasks running there through them.
    nodes: std::sync::Arc<NodeEngines>,
}

/// Other nodes' engines by hostname, each client made (and its API version agreed) on first use.
#[derive(Default)]
pub struct NodeEngines {
    endpoints: HashMap<String, Endpoint>,
    clients: tokio::sync::Mutex<HashMap<String, (Docker, Option<Tunnel>)>>,
}

type Tunnel = std::sync::Arc<super::ssh::Tunnel>;

impl NodeEngines {
    pub fn new(endpoints: HashMap<String, Endpoint>) -> NodeEngines {
        NodeEngines {
            endpoints,
            clients: tokio::sync::Mutex::new(HashMap::new()),
        }
    }

    /// A node's own engine, if the config names one and it answers; otherwise why not.
    pub async fn get(&self, hostname: &str) -> Result<Docker, Unreached> {
        let ep = self
            .endpoints
            .get(hostname)
            .ok_or(Unreached::NotConfigured)?;
        let mut clients = self.clients.lock().await;
        if let Some((d, _)) = clients.get(hostname) {
            return Ok(d.clone());
        }
        let failed = |reason: String| {
            tracing::warn!(node = hostname, error = %reason, "node endpoint unreachable");
            Unreached::Failed {
                host: ep.host.clone(),
                reason,
            }
        };
        let (d, tunnel) = Swarm::client(ep).map_err(|e| {
            failed(match e {
                Error::Unreachable { reason, .. } => reason,
                other => other.to_string(),
            })
        })?;
        let d = d.negotiate_version().await.map_err(|e| {
            failed(
                tunnel
                    .as_ref()
                    .and_then(|t| t.failure())
                    .map(|f| f.words())
                    .unwrap_or_else(|| bollard_reason(&e)),
            )
        })?;
        clients.insert(hostname.to_string(), (d.clone(), tunnel));
        Ok(d)
    }
}

/// Why a task's node cannot be reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreached {
    /// The config names no engine for the node.
    NotConfigured,
    /// The config's `[nodes.NAME] host` did not answer (down, refused, certificates).
    Failed { host: String, reason: String },
}

/// The HTTP status the engine answered with, if it answered.
pub fn status(e: &bollard::errors::Error) -> Option<u16> {
    match e {
        bollard::errors::Error::DockerResponseServerError { status_code, .. } => Some(*status_code),
        _ => None,
    }
}

/// Why a request did not reach the engine, in the user's words: the cause (the OS's error,
/// localized), without the name of the HTTP library bollard wraps it in.
pub fn bollard_reason(e: &bollard::errors::Error) -> String {
    use bollard::errors::Error as B;
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<std::io::Error>()
            && io.raw_os_error().is_some()
        {
            return crate::i18n::os_error(io);
        }
        cause = c.source();
    }
    match e {
        B::SocketNotFoundError(path) => format!("{path}: {}", crate::tr!("os.not_found")),
        B::HyperLegacyError { err } => crate::sanitize::error_chain(err),
        other => crate::sanitize::error_chain(other),
    }
}

/// An engine error in one line, as the console shows it.
pub fn engine_error(e: bollard::errors::Error) -> Error {
    use bollard::errors::Error as B;
    match e {
        B::DockerResponseServerError { message, .. } => Error::engine(one_line(&message)),
        other => Error::engine(one_line(&other.to_string())),
    }
}

impl Swarm {
    /// A client for the endpoint; for `ssh://`, through a tunnel it opens.
    fn client(ep: &Endpoint) -> Result<(Docker, Option<Tunnel>), Error> {
        let v = bollard::API_DEFAULT_VERSION;
        if ep.host.starts_with("ssh://") {
            let spec = super::ssh::Spec::parse(&ep.host)?;
            let tunnel = std::sync::Arc::new(super::ssh::Tunnel::open(&spec)?);
            let local = tunnel.local();
            let path = local.trim_start_matches("unix://");
            let docker = Docker::connect_with_unix(path, TIMEOUT_SECS, v).map_err(|e| {
                Error::Unreachable {
                    endpoint: ep.host.clone(),
                    reason: bollard_reason(&e),
                }
            })?;
            return Ok((docker, Some(tunnel)));
        }
        let docker = if let Some(path) = ep.host.strip_prefix("unix://") {
            Docker::connect_with_unix(path, TIMEOUT_SECS, v)
        } else if ep.host.starts_with("tcp://")
            || ep.host.starts_with("http://")
            || ep.host.starts_with("https://")
        {
            match &ep.tls {
                Some(t) => {
                    Docker::connect_with_ssl(&ep.host, &t.key, &t.cert, &t.ca, TIMEOUT_SECS, v)
                }
                None => Docker::connect_with_http(&ep.host, TIMEOUT_SECS, v),
            }
        } else {
            return Err(Error::Endpoint(crate::tr!("err.scheme", host = ep.host)));
        };
        docker.map(|d| (d, None)).map_err(|e| Error::Unreachable {
            endpoint: ep.host.clone(),
            reason: bollard_reason(&e),
        })
    }

    /// A client for the endpoint that has not talked to the engine yet: it agrees on an API
    /// version at its first successful `info`. Fails only for a malformed address.
    pub fn lazy(ep: &Endpoint) -> Result<Swarm, Error> {
        let (docker, tunnel) = Swarm::client(ep)?;
        Ok(Swarm {
            docker: std::sync::RwLock::new(docker),
            negotiated: std::sync::atomic::AtomicBool::new(false),
            endpoint: ep.host.clone(),
            tunnel,
            role: Mutex::new(SwarmRole::None),
            hostname: Mutex::new(String::new()),
            node_id: Mutex::new(String::new()),
            nodes: std::sync::Arc::default(),
        })
    }

    /// Makes a client for the endpoint and agrees on an API version with the engine.
    pub async fn connect(ep: &Endpoint) -> Result<Swarm, Error> {
        let sw = Swarm::lazy(ep)?;
        sw.negotiate().await?;
        Ok(sw)
    }

    async fn negotiate(&self) -> Result<(), Error> {
        use std::sync::atomic::Ordering;
        if self.negotiated.load(Ordering::Relaxed) {
            return Ok(());
        }
        let d = self
            .docker()
            .negotiate_version()
            .await
            .map_err(|e| self.reach(e))?;
        if let Ok(mut w) = self.docker.write() {
            *w = d;
        }
        self.negotiated.store(true, Ordering::Relaxed);
        Ok(())
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Where bytes for the engine go: the endpoint, or for `ssh://` the tunnel's local socket.
    pub fn wire(&self) -> String {
        match &self.tunnel {
            Some(t) => t.local(),
            None => self.endpoint.clone(),
        }
    }

    /// The client (cheap to clone: it shares its connection pool).
    pub fn docker(&self) -> Docker {
        match self.docker.read() {
            Ok(d) => d.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn role(&self) -> SwarmRole {
        self.role.lock().map(|r| *r).unwrap_or(SwarmRole::None)
    }

    fn hostname(&self) -> String {
        self.hostname.lock().map(|h| h.clone()).unwrap_or_default()
    }

    fn local_node_id(&self) -> String {
        self.node_id.lock().map(|h| h.clone()).unwrap_or_default()
    }

    /// Adds the other nodes' endpoints (hostname → where its engine listens).
    pub fn with_nodes(mut self, nodes: HashMap<String, Endpoint>) -> Swarm {
        self.nodes = std::sync::Arc::new(NodeEngines::new(nodes));
        self
    }

    /// The other nodes' engines (shared: exec uses them beside the driver).
    pub fn node_engines(&self) -> std::sync::Arc<NodeEngines> {
        self.nodes.clone()
    }

    fn reach(&self, e: bollard::errors::Error) -> Error {
        use bollard::errors::Error as B;
        match e {
            B::DockerResponseServerError { .. } => engine_error(e),
            other => Error::Unreachable {
                endpoint: self.endpoint.clone(),
                reason: self
                    .tunnel
                    .as_ref()
                    .and_then(|t| t.failure())
                    .map(|f| f.words())
                    .unwrap_or_else(|| bollard_reason(&other)),
            },
        }
    }

    pub async fn info(&self) -> Result<ClusterInfo, Error> {
        self.negotiate().await?;
        let info = self.docker().info().await.map_err(|e| self.reach(e))?;
        let swarm = info.swarm.as_ref();
        let active =
            swarm.and_then(|s| s.local_node_state) == Some(bollard::models::LocalNodeState::ACTIVE);
        let role = match (active, swarm.and_then(|s| s.control_available)) {
            (true, Some(true)) => SwarmRole::Manager,
            (true, _) => SwarmRole::Worker,
            _ => SwarmRole::None,
        };
        let hostname = info.name.as_deref().map(one_line).unwrap_or_default();
        if let Ok(mut r) = self.role.lock() {
            *r = role;
        }
        if let Ok(mut h) = self.hostname.lock() {
            h.clone_from(&hostname);
        }
        let node_id = swarm
            .and_then(|s| s.node_id.as_deref())
            .map(one_line)
            .unwrap_or_default();
        if let Ok(mut n) = self.node_id.lock() {
            n.clone_from(&node_id);
        }
        Ok(ClusterInfo {
            endpoint: self.endpoint.clone(),
            engine: info
                .server_version
                .as_deref()
                .map(one_line)
                .unwrap_or_default(),
            swarm: role,
            node_id,
            hostname,
            kube: None,
            id: info.id.as_deref().map(one_line).unwrap_or_default(),
            swarm_id: swarm
                .and_then(|s| s.cluster.as_ref())
                .and_then(|c| c.id.as_deref())
                .map(one_line)
                .unwrap_or_default(),
            demo: false,
        })
    }

    pub async fn nodes(&self) -> Result<Vec<Node>, Error> {
        if self.role() != SwarmRole::Manager {
            return Err(Error::NotManager);
        }
        let list = self
            .docker()
            .list_nodes(None)
            .await
            .map_err(|e| self.reach(e))?;
        let mut nodes: Vec<Node> = list.iter().map(convert::node).collect();
        nodes.sort_by(|a, b| {
            (a.role != crate::model::Role::Manager, &a.hostname)
                .cmp(&(b.role != crate::model::Role::Manager, &b.hostname))
        });
        Ok(nodes)
    }

    async fn node_names(&self) -> Result<HashMap<String, String>, Error> {
        let list = self
            .docker()
            .list_nodes(None)
            .await
            .map_err(|e| self.reach(e))?;
        Ok(list
            .iter()
            .map(convert::node)
            .map(|n| (n.id, n.hostname))
            .collect())
    }

    async fn services(&self) -> Result<Vec<bollard::models::Service>, Error> {
        let opts = ListServicesOptions {
            status: Some(true),
            ..Default::default()
        };
        self.docker()
            .list_services(Some(opts))
            .await
            .map_err(|e| self.reach(e))
    }

    async fn containers(&self) -> Result<Vec<bollard::models::ContainerSummary>, Error> {
        let opts = ListContainersOptions {
            all: true,
            ..Default::default()
        };
        self.docker()
            .list_containers(Some(opts))
            .await
            .map_err(|e| self.reach(e))
    }

    /// Services on a manager (and its compose projects); elsewhere containers grouped by compose
    /// project and service.
    pub async fn workloads(&self) -> Result<Vec<Workload>, Error> {
        let mut out = if self.role() == SwarmRole::Manager {
            let mut w: Vec<Workload> = self
                .services()
                .await?
                .iter()
                .map(convert::service)
                .collect();
            w.extend(convert::container_workloads(&self.compose_listed().await?));
            w
        } else {
            convert::container_workloads(&self.containers().await?)
        };
        out.sort_by(|a, b| (&a.stack, &a.name).cmp(&(&b.stack, &b.name)));
        Ok(out)
    }

    /// Every task on a manager (finished ones too) and its compose projects' containers;
    /// elsewhere every container.
    pub async fn instances(&self) -> Result<Vec<Instance>, Error> {
        let mut out: Vec<Instance> = if self.role() == SwarmRole::Manager {
            let services: HashMap<String, String> = self
                .services()
                .await?
                .iter()
                .map(convert::service)
                .map(|w| (w.id, w.name))
                .collect();
            let nodes = self.node_names().await?;
            let tasks = self
                .docker()
                .list_tasks(None)
                .await
                .map_err(|e| self.reach(e))?;
            let host = self.hostname();
            let compose = self.compose_listed().await?;
            let plain = compose
                .iter()
                .map(|c| convert::container_instance(c, &host));
            tasks
                .iter()
                .map(|t| convert::task(t, &services, &nodes))
                .chain(plain)
                .collect()
        } else {
            let host = self.hostname();
            self.containers()
                .await?
                .iter()
                .map(|c| convert::container_instance(c, &host))
                .collect()
        };
        out.sort_by(|a, b| {
            (&a.workload_id, a.slot, &a.node, std::cmp::Reverse(a.since)).cmp(&(
                &b.workload_id,
                b.slot,
                &b.node,
                std::cmp::Reverse(b.since),
            ))
        });
        Ok(out)
    }

    pub async fn images(&self) -> Result<Vec<Image>, Error> {
        let list = self
            .docker()
            .list_images(Some(ListImagesOptions {
                all: false,
                ..Default::default()
            }))
            .await
            .map_err(|e| self.reach(e))?;
        Ok(convert::images(&list))
    }

    /// The engine's /events for services, nodes, containers and images, as "what is stale now".
    pub fn changes(&self) -> BoxStream<'static, Result<Dirty, Error>> {
        let filters = HashMap::from([(
            "type".to_string(),
            ["service", "node", "container", "image", "daemon"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        )]);
        let opts = EventsOptions {
            filters: Some(filters),
            ..Default::default()
        };
        let endpoint = self.endpoint.clone();
        self.docker()
            .events(Some(opts))
            .map(move |ev| match ev {
                Ok(ev) => Ok(dirty_for(
                    ev.typ.map(|t| t.to_string()).as_deref().unwrap_or(""),
                    ev.action.as_deref().unwrap_or(""),
                )),
                Err(e) => Err(Error::Unreachable {
                    endpoint: endpoint.clone(),
                    reason: bollard_reason(&e),
                }),
            })
            .boxed()
    }

    pub async fn logs(
        &self,
        target: &crate::model::LogTarget,
        opts: &crate::model::LogOptions,
        tx: tokio::sync::mpsc::Sender<Vec<crate::model::LogLine>>,
    ) -> Result<(), Error> {
        logs::follow(self, target, opts, tx).await
    }
}

fn dirty_for(kind: &str, action: &str) -> Dirty {
    match kind {
        "service" => Dirty {
            workloads: true,
            instances: true,
            ..Dirty::default()
        },
        "node" => Dirty {
            nodes: true,
            instances: true,
            ..Dirty::default()
        },
        "container" => Dirty {
            workloads: true,
            instances: true,
            ..Dirty::default()
        },
        "image" => Dirty {
            images: true,
            pushed: action == "push",
            ..Dirty::default()
        },
        _ => Dirty::ALL,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_push_is_news_and_other_image_events_only_list_images_again() {
        let push = dirty_for("image", "push");
        assert!(push.pushed && push.images);
        let tag = dirty_for("image", "tag");
        assert!(tag.images && !tag.pushed);
    }
}
