//! The one backend seam: an enum over the real engines and the demo cluster, one vocabulary of
//! [`Op`]s in and [`Event`]s out. The UI task owns the state; backends send owned snapshots.

pub mod auth;
pub mod demo;
pub mod endpoint;
pub mod files;
pub mod kube;
pub mod swarm;

use crate::model::action::{Action, Outcome};
use crate::model::{ClusterInfo, Image, Instance, LogLine, LogTarget, Node, Workload};
use crate::tr;
use futures::StreamExt;
use futures::stream::BoxStream;
use std::time::Duration;
use tokio::sync::mpsc;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("{}", tr!("err.unreachable", endpoint = .endpoint, reason = .reason))]
    Unreachable { endpoint: String, reason: String },
    #[error("{}", tr!("err.not_manager"))]
    NotManager,
    #[error("{}", tr!("err.not_found", kind = crate::i18n::text(.kind), name = .name, hint = hint(.suggestion)))]
    NotFound {
        kind: &'static str,
        name: String,
        suggestion: Option<String>,
    },
    #[error("{}", tr!("err.ambiguous", name = .name, matches = .matches.join(", ")))]
    Ambiguous { name: String, matches: Vec<String> },
    #[error("{}", tr!("err.endpoint", detail = .0))]
    Endpoint(String),
    #[error("{}", tr!("err.engine", detail = .0))]
    Engine(String),
    /// Refused before anything changed (global service, no previous spec, bad credentials...).
    #[error("{0}")]
    Refused(String),
    #[error("{}", tr!("err.readonly", command = .0))]
    ReadOnly(String),
    /// The change was made, but the cluster has not reached it (a deploy that does not
    /// converge): what is missing and why.
    #[error("{0}")]
    NotConverged(String),
}

fn hint(s: &Option<String>) -> String {
    s.as_ref()
        .map(|s| tr!("hint.did_you_mean", name = s))
        .unwrap_or_default()
}

/// Which listings an engine change makes stale.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dirty {
    pub info: bool,
    pub nodes: bool,
    pub workloads: bool,
    pub instances: bool,
    pub images: bool,
}

impl Dirty {
    pub const ALL: Dirty = Dirty {
        info: true,
        nodes: true,
        workloads: true,
        instances: true,
        images: true,
    };

    pub fn any(self) -> bool {
        self.info || self.nodes || self.workloads || self.instances || self.images
    }

    pub fn merge(&mut self, o: Dirty) {
        self.info |= o.info;
        self.nodes |= o.nodes;
        self.workloads |= o.workloads;
        self.instances |= o.instances;
        self.images |= o.images;
    }
}

/// What the UI asks of the backend task.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Follow the logs of a workload or instance; `generation` tags the lines that come back.
    FollowLogs {
        target: LogTarget,
        tail: usize,
        generation: u64,
    },
    StopLogs,
    /// Re-list everything now.
    Refresh,
    /// Carry out an action; progress and the outcome come back tagged with `id`.
    Act {
        id: u64,
        action: Action,
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
    Logs {
        generation: u64,
        lines: Vec<LogLine>,
    },
    LogsEnded {
        generation: u64,
        error: Option<String>,
    },
    Error(String),
    /// A step of a running action ("4/6 running", a push's progress bar).
    Progress {
        id: u64,
        progress: crate::model::action::Progress,
    },
    /// An action finished; the error is already a sentence for the user.
    Done {
        id: u64,
        action: Action,
        result: Result<Outcome, String>,
    },
}

pub enum Backend {
    Swarm(swarm::Swarm),
    Kube(Box<kube::Kube>),
    Demo(demo::Demo),
}

impl Backend {
    pub fn is_demo(&self) -> bool {
        matches!(self, Backend::Demo(_))
    }

    pub fn is_kube(&self) -> bool {
        matches!(self, Backend::Kube(_))
    }

    /// Whether listings are also polled every few seconds (Kubernetes watchers need no poll).
    pub fn polls(&self) -> bool {
        !self.is_kube()
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

    pub async fn images(&self) -> Result<Vec<Image>, Error> {
        match self {
            Backend::Swarm(s) => s.images().await,
            Backend::Kube(k) => k.images().await,
            Backend::Demo(d) => Ok(d.images()),
        }
    }

    /// A stream of "these listings changed" notices. It ends, or yields an error, when the
    /// connection is lost.
    pub fn changes(&self) -> BoxStream<'static, Result<Dirty, Error>> {
        match self {
            Backend::Swarm(s) => s.changes(),
            Backend::Kube(k) => k.changes(),
            Backend::Demo(d) => d.changes(),
        }
    }

    /// Sends batches of log lines to `tx` until the logs end (or, with `follow`, until `tx` closes).
    pub async fn logs(
        &self,
        target: &LogTarget,
        tail: usize,
        follow: bool,
        tx: mpsc::Sender<Vec<LogLine>>,
    ) -> Result<(), Error> {
        match self {
            Backend::Swarm(s) => s.logs(target, tail, follow, tx).await,
            Backend::Kube(k) => k.logs(target, tail, follow, tx).await,
            Backend::Demo(d) => d.logs(target, tail, follow, tx).await,
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

/// Exact name, then exact ID, then a unique ID prefix, as the docker CLI resolves names.
pub fn find_by_name<T>(
    items: Vec<T>,
    name: &str,
    kind: &'static str,
    key: impl Fn(&T) -> (&String, &String),
) -> Result<T, Error> {
    let mut items = items;
    if let Some(i) = items
        .iter()
        .position(|t| key(t).0 == name || key(t).1 == name)
    {
        return Ok(items.swap_remove(i));
    }
    let prefixed: Vec<usize> = items
        .iter()
        .enumerate()
        .filter(|(_, t)| name.len() >= 3 && key(t).1.starts_with(name))
        .map(|(i, _)| i)
        .collect();
    match prefixed.as_slice() {
        [one] => Ok(items.swap_remove(*one)),
        [] => {
            let suggestion = crate::suggest::closest(name, items.iter().map(|t| key(t).0.as_str()));
            Err(Error::NotFound {
                kind,
                name: name.to_string(),
                suggestion,
            })
        }
        many => Err(Error::Ambiguous {
            name: name.to_string(),
            matches: many.iter().map(|i| key(&items[*i]).0.clone()).collect(),
        }),
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
    let result = backend.act(action, progress).await;
    if let Err(e) = &result {
        tracing::warn!(command = %cli, error = %e, "failed");
    }
    result
}

/// The logs the UI wants followed, and the task following them while connected.
#[derive(Default)]
struct Logs {
    want: Option<Op>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Logs {
    fn stop(&mut self) {
        self.want = None;
        self.pause();
    }

    fn pause(&mut self) {
        if let Some(h) = self.task.take() {
            h.abort();
        }
    }

    fn start(&mut self, backend: &std::sync::Arc<Backend>, tx: &mpsc::Sender<Event>) {
        self.pause();
        if let Some(op) = self.want.clone() {
            self.task = start_logs(backend, op, tx);
        }
    }
}

/// Keeps the UI's snapshots fresh: listens for changes, re-lists what changed (at most ten
/// times a second), polls every few seconds as a fallback, follows logs, and reconnects with
/// backoff when the engine goes away. Ends when the UI drops its end of `ops`.
pub async fn drive(
    backend: Backend,
    readonly: bool,
    mut ops: mpsc::Receiver<Op>,
    tx: mpsc::Sender<Event>,
) {
    let backend = std::sync::Arc::new(backend);
    let mut logs = Logs::default();
    let mut attempt: u32 = 0;
    let throttle = Duration::from_millis(100);
    if !backend.is_demo() {
        let _ = tx.send(Event::Conn(ConnState::Connecting)).await;
    }
    loop {
        let info = match backend.info().await {
            Ok(info) => info,
            Err(e) => {
                let wait = backoff(attempt);
                attempt += 1;
                tracing::warn!(error = %e, retry_in = wait.as_secs(), "engine unreachable");
                let _ = tx
                    .send(Event::Conn(ConnState::Reconnecting {
                        retry_in: wait.as_secs(),
                        error: e.to_string(),
                    }))
                    .await;
                if !wait_handling_ops(&mut ops, wait, &mut logs, &tx).await {
                    break;
                }
                continue;
            }
        };
        let _ = tx
            .send(Event::Conn(if backend.is_demo() {
                ConnState::Demo
            } else {
                ConnState::Connected
            }))
            .await;
        let _ = tx.send(Event::Info(info)).await;
        // After a (re)connect everything is sent afresh, so the UI's snapshots are not stale.
        let mut sent = Sent::default();
        logs.start(&backend, &tx);
        let mut changes = backend.changes();
        let mut dirty = Dirty::ALL;
        let mut poll = tokio::time::interval(Duration::from_secs(5));
        poll.tick().await;
        let mut converging = tokio::time::interval(Duration::from_secs(1));
        let mut unsettled = false;
        let mut last_flush = tokio::time::Instant::now() - throttle;
        let lost: Option<Error> = loop {
            let flush_at = last_flush + throttle;
            tokio::select! {
                op = ops.recv() => match op {
                    None => {
                        logs.stop();
                        return;
                    }
                    Some(Op::Refresh) => dirty = Dirty::ALL,
                    Some(Op::Act { id, action }) => start_action(&backend, readonly, id, action, &tx),
                    Some(Op::StopLogs) => logs.stop(),
                    Some(op @ Op::FollowLogs { .. }) => {
                        logs.want = Some(op);
                        logs.start(&backend, &tx);
                    }
                },
                change = changes.next() => match change {
                    Some(Ok(d)) => dirty.merge(d),
                    Some(Err(e)) => break Some(e),
                    None => break None,
                },
                _ = poll.tick(), if backend.polls() => dirty = Dirty::ALL,
                _ = converging.tick(), if unsettled => {
                    dirty.workloads = true;
                    dirty.instances = true;
                }
                _ = tokio::time::sleep_until(flush_at), if dirty.any() => {
                    last_flush = tokio::time::Instant::now();
                    match refresh(&backend, std::mem::take(&mut dirty), &tx, &mut sent).await {
                        Ok(Some(u)) => unsettled = u,
                        Ok(None) => {}
                        Err(e) => break Some(e),
                    }
                }
            }
        };
        logs.pause();
        if backend.is_demo() {
            // The demo cannot lose its connection; a closed change stream means shutdown.
            return;
        }
        let reason = lost
            .map(|e| e.to_string())
            .unwrap_or_else(|| tr!("err.events_closed"));
        tracing::warn!(%reason, "connection to the engine lost");
        let _ = tx
            .send(Event::Conn(ConnState::Reconnecting {
                retry_in: 1,
                error: reason,
            }))
            .await;
        attempt = 1;
        if !wait_handling_ops(&mut ops, Duration::from_secs(1), &mut logs, &tx).await {
            break;
        }
    }
    logs.stop();
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_secs((1u64 << attempt.min(3)).min(10))
}

/// Waits `wait`, still taking log requests (remembered for after the reconnect). False when the
/// UI has gone.
async fn wait_handling_ops(
    ops: &mut mpsc::Receiver<Op>,
    wait: Duration,
    logs: &mut Logs,
    tx: &mpsc::Sender<Event>,
) -> bool {
    let deadline = tokio::time::sleep(wait);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            _ = &mut deadline => return true,
            op = ops.recv() => match op {
                None => return false,
                Some(Op::Refresh) => return true,
                Some(Op::Act { id, action }) => {
                    let _ = tx.send(Event::Done { id, action, result: Err(tr!("err.not_connected")) }).await;
                }
                Some(Op::StopLogs) => logs.stop(),
                Some(op @ Op::FollowLogs { .. }) => logs.want = Some(op),
            },
        }
    }
}

/// Runs an action in a task of its own, so the console keeps updating while it runs.
fn start_action(
    backend: &std::sync::Arc<Backend>,
    readonly: bool,
    id: u64,
    action: Action,
    tx: &mpsc::Sender<Event>,
) {
    let backend = backend.clone();
    let tx = tx.clone();
    tokio::spawn(async move {
        let (ptx, mut prx) = mpsc::channel::<crate::model::action::Progress>(32);
        let forward = {
            let tx = tx.clone();
            async move {
                while let Some(progress) = prx.recv().await {
                    let _ = tx.send(Event::Progress { id, progress }).await;
                }
            }
        };
        let (result, ()) = tokio::join!(
            async {
                let r = perform(&backend, &action, readonly, &ptx).await;
                drop(ptx);
                r
            },
            forward
        );
        let _ = tx
            .send(Event::Done {
                id,
                action,
                result: result.map_err(|e| e.to_string()),
            })
            .await;
    });
}

fn start_logs(
    backend: &std::sync::Arc<Backend>,
    op: Op,
    tx: &mpsc::Sender<Event>,
) -> Option<tokio::task::JoinHandle<()>> {
    let Op::FollowLogs {
        target,
        tail,
        generation,
    } = op
    else {
        return None;
    };
    let backend = backend.clone();
    let tx = tx.clone();
    Some(tokio::spawn(async move {
        let (ltx, mut lrx) = mpsc::channel::<Vec<LogLine>>(64);
        let forward = {
            let tx = tx.clone();
            async move {
                while let Some(lines) = lrx.recv().await {
                    if tx.send(Event::Logs { generation, lines }).await.is_err() {
                        break;
                    }
                }
            }
        };
        let (result, ()) = tokio::join!(backend.logs(&target, tail, true, ltx), forward);
        let _ = tx
            .send(Event::LogsEnded {
                generation,
                error: result.err().map(|e| e.to_string()),
            })
            .await;
    }))
}

/// Hashes of the listings last sent, so that a poll that finds nothing new sends nothing: the UI
/// then neither redraws nor reallocates.
#[derive(Default)]
struct Sent {
    info: Option<u64>,
    nodes: Option<u64>,
    workloads: Option<u64>,
    instances: Option<u64>,
    images: Option<u64>,
}

/// True when `value` differs from what was last sent (whose hash `last` holds), and records it.
fn changed<T: std::hash::Hash>(last: &mut Option<u64>, value: &T) -> bool {
    use std::hash::{DefaultHasher, Hasher};
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    let h = Some(h.finish());
    let changed = *last != h;
    *last = h;
    changed
}

/// Re-lists what is dirty and sends what changed. Returns whether any workload is still
/// converging, when workloads were listed.
async fn refresh(
    backend: &Backend,
    d: Dirty,
    tx: &mpsc::Sender<Event>,
    sent: &mut Sent,
) -> Result<Option<bool>, Error> {
    let mut unsettled = None;
    if d.info {
        let info = backend.info().await?;
        if changed(&mut sent.info, &info) {
            let _ = tx.send(Event::Info(info)).await;
        }
    }
    if d.nodes {
        match backend.nodes().await {
            Ok(n) => {
                if changed(&mut sent.nodes, &n) {
                    let _ = tx.send(Event::Nodes(n)).await;
                }
            }
            Err(Error::NotManager) => {}
            Err(e) => return Err(e),
        }
    }
    if d.workloads {
        let w = backend.workloads().await?;
        unsettled = Some(w.iter().any(|w| {
            w.health() != crate::model::Health::Healthy
                || w.update
                    .as_ref()
                    .is_some_and(|u| u.state.ends_with("updating") || u.state.ends_with("started"))
        }));
        if changed(&mut sent.workloads, &w) {
            let _ = tx.send(Event::Workloads(w)).await;
        }
    }
    if d.instances {
        let i = backend.instances().await?;
        if changed(&mut sent.instances, &i) {
            let _ = tx.send(Event::Instances(i)).await;
        }
    }
    if d.images {
        let i = backend.images().await?;
        if changed(&mut sent.images, &i) {
            let _ = tx.send(Event::Images(i)).await;
        }
    }
    Ok(unsettled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct T(String, String);

    fn items() -> Vec<T> {
        vec![
            T("web".into(), "abc123".into()),
            T("api".into(), "abd999".into()),
            T("db".into(), "zzz000".into()),
        ]
    }

    #[test]
    fn names_resolve_like_the_docker_cli() {
        fn k(t: &T) -> (&String, &String) {
            (&t.0, &t.1)
        }
        assert_eq!(
            find_by_name(items(), "web", "kind.service", k).unwrap().0,
            "web"
        );
        assert_eq!(
            find_by_name(items(), "zzz000", "kind.service", k)
                .unwrap()
                .0,
            "db"
        );
        assert_eq!(
            find_by_name(items(), "abd", "kind.service", k).unwrap().0,
            "api"
        );
        assert!(matches!(
            find_by_name(items(), "ab1", "kind.service", k),
            Err(Error::NotFound { .. })
        ));
        assert!(matches!(
            find_by_name(items(), "abx", "kind.service", k),
            Err(Error::NotFound { .. })
        ));
        match find_by_name(items(), "wbe", "kind.service", k) {
            Err(Error::NotFound { suggestion, .. }) => {
                assert_eq!(suggestion.as_deref(), Some("web"))
            }
            other => panic!("{other:?}"),
        }
        let mut two = items();
        two.push(T("x".into(), "abc777".into()));
        assert!(matches!(
            find_by_name(two, "abc", "kind.service", k),
            Err(Error::Ambiguous { .. })
        ));
    }

    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(backoff(0), Duration::from_secs(1));
        assert_eq!(backoff(2), Duration::from_secs(4));
        assert_eq!(backoff(9), Duration::from_secs(8));
    }
}
