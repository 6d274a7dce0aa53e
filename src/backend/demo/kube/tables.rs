//! Objects as the API server prints them (`as=Table`): the columns kubectl shows for the
//! built-in kinds, "Name" and "Created At" for the rest.

use super::resources::Res;
use super::store::{int_at, seconds, str_at};
use serde_json::{Value, json};

/// A column: its name, type and priority (1: shown with `-o wide`).
type Col = (&'static str, &'static str, u8);

fn columns(kind: &str) -> &'static [Col] {
    match kind {
        "Pod" => &[
            ("Name", "string", 0),
            ("Ready", "string", 0),
            ("Status", "string", 0),
            ("Restarts", "string", 0),
            ("Age", "string", 0),
            ("IP", "string", 1),
            ("Node", "string", 1),
            ("Nominated Node", "string", 1),
            ("Readiness Gates", "string", 1),
        ],
        "Deployment" => &[
            ("Name", "string", 0),
            ("Ready", "string", 0),
            ("Up-to-date", "integer", 0),
            ("Available", "integer", 0),
            ("Age", "string", 0),
            ("Containers", "string", 1),
            ("Images", "string", 1),
            ("Selector", "string", 1),
        ],
        "ReplicaSet" => &[
            ("Name", "string", 0),
            ("Desired", "integer", 0),
            ("Current", "integer", 0),
            ("Ready", "integer", 0),
            ("Age", "string", 0),
            ("Containers", "string", 1),
            ("Images", "string", 1),
            ("Selector", "string", 1),
        ],
        "StatefulSet" => &[
            ("Name", "string", 0),
            ("Ready", "string", 0),
            ("Age", "string", 0),
            ("Containers", "string", 1),
            ("Images", "string", 1),
        ],
        "Service" => &[
            ("Name", "string", 0),
            ("Type", "string", 0),
            ("Cluster-IP", "string", 0),
            ("External-IP", "string", 0),
            ("Port(s)", "string", 0),
            ("Age", "string", 0),
            ("Selector", "string", 1),
        ],
        "Namespace" => &[
            ("Name", "string", 0),
            ("Status", "string", 0),
            ("Age", "string", 0),
        ],
        "Node" => &[
            ("Name", "string", 0),
            ("Status", "string", 0),
            ("Roles", "string", 0),
            ("Age", "string", 0),
            ("Version", "string", 0),
            ("Internal-IP", "string", 1),
            ("External-IP", "string", 1),
            ("OS-Image", "string", 1),
            ("Kernel-Version", "string", 1),
            ("Container-Runtime", "string", 1),
        ],
        "Secret" => &[
            ("Name", "string", 0),
            ("Type", "string", 0),
            ("Data", "string", 0),
            ("Age", "string", 0),
        ],
        "ConfigMap" => &[
            ("Name", "string", 0),
            ("Data", "string", 0),
            ("Age", "string", 0),
        ],
        "Endpoints" => &[
            ("Name", "string", 0),
            ("Endpoints", "string", 0),
            ("Age", "string", 0),
        ],
        _ => &[("Name", "string", 0), ("Created At", "date", 0)],
    }
}

/// How long ago, as kubectl writes ages (`45s`, `3m20s`, `5h`, `3d5h`).
pub fn human(secs: i64) -> String {
    if secs < -1 {
        return "<invalid>".into();
    }
    let s = secs.max(0);
    if s < 120 {
        return format!("{s}s");
    }
    let m = s / 60;
    if m < 10 {
        return if s % 60 == 0 {
            format!("{m}m")
        } else {
            format!("{m}m{}s", s % 60)
        };
    }
    if m < 180 {
        return format!("{m}m");
    }
    let h = m / 60;
    if h < 8 {
        return if m % 60 == 0 {
            format!("{h}h")
        } else {
            format!("{h}h{}m", m % 60)
        };
    }
    if h < 48 {
        return format!("{h}h");
    }
    let d = h / 24;
    if h < 24 * 8 {
        return if h % 24 == 0 {
            format!("{d}d")
        } else {
            format!("{d}d{}h", h % 24)
        };
    }
    if h < 24 * 365 * 2 {
        return format!("{d}d");
    }
    format!("{}y", d / 365)
}

fn list_of<'a>(v: &'a Value, pointer: &str) -> impl Iterator<Item = &'a Value> {
    v.pointer(pointer)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

fn joined(v: &Value, pointer: &str, field: &str) -> String {
    list_of(v, pointer)
        .map(|c| str_at(c, field).to_string())
        .collect::<Vec<_>>()
        .join(",")
}

fn selector(v: &Value) -> String {
    super::select::label_text(v.pointer("/spec/selector").unwrap_or(&Value::Null))
}

/// A pod's status word as kubectl prints it.
pub fn pod_status(p: &Value) -> String {
    if p.pointer("/metadata/deletionTimestamp").is_some() {
        return "Terminating".into();
    }
    for c in list_of(p, "/status/initContainerStatuses") {
        if let Some(r) = c.pointer("/state/waiting/reason").and_then(Value::as_str) {
            return format!("Init:{r}");
        }
        if c.pointer("/state/running").is_some() {
            let total = list_of(p, "/status/initContainerStatuses").count();
            return format!("Init:0/{total}");
        }
    }
    for c in list_of(p, "/status/containerStatuses") {
        if let Some(r) = c.pointer("/state/waiting/reason").and_then(Value::as_str) {
            return r.to_string();
        }
    }
    str_at(p, "/status/phase").to_string()
}

fn cells(kind: &str, v: &Value, now: f64) -> Vec<Value> {
    let age =
        human((now - seconds(str_at(v, "/metadata/creationTimestamp")).unwrap_or(now)) as i64);
    let name = json!(str_at(v, "/metadata/name"));
    let data = v
        .get("data")
        .and_then(Value::as_object)
        .map(|m| m.len())
        .unwrap_or(0);
    match kind {
        "Pod" => {
            let total = list_of(v, "/spec/containers").count();
            let ready = list_of(v, "/status/containerStatuses")
                .filter(|c| c.get("ready") == Some(&json!(true)))
                .count();
            let restarts: i64 = list_of(v, "/status/containerStatuses")
                .map(|c| int_at(c, "/restartCount"))
                .sum();
            let ip = str_at(v, "/status/podIP");
            let node = str_at(v, "/spec/nodeName");
            vec![
                name,
                json!(format!("{ready}/{total}")),
                json!(pod_status(v)),
                json!(restarts.to_string()),
                json!(age),
                json!(if ip.is_empty() { "<none>" } else { ip }),
                json!(if node.is_empty() { "<none>" } else { node }),
                json!("<none>"),
                json!("<none>"),
            ]
        }
        "Deployment" | "ReplicaSet" | "StatefulSet" => {
            let want = int_at(v, "/spec/replicas");
            let ready = int_at(v, "/status/readyReplicas");
            let containers = joined(v, "/spec/template/spec/containers", "/name");
            let images = joined(v, "/spec/template/spec/containers", "/image");
            match kind {
                "Deployment" => vec![
                    name,
                    json!(format!("{ready}/{want}")),
                    json!(int_at(v, "/status/updatedReplicas")),
                    json!(int_at(v, "/status/availableReplicas")),
                    json!(age),
                    json!(containers),
                    json!(images),
                    json!(selector(v)),
                ],
                "ReplicaSet" => vec![
                    name,
                    json!(want),
                    json!(int_at(v, "/status/replicas")),
                    json!(ready),
                    json!(age),
                    json!(containers),
                    json!(images),
                    json!(selector(v)),
                ],
                _ => vec![
                    name,
                    json!(format!("{ready}/{want}")),
                    json!(age),
                    json!(containers),
                    json!(images),
                ],
            }
        }
        "Service" => {
            let ports = list_of(v, "/spec/ports")
                .map(|p| {
                    let np = int_at(p, "/nodePort");
                    let proto = str_at(p, "/protocol");
                    if np > 0 {
                        format!("{}:{np}/{proto}", int_at(p, "/port"))
                    } else {
                        format!("{}/{proto}", int_at(p, "/port"))
                    }
                })
                .collect::<Vec<_>>()
                .join(",");
            let sel = v
                .pointer("/spec/selector")
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .map(|(k, x)| format!("{k}={}", x.as_str().unwrap_or_default()))
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .unwrap_or_else(|| "<none>".into());
            vec![
                name,
                json!(str_at(v, "/spec/type")),
                json!(str_at(v, "/spec/clusterIP")),
                json!("<none>"),
                json!(ports),
                json!(age),
                json!(sel),
            ]
        }
        "Namespace" => vec![name, json!(str_at(v, "/status/phase")), json!(age)],
        "Node" => node_cells(v, name, age),
        "Secret" => vec![name, json!(str_at(v, "/type")), json!(data), json!(age)],
        "ConfigMap" => vec![name, json!(data), json!(age)],
        "Endpoints" => vec![name, json!("<none>"), json!(age)],
        _ => vec![name, json!(str_at(v, "/metadata/creationTimestamp"))],
    }
}

fn node_cells(v: &Value, name: Value, age: String) -> Vec<Value> {
    let ready = list_of(v, "/status/conditions")
        .any(|c| str_at(c, "/type") == "Ready" && str_at(c, "/status") == "True");
    let mut status = if ready { "Ready" } else { "NotReady" }.to_string();
    if v.pointer("/spec/unschedulable") == Some(&json!(true)) {
        status.push_str(",SchedulingDisabled");
    }
    let roles: Vec<String> = v
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .map(|m| {
            m.keys()
                .filter_map(|k| k.strip_prefix("node-role.kubernetes.io/"))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let ip = list_of(v, "/status/addresses")
        .find(|a| str_at(a, "/type") == "InternalIP")
        .map(|a| str_at(a, "/address").to_string())
        .unwrap_or_default();
    vec![
        name,
        json!(status),
        json!(if roles.is_empty() {
            "<none>".to_string()
        } else {
            roles.join(",")
        }),
        json!(age),
        json!(str_at(v, "/status/nodeInfo/kubeletVersion")),
        json!(ip),
        json!("<none>"),
        json!(str_at(v, "/status/nodeInfo/osImage")),
        json!(str_at(v, "/status/nodeInfo/kernelVersion")),
        json!(str_at(v, "/status/nodeInfo/containerRuntimeVersion")),
    ]
}

/// The row's object: the metadata alone (`includeObject=Metadata`), or none.
fn row_object(v: &Value) -> Value {
    json!({
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": v.get("metadata").cloned().unwrap_or_default(),
    })
}

/// A table of `objects` of kind `r`; `columns` false in a watch event after the first.
pub fn table(r: &Res, objects: &[&Value], rv: u64, now: f64, columns_too: bool) -> Value {
    let defs: Vec<Value> = if columns_too {
        columns(r.kind)
            .iter()
            .map(|(n, t, p)| {
                json!({
                    "name": n,
                    "type": t,
                    "format": if *n == "Name" { "name" } else { "" },
                    "description": format!("{n} of the {}", r.kind),
                    "priority": p,
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    let rows: Vec<Value> = objects
        .iter()
        .map(|v| json!({"cells": cells(r.kind, v, now), "object": row_object(v)}))
        .collect();
    let mut t = json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": rv.to_string()},
        "columnDefinitions": defs,
        "rows": rows,
    });
    if !columns_too && let Some(o) = t.as_object_mut() {
        o.insert("columnDefinitions".into(), Value::Null);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_as_kubectl_writes_them() {
        assert_eq!(human(45), "45s");
        assert_eq!(human(200), "3m20s");
        assert_eq!(human(3600 * 5), "5h");
        assert_eq!(human(3600 * 24 * 3 + 3600 * 5), "3d5h");
    }
}
