//! The watchers: one per kind the panes show, each keeping its kind in the [`store`](super::store)
//! and saying which listings changed.

use super::{Kube, store};
use crate::backend::{Dirty, Error};
use futures::StreamExt;
use futures::stream::BoxStream;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::core::v1::{Node as KNode, Pod};
use kube::api::Api;
use kube::runtime::watcher;

/// Whether a watcher failed because the user may not list or watch its kind (403).
fn forbidden(e: &watcher::Error) -> bool {
    match e {
        watcher::Error::InitialListFailed(kube::Error::Api(s))
        | watcher::Error::WatchStartFailed(kube::Error::Api(s))
        | watcher::Error::WatchFailed(kube::Error::Api(s)) => s.code == 403,
        watcher::Error::WatchError(s) => s.code == 403,
        _ => false,
    }
}

impl Kube {
    /// Watchers on nodes, Deployments, StatefulSets, DaemonSets, ReplicaSets and Pods, each
    /// keeping its kind in the store the listings are read from; a change the panes show marks
    /// its listings stale. A context or namespace switch ends them (the driver makes them again).
    pub fn changes(&self) -> BoxStream<'static, Result<Dirty, Error>> {
        let client = self.client();
        let generation = self.read(|c| c.generation);
        let mut switched = self.switched.subscribe();
        let scope = self.scope();
        let ns = scope.single().map(str::to_string);
        let kept = std::sync::Arc::new(store::Store::new(ns.is_none(), scope.several()));
        if let Ok(mut c) = self.conn.write()
            && c.generation == generation
        {
            c.store = Some(kept.clone());
        }
        let nodes = Dirty {
            nodes: true,
            ..Dirty::default()
        };
        let workloads = Dirty {
            workloads: true,
            ..Dirty::default()
        };
        let pods = Dirty {
            instances: true,
            ..Dirty::default()
        };
        use store::Change as C;
        let watchers = futures::stream::select_all([
            watch(Api::<KNode>::all(client.clone()), &kept, nodes, C::Node),
            watch(
                scoped::<Deployment>(&client, &ns),
                &kept,
                workloads,
                C::Deployment,
            ),
            watch(
                scoped::<StatefulSet>(&client, &ns),
                &kept,
                workloads,
                C::StatefulSet,
            ),
            watch(
                scoped::<DaemonSet>(&client, &ns),
                &kept,
                workloads,
                C::DaemonSet,
            ),
            watch(
                scoped::<ReplicaSet>(&client, &ns),
                &kept,
                pods,
                C::ReplicaSet,
            ),
            watch(scoped::<Pod>(&client, &ns), &kept, pods, C::Pod),
        ]);
        // Ends (and the driver reconnects with the new client) when the context or the
        // namespace changes.
        let ended = async move {
            let _ = switched.wait_for(|g| *g != generation).await;
        };
        watchers.take_until(ended).boxed()
    }
}

/// The namespaced kinds are watched in the namespace looked at, so a user whose Role covers one
/// namespace can watch it.
fn scoped<K>(client: &kube::Client, ns: &Option<String>) -> Api<K>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>,
    <K as kube::Resource>::DynamicType: Default,
{
    match ns {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    }
}

/// One kind's watcher, its events kept in `store`: a change the panes show yields `dirty`. A
/// failed watch is retried with backoff from where it was (the watcher keeps its
/// resourceVersion) and asks the driver to look at the server (`info`), which says whether the
/// cluster is away; a kind the user may not watch ends its watcher, and the listing (made by
/// the reader then) says why.
fn watch<K>(
    api: Api<K>,
    store: &std::sync::Arc<store::Store>,
    dirty: Dirty,
    change: fn(watcher::Event<K>) -> store::Change,
) -> BoxStream<'static, Result<Dirty, Error>>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug + Send + 'static,
    <K as kube::Resource>::DynamicType: Default + Eq + std::hash::Hash + Clone,
{
    use kube::runtime::WatchStreamExt;
    let store = store.clone();
    watcher(api, watcher::Config::default())
        .default_backoff()
        .scan(false, move |refused, r| {
            let d = match r {
                _ if *refused => return std::future::ready(None),
                Ok(ev) => store.apply(change(ev)).then_some(Ok(dirty)),
                Err(e) if forbidden(&e) => {
                    *refused = true;
                    store.refuse(dirty);
                    Some(Ok(dirty))
                }
                Err(e) => {
                    tracing::debug!("watch failed, resuming: {e}");
                    Some(Ok(Dirty {
                        info: true,
                        ..Dirty::default()
                    }))
                }
            };
            std::future::ready(Some(d))
        })
        .filter_map(std::future::ready)
        .boxed()
}
