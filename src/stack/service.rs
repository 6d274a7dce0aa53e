//! One compose service to a swarm ServiceSpec (JSON, in the Engine API's shape), key by key as
//! the docker CLI's `convert.Service` does it.

use super::container::{capabilities, env, healthcheck, refs, ulimits};
use super::deploy::{mode, ports, resources, restart, update_config};
use super::mounts::mounts;
use super::objects::{object_name, user_defined};
use super::spec::At;
use super::values::{
    R, bad, boolean, check, dur, int, item, labels, list, p, pairs, string, string_map, uint,
    with_stack,
};
use serde_json::{Value as J, json};
use std::collections::BTreeMap;

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
    basics(at, s, path, lookup, &mut c)?;
    if let Some(v) = s.get("volumes") {
        c["Mounts"] = json!(mounts(at, stack, v, &p(path, "volumes"), volumes, lookup)?);
    }
    objects(at, stack, s, path, top, &mut c)?;
    name_resolution(at, s, path, &mut c)?;
    security(at, s, path, &mut c)?;
    let mut task = json!({ "ContainerSpec": c });
    if let Some(l) = s.get("logging") {
        task["LogDriver"] = logging(at, l, &p(path, "logging"))?;
    }
    if let Some(r) = deploy.get("resources") {
        task["Resources"] = resources(at, r, &p(&dp, "resources"))?;
    }
    if let Some(rp) = deploy.get("restart_policy") {
        task["RestartPolicy"] = restart_policy(at, rp, &p(&dp, "restart_policy"))?;
    } else if let Some(v) = s.get("restart")
        && let Some(r) = restart(at, v, &p(path, "restart"))?
    {
        // The CLI still converts `restart` (while warning that it is unsupported).
        task["RestartPolicy"] = r;
    }
    if let Some(pl) = deploy.get("placement") {
        task["Placement"] = placement(at, pl, &p(&dp, "placement"))?;
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

/// The container's command, environment and plain settings.
fn basics(
    at: &At<'_>,
    s: &J,
    path: &[String],
    lookup: &dyn Fn(&str) -> Option<String>,
    c: &mut J,
) -> R<()> {
    let split = |at: &At<'_>, v: &J, path: &[String]| -> R<Vec<String>> {
        match v {
            J::String(sh) => {
                crate::model::words::split(sh).ok_or_else(|| bad(at, path, "command", v))
            }
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
    Ok(())
}

/// Secret and config references (and a credential spec's config), and the privileges.
fn objects(at: &At<'_>, stack: &str, s: &J, path: &[String], top: &J, c: &mut J) -> R<()> {
    // Secret and config references, read alike.
    let objects = |section: &str, kind: &str| -> R<Vec<J>> {
        match s.get(section) {
            Some(v) => refs(at, stack, v, &p(path, section), top.get(section), kind),
            None => Ok(Vec::new()),
        }
    };
    let mut secrets = objects("secrets", "secret")?;
    let mut configs = objects("configs", "config")?;
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
    Ok(())
}

/// Extra hosts and DNS.
fn name_resolution(at: &At<'_>, s: &J, path: &[String], c: &mut J) -> R<()> {
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
    Ok(())
}

/// Healthcheck, capabilities, sysctls and ulimits.
fn security(at: &At<'_>, s: &J, path: &[String], c: &mut J) -> R<()> {
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
    Ok(())
}

/// `logging`: the driver and its options.
fn logging(at: &At<'_>, l: &J, lp: &[String]) -> R<J> {
    check(at, l, lp, &["driver", "options"])?;
    let mut d = json!({});
    if let Some(n) = l.get("driver") {
        d["Name"] = J::String(string(at, n, &p(lp, "driver"))?);
    }
    if let Some(o) = l.get("options") {
        d["Options"] = json!(string_map(at, Some(o), &p(lp, "options"))?);
    }
    Ok(d)
}

/// `deploy.restart_policy`.
fn restart_policy(at: &At<'_>, rp: &J, rpp: &[String]) -> R<J> {
    check(
        at,
        rp,
        rpp,
        &["condition", "delay", "max_attempts", "window"],
    )?;
    let mut r = json!({});
    if let Some(x) = rp.get("condition") {
        r["Condition"] = J::String(string(at, x, &p(rpp, "condition"))?);
    }
    for (k, api) in [("delay", "Delay"), ("window", "Window")] {
        if let Some(x) = rp.get(k) {
            r[api] = json!(dur(at, x, &p(rpp, k))?);
        }
    }
    if let Some(x) = rp.get("max_attempts") {
        r["MaxAttempts"] = json!(uint(at, x, &p(rpp, "max_attempts"))?);
    }
    Ok(r)
}

/// `deploy.placement`: constraints, spread preferences, replicas per node.
fn placement(at: &At<'_>, pl: &J, pp: &[String]) -> R<J> {
    check(
        at,
        pl,
        pp,
        &["constraints", "preferences", "max_replicas_per_node"],
    )?;
    let mut o = json!({});
    if let Some(cs) = pl.get("constraints") {
        o["Constraints"] = json!(list(at, cs, &p(pp, "constraints"))?);
    }
    if let Some(prefs) = pl.get("preferences") {
        let prp = p(pp, "preferences");
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
        o["MaxReplicas"] = json!(uint(at, m, &p(pp, "max_replicas_per_node"))?);
    }
    Ok(o)
}
