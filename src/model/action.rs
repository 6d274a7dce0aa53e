//! What an operator asks the cluster to do, backend-neutral. The grammar makes these; a backend
//! carries them out and reports an [`Outcome`] with the equivalent `docker` command, so students
//! learn the CLI from what they do in the console.

use super::inspect::Kind;
use super::{Availability, Role};
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Action {
    /// `docker service scale a=1 b=2`
    Scale(Vec<(String, u64)>),
    /// `docker service update --image IMAGE SERVICE`
    Image {
        service: String,
        image: String,
        resolve: bool,
    },
    Rollback(String),
    /// `docker service update --force`
    Restart(String),
    Tag {
        source: String,
        target: String,
    },
    Push(String),
    Rmi(String),
    Label {
        node: String,
        labels: Vec<(String, String)>,
    },
    Unlabel {
        node: String,
        keys: Vec<String>,
    },
    Availability {
        node: String,
        to: Availability,
    },
    Role {
        node: String,
        to: Role,
    },
    SwarmInit {
        advertise_addr: Option<String>,
    },
    /// Shows the join command; changes nothing.
    JoinToken(Role),
    SwarmLeave {
        force: bool,
    },
    /// `docker stack deploy -c FILE ... STACK`
    Deploy {
        files: Vec<String>,
        stack: String,
        prune: bool,
        /// Return without waiting for the services to converge.
        detach: bool,
        /// Pin images to their registry digest (`--resolve-image`).
        resolve: ResolveImage,
        /// How long to wait for the stack to converge, in seconds (`--timeout`).
        timeout: u64,
    },
    /// `docker stack rm STACK`: services, secrets, configs, networks (not volumes).
    RmStack(String),
    /// `docker secret create NAME FILE` (or `docker config create`): the file read by estiba.
    CreateObject {
        /// `Kind::Secret` or `Kind::Config`.
        kind: Kind,
        name: String,
        file: String,
    },
    /// Kubernetes: `kubectl create secret generic NAME --from-literal k=v --from-file F`.
    KubeSecret {
        name: String,
        literals: Vec<(String, String)>,
        files: Vec<String>,
    },
    /// Kubernetes: a workload's tree (ReplicaSets, pods, containers and their state).
    Tree(String),
    /// Kubernetes: run a CronJob's job now (`kubectl create job --from=cronjob/NAME JOB`).
    Trigger {
        cronjob: String,
        job: String,
    },
    /// Kubernetes: delete an object of any kind the server serves (`deploy`, `crd`, `widgets`),
    /// `NAME` in the current namespace or `NAMESPACE/NAME`.
    Delete {
        kind: String,
        name: String,
    },
    /// Kubernetes: server-side apply of a manifests file or a lab preset's manifests; `force`
    /// takes fields another field manager owns (`--force-conflicts`).
    Apply {
        source: String,
        force: bool,
        /// Only what would change, from the server's dry run (`--dry-run`): the console's
        /// preview before it applies.
        dry_run: bool,
    },
    /// Kubernetes: an object edited (`edit KIND/NAME`), its YAML put back whole; with
    /// `dry_run`, only what would change.
    KubeEdit {
        target: String,
        yaml: String,
        dry_run: bool,
    },
    /// Kubernetes: a table of the namespace's Services or Secrets (names and types only).
    KubeList(super::kube::KubeKind),
    /// Kubernetes: a secret's values, decoded: only when asked for by name.
    SecretShow(String),
    /// Kubernetes: look at another context of the kubeconfig.
    Context(String),
    /// Kubernetes: look at one namespace (`None`: all of them).
    Namespace(Option<String>),
    /// `docker network create --driver D [--attachable] [--internal] NAME`
    NetworkCreate {
        name: String,
        driver: String,
        attachable: bool,
        internal: bool,
    },
    /// `docker network rm` / `volume rm` / `secret rm` / `config rm`: refused while a service
    /// uses it. On Kubernetes, `kubectl delete` of a Secret, ConfigMap, Service or Namespace.
    Remove {
        kind: Kind,
        name: String,
    },
    /// Look at one object (of `kind`, or whatever answers to `name`): the object as the engine
    /// or API server returned it, secret-looking values masked unless `show_secrets`.
    Inspect {
        kind: Option<super::inspect::Kind>,
        name: String,
        show_secrets: bool,
    },
    /// `docker build -t NAME ... PATH`: an image from a Dockerfile, through the engine's builder.
    Build(BuildSpec),
    /// `docker compose VERB ...` on a plain engine.
    Compose(super::compose::ComposeSpec),
    /// `docker container start|stop|restart|kill|rm NAME` (`rm` of a running one forces it).
    Container {
        verb: super::compose::ContainerVerb,
        name: String,
    },
    /// What `docker system prune --volumes` would remove (stopped containers, dangling images,
    /// unused networks and volumes) and the space it frees; `apply` removes exactly that.
    Prune {
        apply: bool,
    },
    /// What a deploy would change; changes nothing.
    Diff {
        files: Vec<String>,
        stack: String,
        prune: bool,
        resolve: ResolveImage,
    },
}

/// What `docker build` is asked: the context folder, the Dockerfile, the tags and the flags.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct BuildSpec {
    /// The context folder, as given (`.` by default).
    pub context: String,
    /// `-f`: the Dockerfile (default `CONTEXT/Dockerfile`).
    pub dockerfile: Option<String>,
    /// `-t`: each name the image gets.
    pub tags: Vec<String>,
    /// `--target`: the stage to stop at.
    pub target: Option<String>,
    pub build_args: Vec<(String, String)>,
    pub labels: Vec<(String, String)>,
    pub no_cache: bool,
    pub pull: bool,
}

/// `docker stack deploy --resolve-image`: when to ask the registry for an image's digest and
/// pin the service to it (`repo:tag@sha256:…`), so that every node runs the same image and a
/// tag pushed again is rolled out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ResolveImage {
    /// Every deploy (the docker CLI's default).
    #[default]
    Always,
    /// Only for new services and services whose image changed in the file.
    Changed,
    /// Never: the tag as written.
    Never,
}

impl ResolveImage {
    pub fn parse(s: &str) -> Option<ResolveImage> {
        match s {
            "always" => Some(ResolveImage::Always),
            "changed" => Some(ResolveImage::Changed),
            "never" => Some(ResolveImage::Never),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ResolveImage::Always => "always",
            ResolveImage::Changed => "changed",
            ResolveImage::Never => "never",
        }
    }
}

/// How long a deploy waits for its stack to converge unless `--timeout` says otherwise.
pub const DEPLOY_TIMEOUT_SECS: u64 = 180;

/// What a running action says. The console shows it under the prompt; the command line prints
/// steps as lines and redraws a live block in place on a terminal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Progress {
    /// One step, a line of its own (`creating service gopenux_web`).
    Step(String),
    /// Several lines that replace the previous block (a bar per layer, a stack converging);
    /// `minor` when only figures moved, not stages.
    Live { text: String, minor: bool },
}

impl Progress {
    pub fn text(&self) -> &str {
        match self {
            Progress::Step(t) | Progress::Live { text: t, .. } => t,
        }
    }
}

/// `[█████░░░░░]` for `done` out of `total`.
pub fn bar(done: u64, total: u64, width: usize) -> String {
    let filled = (done.min(total) * width as u64)
        .checked_div(total)
        .unwrap_or(0) as usize;
    format!("[{}{}]", "█".repeat(filled), "░".repeat(width - filled))
}

/// What came of an action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// One line for the toast and the activity log.
    pub summary: String,
    /// More to show: text, a table, or a command to copy (the full join command).
    pub detail: Option<Detail>,
}

/// The part of an outcome that does not fit in one line, typed so that the command line and
/// the console each show it their way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Detail {
    Text(String),
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// A command line to run elsewhere, shown whole so it can be copied.
    Command(String),
    /// One object, for the inspect window (or YAML / JSON on the command line).
    Inspect(Box<super::inspect::Inspected>),
}

impl Detail {
    /// As plain text: tables in columns, like the docker CLI's.
    pub fn to_text(&self) -> String {
        match self {
            Detail::Text(t) | Detail::Command(t) => t.clone(),
            Detail::Table { header, rows } => table(header, rows),
            Detail::Inspect(i) => i.to_yaml(["status", "the last update changed"]),
        }
    }
}

/// Formats rows as columns separated by three spaces, like the docker CLI.
pub fn table(header: &[String], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(c.width());
            }
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            s.push_str(c);
            if i + 1 < cells.len() {
                s.push_str(&" ".repeat(widths[i] - c.width() + 3));
            }
        }
        s.trim_end().to_string()
    };
    let mut out = line(header);
    out.push('\n');
    for r in rows {
        out.push_str(&line(r));
        out.push('\n');
    }
    out
}

impl Action {
    /// What the console shows before it does this, asking y/N: a deploy's change preview, an
    /// apply's or an edit's server-side dry run.
    pub fn preview(&self) -> Option<Action> {
        match self {
            Action::Deploy {
                files,
                stack,
                prune,
                resolve,
                ..
            } => Some(Action::Diff {
                files: files.clone(),
                stack: stack.clone(),
                prune: *prune,
                resolve: *resolve,
            }),
            Action::Apply {
                source,
                force,
                dry_run: false,
            } => Some(Action::Apply {
                source: source.clone(),
                force: *force,
                dry_run: true,
            }),
            Action::KubeEdit {
                target,
                yaml,
                dry_run: false,
            } => Some(Action::KubeEdit {
                target: target.clone(),
                yaml: yaml.clone(),
                dry_run: true,
            }),
            _ => None,
        }
    }

    /// Whether it changes the cluster (and so is refused in read-only mode).
    pub fn mutates(&self) -> bool {
        !matches!(
            self,
            Action::JoinToken(_)
                | Action::Diff { .. }
                | Action::Apply { dry_run: true, .. }
                | Action::Tree(_)
                | Action::KubeEdit { dry_run: true, .. }
                | Action::Context(_)
                | Action::Namespace(_)
                | Action::KubeList(_)
                | Action::SecretShow(_)
                | Action::Inspect { .. }
                | Action::Compose(super::compose::ComposeSpec {
                    verb: super::compose::Verb::Ps | super::compose::Verb::Logs,
                    ..
                })
                | Action::Prune { apply: false }
        )
    }

    /// Catalog key of the question asked before a disruptive action, if it is one.
    pub fn confirmation(&self) -> Option<&'static str> {
        match self {
            Action::SwarmLeave { .. } => Some("confirm.leave"),
            Action::Role {
                to: Role::Worker, ..
            } => Some("confirm.demote"),
            Action::Availability {
                to: Availability::Drain,
                ..
            } => Some("confirm.drain"),
            Action::Rmi(_) => Some("confirm.rmi"),
            Action::RmStack(_) => Some("confirm.rm_stack"),
            Action::Compose(c) if c.verb == super::compose::Verb::Down && c.volumes => {
                Some("confirm.compose_down_volumes")
            }
            Action::Delete { .. } | Action::Remove { .. } => Some("confirm.delete"),
            Action::Container {
                verb: super::compose::ContainerVerb::Rm,
                ..
            } => Some("confirm.container_rm"),
            Action::Container {
                verb: super::compose::ContainerVerb::Kill,
                ..
            } => Some("confirm.container_kill"),
            Action::Prune { apply: true } => Some("confirm.prune"),
            Action::Deploy { .. } => Some("confirm.deploy"),
            Action::Scale(pairs) if pairs.iter().any(|(_, n)| *n == 0) => {
                Some("confirm.scale_zero")
            }
            _ => None,
        }
    }

    /// The object it acts on, when it is one (a service, a node, an image, a secret...): an
    /// engine error is then said to be about it.
    pub fn object(&self) -> Option<(Kind, String)> {
        Some(match self {
            Action::Scale(pairs) if pairs.len() == 1 => (Kind::Service, pairs[0].0.clone()),
            Action::Image { service, .. }
            | Action::Rollback(service)
            | Action::Restart(service) => (Kind::Service, service.clone()),
            Action::Tag { source: i, .. } | Action::Push(i) | Action::Rmi(i) => {
                (Kind::Image, i.clone())
            }
            Action::Label { node, .. }
            | Action::Unlabel { node, .. }
            | Action::Availability { node, .. }
            | Action::Role { node, .. } => (Kind::Node, node.clone()),
            Action::CreateObject { kind, name, .. } | Action::Remove { kind, name } => {
                (*kind, name.clone())
            }
            Action::NetworkCreate { name, .. } => (Kind::Network, name.clone()),
            Action::Inspect {
                kind: Some(kind),
                name,
                ..
            } => (*kind, name.clone()),
            Action::SecretShow(name) => (Kind::Secret, name.clone()),
            Action::Build(b) => (Kind::Image, b.tags.first()?.clone()),
            _ => return None,
        })
    }

    /// The name of what it acts on, for messages.
    pub fn subject(&self) -> String {
        match self {
            Action::Scale(pairs) => pairs
                .iter()
                .map(|(s, _)| s.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            Action::Image { service, .. }
            | Action::Rollback(service)
            | Action::Restart(service) => service.clone(),
            Action::Tag { source, .. } => source.clone(),
            Action::Push(i) | Action::Rmi(i) => i.clone(),
            Action::CreateObject { name, .. }
            | Action::KubeSecret { name, .. }
            | Action::Trigger { cronjob: name, .. }
            | Action::Tree(name)
            | Action::Context(name)
            | Action::Apply { source: name, .. }
            | Action::KubeEdit { target: name, .. }
            | Action::SecretShow(name)
            | Action::Inspect { name, .. }
            | Action::NetworkCreate { name, .. }
            | Action::Remove { name, .. } => name.clone(),
            Action::Delete { kind, name } => format!("{kind}/{name}"),
            Action::Build(b) => b.tags.first().unwrap_or(&b.context).clone(),
            Action::Compose(c) => c.project.clone().unwrap_or_else(|| c.verb.word().into()),
            Action::Container { name, .. } => name.clone(),
            Action::Prune { .. } => "prune".into(),
            Action::KubeList(kind) => kind.plural(),
            Action::Namespace(ns) => ns.clone().unwrap_or_else(|| "all".into()),
            Action::Label { node, .. }
            | Action::Unlabel { node, .. }
            | Action::Availability { node, .. }
            | Action::Role { node, .. } => node.clone(),
            Action::SwarmInit { .. } | Action::JoinToken(_) | Action::SwarmLeave { .. } => {
                "swarm".into()
            }
            Action::Deploy { stack, .. } | Action::Diff { stack, .. } | Action::RmStack(stack) => {
                stack.clone()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disruptive_actions_ask_first() {
        assert!(
            Action::Scale(vec![("a".into(), 0)])
                .confirmation()
                .is_some()
        );
        assert!(
            Action::Scale(vec![("a".into(), 2)])
                .confirmation()
                .is_none()
        );
        assert!(
            Action::Availability {
                node: "n".into(),
                to: Availability::Drain
            }
            .confirmation()
            .is_some()
        );
        assert!(Action::Rmi("x".into()).confirmation().is_some());
        assert!(!Action::JoinToken(Role::Worker).mutates());
    }
}
