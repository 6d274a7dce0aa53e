//! One object of the cluster as the engine or API server returned it, for the inspect window and
//! `estiba inspect`: the JSON itself, secret-looking values masked, what the last update of a
//! service changed, and what else helps to read it (an image's layers, a pod's events).

use serde::Serialize;
use serde_json::Value;

/// The kinds of object that can be inspected, Swarm and Kubernetes alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Service,
    Task,
    Node,
    Image,
    Network,
    Volume,
    Secret,
    Config,
    Deployment,
    Pod,
    ConfigMap,
    Namespace,
    /// Any other Kubernetes kind, found through the server's discovery: the name is then
    /// `KIND/NAME`, or `KIND/NAMESPACE/NAME` (`widgets/dev/w1`).
    Object,
}

impl Kind {
    pub const ALL: [Kind; 12] = [
        Kind::Service,
        Kind::Task,
        Kind::Node,
        Kind::Image,
        Kind::Network,
        Kind::Volume,
        Kind::Secret,
        Kind::Config,
        Kind::Deployment,
        Kind::Pod,
        Kind::ConfigMap,
        Kind::Namespace,
    ];

    /// The word on the command line (`inspect network gopenux_backend_net`), English or Spanish.
    pub fn parse(word: &str) -> Option<Kind> {
        Some(match word.to_lowercase().as_str() {
            "service" | "services" | "svc" | "servicio" => Kind::Service,
            "task" | "tasks" | "tarea" => Kind::Task,
            "node" | "nodes" | "no" | "nodo" => Kind::Node,
            "image" | "images" | "imagen" => Kind::Image,
            "network" | "networks" | "net" | "red" => Kind::Network,
            "volume" | "volumes" | "volumen" => Kind::Volume,
            "secret" | "secrets" | "secreto" => Kind::Secret,
            "config" | "configs" | "configuracion" | "configuración" => Kind::Config,
            "deployment" | "deployments" | "deploy" | "despliegue" => Kind::Deployment,
            "pod" | "pods" | "po" => Kind::Pod,
            "configmap" | "configmaps" | "cm" => Kind::ConfigMap,
            "namespace" | "namespaces" | "ns" | "espacio" => Kind::Namespace,
            _ => return None,
        })
    }

    /// The catalog key of its name in the user's language (`kind.network`).
    pub fn catalog_key(self) -> &'static str {
        match self {
            Kind::Service => "kind.service",
            Kind::Task => "kind.task",
            Kind::Node => "kind.node",
            Kind::Image => "kind.image",
            Kind::Network => "kind.network",
            Kind::Volume => "kind.volume",
            Kind::Secret => "kind.secret",
            Kind::Config => "kind.config",
            Kind::Deployment => "kind.deployment",
            Kind::Pod => "kind.pod",
            Kind::ConfigMap => "kind.configmap",
            Kind::Namespace => "kind.namespace",
            Kind::Object => "kind.object",
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Kind::Service => "service",
            Kind::Task => "task",
            Kind::Node => "node",
            Kind::Image => "image",
            Kind::Network => "network",
            Kind::Volume => "volume",
            Kind::Secret => "secret",
            Kind::Config => "config",
            Kind::Deployment => "deployment",
            Kind::Pod => "pod",
            Kind::ConfigMap => "configmap",
            Kind::Namespace => "namespace",
            Kind::Object => "object",
        }
    }
}

/// What `inspect` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inspected {
    pub kind: Kind,
    pub name: String,
    /// The object as returned, secret-looking values masked unless asked otherwise.
    pub object: Value,
    /// What the last update changed, one line per field: `path: before → after`.
    pub changes: Vec<String>,
    /// The update's state and message, or a pod's phase and reason.
    pub status: Option<String>,
    /// More to read, each with a title: an image's layers, a pod's events, a config's content.
    pub sections: Vec<(String, Vec<String>)>,
    /// Objects this one uses (a service's networks, secrets and configs), to jump to.
    pub links: Vec<(Kind, String)>,
}

/// Whether a key or variable name looks like it holds a secret (`MONGO_PASSWORD`, `api-token`).
pub fn secret_key(key: &str) -> bool {
    let k = key.trim_start_matches('-').to_lowercase();
    const INSIDE: [&str; 7] = [
        "password",
        "passwd",
        "secret",
        "token",
        "apikey",
        "private",
        "credential",
    ];
    const WHOLE: [&str; 4] = ["key", "pass", "pwd", "auth"];
    // What names or points at a secret is not one: `SecretName`, `secretKeyRef`, `token_file`.
    const NAMING: [&str; 8] = [
        "name", "names", "id", "ref", "type", "file", "path", "target",
    ];
    if NAMING.iter().any(|w| k.ends_with(w)) {
        return false;
    }
    INSIDE.iter().any(|w| k.contains(w)) || k.split(['_', '.', '-']).any(|seg| WHOLE.contains(&seg))
}

pub const MASK: &str = "••••••";

/// Readable as an engine's object reads: fields with no value left out (no `update: null`), and
/// times kept as seconds since 1970 (`created`, `since`...) written as RFC 3339 in UTC, as the
/// engine writes `CreatedAt`.
pub fn readable(v: &mut Value) {
    const TIMES: &[&str] = &["created", "since", "updated", "started", "finished", "seen"];
    match v {
        Value::Object(map) => {
            map.retain(|_, x| !x.is_null());
            for (k, x) in map.iter_mut() {
                let t = x.as_i64().filter(|t| *t > 1_000_000_000);
                match (TIMES.contains(&k.as_str()), t) {
                    (true, Some(t)) => {
                        if let Some(at) = chrono::DateTime::from_timestamp(t, 0) {
                            *x = Value::String(
                                at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                            );
                        }
                    }
                    _ => readable(x),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(readable),
        _ => {}
    }
}

/// Masks, in place, the values of keys that look secret and the values of `KEY=value` strings
/// whose KEY looks secret (environment lists). Returns how many were masked.
pub fn mask(v: &mut Value) -> usize {
    match v {
        Value::Object(map) => {
            let mut n = 0;
            for (k, val) in map.iter_mut() {
                if secret_key(k) && matches!(val, Value::String(s) if !s.is_empty()) {
                    *val = Value::String(MASK.into());
                    n += 1;
                } else if k.to_lowercase().ends_with("ref") {
                    // A reference (`secretKeyRef: {name, key}`) names where a secret is.
                } else {
                    n += mask(val);
                }
            }
            n
        }
        Value::Array(items) => items.iter_mut().map(mask).sum(),
        Value::String(s) => match s.split_once('=') {
            Some((k, val)) if !val.is_empty() && !k.contains(' ') && secret_key(k) => {
                *s = format!("{k}={MASK}");
                1
            }
            _ => 0,
        },
        _ => 0,
    }
}

/// The fields that differ between two versions of an object, as `path: before → after`, in
/// the order of the newer one (fields only in the older one come last). Lists of plain values
/// (an environment) are compared as sets: `path: + added` and `path: − removed`; lists of
/// objects item by item.
pub fn changes(before: &Value, after: &Value) -> Vec<String> {
    let mut a = Vec::new();
    let mut b = Vec::new();
    flatten("", before, &mut a);
    flatten("", after, &mut b);
    let old: std::collections::HashMap<&str, &Leaf> =
        a.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let new: std::collections::HashMap<&str, &Leaf> =
        b.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let mut out = Vec::new();
    let empty = Leaf::Set(vec![]);
    for (k, v) in &b {
        match (old.get(k.as_str()).copied(), v) {
            (Some(o), v) if o == v => {}
            (o, Leaf::Set(items)) => {
                let before = match o {
                    Some(Leaf::Set(x)) => x.clone(),
                    Some(Leaf::One(x)) => vec![x.clone()],
                    None => vec![],
                };
                for i in items.iter().filter(|i| !before.contains(i)) {
                    out.push(format!("{k}: + {i}"));
                }
                for i in before.iter().filter(|i| !items.contains(i)) {
                    out.push(format!("{k}: − {i}"));
                }
            }
            (Some(Leaf::One(o)), Leaf::One(v)) => out.push(format!("{k}: {o} → {v}")),
            (Some(Leaf::Set(o)), Leaf::One(v)) => out.push(format!("{k}: {} → {v}", o.join(", "))),
            (None, Leaf::One(v)) => out.push(format!("{k}: — → {v}")),
        }
    }
    for (k, v) in &a {
        if !new.contains_key(k.as_str()) {
            match v {
                Leaf::One(v) => out.push(format!("{k}: {v} → —")),
                Leaf::Set(items) if *v != empty => {
                    for i in items {
                        out.push(format!("{k}: − {i}"));
                    }
                }
                Leaf::Set(_) => {}
            }
        }
    }
    out
}

/// A field's value: one, or a list of plain values compared as a set.
#[derive(Debug, PartialEq)]
enum Leaf {
    One(String),
    Set(Vec<String>),
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn flatten(path: &str, v: &Value, out: &mut Vec<(String, Leaf)>) {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, v) in m {
                flatten(&join(k), v, out);
            }
        }
        Value::Array(items)
            if !items.is_empty() && items.iter().all(|i| !i.is_object() && !i.is_array()) =>
        {
            let mut set: Vec<String> = items.iter().map(scalar).collect();
            set.sort();
            out.push((path.to_string(), Leaf::Set(set)));
        }
        Value::Array(items) if !items.is_empty() => {
            for (i, v) in items.iter().enumerate() {
                flatten(&format!("{path}[{i}]"), v, out);
            }
        }
        other => out.push((path.to_string(), Leaf::One(scalar(other)))),
    }
}

impl Inspected {
    /// The object as YAML, after what the last update changed and the status as comments, and
    /// the sections as comments after it: the whole is still YAML. `labels` are the words for
    /// "status" and "the last update changed", in the user's language.
    pub fn to_yaml(&self, labels: [&str; 2]) -> String {
        let mut out = String::new();
        out.push_str(&format!("# {} {}\n", self.kind.word(), self.name));
        if !self.links.is_empty() {
            let uses: Vec<String> = self
                .links
                .iter()
                .enumerate()
                .map(|(i, (k, n))| format!("[{}] {} {n}", i + 1, k.word()))
                .collect();
            out.push_str(&format!("# {}\n", uses.join("  ")));
        }
        if let Some(s) = &self.status {
            out.push_str(&format!("# {}: {s}\n", labels[0]));
        }
        if !self.changes.is_empty() {
            out.push_str(&format!("# {}:\n", labels[1]));
            for c in &self.changes {
                out.push_str(&format!("#   {c}\n"));
            }
        }
        out.push_str(&serde_norway::to_string(&self.object).unwrap_or_default());
        for (title, lines) in &self.sections {
            out.push_str(&format!("# {title}:\n"));
            for l in lines {
                out.push_str(&format!("#   {l}\n"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_dates_and_nulls_are_left_out() {
        let mut v = serde_json::json!({"created": 1796223367, "update": null, "replicas": 3,
            "tasks": [{"since": 1796223000, "exit": null}]});
        readable(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"created": "2026-12-02T14:56:07Z", "replicas": 3,
                "tasks": [{"since": "2026-12-02T14:50:00Z"}]})
        );
    }
    use serde_json::json;

    #[test]
    fn secret_looking_values_are_masked_wherever_they_are() {
        let mut v = json!({
            "Env": ["MONGO_INITDB_ROOT_PASSWORD=s3cret", "PORT=5000", "JWT_KEY=abc"],
            "Labels": {"api-token": "t0k", "app": "backend"},
            "Name": "gopenux_backend",
            "Secrets": [{"SecretName": "jwt", "SecretID": "abc123"}],
            "env": [{"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "jwt", "key": "k"}}}]
        });
        assert_eq!(mask(&mut v), 3);
        assert_eq!(
            v["Env"],
            json!([
                "MONGO_INITDB_ROOT_PASSWORD=••••••",
                "PORT=5000",
                "JWT_KEY=••••••"
            ])
        );
        assert_eq!(v["Labels"]["api-token"], MASK);
        assert_eq!(v["Labels"]["app"], "backend");
        // A secret's name is not its value.
        assert_eq!(v["Secrets"][0]["SecretName"], "jwt");
        assert_eq!(v["Secrets"][0]["SecretID"], "abc123");
        assert_eq!(v["env"][0]["valueFrom"]["secretKeyRef"]["key"], "k");
    }

    #[test]
    fn changes_name_the_fields_that_differ() {
        let before = json!({"Image": "b:latest", "Mode": {"Replicated": {"Replicas": 3}},
            "Env": ["C=3", "A=1"], "Mounts": [{"Source": "v1"}]});
        let after = json!({"Image": "b:test", "Mode": {"Replicated": {"Replicas": 3}},
            "Env": ["A=1", "B=2"], "Mounts": [{"Source": "v2"}]});
        assert_eq!(
            changes(&before, &after),
            [
                "Env: + B=2",
                "Env: − C=3",
                "Image: b:latest → b:test",
                "Mounts[0].Source: v1 → v2"
            ]
        );
        assert!(changes(&after, &after).is_empty());
    }

    #[test]
    fn kinds_read_in_english_and_spanish() {
        assert_eq!(Kind::parse("red"), Some(Kind::Network));
        assert_eq!(Kind::parse("Secreto"), Some(Kind::Secret));
        assert_eq!(Kind::parse("cm"), Some(Kind::ConfigMap));
        assert_eq!(Kind::parse("nope"), None);
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.word()), Some(k));
        }
    }
}
