//! A shell in a task's container or a pod, in this terminal: the caller steps aside (the console
//! drops its key reader and leaves the alternate screen; `estiba exec` has nothing to put away),
//! the container gets a real TTY — raw keys in
//! (Ctrl-C included), its output out, window resizes forwarded — and when the shell ends the
//! console comes back as it was. Through the engine's exec API (`docker.rs`) or the pod's exec
//! subresource over the API server's websocket (`kube.rs`).

mod docker;
mod kube;

use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use std::io::Write;
use tokio::io::{AsyncWrite, AsyncWriteExt};
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
    #[error("{}", crate::tr!("exec.node_failed", name = .name, node = .node, host = .host, reason = .reason))]
    NodeFailed {
        name: String,
        node: String,
        host: String,
        reason: String,
    },
    #[error("{}", crate::tr!("exec.no_shell", name = .name, tried = .tried.join(", ")))]
    NoShell { name: String, tried: Vec<String> },
    #[error("{}", crate::tr!("exec.not_running", name = .0))]
    NotRunning(String),
    #[error("{}", crate::tr!("err.engine", detail = .0))]
    Engine(String),
}

/// How to reach the container.
pub enum Via {
    /// A Docker engine: `manager` answers for the swarm's tasks, `elsewhere` is the task's node's
    /// own engine when it runs on another one and the config gives it, or why it cannot be had
    /// (looked at only for a task on another node).
    Engine {
        manager: bollard::Docker,
        elsewhere: Result<bollard::Docker, super::swarm::Unreached>,
        local_node: String,
        swarm: bool,
    },
    /// The API server of a Kubernetes cluster.
    Kube(::kube::Client),
}

/// What a backend can open a shell through, taken before the backend moves to its task.
pub struct Reach {
    docker: Option<bollard::Docker>,
    nodes: Option<std::sync::Arc<super::swarm::NodeEngines>>,
    kube: Option<super::kube::Clients>,
}

impl Reach {
    pub fn of(backend: &super::Backend) -> Reach {
        Reach {
            docker: backend.docker(),
            nodes: backend.node_engines(),
            kube: backend.kube_clients(),
        }
    }

    /// How to reach `req`'s container, given what the cluster says of itself; `None`: this
    /// backend opens no shells (the demo).
    pub async fn via(
        &self,
        req: &Request,
        info: Option<&crate::model::ClusterInfo>,
    ) -> Option<Via> {
        if let Some(k) = &self.kube {
            return Some(Via::Kube(k.client()));
        }
        let manager = self.docker.clone()?;
        let local_node = info.map(|i| i.node_id.clone()).unwrap_or_default();
        let swarm = info.is_some_and(|i| i.swarm != crate::model::SwarmRole::None);
        let elsewhere = match &self.nodes {
            Some(n) if !req.node_id.is_empty() && req.node_id != local_node => {
                n.get(&req.node).await
            }
            _ => Err(super::swarm::Unreached::NotConfigured),
        };
        Some(Via::Engine {
            manager,
            elsewhere,
            local_node,
            swarm,
        })
    }
}

/// Runs the shell (or `req.cmd`) with the terminal, already in raw mode and off the alternate
/// screen. Returns its exit code.
pub async fn run(via: &Via, req: &Request, shells: &[String]) -> Result<i64, ExecError> {
    match via {
        Via::Engine {
            manager,
            elsewhere,
            local_node,
            swarm,
        } => docker::run(manager, elsewhere, req, local_node, *swarm, shells).await,
        Via::Kube(client) => kube::run(client.clone(), req, shells).await,
    }
}

/// The command to run: `req.cmd`, or the first of `shells` that `exists` finds in the container.
async fn command<F, Fut>(
    req: &Request,
    shells: &[String],
    exists: F,
) -> Result<Vec<String>, ExecError>
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = Result<bool, ExecError>>,
{
    if !req.cmd.is_empty() {
        return Ok(req.cmd.clone());
    }
    for s in shells {
        if exists(s.clone()).await? {
            return Ok(vec![s.clone()]);
        }
    }
    Err(ExecError::NoShell {
        name: req.name.clone(),
        tried: shells.to_vec(),
    })
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

/// Joins the terminal and a TTY in a container until its output ends: keys to `input`, `output`
/// to the screen, the window's size to `resize` (now, and at each change).
async fn pump(
    mut output: BoxStream<'_, Vec<u8>>,
    mut input: std::pin::Pin<Box<dyn AsyncWrite + Send + '_>>,
    mut resize: impl FnMut(u16, u16) -> BoxFuture<'static, ()>,
) {
    if let Ok((w, h)) = crossterm::terminal::size() {
        resize(w, h).await;
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (keys_tx, mut keys) = mpsc::channel::<Vec<u8>>(64);
    let reader = {
        let stop = stop.clone();
        tokio::task::spawn_blocking(move || read_keys(keys_tx, stop))
    };
    let mut winch =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::window_change()).ok();
    let mut stdout = std::io::stdout();
    let mut open_input = true;
    loop {
        tokio::select! {
            out = output.next() => match out {
                Some(bytes) => {
                    let _ = stdout.write_all(&bytes);
                    let _ = stdout.flush();
                }
                None => break,
            },
            Some(k) = keys.recv(), if open_input => {
                if input.write_all(&k).await.is_err() {
                    open_input = false;
                    continue;
                }
                let _ = input.flush().await;
            }
            Some(()) = async {
                match winch.as_mut() {
                    Some(w) => w.recv().await,
                    None => std::future::pending().await,
                }
            } => {
                if let Ok((w, h)) = crossterm::terminal::size() {
                    resize(w, h).await;
                }
            }
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let _ = reader.await;
}
