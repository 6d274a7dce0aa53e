//! docker's conventions, from a checked compose tree to Engine API specs (JSON in the API's
//! shape): object names `<stack>_<key>` unless `name:` is set, the stack label on everything,
//! the `default` network, mounts, ports, resources, policies, health checks.

use super::load::{At, NAMESPACE, StackError, StackSpec};
use serde_json::{Map, Value as J, json};
use std::collections::BTreeMap;

type R<T> = Result<T, StackError>;

fn p(base: &[String], key: &str) -> Vec<String> {
    let mut v = base.to_vec();
    v.push(key.to_string());
    v
}

fn bad(at: &At<'_>, path: &[String], what: &str, value: &J) -> StackError {
    let shown = match value {
        J::String(s) => s.clone(),
        other => other.to_string(),
    };
    at.err(
        path,
        crate::tr!("stack.bad_value", what = what, value = shown),
    )
}

fn string(at: &At<'_>, v: &J, path: &[String]) -> R<String> {
    match v {
        J::String(s) => Ok(s.clone()),
        J::Number(n) => Ok(n.to_string()),
        J::Bool(b) => Ok(b.to_string()),
        other => Err(bad(at, path, "text", other)),
    }
}

/// Numbers may come as strings after interpolation (`replicas: ${N}`): cast as the CLI does.
fn uint(at: &At<'_>, v: &J, path: &[String]) -> R<u64> {
    match v {
        J::Number(n) if n.as_u64().is_some() => Ok(n.as_u64().unwrap_or(0)),
        J::String(s) if s.trim().parse::<u64>().is_ok() => Ok(s.trim().parse().unwrap_or(0)),
        other => Err(bad(at, path, "whole number", other)),
    }
}

fn float(at: &At<'_>, v: &J, path: &[String]) -> R<f64> {
    match v {
        J::Number(n) => n.as_f64().ok_or_else(|| bad(at, path, "number", v)),
        J::String(s) => s.trim().parse().map_err(|_| bad(at, path, "number", v)),
        other => Err(bad(at, path, "number", other)),
    }
}

fn boolean(at: &At<'_>, v: &J, path: &[String]) -> R<bool> {
    match v {
        J::Bool(b) => Ok(*b),
        J::String(s) => match s.to_lowercase().as_str() {
            "true" | "yes" | "y" | "on" | "1" => Ok(true),
            "false" | "no" | "n" | "off" | "0" => Ok(false),
            _ => Err(bad(at, path, "true/false", v)),
        },
        other => Err(bad(at, path, "true/false", other)),
    }
}

fn list(at: &At<'_>, v: &J, path: &[String]) -> R<Vec<String>> {
    match v {
        J::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, x)| string(at, x, &p(path, &format!("[{i}]"))))
            .collect(),
        J::String(s) => Ok(vec![s.clone()]),
        other => Err(bad(at, path, "list", other)),
    }
}

/// A mapping, or a list of `k=v` (labels, environment). `None` values are keys without a value.
fn kv(at: &At<'_>, v: &J, path: &[String], sep: char) -> R<BTreeMap<String, Option<String>>> {
    let mut out = BTreeMap::new();
    match v {
        J::Object(m) => {
            for (k, val) in m {
                let val = match val {
                    J::Null => None,
                    other => Some(string(at, other, &p(path, k))?),
                };
                out.insert(k.clone(), val);
            }
        }
        J::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                let s = string(at, x, &p(path, &format!("[{i}]")))?;
                match s.split_once(sep) {
                    Some((k, val)) => out.insert(k.to_string(), Some(val.to_string())),
                    None => out.insert(s, None),
                };
            }
        }
        J::Null => {}
        other => return Err(bad(at, path, "mapping or list", other)),
    }
    Ok(out)
}

fn labels(at: &At<'_>, v: Option<&J>, path: &[String]) -> R<BTreeMap<String, String>> {
    Ok(match v {
        Some(v) => kv(at, v, path, '=')?
            .into_iter()
            .map(|(k, v)| (k, v.unwrap_or_default()))
            .collect(),
        None => BTreeMap::new(),
    })
}

fn with_stack(mut l: BTreeMap<String, String>, stack: &str) -> BTreeMap<String, String> {
    l.insert(NAMESPACE.into(), stack.into());
    l
}

/// Go durations: `1m30s`, `500ms`, `2.5s`, `1h` → nanoseconds.
pub fn duration_ns(s: &str) -> Option<i64> {
    let s = s.trim();
    if s == "0" {
        return Some(0);
    }
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let n: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let mult = match &rest[..unit_len] {
            "ns" => 1.0,
            "us" | "µs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        total += n * mult;
        rest = &rest[unit_len..];
    }
    Some(total as i64)
}

/// Sizes as docker reads them (`512M`, `1.5g`, `100k`, plain bytes), in binary units.
pub fn bytes(s: &str) -> Option<i64> {
    let s = s.trim().to_lowercase();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let n: f64 = s[..split].parse().ok()?;
    let mult = match s[split..].trim_end_matches('b').trim_end_matches('i') {
        "" => 1.0,
        "k" => 1024.0,
        "m" => 1024.0 * 1024.0,
        "g" => 1024.0 * 1024.0 * 1024.0,
        "t" => 1024f64.powi(4),
        _ => return None,
    };
    Some((n * mult) as i64)
}

fn dur(at: &At<'_>, v: &J, path: &[String]) -> R<i64> {
    let s = string(at, v, path)?;
    duration_ns(&s).ok_or_else(|| bad(at, path, "duration (like 10s or 1m30s)", v))
}

fn size(at: &At<'_>, v: &J, path: &[String]) -> R<i64> {
    match v {
        J::Number(n) => n.as_i64().ok_or_else(|| bad(at, path, "size", v)),
        _ => bytes(&string(at, v, path)?).ok_or_else(|| bad(at, path, "size (like 512M or 1G)", v)),
    }
}

/// An unknown key is an error naming it (and the closest known one); `x-` keys are extensions.
pub fn check(at: &At<'_>, v: &J, path: &[String], allowed: &[&str]) -> R<()> {
    let unknown = v.as_object().and_then(|o| {
        o.keys()
            .find(|k| !k.starts_with("x-") && !allowed.contains(&k.as_str()))
    });
    match unknown {
        Some(k) => {
            let hint = crate::suggest::closest(k, allowed.iter().copied())
                .map(|s| crate::tr!("hint.did_you_mean", name = s))
                .unwrap_or_default();
            Err(at.err(
                &p(path, k),
                crate::tr!("stack.unknown_key", key = k, hint = hint),
            ))
        }
        None => Ok(()),
    }
}

fn object_name(stack: &str, key: &str, def: Option<&J>) -> (String, bool) {
    let external = def
        .and_then(|d| d.get("external"))
        .is_some_and(|e| e.as_bool().unwrap_or(false) || e.is_object());
    let explicit = def
        .and_then(|d| d.get("name"))
        .and_then(J::as_str)
        .map(str::to_string);
    let ext_name = def
        .and_then(|d| d.get("external"))
        .and_then(|e| e.get("name"))
        .and_then(J::as_str)
        .map(str::to_string);
    match (external, explicit.or(ext_name)) {
        (_, Some(n)) => (n, external),
        (true, None) => (key.to_string(), true),
        (false, None) => (format!("{stack}_{key}"), false),
    }
}

/// Networks used by the services, secrets and configs: what the stack creates.
pub fn objects(at: &At<'_>, stack: &str, top: &J, spec: &mut StackSpec) -> R<()> {
    for (section, into_secrets) in [("secrets", true), ("configs", false)] {
        let Some(m) = top.get(section).and_then(J::as_object) else {
            continue;
        };
        for (key, def) in m {
            let path = vec![section.to_string(), key.clone()];
            check(
                at,
                def,
                &path,
                &[
                    "file",
                    "external",
                    "labels",
                    "name",
                    "template_driver",
                    "driver",
                    "driver_opts",
                ],
            )?;
            let (name, external) = object_name(stack, key, Some(def));
            if external {
                continue;
            }
            let Some(file) = def.get("file") else {
                return Err(at.err(&path, crate::tr!("stack.needs_file", kind = section)));
            };
            let file = string(at, file, &p(&path, "file"))?;
            let full = at.dir.join(&file);
            let data = std::fs::read(&full).map_err(|e| {
                at.err(
                    &p(&path, "file"),
                    crate::tr!("stack.read_file", file = full.display(), error = e),
                )
            })?;
            let l = with_stack(labels(at, def.get("labels"), &p(&path, "labels"))?, stack);
            if into_secrets {
                spec.secrets.insert(name, (l, data));
            } else {
                spec.configs.insert(name, (l, data));
            }
        }
    }
    if let Some(m) = top.get("networks").and_then(J::as_object) {
        for (key, def) in m {
            check(
                at,
                def,
                &["networks".into(), key.clone()],
                &[
                    "driver",
                    "driver_opts",
                    "ipam",
                    "external",
                    "internal",
                    "attachable",
                    "labels",
                    "name",
                ],
            )?;
        }
    }
    if let Some(m) = top.get("volumes").and_then(J::as_object) {
        for (key, def) in m {
            check(
                at,
                def,
                &["volumes".into(), key.clone()],
                &["driver", "driver_opts", "external", "labels", "name"],
            )?;
        }
    }
    Ok(())
}

fn network_request(at: &At<'_>, stack: &str, name: &str, def: Option<&J>, path: &[String]) -> R<J> {
    let mut n = json!({ "Name": name, "Driver": "overlay", "Scope": "swarm" });
    let mut l = BTreeMap::new();
    if let Some(d) = def {
        if let Some(driver) = d.get("driver") {
            n["Driver"] = J::String(string(at, driver, &p(path, "driver"))?);
        }
        if let Some(o) = d.get("driver_opts") {
            let opts: BTreeMap<String, String> = kv(at, o, &p(path, "driver_opts"), '=')?
                .into_iter()
                .map(|(k, v)| (k, v.unwrap_or_default()))
                .collect();
            n["Options"] = json!(opts);
        }
        for flag in ["internal", "attachable"] {
            if let Some(v) = d.get(flag) {
                let key = if flag == "internal" {
                    "Internal"
                } else {
                    "Attachable"
                };
                n[key] = J::Bool(boolean(at, v, &p(path, flag))?);
            }
        }
        if let Some(ipam) = d.get("ipam") {
            let mut out = Map::new();
            if let Some(drv) = ipam.get("driver") {
                out.insert(
                    "Driver".into(),
                    J::String(string(at, drv, &p(path, "ipam"))?),
                );
            }
            if let Some(cfg) = ipam.get("config").and_then(J::as_array) {
                let configs: Vec<J> = cfg
                    .iter()
                    .filter_map(|c| c.get("subnet").and_then(J::as_str))
                    .map(|s| json!({ "Subnet": s }))
                    .collect();
                out.insert("Config".into(), J::Array(configs));
            }
            n["IPAM"] = J::Object(out);
        }
        l = labels(at, d.get("labels"), &p(path, "labels"))?;
    }
    n["Labels"] = json!(with_stack(l, stack));
    Ok(n)
}

fn ports(at: &At<'_>, v: &J, path: &[String]) -> R<Vec<J>> {
    let mut out = Vec::new();
    let Some(items) = v.as_array() else {
        return Err(bad(at, path, "list", v));
    };
    for (i, item) in items.iter().enumerate() {
        let ip = p(path, &format!("[{i}]"));
        if item.is_object() {
            check(at, item, &ip, &["target", "published", "protocol", "mode"])?;
            let target = item
                .get("target")
                .ok_or_else(|| at.err(&ip, crate::tr!("stack.missing_key", key = "target")))?;
            let mut port = json!({ "Protocol": "tcp", "TargetPort": uint(at, target, &p(&ip, "target"))?, "PublishMode": "ingress" });
            if let Some(pb) = item.get("published") {
                port["PublishedPort"] = json!(uint(at, pb, &p(&ip, "published"))?);
            }
            if let Some(pr) = item.get("protocol") {
                port["Protocol"] = J::String(string(at, pr, &p(&ip, "protocol"))?);
            }
            if let Some(m) = item.get("mode") {
                port["PublishMode"] = J::String(string(at, m, &p(&ip, "mode"))?);
            }
            out.push(port);
            continue;
        }
        let s = string(at, item, &ip)?;
        let (spec, proto) = s.split_once('/').unwrap_or((&s, "tcp"));
        let parts: Vec<&str> = spec.split(':').collect();
        let (published, target) = match parts.as_slice() {
            [t] => (None, *t),
            [pb, t] => (Some(*pb), *t),
            [_ip, pb, t] => (Some(*pb), *t),
            _ => return Err(bad(at, &ip, "port (like 8080:80 or 443)", item)),
        };
        let range = |r: &str| -> Option<(u16, u16)> {
            match r.split_once('-') {
                Some((a, b)) => Some((a.parse().ok()?, b.parse().ok()?)),
                None => r.parse().ok().map(|x| (x, x)),
            }
        };
        let (t0, t1) =
            range(target).ok_or_else(|| bad(at, &ip, "port (like 8080:80 or 443)", item))?;
        let pubs = published
            .map(|pb| range(pb).ok_or_else(|| bad(at, &ip, "port (like 8080:80 or 443)", item)))
            .transpose()?;
        if !["tcp", "udp", "sctp"].contains(&proto)
            || t1 < t0
            || pubs.is_some_and(|(a, b)| b - a != t1 - t0)
        {
            return Err(bad(at, &ip, "port (like 8080:80 or 443)", item));
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

fn mounts(at: &At<'_>, stack: &str, v: &J, path: &[String], volumes: &J) -> R<Vec<J>> {
    let Some(items) = v.as_array() else {
        return Err(bad(at, path, "list", v));
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let ip = p(path, &format!("[{i}]"));
        let (typ, source, target, read_only, extra) = if item.is_object() {
            check(
                at,
                item,
                &ip,
                &[
                    "type",
                    "source",
                    "target",
                    "read_only",
                    "consistency",
                    "bind",
                    "volume",
                    "tmpfs",
                ],
            )?;
            let typ = item
                .get("type")
                .map(|t| string(at, t, &p(&ip, "type")))
                .transpose()?
                .unwrap_or_else(|| "volume".into());
            let src = item
                .get("source")
                .map(|s| string(at, s, &p(&ip, "source")))
                .transpose()?;
            let tgt = item
                .get("target")
                .map(|s| string(at, s, &p(&ip, "target")))
                .transpose()?
                .ok_or_else(|| at.err(&ip, crate::tr!("stack.missing_key", key = "target")))?;
            let ro = item
                .get("read_only")
                .map(|b| boolean(at, b, &p(&ip, "read_only")))
                .transpose()?
                .unwrap_or(false);
            (typ, src, tgt, ro, Some(item))
        } else {
            let s = string(at, item, &ip)?;
            let parts: Vec<&str> = s.split(':').collect();
            let (src, tgt, mode) = match parts.as_slice() {
                [t] => (None, t.to_string(), ""),
                [a, t] => (Some(a.to_string()), t.to_string(), ""),
                [a, t, m] => (Some(a.to_string()), t.to_string(), *m),
                _ => {
                    return Err(bad(
                        at,
                        &ip,
                        "volume (like data:/var/lib/data or ./conf:/etc/conf:ro)",
                        item,
                    ));
                }
            };
            let is_bind = src
                .as_deref()
                .is_some_and(|s| s.starts_with('/') || s.starts_with('.') || s.starts_with('~'));
            (
                if is_bind {
                    "bind".into()
                } else {
                    "volume".into()
                },
                src,
                tgt,
                mode.split(',').any(|m| m == "ro"),
                None,
            )
        };
        let mut m = json!({ "Type": typ, "Target": target });
        if read_only {
            m["ReadOnly"] = J::Bool(true);
        }
        match typ.as_str() {
            "bind" => {
                let src = source
                    .ok_or_else(|| at.err(&ip, crate::tr!("stack.missing_key", key = "source")))?;
                let abs = if src.starts_with('/') {
                    std::path::PathBuf::from(&src)
                } else {
                    at.dir.join(src.trim_start_matches("./"))
                };
                m["Source"] = J::String(abs.display().to_string());
                if let Some(prop) = extra
                    .and_then(|e| e.get("bind"))
                    .and_then(|b| b.get("propagation"))
                    .and_then(J::as_str)
                {
                    m["BindOptions"] = json!({ "Propagation": prop });
                }
            }
            "volume" => {
                if let Some(src) = source {
                    let Some(def) = volumes.get(&src) else {
                        return Err(at.err(&ip, crate::tr!("stack.undefined_volume", name = src)));
                    };
                    let (name, external) =
                        object_name(stack, &src, Some(def).filter(|d| !d.is_null()));
                    m["Source"] = J::String(name);
                    let nocopy = extra
                        .and_then(|e| e.get("volume"))
                        .and_then(|v| v.get("nocopy"))
                        .and_then(J::as_bool);
                    if !external {
                        let mut opts = json!({ "Labels": with_stack(labels(at, def.get("labels"), &["volumes".into(), src.clone(), "labels".into()])?, stack) });
                        if let Some(driver) = def.get("driver").and_then(J::as_str) {
                            let o: BTreeMap<String, String> = match def.get("driver_opts") {
                                Some(d) => kv(
                                    at,
                                    d,
                                    &["volumes".into(), src.clone(), "driver_opts".into()],
                                    '=',
                                )?
                                .into_iter()
                                .map(|(k, v)| (k, v.unwrap_or_default()))
                                .collect(),
                                None => BTreeMap::new(),
                            };
                            opts["DriverConfig"] = json!({ "Name": driver, "Options": o });
                        }
                        if let Some(nc) = nocopy {
                            opts["NoCopy"] = J::Bool(nc);
                        }
                        m["VolumeOptions"] = opts;
                    } else if let Some(nc) = nocopy {
                        m["VolumeOptions"] = json!({ "NoCopy": nc });
                    }
                }
            }
            "tmpfs" => {
                if let Some(sz) = extra
                    .and_then(|e| e.get("tmpfs"))
                    .and_then(|t| t.get("size"))
                {
                    m["TmpfsOptions"] = json!({ "SizeBytes": size(at, sz, &p(&ip, "tmpfs"))? });
                }
            }
            other => {
                return Err(bad(
                    at,
                    &p(&ip, "type"),
                    "mount type (volume, bind, tmpfs)",
                    &J::String(other.into()),
                ));
            }
        }
        out.push(m);
    }
    Ok(out)
}

fn env(
    at: &At<'_>,
    s: &J,
    path: &[String],
    lookup: &dyn Fn(&str) -> Option<String>,
) -> R<Vec<String>> {
    let mut vars: BTreeMap<String, Option<String>> = BTreeMap::new();
    if let Some(files) = s.get("env_file") {
        for (i, f) in list(at, files, &p(path, "env_file"))?
            .into_iter()
            .enumerate()
        {
            let full = at.dir.join(&f);
            let text = std::fs::read_to_string(&full).map_err(|e| {
                at.err(
                    &p(&p(path, "env_file"), &format!("[{i}]")),
                    crate::tr!("stack.read_file", file = full.display(), error = e),
                )
            })?;
            for line in text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
            {
                match line.split_once('=') {
                    Some((k, v)) => vars.insert(k.trim().to_string(), Some(v.to_string())),
                    None => vars.insert(line.to_string(), None),
                };
            }
        }
    }
    if let Some(e) = s.get("environment") {
        vars.extend(kv(at, e, &p(path, "environment"), '=')?);
    }
    let mut out: Vec<String> = vars
        .into_iter()
        .map(
            |(k, v)| match v.filter(|v| !v.is_empty()).or_else(|| lookup(&k)) {
                Some(v) => format!("{k}={v}"),
                None => k,
            },
        )
        .collect();
    out.sort();
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
        check(
            at,
            x,
            &lp,
            &["cpus", "memory", "pids", "generic_resources", "devices"],
        )?;
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
        r[api] = o;
    }
    Ok(r)
}

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
    for (i, item) in items.iter().enumerate() {
        let ip = p(path, &format!("[{i}]"));
        let (source, target, uid, gid, mode) = if item.is_object() {
            check(at, item, &ip, &["source", "target", "uid", "gid", "mode"])?;
            let s = string(
                at,
                item.get("source")
                    .ok_or_else(|| at.err(&ip, crate::tr!("stack.missing_key", key = "source")))?,
                &p(&ip, "source"),
            )?;
            let t = item
                .get("target")
                .map(|t| string(at, t, &p(&ip, "target")))
                .transpose()?;
            let uid = item
                .get("uid")
                .map(|t| string(at, t, &p(&ip, "uid")))
                .transpose()?;
            let gid = item
                .get("gid")
                .map(|t| string(at, t, &p(&ip, "gid")))
                .transpose()?;
            let mode = item
                .get("mode")
                .map(|t| uint(at, t, &p(&ip, "mode")))
                .transpose()?;
            (s, t, uid, gid, mode)
        } else {
            (string(at, item, &ip)?, None, None, None, None)
        };
        let Some(def) = defs.and_then(|d| d.get(&source)) else {
            return Err(at.err(
                &ip,
                crate::tr!("stack.undefined_object", kind = kind, name = source),
            ));
        };
        let (name, _) = object_name(stack, &source, Some(def));
        let file = json!({ "Name": target.unwrap_or(source), "UID": uid.unwrap_or_else(|| "0".into()), "GID": gid.unwrap_or_else(|| "0".into()), "Mode": mode.unwrap_or(0o444) });
        out.push(if kind == "secret" {
            json!({ "File": file, "SecretName": name })
        } else {
            json!({ "File": file, "ConfigName": name })
        });
    }
    // Sorted by name, as docker sorts them.
    let key = if kind == "secret" {
        "SecretName"
    } else {
        "ConfigName"
    };
    out.sort_by(|a, b| a[key].as_str().cmp(&b[key].as_str()));
    Ok(out)
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
    if !crate::command::actions::valid_reference(&image) {
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
    if let Some(v) = s.get("volumes") {
        c["Mounts"] = json!(mounts(at, stack, v, &p(path, "volumes"), volumes)?);
    }
    if let Some(v) = s.get("secrets") {
        c["Secrets"] = json!(refs(
            at,
            stack,
            v,
            &p(path, "secrets"),
            top.get("secrets"),
            "secret"
        )?);
    }
    if let Some(v) = s.get("configs") {
        c["Configs"] = json!(refs(
            at,
            stack,
            v,
            &p(path, "configs"),
            top.get("configs"),
            "config"
        )?);
    }
    if let Some(v) = s.get("extra_hosts") {
        let hosts = kv(at, v, &p(path, "extra_hosts"), ':')?;
        c["Hosts"] = json!(
            hosts
                .into_iter()
                .map(|(h, ip)| format!("{} {h}", ip.unwrap_or_default()))
                .collect::<Vec<_>>()
        );
    }
    let dns = [
        ("dns", "Nameservers"),
        ("dns_search", "Search"),
        ("dns_opt", "Options"),
    ];
    if dns.iter().any(|(k, _)| s.get(*k).is_some()) {
        let mut d = json!({});
        for (k, api) in dns {
            if let Some(v) = s.get(k) {
                d[api] = json!(list(at, v, &p(path, k))?);
            }
        }
        c["DNSConfig"] = d;
    }
    if let Some(h) = s.get("healthcheck") {
        let hp = p(path, "healthcheck");
        check(
            at,
            h,
            &hp,
            &[
                "test",
                "interval",
                "timeout",
                "retries",
                "start_period",
                "disable",
            ],
        )?;
        let mut hc = json!({});
        if h.get("disable")
            .map(|d| boolean(at, d, &p(&hp, "disable")))
            .transpose()?
            .unwrap_or(false)
        {
            hc["Test"] = json!(["NONE"]);
        } else if let Some(t) = h.get("test") {
            hc["Test"] = match t {
                J::String(cmd) => json!(["CMD-SHELL", cmd]),
                other => json!(list(at, other, &p(&hp, "test"))?),
            };
        }
        for (k, api) in [
            ("interval", "Interval"),
            ("timeout", "Timeout"),
            ("start_period", "StartPeriod"),
        ] {
            if let Some(v) = h.get(k) {
                hc[api] = json!(dur(at, v, &p(&hp, k))?);
            }
        }
        if let Some(r) = h.get("retries") {
            hc["Retries"] = json!(uint(at, r, &p(&hp, "retries"))?);
        }
        c["HealthCheck"] = hc;
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
            let opts: BTreeMap<String, String> = kv(at, o, &p(&lp, "options"), '=')?
                .into_iter()
                .map(|(k, v)| (k, v.unwrap_or_default()))
                .collect();
            d["Options"] = json!(opts);
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
    } else if let Some(restart) = s.get("restart").and_then(J::as_str) {
        // The CLI still converts `restart` (while warning that it is unsupported).
        let r = match restart.split_once(':') {
            Some(("on-failure", n)) => {
                json!({ "Condition": "on-failure", "MaxAttempts": n.parse::<u64>().unwrap_or(0) })
            }
            _ => match restart {
                "no" => json!({ "Condition": "none" }),
                "on-failure" => json!({ "Condition": "on-failure" }),
                _ => json!({ "Condition": "any" }),
            },
        };
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
        if let Some(prefs) = pl.get("preferences").and_then(J::as_array) {
            let v: Vec<J> = prefs
                .iter()
                .filter_map(|x| x.get("spread").and_then(J::as_str))
                .map(|sp| json!({ "Spread": { "SpreadDescriptor": sp } }))
                .collect();
            o["Preferences"] = J::Array(v);
        }
        if let Some(m) = pl.get("max_replicas_per_node") {
            o["MaxReplicas"] = json!(uint(at, m, &p(&pp, "max_replicas_per_node"))?);
        }
        task["Placement"] = o;
    }
    // Networks: those named, or the stack's default one; the service's key is an alias.
    let named: BTreeMap<String, Option<String>> = match s.get("networks") {
        Some(J::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, n)| string(at, n, &p(path, &format!("networks.[{i}]"))).map(|n| (n, None)))
            .collect::<R<_>>()?,
        Some(J::Object(m)) => m.keys().map(|k| (k.clone(), None)).collect(),
        Some(J::Null) | None => BTreeMap::from([("default".to_string(), None)]),
        Some(other) => return Err(bad(at, &p(path, "networks"), "list or mapping", other)),
    };
    let mut attach = Vec::new();
    for net in named.keys() {
        let def = networks.get(net).filter(|d| !d.is_null());
        if def.is_none() && net != "default" && networks.get(net).is_none() {
            return Err(at.err(
                &p(path, "networks"),
                crate::tr!("stack.undefined_network", name = net),
            ));
        }
        let (target, _) = object_name(stack, net, def);
        let mut aliases: Vec<String> = s
            .get("networks")
            .and_then(|n| n.get(net))
            .and_then(|n| n.get("aliases"))
            .and_then(J::as_array)
            .map(|a| a.iter().filter_map(J::as_str).map(str::to_string).collect())
            .unwrap_or_default();
        aliases.push(key.to_string());
        attach.push(json!({ "Target": target, "Aliases": aliases }));
    }
    attach.sort_by(|a, b| a["Target"].as_str().cmp(&b["Target"].as_str()));
    task["Networks"] = J::Array(attach);

    let mode = match deploy
        .get("mode")
        .and_then(J::as_str)
        .unwrap_or("replicated")
    {
        "global" => json!({ "Global": {} }),
        "replicated" => match deploy.get("replicas") {
            Some(r) => json!({ "Replicated": { "Replicas": uint(at, r, &p(&dp, "replicas"))? } }),
            None => json!({ "Replicated": {} }),
        },
        other => {
            return Err(bad(
                at,
                &p(&dp, "mode"),
                "mode (replicated or global)",
                &J::String(other.into()),
            ));
        }
    };
    let mut svc_labels = with_stack(labels(at, deploy.get("labels"), &p(&dp, "labels"))?, stack);
    svc_labels.insert("com.docker.stack.image".into(), c_image(&task));
    let mut out = json!({ "Name": format!("{stack}_{key}"), "Labels": svc_labels, "TaskTemplate": task, "Mode": mode });
    let mut endpoint = json!({});
    if let Some(m) = deploy.get("endpoint_mode") {
        endpoint["Mode"] = J::String(string(at, m, &p(&dp, "endpoint_mode"))?);
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

fn c_image(task: &J) -> String {
    task["ContainerSpec"]["Image"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The networks the services use, to create (the stack's own) or require (external ones).
pub fn used_networks(at: &At<'_>, stack: &str, top: &J, spec: &mut StackSpec) -> R<()> {
    let networks = top.get("networks").cloned().unwrap_or(J::Null);
    let mut used: Vec<String> = Vec::new();
    for svc in spec.services.values() {
        for n in svc["TaskTemplate"]["Networks"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if let Some(t) = n["Target"].as_str() {
                used.push(t.to_string());
            }
        }
    }
    let keys: Vec<String> = networks
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    for key in keys
        .iter()
        .map(String::as_str)
        .chain(std::iter::once("default"))
    {
        let def = networks.get(key).filter(|d| !d.is_null());
        let (name, external) = object_name(stack, key, def);
        if !used.contains(&name) {
            continue;
        }
        if external {
            spec.external_networks.push(name);
        } else if let std::collections::btree_map::Entry::Vacant(slot) =
            spec.networks.entry(name.clone())
        {
            slot.insert(network_request(
                at,
                stack,
                &name,
                def,
                &["networks".into(), key.into()],
            )?);
        }
    }
    Ok(())
}

/// Splits a command like a POSIX shell does (quotes and backslashes), as the CLI's shlex.
fn shell_words(s: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') => cur.push(chars.next()?),
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, '\\') => {
                cur.push(chars.next()?);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return None;
    }
    if in_word {
        out.push(cur);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_sizes_and_words() {
        assert_eq!(duration_ns("1m30s"), Some(90_000_000_000));
        assert_eq!(duration_ns("500ms"), Some(500_000_000));
        assert_eq!(duration_ns("2.5s"), Some(2_500_000_000));
        assert_eq!(duration_ns("10"), None);
        assert_eq!(bytes("512M"), Some(512 * 1024 * 1024));
        assert_eq!(bytes("1.5g"), Some(1_610_612_736));
        assert_eq!(bytes("100"), Some(100));
        assert_eq!(bytes("lots"), None);
        assert_eq!(
            shell_words("sh -c 'echo a b' \"x\\\"y\""),
            Some(vec![
                "sh".into(),
                "-c".into(),
                "echo a b".into(),
                "x\"y".into()
            ])
        );
    }
}
