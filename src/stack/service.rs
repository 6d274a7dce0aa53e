//! One compose service to a swarm ServiceSpec (JSON, in the Engine API's shape), key by key as
//! the docker CLI's `convert.Service` does it.

use super::load::At;
use super::mounts::mounts;
use super::objects::{object_name, user_defined};
use super::values::{
    R, bad, boolean, check, dur, float, int, item, kv, labels, list, missing, p, pairs,
    shell_words, size, string, string_map, uint, with_stack,
};
use serde_json::{Value as J, json};
use std::collections::BTreeMap;

/// The environment: `env_file` lines (read as the CLI's kvfile reads them), then
/// `environment`. A key with no value, or an empty one, takes the shell's value when it has one;
/// otherwise `KEY=` stays empty and a bare `KEY` stays unset.
fn env(
    at: &At<'_>,
    s: &J,
    path: &[String],
    lookup: &dyn Fn(&str) -> Option<String>,
) -> R<Vec<String>> {
    let mut vars: BTreeMap<String, Option<String>> = BTreeMap::new();
    if let Some(files) = s.get("env_file") {
        let fp = p(path, "env_file");
        for (i, f) in list(at, files, &fp)?.into_iter().enumerate() {
            let full = at.dir.join(&f);
            let text = std::fs::read_to_string(&full).map_err(|e| {
                at.err(
                    &item(&fp, i),
                    crate::tr!("stack.read_file", file = full.display(), error = e),
                )
            })?;
            for (n, raw) in text.lines().enumerate() {
                let line = raw.trim_start_matches('\u{feff}').trim_start();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let (key, value) = match line.split_once('=') {
                    Some((k, v)) => (k, Some(v.to_string())),
                    None => (line, None),
                };
                if key.is_empty() || key.contains([' ', '\t']) {
                    return Err(at.err(
                        &item(&fp, i),
                        crate::tr!(
                            "stack.env_file_line",
                            file = full.display(),
                            line = n + 1,
                            text = line
                        ),
                    ));
                }
                match value {
                    Some(v) => {
                        vars.insert(key.to_string(), Some(v));
                    }
                    // A bare name takes the shell's value, or is left out.
                    None => {
                        if let Some(v) = lookup(key) {
                            vars.insert(key.to_string(), Some(v));
                        }
                    }
                }
            }
        }
    }
    let mut resolved: BTreeMap<String, Option<String>> = BTreeMap::new();
    let mut update = |vars: BTreeMap<String, Option<String>>| {
        for (k, v) in vars {
            let v = match (v, lookup(&k)) {
                (None, Some(shell)) => Some(shell),
                (Some(v), Some(shell)) if v.is_empty() => Some(shell),
                (v, _) => v,
            };
            resolved.insert(k, v);
        }
    };
    update(vars);
    if let Some(e) = s.get("environment") {
        update(kv(at, e, &p(path, "environment"), '=')?);
    }
    let mut out: Vec<String> = resolved
        .into_iter()
        .map(|(k, v)| match v {
            Some(v) => format!("{k}={v}"),
            None => k,
        })
        .collect();
    out.sort();
    Ok(out)
}

fn ports(at: &At<'_>, v: &J, path: &[String]) -> R<Vec<J>> {
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

fn update_config(at: &At<'_>, v: &J, path: &[String]) -> R<J> {
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

fn resources(at: &At<'_>, v: &J, path: &[String]) -> R<J> {
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

/// A service's secrets or configs: references by name, with the file's target, owner and mode
/// (0444 unless set; `mode: 0400` is octal, as YAML 1.1 reads it).
fn refs(
    at: &At<'_>,
    stack: &str,
    v: &J,
    path: &[String],
    defs: Option<&J>,
    kind: &str,
) -> R<Vec<J>> {
    let items = v.as_array().ok_or_else(|| bad(at, path, "list", v))?;
    let mut out = Vec::new();
    for (i, entry) in items.iter().enumerate() {
        let ip = item(path, i);
        let (source, target, uid, gid, mode) = if entry.is_object() {
            check(at, entry, &ip, &["source", "target", "uid", "gid", "mode"])?;
            let field = |k: &str| -> R<Option<String>> {
                entry.get(k).map(|t| string(at, t, &p(&ip, k))).transpose()
            };
            let s = field("source")?.ok_or_else(|| missing(at, &ip, "source"))?;
            let mode = entry
                .get("mode")
                .map(|t| uint(at, t, &p(&ip, "mode")))
                .transpose()?;
            (s, field("target")?, field("uid")?, field("gid")?, mode)
        } else {
            (string(at, entry, &ip)?, None, None, None, None)
        };
        let Some(def) = defs.and_then(|d| d.get(&source)) else {
            return Err(at.err(
                &ip,
                crate::tr!("stack.undefined_object", kind = kind, name = source),
            ));
        };
        let (name, _) = object_name(stack, &source, Some(def));
        let target = target.filter(|t| !t.is_empty()).unwrap_or(source);
        if out.iter().any(|r: &J| r["File"]["Name"] == target.as_str()) {
            return Err(at.err(
                &ip,
                crate::tr!("stack.duplicate_target", kind = kind, target = target),
            ));
        }
        let file = json!({
            "Name": target,
            "UID": uid.filter(|u| !u.is_empty()).unwrap_or_else(|| "0".into()),
            "GID": gid.filter(|g| !g.is_empty()).unwrap_or_else(|| "0".into()),
            "Mode": mode.unwrap_or(0o444),
        });
        out.push(if kind == "secret" {
            json!({ "File": file, "SecretName": name })
        } else {
            json!({ "File": file, "ConfigName": name })
        });
    }
    Ok(out)
}

/// `cap_add`/`cap_drop` as the CLI's `EffectiveCapAddCapDrop`: upper case with `CAP_`, `ALL`
/// wins over the rest, a capability both added and dropped is added, sorted.
fn capabilities(add: &[String], drop: &[String]) -> (Vec<String>, Vec<String>) {
    let norm = |c: &String| {
        let c = c.trim().to_uppercase();
        if c == "ALL" || c == "RESET" || c.starts_with("CAP_") {
            c
        } else {
            format!("CAP_{c}")
        }
    };
    let set = |caps: &[String]| -> std::collections::BTreeSet<String> {
        let s: std::collections::BTreeSet<String> = caps.iter().map(norm).collect();
        if s.contains("ALL") {
            ["ALL".to_string()].into()
        } else {
            s
        }
    };
    let (a, d) = (set(add), set(drop));
    let drop = d
        .iter()
        .filter(|c| !a.contains(*c) && c.as_str() != "RESET")
        .cloned()
        .collect();
    let add = a
        .iter()
        .filter(|c| c.as_str() != "RESET")
        .cloned()
        .collect();
    (add, drop)
}

fn ulimits(at: &At<'_>, v: &J, path: &[String]) -> R<Vec<J>> {
    let m = v.as_object().ok_or_else(|| bad(at, path, "mapping", v))?;
    let mut out = Vec::new();
    for (name, limit) in m {
        let lp = p(path, name);
        let (soft, hard) = if limit.is_object() {
            check(at, limit, &lp, &["soft", "hard"])?;
            let soft = limit.get("soft").ok_or_else(|| missing(at, &lp, "soft"))?;
            let hard = limit.get("hard").ok_or_else(|| missing(at, &lp, "hard"))?;
            (
                int(at, soft, &p(&lp, "soft"))?,
                int(at, hard, &p(&lp, "hard"))?,
            )
        } else {
            let n = int(at, limit, &lp)?;
            (n, n)
        };
        out.push(json!({ "Name": name, "Soft": soft, "Hard": hard }));
    }
    out.sort_by(|a, b| a["Name"].as_str().cmp(&b["Name"].as_str()));
    Ok(out)
}

/// `restart:` (when `deploy.restart_policy` is absent), as the CLI's `ParseRestartPolicy`.
fn restart(at: &At<'_>, v: &J, path: &[String]) -> R<Option<J>> {
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

fn healthcheck(at: &At<'_>, h: &J, hp: &[String]) -> R<J> {
    check(
        at,
        h,
        hp,
        &[
            "test",
            "interval",
            "timeout",
            "retries",
            "start_period",
            "start_interval",
            "disable",
        ],
    )?;
    let disable = h
        .get("disable")
        .map(|d| boolean(at, d, &p(hp, "disable")))
        .transpose()?
        .unwrap_or(false);
    let test = match h.get("test") {
        Some(J::String(cmd)) => Some(json!(["CMD-SHELL", cmd])),
        Some(other) => Some(json!(list(at, other, &p(hp, "test"))?)),
        None => None,
    };
    if disable {
        if test
            .as_ref()
            .is_some_and(|t| t.as_array().is_some_and(|a| !a.is_empty()))
        {
            return Err(at.err(hp, crate::tr!("stack.test_and_disable")));
        }
        return Ok(json!({ "Test": ["NONE"] }));
    }
    let mut hc = json!({});
    if let Some(t) = test {
        hc["Test"] = t;
    }
    for (k, api) in [
        ("interval", "Interval"),
        ("timeout", "Timeout"),
        ("start_period", "StartPeriod"),
        ("start_interval", "StartInterval"),
    ] {
        if let Some(v) = h.get(k) {
            hc[api] = json!(dur(at, v, &p(hp, k))?);
        }
    }
    if let Some(r) = h.get("retries") {
        hc["Retries"] = json!(uint(at, r, &p(hp, "retries"))?);
    }
    Ok(hc)
}

/// `deploy.mode` and `deploy.replicas` → the service mode (jobs too).
fn mode(at: &At<'_>, deploy: &J, dp: &[String]) -> R<J> {
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

/// The service's network attachments: those named (with their aliases and driver options), or
/// the stack's default network; the service's key is an alias on user-defined networks.
fn attachments(
    at: &At<'_>,
    stack: &str,
    key: &str,
    s: &J,
    path: &[String],
    networks: &J,
) -> R<Vec<J>> {
    let np = p(path, "networks");
    let named: BTreeMap<String, J> = match s.get("networks") {
        Some(J::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, n)| string(at, n, &item(&np, i)).map(|n| (n, J::Null)))
            .collect::<R<_>>()?,
        Some(J::Object(m)) => m.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        Some(J::Null) | None => BTreeMap::new(),
        Some(other) => return Err(bad(at, &np, "list or mapping", other)),
    };
    let named = if named.is_empty() {
        BTreeMap::from([("default".to_string(), J::Null)])
    } else {
        named
    };
    let mut attach = Vec::new();
    for (net, cfg) in &named {
        let def = networks.get(net).filter(|d| !d.is_null());
        if networks.get(net).is_none() && net != "default" {
            return Err(at.err(&np, crate::tr!("stack.undefined_network", name = net)));
        }
        let cp = p(&np, net);
        if !cfg.is_null() {
            check(
                at,
                cfg,
                &cp,
                &["aliases", "driver_opts", "ipv4_address", "ipv6_address"],
            )?;
        }
        let (target, _) = object_name(stack, net, def);
        let mut aliases: Vec<String> = match cfg.get("aliases") {
            Some(a) => list(at, a, &p(&cp, "aliases"))?,
            None => Vec::new(),
        };
        if user_defined(&target) {
            aliases.push(key.to_string());
        }
        let mut a = json!({ "Target": target, "Aliases": aliases });
        if let Some(o) = cfg.get("driver_opts") {
            a["DriverOpts"] = json!(string_map(at, Some(o), &p(&cp, "driver_opts"))?);
        }
        attach.push(a);
    }
    attach.sort_by(|a, b| a["Target"].as_str().cmp(&b["Target"].as_str()));
    Ok(attach)
}

/// One service's spec. `top` is the merged top level (networks, volumes, secrets, configs).
pub fn service(
    at: &At<'_>,
    stack: &str,
    key: &str,
    s: &J,
    path: &[String],
    top: &J,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> R<J> {
    let networks = top.get("networks").unwrap_or(&J::Null);
    let volumes = top.get("volumes").unwrap_or(&J::Null);
    let image = s
        .get("image")
        .map(|i| string(at, i, &p(path, "image")))
        .transpose()?
        .ok_or_else(|| at.err(path, crate::tr!("stack.no_image", name = key)))?;
    if !crate::model::reference::valid(&image) {
        return Err(bad(at, &p(path, "image"), "image name", &J::String(image)));
    }
    let deploy = s.get("deploy").cloned().unwrap_or(J::Null);
    let dp = p(path, "deploy");
    let mut c = json!({ "Image": image, "Labels": with_stack(labels(at, s.get("labels"), &p(path, "labels"))?, stack) });
    let split = |at: &At<'_>, v: &J, path: &[String]| -> R<Vec<String>> {
        match v {
            J::String(sh) => shell_words(sh).ok_or_else(|| bad(at, path, "command", v)),
            other => list(at, other, path),
        }
    };
    if let Some(e) = s.get("entrypoint") {
        c["Command"] = json!(split(at, e, &p(path, "entrypoint"))?);
    }
    if let Some(cmd) = s.get("command") {
        c["Args"] = json!(split(at, cmd, &p(path, "command"))?);
    }
    let envs = env(at, s, path, lookup)?;
    if !envs.is_empty() {
        c["Env"] = json!(envs);
    }
    for (k, api) in [
        ("hostname", "Hostname"),
        ("user", "User"),
        ("working_dir", "Dir"),
        ("stop_signal", "StopSignal"),
        ("isolation", "Isolation"),
    ] {
        if let Some(v) = s.get(k) {
            c[api] = J::String(string(at, v, &p(path, k))?);
        }
    }
    for (k, api) in [
        ("tty", "TTY"),
        ("stdin_open", "OpenStdin"),
        ("read_only", "ReadOnly"),
        ("init", "Init"),
    ] {
        if let Some(v) = s.get(k) {
            c[api] = J::Bool(boolean(at, v, &p(path, k))?);
        }
    }
    if let Some(v) = s.get("stop_grace_period") {
        c["StopGracePeriod"] = json!(dur(at, v, &p(path, "stop_grace_period"))?);
    }
    if let Some(v) = s.get("oom_score_adj") {
        c["OomScoreAdj"] = json!(int(at, v, &p(path, "oom_score_adj"))?);
    }
    if let Some(v) = s.get("volumes") {
        c["Mounts"] = json!(mounts(at, stack, v, &p(path, "volumes"), volumes, lookup)?);
    }
    let mut secrets = match s.get("secrets") {
        Some(v) => refs(
            at,
            stack,
            v,
            &p(path, "secrets"),
            top.get("secrets"),
            "secret",
        )?,
        None => Vec::new(),
    };
    let mut configs = match s.get("configs") {
        Some(v) => refs(
            at,
            stack,
            v,
            &p(path, "configs"),
            top.get("configs"),
            "config",
        )?,
        None => Vec::new(),
    };
    // Privileges always go (the CLI sends an empty block); a credential spec fills it.
    let mut privileges = json!({});
    if let Some(cs) = s.get("credential_spec") {
        let cp = p(path, "credential_spec");
        check(at, cs, &cp, &["config", "file", "registry"])?;
        let set: Vec<(&str, String)> = ["config", "file", "registry"]
            .into_iter()
            .filter_map(|k| cs.get(k).map(|v| (k, v)))
            .map(|(k, v)| string(at, v, &p(&cp, k)).map(|v| (k, v)))
            .collect::<R<Vec<_>>>()?
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .collect();
        match set.as_slice() {
            [] => {}
            [("config", name)] => {
                let Some(def) = top.get("configs").and_then(|d| d.get(name)) else {
                    return Err(at.err(
                        &cp,
                        crate::tr!("stack.undefined_object", kind = "config", name = name),
                    ));
                };
                let (config, _) = object_name(stack, name, Some(def));
                // A runtime reference to the config; its ID replaces the name at deploy time.
                configs.push(json!({ "ConfigName": config, "Runtime": {} }));
                privileges["CredentialSpec"] = json!({ "Config": config });
            }
            [(k, v)] => {
                let api = if *k == "file" { "File" } else { "Registry" };
                privileges["CredentialSpec"] = json!({ api: v });
            }
            _ => return Err(at.err(&cp, crate::tr!("stack.credential_spec"))),
        }
    }
    c["Privileges"] = privileges;
    // Sorted by name, as docker sorts them (and by target within a name).
    let order = |field: &'static str| {
        move |a: &J, b: &J| {
            (a[field].as_str(), a["File"]["Name"].as_str())
                .cmp(&(b[field].as_str(), b["File"]["Name"].as_str()))
        }
    };
    secrets.sort_by(order("SecretName"));
    configs.sort_by(order("ConfigName"));
    if s.get("secrets").is_some() {
        c["Secrets"] = json!(secrets);
    }
    if !configs.is_empty() || s.get("configs").is_some() {
        c["Configs"] = json!(configs);
    }
    if let Some(v) = s.get("extra_hosts") {
        let hosts = pairs(at, v, &p(path, "extra_hosts"), &['=', ':'])?;
        c["Hosts"] = json!(
            hosts
                .into_iter()
                .filter_map(|(h, ip)| ip.map(|ip| (h, ip)))
                .map(|(h, ip)| {
                    let ip = ip
                        .strip_prefix('[')
                        .and_then(|i| i.strip_suffix(']'))
                        .unwrap_or(&ip)
                        .to_string();
                    format!("{ip} {h}")
                })
                .collect::<Vec<_>>()
        );
    }
    if s.get("dns").is_some() || s.get("dns_search").is_some() {
        let mut d = json!({});
        for (k, api) in [("dns", "Nameservers"), ("dns_search", "Search")] {
            if let Some(v) = s.get(k) {
                d[api] = json!(list(at, v, &p(path, k))?);
            }
        }
        c["DNSConfig"] = d;
    }
    if let Some(h) = s.get("healthcheck") {
        c["HealthCheck"] = healthcheck(at, h, &p(path, "healthcheck"))?;
    }
    let (cap_add, cap_drop) = capabilities(
        &s.get("cap_add")
            .map(|v| list(at, v, &p(path, "cap_add")))
            .transpose()?
            .unwrap_or_default(),
        &s.get("cap_drop")
            .map(|v| list(at, v, &p(path, "cap_drop")))
            .transpose()?
            .unwrap_or_default(),
    );
    if !cap_add.is_empty() {
        c["CapabilityAdd"] = json!(cap_add);
    }
    if !cap_drop.is_empty() {
        c["CapabilityDrop"] = json!(cap_drop);
    }
    if let Some(v) = s.get("sysctls") {
        c["Sysctls"] = json!(string_map(at, Some(v), &p(path, "sysctls"))?);
    }
    if let Some(v) = s.get("ulimits") {
        c["Ulimits"] = json!(ulimits(at, v, &p(path, "ulimits"))?);
    }
    let mut task = json!({ "ContainerSpec": c });
    if let Some(l) = s.get("logging") {
        let lp = p(path, "logging");
        check(at, l, &lp, &["driver", "options"])?;
        let mut d = json!({});
        if let Some(n) = l.get("driver") {
            d["Name"] = J::String(string(at, n, &p(&lp, "driver"))?);
        }
        if let Some(o) = l.get("options") {
            d["Options"] = json!(string_map(at, Some(o), &p(&lp, "options"))?);
        }
        task["LogDriver"] = d;
    }
    if let Some(r) = deploy.get("resources") {
        task["Resources"] = resources(at, r, &p(&dp, "resources"))?;
    }
    if let Some(rp) = deploy.get("restart_policy") {
        let rpp = p(&dp, "restart_policy");
        check(
            at,
            rp,
            &rpp,
            &["condition", "delay", "max_attempts", "window"],
        )?;
        let mut r = json!({});
        if let Some(x) = rp.get("condition") {
            r["Condition"] = J::String(string(at, x, &p(&rpp, "condition"))?);
        }
        for (k, api) in [("delay", "Delay"), ("window", "Window")] {
            if let Some(x) = rp.get(k) {
                r[api] = json!(dur(at, x, &p(&rpp, k))?);
            }
        }
        if let Some(x) = rp.get("max_attempts") {
            r["MaxAttempts"] = json!(uint(at, x, &p(&rpp, "max_attempts"))?);
        }
        task["RestartPolicy"] = r;
    } else if let Some(v) = s.get("restart")
        && let Some(r) = restart(at, v, &p(path, "restart"))?
    {
        // The CLI still converts `restart` (while warning that it is unsupported).
        task["RestartPolicy"] = r;
    }
    if let Some(pl) = deploy.get("placement") {
        let pp = p(&dp, "placement");
        check(
            at,
            pl,
            &pp,
            &["constraints", "preferences", "max_replicas_per_node"],
        )?;
        let mut o = json!({});
        if let Some(cs) = pl.get("constraints") {
            o["Constraints"] = json!(list(at, cs, &p(&pp, "constraints"))?);
        }
        if let Some(prefs) = pl.get("preferences") {
            let prp = p(&pp, "preferences");
            let items = prefs
                .as_array()
                .ok_or_else(|| bad(at, &prp, "list", prefs))?;
            let mut v = Vec::new();
            for (i, x) in items.iter().enumerate() {
                check(at, x, &item(&prp, i), &["spread"])?;
                let spread = x
                    .get("spread")
                    .map(|s| string(at, s, &p(&item(&prp, i), "spread")))
                    .transpose()?
                    .unwrap_or_default();
                v.push(json!({ "Spread": { "SpreadDescriptor": spread } }));
            }
            o["Preferences"] = J::Array(v);
        }
        if let Some(m) = pl.get("max_replicas_per_node") {
            o["MaxReplicas"] = json!(uint(at, m, &p(&pp, "max_replicas_per_node"))?);
        }
        task["Placement"] = o;
    }
    task["Networks"] = J::Array(attachments(at, stack, key, s, path, networks)?);

    let mut svc_labels = with_stack(labels(at, deploy.get("labels"), &p(&dp, "labels"))?, stack);
    svc_labels.insert(
        "com.docker.stack.image".into(),
        task["ContainerSpec"]["Image"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    );
    let mut out = json!({ "Name": format!("{stack}_{key}"), "Labels": svc_labels, "TaskTemplate": task, "Mode": mode(at, &deploy, &dp)? });
    let mut endpoint = json!({});
    if let Some(m) = deploy.get("endpoint_mode") {
        endpoint["Mode"] = J::String(string(at, m, &p(&dp, "endpoint_mode"))?.to_lowercase());
    }
    if let Some(ps) = s.get("ports") {
        endpoint["Ports"] = json!(ports(at, ps, &p(path, "ports"))?);
    }
    out["EndpointSpec"] = endpoint;
    if let Some(u) = deploy.get("update_config") {
        out["UpdateConfig"] = update_config(at, u, &p(&dp, "update_config"))?;
    }
    if let Some(u) = deploy.get("rollback_config") {
        out["RollbackConfig"] = update_config(at, u, &p(&dp, "rollback_config"))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::capabilities;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn capabilities_normalise_as_the_cli_does() {
        assert_eq!(
            capabilities(
                &v(&["net_admin", "CAP_SYS_TIME"]),
                &v(&["mknod", "net_admin"])
            ),
            (v(&["CAP_NET_ADMIN", "CAP_SYS_TIME"]), v(&["CAP_MKNOD"]))
        );
        assert_eq!(
            capabilities(&v(&["all", "chown"]), &v(&["RESET"])),
            (v(&["ALL"]), v(&[]))
        );
    }
}
