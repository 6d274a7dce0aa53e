//! Compose projects on a plain engine, as `docker compose` runs them: the files read by the
//! stack loader (one parser, one interpolation, one set of errors with file and line), each
//! service normalized as compose-go normalizes it, and from that one reading the containers'
//! create requests and the `com.docker.compose.*` labels — config hashes included — that make
//! a project estiba brought up the same project to `docker compose`.

pub mod create;
pub mod dotenv;
pub mod gojson;
pub mod hash;
pub mod load;
pub mod ports;
pub mod service;
pub mod types;

pub use load::{Options, load};
pub use service::{Condition, Service};

use std::collections::BTreeMap;

/// The compose version whose behaviour estiba follows, stamped as docker compose stamps its own
/// (`com.docker.compose.version`).
pub const COMPOSE_VERSION: &str = "5.6.0";

pub const PROJECT: &str = "com.docker.compose.project";
pub const SERVICE: &str = "com.docker.compose.service";
pub const NUMBER: &str = "com.docker.compose.container-number";
pub const CONFIG_HASH: &str = "com.docker.compose.config-hash";
pub const ONEOFF: &str = "com.docker.compose.oneoff";
pub const IMAGE: &str = "com.docker.compose.image";
pub const NETWORK: &str = "com.docker.compose.network";
pub const VOLUME: &str = "com.docker.compose.volume";
pub const VERSION: &str = "com.docker.compose.version";

/// A network of the project (`networks:` and the implicit `default`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Network {
    /// The key in the file (`front`, `default`).
    pub key: String,
    /// The engine's name (`PROJECT_front`, or `name:`).
    pub name: String,
    pub external: bool,
    pub driver: String,
    pub driver_opts: BTreeMap<String, String>,
    pub internal: bool,
    pub attachable: bool,
    pub labels: BTreeMap<String, String>,
    pub ipam_driver: String,
    /// (subnet, gateway)
    pub ipam_config: Vec<(String, String)>,
}

/// A named volume of the project.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NamedVolume {
    pub key: String,
    pub name: String,
    pub external: bool,
    pub driver: String,
    pub driver_opts: BTreeMap<String, String>,
    pub labels: BTreeMap<String, String>,
}

/// A compose project, read and checked, before any API call.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Project {
    pub name: String,
    /// The project folder (the first file's), absolute.
    pub working_dir: String,
    /// The files, absolute, as `com.docker.compose.project.config_files` lists them.
    pub config_files: Vec<String>,
    /// `--env-file` files given, absolute (`com.docker.compose.project.environment_file`).
    pub env_files: Vec<String>,
    /// The services enabled by the active profiles, by name.
    pub services: BTreeMap<String, Service>,
    /// The networks and volumes those services use.
    pub networks: BTreeMap<String, Network>,
    pub volumes: BTreeMap<String, NamedVolume>,
    pub warnings: Vec<String>,
}

impl Project {
    /// The services in the order `up` starts them: each after the ones it depends on.
    pub fn start_order(&self) -> Vec<&Service> {
        let mut done: Vec<&str> = Vec::new();
        let mut out = Vec::new();
        while out.len() < self.services.len() {
            let before = out.len();
            for s in self.services.values() {
                if done.contains(&s.name.as_str()) {
                    continue;
                }
                let ready = s.depends_on.iter().all(|d| {
                    done.contains(&d.service.as_str()) || !self.services.contains_key(&d.service)
                });
                if ready {
                    done.push(&s.name);
                    out.push(s);
                }
            }
            if out.len() == before {
                break; // a cycle: refused by the loader, never reached
            }
        }
        out
    }

    /// A service's container names, as docker compose names them.
    pub fn container_name(&self, s: &Service, number: u64) -> String {
        if !s.container_name.is_empty() {
            return s.container_name.clone();
        }
        format!("{}-{}-{number}", self.name, s.name)
    }

    /// The image a service runs: `image:`, or `PROJECT-SERVICE` for one built without a name.
    pub fn image(&self, s: &Service) -> String {
        if s.image.is_empty() {
            format!("{}-{}", self.name, s.name)
        } else {
            s.image.clone()
        }
    }
}

/// The labels docker compose puts on a network or volume it creates: the file's own, the key
/// (`com.docker.compose.network` / `.volume`), the project, the version and the config hash.
pub fn object_labels(
    own: &BTreeMap<String, String>,
    kind: &str,
    key: &str,
    project: &str,
    hash: String,
) -> BTreeMap<String, String> {
    let mut labels = own.clone();
    labels.insert(kind.into(), key.into());
    labels.insert(PROJECT.into(), project.into());
    labels.insert(VERSION.into(), COMPOSE_VERSION.into());
    labels.insert(CONFIG_HASH.into(), hash);
    labels
}

/// A project name as compose normalizes a folder's name: lowercase, only `a-z0-9_-`, no
/// leading `_` or `-`.
pub fn normalize_name(s: &str) -> String {
    let kept: String = s
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == '-')
        .collect();
    kept.trim_start_matches(['_', '-']).to_string()
}

/// A name compose accepts as a project name (`-p`, `name:`, `COMPOSE_PROJECT_NAME`).
pub fn valid_name(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}
