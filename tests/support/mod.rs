//! Test support: a private Docker engine for this test process (its own dockerd, data root and
//! socket), a swarm, a local registry (Debian's docker-registry on 127.0.0.1), small images built
//! FROM scratch with busybox, and worker nodes as extra dockerd processes in network namespaces.
//! Nothing is pulled from the internet. A watchdog stops everything when the test process ends.
//!
//! Without root, dockerd or the other tools these tests fail saying what is missing; only
//! ESTIBA_SKIP_DOCKER_TESTS=1 turns them into skips.
#![allow(dead_code)]
// Test support stops loudly, like the tests it serves. The registry and worker daemons are ended
// by the watchdog when the test process ends, not waited on here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::zombie_processes)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

pub const IMAGE: &str = "estiba-test/busybox:latest";

pub struct Engine {
    pub root: PathBuf,
    pub sock: PathBuf,
    /// `unix:///.../docker.sock`
    pub host: String,
    pub registry: String,
    /// The address and port the swarm manager advertises (on the bridge the workers reach).
    pub advertise: String,
    net: Option<Net>,
    workers: Mutex<Vec<Worker>>,
    dockerd: Mutex<Option<std::process::Child>>,
    swarm: bool,
}

struct Net {
    bridge: String,
    prefix: String,
}

#[derive(Clone)]
pub struct Worker {
    pub name: String,
    pub host: String,
    pub node_id: String,
    pub netns: String,
    /// With `add_worker_tls`: its engine on TCP with TLS, as operators expose one.
    pub tls: Option<WorkerTls>,
}

/// A worker's engine over TCP, verifying clients as `dockerd --tlsverify` does.
#[derive(Clone)]
pub struct WorkerTls {
    /// `tcp://ADDRESS:2376`
    pub host: String,
    /// A client's ca.pem, cert.pem and key.pem (a DOCKER_CERT_PATH).
    pub client: PathBuf,
}

/// A CA in `dir`, and signed by it a server certificate for `ip` (`dir/server-*.pem`) and a
/// client certificate in `dir/client` (ca.pem, cert.pem, key.pem: a DOCKER_CERT_PATH).
pub fn tls_certs(dir: &Path, ip: &str) -> PathBuf {
    std::fs::create_dir_all(dir.join("client")).unwrap();
    let o = sh(&format!(
        "set -e; cd {d}; key='-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes'; \
         openssl req -x509 $key -keyout ca-key.pem -out ca.pem -days 2 -subj /CN=estiba-test-ca; \
         openssl req $key -keyout server-key.pem -out server.csr -subj /CN={ip}; \
         printf 'subjectAltName=IP:{ip}\nextendedKeyUsage=serverAuth\n' > server.ext; \
         openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 -extfile server.ext -out server-cert.pem; \
         openssl req $key -keyout client/key.pem -out client.csr -subj /CN=estiba; \
         printf 'extendedKeyUsage=clientAuth\n' > client.ext; \
         openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 -extfile client.ext -out client/cert.pem; \
         cp ca.pem client/ca.pem",
        d = dir.display()
    ));
    assert!(
        o.status.success(),
        "certificates: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    dir.join("client")
}

/// `None` when ESTIBA_SKIP_DOCKER_TESTS=1; otherwise checks what the tests need and panics
/// naming what is missing.
pub fn preflight() -> Option<()> {
    if std::env::var("ESTIBA_SKIP_DOCKER_TESTS").as_deref() == Ok("1") {
        eprintln!("ESTIBA_SKIP_DOCKER_TESTS=1: skipping a test that needs a Docker engine");
        return None;
    }
    let mut missing = Vec::new();
    for tool in [
        "dockerd",
        "docker",
        "docker-registry",
        "busybox",
        "ip",
        "nsenter",
        "unshare",
        "htpasswd",
        "tmux",
    ] {
        if which(tool).is_none() {
            missing.push(tool.to_string());
        }
    }
    let uid = run("id", &["-u"])
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    if uid != "0" {
        missing.push("root (these tests start their own dockerd)".into());
    }
    assert!(
        missing.is_empty(),
        "the Docker tests need: {}. Install with: apt-get install -y docker.io docker-registry busybox-static iproute2 util-linux tmux (or set ESTIBA_SKIP_DOCKER_TESTS=1 to skip them)",
        missing.join(", ")
    );
    Some(())
}

/// For tests that need no engine (the demo, the fake Kubernetes server, tmux, certificates):
/// they always run, and say what is missing. ESTIBA_SKIP_DOCKER_TESTS does not skip them.
pub fn require(tools: &[&str]) {
    let missing: Vec<&str> = tools
        .iter()
        .copied()
        .filter(|t| which(t).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "this test needs: {} (apt-get install -y {})",
        missing.join(", "),
        missing.join(" ")
    );
}

fn which(tool: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .chain(["/usr/sbin", "/sbin"])
        .map(|d| Path::new(d).join(tool))
        .find(|p| p.exists())
}

fn run(cmd: &str, args: &[&str]) -> Option<Output> {
    Command::new(cmd).args(args).output().ok()
}

fn sh(script: &str) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .output()
        .unwrap_or_else(|e| panic!("sh: {e}"))
}

/// A port on 127.0.0.1 nothing listens on, taken below the kernel's ephemeral range (32768 and
/// up): a port the kernel hands out (`:0`) can be given to an outgoing connection of another test
/// before its server binds it ("address already in use"). Each process walks its own stretch.
/// Held while a test makes a swarm as a student does (`estiba swarm init`, `lab solve`): on the
/// host's default ports, 2377 and 4789, which only one engine at a time can have. Taken, it waits
/// until 2377 is free again (an engine of another test, or of the binary before, still stopping).
/// Engines stop only when their test process ends, so the engine named with `leave_on` leaves its
/// swarm when the guard goes, freeing the ports for the next test.
pub struct DefaultSwarmPorts {
    _lock: std::fs::File,
    engine: Option<String>,
}

impl DefaultSwarmPorts {
    pub fn leave_on(&mut self, host: &str) {
        self.engine = Some(host.to_string());
    }
}

impl Drop for DefaultSwarmPorts {
    fn drop(&mut self) {
        if let Some(h) = &self.engine {
            let _ = Command::new("docker")
                .args(["-H", h, "swarm", "leave", "--force"])
                .output();
        }
    }
}

pub fn default_swarm_ports() -> DefaultSwarmPorts {
    use std::os::fd::AsRawFd;
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(std::env::temp_dir().join("estiba-tests-swarm-2377.lock"))
        .expect("the lock file");
    // SAFETY: flock on a file descriptor this File owns; it is released when the File closes.
    let r = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX) };
    assert_eq!(r, 0, "flock");
    wait_for("port 2377 free", Duration::from_secs(90), || {
        std::net::TcpListener::bind("0.0.0.0:2377").ok().map(drop)
    });
    DefaultSwarmPorts {
        _lock: f,
        engine: None,
    }
}

pub fn free_port() -> u16 {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let start = (std::process::id() as usize * 7919) % 22_000;
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let port = (10_000 + (start + n * 13) % 22_000) as u16;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A runtime for tests that drive estiba's async backend.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// A name no other test (nor another run) uses: `prefix` + pid + counter.
pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}{}x{}",
        std::process::id() % 100_000,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Polls `f` until it returns Some, or panics after `timeout` saying what was awaited.
pub fn wait_for<T>(what: &str, timeout: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            start.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

impl Engine {
    /// The engine shared by every test of this test binary: a swarm manager.
    pub fn shared() -> Option<&'static Engine> {
        preflight()?;
        static SHARED: OnceLock<Engine> = OnceLock::new();
        Some(SHARED.get_or_init(|| Engine::start(true)))
    }

    /// An engine of the caller's own (for tests that stop it, or that need no swarm).
    pub fn private(swarm: bool) -> Option<Engine> {
        preflight()?;
        Some(Engine::start(swarm))
    }

    fn start(swarm: bool) -> Engine {
        let root = PathBuf::from(format!("/tmp/estiba-t-{}", unique("e")));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).expect("a temp dir for the engine");
        let sock = root.join("docker.sock");
        let host = format!("unix://{}", sock.display());
        // A bridge the workers' network namespaces hang off; the manager advertises its address.
        let n =
            (std::process::id() as usize * 7 + COUNTER.fetch_add(1, Ordering::Relaxed)) % 250 + 2;
        let net = Net {
            bridge: format!(
                "eb{}{}",
                std::process::id() % 100_000,
                COUNTER.fetch_add(1, Ordering::Relaxed) % 10
            ),
            prefix: format!("10.231.{n}"),
        };
        let bridge_ok = sh(&format!(
            "ip link add {b} type bridge && ip addr add {p}.1/24 dev {b} && ip link set {b} up",
            b = net.bridge,
            p = net.prefix
        ))
        .status
        .success();
        let advertise = if bridge_ok {
            format!("{}.1", net.prefix)
        } else {
            "127.0.0.1".into()
        };
        let mut e = Engine {
            registry: String::new(),
            root,
            sock,
            host,
            advertise,
            net: bridge_ok.then_some(net),
            workers: Mutex::new(vec![]),
            dockerd: Mutex::new(None),
            swarm,
        };
        e.start_dockerd();
        std::fs::write(e.root.join("hosts"), format!("{}\n", e.host)).expect("hosts file");
        e.registry = e.start_registry();
        e.watchdog();
        if swarm {
            e.advertise = e.swarm_init(&[]);
        }
        e.build_images();
        e
    }

    /// `docker swarm init` on ports of its own, so that engines of consecutive test binaries
    /// (one may still be stopping) or a swarm already on the machine never clash; `extra` are
    /// more flags (`--default-addr-pool`...). Returns the address and port it advertises.
    pub fn swarm_init(&self, extra: &[&str]) -> String {
        let host = self.advertise.split(':').next().unwrap_or("127.0.0.1");
        let listen = format!("{host}:{}", free_port());
        let data_port = free_port().to_string();
        let mut args = vec![
            "swarm",
            "init",
            "--advertise-addr",
            &listen,
            "--listen-addr",
            &listen,
            "--data-path-port",
            &data_port,
        ];
        args.extend_from_slice(extra);
        self.docker_ok(&args);
        listen
    }

    fn start_dockerd(&self) {
        let log = std::fs::File::create(self.root.join("dockerd.log")).expect("dockerd log file");
        let child = Command::new("dockerd")
            .args([
                "--data-root",
                &self.path("data"),
                "--exec-root",
                &self.path("exec"),
                "--pidfile",
                &self.path("dockerd.pid"),
            ])
            .args([
                "-H",
                &self.host,
                "--bridge",
                "none",
                "--iptables=false",
                "--ip-masq=false",
                // Bridge networks from 4096 /24s rather than the ~30 default pools, which the
                // engines of parallel tests (each network a host interface) can use up.
                "--default-address-pool",
                "base=10.192.0.0/12,size=24",
            ])
            // Registries other than the tests' own (on loopback) sit behind a proxy that is not
            // there: a digest lookup on Docker Hub (what `docker stack deploy` does by default)
            // is refused at once on 127.0.0.1, and nothing leaves the machine.
            .env("HTTP_PROXY", "http://127.0.0.1:9")
            .env("HTTPS_PROXY", "http://127.0.0.1:9")
            .env("NO_PROXY", "127.0.0.1,localhost")
            .stdout(Stdio::null())
            .stderr(log)
            .process_group(0)
            .spawn()
            .expect("dockerd starts");
        *self.dockerd.lock().unwrap() = Some(child);
        wait_for(
            &format!(
                "dockerd at {} (see {}/dockerd.log)",
                self.host,
                self.root.display()
            ),
            Duration::from_secs(60),
            || {
                self.docker(&["version", "--format", "{{.Server.Version}}"])
                    .status
                    .success()
                    .then_some(())
            },
        );
    }

    fn start_registry(&self) -> String {
        self.start_registry_named("registry", "")
    }

    /// A second registry that asks for a user and password (an htpasswd file, bcrypt).
    pub fn registry_with_auth(&self, user: &str, password: &str) -> String {
        let name = unique("auth-registry");
        let dir = self.root.join(&name);
        std::fs::create_dir_all(&dir).unwrap();
        let htpasswd = dir.join("htpasswd");
        let out = Command::new("htpasswd")
            .args(["-Bbn", user, password])
            .output()
            .expect("htpasswd (apache2-utils) runs");
        assert!(out.status.success(), "htpasswd failed");
        std::fs::write(&htpasswd, &out.stdout).unwrap();
        let auth = format!(
            "auth:\n  htpasswd:\n    realm: estiba-test\n    path: {}\n",
            htpasswd.display()
        );
        self.start_registry_named(&name, &auth)
    }

    /// A docker config folder whose `auths` holds these credentials for `registry`.
    pub fn docker_config_with(&self, registry: &str, user: &str, password: &str) -> PathBuf {
        let dir = self.root.join(unique("docker-config"));
        std::fs::create_dir_all(&dir).unwrap();
        let b64 = base64_encode(format!("{user}:{password}").as_bytes());
        std::fs::write(
            dir.join("config.json"),
            format!("{{\"auths\":{{\"{registry}\":{{\"auth\":\"{b64}\"}}}}}}"),
        )
        .unwrap();
        dir
    }

    fn start_registry_named(&self, name: &str, auth: &str) -> String {
        let port = free_port();
        let dir = self.root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let cfg = dir.join("config.yml");
        std::fs::write(
            &cfg,
            format!(
                "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n{auth}",
                dir.join("data").display()
            ),
        )
        .unwrap();
        let log = std::fs::File::create(dir.join("registry.log")).unwrap();
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&cfg)
            .stdout(Stdio::null())
            .stderr(log)
            .process_group(0)
            .spawn()
            .expect("docker-registry starts");
        std::fs::write(
            self.root.join(format!("{name}.pid")),
            child.id().to_string(),
        )
        .unwrap();
        let addr = format!("127.0.0.1:{port}");
        wait_for("the registry to listen", Duration::from_secs(20), || {
            std::net::TcpStream::connect(&addr).ok().map(|_| ())
        });
        addr
    }

    /// Stops dockerd, the registry, the workers, and removes the bridge and the data when this
    /// test process is gone.
    fn watchdog(&self) {
        let me = std::process::id();
        let net = self
            .net
            .as_ref()
            .map(|n| format!("ip link del {} 2>/dev/null;", n.bridge))
            .unwrap_or_default();
        // Containers outlive a killed dockerd (their shims stay), so they go first.
        let script = format!(
            "while kill -0 {me} 2>/dev/null; do sleep 1; done; \
             for h in $(cat {root}/hosts); do docker -H $h swarm leave -f >/dev/null 2>&1; \
               docker -H $h rm -f $(docker -H $h ps -aq) >/dev/null 2>&1; done; \
             for p in {root}/*.pid {root}/w-*/dockerd.pid; do [ -f $p ] && kill $(cat $p) 2>/dev/null; done; \
             sleep 5; for p in {root}/*.pid {root}/w-*/dockerd.pid; do [ -f $p ] && kill -9 $(cat $p) 2>/dev/null; done; \
             for s in $(pgrep -f '[c]ontainerd-shim.*{root}/'); do pkill -9 -P $s; kill -9 $s; done; \
             for n in $(cat {root}/netns 2>/dev/null); do ip netns del $n 2>/dev/null; done; {net} \
             grep -o ' {root}[^ ]*' /proc/mounts | sort -r | xargs -r umount -l 2>/dev/null; rm -rf {root}",
            root = self.root.display()
        );
        let _ = Command::new("sh")
            .arg("-c")
            .arg(script)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn();
    }

    pub fn path(&self, p: &str) -> String {
        self.root.join(p).display().to_string()
    }

    /// Runs the docker CLI against this engine.
    pub fn docker(&self, args: &[&str]) -> Output {
        Command::new("docker")
            .args(["-H", &self.host])
            .args(args)
            .env("DOCKER_BUILDKIT", "0")
            .env("DOCKER_CONFIG", self.path("docker-config"))
            .env_remove("DOCKER_CONTEXT")
            .output()
            .expect("the docker CLI runs")
    }

    /// Runs the docker CLI and returns its stdout, panicking with its stderr when it fails.
    pub fn docker_ok(&self, args: &[&str]) -> String {
        let o = self.docker(args);
        assert!(
            o.status.success(),
            "docker {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).to_string()
    }

    /// `estiba-test/busybox:latest` (and `:test`, another tag of the same image), FROM scratch.
    fn build_images(&self) {
        let ctx = self.root.join("image");
        std::fs::create_dir_all(&ctx).unwrap();
        let busybox = which("busybox").expect("busybox");
        std::fs::copy(busybox, ctx.join("busybox")).expect("copy busybox into the build context");
        std::fs::write(
            ctx.join("Dockerfile"),
            "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\nCMD [\"sh\"]\n",
        )
        .unwrap();
        self.docker_ok(&["build", "-q", "-t", IMAGE, &ctx.display().to_string()]);
        self.docker_ok(&["tag", IMAGE, "estiba-test/busybox:test"]);
    }

    /// Stops dockerd (as if the daemon went away) and waits until it has exited.
    pub fn stop(&self) {
        let mut child = self
            .dockerd
            .lock()
            .unwrap()
            .take()
            .expect("dockerd is running");
        let _ = Command::new("kill").arg(child.id().to_string()).status();
        let _ = child.wait();
    }

    /// Starts dockerd again on the same data root.
    pub fn restart(&self) {
        self.start_dockerd();
    }

    /// Creates a service with the docker CLI and waits until all its replicas run.
    pub fn service(&self, name: &str, extra: &[&str], cmd: &[&str]) -> String {
        let mut args = vec!["service", "create", "-d", "--name", name];
        args.extend_from_slice(extra);
        args.push(IMAGE);
        args.extend_from_slice(cmd);
        let id = self.docker_ok(&args).trim().to_string();
        self.wait_converged(name);
        id
    }

    /// Waits until `docker service ls` shows n/n for a service.
    pub fn wait_converged(&self, name: &str) {
        wait_for(
            &format!("service {name} to converge"),
            Duration::from_secs(60),
            || {
                let out = self.docker_ok(&[
                    "service",
                    "ls",
                    "--filter",
                    &format!("name={name}"),
                    "--format",
                    "{{.Name}} {{.Replicas}}",
                ]);
                out.lines()
                    .find(|l| l.split_whitespace().next() == Some(name))
                    .and_then(|l| {
                        let r = l.split_whitespace().nth(1)?;
                        let (a, b) = r.split_once('/')?;
                        (a == b && a != "0").then_some(())
                    })
            },
        );
    }

    /// Adds a worker: a dockerd in its own network namespace (and hostname), joined to the swarm.
    pub fn add_worker(&self, hostname: &str) -> Worker {
        self.worker(hostname, false)
    }

    /// A worker whose engine also listens on TCP port 2376 of its address, with TLS.
    pub fn add_worker_tls(&self, hostname: &str) -> Worker {
        self.worker(hostname, true)
    }

    fn worker(&self, hostname: &str, tls: bool) -> Worker {
        let net = self
            .net
            .as_ref()
            .expect("workers need the test bridge (ip link add ... type bridge failed)");
        let mut workers = self.workers.lock().unwrap();
        let k = workers.len() + 11;
        let ns = format!("{}w{k}", net.bridge);
        let dir = self.root.join(format!("w-{hostname}"));
        std::fs::create_dir_all(&dir).unwrap();
        let o = sh(&format!(
            "set -e; ip netns add {ns}; ip link add {ns}h type veth peer name {ns}n; ip link set {ns}n netns {ns}; \
             ip link set {ns}h master {b}; ip link set {ns}h up; ip -n {ns} addr add {p}.{k}/24 dev {ns}n; \
             ip -n {ns} link set {ns}n up; ip -n {ns} link set lo up; echo {ns} >> {root}/netns",
            b = net.bridge,
            p = net.prefix,
            root = self.root.display()
        ));
        assert!(
            o.status.success(),
            "worker network: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let sock = dir.join("docker.sock");
        let host = format!("unix://{}", sock.display());
        let log = std::fs::File::create(dir.join("dockerd.log")).unwrap();
        let ip = format!("{}.{k}", net.prefix);
        let (tls, tls_args) = if tls {
            let certs = dir.join("tls");
            let client = tls_certs(&certs, &ip);
            let c = certs.display();
            (
                Some(WorkerTls {
                    host: format!("tcp://{ip}:2376"),
                    client,
                }),
                format!(
                    " -H tcp://{ip}:2376 --tlsverify --tlscacert {c}/ca.pem --tlscert {c}/server-cert.pem --tlskey {c}/server-key.pem"
                ),
            )
        } else {
            (None, String::new())
        };
        // nsenter --net keeps /sys and the cgroups visible (ip netns exec would remount /sys);
        // unshare --uts gives the worker its own hostname.
        Command::new("nsenter")
            .arg(format!("--net=/run/netns/{ns}"))
            .args(["unshare", "--uts", "sh", "-c"])
            .arg(format!(
                "hostname {hostname} && exec dockerd --data-root {d}/data --exec-root {d}/exec --pidfile {d}/dockerd.pid -H {host}{tls_args} --bridge none --iptables=false --ip-masq=false",
                d = dir.display()
            ))
            .stdout(Stdio::null())
            .stderr(log)
            .process_group(0)
            .spawn()
            .expect("worker dockerd starts");
        let w = |args: &[&str]| {
            Command::new("docker")
                .args(["-H", &host])
                .args(args)
                .env("DOCKER_CONFIG", self.path("docker-config"))
                .output()
                .expect("docker CLI")
        };
        wait_for(
            &format!("worker {hostname}'s dockerd"),
            Duration::from_secs(60),
            || w(&["version"]).status.success().then_some(()),
        );
        // The worker gets the test images too: nothing can be pulled.
        let load = sh(&format!(
            "docker -H {} save {IMAGE} estiba-test/busybox:test | docker -H {host} load -q",
            self.host
        ));
        assert!(
            load.status.success(),
            "loading images on {hostname}: {}",
            String::from_utf8_lossy(&load.stderr)
        );
        let token = self
            .docker_ok(&["swarm", "join-token", "-q", "worker"])
            .trim()
            .to_string();
        let mut hosts = std::fs::OpenOptions::new()
            .append(true)
            .open(self.root.join("hosts"))
            .expect("hosts file");
        std::io::Write::write_all(&mut hosts, format!("{host}\n").as_bytes()).expect("hosts file");
        let o = w(&["swarm", "join", "--token", &token, &self.advertise]);
        let err = String::from_utf8_lossy(&o.stderr);
        // On a loaded machine the join can outlast the daemon's own 20 s wait; it then goes on
        // in the background, and `docker info` says when it is done (as the message advises).
        assert!(
            o.status.success() || err.contains("continue in the background"),
            "worker join: {err}"
        );
        wait_for(
            &format!("{hostname} to join the swarm"),
            Duration::from_secs(120),
            || {
                let o = w(&["info", "--format", "{{.Swarm.LocalNodeState}}"]);
                (String::from_utf8_lossy(&o.stdout).trim() == "active").then_some(())
            },
        );
        let node_id =
            String::from_utf8_lossy(&w(&["info", "--format", "{{.Swarm.NodeID}}"]).stdout)
                .trim()
                .to_string();
        wait_for(
            &format!("{hostname} to be Ready"),
            Duration::from_secs(60),
            || {
                let s =
                    self.docker_ok(&["node", "inspect", &node_id, "--format", "{{.Status.State}}"]);
                (s.trim() == "ready").then_some(())
            },
        );
        let worker = Worker {
            name: hostname.to_string(),
            host,
            node_id,
            netns: ns,
            tls,
        };
        workers.push(worker.clone());
        worker
    }

    /// estiba's Swarm backend on this engine, connected (its API version agreed) and informed of
    /// the engine's role.
    pub async fn backend(&self) -> estiba::backend::Backend {
        use estiba::backend::endpoint::{Endpoint, Source};
        let ep = Endpoint {
            host: self.host.clone(),
            tls: None,
            source: Source::Flag,
        };
        let b = estiba::backend::Backend::Swarm(
            estiba::backend::swarm::Swarm::connect(&ep)
                .await
                .expect("estiba connects to the private engine"),
        );
        b.info().await.expect("the engine answers");
        b
    }

    /// The path of the estiba binary built for these tests.
    pub fn estiba() -> &'static str {
        env!("CARGO_BIN_EXE_estiba")
    }

    /// Runs estiba headless against this engine, with extra environment.
    pub fn estiba_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut c = Command::new(Engine::estiba());
        c.args(["--host", &self.host])
            .args(args)
            .env("ESTIBA_DATA_DIR", self.path("estiba-data"))
            .env("ESTIBA_CONFIG_DIR", self.path("estiba-config"))
            .env("DOCKER_CONFIG", self.path("docker-config"))
            .env("LANG", "C")
            .env_remove("LC_ALL")
            .stdin(Stdio::null());
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().expect("estiba runs")
    }

    /// Installs docker compose v5.6.0 (built from its module by `tests/composeref/build`, once
    /// per machine) as this engine's docker CLI plugin: the reference for `estiba compose`.
    pub fn install_compose(&self) {
        static DIR: OnceLock<PathBuf> = OnceLock::new();
        let dir = DIR.get_or_init(|| {
            let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/composeref/build");
            let out = Command::new(&script)
                .stderr(Stdio::inherit())
                .output()
                .expect("tests/composeref/build runs");
            assert!(
                out.status.success(),
                "tests/composeref/build failed: the compose tests need Go and the Go module proxy to build docker compose once"
            );
            PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
        });
        let plugins = self.root.join("docker-config/cli-plugins");
        std::fs::create_dir_all(&plugins).unwrap();
        // Tests sharing the engine install it side by side: the first link made serves them all.
        match std::os::unix::fs::symlink(dir.join("docker-compose"), plugins.join("docker-compose"))
        {
            Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => panic!("{e}"),
            _ => {}
        }
    }

    /// Runs the docker CLI against this engine in `dir` (for `docker compose`).
    pub fn docker_in(&self, dir: &Path, args: &[&str]) -> Output {
        Command::new("docker")
            .args(["-H", &self.host])
            .args(args)
            .current_dir(dir)
            .env("DOCKER_BUILDKIT", "0")
            .env("DOCKER_CONFIG", self.path("docker-config"))
            .env_remove("DOCKER_CONTEXT")
            .env_remove("COMPOSE_PROJECT_NAME")
            .env_remove("COMPOSE_PROFILES")
            .output()
            .expect("the docker CLI runs")
    }

    /// Runs estiba headless against this engine in `dir`, as a user in their project folder.
    pub fn estiba_in(&self, dir: &Path, args: &[&str]) -> Output {
        Command::new(Engine::estiba())
            .args(["--host", &self.host])
            .args(args)
            .current_dir(dir)
            .env("ESTIBA_DATA_DIR", self.path("estiba-data"))
            .env("ESTIBA_CONFIG_DIR", self.path("estiba-config"))
            .env("DOCKER_CONFIG", self.path("docker-config"))
            .env("LANG", "C")
            .env_remove("LC_ALL")
            .env_remove("COMPOSE_PROJECT_NAME")
            .env_remove("COMPOSE_PROFILES")
            .stdin(Stdio::null())
            .output()
            .expect("estiba runs")
    }

    /// Runs estiba headless against this engine.
    pub fn estiba_cmd(&self, args: &[&str]) -> Output {
        Command::new(Engine::estiba())
            .args(["--host", &self.host])
            .args(args)
            .env("ESTIBA_DATA_DIR", self.path("estiba-data"))
            .env("ESTIBA_CONFIG_DIR", self.path("estiba-config"))
            .env("LANG", "C")
            .env_remove("LC_ALL")
            .output()
            .expect("estiba runs")
    }
}

use std::os::unix::process::CommandExt;

fn base64_encode(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(A[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A plain HTTP GET on 127.0.0.1 (the registry's API): status code and body.
pub fn http_get(addr: &str, path: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}
/// A plain HTTP POST of JSON to `http://127.0.0.1:PORT` (etcd's JSON gateway); the JSON answer.
pub fn http_post_json(url: &str, path: &str, body: &serde_json::Value) -> serde_json::Value {
    use std::io::{Read, Write};
    let addr = url.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    let body = body.to_string();
    write!(
        s,
        "POST {path} HTTP/1.0\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let (head, answer) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    assert!(head.contains(" 200 "), "POST {url}{path}: {text}");
    serde_json::from_str(answer).unwrap_or_else(|e| panic!("POST {url}{path}: {e}: {answer}"))
}

pub mod kube_cluster;
pub mod ssh;
pub mod tmux;

/// A fresh folder under the temp dir, for a test that runs estiba as a user would in theirs.
pub fn workdir(prefix: &str) -> PathBuf {
    let d = std::env::temp_dir().join(unique(prefix));
    std::fs::create_dir_all(&d).expect("a work folder");
    d
}

/// Runs estiba in `dir` (as its working directory), with its data and config kept there, in
/// English.
pub fn estiba_in(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(Engine::estiba())
        .args(args)
        .current_dir(dir)
        .env("ESTIBA_DATA_DIR", dir.join(".data"))
        .env("ESTIBA_CONFIG_DIR", dir.join(".config"))
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .output()
        .expect("estiba runs")
}

/// The output of a run that must succeed; both streams in the message when it did not.
pub fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "estiba failed: {}\n{}",
        String::from_utf8_lossy(&o.stderr),
        String::from_utf8_lossy(&o.stdout)
    );
    String::from_utf8_lossy(&o.stdout).to_string()
}
