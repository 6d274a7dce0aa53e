//! The Kubernetes backend, through kube: nodes, Deployments as workloads, Pods as instances, pod
//! logs, and the actions that make sense there. Changes arrive through watchers (no polling);
//! `ctx` and `ns` switch the context and the namespace.

mod any;
mod apply;
mod convert;
mod deployments;
mod diff;
mod discovery;
mod events;
mod forward;
mod inspect;
mod kubeconfig;
mod logs;
mod metrics;
mod nodes;
mod objects;
mod ops;
mod sets;
mod store;
mod switch;
mod tables;
mod tree;
mod watch;

use super::{Dirty, Error};
use crate::model::{ClusterInfo, Image, Instance, Node, SwarmRole, Workload};
use crate::sanitize::one_line;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::core::v1::{Node as KNode, Pod};
use kube::api::{Api, ListParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use std::path::{Path, PathBuf};
use std::sync::RwLock;

/// The current client of a [`Kube`], shared.
#[derive(Clone)]
pub struct Clients(std::sync::Arc<RwLock<Conn>>);

impl Clients {
    pub fn client(&self) -> kube::Client {
        match self.0.read() {
            Ok(c) => c.client.clone(),
            Err(p) => p.into_inner().client.clone(),
        }
    }
}

/// Which context and namespace the console looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub context: String,
    /// `None`: every namespace; several are joined by commas (`:ns dev,prd`).
    pub namespace: Option<String>,
}

impl Scope {
    /// The one namespace looked at, when it is one.
    pub fn single(&self) -> Option<&str> {
        self.namespace.as_deref().filter(|n| !n.contains(','))
    }

    /// The namespaces looked at when they are several (watched across all, kept if theirs).
    pub fn several(&self) -> Option<Vec<String>> {
        let ns = self.namespace.as_deref().filter(|n| n.contains(','))?;
        Some(ns.split(',').map(str::to_string).collect())
    }

    /// Whether an object of namespace `ns` is in the scope.
    pub fn holds(&self, ns: Option<&str>) -> bool {
        match self.several() {
            Some(list) => ns.is_some_and(|n| list.iter().any(|l| l == n)),
            None => true,
        }
    }
}

struct Conn {
    client: kube::Client,
    url: String,
    scope: Scope,
    /// Bumped at each context switch, so the watchers follow the new cluster.
    generation: u64,
    /// What the watchers of this context and namespace keep (none while none run: a
    /// headless command lists what it needs).
    store: Option<std::sync::Arc<store::Store>>,
    /// The kinds the server serves, asked once per context (again when a word names none).
    kinds: Option<std::sync::Arc<Vec<crate::model::kube::ApiKind>>>,
}

pub struct Kube {
    conn: std::sync::Arc<RwLock<Conn>>,
    /// The kubeconfig read at start, for switching contexts; `None` in a cluster.
    kubeconfig: Option<Kubeconfig>,
    switched: tokio::sync::watch::Sender<u64>,
    /// The namespace chosen in each context this session (`:ns`), taken up again on `:ctx`.
    namespaces: std::sync::Mutex<std::collections::HashMap<String, Option<String>>>,
    /// The demo cluster this talks to (`--demo --kube`), kept alive with it.
    demo: Option<crate::backend::demo::kube::Cluster>,
}

/// The demo cluster's one context, as minikube names its own.
pub const DEMO_CONTEXT: &str = "minikube";

fn unreachable(url: &str, e: impl std::fmt::Display) -> Error {
    Error::Unreachable {
        endpoint: url.to_string(),
        reason: one_line(&e.to_string()),
    }
}

/// A kube error in words: the API server's message when it sent one.
pub fn kube_error(e: kube::Error) -> Error {
    match e {
        kube::Error::Api(s) if s.code == 403 => Error::Forbidden(one_line(&s.message)),
        kube::Error::Api(s) => Error::engine(one_line(&s.message)),
        other => Error::engine(one_line(&other.to_string())),
    }
}

/// A client that does not retry on its own: a 429 is an answer here (a disruption budget
/// refusing an eviction, which kube's default retry would repeat for minutes), and the
/// watchers and the console already retry what is worth retrying, saying so.
fn new_client(mut config: kube::Config, url: &str) -> Result<kube::Client, Error> {
    config.default_retry = false;
    // The API server's logs (and audit) say who asked, as they do for kubectl.
    config.headers.push((
        http::header::USER_AGENT,
        http::HeaderValue::from_static(concat!("estiba/", env!("CARGO_PKG_VERSION"))),
    ));
    kube::Client::try_from(config).map_err(|e| unreachable(url, e))
}

async fn client_for(
    kc: &Kubeconfig,
    context: Option<&str>,
) -> Result<(kube::Client, String, Scope), Error> {
    let opts = KubeConfigOptions {
        context: context.map(str::to_string),
        ..Default::default()
    };
    let name = context
        .map(str::to_string)
        .or_else(|| kc.current_context.clone())
        .unwrap_or_default();
    if let Some(c) = context
        && !kc.contexts.iter().any(|n| n.name == c)
    {
        let known = kc.contexts.iter().map(|n| n.name.as_str());
        return Err(Error::NotFound {
            kind: "kind.context",
            name: c.to_string(),
            suggestion: crate::suggest::closest(c, known),
        });
    }
    let config = kube::Config::from_custom_kubeconfig(kc.clone(), &opts)
        .await
        .map_err(|e| Error::Endpoint(one_line(&e.to_string())))?;
    let url = config.cluster_url.to_string();
    let namespace = config.default_namespace.clone();
    let client = new_client(config, &url)?;
    Ok((
        client,
        url,
        Scope {
            context: name,
            namespace: Some(namespace),
        },
    ))
}

impl Kube {
    /// A client for the kubeconfig's context (or `context`); in a pod, the in-cluster config.
    /// Fails only when there is no usable configuration; an unreachable server is found later.
    pub async fn connect(path: Option<&Path>, context: Option<&str>) -> Result<Kube, Error> {
        let (kubeconfig, (client, url, scope)) = match kubeconfig::read(path) {
            Ok(kc) => {
                let c = client_for(&kc, context).await?;
                (Some(kc), c)
            }
            Err(e) if path.is_none() && context.is_none() => {
                let config = kube::Config::incluster().map_err(|_| e)?;
                let url = config.cluster_url.to_string();
                let ns = config.default_namespace.clone();
                let client = new_client(config, &url)?;
                let scope = Scope {
                    context: "in-cluster".into(),
                    namespace: Some(ns),
                };
                (None, (client, url, scope))
            }
            Err(e) => return Err(e),
        };
        Ok(Kube {
            conn: std::sync::Arc::new(RwLock::new(Conn {
                client,
                url,
                scope,
                generation: 0,
                store: None,
                kinds: None,
            })),
            kubeconfig,
            switched: tokio::sync::watch::channel(0).0,
            namespaces: Default::default(),
            demo: None,
        })
    }

    /// The backend on the demo cluster (`estiba --demo --kube`): the same requests, watches
    /// and actions as on a real one, answered by the API server the demo simulates.
    pub fn demo(cluster: crate::backend::demo::kube::Cluster) -> Kube {
        Kube {
            conn: std::sync::Arc::new(RwLock::new(Conn {
                client: cluster.client(),
                url: "demo".into(),
                scope: Scope {
                    context: DEMO_CONTEXT.into(),
                    namespace: Some("default".into()),
                },
                generation: 0,
                store: None,
                kinds: None,
            })),
            kubeconfig: None,
            switched: tokio::sync::watch::channel(0).0,
            namespaces: Default::default(),
            demo: Some(cluster),
        }
    }

    pub fn is_demo(&self) -> bool {
        self.demo.is_some()
    }

    fn read<T>(&self, f: impl FnOnce(&Conn) -> T) -> T {
        match self.conn.read() {
            Ok(c) => f(&c),
            Err(p) => f(&p.into_inner()),
        }
    }

    fn client(&self) -> kube::Client {
        self.read(|c| c.client.clone())
    }

    /// The connection's client as it is when used (it changes with the context), for `exec`,
    /// which talks to the API server beside the driver.
    pub fn clients(&self) -> Clients {
        Clients(self.conn.clone())
    }

    pub fn scope(&self) -> Scope {
        self.read(|c| c.scope.clone())
    }

    pub fn endpoint(&self) -> String {
        self.read(|c| c.url.clone())
    }

    /// Whether names are shown with their namespace (every namespace, or several).
    fn all_namespaces(&self) -> bool {
        self.scope().single().is_none()
    }

    /// An API for a namespaced kind in the current namespace (or all of them).
    fn api<K>(&self) -> Api<K>
    where
        K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>,
        <K as kube::Resource>::DynamicType: Default,
    {
        match self.scope().single() {
            Some(ns) => Api::namespaced(self.client(), ns),
            None => Api::all(self.client()),
        }
    }

    pub async fn info(&self) -> Result<ClusterInfo, Error> {
        let url = self.endpoint();
        let v = self
            .client()
            .apiserver_version()
            .await
            .map_err(|e| unreachable(&url, e))?;
        let scope = self.scope();
        // The cluster's identity, as `kubectl` users take it: the kube-system namespace's UID
        // (made once, when the cluster is created). A user who may not read it gets the URL.
        let id = Api::<k8s_openapi::api::core::v1::Namespace>::all(self.client())
            .get_opt("kube-system")
            .await
            .ok()
            .flatten()
            .and_then(|n| n.metadata.uid)
            .map(|u| one_line(&u))
            .unwrap_or_else(|| url.clone());
        Ok(ClusterInfo {
            id,
            swarm_id: String::new(),
            demo: self.is_demo(),
            endpoint: url,
            engine: format!("Kubernetes {}", one_line(&v.git_version)),
            swarm: SwarmRole::Manager,
            node_id: String::new(),
            hostname: String::new(),
            kube: Some(crate::model::KubeScope {
                context: scope.context,
                namespace: scope.namespace,
            }),
        })
    }

    /// The watchers' store, when they run for the current context and namespace.
    fn store(&self) -> Option<std::sync::Arc<store::Store>> {
        self.read(|c| c.store.clone())
    }

    /// The listings the watchers are still making their first list of: the driver waits for
    /// them (the store says when they are in) rather than listing them itself.
    pub fn unlisted(&self) -> Dirty {
        self.store().map(|s| s.pending()).unwrap_or_default()
    }

    pub async fn nodes(&self) -> Result<Vec<Node>, Error> {
        if let Some(v) = self.store().and_then(|s| s.nodes()) {
            return Ok(v);
        }
        let api: Api<KNode> = Api::all(self.client());
        let list = api.list(&ListParams::default()).await.map_err(kube_error)?;
        let mut v: Vec<Node> = list.items.iter().map(convert::node).collect();
        v.sort_by(|a, b| {
            (a.role != crate::model::Role::Manager, &a.hostname)
                .cmp(&(b.role != crate::model::Role::Manager, &b.hostname))
        });
        Ok(v)
    }

    pub async fn workloads(&self) -> Result<Vec<Workload>, Error> {
        if let Some(v) = self.store().and_then(|s| s.workloads()) {
            return Ok(v);
        }
        let all = self.all_namespaces();
        let list = self
            .api::<Deployment>()
            .list(&ListParams::default())
            .await
            .map_err(kube_error)?;
        let scope = self.scope();
        let held = |m: &kube::api::ObjectMeta| scope.holds(m.namespace.as_deref());
        let mut v: Vec<Workload> = list
            .items
            .iter()
            .filter(|d| held(&d.metadata))
            .map(|d| convert::deployment(d, all))
            .collect();
        for s in self
            .api::<StatefulSet>()
            .list(&ListParams::default())
            .await
            .map_err(kube_error)?
            .items
        {
            if held(&s.metadata) {
                v.push(store::stateful_set(&s, all));
            }
        }
        for d in self
            .api::<DaemonSet>()
            .list(&ListParams::default())
            .await
            .map_err(kube_error)?
            .items
        {
            if held(&d.metadata) {
                v.push(store::daemon_set(&d, all));
            }
        }
        v.sort_by(|a, b| (&a.stack, &a.name).cmp(&(&b.stack, &b.name)));
        Ok(v)
    }

    pub async fn instances(&self) -> Result<Vec<Instance>, Error> {
        if let Some(v) = self.store().and_then(|s| s.instances()) {
            return Ok(v);
        }
        let all = self.all_namespaces();
        let sets = self
            .api::<ReplicaSet>()
            .list(&ListParams::default())
            .await
            .map_err(kube_error)?;
        let owners = convert::owners(&sets.items);
        let pods = self
            .api::<Pod>()
            .list(&ListParams::default())
            .await
            .map_err(kube_error)?;
        let scope = self.scope();
        let mut v: Vec<Instance> = pods
            .items
            .iter()
            .filter(|p| scope.holds(p.metadata.namespace.as_deref()))
            .map(|p| convert::pod(p, &owners, all))
            .collect();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(v)
    }

    /// The pods of one workload: from the watchers' store when they run, else listed through
    /// the Deployment's selector in its namespace (as `kubectl get pods -l`), not every pod.
    pub async fn instances_of(&self, w: &Workload) -> Result<Vec<Instance>, Error> {
        let mine = |v: Vec<Instance>| -> Vec<Instance> {
            v.into_iter().filter(|i| i.workload_id == w.id).collect()
        };
        if let Some(v) = self.store().and_then(|s| s.instances()) {
            return Ok(mine(v));
        }
        let Ok(d) = self.deployment_by_uid(&w.id).await else {
            return Ok(mine(self.instances().await?));
        };
        let ns = d.metadata.namespace.clone().unwrap_or_default();
        let by = ListParams::default().labels(&convert::selector(&d.spec.selector));
        let sets = Api::<ReplicaSet>::namespaced(self.client(), &ns)
            .list(&by)
            .await
            .map_err(kube_error)?;
        let owners = convert::owners(&sets.items);
        let all = self.all_namespaces();
        let pods = Api::<Pod>::namespaced(self.client(), &ns)
            .list(&by)
            .await
            .map_err(kube_error)?;
        let mut v = mine(
            pods.items
                .iter()
                .map(|p| convert::pod(p, &owners, all))
                .collect(),
        );
        v.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(v)
    }

    /// Nodes run their own images; there is no image list to show.
    pub async fn images(&self) -> Result<Vec<Image>, Error> {
        Ok(vec![])
    }

    /// The pods of a Deployment (by UID), through its selector.
    /// The pods of a Deployment, StatefulSet or DaemonSet, by its selector.
    async fn pods_of(&self, uid: &str) -> Result<Vec<Pod>, Error> {
        let (ns, selector) = self.selector_by_uid(uid).await?;
        let api: Api<Pod> = Api::namespaced(self.client(), &ns);
        Ok(api
            .list(&ListParams::default().labels(&selector))
            .await
            .map_err(kube_error)?
            .items)
    }

    /// The namespace and label selector of the workload `uid`, whichever its kind.
    async fn selector_by_uid(&self, uid: &str) -> Result<(String, String), Error> {
        let of = |m: &kube::api::ObjectMeta| m.uid.as_deref() == Some(uid);
        let ns = |m: &kube::api::ObjectMeta| m.namespace.clone().unwrap_or_default();
        if let Ok(d) = self.deployment_by_uid(uid).await {
            return Ok((ns(&d.metadata), convert::selector(&d.spec.selector)));
        }
        let lp = ListParams::default();
        let sets = self
            .api::<StatefulSet>()
            .list(&lp)
            .await
            .map_err(kube_error)?;
        if let Some(s) = sets.items.into_iter().find(|s| of(&s.metadata)) {
            return Ok((ns(&s.metadata), convert::selector(&s.spec.selector)));
        }
        let daemons = self
            .api::<DaemonSet>()
            .list(&lp)
            .await
            .map_err(kube_error)?;
        if let Some(d) = daemons.items.into_iter().find(|d| of(&d.metadata)) {
            return Ok((ns(&d.metadata), convert::selector(&d.spec.selector)));
        }
        Err(Error::NotFound {
            kind: "kind.workload",
            name: uid.to_string(),
            suggestion: None,
        })
    }

    async fn deployment_by_uid(&self, uid: &str) -> Result<Deployment, Error> {
        let list = self
            .api::<Deployment>()
            .list(&ListParams::default())
            .await
            .map_err(kube_error)?;
        list.items
            .into_iter()
            .find(|d| d.metadata.uid.as_deref() == Some(uid))
            .ok_or_else(|| Error::NotFound {
                kind: "kind.deployment",
                name: uid.to_string(),
                suggestion: None,
            })
    }

    /// Checks that a cluster-wide object (a node, a namespace) exists; if not, names the closest.
    pub(super) async fn require_cluster_object<K>(
        &self,
        name: &str,
        kind: &'static str,
    ) -> Result<(), Error>
    where
        K: kube::Resource<Scope = k8s_openapi::ClusterResourceScope>
            + Clone
            + serde::de::DeserializeOwned
            + std::fmt::Debug,
        <K as kube::Resource>::DynamicType: Default,
    {
        let names: Vec<String> = Api::<K>::all(self.client())
            .list(&ListParams::default())
            .await
            .map_err(kube_error)?
            .items
            .into_iter()
            .filter_map(|o| o.meta().name.clone())
            .collect();
        if names.iter().any(|n| n == name) {
            return Ok(());
        }
        Err(Error::NotFound {
            kind,
            name: name.to_string(),
            suggestion: crate::suggest::closest(name, names.iter().map(String::as_str)),
        })
    }
}

/// Where the kubeconfig comes from, for messages: the flag, KUBECONFIG, or the default path.
pub fn config_source(path: Option<&Path>) -> PathBuf {
    path.map(Path::to_path_buf)
        .or_else(|| std::env::var_os("KUBECONFIG").map(PathBuf::from))
        .unwrap_or_else(|| {
            std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_default()
                .join(".kube/config")
        })
}
