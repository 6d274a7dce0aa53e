//! The lab's probe: what the lab's checks need beyond the cluster snapshot (`Needs`) and what was
//! found (`Probed`): the lab folder's files and certificates (read here), a registry and the
//! object listings (asked of the backend). Run off the UI task: by the backend driver for the
//! console, inline for headless commands. The checks themselves live in `lab::check`.

use super::{Backend, Error};
use crate::model::listing::{Listing, ViewKind};
use std::collections::BTreeMap;
use std::path::Path;

/// What the probe must gather for these checks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    pub files: Vec<String>,
    /// (certificate, CA files to verify against)
    pub certs: Vec<(String, Vec<String>)>,
    pub registry: Vec<String>,
    pub listings: Vec<ViewKind>,
    /// Local images (`repo:tag`) whose layer history the checks read.
    pub histories: Vec<String>,
    /// Compose projects whose containers the checks read (`""`: any project).
    pub compose: Vec<String>,
    /// Stack files the checks read as `deploy` reads them.
    pub stacks: Vec<String>,
}

impl Needs {
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
            && self.certs.is_empty()
            && self.registry.is_empty()
            && self.listings.is_empty()
            && self.histories.is_empty()
            && self.compose.is_empty()
            && self.stacks.is_empty()
    }

    /// Asks for a listing of this kind (once).
    pub fn listing(&mut self, k: ViewKind) {
        if !self.listings.contains(&k) {
            self.listings.push(k);
        }
    }
}

/// A certificate file as read: its summaries, and for each CA file asked about, whether it
/// verifies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertFact {
    pub read: Result<Vec<crate::certs::Summary>, String>,
    pub verified: BTreeMap<String, Result<(), String>>,
}

/// Facts gathered off the snapshot: files, certificates, a registry, listings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Probed {
    /// Contents of the files checks read (`None`: missing).
    pub files: BTreeMap<String, Option<String>>,
    pub certs: BTreeMap<String, CertFact>,
    /// A reference looked up in its registry: found, or why not.
    pub registry: BTreeMap<String, Result<(), String>>,
    pub listings: Vec<Listing>,
    /// Each image's layers, oldest first, as `docker history` shows what made them.
    pub histories: BTreeMap<String, Result<Vec<String>, String>>,
    /// Each compose project asked about (`""`: all): its containers, or why they could not be
    /// listed.
    pub compose: BTreeMap<String, Result<Vec<ComposeContainer>, String>>,
    /// Each stack file asked about, as `deploy` reads it, or its error (with file and line).
    pub stacks: BTreeMap<String, Result<crate::stack::facts::StackFacts, String>>,
}

/// A container of a compose project, as the lab's compose check reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComposeContainer {
    pub project: String,
    pub service: String,
    pub name: String,
    pub running: bool,
    /// Exited with code 0 (a one-shot service that did its job).
    pub completed: bool,
    /// `healthy`, `unhealthy`, `starting`, or empty without a health check.
    pub health: String,
}

impl Probed {
    /// The listing of this kind, when it was gathered.
    pub fn listing(&self, kind: ViewKind) -> Option<&Listing> {
        self.listings.iter().find(|l| l.kind == kind)
    }
}

/// Files larger than this are not read whole (a lab's files are small).
const MAX_FILE: u64 = 1 << 20;

/// Each file the checks read, with its size and last change (none when missing): cheap to
/// take every second, so the console reads files again when they change.
pub fn stamps(needs: &Needs, dir: &Path) -> Vec<(String, Option<(u64, std::time::SystemTime)>)> {
    let cas = needs
        .certs
        .iter()
        .flat_map(|(f, cas)| std::iter::once(f).chain(cas.iter()));
    needs
        .files
        .iter()
        .chain(cas)
        .chain(&needs.stacks)
        .map(|f| {
            let stamp = std::fs::metadata(dir.join(f))
                .ok()
                .map(|m| (m.len(), m.modified().unwrap_or(std::time::UNIX_EPOCH)));
            (f.clone(), stamp)
        })
        .collect()
}

/// Reads the files and certificates `needs` names, relative to `dir`.
pub fn local(needs: &Needs, dir: &Path, into: &mut Probed) {
    for f in &needs.files {
        let p = dir.join(f);
        let text = match std::fs::metadata(&p) {
            Ok(m) if m.is_file() && m.len() <= MAX_FILE => {
                std::fs::read_to_string(&p).ok().or(Some(String::new()))
            }
            Ok(m) if m.is_file() => Some(String::new()),
            _ => None,
        };
        into.files.insert(f.clone(), text);
    }
    for (file, cas) in &needs.certs {
        let path = dir.join(file);
        let read = if path.is_file() {
            crate::certs::inspect(&path).map_err(|e| e.to_string())
        } else {
            Err(crate::tr!("check.file_missing", file = file))
        };
        let verified = cas
            .iter()
            .map(|ca| (ca.clone(), crate::certs::verify(&path, &dir.join(ca))))
            .collect();
        into.certs.insert(file.clone(), CertFact { read, verified });
    }
    for f in &needs.stacks {
        let p = dir.join(f);
        let facts = if p.is_file() {
            crate::stack::facts::read(&p)
        } else {
            Err(crate::tr!("check.file_missing", file = f))
        };
        into.stacks.insert(f.clone(), facts);
    }
}

/// Asks the backend for the registry references and listings `needs` names. A listing the
/// cluster refuses is left out (its checks then say they were not looked at).
pub async fn remote(backend: &Backend, needs: &Needs, into: &mut Probed) {
    let mut registry = BTreeMap::new();
    for r in &needs.registry {
        registry.insert(
            r.clone(),
            backend.in_registry(r).await.map_err(|e| e.to_string()),
        );
    }
    into.registry = registry;
    into.histories = BTreeMap::new();
    for r in &needs.histories {
        let h = history(backend, r).await.map_err(|e| e.to_string());
        into.histories.insert(r.clone(), h);
    }
    into.compose = BTreeMap::new();
    for p in &needs.compose {
        let c = compose(backend, p).await.map_err(|e| e.to_string());
        into.compose.insert(p.clone(), c);
    }
    into.listings.clear();
    for k in &needs.listings {
        match backend.listing(*k).await {
            Ok(l) => into.listings.push(l),
            Err(Error::Forbidden(_)) => {}
            Err(e) => tracing::info!(error = %e, "lab probe: listing"),
        }
    }
}

/// What made each layer of a local image, oldest first.
async fn history(backend: &Backend, image: &str) -> Result<Vec<String>, Error> {
    match backend {
        Backend::Swarm(s) => s.image_history(image).await,
        Backend::Kube(_) => Err(Error::Refused(crate::tr!("err.kube_no_history"))),
        Backend::Demo(d) => d.image_history(image),
    }
}

/// The containers of a compose project (`""`: of every project) on a Docker engine.
async fn compose(backend: &Backend, project: &str) -> Result<Vec<ComposeContainer>, Error> {
    match backend {
        Backend::Swarm(s) => s.compose_containers(project).await,
        Backend::Kube(_) => Err(Error::Refused(crate::tr!("check.compose_needs_docker"))),
        Backend::Demo(d) => Ok(d.compose_containers(project)),
    }
}

/// Both, for `lab check`, `lab report` and headless runs in a lab folder.
pub async fn all(backend: &Backend, needs: &Needs, dir: &Path) -> Probed {
    let mut p = Probed::default();
    local(needs, dir, &mut p);
    remote(backend, needs, &mut p).await;
    p
}
