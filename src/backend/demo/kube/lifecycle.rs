//! The kubelet's and the scheduler's part in the demo: a pod is scheduled to the node with the
//! fewest pods, its init containers run and end, its image is pulled and its containers
//! start, each step after a plausible delay and with the events a real node reports; a pod
//! being deleted goes after its grace, a namespace being deleted once it is empty.

use super::events;
use super::store::{World, name, namespace, seconds, str_at};
use super::store::{node_index, pod_index};
use serde_json::{Value, json};

/// The seconds each step takes on a running clock (a frozen one takes none).
pub const SCHEDULE: f64 = 0.3;
const INIT: f64 = 1.0;
const PULL: f64 = 1.2;
const GRACE: f64 = 1.0;

/// Whether an image is one the demo's nodes cannot pull (to show ErrImagePull in class).
fn unpullable(image: &str) -> bool {
    image.contains("nosuch") || image.contains("invalid") || image.ends_with(":missing")
}

/// When the pod last changed state (its conditions' latest time), for the next step's delay.
fn since(p: &Value) -> f64 {
    p.pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| {
            c.get("lastTransitionTime")
                .and_then(Value::as_str)
                .and_then(seconds)
        })
        .fold(
            seconds(str_at(p, "/metadata/creationTimestamp")).unwrap_or_default(),
            f64::max,
        )
}

fn condition(kind: &str, status: bool, at: &str) -> Value {
    json!({
        "type": kind,
        "status": if status { "True" } else { "False" },
        "lastProbeTime": null,
        "lastTransitionTime": at,
    })
}

fn containers(p: &Value, list: &str) -> Vec<Value> {
    p.pointer(&format!("/spec/{list}"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn waiting(c: &Value, reason: &str) -> Value {
    json!({
        "name": str_at(c, "/name"),
        "image": str_at(c, "/image"),
        "imageID": "",
        "ready": false,
        "restartCount": 0,
        "started": false,
        "state": {"waiting": {"reason": reason}},
        "lastState": {},
    })
}

fn image_id(image: &str) -> String {
    format!(
        "docker-pullable://{image}@sha256:{:016x}{:016x}{:016x}{:016x}",
        super::store::hash(image),
        super::store::hash(&format!("{image}1")),
        super::store::hash(&format!("{image}2")),
        super::store::hash(&format!("{image}3"))
    )
}

fn container_id(pod: &str, c: &str) -> String {
    format!(
        "docker://{:016x}{:016x}{:016x}{:016x}",
        super::store::hash(pod),
        super::store::hash(c),
        super::store::hash(&format!("{pod}{c}")),
        super::store::hash(&format!("{c}{pod}"))
    )
}

/// Schedules a pod: the Ready, schedulable node with the fewest pods.
fn schedule(w: &mut World, p: &mut Value, at: &str) -> bool {
    let nodes: Vec<String> = w
        .list(node_index(), None)
        .into_iter()
        .filter(|n| n.pointer("/spec/unschedulable") != Some(&json!(true)))
        .map(name)
        .collect();
    let load = |n: &str| {
        w.list(pod_index(), None)
            .iter()
            .filter(|q| str_at(q, "/spec/nodeName") == n)
            .count()
    };
    let Some(node) = nodes
        .iter()
        .min_by_key(|n| (load(n), (*n).clone()))
        .cloned()
    else {
        return false;
    };
    let ip = w
        .get(node_index(), "", &node)
        .and_then(|n| n.pointer("/status/addresses/0/address"))
        .and_then(Value::as_str)
        .unwrap_or("192.168.49.2")
        .to_string();
    if let Some(s) = p.get_mut("spec").and_then(Value::as_object_mut) {
        s.insert("nodeName".into(), json!(node));
    }
    let inits = containers(p, "initContainers");
    let mains = containers(p, "containers");
    let has_init = !inits.is_empty();
    let mut status = json!({
        "phase": "Pending",
        "conditions": [
            condition("PodReadyToStartContainers", false, at),
            condition("Initialized", !has_init, at),
            condition("Ready", false, at),
            condition("ContainersReady", false, at),
            condition("PodScheduled", true, at),
        ],
        "hostIP": ip,
        "hostIPs": [{"ip": ip}],
        "startTime": at,
        "qosClass": "BestEffort",
        "containerStatuses": mains.iter().map(|c| waiting(c, if has_init { "PodInitializing" } else { "ContainerCreating" })).collect::<Vec<_>>(),
    });
    if has_init && let Some(o) = status.as_object_mut() {
        o.insert(
            "initContainerStatuses".into(),
            json!(
                inits
                    .iter()
                    .map(|c| waiting(c, "PodInitializing"))
                    .collect::<Vec<_>>()
            ),
        );
    }
    if let Some(o) = p.as_object_mut() {
        o.insert("status".into(), status);
    }
    let (ns, pod) = (namespace(p), name(p));
    events::record(
        w,
        p,
        "Scheduled",
        &format!("Successfully assigned {ns}/{pod} to {node}"),
        "default-scheduler",
        "Normal",
    );
    true
}

fn set_condition(p: &mut Value, kind: &str, status: bool, at: &str) {
    if let Some(cs) = p
        .pointer_mut("/status/conditions")
        .and_then(Value::as_array_mut)
    {
        for c in cs.iter_mut() {
            if str_at(c, "/type") == kind {
                let want = if status { "True" } else { "False" };
                if str_at(c, "/status") != want {
                    *c = condition(kind, status, at);
                }
            }
        }
    }
}

fn running(c: &Value, pod: &str, at: &str) -> Value {
    json!({
        "name": str_at(c, "/name"),
        "image": str_at(c, "/image"),
        "imageID": image_id(str_at(c, "/image")),
        "containerID": container_id(pod, str_at(c, "/name")),
        "ready": true,
        "restartCount": 0,
        "started": true,
        "state": {"running": {"startedAt": at}},
        "lastState": {},
    })
}

fn pulled_events(w: &mut World, p: &Value, c: &Value) {
    let image = str_at(c, "/image").to_string();
    let cname = str_at(c, "/name").to_string();
    events::record(
        w,
        p,
        "Pulled",
        &format!("Container image \"{image}\" already present on machine"),
        "kubelet",
        "Normal",
    );
    events::record(
        w,
        p,
        "Created",
        &format!("Created container: {cname}"),
        "kubelet",
        "Normal",
    );
    events::record(
        w,
        p,
        "Started",
        &format!("Started container {cname}"),
        "kubelet",
        "Normal",
    );
}

/// One step of a pod's start, when its delay has passed; whether it changed.
fn advance(w: &mut World, p: &mut Value, now: f64) -> bool {
    let live = w.clock.live();
    let wait = |d: f64| if live { d } else { 0.0 };
    let at = w.clock.stamp(now);
    if str_at(p, "/spec/nodeName").is_empty() {
        return now >= since(p) + wait(SCHEDULE) && schedule(w, p, &at);
    }
    if str_at(p, "/status/phase") != "Pending" || now < since(p) + wait(INIT.min(PULL)) {
        return false;
    }
    let pod = name(p);
    // The next init container that has not ended runs, then ends.
    let inits = containers(p, "initContainers");
    for (i, c) in inits.iter().enumerate() {
        let ptr = format!("/status/initContainerStatuses/{i}");
        let state = p
            .pointer(&format!("{ptr}/state"))
            .cloned()
            .unwrap_or_default();
        if state.get("terminated").is_some() {
            continue;
        }
        if now < since(p) + wait(INIT) {
            return false;
        }
        let started = at.clone();
        if let Some(s) = p.pointer_mut(&ptr) {
            *s = json!({
                "name": str_at(c, "/name"), "image": str_at(c, "/image"),
                "imageID": image_id(str_at(c, "/image")), "containerID": container_id(&pod, str_at(c, "/name")),
                "ready": true, "restartCount": 0, "started": false,
                "state": {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": started, "finishedAt": started, "containerID": container_id(&pod, str_at(c, "/name"))}},
                "lastState": {},
            });
        }
        pulled_events(w, p, c);
        if i + 1 == inits.len() {
            set_condition(p, "Initialized", true, &at);
        }
        set_condition(p, "PodReadyToStartContainers", true, &at);
        return true;
    }
    if now < since(p) + wait(PULL) {
        return false;
    }
    let mains = containers(p, "containers");
    if let Some(bad) = mains.iter().find(|c| unpullable(str_at(c, "/image"))) {
        let reason = "ErrImagePull";
        let already = p
            .pointer("/status/containerStatuses/0/state/waiting/reason")
            .and_then(Value::as_str)
            .is_some_and(|r| r == reason || r == "ImagePullBackOff");
        if already {
            return false;
        }
        let image = str_at(bad, "/image").to_string();
        if let Some(cs) = p
            .pointer_mut("/status/containerStatuses")
            .and_then(Value::as_array_mut)
        {
            for (c, spec) in cs.iter_mut().zip(&mains) {
                *c = waiting(spec, reason);
            }
        }
        events::record(
            w,
            p,
            "Failed",
            &format!(
                "Failed to pull image \"{image}\": Error response from daemon: pull access denied for {image}, repository does not exist or may require 'docker login'"
            ),
            "kubelet",
            "Warning",
        );
        return true;
    }
    let statuses: Vec<Value> = mains.iter().map(|c| running(c, &pod, &at)).collect();
    let ip = format!(
        "10.244.{}.{}",
        super::store::hash(str_at(p, "/spec/nodeName")) % 3,
        2 + super::store::hash(&pod) % 250
    );
    if let Some(st) = p.get_mut("status").and_then(Value::as_object_mut) {
        st.insert("phase".into(), json!("Running"));
        st.insert("containerStatuses".into(), json!(statuses));
        st.insert("podIP".into(), json!(ip));
        st.insert("podIPs".into(), json!([{"ip": ip}]));
    }
    for kind in [
        "PodReadyToStartContainers",
        "Initialized",
        "Ready",
        "ContainersReady",
    ] {
        set_condition(p, kind, true, &at);
    }
    for c in &mains {
        pulled_events(w, p, c);
    }
    true
}

/// Every pod one step on; pods being deleted go after their grace.
pub fn pods(w: &mut World) -> bool {
    let now = w.clock.now();
    let live = w.clock.live();
    let mut changed = false;
    let idx = pod_index();
    for (_, ns, n) in w.keys(idx) {
        let Some(mut p) = w.get(idx, &ns, &n).cloned() else {
            continue;
        };
        if let Some(at) = p
            .pointer("/metadata/deletionTimestamp")
            .and_then(Value::as_str)
            .and_then(seconds)
        {
            if !live || now >= at + GRACE {
                w.remove(idx, &ns, &n);
                changed = true;
            }
            continue;
        }
        if advance(w, &mut p, now) || super::jobs::finish(w, &mut p, now) {
            let at = w.clock.stamp(now);
            super::managed::manage(&mut p, "kubelet", "Update", true, &at);
            w.put(idx, p);
            changed = true;
        }
    }
    changed
}

/// The CA every namespace's `kube-root-ca.crt` holds (the demo's; it signs nothing).
const ROOT_CA: &str = "-----BEGIN CERTIFICATE-----\nMIIDBjCCAe6gAwIBAgIBATANBgkqhkiG9w0BAQsFADAVMRMwEQYDVQQDEwptaW5p\na3ViZUNBMB4XDTI2MTIwMTAwMDAwMFoXDTM2MTEyOTAwMDAwMFowFTETMBEGA1UE\nAxMKbWluaWt1YmVDQTAeFw0yNjEyMDEwMDAwMDBaFw0zNjExMjkwMDAwMDBaMBUx\n-----END CERTIFICATE-----\n";

/// What the controllers put in each new namespace: its `default` ServiceAccount and the
/// cluster's CA in the ConfigMap `kube-root-ca.crt`.
fn furnish(w: &mut World, ns: &str) -> bool {
    let mut changed = false;
    let sa = super::resources::KINDS
        .iter()
        .position(|r| r.kind == "ServiceAccount")
        .unwrap_or_default();
    if w.get(sa, ns, "default").is_none() {
        let v = json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": ns}});
        changed |= super::seed::make_by(w, v, ns, "").is_ok();
    }
    let cm = super::resources::KINDS
        .iter()
        .position(|r| r.kind == "ConfigMap")
        .unwrap_or_default();
    if w.get(cm, ns, "kube-root-ca.crt").is_none() {
        let v = json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "kube-root-ca.crt", "namespace": ns, "annotations": {"kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."}},
            "data": {"ca.crt": ROOT_CA},
        });
        changed |= super::seed::make_by(w, v, ns, super::make::MANAGER).is_ok();
    }
    changed
}

/// Namespaces: a new one furnished, one being deleted emptied, then gone.
pub fn namespaces(w: &mut World) -> bool {
    let ns_idx = super::store::ns_index();
    let mut changed = false;
    for (_, _, n) in w.keys(ns_idx) {
        let terminating = w
            .get(ns_idx, "", &n)
            .is_some_and(|v| str_at(v, "/status/phase") == "Terminating");
        if !terminating {
            changed |= furnish(w, &n);
            continue;
        }
        let mut left = 0;
        for (i, r) in super::resources::KINDS.iter().enumerate() {
            if !r.namespaced || r.read_only {
                continue;
            }
            for (_, kns, kn) in w.keys(i) {
                if kns != n {
                    continue;
                }
                left += 1;
                if r.kind == "Pod" {
                    super::make::terminate(w, &kns, &kn);
                } else {
                    w.remove(i, &kns, &kn);
                    changed = true;
                }
            }
        }
        if left == 0 {
            w.remove(ns_idx, "", &n);
            changed = true;
        }
    }
    changed
}

/// How many of a workload's pods are ready (their Ready condition true).
pub fn ready(p: &Value) -> bool {
    p.pointer("/metadata/deletionTimestamp").is_none()
        && p.pointer("/status/conditions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .any(|c| str_at(c, "/type") == "Ready" && str_at(c, "/status") == "True")
}
