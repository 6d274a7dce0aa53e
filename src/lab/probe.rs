//! Gathers what checks need beyond the cluster snapshot: the lab folder's files and
//! certificates (read here), a registry and the object listings (asked of the backend). Run off
//! the UI task: by the backend driver for the console, inline for headless commands.

use super::check::{CertFact, Needs, Probed};
use crate::backend::{Backend, Error};
use std::collections::BTreeMap;
use std::path::Path;

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
    into.listings.clear();
    for k in &needs.listings {
        match backend.listing(*k).await {
            Ok(l) => into.listings.push(l),
            Err(Error::Forbidden(_)) => {}
            Err(e) => tracing::info!(error = %e, "lab probe: listing"),
        }
    }
}

/// Both, for `lab check`, `lab report` and headless runs in a lab folder.
pub async fn all(backend: &Backend, needs: &Needs, dir: &Path) -> Probed {
    let mut p = Probed::default();
    local(needs, dir, &mut p);
    remote(backend, needs, &mut p).await;
    p
}
