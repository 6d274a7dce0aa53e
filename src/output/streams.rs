//! What a headless command streams to this terminal: logs, the cluster's events, a shell.

use super::{Output, Permissions, RunError};
use crate::backend::{Backend, Error};
use crate::tr;
use std::io::Write;

/// `estiba port-forward TARGET [LOCAL:]REMOTE`: says where it listens, as kubectl does, and
/// forwards until Ctrl-C.
pub(super) async fn forward(
    backend: &Backend,
    spec: crate::model::forward::ForwardSpec,
) -> Result<(), RunError> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<String>(1);
    let what = format!("{}:{}", spec.target, spec.remote);
    let say = async move {
        while let Some(address) = rx.recv().await {
            println!("{}", tr!("pf.listening", address = address, what = what));
            let _ = std::io::stdout().flush();
        }
    };
    let (result, ()) = tokio::join!(backend.forward(&spec, tx), say);
    Ok(result?)
}

/// `estiba exec TASK [-- CMD]`: the shell in this terminal; exits with its code.
pub(super) async fn exec(
    backend: &Backend,
    target: Option<String>,
    container: Option<String>,
    cmd: Vec<String>,
    perms: &Permissions,
) -> Result<(), RunError> {
    let target = target.ok_or_else(|| RunError::Lab(tr!("exec.pick")))?;
    if perms.readonly {
        return Err(RunError::Backend(Error::ReadOnly(format!("exec {target}"))));
    }
    let info = backend.info().await?;
    let i = crate::backend::find_by_name(backend.instances().await?, &target, "kind.task", |i| {
        (&i.name, &i.id)
    })?;
    let all = i.containers.join(", ");
    match i.container_choice(container.as_deref()) {
        Some(crate::model::ContainerChoice::Ask) => {
            return Err(RunError::Lab(tr!(
                "exec.pick_container",
                name = i.name,
                containers = all
            )));
        }
        Some(crate::model::ContainerChoice::Unknown(c)) => {
            return Err(RunError::Lab(tr!(
                "exec.no_container",
                name = i.name,
                container = c,
                containers = all
            )));
        }
        None => {}
    }
    let req = crate::model::ExecRequest::new(i, container, cmd);
    let reach = crate::backend::exec::Reach::of(backend);
    let Some(via) = reach.via(&req, Some(&info)).await else {
        return Err(RunError::Lab(tr!("exec.no_engine")));
    };
    let tty = std::io::IsTerminal::is_terminal(&std::io::stdin());
    if tty {
        crossterm::terminal::enable_raw_mode()?;
    }
    let r = crate::backend::exec::run(&via, &req, &perms.shells).await;
    if tty {
        let _ = crossterm::terminal::disable_raw_mode();
    }
    match r {
        Ok(0) => Ok(()),
        Ok(code) => Err(RunError::Exit(code.clamp(1, 255) as u8)),
        Err(e) => Err(RunError::Lab(e.to_string())),
    }
}

/// `estiba logs`: the target's lines, stdout and stderr as the containers wrote them.
pub(super) async fn logs(
    backend: &Backend,
    target: &str,
    opts: crate::model::LogOptions,
    output: Output,
) -> Result<(), RunError> {
    let target = backend.resolve_log_target(target).await?;
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    let printer = async move {
        while let Some(batch) = rx.recv().await {
            let batch: Vec<crate::model::LogLine> = batch;
            for l in batch {
                let text = match output {
                    Output::Json => serde_json::to_string(&l).unwrap_or_default(),
                    Output::Table => format!("{}    | {}", l.source, l.text),
                };
                let res = match l.stream {
                    crate::model::Stream::Stdout => writeln!(std::io::stdout(), "{text}"),
                    crate::model::Stream::Stderr => writeln!(std::io::stderr(), "{text}"),
                };
                if res.is_err() {
                    return;
                }
            }
        }
    };
    let (res, ()) = tokio::join!(backend.logs(&target, &opts, tx), printer);
    res?;
    Ok(())
}

/// `estiba events`: the cluster's events as they come (`--since`, `-f`).
pub(super) async fn events(
    backend: &Backend,
    since: i64,
    follow: bool,
    output: Output,
) -> Result<(), RunError> {
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    let printer = async move {
        while let Some(batch) = rx.recv().await {
            let batch: Vec<crate::model::events::ClusterEvent> = batch;
            for e in batch {
                let text = match output {
                    Output::Json => serde_json::to_string(&e).unwrap_or_default(),
                    Output::Table => e.line(&crate::time::format_utc(e.time)),
                };
                if writeln!(std::io::stdout(), "{text}").is_err() {
                    return;
                }
            }
        }
    };
    let (res, ()) = tokio::join!(backend.events(since, follow, tx), printer);
    res?;
    Ok(())
}
