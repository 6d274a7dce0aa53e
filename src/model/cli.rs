//! The command lines that do what an action does: docker's (`docker service scale web=3`),
//! kubectl's on Kubernetes. Every result in the console and on the command line shows one, so
//! students learn the CLI from what they do.

use super::action::{Action, ResolveImage};
use super::inspect::Kind;
use super::{Availability, Role};

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
                kind: Kind::Secret,
                name,
                file,
            } => {
                format!("kubectl create secret generic {name} --from-file={file}")
            }
            Action::CreateObject { name, file, .. } => {
                format!("kubectl create configmap {name} --from-file={file}")
            }
            // The krew plugin that draws the same tree.
            Action::Tree(name) => format!("kubectl tree deployment/{name}"),
            Action::Trigger { cronjob, job } => {
                format!("kubectl create job --from=cronjob/{cronjob} {job}")
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
            Action::Delete { kind, name } => match name.split_once('/') {
                Some((ns, n)) => format!("kubectl delete {kind}/{n} -n {ns}"),
                None => format!("kubectl delete {kind}/{name}"),
            },
            Action::KubeList(kind) => format!("kubectl get {}", kind.plural()),
            Action::SecretShow(name) => {
                format!("kubectl get secret {name} -o jsonpath='{{.data}}'")
            }
            Action::Context(c) => format!("kubectl config use-context {c}"),
            Action::Apply {
                source,
                force,
                dry_run,
            } => {
                let flags = if *force { " --force-conflicts" } else { "" };
                let apply = format!("--server-side --field-manager=estiba{flags} -f {source}");
                if *dry_run {
                    format!("kubectl diff {apply}")
                } else {
                    format!("kubectl apply {apply}")
                }
            }
            Action::KubeEdit { target, .. } => format!("kubectl edit {target}"),
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
            | Action::KubeEdit { .. }
            | Action::KubeSecret { .. }
            | Action::Trigger { .. }
            | Action::Tree(_)
            | Action::KubeList(_)
            | Action::SecretShow(_)
            | Action::Delete { .. } => self.kubectl(),
            Action::CreateObject { kind, name, file } => {
                format!("docker {} create {name} {file}", kind.word())
            }
            Action::Deploy { .. } | Action::Diff { .. } => self.deploy_cli(),
            Action::Build(b) => build_cli(b),
            Action::Compose(c) => c.cli(),
            Action::Container { verb, name } => match verb {
                super::compose::ContainerVerb::Rm => format!("docker container rm -f {name}"),
                v => format!("docker container {} {name}", v.word()),
            },
            Action::Prune { apply: false } => "docker system df -v".into(),
            Action::Prune { apply: true } => "docker system prune --volumes".into(),
        }
    }

    /// `docker stack deploy -c FILE... [--prune] [--resolve-image R] [--detach] STACK` (or
    /// `estiba diff`, which has no docker equivalent).
    fn deploy_cli(&self) -> String {
        let (Action::Deploy {
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
        }) = self
        else {
            return String::new();
        };
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

impl super::action::BuildSpec {
    /// The same build as estiba's command (`build -t NAME ... PATH`), for the palette.
    pub fn palette_line(&self) -> String {
        build_cli(self)
            .strip_prefix("docker ")
            .unwrap_or_default()
            .to_string()
    }
}

/// `docker build -t NAME [-f FILE] [--target T] [--build-arg K=V] [--label K=V] [--no-cache]
/// [--pull] PATH`.
fn build_cli(b: &super::action::BuildSpec) -> String {
    let mut words = vec!["docker build".to_string()];
    words.extend(b.tags.iter().map(|t| format!("-t {t}")));
    if let Some(f) = &b.dockerfile {
        words.push(format!("-f {f}"));
    }
    if let Some(t) = &b.target {
        words.push(format!("--target {t}"));
    }
    words.extend(
        b.build_args
            .iter()
            .map(|(k, v)| format!("--build-arg {k}={v}")),
    );
    words.extend(b.labels.iter().map(|(k, v)| format!("--label {k}={v}")));
    if b.no_cache {
        words.push("--no-cache".into());
    }
    if b.pull {
        words.push("--pull".into());
    }
    words.push(b.context.clone());
    words.join(" ")
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
        assert_eq!(
            Action::Build(super::super::action::BuildSpec {
                context: "backend".into(),
                tags: vec!["api:latest".into(), "api:test".into()],
                target: Some("final".into()),
                build_args: vec![("V".into(), "2".into())],
                no_cache: true,
                ..Default::default()
            })
            .docker_cli(),
            "docker build -t api:latest -t api:test --target final --build-arg V=2 --no-cache backend"
        );
    }
}
