//! The `deploy:` part of a service and its ports, as the docker CLI converts them: the mode
//! (jobs too), resources, restart, update and rollback policies, published ports.

use super::spec::At;
use super::values::{R, bad, check, dur, float, int, item, missing, p, size, string, uint};
use serde_json::{Value as J, json};

pub fn ports(at: &At<'_>, v: &J, path: &[String]) -> R<Vec<J>> {
    let mut out = Vec::new();
    let Some(items) = v.as_array() else {
        return Err(bad(at, path, "list", v));
    };
    for (i, entry) in items.iter().enumerate() {
        let ip = item(path, i);
        if entry.is_object() {
            check(at, entry, &ip, &["target", "published", "protocol", "mode"])?;
            let target = entry
                .get("target")
                .ok_or_else(|| missing(at, &ip, "target"))?;
            let mut port = json!({ "Protocol": "tcp", "TargetPort": uint(at, target, &p(&ip, "target"))?, "PublishMode": "ingress" });
            if let Some(pb) = entry.get("published") {
                port["PublishedPort"] = json!(uint(at, pb, &p(&ip, "published"))?);
            }
            if let Some(pr) = entry.get("protocol") {
                port["Protocol"] = J::String(string(at, pr, &p(&ip, "protocol"))?);
            }
            if let Some(m) = entry.get("mode") {
                port["PublishMode"] = J::String(string(at, m, &p(&ip, "mode"))?);
            }
            out.push(port);
            continue;
        }
        let s = string(at, entry, &ip)?;
        let (spec, proto) = s.split_once('/').unwrap_or((&s, "tcp"));
        let parts: Vec<&str> = spec.split(':').collect();
        let (published, target) = match parts.as_slice() {
            [t] => (None, *t),
            [pb, t] => (Some(*pb), *t),
            [_ip, pb, t] => (Some(*pb), *t),
            _ => return Err(bad(at, &ip, "port (like 8080:80 or 443)", entry)),
        };
        let range = |r: &str| -> Option<(u16, u16)> {
            match r.split_once('-') {
                Some((a, b)) => Some((a.parse().ok()?, b.parse().ok()?)),
                None => r.parse().ok().map(|x| (x, x)),
            }
        };
        let (t0, t1) =
            range(target).ok_or_else(|| bad(at, &ip, "port (like 8080:80 or 443)", entry))?;
        let pubs = published
            .map(|pb| range(pb).ok_or_else(|| bad(at, &ip, "port (like 8080:80 or 443)", entry)))
            .transpose()?;
        if !["tcp", "udp", "sctp"].contains(&proto)
            || t1 < t0
            || pubs.is_some_and(|(a, b)| b - a != t1 - t0)
        {
            return Err(bad(at, &ip, "port (like 8080:80 or 443)", entry));
        }
        for k in 0..=(t1 - t0) {
            let mut port =
                json!({ "Protocol": proto, "TargetPort": t0 + k, "PublishMode": "ingress" });
            if let Some((a, _)) = pubs {
                port["PublishedPort"] = json!(a + k);
            }
            out.push(port);
        }
    }
    out.sort_by_key(|p| p.get("PublishedPort").and_then(J::as_u64).unwrap_or(0));
    Ok(out)
}

pub fn update_config(at: &At<'_>, v: &J, path: &[String]) -> R<J> {
    check(
        at,
        v,
        path,
        &[
            "parallelism",
            "delay",
            "failure_action",
            "monitor",
            "max_failure_ratio",
            "order",
        ],
    )?;
    let mut u = json!({ "Parallelism": 1 });
    if let Some(x) = v.get("parallelism") {
        u["Parallelism"] = json!(uint(at, x, &p(path, "parallelism"))?);
    }
    for (key, api) in [("delay", "Delay"), ("monitor", "Monitor")] {
        if let Some(x) = v.get(key) {
            u[api] = json!(dur(at, x, &p(path, key))?);
        }
    }
    if let Some(x) = v.get("failure_action") {
        u["FailureAction"] = J::String(string(at, x, &p(path, "failure_action"))?);
    }
    if let Some(x) = v.get("max_failure_ratio") {
        u["MaxFailureRatio"] = json!(float(at, x, &p(path, "max_failure_ratio"))?);
    }
    if let Some(x) = v.get("order") {
        u["Order"] = J::String(string(at, x, &p(path, "order"))?);
    }
    Ok(u)
}

pub fn resources(at: &At<'_>, v: &J, path: &[String]) -> R<J> {
    check(at, v, path, &["limits", "reservations"])?;
    let mut r = json!({});
    for (key, api) in [("limits", "Limits"), ("reservations", "Reservations")] {
        let Some(x) = v.get(key) else { continue };
        let lp = p(path, key);
        let allowed: &[&str] = if key == "limits" {
            &["cpus", "memory", "pids"]
        } else {
            &["cpus", "memory", "generic_resources"]
        };
        check(at, x, &lp, allowed)?;
        let mut o = json!({});
        if let Some(c) = x.get("cpus") {
            o["NanoCPUs"] = json!((float(at, c, &p(&lp, "cpus"))? * 1e9).round() as i64);
        }
        if let Some(m) = x.get("memory") {
            o["MemoryBytes"] = json!(size(at, m, &p(&lp, "memory"))?);
        }
        if let Some(pids) = x.get("pids") {
            o["Pids"] = json!(uint(at, pids, &p(&lp, "pids"))?);
        }
        if let Some(g) = x.get("generic_resources") {
            let gp = p(&lp, "generic_resources");
            let items = g.as_array().ok_or_else(|| bad(at, &gp, "list", g))?;
            let mut out = Vec::new();
            for (i, res) in items.iter().enumerate() {
                let rp = item(&gp, i);
                check(at, res, &rp, &["discrete_resource_spec"])?;
                let mut r = json!({});
                if let Some(d) = res.get("discrete_resource_spec") {
                    let dp = p(&rp, "discrete_resource_spec");
                    check(at, d, &dp, &["kind", "value"])?;
                    let kind = d
                        .get("kind")
                        .map(|k| string(at, k, &p(&dp, "kind")))
                        .transpose()?
                        .unwrap_or_default();
                    let value = d
                        .get("value")
                        .map(|k| int(at, k, &p(&dp, "value")))
                        .transpose()?
                        .unwrap_or(0);
                    r["DiscreteResourceSpec"] = json!({ "Kind": kind, "Value": value });
                }
                out.push(r);
            }
            o["GenericResources"] = J::Array(out);
        }
        r[api] = o;
    }
    Ok(r)
}

/// `restart:` (when `deploy.restart_policy` is absent), as the CLI's `ParseRestartPolicy`.
pub fn restart(at: &At<'_>, v: &J, path: &[String]) -> R<Option<J>> {
    let r = string(at, v, path)?;
    let (name, count) = match r.split_once(':') {
        Some((n, c)) => (n, Some(c)),
        None => (r.as_str(), None),
    };
    Ok(match (name, count) {
        ("" | "no", None) => None,
        ("always" | "unless-stopped", None) => Some(json!({ "Condition": "any" })),
        ("on-failure", _) => {
            let n = match count {
                Some(c) => c
                    .parse::<u64>()
                    .map_err(|_| bad(at, path, "restart policy", v))?,
                None => 0,
            };
            Some(json!({ "Condition": "on-failure", "MaxAttempts": n }))
        }
        _ => {
            return Err(bad(
                at,
                path,
                "restart policy (no, always, on-failure[:N], unless-stopped)",
                v,
            ));
        }
    })
}

/// `deploy.mode` and `deploy.replicas` → the service mode (jobs too).
pub fn mode(at: &At<'_>, deploy: &J, dp: &[String]) -> R<J> {
    let replicas = deploy
        .get("replicas")
        .map(|r| uint(at, r, &p(dp, "replicas")))
        .transpose()?;
    let name = deploy
        .get("mode")
        .map(|m| string(at, m, &p(dp, "mode")))
        .transpose()?
        .unwrap_or_default();
    let global_with_replicas = || at.err(&p(dp, "replicas"), crate::tr!("stack.replicas_global"));
    Ok(match name.as_str() {
        "global" if replicas.is_some() => return Err(global_with_replicas()),
        "global-job" if replicas.is_some() => return Err(global_with_replicas()),
        "global" => json!({ "Global": {} }),
        "global-job" => json!({ "GlobalJob": {} }),
        "replicated-job" => match replicas {
            Some(n) => json!({ "ReplicatedJob": { "MaxConcurrent": n, "TotalCompletions": n } }),
            None => json!({ "ReplicatedJob": {} }),
        },
        "replicated" | "" => match replicas {
            Some(n) => json!({ "Replicated": { "Replicas": n } }),
            None => json!({ "Replicated": {} }),
        },
        other => {
            return Err(bad(
                at,
                &p(dp, "mode"),
                "mode (replicated, global, replicated-job or global-job)",
                &J::String(other.into()),
            ));
        }
    })
}
