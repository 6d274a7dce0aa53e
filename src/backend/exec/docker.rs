//! A shell in a task's (or a plain engine's) container through the engine's exec API.

use super::{ExecError, Request, command, pump};
use bollard::Docker;
use bollard::exec::{CreateExecOptions, StartExecOptions, StartExecResults};
use futures::StreamExt;

fn engine(e: bollard::errors::Error) -> ExecError {
    ExecError::Engine(crate::sanitize::one_line(&e.to_string()))
}

/// The container of a task, and the engine that runs it: this one, or the task's node's own
/// (`elsewhere`, from the config). A plain engine's instance is its container.
async fn container_of(
    docker: &Docker,
    elsewhere: &Result<Docker, crate::backend::swarm::Unreached>,
    req: &Request,
    local_node: &str,
    swarm: bool,
) -> Result<(String, Docker), ExecError> {
    if !swarm {
        return Ok((req.id.clone(), docker.clone()));
    }
    let task = docker.inspect_task(&req.id).await.map_err(engine)?;
    let container = task
        .status
        .and_then(|s| s.container_status)
        .and_then(|c| c.container_id)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| ExecError::NotRunning(req.name.clone()))?;
    if !req.node_id.is_empty() && req.node_id != local_node {
        return match elsewhere {
            Ok(node) => Ok((container, node.clone())),
            Err(crate::backend::swarm::Unreached::Failed { host, reason }) => {
                Err(ExecError::NodeFailed {
                    name: req.name.clone(),
                    node: req.node.clone(),
                    host: host.clone(),
                    reason: reason.clone(),
                })
            }
            Err(crate::backend::swarm::Unreached::NotConfigured) => Err(ExecError::Elsewhere {
                name: req.name.clone(),
                node: req.node.clone(),
                command: format!(
                    "docker exec -it {} sh",
                    &container[..container.len().min(12)]
                ),
            }),
        };
    }
    Ok((container, docker.clone()))
}

/// Whether `program` runs in the container: it is started with `-c true`-like arguments and
/// its exit code read (126/127: not there).
async fn exists(docker: &Docker, container: &str, program: &str) -> Result<bool, ExecError> {
    let exec = docker
        .create_exec(
            container,
            CreateExecOptions {
                cmd: Some(vec![program, "-c", "exit 0"]),
                attach_stdout: Some(true),
                attach_stderr: Some(true),
                ..Default::default()
            },
        )
        .await
        .map_err(engine)?;
    if let StartExecResults::Attached { mut output, .. } = docker
        .start_exec(&exec.id, None::<StartExecOptions>)
        .await
        .map_err(engine)?
    {
        while output.next().await.is_some() {}
    }
    let code = docker
        .inspect_exec(&exec.id)
        .await
        .map_err(engine)?
        .exit_code
        .unwrap_or(0);
    Ok(code != 126 && code != 127)
}

/// Runs the shell with the terminal (already in raw mode, off the alternate screen). Returns
/// its exit code.
pub(super) async fn run(
    manager: &Docker,
    elsewhere: &Result<Docker, crate::backend::swarm::Unreached>,
    req: &Request,
    local_node: &str,
    swarm: bool,
    shells: &[String],
) -> Result<i64, ExecError> {
    let (container, docker) = container_of(manager, elsewhere, req, local_node, swarm).await?;
    let docker = &docker;
    let cmd = command(req, shells, |s| {
        let container = &container;
        async move { exists(docker, container, &s).await }
    })
    .await?;
    let exec = docker
        .create_exec(
            &container,
            CreateExecOptions {
                cmd: Some(cmd.clone()),
                attach_stdin: Some(true),
                attach_stdout: Some(true),
                attach_stderr: Some(true),
                tty: Some(true),
                env: Some(vec!["TERM=xterm-256color".to_string()]),
                ..Default::default()
            },
        )
        .await
        .map_err(engine)?;
    let StartExecResults::Attached { output, mut input } = docker
        .start_exec(
            &exec.id,
            Some(StartExecOptions {
                detach: false,
                tty: true,
                ..Default::default()
            }),
        )
        .await
        .map_err(engine)?
    else {
        return Err(ExecError::Engine("detached".into()));
    };
    let (engine2, id) = (docker.clone(), exec.id.clone());
    let resize = move |w: u16, h: u16| -> futures::future::BoxFuture<'static, ()> {
        let (docker, id) = (engine2.clone(), id.clone());
        Box::pin(async move {
            let _ = docker
                .resize_exec(
                    &id,
                    bollard::query_parameters::ResizeExecOptions {
                        w: i32::from(w),
                        h: i32::from(h),
                    },
                )
                .await;
        })
    };
    let output = output
        .take_while(|o| futures::future::ready(o.is_ok()))
        .filter_map(|o| futures::future::ready(o.ok().map(|o| o.into_bytes().to_vec())))
        .boxed();
    pump(output, Box::pin(&mut input), resize).await;
    let code = docker
        .inspect_exec(&exec.id)
        .await
        .ok()
        .and_then(|i| i.exit_code)
        .unwrap_or(0);
    Ok(code)
}
