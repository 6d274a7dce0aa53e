//! A compose service as compose-go holds it once loaded and normalized: the one model the
//! config hash (`hash`) and the container (`create`) are both made from.

use std::collections::BTreeMap;

/// `build:` as compose-go holds it (the context made absolute).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Build {
    pub context: String,
    pub dockerfile: String,
    pub args: Vec<(String, String)>,
    pub target: String,
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    Started,
    Healthy,
    Completed,
}

impl Condition {
    pub fn as_str(self) -> &'static str {
        match self {
            Condition::Started => "service_started",
            Condition::Healthy => "service_healthy",
            Condition::Completed => "service_completed_successfully",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dep {
    pub service: String,
    pub condition: Condition,
    pub restart: bool,
    pub required: bool,
}

/// A port as compose-go's `ServicePortConfig`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Port {
    pub name: String,
    pub mode: String,
    pub host_ip: String,
    pub target: u32,
    pub published: String,
    pub protocol: String,
    pub app_protocol: String,
}

/// A mount as compose-go's `ServiceVolumeConfig`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Volume {
    pub typ: String,
    pub source: String,
    pub target: String,
    pub read_only: bool,
    /// `bind:` present: (create_host_path, propagation, selinux).
    pub bind: Option<(bool, String, String)>,
    /// `volume:` present: (nocopy, subpath).
    pub volume: Option<(bool, String)>,
    /// `tmpfs:` present: (size, mode).
    pub tmpfs: Option<(i64, u32)>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct NetworkAttach {
    pub aliases: Vec<String>,
    pub ipv4_address: String,
    pub priority: i64,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Health {
    pub test: Vec<String>,
    pub timeout: Option<i64>,
    pub interval: Option<i64>,
    pub retries: Option<u64>,
    pub start_period: Option<i64>,
    pub start_interval: Option<i64>,
    pub disable: bool,
}

/// `deploy:`, the parts a plain engine uses (replicas as the scale, resource limits).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Deploy {
    pub replicas: Option<u64>,
    pub cpus: Option<f64>,
    pub memory: Option<i64>,
    pub pids: Option<i64>,
    pub reserve_memory: Option<i64>,
    /// `deploy.restart_policy`: (condition, max_attempts).
    pub restart_policy: Option<(String, Option<u64>)>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Service {
    pub name: String,
    pub image: String,
    pub build: Option<Build>,
    pub scale: Option<u64>,
    pub deploy: Option<Deploy>,
    pub depends_on: Vec<Dep>,
    pub profiles: Vec<String>,
    pub container_name: String,
    pub command: Option<Vec<String>>,
    pub entrypoint: Option<Vec<String>>,
    pub environment: BTreeMap<String, Option<String>>,
    pub labels: BTreeMap<String, String>,
    pub ports: Vec<Port>,
    pub expose: Vec<String>,
    pub volumes: Vec<Volume>,
    pub networks: BTreeMap<String, Option<NetworkAttach>>,
    pub healthcheck: Option<Health>,
    pub restart: String,
    pub hostname: String,
    pub user: String,
    pub working_dir: String,
    pub stop_grace_period: Option<i64>,
    pub stop_signal: String,
    pub init: Option<bool>,
    pub read_only: bool,
    pub tty: bool,
    pub stdin_open: bool,
    pub privileged: bool,
    pub cap_add: Vec<String>,
    pub cap_drop: Vec<String>,
    pub extra_hosts: Vec<(String, String)>,
    pub tmpfs: Vec<String>,
    pub logging: Option<(String, BTreeMap<String, String>)>,
    pub pull_policy: String,
}

impl Service {
    /// How many containers `up` runs: `scale`, else `deploy.replicas`, else 1.
    pub fn replicas(&self) -> u64 {
        self.scale
            .or(self.deploy.as_ref().and_then(|d| d.replicas))
            .unwrap_or(1)
    }
}
