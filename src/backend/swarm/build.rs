//! `docker build` through the engine's builder: the context checked (`build::prepare`), streamed
//! as a tar from a blocking thread through a small channel (a context of any size is never held
//! in memory), the builder's stream read into steps (`build::steps`), extra tags set once the
//! image is whole. Dropping the future (Ctrl-C, `Esc`) closes the request: the engine stops the
//! build, and since the builder tags only at the end, nothing is left half-tagged.

use super::Swarm;
use crate::backend::Error;
use crate::build::{self, context, steps::Steps};
use crate::model::action::{BuildSpec, Outcome, Progress};
use crate::model::human_size;
use crate::tr;
use bollard::query_parameters::{BuildImageOptions, TagImageOptions};
use bytes::Bytes;
use futures::StreamExt;
use std::io::Write;
use tokio::sync::mpsc;

/// Bytes per piece of the context sent to the engine.
const CHUNK: usize = 256 * 1024;

/// A `Write` that hands the tar to the request in pieces, waiting while the engine is slower
/// than the disk (the channel holds a few pieces: memory stays flat).
struct Pieces {
    buf: Vec<u8>,
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
    sent: u64,
    progress: mpsc::Sender<Progress>,
    shown: u64,
}

impl Pieces {
    fn push(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let piece = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.sent += piece.len() as u64;
        self.tx
            .blocking_send(Ok(piece))
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::BrokenPipe))?;
        if self.sent - self.shown >= 32 * 1024 * 1024 {
            self.shown = self.sent;
            let _ = self.progress.try_send(Progress::Live {
                text: tr!("build.sending", files = "…", size = human_size(self.sent)),
                minor: true,
            });
        }
        Ok(())
    }
}

impl Write for Pieces {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.push()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.push()
    }
}

fn pairs(kv: &[(String, String)]) -> Option<std::collections::HashMap<String, String>> {
    (!kv.is_empty()).then(|| kv.iter().cloned().collect())
}

impl Swarm {
    pub(super) async fn build(
        &self,
        spec: &BuildSpec,
        progress: &mpsc::Sender<Progress>,
    ) -> Result<Outcome, Error> {
        let prepared = build::prepare(spec).map_err(|e| Error::Refused(e.to_string()))?;
        let started = std::time::Instant::now();
        let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(4);
        let writer = {
            let (root, ignore, at) = (
                prepared.root.clone(),
                prepared.ignore.clone(),
                prepared.at.clone(),
            );
            let pieces = Pieces {
                buf: Vec::with_capacity(CHUNK),
                tx: tx.clone(),
                sent: 0,
                progress: progress.clone(),
                shown: 0,
            };
            tokio::task::spawn_blocking(move || {
                let r = context::write(&root, &ignore, &at, pieces);
                if let Err(e) = &r {
                    // Ends the request with the reason, so the engine builds nothing.
                    let _ = tx.blocking_send(Err(std::io::Error::new(e.kind(), e.to_string())));
                }
                r
            })
        };
        let body = futures::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|piece| (piece, rx))
        });
        let options = BuildImageOptions {
            dockerfile: prepared.dockerfile_name().to_string(),
            t: spec.tags.first().cloned(),
            nocache: spec.no_cache,
            pull: spec.pull.then(|| "1".to_string()),
            buildargs: pairs(&spec.build_args),
            labels: pairs(&spec.labels),
            target: spec.target.clone().unwrap_or_default(),
            // A failed step's container is removed too (the docker CLI's legacy builder leaves
            // it unless --force-rm; BuildKit leaves nothing): a failed build leaves nothing.
            forcerm: true,
            ..Default::default()
        };
        let docker = self.docker();
        let mut stream = docker.build_image(options, None, Some(bollard::body_try_stream(body)));
        let mut steps = Steps::new(&prepared.dockerfile.file, prepared.steps.clone());
        while let Some(item) = stream.next().await {
            let now = started.elapsed().as_secs_f64();
            let info = match item {
                Ok(info) => info,
                Err(bollard::errors::Error::DockerStreamError { error }) => {
                    return Err(Error::Refused(steps.failure(&error)));
                }
                Err(e) => return Err(self.build_failed(e, writer).await),
            };
            if let Some(text) = &info.stream {
                for p in steps.feed(text, now) {
                    let _ = progress.send(p).await;
                }
            }
            if let Some(status) = info.status.filter(|s| !s.is_empty()) {
                let line = match info.id {
                    Some(id) => format!("  {id}: {status}"),
                    None => format!("  {status}"),
                };
                let _ = progress
                    .send(Progress::Live {
                        text: line,
                        minor: true,
                    })
                    .await;
            }
            if let Some(id) = info.aux.and_then(|a| a.id) {
                steps.image.get_or_insert(id);
            }
        }
        let sent = match writer.await {
            Ok(Ok(sent)) => sent,
            Ok(Err(e)) => return Err(Error::Refused(tr!("build.read_failed", reason = e))),
            Err(e) => return Err(Error::engine(e.to_string())),
        };
        let Some(id) = steps.image.clone() else {
            return Err(Error::Refused(steps.failure("")));
        };
        for extra in spec.tags.iter().skip(1) {
            let (repo, tag) = crate::model::reference::split_tag(extra);
            docker
                .tag_image(
                    &id,
                    Some(TagImageOptions {
                        repo: Some(repo),
                        tag: Some(tag),
                    }),
                )
                .await
                .map_err(|e| {
                    Error::engine(e.to_string()).about(crate::model::inspect::Kind::Image, extra)
                })?;
        }
        Ok(steps.outcome(spec, &id, sent, started.elapsed().as_secs_f64()))
    }

    /// The request failed: because the context could not be read, or the engine said so.
    async fn build_failed(
        &self,
        e: bollard::errors::Error,
        writer: tokio::task::JoinHandle<std::io::Result<context::Sent>>,
    ) -> Error {
        match writer.await {
            Ok(Err(read)) => Error::Refused(tr!("build.read_failed", reason = read)),
            _ => super::engine_error(e),
        }
    }
}

impl Swarm {
    /// What made each layer of a local image, oldest first (`docker history`, reversed).
    pub(crate) async fn image_history(&self, image: &str) -> Result<Vec<String>, Error> {
        let layers =
            self.docker().image_history(image).await.map_err(|e| {
                super::engine_error(e).about(crate::model::inspect::Kind::Image, image)
            })?;
        Ok(layers.into_iter().rev().map(|l| l.created_by).collect())
    }
}
