//! A real Kubernetes control plane for one test: etcd, kube-apiserver, kube-controller-manager
//! and kube-scheduler from k8s.io/kubernetes v1.34.4, built by `tests/kubecluster/build` into a
//! cache folder, and kwok, which plays the kubelets: it keeps the nodes the test creates Ready and
//! moves the pods scheduled on them to Running. Everything listens on 127.0.0.1 only.
//!
//! The API server serves TLS with its own certificate (signed by a CA of the test's) and knows
//! two users by static token: `admin` (system:masters) and `reader`, who may only read the
//! namespace `challenge-dev` (a Role and RoleBinding the support creates). kubectl, from the same
//! release, is the independent observer of what estiba did.
//!
//! Every process ends with the test: dropped, or by a watchdog when the test process dies.
#![allow(dead_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::zombie_processes)]

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub const ADMIN_TOKEN: &str = "estiba-admin-token";
pub const READER_TOKEN: &str = "estiba-reader-token";

/// Containers whose logs kwok serves (see [`KubeCluster::write_log`]).
pub const LOG_CONTAINERS: &[&str] = &["creator", "verifier", "web", "api"];

pub struct KubeCluster {
    pub dir: PathBuf,
    /// `https://127.0.0.1:PORT`
    pub url: String,
    etcd_url: String,
    bin: PathBuf,
    admin_config: PathBuf,
    children: Vec<Child>,
    /// How each child was started, for a restart.
    started: Vec<(String, Vec<String>)>,
    /// Where kwok sends what is forwarded to any pod's port 8000 (its `ClusterPortForward`):
    /// a test listens there to see a port-forward arrive.
    pub forward_port: u16,
}

/// Where the binaries are, built on first use (the build script serialises concurrent callers).
pub fn binaries() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kubecluster/build");
        let out = Command::new(&script)
            .stderr(Stdio::inherit())
            .output()
            .expect("tests/kubecluster/build runs");
        assert!(
            out.status.success(),
            "tests/kubecluster/build failed: the Kubernetes tests need Go and the Go module proxy to build their API server once"
        );
        PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
    })
}

fn free_port() -> u16 {
    super::free_port()
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

/// A CA and the API server's serving certificate; the service-account signing key.
fn certificates(dir: &Path) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, SanType};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.distinguished_name
        .push(DnType::CommonName, "estiba test cluster CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca, &ca_key);
    let key = KeyPair::generate().unwrap();
    let mut serving = CertificateParams::new(vec![
        "localhost".to_string(),
        "kubernetes".to_string(),
        "kubernetes.default".to_string(),
        "kubernetes.default.svc".to_string(),
    ])
    .unwrap();
    serving
        .subject_alt_names
        .push(SanType::IpAddress("127.0.0.1".parse().unwrap()));
    serving
        .subject_alt_names
        .push(SanType::IpAddress("10.96.0.1".parse().unwrap()));
    serving
        .distinguished_name
        .push(DnType::CommonName, "kube-apiserver");
    let cert = serving.signed_by(&key, &issuer).unwrap();
    write(&dir.join("ca.crt"), &ca_cert.pem());
    write(&dir.join("apiserver.crt"), &cert.pem());
    write(&dir.join("apiserver.key"), &key.serialize_pem());
    let sa = KeyPair::generate().unwrap();
    write(&dir.join("sa.key"), &sa.serialize_pem());
    write(&dir.join("sa.pub"), &sa.public_key_pem());
    write(
        &dir.join("audit-policy.yaml"),
        "apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n- level: Metadata\n  verbs: [list, watch]\n  resources: [{group: apps, resources: [deployments, replicasets]}, {group: \"\", resources: [pods]}, {group: example.com, resources: [widgets]}]\n- level: Metadata\n  resources: [{group: \"\", resources: [pods/log]}]\n- level: None\n",
    );
    write(
        &dir.join("tokens.csv"),
        &format!(
            "{ADMIN_TOKEN},admin,admin-uid,\"system:masters\"\n{READER_TOKEN},reader,reader-uid,\n"
        ),
    );
}

impl KubeCluster {
    /// Starts the control plane and kwok, creates namespaces `default` (the server's own) and
    /// `challenge-dev`, the reader's Role there, and the given nodes (the first is the control
    /// plane, as in minikube: `192.168.49.2`, then `.3`…).
    pub fn start(nodes: &[&str]) -> KubeCluster {
        let started = Instant::now();
        let bin = binaries().to_path_buf();
        let dir = super::workdir("estiba-kube");
        certificates(&dir);
        let etcd_port = free_port();
        let peer_port = free_port();
        let api_port = free_port();
        let kwok_port = free_port();
        let etcd_url = format!("http://127.0.0.1:{etcd_port}");
        let url = format!("https://127.0.0.1:{api_port}");
        let mut c = KubeCluster {
            dir: dir.clone(),
            url: url.clone(),
            etcd_url: etcd_url.clone(),
            bin: bin.clone(),
            admin_config: dir.join("admin.kubeconfig"),
            children: vec![],
            started: vec![],
            forward_port: free_port(),
        };
        c.watchdog();
        c.logs_config();
        write(
            &dir.join("kwok-forward.yaml"),
            &format!(
                "apiVersion: kwok.x-k8s.io/v1alpha1\nkind: ClusterPortForward\nmetadata:\n  name: forward\nspec:\n  forwards:\n  - ports: [8000]\n    target:\n      port: {}\n      address: 127.0.0.1\n",
                c.forward_port
            ),
        );
        write(
            &c.admin_config,
            &kubeconfig_text(&url, &dir.join("ca.crt"), &[("admin", ADMIN_TOKEN, None)]),
        );
        c.spawn(
            "etcd",
            &[
                "--data-dir",
                &dir.join("etcd").display().to_string(),
                "--listen-client-urls",
                &etcd_url,
                "--advertise-client-urls",
                &etcd_url,
                "--listen-peer-urls",
                &format!("http://127.0.0.1:{peer_port}"),
                "--initial-advertise-peer-urls",
                &format!("http://127.0.0.1:{peer_port}"),
                "--initial-cluster",
                &format!("default=http://127.0.0.1:{peer_port}"),
                "--log-level",
                "warn",
                "--quota-backend-bytes",
                "1073741824",
            ],
        );
        let d = |f: &str| dir.join(f).display().to_string();
        c.spawn(
            "kube-apiserver",
            &[
                "--etcd-servers",
                &etcd_url,
                "--bind-address",
                "127.0.0.1",
                "--advertise-address",
                "127.0.0.1",
                "--secure-port",
                &api_port.to_string(),
                "--tls-cert-file",
                &d("apiserver.crt"),
                "--tls-private-key-file",
                &d("apiserver.key"),
                "--client-ca-file",
                &d("ca.crt"),
                "--token-auth-file",
                &d("tokens.csv"),
                "--authorization-mode",
                "Node,RBAC",
                "--service-account-issuer",
                "https://kubernetes.default.svc",
                "--service-account-key-file",
                &d("sa.pub"),
                "--service-account-signing-key-file",
                &d("sa.key"),
                "--service-cluster-ip-range",
                "10.96.0.0/16",
                "--endpoint-reconciler-type",
                "none",
                // Pod logs come from kwok's server, as they come from a kubelet: the API server
                // dials the node's InternalDNS address (127.0.0.1) on kwok's port, over TLS.
                "--kubelet-preferred-address-types",
                "InternalDNS",
                "--kubelet-certificate-authority",
                &d("ca.crt"),
                // Watches are served from etcd, so that a compaction there expires them (410).
                "--watch-cache=false",
                // Lists and watches of Deployments are written down, to tell a re-list.
                "--audit-policy-file",
                &d("audit-policy.yaml"),
                "--audit-log-path",
                &d("audit.log"),
                "--profiling=false",
                "--v=0",
            ],
        );
        c.wait_ready();
        let kc = c.admin_config.display().to_string();
        c.spawn(
            "kube-controller-manager",
            &[
                "--kubeconfig",
                &kc,
                "--authentication-kubeconfig",
                &kc,
                "--authorization-kubeconfig",
                &kc,
                "--leader-elect=false",
                "--service-account-private-key-file",
                &d("sa.key"),
                "--root-ca-file",
                &d("ca.crt"),
                "--use-service-account-credentials=false",
                "--bind-address",
                "127.0.0.1",
                "--secure-port",
                &free_port().to_string(),
                "--controllers",
                "*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-route",
                "--concurrent-deployment-syncs",
                "5",
                // Thousands of pods (the scale bench) are made in seconds, not minutes.
                "--kube-api-qps",
                "300",
                "--kube-api-burst",
                "600",
                "--v=0",
            ],
        );
        c.spawn(
            "kube-scheduler",
            &[
                "--kubeconfig",
                &kc,
                "--authentication-kubeconfig",
                &kc,
                "--authorization-kubeconfig",
                &kc,
                "--leader-elect=false",
                "--bind-address",
                "127.0.0.1",
                "--secure-port",
                &free_port().to_string(),
                "--kube-api-qps",
                "300",
                "--kube-api-burst",
                "600",
                "--v=0",
            ],
        );
        c.spawn(
            "kwok",
            &[
                "--kubeconfig",
                &kc,
                "--config",
                &bin.join("kwok.yaml").display().to_string(),
                "--config",
                &d("kwok-logs.yaml"),
                "--config",
                &d("kwok-forward.yaml"),
                "--config",
                concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/tests/kubecluster/kwok-stages.yaml"
                ),
                "--config",
                concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/tests/kubecluster/kwok-exec.yaml"
                ),
                "--manage-all-nodes=true",
                "--node-lease-duration-seconds",
                "40",
                "--server-address",
                &format!("127.0.0.1:{kwok_port}"),
                "--node-port",
                &kwok_port.to_string(),
                "--tls-cert-file",
                &d("apiserver.crt"),
                "--tls-private-key-file",
                &d("apiserver.key"),
                "--node-ip",
                "192.168.49.2",
                "--cidr",
                "10.244.0.1/16",
                "--v=ERROR",
            ],
        );
        c.kubectl_ok(&["create", "namespace", "challenge-dev"]);
        c.apply(json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": {"name": "read", "namespace": "challenge-dev"},
            "rules": [{"apiGroups": ["", "apps"], "resources": ["*"], "verbs": ["get", "list", "watch"]}]
        }));
        c.apply(json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": "reader", "namespace": "challenge-dev"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "read"},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "reader"}]
        }));
        for (i, n) in nodes.iter().enumerate() {
            c.add_node(n, i == 0, &format!("192.168.49.{}", i + 2));
        }
        // Pods need the namespace's default service account, which the controller manager makes.
        super::wait_for(
            "the default service account",
            Duration::from_secs(30),
            || {
                c.kubectl(&["get", "serviceaccount", "default", "-n", "default"])
                    .status
                    .success()
                    .then_some(())
            },
        );
        eprintln!(
            "kube cluster up in {:.1}s at {url}",
            started.elapsed().as_secs_f64()
        );
        c
    }

    fn spawn(&mut self, name: &str, args: &[&str]) {
        let child = self.run(name, args);
        self.children.push(child);
        self.started.push((
            name.to_string(),
            args.iter().map(|a| a.to_string()).collect(),
        ));
    }

    /// Stops the API server and starts it again on the same port and etcd: every client's
    /// connection (and watch) drops, as when a control plane is upgraded.
    pub fn restart_apiserver(&mut self) {
        let at = self
            .started
            .iter()
            .position(|(n, _)| n == "kube-apiserver")
            .unwrap();
        let _ = self.children[at].kill();
        let _ = self.children[at].wait();
        let args = self.started[at].1.clone();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.children[at] = self.run("kube-apiserver", &args);
        self.wait_ready();
    }

    /// How many requests the audit log has of `verb` on `resource`, from clients other than
    /// kubectl (the test support's own observer).
    pub fn audit_count(&self, verb: &str, resource: &str) -> usize {
        std::fs::read_to_string(self.dir.join("audit.log"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|e| {
                e["verb"] == verb
                    && e["objectRef"]["resource"] == resource
                    && !e["userAgent"].as_str().unwrap_or("").starts_with("kubectl")
            })
            .count()
    }

    /// How many requests the audit log has of `verb` on `resource` from the consoles under
    /// test (estiba names itself `estiba/…`; k9s `k9s/…`): neither kubectl nor the control
    /// plane's own parts.
    pub fn audit_count_consoles(&self, verb: &str, resource: &str) -> usize {
        self.audit_uris_consoles(verb, resource).len()
    }

    /// The request URIs of those requests, oldest first.
    pub fn audit_uris_consoles(&self, verb: &str, resource: &str) -> Vec<String> {
        let consoles = ["estiba/", "k9s/"];
        std::fs::read_to_string(self.dir.join("audit.log"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|e| {
                let agent = e["userAgent"].as_str().unwrap_or("");
                e["verb"] == verb
                    && e["objectRef"]["resource"] == resource
                    && consoles.iter().any(|c| agent.starts_with(c))
            })
            .filter_map(|e| e["requestURI"].as_str().map(str::to_string))
            .collect()
    }

    /// The process ID of a part of the control plane (`kube-apiserver`, `etcd`...).
    pub fn pid(&self, name: &str) -> Option<u32> {
        let at = self.started.iter().position(|(n, _)| n == name)?;
        self.children.get(at).map(|c| c.id())
    }

    /// The request URIs the audit log has on `resource` (subresource included, as
    /// `pods/log`), from clients other than kubectl.
    pub fn audit_uris(&self, resource: &str) -> Vec<String> {
        let (res, sub) = resource.split_once('/').unwrap_or((resource, ""));
        std::fs::read_to_string(self.dir.join("audit.log"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|e| {
                e["objectRef"]["resource"] == res
                    && e["objectRef"]["subresource"].as_str().unwrap_or("") == sub
                    && !e["userAgent"].as_str().unwrap_or("").starts_with("kubectl")
            })
            .filter_map(|e| e["requestURI"].as_str().map(str::to_string))
            .collect()
    }

    fn run(&self, name: &str, args: &[&str]) -> Child {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join(format!("{name}.log")))
            .unwrap();
        let child = Command::new(self.bin.join(name))
            .args(args)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {name}: {e}"));
        std::fs::write(self.dir.join(format!("{name}.pid")), child.id().to_string()).unwrap();
        child
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            self.check_alive();
            let o = self.kubectl(&["get", "--raw", "/readyz"]);
            if o.status.success() {
                return;
            }
            if Instant::now() > deadline {
                panic!(
                    "kube-apiserver at {} not ready: {}\n{}",
                    self.url,
                    String::from_utf8_lossy(&o.stderr),
                    self.log_tail("kube-apiserver")
                );
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// Fails at once, with its last words, when a component has stopped.
    pub fn check_alive(&mut self) {
        let names = [
            "etcd",
            "kube-apiserver",
            "kube-controller-manager",
            "kube-scheduler",
            "kwok",
        ];
        let stopped = self
            .children
            .iter_mut()
            .zip(names)
            .find_map(|(c, name)| c.try_wait().ok().flatten().map(|s| (name, s)));
        if let Some((name, status)) = stopped {
            panic!("{name} stopped ({status}):\n{}", self.log_tail(name));
        }
    }

    /// The last lines a component wrote, for failure messages.
    pub fn log_tail(&self, name: &str) -> String {
        let text =
            std::fs::read_to_string(self.dir.join(format!("{name}.log"))).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    /// Kills every process when the test process ends, however it ends.
    fn watchdog(&self) {
        let me = std::process::id();
        let script = format!(
            "while kill -0 {me} 2>/dev/null; do sleep 1; done; \
             for p in {dir}/*.pid; do [ -f $p ] && kill -9 $(cat $p) 2>/dev/null; done; {rm}",
            dir = self.dir.display(),
            rm = if std::env::var_os("ESTIBA_KEEP_KUBE").is_some() {
                String::new()
            } else {
                format!("rm -rf {}", self.dir.display())
            }
        );
        let _ = Command::new("sh")
            .arg("-c")
            .arg(script)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
    }

    /// A node as kwok keeps it: Ready, with its InternalIP; the first one is the control plane.
    pub fn add_node(&mut self, name: &str, control_plane: bool, ip: &str) {
        let mut labels = json!({
            "kubernetes.io/hostname": name,
            "kubernetes.io/os": "linux",
            "type": "kwok"
        });
        if control_plane {
            labels["node-role.kubernetes.io/control-plane"] = json!("");
        }
        self.apply(json!({
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": labels, "annotations": {"kwok.x-k8s.io/node": "fake"}},
            "spec": {}
        }));
        // The address students see in minikube; kwok keeps the status's other fields.
        let status = json!({"status": {"addresses": [
            {"type": "InternalIP", "address": ip},
            {"type": "Hostname", "address": name},
            {"type": "InternalDNS", "address": "127.0.0.1"}
        ]}});
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let o = self.kubectl(&[
                "patch",
                "node",
                name,
                "--subresource=status",
                "--type=merge",
                "-p",
                &status.to_string(),
            ]);
            let ready = self
                .get("nodes", None, name)
                .and_then(|n| {
                    n["status"]["conditions"].as_array().map(|c| {
                        c.iter()
                            .any(|c| c["type"] == "Ready" && c["status"] == "True")
                    })
                })
                .unwrap_or(false);
            if o.status.success() && ready {
                break;
            }
            self.check_alive();
            assert!(
                Instant::now() < deadline,
                "kwok did not make node {name} Ready: {}",
                self.log_tail("kwok")
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// kwok's log simulation: the containers named in [`LOG_CONTAINERS`], in any pod, print what
    /// [`KubeCluster::write_log`] wrote for them (and, followed, what is written later).
    fn logs_config(&self) {
        std::fs::create_dir_all(self.dir.join("logs")).unwrap();
        let mut t = String::from(
            "apiVersion: kwok.x-k8s.io/v1alpha1\nkind: ClusterLogs\nmetadata:\n  name: logs\nspec:\n  selector: {}\n  logs:\n",
        );
        for c in LOG_CONTAINERS {
            let file = self.dir.join("logs").join(format!("{c}.log"));
            write(&file, "");
            t.push_str(&format!(
                "  - containers: [{c}]\n    logsFile: {}\n    follow: true\n",
                file.display()
            ));
        }
        write(&self.dir.join("kwok-logs.yaml"), &t);
    }

    /// Appends lines to what a container prints (CRI log format: time, stream, text).
    pub fn write_log(&self, container: &str, lines: &[&str]) {
        use std::io::Write;
        assert!(
            LOG_CONTAINERS.contains(&container),
            "{container}: not in LOG_CONTAINERS"
        );
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(self.dir.join("logs").join(format!("{container}.log")))
            .unwrap();
        for l in lines {
            let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
            writeln!(f, "{now} stdout F {l}").unwrap();
        }
    }

    /// kubectl as the admin, from the same release as the server.
    pub fn kubectl(&self, args: &[&str]) -> Output {
        Command::new(self.bin.join("kubectl"))
            .arg("--kubeconfig")
            .arg(&self.admin_config)
            .args(args)
            .output()
            .expect("kubectl runs")
    }

    pub fn kubectl_ok(&self, args: &[&str]) -> String {
        let o = self.kubectl(args);
        assert!(
            o.status.success(),
            "kubectl {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// kubectl with an object on standard input.
    fn kubectl_stdin(&self, args: &[&str], obj: &Value) -> String {
        use std::io::Write;
        let mut child = Command::new(self.bin.join("kubectl"))
            .arg("--kubeconfig")
            .arg(&self.admin_config)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kubectl runs");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(obj.to_string().as_bytes())
            .unwrap();
        let o = child.wait_with_output().unwrap();
        assert!(
            o.status.success(),
            "kubectl {} {obj}: {}",
            args.join(" "),
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// A StatefulSet `mongo` (one replica) and a DaemonSet `agent` in `default`, rolled out.
    pub fn mongo_and_agent(&self) {
        self.create(json!({
            "apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": "mongo", "namespace": "default"},
            "spec": {"replicas": 1, "serviceName": "mongo", "selector": {"matchLabels": {"app": "mongo"}},
                     "template": {"metadata": {"labels": {"app": "mongo"}}, "spec": {"containers": [{"name": "mongo", "image": "mongo:7.0"}]}}}
        }));
        self.create(json!({
            "apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": "agent", "namespace": "default"},
            "spec": {"selector": {"matchLabels": {"app": "agent"}},
                     "template": {"metadata": {"labels": {"app": "agent"}}, "spec": {"containers": [{"name": "agent", "image": "agent:1"}]}}}
        }));
        self.kubectl_ok(&["rollout", "status", "statefulset/mongo", "--timeout=60s"]);
        self.kubectl_ok(&["rollout", "status", "daemonset/agent", "--timeout=60s"]);
    }

    /// Creates an object as a client would (`kubectl create -f -`), and returns it.
    pub fn create(&self, obj: Value) -> Value {
        serde_json::from_str(&self.kubectl_stdin(&["create", "-o", "json", "-f", "-"], &obj))
            .unwrap()
    }

    /// Creates or updates an object (`kubectl apply -f -`, client-side).
    pub fn apply(&self, obj: Value) -> Value {
        serde_json::from_str(&self.kubectl_stdin(&["apply", "-o", "json", "-f", "-"], &obj))
            .unwrap()
    }

    /// An object as the server has it now.
    pub fn get(&self, plural: &str, ns: Option<&str>, name: &str) -> Option<Value> {
        // The whole object, as the server keeps it (kubectl hides managedFields by default).
        let mut args = vec!["get", plural, name, "-o", "json", "--show-managed-fields"];
        if let Some(ns) = ns {
            args.extend(["-n", ns]);
        }
        let o = self.kubectl(&args);
        o.status
            .success()
            .then(|| serde_json::from_slice(&o.stdout).unwrap())
    }

    pub fn list(&self, plural: &str, ns: Option<&str>) -> Vec<Value> {
        let mut args = vec!["get", plural, "-o", "json"];
        match ns {
            Some(ns) => args.extend(["-n", ns]),
            None => args.push("-A"),
        }
        let v: Value = serde_json::from_str(&self.kubectl_ok(&args)).unwrap();
        v["items"].as_array().cloned().unwrap_or_default()
    }

    /// Waits until a Deployment has all its replicas updated and available.
    pub fn wait_rolled_out(&self, ns: &str, name: &str) {
        let o = self.kubectl(&[
            "rollout",
            "status",
            &format!("deployment/{name}"),
            "-n",
            ns,
            "--timeout=60s",
        ]);
        assert!(
            o.status.success(),
            "deployment {ns}/{name} did not roll out: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }

    /// Compacts etcd's history up to now: a watch from an older resourceVersion gets 410 Gone.
    pub fn compact(&self) {
        let status = super::http_post_json(
            &self.etcd_url,
            "/v3/kv/range",
            &json!({"key": "AA==", "limit": 1}),
        );
        let rev: u64 = status["header"]["revision"]
            .as_str()
            .and_then(|r| r.parse().ok())
            .expect("etcd's revision");
        super::http_post_json(
            &self.etcd_url,
            "/v3/kv/compaction",
            &json!({"revision": rev.to_string(), "physical": true}),
        );
    }

    /// A kubeconfig with contexts `lab` (namespace default), `lab-dev` (namespace
    /// challenge-dev), `reader` (the user who may only read challenge-dev) and `gone` (a server
    /// that does not answer), as a student's minikube config has them, CA and token included.
    pub fn kubeconfig(&self, path: &Path) {
        let ca = self.dir.join("ca.crt");
        let mut text = kubeconfig_text(
            &self.url,
            &ca,
            &[
                ("lab", ADMIN_TOKEN, Some("default")),
                ("lab-dev", ADMIN_TOKEN, Some("challenge-dev")),
                ("reader", READER_TOKEN, Some("challenge-dev")),
            ],
        );
        text.push_str("- name: gone\n  context:\n    cluster: gone\n    user: lab\n");
        text = text.replace(
            "clusters:\n",
            "clusters:\n- name: gone\n  cluster:\n    server: https://127.0.0.1:9\n",
        );
        write(path, &text);
    }
}

/// A kubeconfig with one cluster and a context (and user) per `(name, token, namespace)`; the
/// first is the current one.
fn kubeconfig_text(url: &str, ca: &Path, contexts: &[(&str, &str, Option<&str>)]) -> String {
    let mut t = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: {}\nclusters:\n- name: lab\n  cluster:\n    server: {url}\n    certificate-authority: {}\nusers:\n",
        contexts[0].0,
        ca.display()
    );
    for (name, token, _) in contexts {
        t.push_str(&format!("- name: {name}\n  user:\n    token: {token}\n"));
    }
    t.push_str("contexts:\n");
    for (name, _, ns) in contexts {
        t.push_str(&format!(
            "- name: {name}\n  context:\n    cluster: lab\n    user: {name}\n"
        ));
        if let Some(ns) = ns {
            t.push_str(&format!("    namespace: {ns}\n"));
        }
    }
    t
}

impl Drop for KubeCluster {
    fn drop(&mut self) {
        for c in self.children.iter_mut().rev() {
            let _ = c.kill();
            let _ = c.wait();
        }
        if std::env::var_os("ESTIBA_KEEP_KUBE").is_none() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
