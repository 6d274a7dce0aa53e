//! Jobs in the demo, as the job controller runs them: a pod per completion still wanted (within
//! the parallelism), each running a moment then ending well; the Job complete once enough have.

use super::events;
use super::make::MANAGER;
use super::store::{World, kind_index, owned_by, pod_index, str_at};
use serde_json::{Value, json};

/// How long a Job's pod runs on a running clock.
pub const RUN: f64 = 2.0;

/// Makes a pod of an owner with these extra labels, as the controllers make theirs; its name.
pub type MakePod<'a> = &'a dyn Fn(&mut World, &Value, &[(&str, String)]) -> Option<String>;

/// Every Job one step on; whether anything changed.
pub fn jobs(w: &mut World, make: MakePod) -> bool {
    let idx = kind_index("Job");
    let before = w.rv();
    for (_, ns, n) in w.keys(idx) {
        let Some(job) = w.get(idx, &ns, &n).cloned() else {
            continue;
        };
        if job.pointer("/status/completionTime").is_some() {
            continue;
        }
        let uid = str_at(&job, "/metadata/uid").to_string();
        let pods: Vec<Value> = w
            .list(pod_index(), Some(&ns))
            .into_iter()
            .filter(|p| owned_by(p, &uid))
            .cloned()
            .collect();
        let succeeded = pods
            .iter()
            .filter(|p| str_at(p, "/status/phase") == "Succeeded")
            .count() as i64;
        let active = pods
            .iter()
            .filter(|p| !matches!(str_at(p, "/status/phase"), "Succeeded" | "Failed"))
            .count() as i64;
        let completions = job
            .pointer("/spec/completions")
            .and_then(Value::as_i64)
            .unwrap_or(1);
        let parallelism = job
            .pointer("/spec/parallelism")
            .and_then(Value::as_i64)
            .unwrap_or(1);
        let now = w.clock.stamp_now();
        let start = job
            .pointer("/status/startTime")
            .and_then(Value::as_str)
            .unwrap_or(&now)
            .to_string();
        let mut status = json!({"startTime": start, "active": active, "ready": 0, "terminating": 0, "uncountedTerminatedPods": {}});
        if succeeded >= completions {
            status = json!({
                "startTime": start, "completionTime": now, "succeeded": succeeded,
                "ready": 0, "terminating": 0, "uncountedTerminatedPods": {},
                "conditions": [
                    {"type": "SuccessCriteriaMet", "status": "True", "reason": "CompletionsReached", "message": "Reached expected number of succeeded pods", "lastProbeTime": now, "lastTransitionTime": now},
                    {"type": "Complete", "status": "True", "reason": "CompletionsReached", "message": "Reached expected number of succeeded pods", "lastProbeTime": now, "lastTransitionTime": now},
                ],
            });
            events::record(
                w,
                &job,
                "Completed",
                "Job completed",
                "job-controller",
                "Normal",
            );
        } else if active < parallelism && succeeded + active < completions {
            let labels = [
                ("batch.kubernetes.io/controller-uid", uid.clone()),
                ("batch.kubernetes.io/job-name", n.clone()),
                ("controller-uid", uid.clone()),
                ("job-name", n.clone()),
            ];
            if let Some(made) = make(w, &job, &labels) {
                events::record(
                    w,
                    &job,
                    "SuccessfulCreate",
                    &format!("Created pod: {made}"),
                    "job-controller",
                    "Normal",
                );
            }
        } else if succeeded > 0
            && let Some(s) = status.as_object_mut()
        {
            s.insert("succeeded".into(), json!(succeeded));
        }
        if job.get("status") != Some(&status) {
            let mut job = job.clone();
            if let Some(o) = job.as_object_mut() {
                o.insert("status".into(), status);
            }
            super::managed::manage(&mut job, MANAGER, "Update", true, &now);
            w.put(idx, job);
        }
    }
    w.rv() != before
}

/// A Job's pod that has run its time ends well (`Completed`); whether it did.
pub fn finish(w: &World, p: &mut Value, now: f64) -> bool {
    if str_at(p, "/status/phase") != "Running" || str_at(p, "/spec/restartPolicy") == "Always" {
        return false;
    }
    let started = p
        .pointer("/status/containerStatuses/0/state/running/startedAt")
        .and_then(Value::as_str)
        .and_then(super::store::seconds)
        .unwrap_or(now);
    if w.clock.live() && now < started + RUN {
        return false;
    }
    let at = w.clock.stamp(now);
    let start = w.clock.stamp(started);
    if let Some(cs) = p
        .pointer_mut("/status/containerStatuses")
        .and_then(Value::as_array_mut)
    {
        for c in cs.iter_mut() {
            let id = c.get("containerID").cloned().unwrap_or_default();
            if let Some(o) = c.as_object_mut() {
                o.insert("ready".into(), json!(false));
                o.insert("started".into(), json!(false));
                o.insert("state".into(), json!({"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": start, "finishedAt": at, "containerID": id}}));
            }
        }
    }
    if let Some(st) = p.get_mut("status").and_then(Value::as_object_mut) {
        st.insert("phase".into(), json!("Succeeded"));
    }
    if let Some(cs) = p
        .pointer_mut("/status/conditions")
        .and_then(Value::as_array_mut)
    {
        for c in cs.iter_mut() {
            if matches!(str_at(c, "/type"), "Ready" | "ContainersReady")
                && let Some(o) = c.as_object_mut()
            {
                o.insert("status".into(), json!("False"));
                o.insert("reason".into(), json!("PodCompleted"));
                o.insert("lastTransitionTime".into(), json!(at));
            }
        }
    }
    true
}
