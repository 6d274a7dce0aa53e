//! A shell in a pod's container through the exec subresource, over the API server's websocket
//! (what `kubectl exec -it` does).

use super::{ExecError, Request, command, pump};
use futures::StreamExt;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;
use kube::api::{Api, AttachParams, TerminalSize};
use tokio::io::AsyncReadExt;

fn api_error(e: kube::Error) -> ExecError {
    ExecError::Engine(crate::sanitize::one_line(&match e {
        kube::Error::Api(s) => s.message.clone(),
        other => other.to_string(),
    }))
}

/// The exit code an exec's final status carries: 0 on success, the `ExitCode` cause a kubelet
/// gives (`NonZeroExitCode`); else Go's own words for it ("exit status 3"), which is how
/// runtimes that wrap the error (kwok's local exec) say it; a command that could not start
/// reads as 127 (as a shell says "not found").
fn code(status: Option<Status>) -> i64 {
    let Some(s) = status else { return 0 };
    if s.status.as_deref() == Some("Success") {
        return 0;
    }
    let cause = s
        .details
        .as_ref()
        .and_then(|d| d.causes.as_ref())
        .and_then(|c| {
            c.iter()
                .find(|c| c.reason.as_deref() == Some("ExitCode"))
                .and_then(|c| c.message.as_deref()?.parse().ok())
        });
    let said = || {
        let m = s.message.as_deref()?;
        let at = m.rfind("exit status ")?;
        m[at + "exit status ".len()..].trim().parse().ok()
    };
    cause.or_else(said).unwrap_or(127)
}

/// Whether `program` runs in the container: started with `-c "exit 0"`, its status read.
async fn exists(
    api: &Api<Pod>,
    pod: &str,
    container: Option<&str>,
    program: &str,
) -> Result<bool, ExecError> {
    let mut ap = AttachParams::default().stdout(true).stderr(true);
    ap.container = container.map(str::to_string);
    let mut p = api
        .exec(pod, vec![program, "-c", "exit 0"], &ap)
        .await
        .map_err(api_error)?;
    let status = p.take_status();
    let (mut out, mut err) = (p.stdout(), p.stderr());
    let drain = async {
        let mut sink = Vec::new();
        if let Some(o) = out.as_mut() {
            let _ = o.read_to_end(&mut sink).await;
        }
        if let Some(e) = err.as_mut() {
            let _ = e.read_to_end(&mut sink).await;
        }
    };
    let (status, ()) = tokio::join!(
        async {
            match status {
                Some(s) => s.await,
                None => None,
            }
        },
        drain
    );
    let _ = p.join().await;
    Ok(!matches!(code(status), 126 | 127))
}

/// Runs the shell (or `req.cmd`) in the pod `req.handle` (`namespace/pod`) with the terminal.
pub(super) async fn run(
    client: kube::Client,
    req: &Request,
    shells: &[String],
) -> Result<i64, ExecError> {
    let (ns, pod) = req
        .handle
        .split_once('/')
        .ok_or_else(|| ExecError::NotRunning(req.name.clone()))?;
    let api: Api<Pod> = Api::namespaced(client, ns);
    let container = req.container.as_deref();
    let api_ref = &api;
    let cmd = command(req, shells, |s| async move {
        exists(api_ref, pod, container, &s).await
    })
    .await?;
    // A terminal when there is one (as kubectl exec -it); piped, stdout and stderr apart (-i).
    let tty = std::io::IsTerminal::is_terminal(&std::io::stdin());
    let mut ap = AttachParams::default()
        .stdin(true)
        .stdout(true)
        .stderr(!tty)
        .tty(tty);
    ap.container = req.container.clone();
    let mut p = api.exec(pod, cmd, &ap).await.map_err(api_error)?;
    let status = p.take_status();
    let (Some(stdin), Some(stdout)) = (p.stdin(), p.stdout()) else {
        return Err(ExecError::Engine("no stdin/stdout".into()));
    };
    let errors = p.stderr().map(|mut e| {
        tokio::spawn(async move {
            let mut buf = vec![0u8; 4096];
            while let Ok(n) = e.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                let mut err = std::io::stderr();
                let _ = std::io::Write::write_all(&mut err, &buf[..n]);
            }
        })
    });
    let sizes = p.terminal_size();
    let output = futures::stream::unfold(stdout, |mut r| async move {
        let mut buf = vec![0u8; 4096];
        match r.read(&mut buf).await {
            Ok(0) | Err(_) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((buf, r))
            }
        }
    })
    .boxed();
    let resize = move |width: u16, height: u16| -> futures::future::BoxFuture<'static, ()> {
        let sizes = sizes.clone();
        Box::pin(async move {
            if let Some(mut s) = sizes {
                let _ = futures::SinkExt::send(&mut s, TerminalSize { width, height }).await;
            }
        })
    };
    pump(output, Box::pin(stdin), resize).await;
    let status = match status {
        Some(s) => s.await,
        None => None,
    };
    let _ = p.join().await;
    if let Some(e) = errors {
        let _ = e.await;
    }
    Ok(code(status))
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{StatusCause, StatusDetails};

    #[test]
    fn exit_codes_come_from_the_status() {
        assert_eq!(code(None), 0);
        let ok = Status {
            status: Some("Success".into()),
            ..Status::default()
        };
        assert_eq!(code(Some(ok)), 0);
        let failed = Status {
            status: Some("Failure".into()),
            reason: Some("NonZeroExitCode".into()),
            details: Some(StatusDetails {
                causes: Some(vec![StatusCause {
                    reason: Some("ExitCode".into()),
                    message: Some("3".into()),
                    ..StatusCause::default()
                }]),
                ..StatusDetails::default()
            }),
            ..Status::default()
        };
        assert_eq!(code(Some(failed)), 3);
        let not_found = Status {
            status: Some("Failure".into()),
            message: Some("executable file not found in $PATH".into()),
            ..Status::default()
        };
        assert_eq!(code(Some(not_found)), 127);
        let wrapped = Status {
            status: Some("Failure".into()),
            reason: Some("InternalError".into()),
            message: Some(
                "error executing command in container: cmd wait: sh -c exit 3: exit status 3"
                    .into(),
            ),
            ..Status::default()
        };
        assert_eq!(code(Some(wrapped)), 3);
    }
}
