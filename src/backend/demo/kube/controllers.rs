//! The controllers of the demo cluster, as kube-controller-manager runs them: a Deployment
//! keeps a ReplicaSet per template (rolling from the old to the new), a ReplicaSet keeps its
//! pods, a DaemonSet one pod per node, a StatefulSet its numbered pods, a Job its pod until it
//! ends; objects whose owner is gone are collected.

use super::events;
use super::lifecycle;
use super::make::MANAGER;
use super::resources::KINDS;
use super::store::{hash, kind_index, node_index, owned_by, pod_index, pods_of};

use super::store::{World, int_at, name, namespace, str_at};
use serde_json::{Value, json};

const REVISION: &str = "deployment.kubernetes.io/revision";

/// One round of every controller; whether anything changed.
pub fn reconcile(w: &mut World) -> bool {
    let mut changed = false;
    changed |= deployments(w);
    changed |= replica_sets(w);
    changed |= daemon_sets(w);
    changed |= stateful_sets(w);
    changed |= super::jobs::jobs(w, &|w, job, labels| {
        let pod = pod_from(w, job, None, labels);
        create_pod(w, job, pod)
    });
    changed |= lifecycle::pods(w);
    changed |= lifecycle::namespaces(w);
    changed |= super::gc::orphans(w);
    changed |= super::status::all(w);
    changed
}

fn owner_ref(owner: &Value) -> Value {
    json!({
        "apiVersion": str_at(owner, "/apiVersion"),
        "kind": str_at(owner, "/kind"),
        "name": name(owner),
        "uid": str_at(owner, "/metadata/uid"),
        "controller": true,
        "blockOwnerDeletion": true,
    })
}

/// A pod from a template, owned by `owner`.
fn pod_from(
    w: &mut World,
    owner: &Value,
    pod_name: Option<String>,
    extra: &[(&str, String)],
) -> Value {
    let template = owner.pointer("/spec/template").cloned().unwrap_or_default();
    let mut labels = template
        .pointer("/metadata/labels")
        .cloned()
        .unwrap_or_else(|| json!({}));
    for (k, v) in extra {
        if let Some(l) = labels.as_object_mut() {
            l.insert((*k).into(), json!(v));
        }
    }
    let mut meta = json!({
        "namespace": namespace(owner),
        "labels": labels,
        "ownerReferences": [owner_ref(owner)],
    });
    if let Some(m) = meta.as_object_mut() {
        match pod_name {
            Some(n) => m.insert("name".into(), json!(n)),
            None => m.insert("generateName".into(), json!(format!("{}-", name(owner)))),
        };
        if let Some(a) = template.pointer("/metadata/annotations") {
            m.insert("annotations".into(), a.clone());
        }
    }
    let mut spec = template.get("spec").cloned().unwrap_or_default();
    // The service account's token, mounted as a real cluster mounts it.
    let vol = format!("kube-api-access-{}", w.suffix(5));
    if let Some(s) = spec.as_object_mut() {
        let vols = s.entry("volumes").or_insert_with(|| json!([]));
        if let Some(v) = vols.as_array_mut() {
            v.push(json!({"name": vol, "projected": {"defaultMode": 420, "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}
            ]}}));
        }
        for list in ["initContainers", "containers"] {
            for c in s
                .get_mut(list)
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                if let Some(c) = c.as_object_mut() {
                    let mounts = c.entry("volumeMounts").or_insert_with(|| json!([]));
                    if let Some(m) = mounts.as_array_mut() {
                        m.push(json!({"name": vol, "readOnly": true, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}));
                    }
                }
            }
        }
    }
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec})
}

/// Creates a pod through the same path a POST takes (defaults, name).
fn create_pod(w: &mut World, owner: &Value, pod: Value) -> Option<String> {
    let t = super::make::Target {
        res: &KINDS[pod_index()],
        ns: Some(namespace(owner)),
        name: None,
        sub: None,
    };
    let made = super::make::create_value(w, &t, pod, false, (MANAGER, "Update")).ok()?;
    Some(name(&made))
}

/// A ReplicaSet's pods brought to its replicas.
fn replica_sets(w: &mut World) -> bool {
    let idx = kind_index("ReplicaSet");
    let mut changed = false;
    for (_, ns, n) in w.keys(idx) {
        let Some(rs) = w.get(idx, &ns, &n).cloned() else {
            continue;
        };
        let want = int_at(&rs, "/spec/replicas").max(0) as usize;
        let mut have = pods_of(w, &rs);
        let hash = str_at(&rs, "/metadata/labels/pod-template-hash").to_string();
        for _ in have.len()..want {
            let extra = if hash.is_empty() {
                vec![]
            } else {
                vec![("pod-template-hash", hash.clone())]
            };
            let pod = pod_from(w, &rs, None, &extra);
            let Some(made) = create_pod(w, &rs, pod) else {
                break;
            };
            events::record(
                w,
                &rs,
                "SuccessfulCreate",
                &format!("Created pod: {made}"),
                "replicaset-controller",
                "Normal",
            );
            changed = true;
        }
        if changed {
            have = pods_of(w, &rs);
        }
        if have.len() > want {
            // The ones not ready go first, then the newest.
            have.sort_by_key(|p| {
                (
                    lifecycle::ready(p),
                    std::cmp::Reverse(str_at(p, "/metadata/creationTimestamp").to_string()),
                )
            });
            for p in have.iter().take(have.len() - want) {
                super::make::terminate(w, &ns, &name(p));
                events::record(
                    w,
                    &rs,
                    "SuccessfulDelete",
                    &format!("Deleted pod: {}", name(p)),
                    "replicaset-controller",
                    "Normal",
                );
                changed = true;
            }
        }
    }
    changed
}

/// The hash of a template, as the pod-template-hash label writes it.
fn template_hash(d: &Value) -> String {
    let t = d
        .pointer("/spec/template")
        .map(Value::to_string)
        .unwrap_or_default();
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut h = hash(&t);
    (0..10)
        .map(|_| {
            let c = ALPHABET[(h % ALPHABET.len() as u64) as usize] as char;
            h /= ALPHABET.len() as u64;
            c
        })
        .collect()
}

/// 25% of `n`, as the rolling update's default surge (rounded up) and unavailability (down).
fn part(d: &Value, key: &str, n: i64, up: bool) -> i64 {
    let v = d
        .pointer(&format!("/spec/strategy/rollingUpdate/{key}"))
        .cloned()
        .unwrap_or(json!("25%"));
    match v {
        Value::Number(x) => x.as_i64().unwrap_or(1),
        Value::String(s) => {
            let pct: i64 = s.trim_end_matches('%').parse().unwrap_or(25);
            if up {
                (n * pct + 99) / 100
            } else {
                n * pct / 100
            }
        }
        _ => 1,
    }
}

fn revision(rs: &Value) -> i64 {
    rs.pointer("/metadata/annotations")
        .and_then(|a| a.get(REVISION))
        .and_then(Value::as_str)
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

/// Sets a ReplicaSet's replicas, with the event a Deployment's controller reports.
fn scale_set(w: &mut World, d: &Value, rs: &Value, to: i64) {
    let from = int_at(rs, "/spec/replicas");
    if from == to {
        return;
    }
    let mut rs = rs.clone();
    if let Some(s) = rs.get_mut("spec").and_then(Value::as_object_mut) {
        s.insert("replicas".into(), json!(to));
    }
    if let Some(m) = rs.get_mut("metadata").and_then(Value::as_object_mut) {
        let g = m.get("generation").and_then(Value::as_i64).unwrap_or(1);
        m.insert("generation".into(), json!(g + 1));
    }
    let n = name(&rs);
    w.put(kind_index("ReplicaSet"), rs);
    let way = if to > from { "up" } else { "down" };
    events::record(
        w,
        d,
        "ScalingReplicaSet",
        &format!("Scaled {way} replica set {n} from {from} to {to}"),
        "deployment-controller",
        "Normal",
    );
}

/// The ReplicaSet of a Deployment's current template, made when missing.
fn new_set(w: &mut World, d: &Value, sets: &[Value]) -> Option<Value> {
    let hash = template_hash(d);
    let wanted = format!("{}-{hash}", name(d));
    let top = sets.iter().map(revision).max().unwrap_or(0);
    if let Some(rs) = sets.iter().find(|s| name(s) == wanted) {
        if revision(rs) < top {
            // Back to an older template (a rollback): it becomes the newest revision.
            let mut rs = rs.clone();
            if let Some(a) = rs
                .pointer_mut("/metadata/annotations")
                .and_then(Value::as_object_mut)
            {
                a.insert(REVISION.into(), json!((top + 1).to_string()));
            }
            return Some(w.put(kind_index("ReplicaSet"), rs));
        }
        return Some(rs.clone());
    }
    let want = int_at(d, "/spec/replicas");
    let mut template = d.pointer("/spec/template").cloned().unwrap_or_default();
    super::objects::child(super::objects::child(&mut template, "metadata"), "labels")
        .as_object_mut()
        .map(|l| l.insert("pod-template-hash".into(), json!(hash)));
    let mut selector = d.pointer("/spec/selector").cloned().unwrap_or_default();
    super::objects::child(&mut selector, "matchLabels")
        .as_object_mut()
        .map(|l| l.insert("pod-template-hash".into(), json!(hash)));
    let labels = template
        .pointer("/metadata/labels")
        .cloned()
        .unwrap_or_default();
    let surge = part(d, "maxSurge", want, true);
    let rs = json!({
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": wanted,
            "namespace": namespace(d),
            "labels": labels,
            "annotations": {
                "deployment.kubernetes.io/desired-replicas": want.to_string(),
                "deployment.kubernetes.io/max-replicas": (want + surge).to_string(),
                REVISION: (top + 1).to_string(),
            },
            "ownerReferences": [owner_ref(d)],
        },
        "spec": {"replicas": 0, "selector": selector, "template": template},
    });
    let t = super::make::Target {
        res: &KINDS[kind_index("ReplicaSet")],
        ns: Some(namespace(d)),
        name: None,
        sub: None,
    };
    super::make::create_value(w, &t, rs, false, (MANAGER, "Update")).ok()
}

/// Each Deployment's sets rolled toward its template and replicas.
fn deployments(w: &mut World) -> bool {
    let idx = kind_index("Deployment");
    let rs_idx = kind_index("ReplicaSet");
    let before = w.rv();
    for (_, ns, n) in w.keys(idx) {
        let Some(d) = w.get(idx, &ns, &n).cloned() else {
            continue;
        };
        let uid = str_at(&d, "/metadata/uid").to_string();
        let owned = |w: &World| -> Vec<Value> {
            w.list(rs_idx, Some(&ns))
                .into_iter()
                .filter(|s| owned_by(s, &uid))
                .cloned()
                .collect()
        };
        let sets = owned(w);
        let Some(new) = new_set(w, &d, &sets) else {
            continue;
        };
        let rev = revision(&new).to_string();
        if d.pointer("/metadata/annotations")
            .and_then(|a| a.get(REVISION))
            .and_then(Value::as_str)
            != Some(rev.as_str())
        {
            let mut d2 = d.clone();
            super::objects::child(super::objects::child(&mut d2, "metadata"), "annotations")
                .as_object_mut()
                .map(|a| a.insert(REVISION.into(), json!(rev)));
            let at = w.clock.stamp_now();
            super::managed::manage(&mut d2, MANAGER, "Update", false, &at);
            w.put(idx, d2);
        }
        let olds: Vec<Value> = owned(w)
            .into_iter()
            .filter(|s| name(s) != name(&new) && int_at(s, "/spec/replicas") > 0)
            .collect();
        roll(w, &d, &new, &olds);
        // Old sets past the history limit go.
        let limit = int_at(&d, "/spec/revisionHistoryLimit").max(0) as usize;
        let mut idle: Vec<Value> = owned(w)
            .into_iter()
            .filter(|s| {
                name(s) != name(&new)
                    && int_at(s, "/spec/replicas") == 0
                    && int_at(s, "/status/replicas") == 0
            })
            .collect();
        idle.sort_by_key(revision);
        while idle.len() > limit {
            let s = idle.remove(0);
            w.remove(rs_idx, &ns, &name(&s));
        }
    }
    w.rv() != before
}

/// One step of a rollout: the new set up within the surge, the old ones down within the
/// unavailability the strategy allows (or all at once first, for Recreate).
fn roll(w: &mut World, d: &Value, new: &Value, olds: &[Value]) {
    let want = int_at(d, "/spec/replicas").max(0);
    let new_n = int_at(new, "/spec/replicas");
    if str_at(d, "/spec/strategy/type") == "Recreate" {
        for o in olds {
            scale_set(w, d, o, 0);
        }
        let old_pods: usize = olds.iter().map(|o| pods_of(w, o).len()).sum();
        if old_pods == 0 {
            scale_set(w, d, new, want);
        }
        return;
    }
    let surge = part(d, "maxSurge", want, true);
    let mut unavailable = part(d, "maxUnavailable", want, false);
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    let old_total: i64 = olds.iter().map(|o| int_at(o, "/spec/replicas")).sum();
    if new_n > want || olds.is_empty() {
        scale_set(w, d, new, want);
    } else if new_n < want {
        let room = want + surge - new_n - old_total;
        if room > 0 {
            scale_set(w, d, new, new_n + room.min(want - new_n));
        }
    }
    let ready_of =
        |w: &World, s: &Value| pods_of(w, s).iter().filter(|p| lifecycle::ready(p)).count() as i64;
    let mut ready_total = ready_of(w, new) + olds.iter().map(|o| ready_of(w, o)).sum::<i64>();
    let min_available = want - unavailable;
    for o in olds {
        let n = int_at(o, "/spec/replicas");
        let ready = ready_of(w, o);
        let unhealthy = (n - ready).max(0);
        let spare = (ready_total - min_available).clamp(0, ready);
        let down = (unhealthy + spare).min(n);
        if down > 0 {
            scale_set(w, d, o, n - down);
            ready_total -= spare.min(down);
        }
    }
}

/// A DaemonSet's pod on each schedulable node.
fn daemon_sets(w: &mut World) -> bool {
    let idx = kind_index("DaemonSet");
    let before = w.rv();
    let nodes: Vec<String> = w.list(node_index(), None).into_iter().map(name).collect();
    for (_, ns, n) in w.keys(idx) {
        let Some(ds) = w.get(idx, &ns, &n).cloned() else {
            continue;
        };
        let have = pods_of(w, &ds);
        for node in &nodes {
            if have.iter().any(|p| str_at(p, "/spec/nodeName") == node) {
                continue;
            }
            let mut pod = pod_from(w, &ds, None, &[]);
            if let Some(s) = pod.get_mut("spec").and_then(Value::as_object_mut) {
                s.insert("nodeName".into(), json!(node));
            }
            if let Some(made) = create_pod(w, &ds, pod) {
                events::record(
                    w,
                    &ds,
                    "SuccessfulCreate",
                    &format!("Created pod: {made}"),
                    "daemonset-controller",
                    "Normal",
                );
            }
        }
    }
    w.rv() != before
}

/// A StatefulSet's pods `NAME-0`, `NAME-1`…, each made once the one before is ready.
fn stateful_sets(w: &mut World) -> bool {
    let idx = kind_index("StatefulSet");
    let before = w.rv();
    for (_, ns, n) in w.keys(idx) {
        let Some(ss) = w.get(idx, &ns, &n).cloned() else {
            continue;
        };
        let want = int_at(&ss, "/spec/replicas").max(0) as usize;
        let have = pods_of(w, &ss);
        let named = |i: usize| format!("{n}-{i}");
        for i in 0..want {
            if have.iter().any(|p| name(p) == named(i)) {
                continue;
            }
            let ready_before = i == 0
                || have
                    .iter()
                    .any(|p| name(p) == named(i - 1) && lifecycle::ready(p));
            if !ready_before || w.get(pod_index(), &ns, &named(i)).is_some() {
                break;
            }
            let pod = pod_from(
                w,
                &ss,
                Some(named(i)),
                &[("statefulset.kubernetes.io/pod-name", named(i))],
            );
            if let Some(made) = create_pod(w, &ss, pod) {
                events::record(
                    w,
                    &ss,
                    "SuccessfulCreate",
                    &format!("create Pod {made} in StatefulSet {n} successful"),
                    "statefulset-controller",
                    "Normal",
                );
            }
            break;
        }
        // Scaled down: the highest ordinal first.
        if let Some(p) = have
            .iter()
            .filter(|p| {
                name(p)
                    .rsplit('-')
                    .next()
                    .and_then(|o| o.parse::<usize>().ok())
                    .is_some_and(|o| o >= want)
            })
            .max_by_key(|p| name(p))
        {
            super::make::terminate(w, &ns, &name(p));
        }
    }
    w.rv() != before
}
