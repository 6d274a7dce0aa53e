//! Actions on the demo cluster: they change the simulation the way the engine would change a real
//! swarm (new tasks pending, old ones shut down, an unknown image rejected and the update paused),
//! so a class can practise every step without a cluster. Nothing leaves the machine.

use super::Demo;
use super::sim::{Sim, instance};
use crate::backend::{Error, find_by_name};
use crate::model::action::{Action, Outcome};
use crate::model::inspect::{Inspected, Kind};
use crate::model::{Availability, Image, Instance, Role, UpdateStatus};
use crate::tr;
use std::time::Duration;
use tokio::sync::mpsc;

fn ok(summary: String) -> Result<Outcome, Error> {
    Ok(Outcome {
        summary,
        detail: None,
    })
}

impl Sim {
    fn workload_index(&self, name: &str) -> Result<usize, Error> {
        let w = find_by_name(self.workloads.clone(), name, "kind.service", |w| {
            (&w.name, &w.id)
        })?;
        Ok(self
            .workloads
            .iter()
            .position(|x| x.id == w.id)
            .unwrap_or(0))
    }

    fn node_index(&self, name: &str) -> Result<usize, Error> {
        let n = find_by_name(self.nodes.clone(), name, "kind.node", |n| {
            (&n.hostname, &n.id)
        })?;
        Ok(self.nodes.iter().position(|x| x.id == n.id).unwrap_or(0))
    }

    fn has_image(&self, image: &str) -> bool {
        self.images.iter().any(|i| {
            format!("{}:{}", i.repo, i.tag) == image || (i.tag == "latest" && i.repo == image)
        })
    }

    /// Nodes that may take new tasks, in turn.
    pub(super) fn schedulable(&self) -> Vec<usize> {
        (0..self.nodes.len())
            .filter(|&k| self.nodes[k].availability == Availability::Active)
            .collect()
    }

    pub(super) fn start_task(&mut self, w: usize, slot: u64, image: &str, now: i64) {
        let wl = &self.workloads[w];
        self.serial += 1;
        let probe = Instance {
            workload_id: wl.id.clone(),
            slot: Some(slot),
            ..Default::default()
        };
        let placed = if self.objects.specs.contains_key(&wl.name) {
            self.place(&probe)
        } else {
            // The seeded stack keeps its spread over the nodes.
            let nodes = self.schedulable();
            nodes.get(slot as usize % nodes.len().max(1)).copied()
        };
        let wl = &self.workloads[w];
        let mut t = match placed.filter(|&n| n < self.nodes.len()) {
            Some(n) => instance(
                &wl.id,
                &wl.name,
                slot,
                &self.nodes[n],
                "pending",
                now,
                image,
                self.serial,
            ),
            None => {
                // No node can take it: pending, with the engine's reason, until one can.
                let mut t = Instance {
                    id: format!("task{:021}", self.serial),
                    workload_id: wl.id.clone(),
                    name: format!("{}.{slot}", wl.name),
                    slot: Some(slot),
                    desired: "running".into(),
                    state: "pending".into(),
                    since: now,
                    image: image.to_string(),
                    ..Default::default()
                };
                t.error = Some(format!(
                    "no suitable node (scheduling constraints not satisfied on {} nodes)",
                    self.nodes.len()
                ));
                t
            }
        };
        if !self.has_image(image) {
            t.state = "rejected".into();
            t.desired = "shutdown".into();
            t.error = Some(format!("No such image: {image}"));
        }
        self.instances.push(t);
    }

    pub(super) fn stop_task(&mut self, k: usize, now: i64) {
        let t = &mut self.instances[k];
        t.desired = "shutdown".into();
        t.state = "shutdown".into();
        t.since = now;
    }

    pub(super) fn live_tasks(&self, wid: &str) -> Vec<usize> {
        (0..self.instances.len())
            .filter(|&k| self.instances[k].workload_id == wid && !self.instances[k].finished())
            .collect()
    }

    /// Replaces every task of a workload with one of `image`.
    pub(super) fn replace_tasks(&mut self, w: usize, image: &str, now: i64) -> bool {
        let wid = self.workloads[w].id.clone();
        let slots: Vec<u64> = self
            .live_tasks(&wid)
            .iter()
            .filter_map(|&k| self.instances[k].slot)
            .collect();
        for k in self.live_tasks(&wid) {
            self.stop_task(k, now);
        }
        for slot in slots {
            self.start_task(w, slot, image, now);
        }
        self.has_image(image)
    }
}

impl Demo {
    pub async fn act(
        &self,
        action: &Action,
        progress: &mpsc::Sender<crate::model::action::Progress>,
    ) -> Result<Outcome, Error> {
        let before = self.with(|s| super::history::Before::take(s));
        let outcome = match action {
            Action::Push(image) => self.push(image, progress).await,
            Action::Build(spec) => self.build(spec, progress).await,
            Action::Compose(spec) => self.compose(spec, progress).await,
            _ => {
                let now = crate::time::now();
                let outcome = self
                    .with(|s| apply(s, action, now))
                    .unwrap_or_else(|| Err(Error::engine("demo")));
                self.with(Sim::recount);
                outcome
            }
        };
        let now = crate::time::now();
        if outcome.is_ok()
            && let Some(before) = before
        {
            self.with(|s| {
                before.since(s, now);
                if let Action::Push(image) = action {
                    super::sim::push(s, super::sim::event(now, "image", "push", image, ""));
                }
            });
        }
        outcome
    }

    async fn push(
        &self,
        image: &str,
        progress: &mpsc::Sender<crate::model::action::Progress>,
    ) -> Result<Outcome, Error> {
        if !self.with(|s| s.has_image(image)).unwrap_or(false) {
            return Err(Error::NotFound {
                kind: "kind.local_image",
                name: image.into(),
                suggestion: None,
            });
        }
        let layers = 3;
        for done in 0..=layers {
            let bar = crate::model::action::bar(done, layers, 20);
            let _ = progress
                .send(crate::model::action::Progress::Step(tr!(
                    "progress.push",
                    image = image,
                    bar = bar,
                    done = done,
                    total = layers,
                    bytes = ""
                )))
                .await;
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        self.with(|s| s.pushed.insert(image.to_string()));
        ok(tr!("done.push_demo", image = image))
    }

    /// Whether an image was pushed to the demo's registry.
    pub fn in_registry(&self, image: &str) -> Result<(), Error> {
        if self.with(|s| s.pushed.contains(image)).unwrap_or(false) {
            Ok(())
        } else {
            Err(Error::Refused(tr!(
                "err.not_in_registry",
                image = image,
                registry = crate::backend::auth::registry_of(image)
            )))
        }
    }
}

fn apply(s: &mut Sim, action: &Action, now: i64) -> Result<Outcome, Error> {
    match action {
        Action::Scale(pairs) => scale(s, pairs, now),
        Action::Image { service, image, .. } => set_image(s, service, image, now),
        Action::Rollback(service) => rollback(s, service, now),
        Action::Restart(service) => restart(s, service, now),
        Action::Tag { source, target } => tag(s, source, target),
        Action::Rmi(image) => rmi(s, image),
        Action::Label { node, labels } => label(s, node, labels),
        Action::Unlabel { node, keys } => unlabel(s, node, keys),
        Action::Availability { node, to } => availability(s, node, to, now),
        Action::Role { node, to } => role(s, node, to),
        Action::SwarmInit { .. } => s.swarm_init(),
        Action::JoinToken(role) => join_token(s, role, now),
        Action::SwarmLeave { .. } => Err(Error::Refused(tr!("err.demo_leave"))),
        Action::Push(_) | Action::Build(_) => Err(Error::engine("demo")),
        // The demo has no plain containers yet: compose runs on an engine only.
        Action::Compose(_) | Action::Container { .. } | Action::Prune { .. } => {
            Err(Error::Refused(tr!("compose.demo")))
        }
        Action::Deploy {
            files,
            stack,
            prune,
            ..
        } => s.deploy(files, stack, *prune, now),
        Action::Diff {
            files,
            stack,
            prune,
            ..
        } => s.diff(files, stack, *prune),
        Action::RmStack(stack) => s.rm_stack(stack, now),
        Action::Context(_)
        | Action::Namespace(_)
        | Action::Apply { .. }
        | Action::KubeEdit { .. }
        | Action::KubeSecret { .. }
        | Action::Trigger { .. }
        | Action::Tree(_)
        | Action::Delete { .. }
        | Action::KubeList(_)
        | Action::SecretShow(_) => Err(Error::Refused(tr!(
            "err.kube_only",
            command = action.kubectl()
        ))),
        Action::NetworkCreate { .. } | Action::Remove { .. } => {
            Err(Error::Refused(tr!("err.demo_objects")))
        }
        Action::Inspect {
            kind,
            name,
            show_secrets,
        } => inspect(s, *kind, name, *show_secrets).map(crate::backend::inspected),
        Action::CreateObject { kind, name, file } => {
            crate::backend::files::read_object_file(file)?;
            Ok(Outcome {
                summary: tr!("done.create_object_demo", kind = kind.word(), name = name),
                detail: None,
            })
        }
    }
}

/// Scales services (a global one refuses).
fn scale(s: &mut Sim, pairs: &[(String, u64)], now: i64) -> Result<Outcome, Error> {
    let idx: Vec<usize> = pairs
        .iter()
        .map(|(n, _)| s.workload_index(n))
        .collect::<Result<_, _>>()?;
    for ((name, n), w) in pairs.iter().zip(idx) {
        if s.workloads[w].mode == crate::model::Mode::Global {
            return Err(Error::Refused(tr!("err.scale_global", name = name)));
        }
        s.scale_to(w, *n, now);
    }
    let t: Vec<String> = pairs.iter().map(|(n, c)| format!("{n}={c}")).collect();
    ok(tr!("done.scale", targets = t.join(" ")))
}

/// Rolls a service out to another image; a missing image pauses the update, as swarm does.
fn set_image(s: &mut Sim, service: &str, image: &str, now: i64) -> Result<Outcome, Error> {
    let w = s.workload_index(service)?;
    let old = std::mem::replace(&mut s.workloads[w].image, image.to_string());
    s.previous.insert(s.workloads[w].id.clone(), old);
    let name = s.workloads[w].name.clone();
    s.sync_spec(w);
    if s.replace_tasks(w, image, now) {
        s.workloads[w].update = Some(UpdateStatus {
            state: "completed".into(),
            message: "update completed".into(),
        });
        ok(tr!("done.rollout", name = name, image = image))
    } else {
        let message = format!(
            "update paused due to failure or early termination of task: No such image: {image}"
        );
        s.workloads[w].update = Some(UpdateStatus {
            state: "paused".into(),
            message: message.clone(),
        });
        Err(Error::Refused(tr!(
            "err.update_paused",
            name = name,
            message = message
        )))
    }
}

/// Back to the image before the last change.
fn rollback(s: &mut Sim, service: &str, now: i64) -> Result<Outcome, Error> {
    let w = s.workload_index(service)?;
    let id = s.workloads[w].id.clone();
    let Some(prev) = s.previous.remove(&id) else {
        return Err(Error::Refused(tr!("err.no_previous", name = service)));
    };
    s.workloads[w].image = prev.clone();
    s.sync_spec(w);
    s.replace_tasks(w, &prev, now);
    s.workloads[w].update = Some(UpdateStatus {
        state: "rollback_completed".into(),
        message: "rollback completed".into(),
    });
    ok(tr!(
        "done.rolled_back",
        name = s.workloads[w].name.clone(),
        image = prev
    ))
}

/// New tasks with the same image.
fn restart(s: &mut Sim, service: &str, now: i64) -> Result<Outcome, Error> {
    let w = s.workload_index(service)?;
    let image = s.workloads[w].image.clone();
    s.replace_tasks(w, &image, now);
    ok(tr!(
        "done.restarted",
        name = s.workloads[w].name.clone(),
        image = image
    ))
}

/// A new tag of a local image.
fn tag(s: &mut Sim, source: &str, target: &str) -> Result<Outcome, Error> {
    let Some(src) = s
        .images
        .iter()
        .find(|i| {
            format!("{}:{}", i.repo, i.tag) == *source || (i.repo == *source && i.tag == "latest")
        })
        .cloned()
    else {
        return Err(Error::NotFound {
            kind: "kind.image",
            name: source.to_string(),
            suggestion: None,
        });
    };
    let (repo, tag) = crate::model::reference::split_tag(target);
    s.images.retain(|i| !(i.repo == repo && i.tag == tag));
    s.images.push(Image { repo, tag, ..src });
    s.images
        .sort_by(|a, b| (&a.repo, &a.tag).cmp(&(&b.repo, &b.tag)));
    ok(tr!("done.tag", source = source, target = target))
}

/// Removes a tag, refused while a running task uses it.
fn rmi(s: &mut Sim, image: &str) -> Result<Outcome, Error> {
    let Some(pos) = s
        .images
        .iter()
        .position(|i| format!("{}:{}", i.repo, i.tag) == *image)
    else {
        return Err(Error::NotFound {
            kind: "kind.image",
            name: image.to_string(),
            suggestion: None,
        });
    };
    if s.instances
        .iter()
        .any(|t| !t.finished() && t.image == *image)
    {
        return Err(Error::engine(format!(
            "conflict: unable to remove repository reference \"{image}\" (must force) - container is using its referenced image"
        )));
    }
    s.images.remove(pos);
    ok(tr!("done.rmi", image = image))
}

/// Adds or changes a node's labels.
fn label(s: &mut Sim, node: &str, labels: &[(String, String)]) -> Result<Outcome, Error> {
    let n = s.node_index(node)?;
    for (k, v) in labels {
        s.nodes[n].labels.insert(k.clone(), v.clone());
    }
    let shown: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    ok(tr!("done.label", node = node, labels = shown.join(" ")))
}

/// Removes a node's labels; a key it does not have is an error.
fn unlabel(s: &mut Sim, node: &str, keys: &[String]) -> Result<Outcome, Error> {
    let n = s.node_index(node)?;
    if let Some(k) = keys.iter().find(|k| !s.nodes[n].labels.contains_key(*k)) {
        return Err(Error::NotFound {
            kind: "kind.label",
            name: k.clone(),
            suggestion: None,
        });
    }
    for k in keys {
        s.nodes[n].labels.remove(k);
    }
    ok(tr!("done.unlabel", node = node, keys = keys.join(" ")))
}

/// Drain moves the node's tasks elsewhere.
fn availability(s: &mut Sim, node: &str, to: &Availability, now: i64) -> Result<Outcome, Error> {
    let n = s.node_index(node)?;
    s.nodes[n].availability = *to;
    if *to == Availability::Drain {
        let nid = s.nodes[n].id.clone();
        let moved: Vec<usize> = (0..s.instances.len())
            .filter(|&k| s.instances[k].node_id == nid && !s.instances[k].finished())
            .collect();
        for k in moved {
            let (wid, slot, image) = (
                s.instances[k].workload_id.clone(),
                s.instances[k].slot.unwrap_or(1),
                s.instances[k].image.clone(),
            );
            s.stop_task(k, now);
            if let Some(w) = s.workloads.iter().position(|w| w.id == wid) {
                s.start_task(w, slot, &image, now);
            }
        }
    }
    ok(tr!(
        "done.availability",
        node = node,
        to = format!("{to:?}").to_lowercase()
    ))
}

/// Promote or demote; the last manager stays.
fn role(s: &mut Sim, node: &str, to: &Role) -> Result<Outcome, Error> {
    let n = s.node_index(node)?;
    if *to == Role::Worker
        && s.nodes.iter().filter(|x| x.role == Role::Manager).count() == 1
        && s.nodes[n].role == Role::Manager
    {
        return Err(Error::engine(
            "rpc error: code = FailedPrecondition desc = attempting to demote the last manager of the swarm",
        ));
    }
    s.nodes[n].role = *to;
    ok(tr!(
        "done.role",
        node = node,
        to = format!("{to:?}").to_lowercase()
    ))
}

/// The join command; a worker token brings the demo's workers.
fn join_token(s: &mut Sim, role: &Role, now: i64) -> Result<Outcome, Error> {
    if *role == Role::Worker {
        s.expect_workers(now);
    }
    Ok(Outcome {
        summary: tr!("done.join_token", role = format!("{role:?}").to_lowercase()),
        detail: Some(crate::model::action::Detail::Command(format!(
            "docker swarm join --token SWMTKN-1-demo{}token 10.10.0.2:2377",
            if *role == Role::Manager {
                "manager"
            } else {
                "worker"
            }
        ))),
    })
}

/// The demo's own model of an object (it has no engine JSON): services, tasks, nodes, images.
fn inspect(
    s: &Sim,
    kind: Option<Kind>,
    name: &str,
    show_secrets: bool,
) -> Result<Inspected, Error> {
    use crate::backend::find_by_name;
    let wanted = |k: Kind| kind.is_none_or(|w| w == k);
    let mut found: Option<(Kind, String, serde_json::Value)> = None;
    if wanted(Kind::Service)
        && let Ok(w) = find_by_name(s.workloads.clone(), name, "kind.service", |w| {
            (&w.name, &w.id)
        })
    {
        found = Some((
            Kind::Service,
            w.name.clone(),
            serde_json::to_value(&w).unwrap_or_default(),
        ));
    }
    if found.is_none()
        && wanted(Kind::Task)
        && let Ok(i) = find_by_name(s.instances.clone(), name, "kind.task", |i| (&i.name, &i.id))
    {
        found = Some((
            Kind::Task,
            i.name.clone(),
            serde_json::to_value(&i).unwrap_or_default(),
        ));
    }
    if found.is_none()
        && wanted(Kind::Node)
        && let Ok(n) = find_by_name(s.nodes.clone(), name, "kind.node", |n| (&n.hostname, &n.id))
    {
        found = Some((
            Kind::Node,
            n.hostname.clone(),
            serde_json::to_value(&n).unwrap_or_default(),
        ));
    }
    if found.is_none()
        && wanted(Kind::Image)
        && let Some(i) = s
            .images
            .iter()
            .find(|i| format!("{}:{}", i.repo, i.tag) == name || i.id.starts_with(name))
    {
        found = Some((
            Kind::Image,
            format!("{}:{}", i.repo, i.tag),
            serde_json::to_value(i).unwrap_or_default(),
        ));
    }
    let Some((kind, name, mut object)) = found else {
        return Err(Error::NotFound {
            kind: kind.map(Kind::catalog_key).unwrap_or("kind.object"),
            name: name.to_string(),
            suggestion: None,
        });
    };
    let mut changes = vec![];
    if kind == Kind::Service
        && let (Some(prev), Some(now)) = (s.previous.get(&name), object["image"].as_str())
    {
        changes.push(format!("image: {prev} → {now}"));
    }
    crate::model::inspect::readable(&mut object);
    if !show_secrets {
        crate::model::inspect::mask(&mut object);
    }
    Ok(Inspected {
        kind,
        name,
        object,
        changes,
        status: None,
        sections: vec![],
        links: vec![],
    })
}
