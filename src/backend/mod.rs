//! The one backend seam: an enum over the real engines and the demo cluster, one vocabulary of
//! [`Op`]s in and [`Event`]s out. The UI task owns the state; backends send owned snapshots.

pub mod auth;
pub mod demo;
pub mod endpoint;
pub mod exec;
pub mod files;
pub mod kube;
pub mod probe;
pub mod ssh;
pub mod swarm;

mod dirty;
mod driver;
mod error;
mod follow;
mod lookup;

pub use dirty::Dirty;
pub use driver::drive;
pub use error::{Error, Object};
pub use lookup::find_by_name;

use crate::model::action::{Action, Outcome};
use crate::model::{ClusterInfo, Image, Instance, LogLine, LogTarget, Node, Workload};
use crate::tr;
use futures::StreamExt;
use futures::stream::BoxStream;
use std::time::Duration;
use tokio::sync::mpsc;

/// What the UI asks of the backend task.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Follow the logs of a workload or instance; `generation` tags the lines that come back.
    FollowLogs {
        target: LogTarget,
        opts: crate::model::LogOptions,
        generation: u64,
    },
    StopLogs,
    /// Keep a view's rows fresh (`None`: no view is shown).
    View(Option<crate::model::listing::ViewKind>),
    /// Show a Kubernetes kind's table (`:crd`), watched while its view is open.
    Table(String),
    /// Forward a local port to a pod's (`pf`), numbered `id`, until stopped.
    Forward {
        id: u64,
        spec: crate::model::forward::ForwardSpec,
    },
    StopForward(u64),
    /// Re-list everything now.
    Refresh,
    /// Carry out an action; progress and the outcome come back tagged with `id`.
    Act {
        id: u64,
        action: Action,
    },
    /// Stop the action `id` (a build: the request is dropped, the engine stops and tags
    /// nothing); its outcome comes back as cancelled.
    Cancel(u64),
    /// Measure these instances' use (those on screen); empty: none.
    Stats(Vec<crate::model::stats::StatsTarget>),
    /// Gather what a lab's checks need beyond the listings (files in `dir`, a registry, views).
    LabProbe {
        /// Numbers the probes, so an answer older than one already taken in is dropped.
        seq: u64,
        needs: probe::Needs,
        dir: std::path::PathBuf,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnState {
    Connecting,
    Connected,
    Reconnecting { retry_in: u64, error: String },
    Demo,
}

/// What the backend task tells the UI. Every payload is owned.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Conn(ConnState),
    Info(ClusterInfo),
    Nodes(Vec<Node>),
    Workloads(Vec<Workload>),
    Instances(Vec<Instance>),
    Images(Vec<Image>),
    /// The rows of the view being shown.
    Listing(crate::model::listing::Listing),
    /// A port-forward listens at `address`.
    Forwarding {
        id: u64,
        address: String,
    },
    /// A port-forward ended (it could not start, or the engine went away).
    ForwardEnded {
        id: u64,
        error: Option<Error>,
    },
    /// A kind's table could not be shown (no such kind, not allowed).
    TableFailed {
        word: String,
        error: Error,
    },
    /// Events that happened, oldest first, while the events view is open.
    Events(Vec<crate::model::events::ClusterEvent>),
    Logs {
        generation: u64,
        lines: Vec<LogLine>,
    },
    LogsEnded {
        generation: u64,
        error: Option<Error>,
    },
    /// Something the backend could not do on its own account (a watch the user may not make).
    Error(Error),
    /// A step of a running action ("4/6 running", a push's progress bar).
    Progress {
        id: u64,
        progress: crate::model::action::Progress,
    },
    /// Samples of instances' use (instance ID → use).
    Stats(Vec<(String, crate::model::stats::Usage)>),
    /// Why there are no samples (no metrics.k8s.io), said once.
    StatsUnavailable(Error),
    /// An image was pushed from the engine (a lab's registry checks may hold now).
    Pushed,
    /// A lab probe's facts, with the number of the probe they answer.
    LabProbed {
        seq: u64,
        probed: probe::Probed,
    },
    /// An action finished. Its error is a typed value: the console words it (`Display`, through
    /// the catalog) when it shows it.
    Done {
        id: u64,
        action: Action,
        result: Result<Outcome, Error>,
    },
}

/// The cluster estiba talks to. There is one for the whole run (shared by reference), so the
/// size of its largest variant costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
pub enum Backend {
    Swarm(swarm::Swarm),
    Kube(Box<kube::Kube>),
    Demo(demo::Demo),
}

impl Backend {
    /// The embedded demo cluster, swarm or Kubernetes.
    pub fn is_demo(&self) -> bool {
        match self {
            Backend::Demo(_) => true,
            Backend::Kube(k) => k.is_demo(),
            Backend::Swarm(_) => false,
        }
    }

    pub fn is_kube(&self) -> bool {
        matches!(self, Backend::Kube(_))
    }

    /// Whether listings are also polled every few seconds (Kubernetes watchers need no poll).
    pub fn polls(&self) -> bool {
        !self.is_kube()
    }

    /// The engine's client, for a shell in a container (`exec`); none for Kubernetes and the demo.
    pub fn docker(&self) -> Option<bollard::Docker> {
        match self {
            Backend::Swarm(s) => Some(s.docker()),
            _ => None,
        }
    }

    /// The API server's client, for `exec` in a pod (none in the demo: its pods run nothing).
    pub fn kube_clients(&self) -> Option<kube::Clients> {
        match self {
            Backend::Kube(k) if !k.is_demo() => Some(k.clients()),
            _ => None,
        }
    }

    /// Other nodes' engines, for `exec` on a task that runs there.
    pub fn node_engines(&self) -> Option<std::sync::Arc<swarm::NodeEngines>> {
        match self {
            Backend::Swarm(s) => Some(s.node_engines()),
            _ => None,
        }
    }

    pub fn endpoint(&self) -> String {
        match self {
            Backend::Swarm(s) => s.endpoint().to_string(),
            Backend::Kube(k) => k.endpoint(),
            Backend::Demo(_) => "demo".to_string(),
        }
    }

    pub async fn info(&self) -> Result<ClusterInfo, Error> {
        match self {
            Backend::Swarm(s) => s.info().await,
            Backend::Kube(k) => k.info().await,
            Backend::Demo(d) => Ok(d.info()),
        }
    }

    pub async fn nodes(&self) -> Result<Vec<Node>, Error> {
        match self {
            Backend::Swarm(s) => s.nodes().await,
            Backend::Kube(k) => k.nodes().await,
            Backend::Demo(d) => Ok(d.nodes()),
        }
    }

    pub async fn workloads(&self) -> Result<Vec<Workload>, Error> {
        match self {
            Backend::Swarm(s) => s.workloads().await,
            Backend::Kube(k) => k.workloads().await,
            Backend::Demo(d) => Ok(d.workloads()),
        }
    }

    pub async fn instances(&self) -> Result<Vec<Instance>, Error> {
        match self {
            Backend::Swarm(s) => s.instances().await,
            Backend::Kube(k) => k.instances().await,
            Backend::Demo(d) => Ok(d.instances()),
        }
    }

    /// One workload's tasks or pods.
    pub async fn instances_of(&self, w: &Workload) -> Result<Vec<Instance>, Error> {
        match self {
            Backend::Kube(k) => k.instances_of(w).await,
            _ => Ok(self
                .instances()
                .await?
                .into_iter()
                .filter(|i| i.workload_id == w.id)
                .collect()),
        }
    }

    pub async fn images(&self) -> Result<Vec<Image>, Error> {
        match self {
            Backend::Swarm(s) => s.images().await,
            Backend::Kube(k) => k.images().await,
            Backend::Demo(d) => Ok(d.images()),
        }
    }

    /// A view's rows: networks, volumes, secrets, configs (on Kubernetes: Services,
    /// Namespaces, Secrets, ConfigMaps).
    pub async fn listing(
        &self,
        kind: crate::model::listing::ViewKind,
    ) -> Result<crate::model::listing::Listing, Error> {
        match self {
            Backend::Swarm(s) => s.listing(kind).await,
            Backend::Kube(k) => k.listing(kind).await,
            Backend::Demo(d) => Ok(d.listing(kind)),
        }
    }

    /// Any Kubernetes kind as the server prints it (`estiba --kube get crd`).
    pub async fn kind_table(&self, word: &str) -> Result<crate::model::listing::Listing, Error> {
        match self {
            Backend::Kube(k) => k.kind_table(word).await,
            _ => Err(Error::Refused(tr!("err.kube_only", command = word))),
        }
    }

    /// Keeps `tx` fed with a kind's table while its view is open (watched, not polled).
    pub async fn follow_table(
        &self,
        word: &str,
        tx: mpsc::Sender<crate::model::listing::Listing>,
    ) -> Result<(), Error> {
        match self {
            Backend::Kube(k) => k.follow_table(word, tx).await,
            _ => Err(Error::Refused(tr!("err.kube_only", command = word))),
        }
    }

    /// A port-forward (`kubectl port-forward`), telling its address on `bound`, until dropped.
    pub async fn forward(
        &self,
        spec: &crate::model::forward::ForwardSpec,
        bound: mpsc::Sender<String>,
    ) -> Result<(), Error> {
        match self {
            Backend::Kube(k) => k.forward(spec, bound).await,
            _ => Err(Error::Refused(tr!("pf.swarm"))),
        }
    }

    /// Whether a registry holds `image` (a tag pushed), asked through the engine with the
    /// docker config's credentials for that registry.
    pub async fn in_registry(&self, image: &str) -> Result<(), Error> {
        match self {
            Backend::Swarm(s) => swarm::push::in_registry(s, image).await,
            Backend::Kube(_) => Err(Error::Refused(tr!("err.kube_no_registry"))),
            Backend::Demo(d) => d.in_registry(image),
        }
    }

    /// A stream of "these listings changed" notices. It ends, or yields an error, when the
    /// connection is lost.
    /// Listings the backend's watchers are still making (Kubernetes): the driver leaves them
    /// until the watchers say they are in.
    pub fn unlisted(&self) -> Dirty {
        match self {
            Backend::Kube(k) => k.unlisted(),
            _ => Dirty::default(),
        }
    }

    pub fn changes(&self) -> BoxStream<'static, Result<Dirty, Error>> {
        match self {
            Backend::Swarm(s) => s.changes(),
            Backend::Kube(k) => k.changes(),
            Backend::Demo(d) => d.changes(),
        }
    }

    /// Sends batches of log lines to `tx` until the logs end (or, following, until `tx` closes).
    pub async fn logs(
        &self,
        target: &LogTarget,
        opts: &crate::model::LogOptions,
        tx: mpsc::Sender<Vec<LogLine>>,
    ) -> Result<(), Error> {
        match self {
            Backend::Swarm(s) => s.logs(target, opts, tx).await,
            Backend::Kube(k) => k.logs(target, opts, tx).await,
            Backend::Demo(d) => d.logs(target, opts, tx).await,
        }
    }

    /// Follows the use of the instances `targets` names (the console changes them as it
    /// scrolls), sending batches on `tx` until it closes. `Err`: there is nothing to show (a
    /// Kubernetes cluster without metrics.k8s.io), said in words.
    pub async fn stats(
        &self,
        targets: tokio::sync::watch::Receiver<Vec<crate::model::stats::StatsTarget>>,
        tx: mpsc::Sender<Vec<(String, crate::model::stats::Usage)>>,
    ) -> Result<(), Error> {
        match self {
            Backend::Swarm(s) => {
                s.follow_stats(targets, tx).await;
                Ok(())
            }
            Backend::Kube(k) => k.follow_stats(targets, tx).await,
            Backend::Demo(d) => {
                d.follow_stats(targets, tx).await;
                Ok(())
            }
        }
    }

    /// One sample of each instance named (instance ID → use); those it cannot reach (a task
    /// on a node without a configured endpoint) are left out.
    pub async fn stats_once(
        &self,
        targets: &[crate::model::stats::StatsTarget],
    ) -> Result<std::collections::HashMap<String, crate::model::stats::Usage>, Error> {
        match self {
            Backend::Swarm(s) => Ok(s.stats_once(targets).await),
            Backend::Kube(k) => {
                let all = k.pod_metrics().await?;
                Ok(targets
                    .iter()
                    .filter_map(|t| Some((t.instance.clone(), all.get(&t.container)?.clone())))
                    .collect())
            }
            Backend::Demo(_) => {
                let now = crate::time::now();
                Ok(targets
                    .iter()
                    .map(|t| {
                        (
                            t.instance.clone(),
                            demo::stats::sample(t, 1, now - 3600, now),
                        )
                    })
                    .collect())
            }
        }
    }

    /// Whether a task on `node` can be reached for exec and stats (the local engine, or a
    /// configured endpoint), or why not; Kubernetes and the demo reach every pod and task.
    pub async fn reaches(&self, node_id: &str, node: &str) -> Result<(), swarm::Unreached> {
        match self {
            Backend::Swarm(s) => s.engine_for(node_id, node).await.map(|_| ()),
            _ => Ok(()),
        }
    }

    /// The cluster's events since `since` (seconds since the epoch), and with `follow` those
    /// that come after, in batches on `tx` until it closes.
    pub async fn events(
        &self,
        since: i64,
        follow: bool,
        tx: mpsc::Sender<Vec<crate::model::events::ClusterEvent>>,
    ) -> Result<(), Error> {
        match self {
            Backend::Swarm(s) => s.events(since, follow, None, tx).await,
            Backend::Kube(k) => k.events(since, follow, tx).await,
            Backend::Demo(d) => d.events_since(since, follow, tx).await,
        }
    }

    /// Carries out an action, reporting steps on `progress`.
    pub async fn act(
        &self,
        action: &Action,
        progress: &mpsc::Sender<crate::model::action::Progress>,
    ) -> Result<Outcome, Error> {
        match self {
            Backend::Swarm(s) => s.act(action, progress).await,
            Backend::Kube(k) => k.act(action, progress).await,
            Backend::Demo(d) => d.act(action, progress).await,
        }
    }

    /// Finds a workload by name, ID or unique ID prefix.
    pub async fn find_workload(&self, name: &str) -> Result<Workload, Error> {
        let all = self.workloads().await?;
        find_by_name(all, name, "kind.service", |w| (&w.name, &w.id))
    }

    /// A workload (by name or ID) or, failing that, an instance (`web.1`, or an ID prefix).
    pub async fn resolve_log_target(&self, name: &str) -> Result<LogTarget, Error> {
        match self.find_workload(name).await {
            Ok(w) => Ok(LogTarget::Workload {
                id: w.id,
                name: w.name,
            }),
            Err(Error::NotFound { suggestion, .. }) => {
                let instances = self.instances().await?;
                match find_by_name(instances, name, "kind.service_or_task", |i| {
                    (&i.name, &i.id)
                }) {
                    Ok(i) => Ok(LogTarget::Instance {
                        id: i.id,
                        name: i.name,
                    }),
                    Err(Error::NotFound {
                        kind,
                        name,
                        suggestion: s2,
                    }) => Err(Error::NotFound {
                        kind,
                        name,
                        suggestion: suggestion.or(s2),
                    }),
                    Err(e) => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }
}

/// The outcome of an `inspect`: the object, for the window or the printer.
pub(crate) fn inspected(found: crate::model::inspect::Inspected) -> Outcome {
    Outcome {
        summary: tr!(
            "inspect.title",
            kind = crate::i18n::text(found.kind.catalog_key()),
            name = found.name
        ),
        detail: Some(crate::model::action::Detail::Inspect(Box::new(found))),
    }
}

/// The one door every change goes through, from the console and the command line alike: refused
/// in read-only mode, otherwise carried out.
pub async fn perform(
    backend: &Backend,
    action: &Action,
    readonly: bool,
    progress: &mpsc::Sender<crate::model::action::Progress>,
) -> Result<Outcome, Error> {
    let cli = action.cli(backend.is_kube());
    if readonly && action.mutates() {
        return Err(Error::ReadOnly(cli));
    }
    tracing::info!(command = %cli, "carrying out");
    let result = backend
        .act(action, progress)
        .await
        .map_err(|e| match action.object() {
            Some((kind, name)) => e.about(kind, &name),
            None => e,
        });
    if let Err(e) = &result {
        tracing::warn!(command = %cli, error = %e, "failed");
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::inspect::Kind;

    /// An engine error from an action knows what it was about, and the console words it with
    /// that object through the catalog.
    #[tokio::test]
    async fn an_engine_error_knows_its_object_and_its_cause() {
        crate::i18n::set_lang(crate::i18n::Lang::En);
        let backend = Backend::Demo(demo::Demo::at(1_000_000));
        let image = "registry.developers.lan/gopenux/frontend-semana-3:latest";
        let (tx, _rx) = mpsc::channel(4);
        let e = perform(&backend, &Action::Rmi(image.into()), false, &tx)
            .await
            .expect_err("the running frontend uses it");
        let Error::Engine {
            cause,
            object: Some(o),
        } = &e
        else {
            panic!("{e:?}")
        };
        assert_eq!((o.kind, o.name.as_str()), (Kind::Image, image));
        assert!(
            cause.contains("container is using its referenced image"),
            "{cause}"
        );
        let words = e.to_string();
        assert!(
            words.starts_with(&format!("image {image}: the engine said: conflict")),
            "{words}"
        );
        // The same error about no object is worded without one.
        assert!(
            Error::engine("x")
                .to_string()
                .starts_with("the engine said")
        );
    }
}
