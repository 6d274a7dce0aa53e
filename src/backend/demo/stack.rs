//! Stacks on the demo cluster: `deploy`, `diff` and `rm-stack` read the same compose files as
//! on a real engine (through `crate::stack::load`, so a bad file fails the same way), then
//! create or update the demo's services, networks, secrets and configs. Tasks are placed by the
//! services' constraints and come up over the next seconds. `swarm init` and workers joining
//! after `swarm join-token worker` let a class walk a lab from an empty engine.

use super::sim::{Sim, node, workload};
use crate::backend::Error;
use crate::model::action::{Detail, Outcome};
use crate::model::{Instance, Node, Port, Role, SwarmRole};
use crate::stack::StackSpec;
use crate::tr;
use serde_json::Value as J;

/// A variable as the demo's files read it: the environment's, and `REGISTRY`, when unset, the
/// demo's own registry, so the lab presets deploy in class without an export. The console's
/// editor checks a file with the same lookup before it deploys.
pub fn variable(k: &str) -> Option<String> {
    std::env::var(k)
        .ok()
        .or_else(|| (k == "REGISTRY").then(|| super::sim::REGISTRY.to_string()))
}

/// A variable as a deploy on this kind of cluster reads it: the demo's (`REGISTRY` has a
/// default), else the environment's.
pub fn variable_for(demo: bool, k: &str) -> Option<String> {
    if demo {
        variable(k)
    } else {
        std::env::var(k).ok()
    }
}

/// Loads the files as a deploy would.
fn load(files: &[String], stack: &str) -> Result<StackSpec, Error> {
    let paths: Vec<std::path::PathBuf> = files.iter().map(std::path::PathBuf::from).collect();
    crate::stack::load(&paths, stack, &variable).map_err(|e| Error::Refused(e.to_string()))
}

fn image_of(spec: &J) -> String {
    crate::model::strip_digest(
        spec["TaskTemplate"]["ContainerSpec"]["Image"]
            .as_str()
            .unwrap_or_default(),
    )
    .to_string()
}

fn replicas_of(spec: &J) -> u64 {
    spec["Mode"]["Replicated"]["Replicas"].as_u64().unwrap_or(1)
}

fn ports_of(spec: &J) -> Vec<Port> {
    spec["EndpointSpec"]["Ports"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| Port {
                    published: p["PublishedPort"].as_u64().map(|n| n as u16),
                    target: p["TargetPort"].as_u64().unwrap_or(0) as u16,
                    protocol: p["Protocol"].as_str().unwrap_or("tcp").to_string(),
                    mode: p["PublishMode"].as_str().unwrap_or("ingress").to_string(),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn strings(v: &J, key: &str) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x[key].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether a node satisfies a placement constraint (`node.labels.app == api`,
/// `node.role != manager`, `node.hostname == worker1`).
pub(super) fn satisfies(n: &Node, constraint: &str) -> bool {
    let (key, eq, want) = match constraint.split_once("==") {
        Some((k, v)) => (k.trim(), true, v.trim()),
        None => match constraint.split_once("!=") {
            Some((k, v)) => (k.trim(), false, v.trim()),
            None => return true,
        },
    };
    let have = if let Some(label) = key.strip_prefix("node.labels.") {
        n.labels.get(label).cloned()
    } else {
        match key {
            "node.role" => Some(format!("{:?}", n.role).to_lowercase()),
            "node.hostname" => Some(n.hostname.clone()),
            "node.id" => Some(n.id.clone()),
            _ => return true,
        }
    };
    (have.as_deref() == Some(want)) == eq
}

impl Sim {
    /// The constraints of a workload's spec, if a deploy made it.
    pub(super) fn constraints(&self, name: &str) -> Vec<String> {
        self.objects
            .specs
            .get(name)
            .and_then(|s| s["TaskTemplate"]["Placement"]["Constraints"].as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|c| c.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn needs_manager(&self) -> Result<(), Error> {
        if self.swarm == SwarmRole::Manager {
            Ok(())
        } else {
            Err(Error::NotManager)
        }
    }

    /// The changes a deploy would make, as the preview shows them.
    pub(super) fn diff(
        &self,
        files: &[String],
        stack: &str,
        prune: bool,
    ) -> Result<Outcome, Error> {
        self.needs_manager()?;
        let spec = load(files, stack)?;
        let mut lines = vec![];
        for n in spec
            .networks
            .keys()
            .filter(|n| !self.objects.networks.contains_key(*n))
        {
            lines.push(format!("+ {} {n}", crate::i18n::text("kind.network")));
        }
        for n in spec
            .secrets
            .keys()
            .filter(|n| !self.objects.secrets.contains(*n))
        {
            lines.push(format!("+ {} {n}", crate::i18n::text("kind.secret")));
        }
        for n in spec
            .configs
            .keys()
            .filter(|n| !self.objects.configs.contains(*n))
        {
            lines.push(format!("+ {} {n}", crate::i18n::text("kind.config")));
        }
        for want in spec.services.values() {
            let name = want["Name"].as_str().unwrap_or_default();
            match self.objects.specs.get(name) {
                None => lines.push(format!("+ {} {name}", crate::i18n::text("kind.service"))),
                Some(live) => {
                    for c in crate::stack::compare::service_changes(live, want) {
                        lines.push(format!("~ {name}: {c}"));
                    }
                }
            }
        }
        if prune {
            for w in self.stack_members(stack) {
                if !spec.services.values().any(|s| s["Name"] == w.as_str()) {
                    lines.push(format!("- {} {w}", crate::i18n::text("kind.service")));
                }
            }
        }
        Ok(Outcome {
            summary: if lines.is_empty() {
                tr!("preview.none", stack = stack)
            } else {
                tr!("preview.summary", stack = stack, count = lines.len())
            },
            detail: (!lines.is_empty()).then(|| Detail::Text(lines.join("\n"))),
        })
    }

    fn stack_members(&self, stack: &str) -> Vec<String> {
        self.workloads
            .iter()
            .filter(|w| w.stack.as_deref() == Some(stack))
            .map(|w| w.name.clone())
            .collect()
    }

    /// Creates or updates the stack's objects and services, as `docker stack deploy` does.
    pub(super) fn deploy(
        &mut self,
        files: &[String],
        stack: &str,
        prune: bool,
        now: i64,
    ) -> Result<Outcome, Error> {
        self.needs_manager()?;
        let spec = load(files, stack)?;
        for (n, net) in &spec.networks {
            self.objects
                .networks
                .insert(n.clone(), net["Internal"].as_bool().unwrap_or(false));
        }
        self.objects.secrets.extend(spec.secrets.keys().cloned());
        self.objects.configs.extend(spec.configs.keys().cloned());
        let mut lines = vec![];
        let (mut created, mut updated, mut unchanged, mut removed) = (0, 0, 0, 0);
        for want in spec.services.values() {
            let name = want["Name"].as_str().unwrap_or_default().to_string();
            let same = self.objects.specs.get(&name) == Some(want);
            let image = image_of(want);
            let replicas = replicas_of(want);
            self.objects.specs.insert(name.clone(), want.clone());
            match self.workloads.iter().position(|w| w.name == name) {
                Some(_) if same => unchanged += 1,
                Some(w) => {
                    updated += 1;
                    lines.push(tr!("deploy.updating", name = name));
                    self.workloads[w].ports = ports_of(want);
                    if self.workloads[w].image != image {
                        let old = std::mem::replace(&mut self.workloads[w].image, image.clone());
                        self.previous.insert(self.workloads[w].id.clone(), old);
                        self.replace_tasks(w, &image, now);
                    }
                    if self.workloads[w].desired != replicas {
                        self.scale_to(w, replicas, now);
                    }
                }
                None => {
                    created += 1;
                    lines.push(tr!("deploy.creating", kind = "service", name = name));
                    self.serial += 1;
                    let id = format!("demosvc{:019}", self.serial);
                    let mut w = workload(&id, &name, Some(stack), &image, replicas, &[], now);
                    w.ports = ports_of(want);
                    if let Some(l) = want["Labels"].as_object() {
                        for (k, v) in l {
                            if let Some(v) = v.as_str() {
                                w.labels.insert(k.clone(), v.to_string());
                            }
                        }
                    }
                    self.workloads.push(w);
                    let k = self.workloads.len() - 1;
                    for slot in 1..=replicas {
                        self.start_task(k, slot, &image, now);
                    }
                }
            }
        }
        if prune {
            for w in self.stack_members(stack) {
                if !spec.services.values().any(|s| s["Name"] == w.as_str()) {
                    lines.push(tr!("deploy.removing", name = w));
                    removed += 1;
                    self.remove_service(&w, now);
                }
            }
        }
        Ok(Outcome {
            summary: tr!(
                "deploy.done",
                stack = stack,
                created = created,
                updated = updated,
                unchanged = unchanged,
                removed = removed
            ),
            detail: Some(Detail::Text(lines.join("\n"))),
        })
    }

    fn remove_service(&mut self, name: &str, now: i64) {
        if let Some(w) = self.workloads.iter().position(|w| w.name == name) {
            let id = self.workloads[w].id.clone();
            for k in self.live_tasks(&id) {
                self.stop_task(k, now);
            }
            self.instances.retain(|i| i.workload_id != id);
            self.workloads.remove(w);
        }
        self.objects.specs.remove(name);
    }

    /// Removes the stack's services, networks, secrets and configs (volumes stay).
    pub(super) fn rm_stack(&mut self, stack: &str, now: i64) -> Result<Outcome, Error> {
        self.needs_manager()?;
        let members = self.stack_members(stack);
        if members.is_empty() {
            return Err(Error::NotFound {
                kind: "kind.stack",
                name: stack.to_string(),
                suggestion: None,
            });
        }
        for m in &members {
            self.remove_service(m, now);
        }
        let prefix = format!("{stack}_");
        self.objects.networks.retain(|n, _| !n.starts_with(&prefix));
        self.objects.secrets.retain(|n| !n.starts_with(&prefix));
        self.objects.configs.retain(|n| !n.starts_with(&prefix));
        Ok(Outcome {
            summary: tr!("deploy.removed", stack = stack, count = members.len()),
            detail: None,
        })
    }

    pub(super) fn scale_to(&mut self, w: usize, n: u64, now: i64) {
        let wid = self.workloads[w].id.clone();
        let image = self.workloads[w].image.clone();
        for k in self.live_tasks(&wid) {
            if self.instances[k].slot.unwrap_or(0) > n {
                self.stop_task(k, now);
            }
        }
        let have: Vec<u64> = self
            .live_tasks(&wid)
            .iter()
            .filter_map(|&k| self.instances[k].slot)
            .collect();
        for slot in (1..=n).filter(|sl| !have.contains(sl)) {
            self.start_task(w, slot, &image, now);
        }
        self.workloads[w].desired = n;
        self.sync_spec(w);
    }

    /// Keeps a deployed service's spec as the engine would have it after `scale` or `image`,
    /// so that deploying the file again shows (and makes) the difference.
    pub(super) fn sync_spec(&mut self, w: usize) {
        let (name, image, n) = {
            let wl = &self.workloads[w];
            (wl.name.clone(), wl.image.clone(), wl.desired)
        };
        if let Some(spec) = self.objects.specs.get_mut(&name) {
            spec["TaskTemplate"]["ContainerSpec"]["Image"] = J::String(image);
            if spec["Mode"]["Replicated"].is_object() {
                spec["Mode"]["Replicated"]["Replicas"] = J::from(n);
            }
        }
    }

    /// `swarm init` on the demo's engine when it is not in a swarm yet: it becomes the
    /// manager of a one-node swarm.
    pub(super) fn swarm_init(&mut self) -> Result<Outcome, Error> {
        if self.swarm != SwarmRole::None {
            return Err(Error::engine(
                "This node is already part of a swarm. Use \"docker swarm leave\" to leave this swarm and join another one.",
            ));
        }
        self.swarm = SwarmRole::Manager;
        let mut m = node(
            "demonode0manager1",
            "manager1",
            Role::Manager,
            true,
            "10.10.0.2",
            "",
        );
        m.labels.clear();
        self.nodes = vec![m];
        Ok(Outcome {
            summary: tr!("done.swarm_init", node = "manager1"),
            detail: None,
        })
    }

    /// After `swarm join-token worker`, the class's two worker machines join a few seconds
    /// apart, as students run the join command there.
    pub(super) fn expect_workers(&mut self, now: i64) {
        if self.nodes.iter().any(|n| n.role == Role::Worker) || !self.joining.is_empty() {
            return;
        }
        for (i, (id, host, addr)) in [
            ("demonode1worker01", "worker1", "10.10.0.3"),
            ("demonode2worker02", "worker2", "10.10.0.4"),
        ]
        .into_iter()
        .enumerate()
        {
            let mut n = node(id, host, Role::Worker, false, addr, "");
            n.labels.clear();
            self.joining.push((now + 3 + 2 * i as i64, n));
        }
    }

    /// Workers whose time has come join; pending tasks with no node are placed again (a node
    /// labelled or joined can take them). Says whether anything moved.
    pub(super) fn settle(&mut self, now: i64) -> bool {
        let mut moved = false;
        let (due, later): (Vec<_>, Vec<_>) = self.joining.drain(..).partition(|(at, _)| *at <= now);
        self.joining = later;
        for (_, n) in due {
            self.nodes.push(n);
            moved = true;
        }
        let unplaced: Vec<usize> = (0..self.instances.len())
            .filter(|&k| {
                let i = &self.instances[k];
                i.state == "pending" && i.node_id.is_empty() && i.desired == "running"
            })
            .collect();
        for k in unplaced {
            if let Some(n) = self.place(&self.instances[k].clone()) {
                let i = &mut self.instances[k];
                i.node_id = self.nodes[n].id.clone();
                i.node = self.nodes[n].hostname.clone();
                i.error = None;
                i.since = now;
                moved = true;
            }
        }
        moved
    }

    /// A node for a task: active, satisfying its service's constraints, in turn by slot.
    pub(super) fn place(&self, t: &Instance) -> Option<usize> {
        let service = self
            .workloads
            .iter()
            .find(|w| w.id == t.workload_id)
            .map(|w| w.name.clone())
            .unwrap_or_default();
        let constraints = self.constraints(&service);
        let fit: Vec<usize> = self
            .schedulable()
            .into_iter()
            .filter(|&k| constraints.iter().all(|c| satisfies(&self.nodes[k], c)))
            .collect();
        fit.get(t.slot.unwrap_or(1) as usize % fit.len().max(1))
            .copied()
    }

    /// The networks, secrets and configs deploys made, with the services using each.
    pub(super) fn object_rows(&self, kind: crate::model::listing::ViewKind) -> Vec<Vec<String>> {
        use crate::model::listing::ViewKind;
        let users = |f: &dyn Fn(&J) -> Vec<String>, name: &str| -> String {
            self.objects
                .specs
                .iter()
                .filter(|(_, s)| f(s).iter().any(|n| n == name))
                .map(|(svc, _)| svc.clone())
                .collect::<Vec<_>>()
                .join(",")
        };
        match kind {
            ViewKind::Networks => self
                .objects
                .networks
                .iter()
                .enumerate()
                .map(|(i, (n, internal))| {
                    vec![
                        n.clone(),
                        "overlay".into(),
                        "swarm".into(),
                        internal.to_string(),
                        "false".into(),
                        format!("10.0.{}.0/24", 10 + i),
                        users(&|s| strings(&s["TaskTemplate"]["Networks"], "Target"), n),
                    ]
                })
                .collect(),
            ViewKind::Secrets | ViewKind::Configs => {
                let (set, field, key) = if kind == ViewKind::Secrets {
                    (&self.objects.secrets, "Secrets", "SecretName")
                } else {
                    (&self.objects.configs, "Configs", "ConfigName")
                };
                set.iter()
                    .map(|n| {
                        vec![
                            n.clone(),
                            "1 minute ago".into(),
                            "1 minute ago".into(),
                            String::new(),
                            users(
                                &|s| strings(&s["TaskTemplate"]["ContainerSpec"][field], key),
                                n,
                            ),
                        ]
                    })
                    .collect()
            }
            _ => vec![],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::demo::Demo;

    #[test]
    fn semana_4_goes_from_swarm_init_to_tasks_placed_by_label() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("semana-4");
        crate::lab::init("semana-4", &dir).unwrap();
        crate::lab::solve::write("semana-4", "stack.yml", &dir).unwrap();
        crate::certs::generate(&crate::certs::Request {
            dir: dir.join("certs"),
            ..Default::default()
        })
        .unwrap();
        std::fs::create_dir_all(dir.join("secrets")).unwrap();
        for f in ["mongo_user.txt", "mongo_password.txt"] {
            std::fs::write(dir.join("secrets").join(f), "x\n").unwrap();
        }
        let file = vec![dir.join("stack.yml").display().to_string()];
        let now = 1_000_000;
        let demo = Demo::for_lab(now, "semana-4");
        demo.with(|s| {
            assert_eq!(s.swarm, SwarmRole::None);
            assert!(s.nodes.is_empty() && s.workloads.is_empty());
            assert_eq!(
                s.deploy(&file, "semana4", false, now),
                Err(Error::NotManager)
            );
            s.swarm_init().unwrap();
            assert!(s.swarm_init().is_err(), "already a swarm");
            s.expect_workers(now);
            s.settle(now + 1);
            assert_eq!(s.nodes.len(), 1, "the workers join a few seconds later");
            s.settle(now + 10);
            assert_eq!(s.nodes.len(), 3);
            // Deployed before the nodes are labelled: nothing can be placed yet.
            s.deploy(&file, "semana4", false, now + 10).unwrap();
            assert_eq!(s.workloads.len(), 3);
            assert!(s.instances.iter().all(|i| {
                i.node_id.is_empty()
                    && i.error
                        .as_deref()
                        .is_some_and(|e| e.contains("scheduling constraints"))
            }));
            for (k, label) in ["database", "ingress", "api"].iter().enumerate() {
                s.nodes[k].labels.insert("app".into(), label.to_string());
            }
            s.advance(now + 12);
            s.advance(now + 20);
            s.recount();
            for w in &s.workloads {
                assert_eq!(w.running, w.desired, "{}", w.name);
                let label = w.name.trim_start_matches("semana4_");
                let want = match label {
                    "mongo" => "database",
                    other => other,
                };
                for i in s.instances.iter().filter(|i| i.workload_id == w.id) {
                    let n = s.nodes.iter().find(|n| n.id == i.node_id).unwrap();
                    assert_eq!(n.labels["app"], want, "{}", i.name);
                }
            }
            // The networks, secrets and configs are there, with the services using them.
            let nets = s.object_rows(crate::model::listing::ViewKind::Networks);
            let db = nets.iter().find(|r| r[0] == "semana4_database").unwrap();
            assert_eq!(db[3], "true");
            assert!(db[6].contains("semana4_mongo") && !db[6].contains("semana4_ingress"));
            // Deployed again unchanged: the preview says so.
            let o = s.diff(&file, "semana4", false).unwrap();
            assert!(o.detail.is_none(), "{:?}", o.detail);
            s.rm_stack("semana4", now + 30).unwrap();
            assert!(s.workloads.is_empty() && s.objects.networks.is_empty());
        })
        .unwrap();
    }
}
