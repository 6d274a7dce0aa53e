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
    /// Any kind the Kubernetes API server serves (`:crd`, `:ing`), its rows and columns as
    /// the server prints them (`Listing::resource` names it).
    Resource,
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
            (ViewKind::Events | ViewKind::Resource, _) => return None,
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
            (ViewKind::Resource, _) => "view.resource",
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
    /// Headers as the server wrote them (a kind's table); empty: the catalog's, by column key.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub titles: Vec<String>,
    /// The kind listed, as the user named it (`crd`), for a `Resource` view.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
}

impl Listing {
    /// The catalog keys of the column headers.
    pub fn header_keys(&self) -> Vec<&'static str> {
        self.columns.iter().map(|c| header_key(c)).collect()
    }

    /// The JSON keys of the columns: the column keys, or the server's headers in lower case
    /// (`name`, `age`, `established`).
    fn json_keys(&self) -> Vec<String> {
        if self.titles.is_empty() {
            self.columns.iter().map(|c| c.to_string()).collect()
        } else {
            self.titles
                .iter()
                .map(|t| t.to_lowercase().replace(' ', "_"))
                .collect()
        }
    }

    /// The rows as JSON objects keyed by column.
    pub fn to_json(&self) -> serde_json::Value {
        let keys = self.json_keys();
        serde_json::Value::Array(
            self.rows
                .iter()
                .map(|r| {
                    serde_json::Value::Object(
                        keys.iter()
                            .zip(r)
                            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
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
