//! The views that take a pane's place on demand (`:networks`, `:volumes`, `:secrets`,
//! `:configs`): a list of rows whose first cell is the object's name, with columns named by
//! stable keys (`driver`, `services`) that the console and the printer put into words.

use serde::Serialize;

/// The columns of the swarm's views, whoever lists them (the engine or the demo cluster).
pub const NETWORK_COLUMNS: [&str; 7] = [
    "name",
    "driver",
    "scope",
    "internal",
    "attachable",
    "subnet",
    "services",
];
pub const VOLUME_COLUMNS: [&str; 5] = ["name", "driver", "scope", "node", "services"];
pub const OBJECT_COLUMNS: [&str; 5] = ["name", "created", "updated", "labels", "services"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ViewKind {
    /// Swarm networks; on Kubernetes, Services.
    Networks,
    /// Swarm volumes; on Kubernetes, Namespaces.
    Volumes,
    Secrets,
    /// Swarm configs; on Kubernetes, ConfigMaps.
    Configs,
    /// The cluster's events, live, newest first.
    Events,
}

impl ViewKind {
    pub const ALL: [ViewKind; 4] = [
        ViewKind::Networks,
        ViewKind::Volumes,
        ViewKind::Secrets,
        ViewKind::Configs,
    ];

    /// The kind of object a row is, for `inspect` and `rm` (an event's row says its own).
    pub fn object_kind(self, kube: bool) -> Option<super::inspect::Kind> {
        use super::inspect::Kind;
        Some(match (self, kube) {
            (ViewKind::Events, _) => return None,
            (ViewKind::Networks, false) => Kind::Network,
            (ViewKind::Networks, true) => Kind::Service,
            (ViewKind::Volumes, false) => Kind::Volume,
            (ViewKind::Volumes, true) => Kind::Namespace,
            (ViewKind::Secrets, _) => Kind::Secret,
            (ViewKind::Configs, false) => Kind::Config,
            (ViewKind::Configs, true) => Kind::ConfigMap,
        })
    }

    /// The catalog key of its title.
    pub fn title_key(self, kube: bool) -> &'static str {
        match (self, kube) {
            (ViewKind::Networks, false) => "view.networks",
            (ViewKind::Networks, true) => "view.kube_services",
            (ViewKind::Volumes, false) => "view.volumes",
            (ViewKind::Volumes, true) => "view.namespaces",
            (ViewKind::Secrets, _) => "view.secrets",
            (ViewKind::Configs, false) => "view.configs",
            (ViewKind::Configs, true) => "view.configmaps",
            (ViewKind::Events, _) => "view.events",
        }
    }
}

/// One view's rows, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Listing {
    pub kind: ViewKind,
    /// Column keys; the header reads `col.<key>` from the catalog.
    pub columns: Vec<&'static str>,
    /// Cells, sanitized; the first is the name.
    pub rows: Vec<Vec<String>>,
}

impl Listing {
    /// The catalog keys of the column headers.
    pub fn header_keys(&self) -> Vec<&'static str> {
        self.columns.iter().map(|c| header_key(c)).collect()
    }

    /// The rows as JSON objects keyed by column.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Array(
            self.rows
                .iter()
                .map(|r| {
                    serde_json::Value::Object(
                        self.columns
                            .iter()
                            .zip(r)
                            .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.clone())))
                            .collect(),
                    )
                })
                .collect(),
        )
    }
}

/// The catalog key of a column's header.
pub fn header_key(column: &str) -> &'static str {
    match column {
        "driver" => "col.driver",
        "scope" => "col.scope",
        "internal" => "col.internal",
        "attachable" => "col.attachable",
        "subnet" => "col.subnet",
        "services" => "col.services",
        "node" => "col.node",
        "created" => "col.created",
        "updated" => "col.updated",
        "labels" => "col.labels",
        "type" => "col.type",
        "cluster_ip" => "col.cluster_ip",
        "ports" => "col.ports",
        "keys" => "col.keys",
        "age" => "col.age",
        "status" => "col.status",
        "time" => "col.time",
        "kind" => "col.kind",
        "action" => "col.action",
        "message" => "col.message",
        _ => "col.name",
    }
}
