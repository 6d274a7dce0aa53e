//! A Deployment's or a pod's logs, through the API server (`kubectl logs`), with the lines'
//! timestamps read off their prefix.

use super::{Kube, kube_error};
use crate::backend::Error;
use crate::model::{LogLine, LogTarget};
use futures::StreamExt;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams, LogParams};
use tokio::sync::mpsc;

impl Kube {
    pub async fn logs(
        &self,
        target: &LogTarget,
        opts: &crate::model::LogOptions,
        tx: mpsc::Sender<Vec<LogLine>>,
    ) -> Result<(), Error> {
        let (tail, follow, until) = (opts.tail, opts.follow, opts.until);
        let since_seconds = opts.since.map(|s| (crate::time::now() - s).max(1));
        let pods: Vec<Pod> = match target {
            LogTarget::Instance { id, name } => {
                let all = self
                    .api::<Pod>()
                    .list(&ListParams::default())
                    .await
                    .map_err(kube_error)?;
                let found = all
                    .items
                    .into_iter()
                    .find(|p| p.metadata.uid.as_deref() == Some(id.as_str()));
                vec![found.ok_or_else(|| Error::NotFound {
                    kind: "kind.pod",
                    name: name.clone(),
                    suggestion: None,
                })?]
            }
            LogTarget::Workload { id, .. } => self.pods_of(id).await?,
        };
        let lp = |c: Option<String>| LogParams {
            container: c,
            follow,
            tail_lines: Some(tail.min(i64::MAX as usize) as i64),
            timestamps: true,
            since_seconds,
            previous: opts.previous,
            ..Default::default()
        };
        let streams = sources(&pods, opts)
            .into_iter()
            .map(|(ns, pod, container, source)| {
                let api: Api<Pod> = Api::namespaced(self.client(), &ns);
                let params = lp(container);
                let tx = tx.clone();
                let name = pod;
                async move {
                    use futures::AsyncBufReadExt;
                    let reader = api.log_stream(&name, &params).await.map_err(kube_error)?;
                    let mut lines = reader.lines();
                    while let Some(line) = lines.next().await {
                        let line = line.map_err(|e| Error::engine(e.to_string()))?;
                        let (ts, nanos, text) = split_timestamp(&line);
                        // The API has no `until`: later lines are left out here.
                        if until.is_some_and(|u| ts.is_some_and(|t| t >= u)) {
                            continue;
                        }
                        let l = LogLine {
                            source: source.clone(),
                            stream: crate::model::Stream::Stdout,
                            ts,
                            ts_nanos: nanos,
                            text: crate::sanitize::clean(text),
                        };
                        if tx.send(vec![l]).await.is_err() {
                            break;
                        }
                    }
                    Ok::<(), Error>(())
                }
            });
        for r in futures::future::join_all(streams).await {
            r?;
        }
        Ok(())
    }
}

/// What to stream: each pod's namespace, name, container and the lines' source. The container
/// asked for, else every container (`--all-containers`, a workload in the console: the source
/// is then `pod/container` where a pod has several), else the pod's first (kubectl's default).
fn sources(
    pods: &[Pod],
    opts: &crate::model::LogOptions,
) -> Vec<(String, String, Option<String>, String)> {
    let mut out = Vec::new();
    for p in pods {
        let name = p.metadata.name.clone().unwrap_or_default();
        let ns = p.metadata.namespace.clone().unwrap_or_default();
        let all: Vec<String> = p
            .spec
            .as_ref()
            .map(|s| s.containers.iter().map(|c| c.name.clone()).collect())
            .unwrap_or_default();
        let chosen: Vec<Option<String>> = match &opts.container {
            Some(c) => vec![Some(c.clone())],
            None if opts.all_containers && all.len() > 1 => all.iter().cloned().map(Some).collect(),
            None => vec![all.first().cloned()],
        };
        let several = chosen.len() > 1;
        for c in chosen {
            let source = match (&c, several) {
                (Some(c), true) => format!("{name}/{c}"),
                _ => name.clone(),
            };
            out.push((ns.clone(), name.clone(), c, source));
        }
    }
    out
}

/// `2026-11-22T04:40:12.123456789Z text` → seconds, nanoseconds and the text.
fn split_timestamp(line: &str) -> (Option<i64>, u32, &str) {
    match line.split_once(' ') {
        Some((ts, rest)) => match crate::time::parse_rfc3339(ts) {
            Some(secs) => {
                let nanos = ts
                    .split_once('.')
                    .map(|(_, f)| {
                        let digits: String = f.chars().take_while(char::is_ascii_digit).collect();
                        format!("{digits:0<9}")[..9].parse().unwrap_or(0)
                    })
                    .unwrap_or(0);
                (Some(secs), nanos, rest)
            }
            None => (None, 0, line),
        },
        None => (None, 0, line),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_lines_lose_their_timestamp_prefix() {
        let (ts, nanos, text) = split_timestamp("2026-11-22T04:40:12.5Z hello world");
        assert_eq!(ts, crate::time::parse_rfc3339("2026-11-22T04:40:12Z"));
        assert_eq!(nanos, 500_000_000);
        assert_eq!(text, "hello world");
        assert_eq!(split_timestamp("no stamp here"), (None, 0, "no stamp here"));
    }
}
