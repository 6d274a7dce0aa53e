//! What a check says: each kind read from the snapshot and the probed facts, with the reason
//! in words when it does not hold.

use super::*;
use crate::tr;

fn cell<'a>(l: &'a Listing, row: &'a [String], column: &str) -> &'a str {
    l.columns
        .iter()
        .position(|c| *c == column)
        .and_then(|i| row.get(i))
        .map(String::as_str)
        .unwrap_or("")
}

/// A listed name matches `name` plain or namespaced (`ns/name`, when every namespace is shown).
fn same_name(listed: &str, name: &str) -> bool {
    listed == name || listed.rsplit('/').next() == Some(name)
}

fn listed_in(cell: &str, name: &str) -> bool {
    cell.split(',').any(|s| s.trim() == name)
}

/// The tag of an image reference (`latest` when none is written).
pub fn tag_of(image: &str) -> &str {
    let image = image.split('@').next().unwrap_or(image);
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.rsplit_once(':') {
        Some((_, t)) => t,
        None => "latest",
    }
}

/// A service's key in a compose file, read without interpolation (replicas and images are
/// what labs check, and they are plain there).
fn compose_service<'a>(
    doc: &'a serde_norway::Value,
    service: &str,
) -> Option<&'a serde_norway::Value> {
    doc.get("services")?.get(service)
}

/// The service's name in the stack file: `gopenux_backend` is `backend` in the file.
fn short_name<'a>(service: &'a str, stack_file_doc: &serde_norway::Value) -> &'a str {
    if compose_service(stack_file_doc, service).is_some() {
        return service;
    }
    service.split_once('_').map(|(_, s)| s).unwrap_or(service)
}

pub fn evaluate(check: &Check, snap: &Snapshot, probed: Option<&Probed>) -> Verdict {
    let kube = snap.info.is_some_and(|i| i.kube.is_some());
    match check {
        Check::File(f) => match probed.map(|p| p.files.get(f)) {
            None | Some(None) => not_probed(),
            Some(Some(Some(_))) => Verdict::Pass,
            Some(Some(None)) => Verdict::Fail(tr!("check.file_missing", file = f)),
        },
        Check::Cert(c) => cert(c, probed),
        Check::Image(r) => image_present(r, snap),
        Check::Pushed(r) => pushed(r, snap, probed),
        Check::Swarm(role) => swarm(role, snap),
        Check::Nodes(n) => nodes(n, snap),
        Check::NodeLabel(l) => node_label(l, snap),
        Check::Stack(s) => stack(s, snap),
        Check::Service(c) => service(c, snap, probed),
        Check::FileImage(f) => file_image(f, probed),
        Check::Dockerfile(d) => super::docker::dockerfile(d, probed),
        Check::Built(b) => super::docker::built(b, snap, probed),
        Check::Compose(c) => super::docker::compose(c, probed),
        Check::StackFile(f) => super::stack_file::stack_file(f, probed),
        Check::Deployment(d) => deployment(d, snap),
        Check::NodePort(name) => listing_row(probed, ViewKind::Networks, name, |l, r| {
            let ports = cell(l, r, "ports");
            if cell(l, r, "type") == "NodePort" || ports.contains(':') {
                Verdict::Pass
            } else {
                Verdict::Fail(tr!(
                    "check.no_nodeport",
                    name = name,
                    kind = cell(l, r, "type")
                ))
            }
        }),
        Check::KubeSecret(s) => listing_row(probed, ViewKind::Secrets, &s.name, |l, r| {
            if listed_in(cell(l, r, "keys"), &s.key) {
                Verdict::Pass
            } else {
                Verdict::Fail(tr!("check.secret_key", name = s.name, key = s.key))
            }
        }),
        Check::Namespace(n) => listing_row(probed, ViewKind::Volumes, n, |_, _| Verdict::Pass),
    }
    .kube_aware(kube, check)
}

/// An image tag on the engine.
fn image_present(r: &ImageRef, snap: &Snapshot) -> Verdict {
    if snap
        .images
        .iter()
        .any(|i| r.matches(&i.repo) && i.tag == r.tag)
    {
        Verdict::Pass
    } else {
        Verdict::Fail(tr!(
            "check.no_image",
            image = format!("{}:{}", r.name, r.tag)
        ))
    }
}

/// A local tag under a registry's name that the registry has.
fn pushed(r: &ImageRef, snap: &Snapshot, probed: Option<&Probed>) -> Verdict {
    let image = format!("{}:{}", r.name, r.tag);
    let candidates: Vec<&Image> = snap
        .images
        .iter()
        .filter(|i| r.matches(&i.repo) && i.tag == r.tag && i.repo.contains('/'))
        .collect();
    if candidates.is_empty() {
        return Verdict::Fail(tr!("check.not_tagged_for_registry", image = image));
    }
    let Some(p) = probed else {
        return not_probed();
    };
    let mut why = vec![];
    for i in candidates {
        let full = format!("{}:{}", i.repo, i.tag);
        match p.registry.get(&full) {
            Some(Ok(())) => return Verdict::Pass,
            Some(Err(e)) => why.push(tr!("check.not_in_registry", image = full, error = e)),
            None => return not_probed(),
        }
    }
    Verdict::Fail(why.join("; "))
}

/// This engine's swarm role.
fn swarm(role: &SwarmRole, snap: &Snapshot) -> Verdict {
    let have = snap.info.map(|i| i.swarm).unwrap_or(SwarmRole::None);
    if have == *role {
        Verdict::Pass
    } else {
        Verdict::Fail(tr!(
            "check.swarm_role",
            want = swarm_word(*role),
            have = swarm_word(have)
        ))
    }
}

/// Enough nodes, and enough of them workers.
fn nodes(n: &NodeCount, snap: &Snapshot) -> Verdict {
    let workers = snap.nodes.iter().filter(|x| x.role == Role::Worker).count();
    if snap.nodes.len() >= n.min && workers >= n.workers {
        Verdict::Pass
    } else {
        Verdict::Fail(tr!(
            "check.nodes",
            nodes = snap.nodes.len(),
            workers = workers,
            min = n.min,
            want_workers = n.workers
        ))
    }
}

/// A node (of a role) with a label.
fn node_label(l: &NodeLabel, snap: &Snapshot) -> Verdict {
    let (k, v) = l.label.split_once('=').unwrap_or((&l.label, ""));
    let ok = snap
        .nodes
        .iter()
        .any(|n| l.role.is_none_or(|r| r == n.role) && n.labels.get(k).is_some_and(|x| x == v));
    if ok {
        Verdict::Pass
    } else {
        let role = l
            .role
            .map(role_word)
            .unwrap_or_else(|| tr!("check.any_node"));
        Verdict::Fail(tr!("check.no_label", label = l.label, role = role))
    }
}

/// A stack with its services, running when asked.
fn stack(s: &StackCheck, snap: &Snapshot) -> Verdict {
    let members: Vec<&Workload> = snap
        .workloads
        .iter()
        .filter(|w| w.stack.as_deref() == Some(&s.name))
        .collect();
    if members.is_empty() {
        return Verdict::Fail(tr!("check.no_stack", stack = s.name));
    }
    if members.len() < s.services {
        return Verdict::Fail(tr!(
            "check.stack_services",
            stack = s.name,
            have = members.len(),
            want = s.services
        ));
    }
    let short: Vec<String> = members
        .iter()
        .filter(|w| w.running < w.desired)
        .map(|w| format!("{} {}/{}", w.name, w.running, w.desired))
        .collect();
    if s.running && !short.is_empty() {
        return Verdict::Fail(tr!("check.not_running", services = short.join(", ")));
    }
    Verdict::Pass
}

/// The tag a stack file gives a service's image.
fn file_image(f: &FileImage, probed: Option<&Probed>) -> Verdict {
    let text = match probed_file(probed, &f.file) {
        Ok(t) => t,
        Err(v) => return v,
    };
    let doc: serde_norway::Value = match serde_norway::from_str(text) {
        Ok(d) => d,
        Err(e) => return Verdict::Fail(tr!("check.file_bad", file = f.file, error = e)),
    };
    let image = compose_service(&doc, short_name(&f.service, &doc))
        .and_then(|s| s.get("image"))
        .and_then(|i| i.as_str())
        .unwrap_or("");
    if tag_of(image) == f.tag {
        Verdict::Pass
    } else {
        Verdict::Fail(tr!(
            "check.file_tag",
            file = f.file,
            service = f.service,
            have = tag_of(image),
            want = f.tag
        ))
    }
}

/// A Deployment (in its namespace), ready and with its tag.
fn deployment(d: &DeploymentCheck, snap: &Snapshot) -> Verdict {
    let scope = snap
        .info
        .and_then(|i| i.kube.as_ref())
        .and_then(|k| k.namespace.as_deref());
    let found = snap.workloads.iter().find(|w| match &d.namespace {
        None => same_name(&w.name, &d.name),
        Some(ns) => {
            w.name == format!("{ns}/{}", d.name) || (scope == Some(ns.as_str()) && w.name == d.name)
        }
    });
    let Some(w) = found else {
        let name = match &d.namespace {
            Some(ns) => format!("{ns}/{}", d.name),
            None => d.name.clone(),
        };
        return Verdict::Fail(tr!("check.no_workload", name = name));
    };
    if let Some(n) = d.ready
        && w.running < n
    {
        return Verdict::Fail(tr!(
            "check.ready",
            name = d.name,
            have = w.running,
            want = n
        ));
    }
    if let Some(t) = &d.tag
        && tag_of(&w.image) != t
    {
        return Verdict::Fail(tr!(
            "check.tag",
            name = d.name,
            have = tag_of(&w.image),
            want = t
        ));
    }
    Verdict::Pass
}

trait KubeAware {
    fn kube_aware(self, kube: bool, check: &Check) -> Verdict;
}

impl KubeAware for Verdict {
    /// A Swarm check on a Kubernetes cluster (or the other way round) fails saying so, rather
    /// than with a reason that does not apply.
    fn kube_aware(self, kube: bool, check: &Check) -> Verdict {
        // Never a pass either: a compose project's service named `creator` is not the
        // Deployment a Kubernetes step asks for.
        match (self, check.observable()) {
            (_, Observable::Kube) if !kube => Verdict::Fail(tr!("check.needs_kube")),
            (_, Observable::Swarm) if kube => Verdict::Fail(tr!("check.needs_swarm")),
            (v, _) => v,
        }
    }
}

fn listing_row(
    probed: Option<&Probed>,
    kind: ViewKind,
    name: &str,
    f: impl Fn(&Listing, &[String]) -> Verdict,
) -> Verdict {
    let Some(l) = probed.and_then(|p| p.listing(kind)) else {
        return not_probed();
    };
    match l
        .rows
        .iter()
        .find(|r| r.first().is_some_and(|n| same_name(n, name)))
    {
        Some(r) => f(l, r),
        None => Verdict::Fail(tr!(
            "check.no_object",
            kind = crate::i18n::text(
                kind.object_kind(true)
                    .map(|k| k.catalog_key())
                    .unwrap_or("kind.service")
            ),
            name = name
        )),
    }
}

fn swarm_word(r: SwarmRole) -> String {
    match r {
        SwarmRole::Manager => tr!("node.manager"),
        SwarmRole::Worker => tr!("node.worker"),
        SwarmRole::None => tr!("check.no_swarm"),
    }
}

fn role_word(r: Role) -> String {
    match r {
        Role::Manager => tr!("node.manager"),
        Role::Worker => tr!("node.worker"),
    }
}

fn cert(c: &CertCheck, probed: Option<&Probed>) -> Verdict {
    let Some(fact) = probed.and_then(|p| p.certs.get(&c.file)) else {
        return not_probed();
    };
    let all = match &fact.read {
        Ok(all) if !all.is_empty() => all,
        Ok(_) => return Verdict::Fail(tr!("check.no_cert", file = c.file)),
        Err(e) => return Verdict::Fail(e.clone()),
    };
    // The first certificate of a chain is the site's.
    let site = &all[0];
    let missing: Vec<&str> = c
        .subject
        .iter()
        .filter(|part| !site.subject.split(", ").any(|s| s == part.as_str()))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Verdict::Fail(tr!(
            "check.subject",
            file = c.file,
            subject = site.subject,
            missing = missing.join(", ")
        ));
    }
    let uncovered: Vec<&str> = c
        .names
        .iter()
        .filter(|n| !site.names.iter().any(|have| have == *n))
        .map(String::as_str)
        .collect();
    if !uncovered.is_empty() {
        return Verdict::Fail(tr!(
            "check.names",
            file = c.file,
            names = site.names.join(", "),
            missing = uncovered.join(", ")
        ));
    }
    if let Some(ca) = &c.ca {
        match fact.verified.get(ca) {
            Some(Ok(())) => {}
            Some(Err(e)) => {
                return Verdict::Fail(tr!("check.ca", file = c.file, ca = ca, error = e));
            }
            None => return not_probed(),
        }
    }
    Verdict::Pass
}

fn service(c: &ServiceCheck, snap: &Snapshot, probed: Option<&Probed>) -> Verdict {
    let Some(w) = snap.workloads.iter().find(|w| w.name == c.name) else {
        return Verdict::Fail(tr!("check.no_service", name = c.name));
    };
    if c.running && w.running < w.desired {
        return Verdict::Fail(tr!(
            "check.runs",
            name = w.name,
            running = w.running,
            desired = w.desired
        ));
    }
    if let Some(n) = c.replicas_above
        && w.desired <= n
    {
        return Verdict::Fail(tr!(
            "check.replicas",
            name = w.name,
            have = w.desired,
            want = n
        ));
    }
    if let Some(file) = &c.replicas_above_file
        && let Some(v) = replicas_in_file(w, file, probed)
    {
        return v;
    }
    if let Some(t) = &c.tag
        && tag_of(&w.image) != t
    {
        return Verdict::Fail(tr!(
            "check.tag",
            name = w.name,
            have = tag_of(&w.image),
            want = t
        ));
    }
    if let Some(port) = c.port
        && !w.ports.iter().any(|p| p.published == Some(port))
    {
        return Verdict::Fail(tr!("check.port", name = w.name, port = port));
    }
    if c.no_ports && w.ports.iter().any(|p| p.published.is_some()) {
        let ports: Vec<String> = w.ports.iter().map(|p| p.to_string()).collect();
        return Verdict::Fail(tr!(
            "check.publishes",
            name = w.name,
            ports = ports.join(", ")
        ));
    }
    if let Some(label) = &c.on_label
        && let Some(v) = placed(w, label, snap)
    {
        return v;
    }
    uses_objects(c, w, probed).unwrap_or(Verdict::Pass)
}

/// More replicas than the stack file gives the service (`None`: it holds).
fn replicas_in_file(w: &Workload, file: &str, probed: Option<&Probed>) -> Option<Verdict> {
    let Some(p) = probed else {
        return Some(not_probed());
    };
    let Some(text) = p.files.get(file) else {
        return Some(not_probed());
    };
    let Some(text) = text else {
        return Some(Verdict::Fail(tr!("check.file_missing", file = file)));
    };
    let doc: serde_norway::Value = match serde_norway::from_str(text) {
        Ok(d) => d,
        Err(e) => return Some(Verdict::Fail(tr!("check.file_bad", file = file, error = e))),
    };
    let in_file = compose_service(&doc, short_name(&w.name, &doc))
        .and_then(|s| s.get("deploy"))
        .and_then(|d| d.get("replicas"))
        .and_then(|r| r.as_u64())
        .unwrap_or(1);
    if w.desired <= in_file {
        return Some(Verdict::Fail(tr!(
            "check.replicas_file",
            name = w.name,
            have = w.desired,
            file = file,
            want = in_file
        )));
    }
    None
}

/// Every running task of the service on a node with the label (`None`: they are).
fn placed(w: &Workload, label: &str, snap: &Snapshot) -> Option<Verdict> {
    let (k, v) = label.split_once('=').unwrap_or((label, ""));
    let tasks: Vec<&Instance> = snap
        .instances
        .iter()
        .filter(|i| i.workload_id == w.id && i.state == "running")
        .collect();
    if tasks.is_empty() {
        return Some(Verdict::Fail(tr!(
            "check.runs",
            name = w.name,
            running = 0,
            desired = w.desired
        )));
    }
    let stray: Vec<String> = tasks
        .iter()
        .filter(|i| {
            !snap
                .nodes
                .iter()
                .any(|n| n.id == i.node_id && n.labels.get(k).is_some_and(|x| x == v))
        })
        .map(|i| format!("{}@{}", i.name, i.node))
        .collect();
    if !stray.is_empty() {
        return Some(Verdict::Fail(tr!(
            "check.placement",
            name = w.name,
            label = label,
            tasks = stray.join(", ")
        )));
    }
    None
}

/// The internal network, secret and config the service must use (`None`: it does).
fn uses_objects(c: &ServiceCheck, w: &Workload, probed: Option<&Probed>) -> Option<Verdict> {
    if c.internal_network {
        let v = on_listing(probed, ViewKind::Networks, &w.name, |l, r| {
            cell(l, r, "internal") == "true"
        });
        match v {
            None => return Some(not_probed()),
            Some(false) => return Some(Verdict::Fail(tr!("check.internal", name = w.name))),
            Some(true) => {}
        }
    }
    for (want, kind, key) in [
        (&c.secret, ViewKind::Secrets, "kind.secret"),
        (&c.config, ViewKind::Configs, "kind.config"),
    ] {
        let Some(want) = want else { continue };
        let v = on_listing(probed, kind, &w.name, |_, r| {
            r.first().is_some_and(|n| same_name(n, want))
        });
        match v {
            None => return Some(not_probed()),
            Some(false) => {
                return Some(Verdict::Fail(tr!(
                    "check.mounted",
                    name = w.name,
                    kind = crate::i18n::text(key),
                    object = want
                )));
            }
            Some(true) => {}
        }
    }
    None
}

/// Whether some row of a listing that names `service` among its users satisfies `f`
/// (`None`: the listing was not probed).
fn on_listing(
    probed: Option<&Probed>,
    kind: ViewKind,
    service: &str,
    f: impl Fn(&Listing, &[String]) -> bool,
) -> Option<bool> {
    let l = probed?.listing(kind)?;
    Some(
        l.rows
            .iter()
            .any(|r| listed_in(cell(l, r, "services"), service) && f(l, r)),
    )
}
