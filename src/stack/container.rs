//! The container part of a service (`ContainerSpec`), key by key as the docker CLI converts it:
//! the environment, secret and config references, capabilities, ulimits, the health check.

use super::objects::object_name;
use super::spec::At;
use super::values::{R, bad, boolean, check, dur, int, item, kv, list, missing, p, string, uint};
use serde_json::{Value as J, json};
use std::collections::BTreeMap;

/// The environment: `env_file` lines (read as the CLI's kvfile reads them), then
/// `environment`. A key with no value, or an empty one, takes the shell's value when it has one;
/// otherwise `KEY=` stays empty and a bare `KEY` stays unset.
pub fn env(
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

/// A service's secrets or configs: references by name, with the file's target, owner and mode
/// (0444 unless set; `mode: 0400` is octal, as YAML 1.1 reads it).
pub fn refs(
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
pub fn capabilities(add: &[String], drop: &[String]) -> (Vec<String>, Vec<String>) {
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

pub fn ulimits(at: &At<'_>, v: &J, path: &[String]) -> R<Vec<J>> {
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

pub fn healthcheck(at: &At<'_>, h: &J, hp: &[String]) -> R<J> {
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
