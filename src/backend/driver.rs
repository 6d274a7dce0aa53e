//! The backend task: connects (and reconnects), lists what the console shows, follows events
//! and logs, carries out operations, and sends owned snapshots to the UI over a channel.

use super::follow::{Events, Forwards, Logs, Stats, Table};
use super::*;

/// What the driver keeps across reconnects: the logs followed, the view shown, the events and
/// the use being watched.
#[derive(Default)]
struct Kept {
    logs: Logs,
    /// The view whose rows are kept fresh, if one is shown.
    view: Option<crate::model::listing::ViewKind>,
    events: Events,
    /// The Kubernetes kind whose table is shown, if one is.
    table: Table,
    forwards: Forwards,
    stats: Stats,
    /// How to stop each action still running (`Op::Cancel`).
    cancels: std::collections::HashMap<u64, tokio::sync::oneshot::Sender<()>>,
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
    let mut kept = Kept::default();
    let mut attempt: u32 = 0;
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
                let k = &mut kept;
                if !wait_handling_ops(&mut ops, wait, k, &tx).await {
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
        let Some(lost) = connected(&backend, readonly, &mut ops, &tx, &mut kept).await else {
            kept.logs.stop();
            return;
        };
        kept.logs.pause();
        kept.events.stop();
        kept.table.pause();
        kept.stats.pause();
        if matches!(*backend, Backend::Demo(_)) {
            // The demo cannot lose its connection; a closed change stream means shutdown (the
            // Kubernetes demo's watchers end at a namespace switch, as a real cluster's do).
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
        let k = &mut kept;
        let wait = Duration::from_secs(1);
        if !wait_handling_ops(&mut ops, wait, k, &tx).await {
            break;
        }
    }
    kept.logs.stop();
}

/// While connected: sends everything afresh, then follows changes and the UI's operations.
/// Returns why the connection ended (`Some(None)`: the change stream closed), or `None` when the
/// UI is gone.
async fn connected(
    backend: &std::sync::Arc<Backend>,
    readonly: bool,
    ops: &mut mpsc::Receiver<Op>,
    tx: &mpsc::Sender<Event>,
    kept: &mut Kept,
) -> Option<Option<Error>> {
    // After a (re)connect everything is sent afresh, so the UI's snapshots are not stale.
    let mut sent = Sent::default();
    kept.logs.start(backend, tx);
    if !kept.stats.targets.borrow().is_empty() {
        kept.stats.start(backend, tx);
    }
    if kept.view == Some(crate::model::listing::ViewKind::Events) {
        kept.events.start(backend, tx);
    }
    kept.table.start(backend, tx);
    let mut changes = backend.changes();
    let mut dirty = Dirty::ALL;
    let mut poll = tokio::time::interval(Duration::from_secs(5));
    poll.tick().await;
    let mut converging = tokio::time::interval(Duration::from_secs(1));
    let mut unsettled = false;
    let mut last_flush = tokio::time::Instant::now() - super::dirty::pace(0);
    loop {
        let flush_at = last_flush + super::dirty::pace(sent.rows);
        tokio::select! {
            op = ops.recv() => match op {
                None => return None,
                Some(op) => on_op(op, backend, readonly, tx, kept, &mut dirty, &mut sent),
            },
            change = changes.next() => match change {
                Some(Ok(d)) => dirty.merge(d),
                Some(Err(e)) => return Some(Some(e)),
                None => return Some(None),
            },
            _ = poll.tick(), if backend.polls() || kept.view.is_some() => {
                if backend.polls() {
                    dirty = Dirty::ALL;
                } else {
                    // Kubernetes: only the view is polled; the watchers cover the rest.
                    dirty.info = true;
                }
            }
            // Watchers (Kubernetes) bring every step of a rollout by themselves.
            _ = converging.tick(), if unsettled && backend.polls() => {
                dirty.workloads = true;
                dirty.instances = true;
            }
            _ = tokio::time::sleep_until(flush_at), if dirty.any() => {
                last_flush = tokio::time::Instant::now();
                let due = std::mem::take(&mut dirty).without(backend.unlisted());
                match refresh(backend, due, kept.view, tx, &mut sent).await {
                    Ok(Some(u)) => unsettled = u,
                    Ok(None) => {}
                    Err(e) => return Some(Some(e)),
                }
            }
        }
    }
}

/// One operation from the UI while connected.
fn on_op(
    op: Op,
    backend: &std::sync::Arc<Backend>,
    readonly: bool,
    tx: &mpsc::Sender<Event>,
    kept: &mut Kept,
    dirty: &mut Dirty,
    sent: &mut Sent,
) {
    match op {
        Op::Refresh => *dirty = Dirty::ALL,
        Op::Forward { id, spec } => kept.forwards.start(id, spec, backend, tx),
        Op::StopForward(id) => kept.forwards.stop(id),
        Op::Table(word) => {
            kept.view = None;
            kept.events.stop();
            kept.table.want = Some(word);
            kept.table.start(backend, tx);
        }
        Op::View(kind) => {
            kept.table.want = None;
            kept.table.pause();
            kept.view = kind;
            sent.listing = None;
            if kept.view == Some(crate::model::listing::ViewKind::Events) {
                kept.events.start(backend, tx);
            } else {
                kept.events.stop();
                dirty.info = true;
            }
        }
        Op::Act { id, action } => {
            kept.cancels.retain(|_, c| !c.is_closed());
            let (cancel, cancelled) = tokio::sync::oneshot::channel();
            kept.cancels.insert(id, cancel);
            start_action(backend, readonly, id, action, cancelled, tx)
        }
        Op::Cancel(id) => {
            if let Some(c) = kept.cancels.remove(&id) {
                let _ = c.send(());
            }
        }
        Op::LabProbe { seq, needs, dir } => start_probe(backend, seq, needs, dir, tx),
        Op::Stats(targets) => kept.stats.want(targets, backend, tx),
        Op::StopLogs => kept.logs.stop(),
        op @ Op::FollowLogs { .. } => {
            kept.logs.want = Some(op);
            kept.logs.start(backend, tx);
        }
    }
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_secs((1u64 << attempt.min(3)).min(10))
}

/// Waits `wait`, still taking log requests (remembered for after the reconnect). False when the
/// UI has gone.
async fn wait_handling_ops(
    ops: &mut mpsc::Receiver<Op>,
    wait: Duration,
    kept: &mut Kept,
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
                    let _ = tx.send(Event::Done { id, action, result: Err(Error::NotConnected) }).await;
                }
                // Files still tell: they do not need the engine.
                Some(Op::LabProbe { seq, needs, dir }) => {
                    let mut probed = super::probe::Probed::default();
                    super::probe::local(&needs, &dir, &mut probed);
                    let _ = tx.send(Event::LabProbed { seq, probed }).await;
                }
                Some(Op::StopLogs) => kept.logs.stop(),
                // Nothing runs while the engine is away.
                Some(Op::Cancel(_)) => {}
                Some(Op::View(kind)) => {
                    kept.view = kind;
                    kept.table.want = None;
                }
                Some(Op::Table(word)) => {
                    kept.view = None;
                    kept.table.want = Some(word);
                }
                Some(Op::Forward { id, .. }) => {
                    let error = Some(Error::NotConnected);
                    let _ = tx.send(Event::ForwardEnded { id, error }).await;
                }
                Some(Op::StopForward(id)) => kept.forwards.stop(id),
                // Remembered for after the reconnect.
                Some(Op::Stats(targets)) => {
                    kept.stats.targets.send_replace(targets);
                }
                Some(op @ Op::FollowLogs { .. }) => kept.logs.want = Some(op),
            },
        }
    }
}

/// Probes for a lab's checks in a task of its own.
fn start_probe(
    backend: &std::sync::Arc<Backend>,
    seq: u64,
    needs: super::probe::Needs,
    dir: std::path::PathBuf,
    tx: &mpsc::Sender<Event>,
) {
    let backend = backend.clone();
    let tx = tx.clone();
    tokio::spawn(async move {
        let probed = super::probe::all(&backend, &needs, &dir).await;
        let _ = tx.send(Event::LabProbed { seq, probed }).await;
    });
}

/// Runs an action in a task of its own, so the console keeps updating while it runs.
fn start_action(
    backend: &std::sync::Arc<Backend>,
    readonly: bool,
    id: u64,
    action: Action,
    cancelled: tokio::sync::oneshot::Receiver<()>,
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
                // Cancelling drops the action's future (and with it its requests).
                let r = tokio::select! {
                    r = perform(&backend, &action, readonly, &ptx) => r,
                    Ok(()) = cancelled => Err(Error::Refused(crate::tr!("action.cancelled"))),
                };
                drop(ptx);
                r
            },
            forward
        );
        let _ = tx.send(Event::Done { id, action, result }).await;
    });
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
    listing: Option<u64>,
    /// What the user was told it may not list, so it is said once per connection.
    refusals: std::collections::HashSet<String>,
    /// How many tasks or pods the last listing held.
    rows: usize,
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

/// A listing, or `None` when the user may not see it (RBAC; not a swarm manager): the refusal
/// is said once, and the console keeps showing what it may. Other errors end the connection.
async fn allowed<T>(
    r: Result<T, Error>,
    tx: &mpsc::Sender<Event>,
    sent: &mut Sent,
) -> Result<Option<T>, Error> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(Error::NotManager) => Ok(None),
        Err(Error::Forbidden(m)) => {
            if sent.refusals.insert(m.clone()) {
                let _ = tx.send(Event::Error(Error::Forbidden(m))).await;
            }
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Re-lists what is dirty and sends what changed. Returns whether any workload is still
/// converging, when workloads were listed.
async fn refresh(
    backend: &Backend,
    d: Dirty,
    view: Option<crate::model::listing::ViewKind>,
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
    if d.nodes
        && let Some(n) = allowed(backend.nodes().await, tx, sent).await?
        && changed(&mut sent.nodes, &n)
    {
        let _ = tx.send(Event::Nodes(n)).await;
    }
    if d.workloads
        && let Some(w) = allowed(backend.workloads().await, tx, sent).await?
    {
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
    if d.instances
        && let Some(i) = allowed(backend.instances().await, tx, sent).await?
        && {
            sent.rows = i.len();
            changed(&mut sent.instances, &i)
        }
    {
        let _ = tx.send(Event::Instances(i)).await;
    }
    if d.pushed {
        let _ = tx.send(Event::Pushed).await;
    }
    if d.images {
        let i = backend.images().await?;
        if changed(&mut sent.images, &i) {
            let _ = tx.send(Event::Images(i)).await;
        }
    }
    // The view's rows, after any change (a network made by a deploy, a secret removed); the
    // events view is fed by its own stream.
    if let Some(kind) = view.filter(|k| *k != crate::model::listing::ViewKind::Events)
        && let Some(l) = allowed(backend.listing(kind).await, tx, sent).await?
        && changed(&mut sent.listing, &l)
    {
        let _ = tx.send(Event::Listing(l)).await;
    }
    Ok(unsettled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(backoff(0), Duration::from_secs(1));
        assert_eq!(backoff(2), Duration::from_secs(4));
        assert_eq!(backoff(9), Duration::from_secs(8));
    }
}
