//! What the panes show of a Kubernetes cluster, kept by the watchers themselves: one LIST (in
//! pages) then one WATCH per kind, each event applied here, and the listings read from here.
//! Nothing is listed again because something changed; kube's watcher resumes a dropped watch
//! from the last resourceVersion (bookmarks keep it fresh) and lists again only when the server
//! says that version is gone (410).
//!
//! Only a projection of each object is kept (the row the panes draw, what the checks read),
//! never the object itself: memory grows with the rows, not with the objects' size.

use super::convert;
use crate::model::{Instance, Node, Workload};
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::core::v1::{Node as KNode, Pod};
use kube::runtime::watcher::Event;
use std::collections::HashMap;
use std::sync::RwLock;

/// One kind's objects as projected, by UID.
struct Kind<T> {
    items: HashMap<String, T>,
    /// The objects of a list again (after a 410): they replace `items` when it is done.
    listing: Option<HashMap<String, T>>,
    /// Its first list is in.
    ready: bool,
    /// Its first list is under way: its pages are shown as they come (a Deployment's pods are
    /// on screen after the first page of 10 000, not after the twentieth).
    filling: bool,
}

impl<T> Default for Kind<T> {
    fn default() -> Self {
        Kind {
            items: HashMap::new(),
            listing: None,
            ready: false,
            filling: false,
        }
    }
}

impl<T: PartialEq> Kind<T> {
    /// Applies one watcher event; whether what the panes show changed.
    fn apply<K: kube::Resource>(&mut self, ev: Event<K>, project: impl Fn(&K) -> T) -> bool {
        let uid = |o: &K| o.meta().uid.clone();
        match ev {
            Event::Init if !self.ready => {
                self.items.clear();
                self.filling = true;
                false
            }
            Event::Init => {
                self.listing = Some(HashMap::new());
                false
            }
            Event::InitApply(o) if self.filling => {
                if let Some(k) = uid(&o) {
                    self.items.insert(k, project(&o));
                }
                true
            }
            Event::InitApply(o) => {
                if let (Some(l), Some(k)) = (self.listing.as_mut(), uid(&o)) {
                    l.insert(k, project(&o));
                }
                false
            }
            Event::InitDone => {
                if let Some(l) = self.listing.take() {
                    self.items = l;
                }
                self.ready = true;
                self.filling = false;
                true
            }
            Event::Apply(o) => {
                let Some(k) = uid(&o) else { return false };
                let row = project(&o);
                if self.items.get(&k) == Some(&row) {
                    return false;
                }
                self.items.insert(k, row);
                true
            }
            Event::Delete(o) => uid(&o).is_some_and(|k| self.items.remove(&k).is_some()),
        }
    }

    /// Its objects, once its first list is in or under way with some.
    fn values(&self) -> Option<impl Iterator<Item = &T>> {
        (self.ready || (self.filling && !self.items.is_empty())).then(|| self.items.values())
    }
}

/// A pod's row, and the workload it belongs to as far as the pod alone tells: its ReplicaSet's
/// UID (resolved to the Deployment when read), or its StatefulSet's or DaemonSet's.
#[derive(PartialEq)]
struct PodRow {
    row: Instance,
    set: Option<String>,
}

#[derive(Default)]
struct Kinds {
    nodes: Kind<Node>,
    deployments: Kind<Workload>,
    stateful: Kind<Workload>,
    daemons: Kind<Workload>,
    /// A ReplicaSet's UID → its Deployment's UID.
    sets: Kind<Option<String>>,
    pods: Kind<PodRow>,
    /// The listings a watcher of which was refused (403): their readers list, and say why.
    refused: crate::backend::Dirty,
}

/// The watched listings of one context and namespace.
pub struct Store {
    kinds: RwLock<Kinds>,
    /// Every namespace is looked at: names are shown as `namespace/name`.
    all_namespaces: bool,
    /// Several namespaces are looked at: objects of the others are left out.
    only: Option<Vec<String>>,
}

/// Whether a watcher event is about an object of a namespace not looked at.
fn outside<K: kube::Resource>(e: &Event<K>, only: &Option<Vec<String>>) -> bool {
    let Some(only) = only else {
        return false;
    };
    match e {
        Event::Apply(o) | Event::Delete(o) | Event::InitApply(o) => !o
            .meta()
            .namespace
            .as_ref()
            .is_some_and(|n| only.contains(n)),
        Event::Init | Event::InitDone => false,
    }
}

/// A watcher event of one kind, to apply.
pub enum Change {
    Node(Event<KNode>),
    Deployment(Event<Deployment>),
    StatefulSet(Event<StatefulSet>),
    DaemonSet(Event<DaemonSet>),
    ReplicaSet(Event<ReplicaSet>),
    Pod(Event<Pod>),
}

fn first_image(spec: &Option<k8s_openapi::api::core::v1::PodSpec>) -> String {
    spec.as_ref()
        .and_then(|s| s.containers.first())
        .and_then(|c| c.image.clone())
        .unwrap_or_default()
}

/// A StatefulSet's row, as the panes show it.
pub fn stateful_set(s: &StatefulSet, all: bool) -> Workload {
    let st = s.status.clone().unwrap_or_default();
    convert::other_workload(
        &s.metadata,
        "StatefulSet",
        st.ready_replicas.unwrap_or(0),
        s.spec.replicas.unwrap_or(1),
        first_image(&s.spec.template.spec),
        all,
    )
}

/// A DaemonSet's row, as the panes show it.
pub fn daemon_set(d: &DaemonSet, all: bool) -> Workload {
    let st = d.status.clone().unwrap_or_default();
    convert::other_workload(
        &d.metadata,
        "DaemonSet",
        st.number_ready,
        st.desired_number_scheduled,
        first_image(&d.spec.template.spec),
        all,
    )
}

/// The Deployment a ReplicaSet belongs to.
fn set_owner(rs: &ReplicaSet) -> Option<String> {
    rs.metadata
        .owner_references
        .as_ref()?
        .iter()
        .find(|o| o.kind == "Deployment")
        .map(|o| o.uid.clone())
}

fn pod_row(p: &Pod, all: bool) -> PodRow {
    let set = p.metadata.owner_references.as_ref().and_then(|refs| {
        refs.iter()
            .find(|o| o.kind == "ReplicaSet")
            .map(|o| o.uid.clone())
    });
    PodRow {
        row: convert::pod(p, &HashMap::new(), all),
        set,
    }
}

impl Store {
    /// `only`: several namespaces looked at (the watchers watch every namespace, and the
    /// store keeps those).
    pub fn new(all_namespaces: bool, only: Option<Vec<String>>) -> Store {
        Store {
            kinds: RwLock::new(Kinds::default()),
            all_namespaces,
            only,
        }
    }

    fn read<T>(&self, f: impl FnOnce(&Kinds) -> T) -> T {
        match self.kinds.read() {
            Ok(k) => f(&k),
            Err(p) => f(&p.into_inner()),
        }
    }

    /// Applies a watcher event; whether what the panes show changed.
    pub fn apply(&self, change: Change) -> bool {
        let all = self.all_namespaces;
        let only = &self.only;
        let out = match &change {
            Change::Node(_) => false,
            Change::Deployment(e) => outside(e, only),
            Change::StatefulSet(e) => outside(e, only),
            Change::DaemonSet(e) => outside(e, only),
            Change::ReplicaSet(e) => outside(e, only),
            Change::Pod(e) => outside(e, only),
        };
        if out {
            return false;
        }
        let mut k = match self.kinds.write() {
            Ok(k) => k,
            Err(p) => p.into_inner(),
        };
        match change {
            Change::Node(e) => k.nodes.apply(e, convert::node),
            Change::Deployment(e) => k.deployments.apply(e, |d| convert::deployment(d, all)),
            Change::StatefulSet(e) => k.stateful.apply(e, |s| stateful_set(s, all)),
            Change::DaemonSet(e) => k.daemons.apply(e, |d| daemon_set(d, all)),
            Change::ReplicaSet(e) => k.sets.apply(e, set_owner),
            Change::Pod(e) => k.pods.apply(e, |p| pod_row(p, all)),
        }
    }

    /// A watcher was refused (the user may not watch its kind): its listings are left to
    /// their readers, which say why.
    pub fn refuse(&self, d: crate::backend::Dirty) {
        match self.kinds.write() {
            Ok(mut k) => k.refused.merge(d),
            Err(p) => p.into_inner().refused.merge(d),
        }
    }

    /// The listings still waiting for their watchers' first list.
    pub fn pending(&self) -> crate::backend::Dirty {
        let refused = self.read(|k| k.refused);
        crate::backend::Dirty {
            nodes: self.nodes().is_none(),
            workloads: self.workloads().is_none(),
            instances: self.instances().is_none(),
            ..Default::default()
        }
        .without(refused)
    }

    /// The nodes, once listed.
    pub fn nodes(&self) -> Option<Vec<Node>> {
        self.read(|k| {
            let mut v: Vec<Node> = k.nodes.values()?.cloned().collect();
            v.sort_by(|a, b| {
                (a.role != crate::model::Role::Manager, &a.hostname)
                    .cmp(&(b.role != crate::model::Role::Manager, &b.hostname))
            });
            Some(v)
        })
    }

    /// Deployments, StatefulSets and DaemonSets, once each is listed.
    pub fn workloads(&self) -> Option<Vec<Workload>> {
        self.read(|k| {
            let mut v: Vec<Workload> = k.deployments.values()?.cloned().collect();
            v.extend(k.stateful.values()?.cloned());
            v.extend(k.daemons.values()?.cloned());
            v.sort_by(|a, b| (&a.stack, &a.name).cmp(&(&b.stack, &b.name)));
            Some(v)
        })
    }

    /// The pods, each with its workload, once pods and ReplicaSets are listed.
    pub fn instances(&self) -> Option<Vec<Instance>> {
        self.read(|k| {
            let sets = &k.sets;
            if !sets.ready {
                return None;
            }
            let mut v: Vec<Instance> = k
                .pods
                .values()?
                .map(|p| {
                    let mut row = p.row.clone();
                    if let Some(set) = &p.set {
                        row.workload_id =
                            sets.items.get(set).cloned().flatten().unwrap_or_default();
                    }
                    row
                })
                .collect();
            v.sort_by(|a, b| a.name.cmp(&b.name));
            Some(v)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

    fn owner(kind: &str, uid: &str) -> OwnerReference {
        OwnerReference {
            kind: kind.into(),
            uid: uid.into(),
            name: uid.into(),
            api_version: "apps/v1".into(),
            ..Default::default()
        }
    }

    fn pod(uid: &str, set: &str, node: &str) -> Pod {
        Pod {
            metadata: ObjectMeta {
                uid: Some(uid.into()),
                name: Some(format!("web-{uid}")),
                namespace: Some("default".into()),
                owner_references: Some(vec![owner("ReplicaSet", set)]),
                ..Default::default()
            },
            spec: Some(k8s_openapi::api::core::v1::PodSpec {
                node_name: Some(node.into()),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn set(uid: &str, deployment: &str) -> ReplicaSet {
        ReplicaSet {
            metadata: ObjectMeta {
                uid: Some(uid.into()),
                owner_references: Some(vec![owner("Deployment", deployment)]),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[test]
    fn a_list_then_changes_are_kept_and_pods_find_their_deployment() {
        let s = Store::new(false, None);
        assert_eq!(s.instances(), None, "nothing before the first list");
        assert!(!s.apply(Change::Pod(Event::Init)));
        // The first list is shown page by page, once the ReplicaSets are in.
        assert!(s.apply(Change::Pod(Event::InitApply(pod("p1", "rs1", "n1")))));
        assert_eq!(s.instances(), None, "the ReplicaSets are not listed yet");
        s.apply(Change::ReplicaSet(Event::Init));
        s.apply(Change::ReplicaSet(Event::InitApply(set("rs1", "dep1"))));
        s.apply(Change::ReplicaSet(Event::InitDone));
        assert_eq!(s.instances().unwrap().len(), 1);
        assert!(s.apply(Change::Pod(Event::InitApply(pod("p2", "rs1", "n1")))));
        assert!(s.apply(Change::Pod(Event::InitDone)));
        let v = s.instances().unwrap();
        assert_eq!(v.len(), 2);
        assert!(v.iter().all(|i| i.workload_id == "dep1"), "{v:?}");
        // The same pod again: nothing changed for the panes.
        assert!(!s.apply(Change::Pod(Event::Apply(pod("p1", "rs1", "n1")))));
        // Moved to another node: a change.
        assert!(s.apply(Change::Pod(Event::Apply(pod("p1", "rs1", "n2")))));
        assert!(s.apply(Change::Pod(Event::Delete(pod("p2", "rs1", "n1")))));
        let v = s.instances().unwrap();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].node, "n2");
        // A list again (after a 410) is not shown half: what it holds replaces what was kept,
        // when it is done.
        s.apply(Change::Pod(Event::Init));
        s.apply(Change::Pod(Event::InitApply(pod("p3", "rs1", "n1"))));
        assert_eq!(s.instances().unwrap()[0].id, "p1");
        s.apply(Change::Pod(Event::InitDone));
        let v = s.instances().unwrap();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].id, "p3");
    }
}
