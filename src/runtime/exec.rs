//! A shell in a task's container, in this terminal: the console steps aside (its key reader is
//! dropped, the alternate screen left), the container gets a real TTY through the engine's exec
//! API — raw keys in (Ctrl-C included), its output out, window resizes forwarded — and when the
//! shell ends the console comes back as it was.

use bollard::Docker;
use bollard::exec::{CreateExecOptions, StartExecOptions, StartExecResults};
use futures::StreamExt;
use std::io::Write;
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;

pub use crate::model::ExecRequest as Request;

/// Why no shell was opened, in words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExecError {
    #[error("{}", crate::tr!("exec.elsewhere", name = .name, node = .node, command = .command))]
    Elsewhere {
        name: String,
        node: String,
        command: String,
    },
    #[error("{}", crate::tr!("exec.no_shell", name = .name, tried = .tried.join(", ")))]
    NoShell { name: String, tried: Vec<String> },
    #[error("{}", crate::tr!("exec.not_running", name = .0))]
    NotRunning(String),
    #[error("{}", crate::tr!("err.engine", detail = .0))]
    Engine(String),
}

fn engine(e: bollard::errors::Error) -> ExecError {
    ExecError::Engine(crate::sanitize::one_line(&e.to_string()))
}

/// The container of a task, and the engine that runs it: this one, or the task's node's own
/// (`elsewhere`, from the config). A plain engine's instance is its container.
async fn container_of(
    docker: &Docker,
    elsewhere: Option<&Docker>,
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
        if let Some(node) = elsewhere {
            return Ok((container, node.clone()));
        }
        return Err(ExecError::Elsewhere {
            name: req.name.clone(),
            node: req.node.clone(),
            command: format!(
                "docker exec -it {} sh",
                &container[..container.len().min(12)]
            ),
        });
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

/// Reads the terminal's raw bytes until `stop` is set (polling, so that the thread ends with
/// the shell and takes no key meant for the console).
fn read_keys(tx: mpsc::Sender<Vec<u8>>, stop: std::sync::Arc<std::sync::atomic::AtomicBool>) {
    use std::sync::atomic::Ordering;
    let mut buf = [0u8; 1024];
    while !stop.load(Ordering::Relaxed) {
        let mut fds = libc::pollfd {
            fd: 0,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one pollfd for stdin, which lives for the call.
        let ready = unsafe { libc::poll(&mut fds, 1, 50) };
        if ready <= 0 || fds.revents & libc::POLLIN == 0 {
            continue;
        }
        // SAFETY: reads into a buffer of that length.
        let n = unsafe { libc::read(0, buf.as_mut_ptr().cast(), buf.len()) };
        if n <= 0 {
            break;
        }
        if tx.blocking_send(buf[..n as usize].to_vec()).is_err() {
            break;
        }
    }
}

/// Runs the shell with the terminal (already in raw mode, off the alternate screen). Returns
/// its exit code.
pub async fn run(
    manager: &Docker,
    elsewhere: Option<&Docker>,
    req: &Request,
    local_node: &str,
    swarm: bool,
    shells: &[String],
) -> Result<i64, ExecError> {
    let (container, docker) = container_of(manager, elsewhere, req, local_node, swarm).await?;
    let docker = &docker;
    let cmd: Vec<String> = if req.cmd.is_empty() {
        let mut found = None;
        for s in shells {
            if exists(docker, &container, s).await? {
                found = Some(s.clone());
                break;
            }
        }
        vec![found.ok_or_else(|| ExecError::NoShell {
            name: req.name.clone(),
            tried: shells.to_vec(),
        })?]
    } else {
        req.cmd.clone()
    };
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
    let StartExecResults::Attached {
        mut output,
        mut input,
    } = docker
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
    let resize = |docker: Docker, id: String| async move {
        if let Ok((w, h)) = crossterm::terminal::size() {
            let _ = docker
                .resize_exec(
                    &id,
                    bollard::query_parameters::ResizeExecOptions {
                        w: i32::from(w),
                        h: i32::from(h),
                    },
                )
                .await;
        }
    };
    resize(docker.clone(), exec.id.clone()).await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (keys_tx, mut keys) = mpsc::channel::<Vec<u8>>(64);
    let reader = {
        let stop = stop.clone();
        tokio::task::spawn_blocking(move || read_keys(keys_tx, stop))
    };
    let mut winch =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::window_change()).ok();
    let mut stdout = std::io::stdout();
    loop {
        tokio::select! {
            out = output.next() => match out {
                Some(Ok(o)) => {
                    let _ = stdout.write_all(&o.into_bytes());
                    let _ = stdout.flush();
                }
                _ => break,
            },
            Some(k) = keys.recv() => {
                if input.write_all(&k).await.is_err() {
                    break;
                }
                let _ = input.flush().await;
            }
            Some(()) = async {
                match winch.as_mut() {
                    Some(w) => w.recv().await,
                    None => std::future::pending().await,
                }
            } => resize(docker.clone(), exec.id.clone()).await,
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let _ = reader.await;
    let code = docker
        .inspect_exec(&exec.id)
        .await
        .ok()
        .and_then(|i| i.exit_code)
        .unwrap_or(0);
    Ok(code)
}
