//! The status each controller writes on what it keeps: a ReplicaSet's and a Deployment's
//! replicas and conditions, a DaemonSet's and a StatefulSet's counts, as the API shows them
//! (counts that are zero left out).

use super::lifecycle;
use super::store::{World, int_at, name, str_at};
use super::store::{kind_index, owned_by, pods_of};
use serde_json::{Value, json};

/// (pods, ready) of an owner.
fn pod_counts(w: &World, owner: &Value) -> (i64, i64) {
    let pods = pods_of(w, owner);
    let ready = pods.iter().filter(|p| lifecycle::ready(p)).count() as i64;
    (pods.len() as i64, ready)
}

pub fn all(w: &mut World) -> bool {
    let mut changed = false;
    changed |= replica_sets(w);
    changed |= deployments(w);
    changed |= daemon_sets(w);
    changed |= stateful_sets(w);
    changed
}

fn replica_sets(w: &mut World) -> bool {
    let idx = kind_index("ReplicaSet");
    let mut changed = false;
    for (_, ns, n) in w.keys(idx) {
        let Some(rs) = w.get(idx, &ns, &n).cloned() else {
            continue;
        };
        let (pods, ready) = pod_counts(w, &rs);
        let mut s = counts(&[
            ("fullyLabeledReplicas", pods),
            ("readyReplicas", ready),
            ("availableReplicas", ready),
            ("observedGeneration", int_at(&rs, "/metadata/generation")),
        ]);
        s.insert("replicas".into(), json!(pods));
        changed |= set_status(w, idx, &rs, Value::Object(s));
    }
    changed
}

fn deployments(w: &mut World) -> bool {
    let idx = kind_index("Deployment");
    let rs_idx = kind_index("ReplicaSet");
    let mut changed = false;
    for (_, ns, n) in w.keys(idx) {
        let Some(d) = w.get(idx, &ns, &n).cloned() else {
            continue;
        };
        let uid = str_at(&d, "/metadata/uid").to_string();
        let sets: Vec<Value> = w
            .list(rs_idx, Some(&ns))
            .into_iter()
            .filter(|s| owned_by(s, &uid))
            .cloned()
            .collect();
        let newest = sets.iter().max_by_key(|s| {
            s.pointer("/metadata/annotations/deployment.kubernetes.io~1revision")
                .and_then(Value::as_str)
                .and_then(|r| r.parse::<i64>().ok())
                .unwrap_or(0)
        });
        let sum = |k: &str| {
            sets.iter()
                .map(|s| int_at(s, &format!("/status/{k}")))
                .sum::<i64>()
        };
        let (replicas, ready, available) = (
            sum("replicas"),
            sum("readyReplicas"),
            sum("availableReplicas"),
        );
        let updated = newest.map(|s| int_at(s, "/status/replicas")).unwrap_or(0);
        let want = int_at(&d, "/spec/replicas");
        let mut s = counts(&[
            ("observedGeneration", int_at(&d, "/metadata/generation")),
            ("replicas", replicas),
            ("updatedReplicas", updated),
            ("readyReplicas", ready),
            ("availableReplicas", available),
            (
                "unavailableReplicas",
                (want.max(replicas) - available).max(0),
            ),
        ]);
        let old = d
            .pointer("/status/conditions")
            .cloned()
            .unwrap_or(json!([]));
        let at = w.clock.stamp_now();
        let rs_name = newest.map(name).unwrap_or_default();
        let unavailable_ok = want - available <= want / 4;
        let done = updated == want && replicas == want && available == want;
        let conditions = json!([
            condition(
                &old,
                "Available",
                unavailable_ok,
                if unavailable_ok {
                    "MinimumReplicasAvailable"
                } else {
                    "MinimumReplicasUnavailable"
                },
                if unavailable_ok {
                    "Deployment has minimum availability.".to_string()
                } else {
                    "Deployment does not have minimum availability.".to_string()
                },
                &at
            ),
            condition(
                &old,
                "Progressing",
                true,
                if done {
                    "NewReplicaSetAvailable"
                } else {
                    "ReplicaSetUpdated"
                },
                if done {
                    format!("ReplicaSet \"{rs_name}\" has successfully progressed.")
                } else {
                    format!("ReplicaSet \"{rs_name}\" is progressing.")
                },
                &at
            ),
        ]);
        s.insert("conditions".into(), conditions);
        changed |= set_status(w, idx, &d, Value::Object(s));
    }
    changed
}

/// A Deployment condition, its times kept while its status and reason stay.
fn condition(old: &Value, kind: &str, ok: bool, reason: &str, message: String, at: &str) -> Value {
    let status = if ok { "True" } else { "False" };
    let prev = old
        .as_array()
        .and_then(|cs| cs.iter().find(|c| str_at(c, "/type") == kind));
    let same_status = prev.is_some_and(|c| str_at(c, "/status") == status);
    let same = same_status
        && prev.is_some_and(|c| str_at(c, "/reason") == reason && str_at(c, "/message") == message);
    let transition = match prev {
        Some(c) if same_status => str_at(c, "/lastTransitionTime").to_string(),
        _ => at.to_string(),
    };
    let update = match prev {
        Some(c) if same => str_at(c, "/lastUpdateTime").to_string(),
        _ => at.to_string(),
    };
    json!({
        "type": kind, "status": status, "lastUpdateTime": update,
        "lastTransitionTime": transition, "reason": reason, "message": message,
    })
}

fn daemon_sets(w: &mut World) -> bool {
    let idx = kind_index("DaemonSet");
    let nodes = w.list(super::store::node_index(), None).len() as i64;
    let mut changed = false;
    for (_, ns, n) in w.keys(idx) {
        let Some(ds) = w.get(idx, &ns, &n).cloned() else {
            continue;
        };
        let (pods, ready) = pod_counts(w, &ds);
        let mut s = counts(&[
            ("numberAvailable", ready),
            ("numberReady", ready),
            ("observedGeneration", int_at(&ds, "/metadata/generation")),
            ("updatedNumberScheduled", pods),
        ]);
        s.insert("currentNumberScheduled".into(), json!(pods));
        s.insert("desiredNumberScheduled".into(), json!(nodes));
        s.insert("numberMisscheduled".into(), json!(0));
        changed |= set_status(w, idx, &ds, Value::Object(s));
    }
    changed
}

fn stateful_sets(w: &mut World) -> bool {
    let idx = kind_index("StatefulSet");
    let mut changed = false;
    for (_, ns, n) in w.keys(idx) {
        let Some(ss) = w.get(idx, &ns, &n).cloned() else {
            continue;
        };
        let (pods, ready) = pod_counts(w, &ss);
        let revision = format!(
            "{n}-{:010x}",
            super::store::hash(
                &ss.pointer("/spec/template")
                    .map(Value::to_string)
                    .unwrap_or_default()
            ) % 0xff_ffff_ffff
        );
        let mut s = counts(&[
            ("readyReplicas", ready),
            ("availableReplicas", ready),
            ("currentReplicas", pods),
            ("updatedReplicas", pods),
            ("observedGeneration", int_at(&ss, "/metadata/generation")),
        ]);
        s.insert("replicas".into(), json!(pods));
        s.insert("currentRevision".into(), json!(revision));
        s.insert("updateRevision".into(), json!(revision));
        s.insert("collisionCount".into(), json!(0));
        changed |= set_status(w, idx, &ss, Value::Object(s));
    }
    changed
}

/// Puts `status` on an object when it differs from what is there.
fn set_status(w: &mut World, idx: usize, v: &Value, status: Value) -> bool {
    if v.get("status") == Some(&status) {
        return false;
    }
    let mut v = v.clone();
    if let Some(o) = v.as_object_mut() {
        o.insert("status".into(), status);
    }
    let at = w.clock.stamp_now();
    super::managed::manage(&mut v, super::make::MANAGER, "Update", true, &at);
    w.put(idx, v);
    true
}

/// A status object without the counts that are zero (the API leaves them out).
fn counts(pairs: &[(&str, i64)]) -> serde_json::Map<String, Value> {
    pairs
        .iter()
        .filter(|(_, n)| *n != 0)
        .map(|(k, n)| ((*k).to_string(), json!(n)))
        .collect()
}
