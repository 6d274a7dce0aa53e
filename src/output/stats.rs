//! `estiba stats [SERVICE] [--no-stream]`: the use of running tasks, as `docker stats` prints it
//! (the same columns and units), or as JSON with the raw numbers.

use super::Output;
use super::{RunError, h, json, table};
use crate::backend::Backend;
use crate::model::Instance;
use crate::model::stats::{StatsTarget, Usage, binary_size, decimal_size};
use crate::tr;
use serde::Serialize;
use std::collections::HashMap;
use std::io::Write;
use std::time::Duration;

/// A row of `--output json`: the task and its use in plain numbers.
#[derive(Debug, Serialize)]
struct Row<'a> {
    task: &'a str,
    container: &'a str,
    node: &'a str,
    #[serde(flatten)]
    usage: Option<&'a Usage>,
    mem_percent: Option<f64>,
}

/// The running tasks of `service` (every service's without one).
async fn running(backend: &Backend, service: Option<&str>) -> Result<Vec<Instance>, RunError> {
    let only = match service {
        Some(name) => Some(backend.find_workload(name).await?.id),
        None => None,
    };
    let mut list: Vec<Instance> = backend
        .instances()
        .await?
        .into_iter()
        .filter(|i| only.as_ref().is_none_or(|w| &i.workload_id == w))
        .filter(|i| i.state.starts_with("running") && !i.finished() && !i.container.is_empty())
        .collect();
    list.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(list)
}

fn render(list: &[Instance], got: &HashMap<String, Usage>, output: Output) -> String {
    match output {
        Output::Json => {
            let rows: Vec<Row> = list
                .iter()
                .map(|i| {
                    let usage = got.get(&i.id);
                    Row {
                        task: &i.name,
                        container: &i.container,
                        node: &i.node,
                        usage,
                        mem_percent: usage.filter(|u| !u.only_cpu_mem).map(Usage::mem_percent),
                    }
                })
                .collect();
            json(&rows)
        }
        Output::Table => {
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|i| {
                    let mut row = vec![i.name.clone(), i.node.clone()];
                    match got.get(&i.id) {
                        Some(u) if u.only_cpu_mem => row.extend([
                            format!("{:.2}%", u.cpu_percent),
                            binary_size(u.mem_usage),
                            "--".into(),
                            "--".into(),
                            "--".into(),
                            "--".into(),
                        ]),
                        Some(u) => row.extend([
                            format!("{:.2}%", u.cpu_percent),
                            format!(
                                "{} / {}",
                                binary_size(u.mem_usage),
                                binary_size(u.mem_limit)
                            ),
                            format!("{:.2}%", u.mem_percent()),
                            format!("{} / {}", decimal_size(u.net_rx), decimal_size(u.net_tx)),
                            format!(
                                "{} / {}",
                                decimal_size(u.block_read),
                                decimal_size(u.block_write)
                            ),
                            u.pids.to_string(),
                        ]),
                        None => row.extend(std::iter::repeat_n("--".to_string(), 6)),
                    }
                    row
                })
                .collect();
            table(
                &h(&[
                    "col.name",
                    "col.node",
                    "stats.cpu",
                    "stats.mem",
                    "stats.mem_percent",
                    "stats.net",
                    "stats.block",
                    "stats.pids",
                ]),
                &rows,
            )
        }
    }
}

/// Prints the tasks' use once (`no_stream`) or again and again until interrupted.
pub async fn stats(
    backend: &Backend,
    service: Option<String>,
    no_stream: bool,
    output: Output,
) -> Result<(), RunError> {
    let tty = std::io::IsTerminal::is_terminal(&std::io::stdout());
    loop {
        let list = running(backend, service.as_deref()).await?;
        let targets: Vec<StatsTarget> = list.iter().map(StatsTarget::of).collect();
        let got = backend.stats_once(&targets).await?;
        let mut unreached: Vec<(&str, crate::backend::swarm::Unreached)> = Vec::new();
        for i in &list {
            if got.contains_key(&i.id) || unreached.iter().any(|(n, _)| *n == i.node) {
                continue;
            }
            if let Err(why) = backend.reaches(&i.node_id, &i.node).await {
                unreached.push((&i.node, why));
            }
        }
        let mut text = render(&list, &got, output);
        if list.is_empty() && output == Output::Table {
            text = format!("{}\n", tr!("stats.nothing"));
        }
        let mut out = std::io::stdout().lock();
        if !no_stream && tty {
            // As `docker stats`: the table in place of the last.
            write!(out, "\x1b[2J\x1b[H")?;
        }
        write!(out, "{text}")?;
        for (node, why) in &unreached {
            let said = match why {
                crate::backend::swarm::Unreached::NotConfigured => {
                    tr!("stats.unreached", node = node)
                }
                crate::backend::swarm::Unreached::Failed { host, reason } => {
                    tr!(
                        "stats.node_failed",
                        node = node,
                        host = host,
                        reason = reason
                    )
                }
            };
            writeln!(out, "{said}")?;
        }
        out.flush()?;
        drop(out);
        if no_stream {
            return Ok(());
        }
        let pause = if backend.is_kube() { 15 } else { 1 };
        tokio::time::sleep(Duration::from_secs(pause)).await;
    }
}
