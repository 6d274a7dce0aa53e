//! What a check looked at, as a pass records it: the objects' IDs, the images' digests, the
//! nodes' names, the files' SHA-256. An instructor reading the progress file sees which service,
//! image or node made the step pass, and whether they are still the ones the cluster shows.

use super::*;

fn sha(text: &str) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(text.as_bytes());
    d.iter().take(12).map(|b| format!("{b:02x}")).collect()
}

fn short(id: &str) -> &str {
    let id = id.strip_prefix("sha256:").unwrap_or(id);
    id.get(..12).unwrap_or(id)
}

fn service(w: &Workload) -> String {
    format!("service {} {} {}", w.name, short(&w.id), w.image)
}

fn file(probed: Option<&Probed>, f: &str) -> Vec<String> {
    match probed.and_then(|p| p.files.get(f)) {
        Some(Some(text)) => vec![format!("file {f} sha256:{}", sha(text))],
        _ => vec![],
    }
}

fn images<'a>(
    snap: &'a Snapshot,
    name: &'a str,
    tag: &'a str,
) -> impl Iterator<Item = String> + 'a {
    snap.images
        .iter()
        .filter(move |i| same_repo(name, &i.repo) && i.tag == tag)
        .map(|i| format!("image {}:{} {}", i.repo, i.tag, i.id))
}

/// The facts one check saw, one line each.
pub fn observe(check: &Check, snap: &Snapshot, probed: Option<&Probed>) -> Vec<String> {
    let by_name = |name: &str| {
        snap.workloads
            .iter()
            .filter(|w| w.name == name || w.name.rsplit('/').next() == Some(name))
            .map(service)
            .collect::<Vec<_>>()
    };
    match check {
        Check::File(f) => file(probed, f),
        Check::Cert(c) => file(probed, &c.file)
            .into_iter()
            .chain(
                probed
                    .and_then(|p| p.certs.get(&c.file))
                    .map(|_| format!("certificate {}", c.file)),
            )
            .collect(),
        Check::FileImage(f) => file(probed, &f.file),
        Check::Dockerfile(d) => file(probed, &d.file),
        Check::StackFile(f) => file(probed, &f.file),
        Check::Image(r) | Check::Pushed(r) => images(snap, &r.name, &r.tag).collect(),
        Check::Built(b) => images(snap, &b.name, &b.tag)
            .chain(b.dockerfile.iter().flat_map(|f| file(probed, f)))
            .collect(),
        Check::Swarm(_) => snap
            .info
            .map(|i| vec![format!("swarm {} node {}", i.swarm_id, i.node_id)])
            .unwrap_or_default(),
        Check::Nodes(_) => snap
            .nodes
            .iter()
            .map(|n| format!("node {} {}", n.hostname, short(&n.id)))
            .collect(),
        Check::NodeLabel(l) => {
            let (k, v) = l.label.split_once('=').unwrap_or((&l.label, ""));
            snap.nodes
                .iter()
                .filter(|n| n.labels.get(k).is_some_and(|x| x == v))
                .map(|n| format!("node {} {} {}", n.hostname, short(&n.id), l.label))
                .collect()
        }
        Check::Stack(s) => snap
            .workloads
            .iter()
            .filter(|w| w.stack.as_deref() == Some(&s.name))
            .map(service)
            .collect(),
        Check::Service(s) => by_name(&s.name),
        Check::Deployment(d) => by_name(&d.name),
        Check::Compose(c) => probed
            .and_then(|p| p.compose.get(c.project.as_deref().unwrap_or("")))
            .and_then(|r| r.as_ref().ok())
            .map(|cs| {
                cs.iter()
                    .map(|c| format!("container {} {}", c.name, c.service))
                    .collect()
            })
            .unwrap_or_default(),
        Check::NodePort(n) => vec![format!("service {n}")],
        Check::KubeSecret(s) => vec![format!("secret {} {}", s.name, s.key)],
        Check::Namespace(n) => vec![format!("namespace {n}")],
    }
}

/// Every fact a step's checks saw, each once.
pub fn observe_all(checks: &[Check], snap: &Snapshot, probed: Option<&Probed>) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for c in checks {
        for f in observe(c, snap, probed) {
            if !out.contains(&f) {
                out.push(f);
            }
        }
    }
    out
}
