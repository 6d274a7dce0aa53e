//! The checks a lab step carries, and their verdicts. Evaluation is pure: it reads the cluster
//! snapshot the console (or a headless run) already has, plus [`Probed`] facts — files, a
//! registry, the networks/secrets/configs listings — gathered when a step is shown or on request.

use crate::model::listing::{Listing, ViewKind};
use crate::model::{ClusterInfo, Image, Instance, Node, Role, SwarmRole, Workload};
use serde::{Deserialize, Serialize};

pub use crate::backend::probe::{CertFact, Needs, Probed};

/// One check, as written in `lab.yaml` under a step's `checks:`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Check {
    /// A file exists (relative to the lab's folder).
    File(String),
    /// A certificate file: what its subject contains, the names it covers, the CA it verifies
    /// against.
    Cert(CertCheck),
    /// An image tag exists on the engine (`name` is the repository's last part).
    Image(ImageRef),
    /// An image tag exists in a registry (looked up through the engine).
    Pushed(ImageRef),
    /// This engine is a swarm manager (`swarm: manager`).
    Swarm(SwarmRole),
    /// At least `min` nodes, `workers` of them workers.
    Nodes(NodeCount),
    /// Some node (of `role`, when given) carries `label` (`key=value`).
    NodeLabel(NodeLabel),
    /// A stack exists with `services` services, all running when `running`.
    Stack(StackCheck),
    Service(ServiceCheck),
    /// A stack file names a tag for a service's image.
    FileImage(FileImage),
    /// Kubernetes: a Deployment.
    Deployment(DeploymentCheck),
    /// Kubernetes: a Service with a NodePort.
    NodePort(String),
    /// Kubernetes: a Secret with a key.
    KubeSecret(KubeSecret),
    /// Kubernetes: a namespace exists.
    Namespace(String),
    /// A Dockerfile's shape: stages, base, user, ports, labels, commands.
    Dockerfile(DockerfileCheck),
    /// An image tag on the engine built from a Dockerfile (its history holds the Dockerfile's
    /// last stage, newest layer last).
    Built(BuiltCheck),
    /// A compose project on the Docker engine runs `services` services, each running (or, for
    /// a one-shot service, ended with code 0), and with `healthy` every health check passing.
    Compose(ComposeCheck),
    /// A stack file (relative to the lab folder), read as `deploy` reads it, has this shape.
    StackFile(StackFileCheck),
}

/// Where a check can be observed at all: on a Kubernetes cluster, on a swarm, on any Docker
/// engine, or anywhere (the lab's files).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Observable {
    Kube,
    Swarm,
    Engine,
    Anywhere,
}

impl Check {
    pub fn observable(&self) -> Observable {
        match self {
            Check::Deployment(_)
            | Check::NodePort(_)
            | Check::KubeSecret(_)
            | Check::Namespace(_) => Observable::Kube,
            Check::Swarm(_)
            | Check::Nodes(_)
            | Check::NodeLabel(_)
            | Check::Stack(_)
            | Check::Service(_) => Observable::Swarm,
            Check::Image(_) | Check::Pushed(_) | Check::Built(_) | Check::Compose(_) => {
                Observable::Engine
            }
            Check::File(_)
            | Check::Cert(_)
            | Check::FileImage(_)
            | Check::Dockerfile(_)
            | Check::StackFile(_) => Observable::Anywhere,
        }
    }

    /// Whether the check can pass on this kind of cluster.
    pub fn fits(&self, kube: bool) -> bool {
        match self.observable() {
            Observable::Kube => kube,
            Observable::Swarm | Observable::Engine => !kube,
            Observable::Anywhere => true,
        }
    }
}

/// What a stack file must hold. Every field given must hold; services are the file's keys.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StackFileCheck {
    pub file: String,
    /// These services are defined.
    #[serde(default)]
    pub services: Vec<String>,
    /// Each of these services publishes these ports.
    #[serde(default)]
    pub publish: std::collections::BTreeMap<String, Vec<u64>>,
    /// No service but these publishes a port.
    #[serde(default)]
    pub only_published: Option<Vec<String>>,
    /// Each of these services mounts a named volume.
    #[serde(default)]
    pub volumes: Vec<String>,
    /// Each of these services is only on internal networks.
    #[serde(default)]
    pub internal: Vec<String>,
    /// Pairs of services that share no network.
    #[serde(default)]
    pub apart: Vec<(String, String)>,
    /// Every service has CPU or memory limits.
    #[serde(default)]
    pub limits: bool,
    /// Each of these services is placed by this node label (`app=api`).
    #[serde(default)]
    pub placement: std::collections::BTreeMap<String, String>,
    /// Each of these services sets these variables (`NAME` or `NAME_FILE`).
    #[serde(default)]
    pub env: std::collections::BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ComposeCheck {
    /// The project's name (any project, when not given: the one with the most services).
    #[serde(default)]
    pub project: Option<String>,
    pub services: usize,
    #[serde(default)]
    pub healthy: bool,
}

/// What a Dockerfile (relative to the lab folder) must hold. Every field given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DockerfileCheck {
    pub file: String,
    /// Exactly this many stages (`FROM` lines).
    #[serde(default)]
    pub stages: Option<usize>,
    /// The final stage starts from this image (`nginx` matches `nginx:1.25-alpine`).
    #[serde(default)]
    pub base: Option<String>,
    /// The final stage starts from a small image (`alpine`, `slim`, `distroless`, `scratch`).
    #[serde(default)]
    pub small_base: bool,
    /// The final stage runs as a user other than root.
    #[serde(default)]
    pub non_root: bool,
    /// The final stage has an `EXPOSE`.
    #[serde(default)]
    pub expose: bool,
    /// The final stage exposes this port.
    #[serde(default)]
    pub port: Option<u16>,
    /// At least this many labels (`LABEL k=v` pairs) in the final stage.
    #[serde(default)]
    pub labels: Option<usize>,
    /// The final stage's `ENTRYPOINT` starts this program (`tini`).
    #[serde(default)]
    pub entrypoint: Option<String>,
    /// Words the final stage's `RUN`, `CMD` or `ENTRYPOINT` lines must mention (`tini`).
    #[serde(default)]
    pub runs: Vec<String>,
    /// No stage copies its whole context before installing dependencies (`pip install`,
    /// `npm ci`, ...), so the install is cached while only the code changes.
    #[serde(default)]
    pub cached_deps: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BuiltCheck {
    /// The repository's last part, as for `image:`.
    pub name: String,
    pub tag: String,
    /// The Dockerfile (relative to the lab folder) the image must be built from.
    #[serde(default)]
    pub dockerfile: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CertCheck {
    pub file: String,
    /// Parts the subject must contain: `O=GopenuxLab`, `L=Cúcuta`.
    #[serde(default)]
    pub subject: Vec<String>,
    /// Names the certificate must cover: `*.developers.lan`, `api.developers.lan`.
    #[serde(default)]
    pub names: Vec<String>,
    /// A CA certificate file the certificate must verify against.
    #[serde(default)]
    pub ca: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ImageRef {
    pub name: String,
    pub tag: String,
}

/// Whether a local image's repository is `name` (under any registry or user).
fn same_repo(name: &str, repo: &str) -> bool {
    repo == name || repo.ends_with(&format!("/{name}"))
}

impl ImageRef {
    /// Whether a local image's repository is this one (under any registry or user).
    pub fn matches(&self, repo: &str) -> bool {
        same_repo(&self.name, repo)
    }
}

impl BuiltCheck {
    pub fn matches(&self, repo: &str) -> bool {
        same_repo(&self.name, repo)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NodeCount {
    pub min: usize,
    #[serde(default)]
    pub workers: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NodeLabel {
    pub label: String,
    #[serde(default)]
    pub role: Option<Role>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StackCheck {
    pub name: String,
    pub services: usize,
    #[serde(default)]
    pub running: bool,
}

/// What a service must show. Every field given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceCheck {
    pub name: String,
    /// Every desired replica runs.
    #[serde(default)]
    pub running: bool,
    /// More replicas than this number.
    #[serde(default)]
    pub replicas_above: Option<u64>,
    /// More replicas than the stack file (relative to the lab folder) gives the service.
    #[serde(default)]
    pub replicas_above_file: Option<String>,
    /// The image's tag.
    #[serde(default)]
    pub tag: Option<String>,
    /// A published port.
    #[serde(default)]
    pub port: Option<u16>,
    /// No port published.
    #[serde(default)]
    pub no_ports: bool,
    /// Its running tasks are on nodes carrying this label (`app=api`).
    #[serde(default)]
    pub on_label: Option<String>,
    /// It is on an internal network.
    #[serde(default)]
    pub internal_network: bool,
    #[serde(default)]
    pub secret: Option<String>,
    #[serde(default)]
    pub config: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FileImage {
    pub file: String,
    pub service: String,
    pub tag: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DeploymentCheck {
    pub name: String,
    /// The namespace it must be in (any, when not given).
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub ready: Option<u64>,
    #[serde(default)]
    pub tag: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KubeSecret {
    pub name: String,
    pub key: String,
}

impl Check {
    /// Whether the check reads only the lab's files (no cluster).
    pub fn is_local(&self) -> bool {
        matches!(
            self,
            Check::File(_)
                | Check::Cert(_)
                | Check::FileImage(_)
                | Check::Dockerfile(_)
                | Check::StackFile(_)
        )
    }
}

/// What the console or a headless run sees of the cluster.
#[derive(Clone, Copy)]
pub struct Snapshot<'a> {
    pub info: Option<&'a ClusterInfo>,
    pub nodes: &'a [Node],
    pub workloads: &'a [Workload],
    pub instances: &'a [Instance],
    pub images: &'a [Image],
}

/// A check's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", content = "reason", rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    /// Not yet, and why, in words.
    Fail(String),
    /// Not looked at yet (a file or the registry has not been probed).
    Unknown(String),
}

/// Adds what `check` needs; the registry references come from the local images that
/// match it (a tag pushed is a local tag under a registry's name).
pub fn add_needs(needs: &mut Needs, check: &Check, snap: &Snapshot) {
    match check {
        Check::File(f) => needs.files.push(f.clone()),
        Check::Cert(c) => {
            let cas = c.ca.iter().cloned().collect();
            needs.certs.push((c.file.clone(), cas));
        }
        Check::Pushed(r) => {
            for i in snap
                .images
                .iter()
                .filter(|i| r.matches(&i.repo) && i.tag == r.tag)
            {
                if i.repo.contains('/') {
                    needs.registry.push(format!("{}:{}", i.repo, i.tag));
                }
            }
        }
        Check::Service(s) => {
            if let Some(f) = &s.replicas_above_file {
                needs.files.push(f.clone());
            }
            if s.internal_network {
                needs.listing(ViewKind::Networks);
            }
            if s.secret.is_some() {
                needs.listing(ViewKind::Secrets);
            }
            if s.config.is_some() {
                needs.listing(ViewKind::Configs);
            }
        }
        Check::FileImage(f) => needs.files.push(f.file.clone()),
        Check::Dockerfile(d) => needs.files.push(d.file.clone()),
        Check::Built(b) => {
            needs.files.extend(b.dockerfile.iter().cloned());
            for i in snap
                .images
                .iter()
                .filter(|i| b.matches(&i.repo) && i.tag == b.tag)
            {
                let r = format!("{}:{}", i.repo, i.tag);
                if !needs.histories.contains(&r) {
                    needs.histories.push(r);
                }
            }
        }
        Check::Compose(c) => {
            let p = c.project.clone().unwrap_or_default();
            if !needs.compose.contains(&p) {
                needs.compose.push(p);
            }
        }
        Check::StackFile(f) => {
            needs.files.push(f.file.clone());
            if !needs.stacks.contains(&f.file) {
                needs.stacks.push(f.file.clone());
            }
        }
        Check::NodePort(_) => needs.listing(ViewKind::Networks),
        Check::KubeSecret(_) => needs.listing(ViewKind::Secrets),
        Check::Namespace(_) => needs.listing(ViewKind::Volumes),
        _ => {}
    }
    needs.files.dedup();
    needs.registry.dedup();
}

fn not_probed() -> Verdict {
    Verdict::Unknown(crate::tr!("check.not_probed"))
}

/// A file's text as probed, or the verdict that says why there is none: not looked at yet, or
/// missing.
fn probed_file<'a>(probed: Option<&'a Probed>, file: &str) -> Result<&'a str, Verdict> {
    match probed.map(|p| p.files.get(file)) {
        None | Some(None) => Err(not_probed()),
        Some(Some(None)) => Err(Verdict::Fail(crate::tr!("check.file_missing", file = file))),
        Some(Some(Some(text))) => Ok(text),
    }
}

mod docker;
mod eval;
mod observe;
mod stack_file;
pub use eval::{evaluate, tag_of};
pub use observe::{observe, observe_all};

#[cfg(test)]
mod tests;
