//! What the driver follows beside the listings, each in a task of its own while connected: the
//! logs asked for, the events while their view is open, the use of the instances on screen, and
//! a Kubernetes kind's table while its view is open.

use super::*;

/// The logs the UI wants followed, and the task following them while connected.
#[derive(Default)]
pub(super) struct Logs {
    pub(super) want: Option<Op>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Logs {
    pub(super) fn stop(&mut self) {
        self.want = None;
        self.pause();
    }

    pub(super) fn pause(&mut self) {
        if let Some(h) = self.task.take() {
            h.abort();
        }
    }

    pub(super) fn start(&mut self, backend: &std::sync::Arc<Backend>, tx: &mpsc::Sender<Event>) {
        self.pause();
        if let Some(op) = self.want.clone() {
            self.task = start_logs(backend, op, tx);
        }
    }
}

/// The events followed while the events view is open: from ten minutes back, then live; after
/// a reconnect, from the last one seen.
#[derive(Default)]
pub(super) struct Events {
    task: Option<tokio::task::JoinHandle<()>>,
    last: std::sync::Arc<std::sync::atomic::AtomicI64>,
}

impl Events {
    pub(super) fn stop(&mut self) {
        if let Some(h) = self.task.take() {
            h.abort();
        }
    }

    pub(super) fn start(&mut self, backend: &std::sync::Arc<Backend>, tx: &mpsc::Sender<Event>) {
        use std::sync::atomic::Ordering;
        self.stop();
        let backend = backend.clone();
        let tx = tx.clone();
        let last = self.last.clone();
        let since = (crate::time::now() - 600).max(last.load(Ordering::Relaxed));
        self.task = Some(tokio::spawn(async move {
            let (etx, mut erx) = mpsc::channel::<Vec<crate::model::events::ClusterEvent>>(64);
            let forward = async move {
                while let Some(batch) = erx.recv().await {
                    if let Some(e) = batch.last() {
                        last.store(e.time + 1, Ordering::Relaxed);
                    }
                    if tx.send(Event::Events(batch)).await.is_err() {
                        break;
                    }
                }
            };
            let (result, ()) = tokio::join!(backend.events(since, true, etx), forward);
            if let Err(e) = result {
                tracing::warn!(error = %e, "events stopped");
            }
        }));
    }
}

/// The instances whose use the UI shows, and the task measuring them while connected.
pub(super) struct Stats {
    pub(super) targets: tokio::sync::watch::Sender<Vec<crate::model::stats::StatsTarget>>,
    /// Kept when it ends (no metrics.k8s.io), so it is not asked again on this connection.
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Default for Stats {
    fn default() -> Stats {
        Stats {
            targets: tokio::sync::watch::channel(Vec::new()).0,
            task: None,
        }
    }
}

impl Stats {
    pub(super) fn pause(&mut self) {
        if let Some(h) = self.task.take() {
            h.abort();
        }
    }

    /// Takes the UI's list; starts measuring when it first names something.
    pub(super) fn want(
        &mut self,
        targets: Vec<crate::model::stats::StatsTarget>,
        backend: &std::sync::Arc<Backend>,
        tx: &mpsc::Sender<Event>,
    ) {
        self.targets.send_if_modified(|t| {
            let changed = *t != targets;
            *t = targets;
            changed
        });
        if self.task.is_none() && !self.targets.borrow().is_empty() {
            self.start(backend, tx);
        }
    }

    pub(super) fn start(&mut self, backend: &std::sync::Arc<Backend>, tx: &mpsc::Sender<Event>) {
        self.pause();
        let backend = backend.clone();
        let tx = tx.clone();
        let targets = self.targets.subscribe();
        self.task = Some(tokio::spawn(async move {
            let (stx, mut srx) = mpsc::channel(8);
            let forward = {
                let tx = tx.clone();
                async move {
                    while let Some(batch) = srx.recv().await {
                        if tx.send(Event::Stats(batch)).await.is_err() {
                            break;
                        }
                    }
                }
            };
            let (result, ()) = tokio::join!(backend.stats(targets, stx), forward);
            if let Err(e) = result {
                let _ = tx.send(Event::StatsUnavailable(e)).await;
            }
        }));
    }
}

fn start_logs(
    backend: &std::sync::Arc<Backend>,
    op: Op,
    tx: &mpsc::Sender<Event>,
) -> Option<tokio::task::JoinHandle<()>> {
    let Op::FollowLogs {
        target,
        opts,
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
        let (result, ()) = tokio::join!(backend.logs(&target, &opts, ltx), forward);
        let _ = tx
            .send(Event::LogsEnded {
                generation,
                error: result.err(),
            })
            .await;
    }))
}

/// The Kubernetes kind whose table the view shows (`:crd`), and the task watching it.
#[derive(Default)]
pub(super) struct Table {
    pub(super) want: Option<String>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Table {
    pub(super) fn pause(&mut self) {
        if let Some(h) = self.task.take() {
            h.abort();
        }
    }

    pub(super) fn start(&mut self, backend: &std::sync::Arc<Backend>, tx: &mpsc::Sender<Event>) {
        self.pause();
        let Some(word) = self.want.clone() else {
            return;
        };
        let backend = backend.clone();
        let tx = tx.clone();
        self.task = Some(tokio::spawn(async move {
            let (ltx, mut lrx) = mpsc::channel(4);
            let forward = {
                let tx = tx.clone();
                async move {
                    while let Some(l) = lrx.recv().await {
                        if tx.send(Event::Listing(l)).await.is_err() {
                            break;
                        }
                    }
                }
            };
            let (result, ()) = tokio::join!(backend.follow_table(&word, ltx), forward);
            if let Err(error) = result {
                let _ = tx.send(Event::TableFailed { word, error }).await;
            }
        }));
    }
}

/// The port-forwards running, each in a task of its own (they outlive a reconnect: each
/// connection opens its own stream).
#[derive(Default)]
pub(super) struct Forwards {
    tasks: std::collections::HashMap<u64, tokio::task::JoinHandle<()>>,
}

impl Forwards {
    pub(super) fn start(
        &mut self,
        id: u64,
        spec: crate::model::forward::ForwardSpec,
        backend: &std::sync::Arc<Backend>,
        tx: &mpsc::Sender<Event>,
    ) {
        let backend = backend.clone();
        let tx = tx.clone();
        self.tasks.retain(|_, t| !t.is_finished());
        self.tasks.insert(
            id,
            tokio::spawn(async move {
                let (btx, mut brx) = mpsc::channel(1);
                let forward = backend.forward(&spec, btx);
                tokio::pin!(forward);
                let result = loop {
                    tokio::select! {
                        r = &mut forward => break r,
                        Some(address) = brx.recv() => {
                            let _ = tx.send(Event::Forwarding { id, address }).await;
                        }
                    }
                };
                let _ = tx
                    .send(Event::ForwardEnded {
                        id,
                        error: result.err(),
                    })
                    .await;
            }),
        );
    }

    pub(super) fn stop(&mut self, id: u64) {
        if let Some(t) = self.tasks.remove(&id) {
            t.abort();
        }
    }
}
