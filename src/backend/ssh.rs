//! Engines over SSH (`ssh://[user@]host[:port]`), reached as the docker CLI reaches them: for each
//! connection the system's `ssh` runs `docker system dial-stdio` on the far side, whose stdin and
//! stdout carry the engine's API. Being the system's `ssh`, keys, agents, `~/.ssh/config`, jump
//! hosts and known hosts all work as they do in a terminal.
//!
//! The tunnel listens on a private unix socket (a 0700 folder of its own) and gives every
//! connection made to it its own `ssh`; bollard, the raw HTTP reader and exec then talk to that
//! socket as to a local engine. When an `ssh` ends without having carried anything, what it said
//! is kept, so the error names which part failed: ssh itself, the far side's docker CLI, or the
//! engine behind it.

use super::Error;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Where `ssh://[user@]host[:port]` points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    pub user: Option<String>,
    pub host: String,
    pub port: Option<u16>,
}

impl Spec {
    /// Parses an `ssh://` address; a path, a query or a bad port is refused naming it.
    pub fn parse(url: &str) -> Result<Spec, Error> {
        let bad = |why: String| Error::Endpoint(crate::tr!("ssh.bad_url", url = url, why = why));
        let rest = url
            .strip_prefix("ssh://")
            .ok_or_else(|| bad("ssh://".into()))?;
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains('/') || rest.contains('?') {
            return Err(bad(crate::tr!("ssh.no_path")));
        }
        let (user, hostport) = match rest.rsplit_once('@') {
            Some((u, h)) => (Some(u.to_string()).filter(|u| !u.is_empty()), h),
            None => (None, rest),
        };
        let (host, port) = match hostport.rsplit_once(':') {
            // An IPv6 literal is written in brackets: [::1]:22.
            Some((h, p)) if !h.contains(':') || h.ends_with(']') => {
                let port = p
                    .parse::<u16>()
                    .map_err(|_| bad(crate::tr!("ssh.bad_port", port = p)))?;
                (h, Some(port))
            }
            _ => (hostport, None),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() || host.starts_with('-') {
            return Err(bad(crate::tr!("ssh.no_host")));
        }
        Ok(Spec {
            user,
            host: host.to_string(),
            port,
        })
    }

    /// The `ssh` arguments, as the docker CLI passes them: no terminal, a connect timeout, and
    /// `--` before the host so that no name is taken for an option.
    pub fn args(&self) -> Vec<String> {
        let mut args: Vec<String> = vec!["-o".into(), "ConnectTimeout=30".into(), "-T".into()];
        if let Some(u) = &self.user {
            args.extend(["-l".into(), u.clone()]);
        }
        if let Some(p) = self.port {
            args.extend(["-p".into(), p.to_string()]);
        }
        args.extend(["--".into(), self.host.clone()]);
        args.extend(["docker", "system", "dial-stdio"].map(String::from));
        args
    }
}

/// Which part of the way failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// `ssh` itself: the host, the network, the key, the host key.
    Ssh,
    /// The far side has no `docker` command (or one too old for `dial-stdio`).
    RemoteCli,
    /// The far side's docker CLI could not reach its engine.
    Engine,
}

/// The last connection that carried nothing: which part failed and what it said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub part: Part,
    pub said: String,
}

impl Failure {
    /// Tells the parts apart by what `ssh` reports: it exits 255 for its own failures, a shell
    /// 127 for a command it cannot find.
    pub fn classify(code: Option<i32>, stderr: &str) -> Failure {
        let said = stderr
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("Warning: Permanently added"))
            .collect::<Vec<_>>()
            .join("; ");
        let said = crate::sanitize::one_line(&said);
        let lower = said.to_ascii_lowercase();
        let part = if code == Some(255) {
            Part::Ssh
        } else if code == Some(127)
            || lower.contains("command not found")
            || lower.contains("is not a docker command")
            || lower.contains("unknown command")
        {
            Part::RemoteCli
        } else {
            Part::Engine
        };
        Failure { part, said }
    }

    /// In the user's words: which part failed, and what it said.
    pub fn words(&self) -> String {
        let key = match self.part {
            Part::Ssh => "ssh.failed_ssh",
            Part::RemoteCli => "ssh.failed_cli",
            Part::Engine => "ssh.failed_engine",
        };
        let said = if self.said.is_empty() {
            crate::tr!("ssh.said_nothing")
        } else {
            self.said.clone()
        };
        crate::i18n::format(key, &[("said", said)])
    }
}

/// A local socket whose connections are carried by `ssh` to the far side's engine. Dropped, it
/// stops listening and removes its folder; connections still open end with their `ssh`.
pub struct Tunnel {
    dir: PathBuf,
    socket: PathBuf,
    task: tokio::task::JoinHandle<()>,
    last: Arc<Mutex<Option<Failure>>>,
}

impl Tunnel {
    /// Opens the local socket (inside a tokio runtime). Fails only when the folder or the socket
    /// cannot be made.
    pub fn open(spec: &Spec) -> Result<Tunnel, Error> {
        let dir = private_dir().map_err(|e| Error::Endpoint(crate::sanitize::error_chain(&e)))?;
        let socket = dir.join("docker.sock");
        let listener = tokio::net::UnixListener::bind(&socket)
            .map_err(|e| Error::Endpoint(crate::sanitize::error_chain(&e)))?;
        let last = Arc::new(Mutex::new(None));
        let task = tokio::spawn(serve(listener, spec.args(), last.clone()));
        Ok(Tunnel {
            dir,
            socket,
            task,
            last,
        })
    }

    /// The local address to give the engine clients: `unix:///…/docker.sock`.
    pub fn local(&self) -> String {
        format!("unix://{}", self.socket.display())
    }

    /// What the last failed connection said, if the last connection failed.
    pub fn failure(&self) -> Option<Failure> {
        self.last.lock().ok().and_then(|l| l.clone())
    }
}

impl Drop for Tunnel {
    fn drop(&mut self) {
        self.task.abort();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A fresh folder only this user can enter, under XDG_RUNTIME_DIR or the temp dir.
fn private_dir() -> std::io::Result<PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    let base = std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .filter(|p| p.is_dir())
        .unwrap_or_else(std::env::temp_dir);
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = base.join(format!("estiba-ssh-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::DirBuilder::new().mode(0o700).create(&dir)?;
    Ok(dir)
}

async fn serve(
    listener: tokio::net::UnixListener,
    args: Vec<String>,
    last: Arc<Mutex<Option<Failure>>>,
) {
    while let Ok((conn, _)) = listener.accept().await {
        tokio::spawn(carry(conn, args.clone(), last.clone()));
    }
}

/// One connection: its own `ssh`, bytes both ways until either side ends. The local side is
/// closed only after `ssh` has ended and what it said is kept, so an error read from the
/// connection can already name the part that failed.
async fn carry(conn: tokio::net::UnixStream, args: Vec<String>, last: Arc<Mutex<Option<Failure>>>) {
    let spawned = tokio::process::Command::new("ssh")
        .args(&args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn();
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => {
            let said = crate::sanitize::error_chain(&e);
            remember(
                &last,
                Failure {
                    part: Part::Ssh,
                    said,
                },
            );
            return;
        }
    };
    let (Some(mut stdin), Some(mut stdout), Some(mut stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return;
    };
    let (mut from_client, mut to_client) = conn.into_split();
    let upstream = async move {
        let _ = tokio::io::copy(&mut from_client, &mut stdin).await;
        let _ = stdin.shutdown().await;
    };
    let downstream = async {
        let mut carried = 0u64;
        let mut buf = vec![0u8; 32 * 1024];
        loop {
            match stdout.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if carried == 0
                        && let Ok(mut l) = last.lock()
                    {
                        *l = None;
                    }
                    carried += n as u64;
                    if to_client.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            }
        }
        carried
    };
    let said = async {
        let mut text = Vec::new();
        let _ = (&mut stderr).take(8 * 1024).read_to_end(&mut text).await;
        text
    };
    // The client's bytes go up on their own task: when the far side ends first, the client is
    // still waiting for an answer and must be let go without its hanging up.
    let up = tokio::spawn(upstream);
    let (carried, said) = tokio::join!(downstream, said);
    let status = child.wait().await.ok();
    if carried == 0 {
        let code = status.and_then(|s| s.code());
        let f = Failure::classify(code, &String::from_utf8_lossy(&said));
        tracing::warn!(code = ?code, said = %f.said, "ssh connection carried nothing");
        remember(&last, f);
    }
    let _ = to_client.shutdown().await;
    up.abort();
}

fn remember(last: &Mutex<Option<Failure>>, f: Failure) {
    if let Ok(mut l) = last.lock() {
        *l = Some(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_parse_as_the_docker_cli_reads_them() {
        let s = Spec::parse("ssh://admin@10.0.0.5:2222").unwrap();
        assert_eq!(
            (s.user.as_deref(), s.host.as_str(), s.port),
            (Some("admin"), "10.0.0.5", Some(2222))
        );
        assert_eq!(
            s.args(),
            [
                "-o",
                "ConnectTimeout=30",
                "-T",
                "-l",
                "admin",
                "-p",
                "2222",
                "--",
                "10.0.0.5",
                "docker",
                "system",
                "dial-stdio"
            ]
        );
        let s = Spec::parse("ssh://manager1").unwrap();
        assert_eq!((s.user, s.host.as_str(), s.port), (None, "manager1", None));
        let s = Spec::parse("ssh://u@[::1]:22").unwrap();
        assert_eq!((s.host.as_str(), s.port), ("::1", Some(22)));
        for bad in [
            "ssh://",
            "ssh://h:x",
            "ssh://h/var/run/docker.sock",
            "ssh://-oProxy=x",
        ] {
            assert!(Spec::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn failures_name_the_part_that_failed() {
        let f = Failure::classify(
            Some(255),
            "ssh: connect to host 127.0.0.1 port 1: Connection refused\n",
        );
        assert_eq!(f.part, Part::Ssh);
        assert_eq!(
            f.said,
            "ssh: connect to host 127.0.0.1 port 1: Connection refused"
        );
        let f = Failure::classify(Some(127), "bash: line 1: docker: command not found");
        assert_eq!(f.part, Part::RemoteCli);
        let f = Failure::classify(
            Some(1),
            "Warning: Permanently added '[127.0.0.1]:2222' (ED25519) to the list of known hosts.\r\nCannot connect to the Docker daemon at unix:///x.sock. Is the docker daemon running?",
        );
        assert_eq!(f.part, Part::Engine);
        assert!(f.said.starts_with("Cannot connect"), "{}", f.said);
    }
}
