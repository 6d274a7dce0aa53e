//! A service's container as docker compose creates it (`POST /containers/create`, in the Engine
//! API's JSON): the config, the host config (binds for plain mounts, mounts for the rest), the
//! first network's endpoint with compose's aliases, and the `com.docker.compose.*` labels.

use super::service::{Service, Volume};
use super::{CONFIG_HASH, IMAGE, NUMBER, ONEOFF, PROJECT, Project, SERVICE, VERSION};
use serde_json::{Map, Value as J, json};
use std::collections::BTreeMap;

/// The labels of container `number` of a service; `image_id` is the image's ID
/// (`com.docker.compose.image`).
pub fn labels(p: &Project, s: &Service, number: u64, image_id: &str) -> BTreeMap<String, String> {
    let mut l = s.labels.clone();
    let mut deps: Vec<String> = s
        .depends_on
        .iter()
        .map(|d| format!("{}:{}:{}", d.service, d.condition.as_str(), d.restart))
        .collect();
    deps.sort();
    for (k, v) in [
        (PROJECT, p.name.clone()),
        (SERVICE, s.name.clone()),
        (VERSION, super::COMPOSE_VERSION.to_string()),
        (
            "com.docker.compose.project.working_dir",
            p.working_dir.clone(),
        ),
        (
            "com.docker.compose.project.config_files",
            p.config_files.join(","),
        ),
        (ONEOFF, "False".to_string()),
        (CONFIG_HASH, super::hash::service(s)),
        (NUMBER, number.to_string()),
        ("com.docker.compose.depends_on", deps.join(",")),
        (IMAGE, image_id.to_string()),
    ] {
        l.insert(k.to_string(), v);
    }
    if !p.env_files.is_empty() {
        l.insert(
            "com.docker.compose.project.environment_file".into(),
            p.env_files.join(","),
        );
    }
    l
}

/// The network keys in the order compose attaches them: by priority (highest first), then name.
pub fn networks_by_priority(s: &Service) -> Vec<String> {
    let mut keys: Vec<(i64, &String)> = s
        .networks
        .iter()
        .map(|(k, a)| (a.as_ref().map(|a| a.priority).unwrap_or(0), k))
        .collect();
    keys.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    keys.into_iter().map(|(_, k)| k.clone()).collect()
}

/// The endpoint of one network: the container's name, the service's name and its aliases.
pub fn endpoint(p: &Project, s: &Service, number: u64, key: &str) -> J {
    let mut aliases = vec![p.container_name(s, number), s.name.clone()];
    let attach = s.networks.get(key).cloned().flatten();
    if let Some(a) = &attach {
        aliases.extend(a.aliases.iter().cloned());
    }
    let mut e = json!({ "Aliases": aliases });
    // A network listed with settings gets an IPAM config (empty unless an address is set).
    if let Some(a) = attach {
        e["IPAMConfig"] = json!({});
        if !a.ipv4_address.is_empty() {
            e["IPAMConfig"] = json!({ "IPv4Address": a.ipv4_address });
            e["IPAddress"] = json!(a.ipv4_address);
        }
    }
    e
}

fn bind_string(source: &str, v: &Volume) -> String {
    let mut options = vec![if v.read_only { "ro" } else { "rw" }.to_string()];
    if let Some((_, propagation, selinux)) = &v.bind {
        if !selinux.is_empty() {
            options.push(selinux.clone());
        }
        if !propagation.is_empty() {
            options.push(propagation.clone());
        }
    }
    if v.volume.as_ref().is_some_and(|(nocopy, _)| *nocopy) {
        options.push("nocopy".into());
    }
    format!("{source}:{}:{}", v.target, options.join(","))
}

/// Binds (`source:target:mode`) where the old API can say it, mounts for the rest, as compose
/// chooses.
fn mounts(p: &Project, s: &Service) -> (Vec<String>, Vec<J>) {
    let mut binds = Vec::new();
    let mut mounts = Vec::new();
    for v in &s.volumes {
        let named = p.volumes.get(&v.source).map(|n| n.name.clone());
        let source = match v.typ.as_str() {
            "volume" => named.clone().unwrap_or_else(|| v.source.clone()),
            _ => v.source.clone(),
        };
        match v.typ.as_str() {
            "bind" => {
                let needs_mount = v
                    .bind
                    .as_ref()
                    .is_some_and(|(create, propagation, _)| !create || !propagation.is_empty());
                if !needs_mount {
                    binds.push(bind_string(&source, v));
                    continue;
                }
            }
            "volume" if named.is_some() => {
                let needs_mount = v
                    .volume
                    .as_ref()
                    .is_some_and(|(nocopy, subpath)| *nocopy || !subpath.is_empty());
                if !needs_mount {
                    binds.push(bind_string(&source, v));
                    continue;
                }
            }
            _ => {}
        }
        let mut m = json!({ "Type": v.typ, "Target": v.target });
        if !source.is_empty() {
            m["Source"] = json!(source);
        }
        if v.read_only {
            m["ReadOnly"] = json!(true);
        }
        if let Some((create, propagation, _)) = &v.bind {
            let mut b = Map::new();
            if !propagation.is_empty() {
                b.insert("Propagation".into(), json!(propagation));
            }
            if *create {
                b.insert("CreateMountpoint".into(), json!(true));
            }
            m["BindOptions"] = J::Object(b);
        }
        if let Some((nocopy, subpath)) = &v.volume {
            let mut o = Map::new();
            if *nocopy {
                o.insert("NoCopy".into(), json!(true));
            }
            if !subpath.is_empty() {
                o.insert("Subpath".into(), json!(subpath));
            }
            m["VolumeOptions"] = J::Object(o);
        }
        if let Some((size, mode)) = v.tmpfs {
            let mut o = Map::new();
            if size != 0 {
                o.insert("SizeBytes".into(), json!(size));
            }
            if mode != 0 {
                o.insert("Mode".into(), json!(mode));
            }
            m["TmpfsOptions"] = J::Object(o);
        }
        mounts.push(m);
    }
    (binds, mounts)
}

fn restart_policy(s: &Service) -> J {
    let map = |c: &str| match c {
        "none" | "no" => "no".to_string(),
        "any" | "always" => "always".to_string(),
        other => other.to_string(),
    };
    if let Some((condition, attempts)) = s.deploy.as_ref().and_then(|d| d.restart_policy.clone()) {
        return json!({ "Name": map(&condition), "MaximumRetryCount": attempts.unwrap_or(0) });
    }
    if s.restart.is_empty() {
        return json!({ "Name": "", "MaximumRetryCount": 0 });
    }
    let (name, n) = s.restart.split_once(':').unwrap_or((&s.restart, "0"));
    json!({ "Name": map(name), "MaximumRetryCount": n.parse::<i64>().unwrap_or(0) })
}

/// Capabilities as the engine's Go client sends them: upper case, `CAP_` before each but `ALL`,
/// sorted, each once.
fn capabilities(caps: &[String]) -> Vec<String> {
    let mut out: Vec<String> = caps
        .iter()
        .map(|c| {
            let c = c.to_uppercase();
            if c == "ALL" || c.starts_with("CAP_") {
                c
            } else {
                format!("CAP_{c}")
            }
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

fn host_config(p: &Project, s: &Service) -> J {
    let (binds, mounts) = mounts(p, s);
    let mut ports: BTreeMap<String, Vec<J>> = BTreeMap::new();
    for port in &s.ports {
        ports
            .entry(format!("{}/{}", port.target, port.protocol))
            .or_default()
            .push(json!({ "HostIp": port.host_ip, "HostPort": port.published }));
    }
    let tmpfs: BTreeMap<String, String> = s
        .tmpfs
        .iter()
        .map(|t| {
            let (k, v) = t.split_once(':').unwrap_or((t, ""));
            (k.to_string(), v.to_string())
        })
        .collect();
    let main = networks_by_priority(s).into_iter().next();
    let network_mode = main
        .and_then(|k| p.networks.get(&k).map(|n| n.name.clone()))
        .unwrap_or_else(|| "none".into());
    let mut h = json!({
        "NetworkMode": network_mode,
        "PortBindings": ports,
        "RestartPolicy": restart_policy(s),
        "Tmpfs": tmpfs,
        "ReadonlyRootfs": s.read_only,
        "Privileged": s.privileged,
        "ExtraHosts": s.extra_hosts.iter().map(|(h, ip)| format!("{h}:{ip}")).collect::<Vec<_>>(),
        "OomKillDisable": false,
    });
    if !binds.is_empty() {
        h["Binds"] = json!(binds);
    }
    if !mounts.is_empty() {
        h["Mounts"] = json!(mounts);
    }
    if !s.cap_add.is_empty() {
        h["CapAdd"] = json!(capabilities(&s.cap_add));
    }
    if !s.cap_drop.is_empty() {
        h["CapDrop"] = json!(capabilities(&s.cap_drop));
    }
    if let Some(init) = s.init {
        h["Init"] = json!(init);
    }
    if let Some((driver, options)) = &s.logging {
        h["LogConfig"] = json!({ "Type": driver, "Config": options });
    }
    if let Some(d) = &s.deploy {
        if let Some(m) = d.memory {
            h["Memory"] = json!(m);
        }
        if let Some(c) = d.cpus {
            h["NanoCpus"] = json!(((c as f32) as f64 * 1e9) as i64);
        }
        if let Some(pids) = d.pids {
            h["PidsLimit"] = json!(pids);
        }
        if let Some(m) = d.reserve_memory {
            h["MemoryReservation"] = json!(m);
        }
    }
    h
}

/// The create request of container `number` of service `s`.
pub fn body(p: &Project, s: &Service, number: u64, image_id: &str) -> J {
    let mut env: Vec<String> = s
        .environment
        .iter()
        .map(|(k, v)| match v {
            Some(v) => format!("{k}={v}"),
            None => k.clone(),
        })
        .collect();
    env.sort();
    let mut exposed: BTreeMap<String, J> = BTreeMap::new();
    for port in &s.ports {
        exposed.insert(format!("{}/{}", port.target, port.protocol), json!({}));
    }
    for e in &s.expose {
        let (range, proto) = e.split_once('/').unwrap_or((e, "tcp"));
        let (a, b) = range.split_once('-').unwrap_or((range, range));
        if let (Ok(a), Ok(b)) = (a.parse::<u32>(), b.parse::<u32>()) {
            for port in a..=b {
                exposed.insert(format!("{port}/{proto}"), json!({}));
            }
        }
    }
    let mut c = json!({
        "Hostname": s.hostname,
        "User": s.user,
        "ExposedPorts": exposed,
        "Tty": s.tty,
        "OpenStdin": s.stdin_open,
        "AttachStdout": true,
        "AttachStderr": true,
        "Image": p.image(s),
        "WorkingDir": s.working_dir,
        "Labels": labels(p, s, number, image_id),
        "Env": env,
        "HostConfig": host_config(p, s),
    });
    if let Some(cmd) = &s.command {
        c["Cmd"] = json!(cmd);
    }
    if let Some(ep) = &s.entrypoint {
        c["Entrypoint"] = json!(ep);
    }
    if !s.stop_signal.is_empty() {
        c["StopSignal"] = json!(s.stop_signal);
    }
    if let Some(ns) = s.stop_grace_period {
        c["StopTimeout"] = json!(ns / 1_000_000_000);
    }
    if let Some(h) = &s.healthcheck {
        c["Healthcheck"] = health(h);
    }
    if let Some(main) = networks_by_priority(s).into_iter().next()
        && let Some(n) = p.networks.get(&main)
    {
        c["NetworkingConfig"] =
            json!({ "EndpointsConfig": { n.name.clone(): endpoint(p, s, number, &main) } });
    }
    c
}

/// The health check as compose gives it to the engine: `disable` makes the test `NONE`.
fn health(h: &super::service::Health) -> J {
    let mut o = Map::new();
    if h.disable {
        o.insert("Test".into(), json!(["NONE"]));
    } else if !h.test.is_empty() {
        o.insert("Test".into(), json!(h.test));
    }
    for (k, v) in [
        ("Interval", h.interval),
        ("Timeout", h.timeout),
        ("StartPeriod", h.start_period),
        ("StartInterval", h.start_interval),
    ] {
        if let Some(ns) = v {
            o.insert(k.into(), json!(ns));
        }
    }
    if let Some(r) = h.retries {
        o.insert("Retries".into(), json!(r));
    }
    J::Object(o)
}
