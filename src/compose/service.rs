//! One compose service read as docker compose's loader (compose-go) normalizes it: short
//! syntaxes made long, `env_file` merged into the environment, relative paths made absolute.
//! The config hash ([`super::hash`]) and the container ([`super::create`]) are both made from
//! this one reading.

pub use super::types::{
    Build, Condition, Dep, Deploy, Health, NetworkAttach, Port, Service, Volume,
};
use crate::stack::spec::At;
use crate::stack::values::{
    R, bad, boolean, check, dur, float, item, kv, list, missing, p, pairs, size, string,
    string_map, uint,
};
use serde_json::Value as J;
use std::collections::BTreeMap;

/// The service keys estiba's compose reads; the others of the compose schema are refused by name
/// (see `UNSUPPORTED`), never silently dropped.
pub const KEYS: &[&str] = &[
    "image",
    "build",
    "command",
    "entrypoint",
    "environment",
    "env_file",
    "labels",
    "ports",
    "expose",
    "volumes",
    "networks",
    "depends_on",
    "healthcheck",
    "restart",
    "deploy",
    "scale",
    "profiles",
    "container_name",
    "hostname",
    "user",
    "working_dir",
    "stop_grace_period",
    "stop_signal",
    "init",
    "read_only",
    "tty",
    "stdin_open",
    "privileged",
    "cap_add",
    "cap_drop",
    "extra_hosts",
    "tmpfs",
    "logging",
    "pull_policy",
];

/// Keys of the compose schema estiba's compose does not carry out yet: refused with their name,
/// so that a project never comes up different from what its file says.
pub const UNSUPPORTED: &[&str] = &[
    "annotations",
    "attach",
    "blkio_config",
    "cgroup",
    "cgroup_parent",
    "configs",
    "cpu_count",
    "cpu_percent",
    "cpu_period",
    "cpu_quota",
    "cpu_rt_period",
    "cpu_rt_runtime",
    "cpus",
    "cpuset",
    "cpu_shares",
    "credential_spec",
    "develop",
    "device_cgroup_rules",
    "devices",
    "dns",
    "dns_opt",
    "dns_search",
    "domainname",
    "extends",
    "external_links",
    "gpus",
    "group_add",
    "ipc",
    "isolation",
    "label_file",
    "links",
    "mac_address",
    "mem_limit",
    "mem_reservation",
    "mem_swappiness",
    "memswap_limit",
    "models",
    "network_mode",
    "oom_kill_disable",
    "oom_score_adj",
    "pid",
    "pids_limit",
    "platform",
    "post_start",
    "pre_start",
    "pre_stop",
    "provider",
    "runtime",
    "secrets",
    "security_opt",
    "shm_size",
    "storage_opt",
    "sysctls",
    "ulimits",
    "use_api_socket",
    "userns_mode",
    "uts",
    "volume_driver",
    "volumes_from",
];

/// An optional text key (empty when absent).
pub(super) fn opt_string(at: &At<'_>, s: &J, path: &[String], key: &str) -> R<String> {
    s.get(key)
        .map(|v| string(at, v, &p(path, key)))
        .transpose()
        .map(Option::unwrap_or_default)
}

fn opt_bool(at: &At<'_>, s: &J, path: &[String], key: &str) -> R<Option<bool>> {
    s.get(key)
        .map(|v| boolean(at, v, &p(path, key)))
        .transpose()
}

/// `command` / `entrypoint`: a list, or a string split as a shell splits it.
fn words(at: &At<'_>, v: &J, path: &[String]) -> R<Vec<String>> {
    match v {
        J::String(s) => crate::model::words::split(s).ok_or_else(|| bad(at, path, "command", v)),
        other => list(at, other, path),
    }
}

/// Reads one service (already checked against `KEYS`). `lookup` is the project's environment
/// (the shell over `.env`), for variables listed without a value.
pub fn read(
    at: &At<'_>,
    name: &str,
    s: &J,
    path: &[String],
    lookup: &dyn Fn(&str) -> Option<String>,
) -> R<Service> {
    let mut out = Service {
        name: name.to_string(),
        image: opt_string(at, s, path, "image")?,
        container_name: opt_string(at, s, path, "container_name")?,
        restart: opt_string(at, s, path, "restart")?,
        hostname: opt_string(at, s, path, "hostname")?,
        user: opt_string(at, s, path, "user")?,
        working_dir: opt_string(at, s, path, "working_dir")?,
        stop_signal: opt_string(at, s, path, "stop_signal")?,
        pull_policy: opt_string(at, s, path, "pull_policy")?,
        init: opt_bool(at, s, path, "init")?,
        read_only: opt_bool(at, s, path, "read_only")?.unwrap_or(false),
        tty: opt_bool(at, s, path, "tty")?.unwrap_or(false),
        stdin_open: opt_bool(at, s, path, "stdin_open")?.unwrap_or(false),
        privileged: opt_bool(at, s, path, "privileged")?.unwrap_or(false),
        ..Default::default()
    };
    if out.pull_policy == "if_not_present" {
        out.pull_policy = "missing".into();
    }
    for (key, field) in [
        ("profiles", &mut out.profiles),
        ("cap_add", &mut out.cap_add),
        ("cap_drop", &mut out.cap_drop),
        ("tmpfs", &mut out.tmpfs),
    ] {
        if let Some(v) = s.get(key) {
            *field = list(at, v, &p(path, key))?;
        }
    }
    if let Some(v) = s.get("expose") {
        out.expose = list(at, v, &p(path, "expose"))?;
    }
    if let Some(v) = s.get("command") {
        out.command = Some(words(at, v, &p(path, "command"))?);
    }
    if let Some(v) = s.get("entrypoint") {
        out.entrypoint = Some(words(at, v, &p(path, "entrypoint"))?);
    }
    if let Some(v) = s.get("scale") {
        out.scale = Some(uint(at, v, &p(path, "scale"))?);
    }
    if let Some(v) = s.get("stop_grace_period") {
        out.stop_grace_period = Some(dur(at, v, &p(path, "stop_grace_period"))?);
    }
    out.labels = string_map(at, s.get("labels"), &p(path, "labels"))?;
    out.environment = environment(at, s, path, lookup)?;
    if let Some(v) = s.get("extra_hosts") {
        out.extra_hosts = pairs(at, v, &p(path, "extra_hosts"), &['=', ':'])?
            .into_iter()
            .map(|(h, ip)| (h, ip.unwrap_or_default()))
            .collect();
    }
    if let Some(v) = s.get("build") {
        out.build = Some(build(at, v, &p(path, "build"), lookup)?);
    }
    if out.image.is_empty() && out.build.is_none() {
        return Err(at.err(path, crate::tr!("compose.no_image", service = name)));
    }
    if let Some(v) = s.get("depends_on") {
        out.depends_on = depends_on(at, v, &p(path, "depends_on"))?;
    }
    if let Some(v) = s.get("healthcheck") {
        out.healthcheck = Some(health(at, v, &p(path, "healthcheck"))?);
    }
    if let Some(v) = s.get("deploy") {
        out.deploy = Some(deploy(at, v, &p(path, "deploy"))?);
    }
    if let Some(v) = s.get("logging") {
        let lp = p(path, "logging");
        check(at, v, &lp, &["driver", "options"])?;
        out.logging = Some((
            opt_string(at, v, &lp, "driver")?,
            string_map(at, v.get("options"), &p(&lp, "options"))?,
        ));
    }
    if let Some(v) = s.get("ports") {
        out.ports = super::ports::read(at, v, &p(path, "ports"))?;
    }
    if let Some(v) = s.get("volumes") {
        out.volumes = super::ports::volumes(at, v, &p(path, "volumes"))?;
    }
    out.networks = networks(at, s.get("networks"), &p(path, "networks"))?;
    Ok(out)
}

/// `env_file` then `environment`, as `docker compose up` resolves them: a variable listed
/// without a value takes the project environment's value, or stays unset.
fn environment(
    at: &At<'_>,
    s: &J,
    path: &[String],
    lookup: &dyn Fn(&str) -> Option<String>,
) -> R<BTreeMap<String, Option<String>>> {
    let mut env: BTreeMap<String, Option<String>> = BTreeMap::new();
    if let Some(files) = s.get("env_file") {
        let fp = p(path, "env_file");
        for (i, f) in list(at, files, &fp)?.into_iter().enumerate() {
            let full = crate::stack::mounts::join_clean(at.dir, &f);
            let text = std::fs::read_to_string(&full).map_err(|e| {
                at.err(
                    &item(&fp, i),
                    crate::tr!("stack.read_file", file = full.display(), error = e),
                )
            })?;
            for (k, v) in super::dotenv::parse(&text, &full.display().to_string())
                .map_err(|e| at.err(&item(&fp, i), e))?
            {
                env.insert(k, Some(v));
            }
        }
    }
    if let Some(e) = s.get("environment") {
        for (k, v) in kv(at, e, &p(path, "environment"), '=')? {
            env.insert(k, v);
        }
    }
    for (k, v) in env.iter_mut() {
        if v.is_none() {
            *v = lookup(k);
        }
    }
    Ok(env)
}

fn build(at: &At<'_>, v: &J, path: &[String], lookup: &dyn Fn(&str) -> Option<String>) -> R<Build> {
    let mut b = Build {
        context: ".".into(),
        dockerfile: "Dockerfile".into(),
        ..Default::default()
    };
    match v {
        J::String(ctx) => b.context = ctx.clone(),
        J::Object(_) => {
            check(
                at,
                v,
                path,
                &["context", "dockerfile", "args", "target", "labels"],
            )?;
            if let Some(c) = v.get("context") {
                b.context = string(at, c, &p(path, "context"))?;
            }
            if let Some(d) = v.get("dockerfile") {
                b.dockerfile = string(at, d, &p(path, "dockerfile"))?;
            }
            b.target = opt_string(at, v, path, "target")?;
            if let Some(a) = v.get("args") {
                for (k, val) in pairs(at, a, &p(path, "args"), &['='])? {
                    // An argument without a value takes the environment's, or is left out.
                    if let Some(val) = val.or_else(|| lookup(&k)) {
                        b.args.push((k, val));
                    }
                }
            }
            b.labels = string_map(at, v.get("labels"), &p(path, "labels"))?;
        }
        other => return Err(bad(at, path, "build context or mapping", other)),
    }
    b.context = crate::stack::mounts::join_clean(at.dir, &b.context)
        .display()
        .to_string();
    Ok(b)
}

fn depends_on(at: &At<'_>, v: &J, path: &[String]) -> R<Vec<Dep>> {
    let mut out = Vec::new();
    match v {
        J::Array(_) => {
            for s in list(at, v, path)? {
                out.push(Dep {
                    service: s,
                    condition: Condition::Started,
                    restart: false,
                    required: true,
                });
            }
        }
        J::Object(m) => {
            for (name, d) in m {
                let dp = p(path, name);
                check(at, d, &dp, &["condition", "restart", "required"])?;
                let condition = match opt_string(at, d, &dp, "condition")?.as_str() {
                    "" | "service_started" => Condition::Started,
                    "service_healthy" => Condition::Healthy,
                    "service_completed_successfully" => Condition::Completed,
                    _ => {
                        let cp = p(&dp, "condition");
                        return Err(bad(at, &cp, "condition", &d["condition"]));
                    }
                };
                out.push(Dep {
                    service: name.clone(),
                    condition,
                    restart: opt_bool(at, d, &dp, "restart")?.unwrap_or(false),
                    required: opt_bool(at, d, &dp, "required")?.unwrap_or(true),
                });
            }
        }
        other => return Err(bad(at, path, "list or mapping", other)),
    }
    Ok(out)
}

fn health(at: &At<'_>, h: &J, hp: &[String]) -> R<Health> {
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
    let mut out = Health {
        disable: opt_bool(at, h, hp, "disable")?.unwrap_or(false),
        ..Default::default()
    };
    out.test = match h.get("test") {
        Some(J::String(cmd)) => vec!["CMD-SHELL".into(), cmd.clone()],
        Some(other) => list(at, other, &p(hp, "test"))?,
        None => vec![],
    };
    let d = |k: &str| h.get(k).map(|v| dur(at, v, &p(hp, k))).transpose();
    out.interval = d("interval")?;
    out.timeout = d("timeout")?;
    out.start_period = d("start_period")?;
    out.start_interval = d("start_interval")?;
    out.retries = h
        .get("retries")
        .map(|v| uint(at, v, &p(hp, "retries")))
        .transpose()?;
    if out.start_interval.is_some() && out.start_period.is_none() {
        return Err(at.err(
            &p(hp, "start_interval"),
            crate::tr!("compose.start_interval"),
        ));
    }
    Ok(out)
}

fn deploy(at: &At<'_>, v: &J, dp: &[String]) -> R<Deploy> {
    check(at, v, dp, &["replicas", "resources", "restart_policy"])?;
    let mut out = Deploy {
        replicas: v
            .get("replicas")
            .map(|r| uint(at, r, &p(dp, "replicas")))
            .transpose()?,
        ..Default::default()
    };
    if let Some(r) = v.get("resources") {
        let rp = p(dp, "resources");
        check(at, r, &rp, &["limits", "reservations"])?;
        if let Some(l) = r.get("limits") {
            let lp = p(&rp, "limits");
            check(at, l, &lp, &["cpus", "memory", "pids"])?;
            out.cpus = l
                .get("cpus")
                .map(|c| float(at, c, &p(&lp, "cpus")))
                .transpose()?;
            out.memory = l
                .get("memory")
                .map(|m| size(at, m, &p(&lp, "memory")))
                .transpose()?;
            out.pids = l
                .get("pids")
                .map(|m| uint(at, m, &p(&lp, "pids")).map(|n| n as i64))
                .transpose()?;
        }
        if let Some(l) = r.get("reservations") {
            let lp = p(&rp, "reservations");
            check(at, l, &lp, &["memory"])?;
            out.reserve_memory = l
                .get("memory")
                .map(|m| size(at, m, &p(&lp, "memory")))
                .transpose()?;
        }
    }
    if let Some(r) = v.get("restart_policy") {
        let rp = p(dp, "restart_policy");
        check(at, r, &rp, &["condition", "max_attempts"])?;
        out.restart_policy = Some((
            opt_string(at, r, &rp, "condition")?,
            r.get("max_attempts")
                .map(|m| uint(at, m, &p(&rp, "max_attempts")))
                .transpose()?,
        ));
    }
    Ok(out)
}

/// `networks:` as a list or a mapping; none means the project's `default`.
fn networks(
    at: &At<'_>,
    v: Option<&J>,
    path: &[String],
) -> R<BTreeMap<String, Option<NetworkAttach>>> {
    let mut out = BTreeMap::new();
    match v {
        None => {
            out.insert("default".to_string(), None);
        }
        Some(J::Array(_)) => {
            for n in list(at, v.unwrap_or(&J::Null), path)? {
                out.insert(n, None);
            }
        }
        Some(J::Object(m)) => {
            for (name, cfg) in m {
                let np = p(path, name);
                let attach = match cfg {
                    J::Null => None,
                    c => {
                        check(at, c, &np, &["aliases", "ipv4_address", "priority"])?;
                        Some(NetworkAttach {
                            aliases: c
                                .get("aliases")
                                .map(|a| list(at, a, &p(&np, "aliases")))
                                .transpose()?
                                .unwrap_or_default(),
                            ipv4_address: opt_string(at, c, &np, "ipv4_address")?,
                            priority: c
                                .get("priority")
                                .map(|x| crate::stack::values::int(at, x, &p(&np, "priority")))
                                .transpose()?
                                .unwrap_or(0),
                        })
                    }
                };
                out.insert(name.clone(), attach);
            }
        }
        Some(other) => return Err(bad(at, path, "list or mapping", other)),
    }
    if out.is_empty() {
        return Err(missing(at, path, "networks"));
    }
    Ok(out)
}
