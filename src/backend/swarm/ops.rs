//! Actions on a real engine: one short dispatch to the file of each family (services, nodes,
//! images, objects; stacks in deploy.rs and preview.rs; push.rs).

use super::Swarm;
use crate::backend::Error;
use crate::model::action::{Action, Detail, Outcome, Progress};
use crate::tr;
use std::time::Duration;
use tokio::sync::mpsc;

/// How long an update is watched before the command returns (it goes on in the engine).
pub(super) const ROLLOUT_WAIT: Duration = Duration::from_secs(300);

/// An outcome that is only its summary.
pub(super) fn done(summary: String) -> Result<Outcome, Error> {
    Ok(Outcome {
        summary,
        detail: None,
    })
}

impl Swarm {
    pub async fn act(
        &self,
        action: &Action,
        progress: &mpsc::Sender<Progress>,
    ) -> Result<Outcome, Error> {
        match action {
            Action::Scale(pairs) => self.scale(pairs, progress).await,
            Action::Image {
                service,
                image,
                resolve,
            } => self.set_image(service, image, *resolve, progress).await,
            Action::Rollback(service) => self.rollback(service, progress).await,
            Action::Restart(service) => self.restart(service, progress).await,
            Action::Tag { source, target } => self.tag(source, target).await,
            Action::Push(image) => super::push::push(self, image, progress).await,
            Action::Build(spec) => self.build(spec, progress).await,
            Action::Compose(spec) => self.compose(spec, progress).await,
            Action::Container { verb, name } => self.container(*verb, name).await,
            Action::Prune { apply } => self.prune(*apply, progress).await,
            Action::Rmi(image) => self.rmi(image).await,
            Action::Label { node, labels } => self.label(node, labels).await,
            Action::Unlabel { node, keys } => self.unlabel(node, keys).await,
            Action::Availability { node, to } => self.set_availability(node, to).await,
            Action::Role { node, to } => self.set_role(node, to).await,
            Action::SwarmInit { advertise_addr } => self.swarm_init(advertise_addr).await,
            Action::JoinToken(role) => self.join_token(role).await,
            Action::SwarmLeave { force } => self.swarm_leave(*force).await,
            Action::CreateObject { kind, name, file } => {
                let secret = *kind == crate::model::inspect::Kind::Secret;
                self.create_object(secret, name, file).await
            }
            Action::Diff {
                files,
                stack,
                prune,
                resolve,
            } => {
                let spec = load_stack(files, stack)?;
                let lines = self.preview(&spec, *prune, *resolve, progress).await?;
                let summary = if lines.is_empty() {
                    tr!("preview.none", stack = stack)
                } else {
                    tr!("preview.summary", stack = stack, count = lines.len())
                };
                Ok(Outcome {
                    summary,
                    detail: (!lines.is_empty()).then(|| Detail::Text(lines.join("\n"))),
                })
            }
            Action::Deploy {
                files,
                stack,
                prune,
                detach,
                resolve,
                timeout,
            } => {
                // Everything is checked before the first call: a bad file changes nothing.
                let spec = load_stack(files, stack)?;
                let how = super::deploy::How {
                    prune: *prune,
                    detach: *detach,
                    resolve: *resolve,
                    timeout: std::time::Duration::from_secs(*timeout),
                };
                self.deploy(spec, how, progress).await
            }
            Action::RmStack(stack) => self.remove_stack(stack, progress).await,
            Action::NetworkCreate {
                name,
                driver,
                attachable,
                internal,
            } => {
                self.network_create(name, driver, *attachable, *internal)
                    .await
            }
            Action::Remove { kind, name } => self.remove_object(*kind, name).await,
            Action::Inspect {
                kind,
                name,
                show_secrets,
            } => {
                let found = self.inspect(*kind, name, *show_secrets).await?;
                Ok(super::super::inspected(found))
            }
            Action::Context(_)
            | Action::Namespace(_)
            | Action::Apply { .. }
            | Action::KubeEdit { .. }
            | Action::KubeSecret { .. }
            | Action::Trigger { .. }
            | Action::Tree(_)
            | Action::KubeList(_)
            | Action::SecretShow(_)
            | Action::Delete { .. } => Err(Error::Refused(tr!(
                "err.kube_only",
                command = action.kubectl()
            ))),
        }
    }
}

/// Loads and checks compose files for a stack before anything touches the engine: a bad file
/// is refused here, with its place.
fn load_stack(files: &[String], stack: &str) -> Result<crate::stack::StackSpec, Error> {
    let paths: Vec<std::path::PathBuf> = files.iter().map(std::path::PathBuf::from).collect();
    crate::stack::load(&paths, stack, &|k| std::env::var(k).ok())
        .map_err(|e| Error::Refused(e.to_string()))
}
