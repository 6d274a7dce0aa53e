//! The lists headless: nodes, services, tasks, images, stacks and the views (networks, volumes,
//! secrets, configs), as a table (the panes' columns, from `crate::columns`) or JSON.

use super::{Output, RunError, h, json, table};
use crate::backend::Backend;
use crate::columns::{self, Column};
use crate::command::Command;
use crate::tr;
use serde::Serialize;

/// The rows as JSON, or as the table of their pane's columns.
fn print<T: Serialize>(
    rows: &[T],
    table_of: &'static [Column<T>],
    output: Output,
    now: i64,
) -> String {
    match output {
        Output::Json => json(&rows),
        Output::Table => {
            let (titles, cells) = columns::headless(table_of, rows, now);
            table(&titles, &cells)
        }
    }
}

/// A list command's text.
pub(super) async fn list(
    backend: &Backend,
    cmd: Command,
    output: Output,
    now: i64,
) -> Result<String, RunError> {
    Ok(match cmd {
        Command::Nodes => print(&backend.nodes().await?, columns::NODES, output, now),
        Command::Tasks { service } => {
            let w = backend.find_workload(&service).await?;
            let list = backend.instances_of(&w).await?;
            print(&list, columns::TASKS, output, now)
        }
        Command::Pods { all_namespaces } => {
            if all_namespaces && backend.is_kube() {
                let (tx, _rx) = tokio::sync::mpsc::channel(8);
                let every = crate::model::action::Action::Namespace(None);
                backend.act(&every, &tx).await?;
            }
            print(&backend.instances().await?, columns::TASKS, output, now)
        }
        Command::Images => print(&backend.images().await?, columns::IMAGES, output, now),
        Command::Get {
            kind,
            all_namespaces,
        } => {
            if all_namespaces && backend.is_kube() {
                let (tx, _rx) = tokio::sync::mpsc::channel(8);
                let every = crate::model::action::Action::Namespace(None);
                backend.act(&every, &tx).await?;
            }
            let l = backend.kind_table(&kind).await?;
            match output {
                Output::Json => json(&l.to_json()),
                Output::Table => table(&columns::listing_headers(&l), &l.rows),
            }
        }
        Command::View(kind) => {
            let l = backend.listing(kind).await?;
            match output {
                Output::Json => json(&l.to_json()),
                Output::Table => table(&columns::listing_headers(&l), &l.rows),
            }
        }
        Command::Stacks => stacks(backend, output).await?,
        // Services and workloads (on Kubernetes, `services` is sent as a listing of Services).
        _ => print(&backend.workloads().await?, columns::SERVICES, output, now),
    })
}

/// `estiba stacks`: each stack with its services, replicas and health.
async fn stacks(backend: &Backend, output: Output) -> Result<String, RunError> {
    let list = crate::model::stacks(&backend.workloads().await?);
    Ok(match output {
        Output::Json => json(&list),
        Output::Table => {
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|s| {
                    vec![
                        s.name.clone(),
                        s.services.to_string(),
                        format!("{}/{}", s.running, s.desired),
                        health_word(s.health),
                    ]
                })
                .collect();
            table(
                &h(&["col.name", "col.services", "col.replicas", "col.health"]),
                &rows,
            )
        }
    })
}

fn health_word(h: crate::model::Health) -> String {
    match h {
        crate::model::Health::Healthy => tr!("stacks.healthy"),
        crate::model::Health::Converging => tr!("stacks.converging"),
        crate::model::Health::Down => tr!("stacks.down"),
    }
}
