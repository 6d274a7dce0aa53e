//! What the demo API server does to an object it is given: the defaults a v1.34 server fills
//! in, the checks it makes before it stores one, and the three ways a change is merged in
//! (server-side apply, JSON merge patch, strategic merge patch).

use super::resources::Res;
use super::store::{World, int_at, name, namespace, str_at};
use serde_json::{Map, Value, json};

/// A refusal as the API server words it (`metav1.Status`).
#[derive(Debug, Clone)]
pub struct Refusal {
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
    pub details: Option<(String, String, String)>,
}

impl Refusal {
    pub fn not_found(r: &Res, name: &str) -> Refusal {
        Refusal {
            code: 404,
            reason: "NotFound",
            message: format!("{} \"{name}\" not found", qualified(r)),
            details: Some((name.into(), r.group.into(), r.plural.into())),
        }
    }

    pub fn exists(r: &Res, name: &str) -> Refusal {
        Refusal {
            code: 409,
            reason: "AlreadyExists",
            message: format!("{} \"{name}\" already exists", qualified(r)),
            details: Some((name.into(), r.group.into(), r.plural.into())),
        }
    }

    pub fn conflict(r: &Res, name: &str) -> Refusal {
        Refusal {
            code: 409,
            reason: "Conflict",
            message: format!(
                "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
                qualified(r)
            ),
            details: Some((name.into(), r.group.into(), r.plural.into())),
        }
    }

    pub fn invalid(r: &Res, name: &str, what: &str) -> Refusal {
        Refusal {
            code: 422,
            reason: "Invalid",
            message: format!(
                "{}.{} \"{name}\" is invalid: {what}",
                r.kind,
                group_or_core(r)
            ),
            details: Some((name.into(), r.group.into(), r.kind.into())),
        }
    }

    pub fn bad(message: String) -> Refusal {
        Refusal {
            code: 400,
            reason: "BadRequest",
            message,
            details: None,
        }
    }

    pub fn forbidden_terminating(r: &Res, name: &str, ns: &str) -> Refusal {
        Refusal {
            code: 403,
            reason: "Forbidden",
            message: format!(
                "{} \"{name}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated",
                r.plural
            ),
            details: Some((name.into(), r.group.into(), r.plural.into())),
        }
    }

    pub fn status(&self) -> Value {
        let mut v = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if let (Some((name, group, kind)), Some(o)) = (&self.details, v.as_object_mut()) {
            let mut d = json!({"name": name, "kind": kind});
            if !group.is_empty()
                && let Some(m) = d.as_object_mut()
            {
                m.insert("group".into(), json!(group));
            }
            o.insert("details".into(), d);
        }
        v
    }
}

/// `deployments.apps`, `pods`: how the server names a kind in its messages.
fn qualified(r: &Res) -> String {
    if r.group.is_empty() {
        r.plural.to_string()
    } else {
        format!("{}.{}", r.plural, r.group)
    }
}

fn group_or_core(r: &Res) -> &'static str {
    if r.group.is_empty() { "" } else { r.group }
}

pub fn obj(v: &mut Value) -> &mut Map<String, Value> {
    if !v.is_object() {
        *v = json!({});
    }
    match v {
        Value::Object(m) => m,
        _ => unreachable!("made an object above"),
    }
}

/// The map at `key` in `v`, made when missing.
pub fn child<'a>(v: &'a mut Value, key: &str) -> &'a mut Value {
    obj(v).entry(key.to_string()).or_insert_with(|| json!({}))
}

/// Sets `key` in `v` when it is not there.
fn or(v: &mut Value, key: &str, default: Value) {
    obj(v).entry(key.to_string()).or_insert(default);
}

/// A pod template's (or pod's) spec with the server's defaults.
pub fn pod_spec_defaults(spec: &mut Value) {
    for list in ["initContainers", "containers"] {
        if let Some(cs) = spec.get_mut(list).and_then(Value::as_array_mut) {
            for c in cs {
                let image = str_at(c, "/image").to_string();
                let latest = !image.rsplit('/').next().unwrap_or_default().contains(':')
                    || image.ends_with(":latest");
                or(
                    c,
                    "imagePullPolicy",
                    json!(if latest { "Always" } else { "IfNotPresent" }),
                );
                or(c, "resources", json!({}));
                or(c, "terminationMessagePath", json!("/dev/termination-log"));
                or(c, "terminationMessagePolicy", json!("File"));
                if let Some(ports) = c.get_mut("ports").and_then(Value::as_array_mut) {
                    for p in ports {
                        or(p, "protocol", json!("TCP"));
                    }
                }
            }
        }
    }
    or(spec, "dnsPolicy", json!("ClusterFirst"));
    or(spec, "restartPolicy", json!("Always"));
    or(spec, "schedulerName", json!("default-scheduler"));
    or(spec, "securityContext", json!({}));
    or(spec, "terminationGracePeriodSeconds", json!(30));
}

fn template_defaults(spec: &mut Value) {
    pod_spec_defaults(child(child(spec, "template"), "spec"));
}

/// The defaults of the kind's spec (and of a new object's status).
pub fn defaults(world: &mut World, r: &Res, v: &mut Value) -> Result<(), Refusal> {
    let name = name(v);
    match r.kind {
        "Deployment" => {
            let s = child(v, "spec");
            or(s, "replicas", json!(1));
            or(s, "progressDeadlineSeconds", json!(600));
            or(s, "revisionHistoryLimit", json!(10));
            or(
                s,
                "strategy",
                json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}),
            );
            template_defaults(s);
            selector_matches(r, &name, v)?;
        }
        "ReplicaSet" | "StatefulSet" | "DaemonSet" => {
            let s = child(v, "spec");
            if r.kind != "DaemonSet" {
                or(s, "replicas", json!(1));
            }
            if r.kind == "StatefulSet" {
                or(s, "podManagementPolicy", json!("OrderedReady"));
                or(s, "revisionHistoryLimit", json!(10));
                or(
                    s,
                    "updateStrategy",
                    json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}),
                );
                or(
                    s,
                    "persistentVolumeClaimRetentionPolicy",
                    json!({"whenDeleted": "Retain", "whenScaled": "Retain"}),
                );
            }
            if r.kind == "DaemonSet" {
                or(s, "revisionHistoryLimit", json!(10));
                or(
                    s,
                    "updateStrategy",
                    json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}}),
                );
            }
            template_defaults(s);
            selector_matches(r, &name, v)?;
        }
        "Pod" => {
            let s = child(v, "spec");
            containers_named(r, &name, s)?;
            pod_spec_defaults(s);
            or(s, "enableServiceLinks", json!(true));
            or(s, "preemptionPolicy", json!("PreemptLowerPriority"));
            or(s, "priority", json!(0));
            or(s, "serviceAccountName", json!("default"));
            or(s, "serviceAccount", json!("default"));
            or(
                s,
                "tolerations",
                json!([
                    {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
                    {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists", "tolerationSeconds": 300}
                ]),
            );
            let st = child(v, "status");
            or(st, "phase", json!("Pending"));
            or(st, "qosClass", json!("BestEffort"));
        }
        "Service" => service_defaults(world, r, &name, v)?,
        "Secret" => {
            if let Some(Value::Object(plain)) = obj(v).remove("stringData") {
                use base64::Engine;
                let data = child(v, "data");
                for (k, val) in plain {
                    let text = val.as_str().unwrap_or_default().to_string();
                    obj(data).insert(
                        k,
                        json!(base64::engine::general_purpose::STANDARD.encode(text)),
                    );
                }
            }
            or(v, "type", json!("Opaque"));
        }
        "Namespace" => {
            let labels = child(child(v, "metadata"), "labels");
            obj(labels).insert("kubernetes.io/metadata.name".into(), json!(name));
            let s = child(v, "spec");
            or(s, "finalizers", json!(["kubernetes"]));
            let st = child(v, "status");
            or(st, "phase", json!("Active"));
        }
        _ => {}
    }
    Ok(())
}

fn containers_named(r: &Res, name: &str, spec: &Value) -> Result<(), Refusal> {
    let cs = spec
        .get("containers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if cs.is_empty() {
        return Err(Refusal::invalid(r, name, "spec.containers: Required value"));
    }
    for (i, c) in cs.iter().enumerate() {
        if str_at(c, "/name").is_empty() {
            return Err(Refusal::invalid(
                r,
                name,
                &format!("spec.containers[{i}].name: Required value"),
            ));
        }
        if str_at(c, "/image").is_empty() {
            return Err(Refusal::invalid(
                r,
                name,
                &format!("spec.containers[{i}].image: Required value"),
            ));
        }
    }
    Ok(())
}

/// A workload's selector must be there and match its template's labels.
fn selector_matches(r: &Res, name: &str, v: &Value) -> Result<(), Refusal> {
    let Some(want) = v
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)
    else {
        return Err(Refusal::invalid(r, name, "spec.selector: Required value"));
    };
    let labels = v
        .pointer("/spec/template/metadata/labels")
        .and_then(Value::as_object);
    let matches = want
        .iter()
        .all(|(k, val)| labels.and_then(|l| l.get(k)) == Some(val));
    if !matches {
        return Err(Refusal::invalid(
            r,
            name,
            "spec.template.metadata.labels: Invalid value: `selector` does not match template `labels`",
        ));
    }
    let spec = v
        .pointer("/spec/template/spec")
        .cloned()
        .unwrap_or_default();
    containers_named(r, name, &spec).map_err(|mut e| {
        e.message = e
            .message
            .replace("spec.containers", "spec.template.spec.containers");
        e
    })
}

fn service_defaults(world: &mut World, r: &Res, name: &str, v: &mut Value) -> Result<(), Refusal> {
    let ns = namespace(v);
    let taken_ports: Vec<i64> = world
        .list(super::store::index(r), None)
        .iter()
        .filter(|s| !(namespace(s) == ns && super::store::name(s) == name))
        .flat_map(|s| {
            s.pointer("/spec/ports")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|p| int_at(p, "/nodePort"))
                .collect::<Vec<_>>()
        })
        .collect();
    let taken_ips: Vec<String> = world
        .list(super::store::index(r), None)
        .iter()
        .map(|s| str_at(s, "/spec/clusterIP").to_string())
        .collect();
    let s = child(v, "spec");
    or(s, "type", json!("ClusterIP"));
    let kind = str_at(s, "/type").to_string();
    let node_port = kind == "NodePort" || kind == "LoadBalancer";
    if str_at(s, "/clusterIP").is_empty() {
        let ip = loop {
            let n = world.random();
            let ip = format!(
                "10.{}.{}.{}",
                96 + (n % 16),
                (n >> 8) % 256,
                1 + (n >> 16) % 254
            );
            if !taken_ips.contains(&ip) {
                break ip;
            }
        };
        obj(s).insert("clusterIP".into(), json!(ip));
    }
    let ip = str_at(s, "/clusterIP").to_string();
    or(s, "clusterIPs", json!([ip]));
    or(s, "internalTrafficPolicy", json!("Cluster"));
    or(s, "ipFamilies", json!(["IPv4"]));
    or(s, "ipFamilyPolicy", json!("SingleStack"));
    or(s, "sessionAffinity", json!("None"));
    if node_port {
        or(s, "externalTrafficPolicy", json!("Cluster"));
    }
    let mut given = Vec::new();
    if let Some(ports) = s.get_mut("ports").and_then(Value::as_array_mut) {
        for (i, p) in ports.iter_mut().enumerate() {
            or(p, "protocol", json!("TCP"));
            let port = p.get("port").cloned().unwrap_or(json!(0));
            if port.as_i64().unwrap_or_default() == 0 {
                return Err(Refusal::invalid(
                    r,
                    name,
                    &format!("spec.ports[{i}].port: Required value"),
                ));
            }
            or(p, "targetPort", port);
            if node_port {
                let asked = int_at(p, "/nodePort");
                if asked != 0 {
                    if taken_ports.contains(&asked) || given.contains(&asked) {
                        return Err(Refusal::invalid(
                            r,
                            name,
                            &format!(
                                "spec.ports[{i}].nodePort: Invalid value: {asked}: provided port is already allocated"
                            ),
                        ));
                    }
                    given.push(asked);
                    continue;
                }
                let n = loop {
                    let n = 30000 + (world.random() % 2768) as i64;
                    if !taken_ports.contains(&n) && !given.contains(&n) {
                        break n;
                    }
                };
                given.push(n);
                obj(p).insert("nodePort".into(), json!(n));
            }
        }
    }
    or(v, "status", json!({"loadBalancer": {}}));
    Ok(())
}

/// The metadata a new object gets: uid, creation time, generation for what has a spec that
/// changes, a name from generateName.
pub fn new_metadata(world: &mut World, r: &Res, v: &mut Value, ns: &str) -> Result<(), Refusal> {
    let uid = world.uid();
    let now = world.clock.stamp_now();
    let generated = str_at(v, "/metadata/generateName").to_string();
    let suffix = world.suffix(5);
    let m = child(v, "metadata");
    if str_at(m, "/name").is_empty() {
        if generated.is_empty() {
            return Err(Refusal::invalid(
                r,
                "",
                "metadata.name: Required value: name or generateName is required",
            ));
        }
        obj(m).insert("name".into(), json!(format!("{generated}{suffix}")));
    }
    if r.namespaced {
        obj(m).insert("namespace".into(), json!(ns));
    } else {
        obj(m).remove("namespace");
    }
    obj(m).insert("uid".into(), json!(uid));
    obj(m).insert("creationTimestamp".into(), json!(now));
    if matches!(
        r.kind,
        "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" | "Job" | "CronJob" | "Pod"
    ) {
        obj(m).insert("generation".into(), json!(1));
    }
    obj(v).insert("apiVersion".into(), json!(r.api_version()));
    obj(v).insert("kind".into(), json!(r.kind));
    Ok(())
}

/// RFC 7386: `patch` merged into `base`, null removing a field; with `strategic`, lists of
/// objects with a `name` (containers, ports by containerPort, env, volumes) are merged by it.
pub fn merge(base: &mut Value, patch: &Value, strategic: bool) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, pv) in p {
                if pv.is_null() {
                    b.remove(k);
                    continue;
                }
                match b.get_mut(k) {
                    Some(bv) if bv.is_object() && pv.is_object() => merge(bv, pv, strategic),
                    Some(Value::Array(bl)) if strategic && keyed(pv).is_some() => {
                        merge_list(bl, pv, keyed(pv).unwrap_or("name"));
                    }
                    _ => {
                        b.insert(k.clone(), pv.clone());
                    }
                }
            }
        }
        (b, p) => *b = p.clone(),
    }
}

/// The key a strategic merge patch merges a list of objects by.
fn keyed(list: &Value) -> Option<&'static str> {
    let items = list.as_array()?;
    let first = items.first()?;
    ["name", "containerPort", "mountPath", "port"]
        .into_iter()
        .find(|k| first.get(*k).is_some())
}

fn merge_list(base: &mut Vec<Value>, patch: &Value, key: &str) {
    for p in patch.as_array().into_iter().flatten() {
        match base.iter_mut().find(|b| b.get(key) == p.get(key)) {
            Some(b) => merge(b, p, true),
            None => base.push(p.clone()),
        }
    }
}

/// Whether a change touched the spec (the generation goes up) and so the generation to set.
pub fn bump_generation(before: &Value, after: &mut Value) {
    let generation = before
        .pointer("/metadata/generation")
        .and_then(Value::as_i64);
    if let Some(g) = generation {
        let changed = before.get("spec") != after.get("spec");
        let m = child(after, "metadata");
        obj(m).insert("generation".into(), json!(if changed { g + 1 } else { g }));
    }
}
