//! The kinds the demo API server serves, as a v1.34 server names them, and its discovery
//! documents (aggregated, as kubectl and kube ask, and the older per-group lists).

use serde_json::{Value, json};

/// One resource the server serves.
pub struct Res {
    pub group: &'static str,
    pub version: &'static str,
    pub plural: &'static str,
    pub kind: &'static str,
    pub namespaced: bool,
    pub short: &'static [&'static str],
    pub categories: &'static [&'static str],
    pub subresources: &'static [&'static str],
    /// Only read (metrics): get and list.
    pub read_only: bool,
}

impl Res {
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    pub fn singular(&self) -> String {
        self.kind.to_lowercase()
    }

    fn verbs(&self) -> Vec<&'static str> {
        if self.read_only {
            return vec!["get", "list"];
        }
        vec![
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ]
    }
}

const fn res(
    group: &'static str,
    version: &'static str,
    plural: &'static str,
    kind: &'static str,
    namespaced: bool,
    short: &'static [&'static str],
) -> Res {
    Res {
        group,
        version,
        plural,
        kind,
        namespaced,
        short,
        categories: &[],
        subresources: &[],
        read_only: false,
    }
}

const ALL_CAT: &[&str] = &["all"];
const SCALE: &[&str] = &["scale", "status"];

/// Every kind, in the order the server lists its groups (the core group first).
pub static KINDS: &[Res] = &[
    res("", "v1", "configmaps", "ConfigMap", true, &["cm"]),
    res("", "v1", "endpoints", "Endpoints", true, &["ep"]),
    res("", "v1", "events", "Event", true, &["ev"]),
    Res {
        subresources: &["finalize", "status"],
        ..res("", "v1", "namespaces", "Namespace", false, &["ns"])
    },
    Res {
        subresources: &["proxy", "status"],
        ..res("", "v1", "nodes", "Node", false, &["no"])
    },
    res(
        "",
        "v1",
        "persistentvolumeclaims",
        "PersistentVolumeClaim",
        true,
        &["pvc"],
    ),
    res(
        "",
        "v1",
        "persistentvolumes",
        "PersistentVolume",
        false,
        &["pv"],
    ),
    Res {
        categories: ALL_CAT,
        subresources: &[
            "attach",
            "binding",
            "eviction",
            "exec",
            "log",
            "portforward",
            "status",
        ],
        ..res("", "v1", "pods", "Pod", true, &["po"])
    },
    res("", "v1", "secrets", "Secret", true, &[]),
    res("", "v1", "serviceaccounts", "ServiceAccount", true, &["sa"]),
    Res {
        categories: ALL_CAT,
        subresources: &["proxy", "status"],
        ..res("", "v1", "services", "Service", true, &["svc"])
    },
    Res {
        categories: ALL_CAT,
        subresources: &["status"],
        ..res("apps", "v1", "daemonsets", "DaemonSet", true, &["ds"])
    },
    Res {
        categories: ALL_CAT,
        subresources: SCALE,
        ..res("apps", "v1", "deployments", "Deployment", true, &["deploy"])
    },
    Res {
        categories: ALL_CAT,
        subresources: SCALE,
        ..res("apps", "v1", "replicasets", "ReplicaSet", true, &["rs"])
    },
    Res {
        categories: ALL_CAT,
        subresources: SCALE,
        ..res("apps", "v1", "statefulsets", "StatefulSet", true, &["sts"])
    },
    res("events.k8s.io", "v1", "events", "Event", true, &["ev"]),
    Res {
        categories: ALL_CAT,
        subresources: &["status"],
        ..res("batch", "v1", "cronjobs", "CronJob", true, &["cj"])
    },
    Res {
        categories: ALL_CAT,
        subresources: &["status"],
        ..res("batch", "v1", "jobs", "Job", true, &[])
    },
    res(
        "networking.k8s.io",
        "v1",
        "ingresses",
        "Ingress",
        true,
        &["ing"],
    ),
    res(
        "networking.k8s.io",
        "v1",
        "networkpolicies",
        "NetworkPolicy",
        true,
        &["netpol"],
    ),
    res(
        "rbac.authorization.k8s.io",
        "v1",
        "rolebindings",
        "RoleBinding",
        true,
        &[],
    ),
    res(
        "rbac.authorization.k8s.io",
        "v1",
        "roles",
        "Role",
        true,
        &[],
    ),
    res(
        "storage.k8s.io",
        "v1",
        "storageclasses",
        "StorageClass",
        false,
        &["sc"],
    ),
    res(
        "apiextensions.k8s.io",
        "v1",
        "customresourcedefinitions",
        "CustomResourceDefinition",
        false,
        &["crd", "crds"],
    ),
    res(
        "discovery.k8s.io",
        "v1",
        "endpointslices",
        "EndpointSlice",
        true,
        &[],
    ),
    Res {
        read_only: true,
        ..res(
            "metrics.k8s.io",
            "v1beta1",
            "nodes",
            "NodeMetrics",
            false,
            &[],
        )
    },
    Res {
        read_only: true,
        ..res("metrics.k8s.io", "v1beta1", "pods", "PodMetrics", true, &[])
    },
];

/// The kind served at `group`/`version` as `plural`.
pub fn find(group: &str, version: &str, plural: &str) -> Option<&'static Res> {
    KINDS
        .iter()
        .find(|r| r.group == group && r.version == version && r.plural == plural)
}

/// The kind an object of `apiVersion` and `kind` is.
pub fn of_kind(api_version: &str, kind: &str) -> Option<&'static Res> {
    KINDS
        .iter()
        .find(|r| r.api_version() == api_version && r.kind == kind)
}

fn groups() -> Vec<&'static str> {
    let mut g: Vec<&'static str> = Vec::new();
    for r in KINDS {
        if !r.group.is_empty() && !g.contains(&r.group) {
            g.push(r.group);
        }
    }
    g
}

/// A resource's short names and categories, when it has them, as discovery lists them.
fn names(r: &Res, v: &mut Value) {
    if let Some(o) = v.as_object_mut() {
        if !r.short.is_empty() {
            o.insert("shortNames".into(), json!(r.short));
        }
        if !r.categories.is_empty() {
            o.insert("categories".into(), json!(r.categories));
        }
    }
}

fn resource_discovery(r: &Res) -> Value {
    let subs: Vec<Value> = r
        .subresources
        .iter()
        .map(|s| {
            let (group, version, kind) = match *s {
                "scale" => ("autoscaling", "v1", "Scale"),
                "eviction" => ("policy", "v1", "Eviction"),
                "binding" => ("", "v1", "Binding"),
                "attach" | "exec" | "portforward" | "proxy" | "log" => ("", "v1", "Status"),
                _ => (r.group, r.version, r.kind),
            };
            let verbs: &[&str] = match *s {
                "scale" | "status" | "finalize" => &["get", "patch", "update"],
                "eviction" | "binding" => &["create"],
                "log" => &["get"],
                "attach" | "exec" | "portforward" => &["create", "get"],
                _ => &["create", "delete", "get", "patch", "update"],
            };
            let mut s = json!({
                "subresource": s,
                "responseKind": {"group": group, "version": version, "kind": kind},
                "verbs": verbs,
            });
            if group.is_empty()
                && let Some(k) = s.get_mut("responseKind").and_then(Value::as_object_mut)
            {
                k.insert("group".into(), json!(""));
            }
            s
        })
        .collect();
    let mut v = json!({
        "resource": r.plural,
        "responseKind": {"group": r.group, "version": r.version, "kind": r.kind},
        "scope": if r.namespaced { "Namespaced" } else { "Cluster" },
        "singularResource": r.singular(),
        "verbs": r.verbs(),
    });
    names(r, &mut v);
    if !subs.is_empty()
        && let Some(o) = v.as_object_mut()
    {
        o.insert("subresources".into(), Value::Array(subs));
    }
    v
}

fn group_discovery(group: &str) -> Value {
    let mut versions: Vec<&str> = Vec::new();
    for r in KINDS.iter().filter(|r| r.group == group) {
        if !versions.contains(&r.version) {
            versions.push(r.version);
        }
    }
    let versions: Vec<Value> = versions
        .into_iter()
        .map(|v| {
            let resources: Vec<Value> = KINDS
                .iter()
                .filter(|r| r.group == group && r.version == v)
                .map(resource_discovery)
                .collect();
            json!({"version": v, "resources": resources, "freshness": "Current"})
        })
        .collect();
    let metadata = if group.is_empty() {
        json!({"creationTimestamp": null})
    } else {
        json!({"name": group, "creationTimestamp": null})
    };
    json!({"metadata": metadata, "versions": versions})
}

/// `/api` or `/apis` as aggregated discovery (`apidiscovery.k8s.io/v2`).
pub fn aggregated(core: bool) -> Value {
    let items: Vec<Value> = if core {
        vec![group_discovery("")]
    } else {
        groups().into_iter().map(group_discovery).collect()
    };
    json!({
        "kind": "APIGroupDiscoveryList",
        "apiVersion": "apidiscovery.k8s.io/v2",
        "metadata": {},
        "items": items,
    })
}

/// `/api` as the older discovery: the core versions.
pub fn core_versions() -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "192.168.49.2:8443"}],
    })
}

/// `/apis` as the older discovery: the groups and their preferred versions.
pub fn group_list() -> Value {
    let groups: Vec<Value> = groups()
        .into_iter()
        .map(|g| {
            let v = KINDS
                .iter()
                .find(|r| r.group == g)
                .map(|r| r.version)
                .unwrap_or("v1");
            let gv = json!({"groupVersion": format!("{g}/{v}"), "version": v});
            json!({"name": g, "versions": [gv.clone()], "preferredVersion": gv})
        })
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// `/api/v1` or `/apis/GROUP/VERSION`: the group version's resources.
pub fn resource_list(group: &str, version: &str) -> Option<Value> {
    let resources: Vec<Value> = KINDS
        .iter()
        .filter(|r| r.group == group && r.version == version)
        .flat_map(|r| {
            let mut v = json!({
                "name": r.plural,
                "singularName": r.singular(),
                "namespaced": r.namespaced,
                "kind": r.kind,
                "verbs": r.verbs(),
            });
            names(r, &mut v);
            std::iter::once(v).chain(r.subresources.iter().map(move |s| {
                json!({
                    "name": format!("{}/{s}", r.plural),
                    "singularName": "",
                    "namespaced": r.namespaced,
                    "kind": r.kind,
                    "verbs": ["get"],
                })
            }))
        })
        .collect();
    if resources.is_empty() {
        return None;
    }
    let gv = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": gv,
        "resources": resources,
    }))
}
