//! After a deploy: following the stack until every replica runs, with each waiting task's state
//! and the engine's reason, and giving up past the timeout or after repeated failures.

use super::{Swarm, engine_error};
use crate::backend::Error;
use crate::model::action::Progress;
use crate::tr;
use bollard::query_parameters::ListTasksOptions;
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::mpsc;

/// A task's name as `docker service ps` shows it: `web.2`, or `web.<node>` in global mode.
fn task_name(service: &str, t: &bollard::models::Task) -> String {
    match t.slot {
        Some(slot) if slot > 0 => format!("{service}.{slot}"),
        _ => format!(
            "{service}.{}",
            super::convert::short(t.node_id.as_deref().unwrap_or_default())
        ),
    }
}

fn task_state(t: &bollard::models::Task) -> String {
    t.status
        .as_ref()
        .and_then(|s| s.state)
        .map(|s| s.to_string())
        .unwrap_or_default()
}

impl Swarm {
    /// Follows the stack until every replica runs. While it waits it shows each service that is
    /// not there yet and, for each of its tasks that is not running, the state and the engine's
    /// reason (pending: no suitable node…, rejected: No such image…, starting: the health check).
    /// Past `timeout`, or when a service's tasks keep failing, it says why and fails: the stack
    /// stays deployed.
    pub(super) async fn watch_stack(
        &self,
        stack: &str,
        timeout: Duration,
        progress: &mpsc::Sender<Progress>,
    ) -> Result<String, Error> {
        let deadline = tokio::time::Instant::now() + timeout;
        let started = chrono::Utc::now() - chrono::Duration::seconds(1);
        let mut last = String::new();
        loop {
            let workloads = self.workloads().await?;
            let mine: Vec<_> = workloads
                .iter()
                .filter(|w| w.stack.as_deref() == Some(stack))
                .collect();
            let (running, desired) = mine.iter().fold((0, 0), |(r, d), w| {
                (r + w.running.min(w.desired), d + w.desired)
            });
            if running == desired {
                return Ok(tr!(
                    "deploy.converged",
                    running = running,
                    desired = desired
                ));
            }
            let ids: Vec<String> = mine.iter().map(|w| w.id.clone()).collect();
            let tasks = self
                .docker()
                .list_tasks(Some(ListTasksOptions {
                    filters: Some(HashMap::from([("service".to_string(), ids)])),
                }))
                .await
                .map_err(engine_error)?;
            let mut lines = Vec::new();
            let mut failing: Option<(String, String)> = None;
            for w in mine.iter().filter(|w| w.running < w.desired) {
                lines.push(format!("  {} {}/{}", w.name, w.running, w.desired));
                let ours: Vec<&bollard::models::Task> = tasks
                    .iter()
                    .filter(|t| t.service_id.as_deref() == Some(w.id.as_str()))
                    .collect();
                for t in &ours {
                    let state = task_state(t);
                    let wanted = t.desired_state.map(|s| s.to_string()).unwrap_or_default();
                    if wanted == "running" && state != "running" {
                        let why = self.task_reason(t, &state).await;
                        lines.push(format!("    {}  {state}: {why}", task_name(&w.name, t)));
                    }
                }
                // Tasks that failed since the deploy began: three mean it is not going to work.
                let failed: Vec<&&bollard::models::Task> = ours
                    .iter()
                    .filter(|t| matches!(task_state(t).as_str(), "failed" | "rejected"))
                    .filter(|t| {
                        t.status
                            .as_ref()
                            .and_then(|s| s.timestamp.as_deref())
                            .and_then(|ts| chrono::DateTime::parse_from_rfc3339(ts).ok())
                            .is_some_and(|ts| ts >= started)
                    })
                    .collect();
                if failing.is_none() && failed.len() >= 3 {
                    let t = failed[0];
                    let state = task_state(t);
                    let why = self.task_reason(t, &state).await;
                    failing = Some((task_name(&w.name, t), format!("{state}: {why}")));
                }
            }
            if let Some((task, why)) = failing {
                return Err(Error::NotConverged(format!(
                    "{}\n{}",
                    tr!("deploy.failing", stack = stack, task = task, reason = why),
                    lines.join("\n")
                )));
            }
            if tokio::time::Instant::now() > deadline {
                return Err(Error::NotConverged(format!(
                    "{}\n{}",
                    tr!(
                        "deploy.timeout",
                        stack = stack,
                        after = crate::time::age(0, timeout.as_secs() as i64),
                        running = running,
                        desired = desired
                    ),
                    lines.join("\n")
                )));
            }
            let block = format!(
                "{}\n{}",
                tr!(
                    "deploy.converging",
                    stack = stack,
                    running = running,
                    desired = desired
                ),
                lines.join("\n")
            );
            if block != last {
                let _ = progress
                    .send(Progress::Live {
                        text: block.clone(),
                        minor: false,
                    })
                    .await;
                last = block;
            }
            tokio::time::sleep(Duration::from_millis(700)).await;
        }
    }

    /// Why a task is not running, in the engine's words: its error, or its message; for a task
    /// that is starting, its health check (with the check's last output when the container is
    /// on this engine).
    async fn task_reason(&self, t: &bollard::models::Task, state: &str) -> String {
        let status = t.status.as_ref();
        let err = status.and_then(|s| s.err.clone()).filter(|e| !e.is_empty());
        let msg = status.and_then(|s| s.message.clone()).unwrap_or_default();
        let exit = status
            .and_then(|s| s.container_status.as_ref())
            .and_then(|c| c.exit_code)
            .filter(|c| *c != 0);
        let since = status
            .and_then(|s| s.timestamp.as_deref())
            .and_then(crate::time::parse_rfc3339);
        let mut why = match (err, exit) {
            (Some(e), Some(code)) => tr!("deploy.exit", code = code, error = e),
            (Some(e), None) => e,
            (None, Some(code)) => tr!("deploy.exit", code = code, error = msg),
            // Left `new` with no word from the engine: it could not allocate the task.
            (None, None)
                if state == "new"
                    && since
                        .is_some_and(|t| crate::time::now() - t >= crate::model::NEW_TOO_LONG) =>
            {
                let secs = since.map_or(0, |t| crate::time::now() - t);
                tr!("task.not_allocated", secs = secs)
            }
            (None, None) => msg,
        };
        if state == "starting" {
            why = tr!("deploy.health_starting");
            let container = status
                .and_then(|s| s.container_status.as_ref())
                .and_then(|c| c.container_id.clone());
            if let Some(id) = container
                && let Ok(c) = self.docker().inspect_container(&id, None).await
                && let Some(out) = c
                    .state
                    .and_then(|s| s.health)
                    .and_then(|h| h.log)
                    .and_then(|l| l.last().cloned())
                    .and_then(|l| l.output)
            {
                let out = crate::sanitize::one_line(out.trim());
                if !out.is_empty() {
                    why = format!("{why} ({out})");
                }
            }
        }
        crate::sanitize::one_line(&why)
    }
}
