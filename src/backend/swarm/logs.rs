//! Following logs. The engine's service logs carry no task names without `details`, which bollard
//! does not ask for, so a service's logs are followed task by task (as the engine itself does),
//! each line prefixed `name.slot@node` like `docker service logs`. New tasks are picked up as
//! they appear.

use super::Swarm;
use crate::backend::Error;
use crate::model::{Instance, LogLine, LogTarget, Stream, SwarmRole};
use crate::sanitize::clean;
use bollard::container::LogOutput;
use bollard::query_parameters::LogsOptions;
use futures::StreamExt;
use std::collections::HashSet;
use std::time::Duration;
use tokio::sync::mpsc;

/// How many of a service's most recent tasks are followed at once.
const MAX_TASKS: usize = 24;

pub async fn follow(
    sw: &Swarm,
    target: &LogTarget,
    opts: &crate::model::LogOptions,
    tx: mpsc::Sender<Vec<LogLine>>,
) -> Result<(), Error> {
    let (tail, follow) = (opts.tail, opts.follow);
    // The engine takes `since`; service logs have no `until`: lines after it are left out here.
    let since = opts
        .since
        .map(|s| i32::try_from(s.max(0)).unwrap_or(i32::MAX))
        .unwrap_or(0);
    let until = opts.until;
    let swarm_mode = sw.role() == SwarmRole::Manager;
    let (lines_tx, mut lines_rx) = mpsc::channel::<LogLine>(1024);
    let mut seen: HashSet<String> = HashSet::new();
    let mut streams = tokio::task::JoinSet::new();
    let spawn = |set: &mut tokio::task::JoinSet<()>, inst: &Instance, tail: String| {
        let docker = sw.docker();
        let opts = LogsOptions {
            follow,
            stdout: true,
            stderr: true,
            timestamps: true,
            since,
            tail,
            ..Default::default()
        };
        let source = if inst.node.is_empty() {
            inst.name.clone()
        } else {
            format!("{}@{}", inst.name, inst.node)
        };
        let id = inst.id.clone();
        let tx = lines_tx.clone();
        set.spawn(async move {
            let mut s = if swarm_mode {
                docker.task_logs(&id, Some(opts)).boxed()
            } else {
                docker.logs(&id, Some(opts)).boxed()
            };
            while let Some(Ok(out)) = s.next().await {
                for line in parse(&source, out) {
                    if until.is_some_and(|u| line.ts.is_some_and(|t| t >= u)) {
                        continue;
                    }
                    if tx.send(line).await.is_err() {
                        return;
                    }
                }
            }
        });
    };
    let instances = pick(sw, target).await?;
    for i in &instances {
        seen.insert(i.id.clone());
        spawn(
            &mut streams,
            i,
            if tail > 1_000_000 {
                "all".into()
            } else {
                tail.to_string()
            },
        );
    }

    // The first lines of every stream arrive together: sort them by time. The engine already
    // kept the last `tail` of each task, as `docker service logs --tail` shows them.
    let mut first = Vec::new();
    let settle = tokio::time::sleep(Duration::from_millis(if follow { 300 } else { 30_000 }));
    tokio::pin!(settle);
    loop {
        tokio::select! {
            _ = &mut settle => break,
            l = lines_rx.recv() => match l {
                Some(l) => first.push(l),
                None => break,
            },
            _ = wait_all(&mut streams), if !follow => break,
        }
    }
    if !follow {
        while let Ok(l) = lines_rx.try_recv() {
            first.push(l);
        }
    }
    first.sort_by_key(|l| (l.ts, l.ts_nanos));
    if tx.send(first).await.is_err() || !follow {
        return Ok(());
    }

    let mut rescan = tokio::time::interval(Duration::from_secs(2));
    rescan.tick().await;
    let mut batch = Vec::new();
    let mut flush = tokio::time::interval(Duration::from_millis(50));
    loop {
        tokio::select! {
            l = lines_rx.recv() => match l {
                Some(l) => batch.push(l),
                None => return Ok(()),
            },
            _ = flush.tick(), if !batch.is_empty() => {
                if tx.send(std::mem::take(&mut batch)).await.is_err() {
                    return Ok(());
                }
            }
            _ = rescan.tick(), if matches!(target, LogTarget::Workload { .. }) => {
                for i in pick(sw, target).await? {
                    if seen.insert(i.id.clone()) {
                        spawn(&mut streams, &i, "all".into());
                    }
                }
            }
            _ = tx.closed() => return Ok(()),
        }
    }
}

async fn wait_all(set: &mut tokio::task::JoinSet<()>) {
    while set.join_next().await.is_some() {}
}

/// The instances whose logs make up the target's: a workload's most recent tasks, or one.
async fn pick(sw: &Swarm, target: &LogTarget) -> Result<Vec<Instance>, Error> {
    let all = sw.instances().await?;
    let mut chosen: Vec<Instance> = match target {
        LogTarget::Workload { id, .. } => {
            all.into_iter().filter(|i| &i.workload_id == id).collect()
        }
        LogTarget::Instance { id, name } => {
            let one: Vec<Instance> = all.into_iter().filter(|i| &i.id == id).collect();
            if one.is_empty() {
                return Err(Error::NotFound {
                    kind: "kind.task",
                    name: name.clone(),
                    suggestion: None,
                });
            }
            one
        }
    };
    // Tasks that never started have no logs to give.
    chosen.retain(|i| {
        !matches!(
            i.state.as_str(),
            "new" | "pending" | "assigned" | "rejected" | "allocated"
        )
    });
    chosen.sort_by_key(|i| std::cmp::Reverse(i.since));
    chosen.truncate(MAX_TASKS);
    Ok(chosen)
}

/// Splits one chunk of engine output into lines, reading the timestamp the engine put first.
fn parse(source: &str, out: LogOutput) -> Vec<LogLine> {
    let (stream, bytes) = match out {
        LogOutput::StdErr { message } => (Stream::Stderr, message),
        LogOutput::StdOut { message } | LogOutput::Console { message } => (Stream::Stdout, message),
        LogOutput::StdIn { .. } => return vec![],
    };
    let text = String::from_utf8_lossy(&bytes);
    text.split('\n')
        .filter(|l| !l.is_empty())
        .map(|raw| {
            let (ts, nanos, rest) = split_timestamp(raw);
            LogLine {
                source: source.to_string(),
                stream,
                ts,
                ts_nanos: nanos,
                text: clean(rest.trim_end_matches('\r')),
            }
        })
        .collect()
}

pub(crate) fn split_timestamp(raw: &str) -> (Option<i64>, u32, &str) {
    if let Some((first, rest)) = raw.split_once(' ')
        && let Some(ts) = crate::time::parse_rfc3339(first)
    {
        let nanos = first
            .split_once('.')
            .map(|(_, f)| {
                let digits: String = f.chars().take_while(char::is_ascii_digit).take(9).collect();
                format!("{digits:0<9}").parse().unwrap_or(0)
            })
            .unwrap_or(0);
        return (Some(ts), nanos, rest);
    }
    (None, 0, raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_read_off_the_front() {
        let (ts, n, rest) = split_timestamp("2026-11-22T02:05:14.5Z hello world");
        assert_eq!(
            (ts, n, rest),
            (Some(1_795_313_114), 500_000_000, "hello world")
        );
        assert_eq!(split_timestamp("no stamp here"), (None, 0, "no stamp here"));
    }

    #[test]
    fn chunks_split_into_clean_lines() {
        let out = LogOutput::StdErr {
            message: "2026-11-22T02:05:14Z a\u{1b}[31mb\n2026-11-22T02:05:15Z c\n".into(),
        };
        let lines = parse("web.1@n1", out);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].text, "ab");
        assert_eq!(lines[1].stream, Stream::Stderr);
        assert_eq!(lines[1].source, "web.1@n1");
    }
}
