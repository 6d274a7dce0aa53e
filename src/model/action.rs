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
        secret: bool,
        name: String,
        file: String,
    },
    /// Kubernetes: `kubectl create secret generic NAME --from-literal k=v --from-file F`.
    KubeSecret {
        name: String,
        literals: Vec<(String, String)>,
        files: Vec<String>,
    },
    /// Kubernetes: delete an object, `KIND/NAME` in the current namespace.
    Delete {
        kind: String,
        name: String,
    },
    /// Kubernetes: server-side apply of a manifests file or a lab preset's manifests; `force`
    /// takes fields another field manager owns (`--force-conflicts`).
    Apply {
        source: String,
        force: bool,
    },
    /// Kubernetes: a table of the namespace's `services` or `secrets` (names and types only).
    KubeList(String),
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
    /// What a deploy would change; changes nothing.
    Diff {
        files: Vec<String>,
        stack: String,
        prune: bool,
        resolve: ResolveImage,
    },
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
    /// The equivalent command line: kubectl's on Kubernetes, docker's elsewhere.
    pub fn cli(&self, kube: bool) -> String {
        if kube {
            self.kubectl()
        } else {
            self.docker_cli()
        }
    }

    /// The kubectl command that does the same on Kubernetes.
    pub fn kubectl(&self) -> String {
        match self {
            Action::Scale(pairs) => pairs
                .iter()
                .map(|(s, n)| format!("kubectl scale deployment/{s} --replicas={n}"))
                .collect::<Vec<_>>()
                .join(" && "),
            Action::Image { service, image, .. } => match image.split_once('=') {
                Some((c, i)) => format!("kubectl set image deployment/{service} {c}={i}"),
                None => format!("kubectl set image deployment/{service} *={image}"),
            },
            Action::Rollback(s) => format!("kubectl rollout undo deployment/{s}"),
            Action::Restart(s) => format!("kubectl rollout restart deployment/{s}"),
            Action::Label { node, labels } => {
                let l: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("kubectl label node {node} {} --overwrite", l.join(" "))
            }
            Action::Unlabel { node, keys } => {
                let l: Vec<String> = keys.iter().map(|k| format!("{k}-")).collect();
                format!("kubectl label node {node} {}", l.join(" "))
            }
            Action::Availability {
                node,
                to: Availability::Pause,
            } => format!("kubectl cordon {node}"),
            Action::Availability {
                node,
                to: Availability::Active,
            } => format!("kubectl uncordon {node}"),
            Action::Availability {
                node,
                to: Availability::Drain,
            } => format!("kubectl drain {node} --ignore-daemonsets"),
            Action::CreateObject {
                secret: true,
                name,
                file,
            } => {
                format!("kubectl create secret generic {name} --from-file={file}")
            }
            Action::CreateObject {
                secret: false,
                name,
                file,
            } => {
                format!("kubectl create configmap {name} --from-file={file}")
            }
            Action::KubeSecret {
                name,
                literals,
                files,
            } => {
                let mut s = format!("kubectl create secret generic {name}");
                for (k, _) in literals {
                    // The value is not repeated in logs and history.
                    s.push_str(&format!(" --from-literal={k}=…"));
                }
                for f in files {
                    s.push_str(&format!(" --from-file={f}"));
                }
                s
            }
            Action::Delete { kind, name } => format!("kubectl delete {kind}/{name}"),
            Action::KubeList(what) => format!("kubectl get {what}"),
            Action::SecretShow(name) => {
                format!("kubectl get secret {name} -o jsonpath='{{.data}}'")
            }
            Action::Context(c) => format!("kubectl config use-context {c}"),
            Action::Apply { source, force } => format!(
                "kubectl apply --server-side --field-manager=estiba{} -f {source}",
                if *force { " --force-conflicts" } else { "" }
            ),
            Action::Namespace(Some(n)) => {
                format!("kubectl config set-context --current --namespace={n}")
            }
            Action::Namespace(None) => "kubectl get pods --all-namespaces".into(),
            Action::Inspect { kind, name, .. } => {
                let k = kind.map(|k| k.word()).unwrap_or("all");
                format!("kubectl get {k} {name} -o yaml")
            }
            Action::Remove { kind, name } => {
                let k = match kind {
                    Kind::Config => "configmap",
                    k => k.word(),
                };
                format!("kubectl delete {k}/{name}")
            }
            other => other.docker_cli(),
        }
    }

    /// Whether it changes the cluster (and so is refused in read-only mode).
    pub fn mutates(&self) -> bool {
        !matches!(
            self,
            Action::JoinToken(_)
                | Action::Diff { .. }
                | Action::Context(_)
                | Action::Namespace(_)
                | Action::KubeList(_)
                | Action::SecretShow(_)
                | Action::Inspect { .. }
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
            Action::Delete { .. } | Action::Remove { .. } => Some("confirm.delete"),
            Action::Deploy { .. } => Some("confirm.deploy"),
            Action::Scale(pairs) if pairs.iter().any(|(_, n)| *n == 0) => {
                Some("confirm.scale_zero")
            }
            _ => None,
        }
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
            | Action::Context(name)
            | Action::Apply { source: name, .. }
            | Action::KubeList(name)
            | Action::SecretShow(name)
            | Action::Inspect { name, .. }
            | Action::NetworkCreate { name, .. }
            | Action::Remove { name, .. } => name.clone(),
            Action::Delete { kind, name } => format!("{kind}/{name}"),
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

    /// The docker CLI command that does the same.
    pub fn docker_cli(&self) -> String {
        let avail = |a: &Availability| match a {
            Availability::Active => "active",
            Availability::Pause => "pause",
            Availability::Drain => "drain",
        };
        match self {
            Action::Scale(pairs) => {
                let p: Vec<String> = pairs.iter().map(|(s, n)| format!("{s}={n}")).collect();
                format!("docker service scale {}", p.join(" "))
            }
            Action::Image {
                service,
                image,
                resolve,
            } => {
                let nr = if *resolve { "" } else { " --no-resolve-image" };
                format!("docker service update --image {image}{nr} {service}")
            }
            Action::Rollback(s) => format!("docker service rollback {s}"),
            Action::Restart(s) => format!("docker service update --force {s}"),
            Action::Tag { source, target } => format!("docker tag {source} {target}"),
            Action::Push(i) => format!("docker push {i}"),
            Action::Rmi(i) => format!("docker rmi {i}"),
            Action::Label { node, labels } => {
                let l: Vec<String> = labels
                    .iter()
                    .map(|(k, v)| format!("--label-add {k}={v}"))
                    .collect();
                format!("docker node update {} {node}", l.join(" "))
            }
            Action::Unlabel { node, keys } => {
                let l: Vec<String> = keys.iter().map(|k| format!("--label-rm {k}")).collect();
                format!("docker node update {} {node}", l.join(" "))
            }
            Action::Availability { node, to } => {
                format!("docker node update --availability {} {node}", avail(to))
            }
            Action::Role {
                node,
                to: Role::Manager,
            } => format!("docker node promote {node}"),
            Action::Role {
                node,
                to: Role::Worker,
            } => format!("docker node demote {node}"),
            Action::SwarmInit {
                advertise_addr: Some(a),
            } => format!("docker swarm init --advertise-addr {a}"),
            Action::SwarmInit {
                advertise_addr: None,
            } => "docker swarm init".into(),
            Action::JoinToken(Role::Manager) => "docker swarm join-token manager".into(),
            Action::JoinToken(Role::Worker) => "docker swarm join-token worker".into(),
            Action::SwarmLeave { force: true } => "docker swarm leave --force".into(),
            Action::SwarmLeave { force: false } => "docker swarm leave".into(),
            Action::RmStack(stack) => format!("docker stack rm {stack}"),
            Action::NetworkCreate {
                name,
                driver,
                attachable,
                internal,
            } => format!(
                "docker network create --driver {driver}{}{} {name}",
                if *attachable { " --attachable" } else { "" },
                if *internal { " --internal" } else { "" }
            ),
            Action::Remove { kind, name } => format!("docker {} rm {name}", kind.word()),
            Action::Inspect { kind, name, .. } => match kind {
                Some(
                    k @ (Kind::Service
                    | Kind::Node
                    | Kind::Network
                    | Kind::Volume
                    | Kind::Secret
                    | Kind::Config),
                ) => {
                    format!("docker {} inspect {name}", k.word())
                }
                Some(Kind::Image) => format!("docker image inspect {name}"),
                _ => format!("docker inspect {name}"),
            },
            Action::Context(_)
            | Action::Namespace(_)
            | Action::Apply { .. }
            | Action::KubeSecret { .. }
            | Action::KubeList(_)
            | Action::SecretShow(_)
            | Action::Delete { .. } => self.kubectl(),
            Action::CreateObject { secret, name, file } => format!(
                "docker {} create {name} {file}",
                if *secret { "secret" } else { "config" }
            ),
            Action::Deploy {
                files,
                stack,
                prune,
                resolve,
                ..
            }
            | Action::Diff {
                files,
                stack,
                prune,
                resolve,
            } => {
                let c: Vec<String> = files.iter().map(|f| format!("-c {f}")).collect();
                let verb = if matches!(self, Action::Diff { .. }) {
                    "estiba diff"
                } else {
                    "docker stack deploy"
                };
                let detach = if matches!(self, Action::Deploy { detach: true, .. }) {
                    " --detach"
                } else {
                    ""
                };
                let resolve = match resolve {
                    ResolveImage::Always => String::new(),
                    other => format!(" --resolve-image {}", other.name()),
                };
                format!(
                    "{verb} {}{}{resolve}{detach} {stack}",
                    c.join(" "),
                    if *prune { " --prune" } else { "" }
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_action_names_its_docker_command() {
        assert_eq!(
            Action::Scale(vec![("gopenux_backend".into(), 5)]).docker_cli(),
            "docker service scale gopenux_backend=5"
        );
        assert_eq!(
            Action::Image {
                service: "web".into(),
                image: "web:test".into(),
                resolve: true
            }
            .docker_cli(),
            "docker service update --image web:test web"
        );
        assert_eq!(
            Action::Label {
                node: "w1".into(),
                labels: vec![("app".into(), "api".into())]
            }
            .docker_cli(),
            "docker node update --label-add app=api w1"
        );
        assert_eq!(
            Action::Role {
                node: "w1".into(),
                to: Role::Worker
            }
            .docker_cli(),
            "docker node demote w1"
        );
    }

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
