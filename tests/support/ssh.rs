//! A real OpenSSH server (Debian's openssh-server) on 127.0.0.1 for the SSH tests: its own host
//! key, a client key made here, and on the far side a docker CLI whose DOCKER_HOST (sshd's
//! `SetEnv`) is a private engine of the tests. The client side is the system's `ssh` with a
//! config file of the test: a folder put first on PATH holds an `ssh` that runs `/usr/bin/ssh -F`
//! that file, so estiba and the docker CLI (the reference) run the same `ssh` as a user would.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Sshd {
    pub port: u16,
    /// The folder to put first on PATH (its `ssh` uses this server's client config).
    pub bin: PathBuf,
    child: Child,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn keygen(path: &Path) {
    let o = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(path)
        .output()
        .expect("ssh-keygen runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

impl Sshd {
    /// An sshd in `dir` whose sessions get `env` (`NAME=VALUE`, as sshd_config's SetEnv), and
    /// the alias `alias` in the client config for it (root@127.0.0.1:PORT).
    pub fn start(dir: &Path, alias: &str, env: &[&str]) -> Sshd {
        super::require(&["sshd", "ssh", "ssh-keygen"]);
        std::fs::create_dir_all(dir).unwrap();
        std::fs::create_dir_all("/run/sshd").unwrap();
        let host_key = dir.join("host_key");
        let client_key = dir.join("client_key");
        if !client_key.exists() {
            keygen(&host_key);
            keygen(&client_key);
        }
        std::fs::copy(dir.join("client_key.pub"), dir.join("authorized_keys")).unwrap();
        let port = super::free_port();
        let setenv: String = env.iter().map(|e| format!(" \"{e}\"")).collect();
        let config = dir.join(format!("sshd_config-{alias}"));
        std::fs::write(
            &config,
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {hk}\nAuthorizedKeysFile {ak}\n\
                 PidFile none\nStrictModes no\nUsePAM no\nPasswordAuthentication no\n\
                 KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n\
                 {setenv_line}\n",
                hk = host_key.display(),
                ak = dir.join("authorized_keys").display(),
                setenv_line = if env.is_empty() {
                    String::new()
                } else {
                    format!("SetEnv{setenv}")
                },
            ),
        )
        .unwrap();
        let child = Command::new("/usr/sbin/sshd")
            .args(["-D", "-e", "-f"])
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join(format!("sshd-{alias}.log"))).unwrap())
            .spawn()
            .expect("sshd starts");
        // The client's config: this server as `alias`, the test's key, a known_hosts of its own.
        let client_config = dir.join("ssh_config");
        let mut text = std::fs::read_to_string(&client_config).unwrap_or_else(|_| {
            format!(
                "Host *\n  IdentityFile {key}\n  IdentitiesOnly yes\n  BatchMode yes\n  \
                 StrictHostKeyChecking no\n  UserKnownHostsFile {kh}\n  LogLevel ERROR\n",
                key = client_key.display(),
                kh = dir.join("known_hosts").display()
            )
        });
        // `Host *` comes last: ssh takes the first value it meets for each option.
        let (head, star) = text.split_at(text.find("Host *").unwrap_or(0));
        text =
            format!("Host {alias}\n  HostName 127.0.0.1\n  Port {port}\n  User root\n{head}{star}");
        std::fs::write(&client_config, text).unwrap();
        let bin = dir.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let wrapper = bin.join("ssh");
        std::fs::write(
            &wrapper,
            format!(
                "#!/bin/sh\nexec /usr/bin/ssh -F {} \"$@\"\n",
                client_config.display()
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
        super::wait_for("sshd listening", Duration::from_secs(20), || {
            std::net::TcpStream::connect(("127.0.0.1", port)).ok()
        });
        Sshd { port, bin, child }
    }

    /// PATH with this server's `ssh` first.
    pub fn path(&self) -> String {
        format!(
            "{}:{}",
            self.bin.display(),
            std::env::var("PATH").unwrap_or_default()
        )
    }
}
