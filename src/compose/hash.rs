//! docker compose's `com.docker.compose.config-hash` labels: the SHA-256 of a service's (or a
//! network's, a volume's) configuration as compose-go's types marshal to JSON, the service's
//! top-level keys in compose's pinned order, with the keys compose leaves out of the hash (build,
//! pull_policy, scale, deploy.replicas, depends_on, profiles) left out. The same hash as docker
//! compose's means `docker compose up` leaves a project estiba brought up as it is, and the
//! other way round.

use super::gojson::{Obj, duration, string, value};
use super::service::{Deploy, Health, NetworkAttach, Port, Service, Volume};
use serde_json::{Value as J, json};
use sha2::{Digest, Sha256};

fn sha(text: &str) -> String {
    let d = Sha256::digest(text.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

fn strings(v: &[String]) -> Option<String> {
    (!v.is_empty()).then(|| value(&json!(v)))
}

fn float32(f: f64) -> String {
    (f as f32).to_string()
}

fn deploy_json(d: &Deploy) -> String {
    let limits = (d.cpus.is_some() || d.memory.is_some() || d.pids.is_some()).then(|| {
        Obj::new()
            .raw("cpus", d.cpus.filter(|c| *c != 0.0).map(float32))
            .raw(
                "memory",
                d.memory.filter(|m| *m != 0).map(|m| format!("\"{m}\"")),
            )
            .raw("pids", d.pids.filter(|p| *p != 0).map(|p| p.to_string()))
            .finish()
    });
    let reservations = d.reserve_memory.map(|m| {
        Obj::new()
            .raw("memory", (m != 0).then(|| format!("\"{m}\"")))
            .finish()
    });
    let resources = Obj::new()
        .raw("limits", limits)
        .raw("reservations", reservations)
        .finish();
    let restart = d.restart_policy.as_ref().map(|(condition, attempts)| {
        Obj::new()
            .str_field("condition", condition)
            .raw("max_attempts", attempts.map(|a| a.to_string()))
            .finish()
    });
    // Resources and Placement are structs, which Go's omitempty never leaves out.
    Obj::new()
        .raw("resources", Some(resources))
        .raw("restart_policy", restart)
        .raw("placement", Some("{}".into()))
        .finish()
}

fn health_json(h: &Health) -> String {
    let d = |v: Option<i64>| v.map(|ns| string(&duration(ns)));
    Obj::new()
        .raw("test", strings(&h.test))
        .raw("timeout", d(h.timeout))
        .raw("interval", d(h.interval))
        .raw("retries", h.retries.map(|r| r.to_string()))
        .raw("start_period", d(h.start_period))
        .raw("start_interval", d(h.start_interval))
        .flag("disable", h.disable)
        .finish()
}

fn port_json(p: &Port) -> String {
    Obj::new()
        .str_field("name", &p.name)
        .str_field("mode", &p.mode)
        .str_field("host_ip", &p.host_ip)
        .raw("target", (p.target != 0).then(|| p.target.to_string()))
        .str_field("published", &p.published)
        .str_field("protocol", &p.protocol)
        .str_field("app_protocol", &p.app_protocol)
        .finish()
}

fn volume_json(v: &Volume) -> String {
    let bind = v.bind.as_ref().map(|(create, propagation, selinux)| {
        Obj::new()
            .str_field("selinux", selinux)
            .str_field("propagation", propagation)
            // `omitzero` on an opt-out flag: written only when false.
            .raw("create_host_path", (!create).then(|| "false".to_string()))
            .finish()
    });
    let volume = v.volume.as_ref().map(|(nocopy, subpath)| {
        Obj::new()
            .flag("nocopy", *nocopy)
            .str_field("subpath", subpath)
            .finish()
    });
    let tmpfs = v.tmpfs.map(|(size, mode)| {
        Obj::new()
            .raw("size", (size != 0).then(|| format!("\"{size}\"")))
            .raw("mode", (mode != 0).then(|| mode.to_string()))
            .finish()
    });
    Obj::new()
        .str_field("type", &v.typ)
        .str_field("source", &v.source)
        .str_field("target", &v.target)
        .flag("read_only", v.read_only)
        .raw("bind", bind)
        .raw("volume", volume)
        .raw("tmpfs", tmpfs)
        .finish()
}

fn attach_json(a: &NetworkAttach) -> String {
    Obj::new()
        .raw("aliases", strings(&a.aliases))
        .str_field("ipv4_address", &a.ipv4_address)
        .raw(
            "priority",
            (a.priority != 0).then(|| a.priority.to_string()),
        )
        .finish()
}

fn list_of(items: Vec<String>) -> Option<String> {
    (!items.is_empty()).then(|| format!("[{}]", items.join(",")))
}

/// The JSON docker compose hashes for a service (see the module's comment).
pub fn service_json(s: &Service) -> String {
    let env = (!s.environment.is_empty()).then(|| {
        let m: serde_json::Map<String, J> = s
            .environment
            .iter()
            .map(|(k, v)| (k.clone(), v.clone().map(J::String).unwrap_or(J::Null)))
            .collect();
        value(&J::Object(m))
    });
    let mut hosts: Vec<String> = s
        .extra_hosts
        .iter()
        .map(|(h, ip)| format!("{h}={ip}"))
        .collect();
    hosts.sort();
    let logging = s.logging.as_ref().map(|(driver, options)| {
        Obj::new()
            .str_field("driver", driver)
            .omitempty("options", Some(&json!(options)))
            .finish()
    });
    let networks = (!s.networks.is_empty()).then(|| {
        let items: Vec<String> = s
            .networks
            .iter()
            .map(|(k, a)| {
                let v = a.as_ref().map(attach_json).unwrap_or_else(|| "null".into());
                format!("{}:{v}", string(k))
            })
            .collect();
        format!("{{{}}}", items.join(","))
    });
    let words = |w: &Option<Vec<String>>| {
        Some(
            w.as_ref()
                .map(|w| value(&json!(w)))
                .unwrap_or_else(|| "null".into()),
        )
    };
    Obj::new()
        .raw("cap_add", strings(&s.cap_add))
        .raw("cap_drop", strings(&s.cap_drop))
        .raw("command", words(&s.command))
        .str_field("container_name", &s.container_name)
        .raw("deploy", s.deploy.as_ref().map(deploy_json))
        .raw("entrypoint", words(&s.entrypoint))
        .raw("environment", env)
        .raw("expose", strings(&s.expose))
        .raw("extra_hosts", strings(&hosts))
        .str_field("hostname", &s.hostname)
        .raw("healthcheck", s.healthcheck.as_ref().map(health_json))
        .str_field("image", &s.image)
        .raw("init", s.init.map(|b| b.to_string()))
        .omitempty("labels", Some(&json!(s.labels)))
        .raw("logging", logging)
        .raw("networks", networks)
        .raw("ports", list_of(s.ports.iter().map(port_json).collect()))
        .flag("privileged", s.privileged)
        .flag("read_only", s.read_only)
        .str_field("restart", &s.restart)
        .flag("stdin_open", s.stdin_open)
        .raw(
            "stop_grace_period",
            s.stop_grace_period.map(|ns| string(&duration(ns))),
        )
        .str_field("stop_signal", &s.stop_signal)
        .raw("tmpfs", strings(&s.tmpfs))
        .flag("tty", s.tty)
        .str_field("user", &s.user)
        .raw(
            "volumes",
            list_of(s.volumes.iter().map(volume_json).collect()),
        )
        .str_field("working_dir", &s.working_dir)
        .finish()
}

pub fn service(s: &Service) -> String {
    sha(&service_json(s))
}

/// A network's hash: compose-go's `NetworkConfig` as JSON (its name, driver, options, ipam,
/// flags and labels).
pub fn network(n: &super::Network) -> String {
    let ipam = Obj::new()
        .str_field("driver", &n.ipam_driver)
        .raw(
            "config",
            list_of(
                n.ipam_config
                    .iter()
                    .map(|(subnet, gateway)| {
                        Obj::new()
                            .str_field("subnet", subnet)
                            .str_field("gateway", gateway)
                            .finish()
                    })
                    .collect(),
            ),
        )
        .finish();
    sha(&Obj::new()
        .str_field("name", &n.name)
        .str_field("driver", &n.driver)
        .omitempty("driver_opts", Some(&json!(n.driver_opts)))
        .raw("ipam", Some(ipam))
        .flag("internal", n.internal)
        .flag("attachable", n.attachable)
        .omitempty("labels", Some(&json!(n.labels)))
        .finish())
}

/// A volume's hash: compose-go's `VolumeConfig` with the driver `local` when none is named.
pub fn volume(v: &super::NamedVolume) -> String {
    let driver = if v.driver.is_empty() {
        "local"
    } else {
        &v.driver
    };
    sha(&Obj::new()
        .str_field("name", &v.name)
        .str_field("driver", driver)
        .omitempty("driver_opts", Some(&json!(v.driver_opts)))
        .omitempty("labels", Some(&json!(v.labels)))
        .finish())
}
