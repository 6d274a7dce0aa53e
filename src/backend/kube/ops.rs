//! Actions on a Kubernetes cluster: one short dispatch to the file of each family (deployments,
//! nodes, objects; `apply` in apply.rs).

use super::Kube;
use crate::backend::Error;
use crate::model::action::{Action, Outcome, Progress};
use crate::tr;
use tokio::sync::mpsc;

/// An outcome that is only its summary.
pub(super) fn done(summary: String) -> Result<Outcome, Error> {
    Ok(Outcome {
        summary,
        detail: None,
    })
}

pub(super) fn is_conflict(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(s) if s.code == 409)
}

impl Kube {
    pub async fn act(
        &self,
        action: &Action,
        progress: &mpsc::Sender<Progress>,
    ) -> Result<Outcome, Error> {
        match action {
            Action::Scale(pairs) => self.scale(pairs, progress).await,
            Action::Image { service, image, .. } => self.set_image(service, image, progress).await,
            Action::Restart(service) => self.restart(service, progress).await,
            Action::Rollback(service) => self.rollback(service, progress).await,
            Action::Label { node, labels } => self.label(node, labels).await,
            Action::Unlabel { node, keys } => self.unlabel(node, keys).await,
            Action::Availability { node, to } => self.set_availability(node, to, progress).await,
            Action::Apply {
                source,
                force,
                dry_run: false,
            } => self.apply(source, *force, progress).await,
            Action::Apply { source, force, .. } => self.apply_preview(source, *force).await,
            Action::KubeEdit {
                target,
                yaml,
                dry_run,
            } => self.edit(target, yaml, *dry_run).await,
            Action::CreateObject { kind, name, file } => {
                let secret = *kind == crate::model::inspect::Kind::Secret;
                self.create_object(secret, name, file).await
            }
            Action::KubeSecret {
                name,
                literals,
                files,
            } => self.kube_secret(name, literals, files).await,
            Action::Delete { kind, name } => self.delete(kind, name).await,
            Action::Trigger { cronjob, job } => self.trigger(cronjob, job).await,
            Action::Tree(name) => self.tree(name).await,
            Action::Remove { kind, name } => {
                use crate::model::inspect::Kind;
                match kind {
                    Kind::Config | Kind::ConfigMap => self.delete("configmap", name).await,
                    Kind::Secret => self.delete("secret", name).await,
                    Kind::Service => self.delete("service", name).await,
                    Kind::Namespace => self.delete("namespace", name).await,
                    Kind::Object => match name.split_once('/') {
                        Some((word, rest)) => self.delete(word, rest).await,
                        None => Err(Error::Refused(tr!("kube.kind_name", target = name))),
                    },
                    _ => Err(Error::Refused(tr!(
                        "kube.not_here",
                        command = action.docker_cli()
                    ))),
                }
            }
            Action::KubeList(kind) => self.table(*kind).await,
            Action::SecretShow(name) => self.secret_values(name).await,
            Action::Inspect {
                kind,
                name,
                show_secrets,
            } => Ok(crate::backend::inspected(
                self.inspect(*kind, name, *show_secrets).await?,
            )),
            Action::Context(name) => {
                self.set_context(name).await?;
                done(tr!("kube.context_now", context = name))
            }
            Action::Namespace(ns) => {
                self.set_namespace(ns.clone()).await?;
                done(tr!(
                    "kube.namespace_now",
                    namespace = ns.clone().unwrap_or_else(|| tr!("kube.all_namespaces"))
                ))
            }
            other => Err(Error::Refused(tr!(
                "kube.not_here",
                command = other.docker_cli()
            ))),
        }
    }
}
