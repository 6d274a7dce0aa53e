//! The Kubernetes budgets at scale, measured: `cargo bench --bench kube` starts the tests'
//! control plane (etcd, kube-apiserver, controller-manager and scheduler v1.34, kwok playing the
//! kubelets), makes ESTIBA_BENCH_PODS pods (default 10 000: Deployments of 500), and runs the
//! console in tmux at 160x45 on one Deployment's pods. It prints:
//!
//! - first screen: from start until that Deployment's pods are drawn (budget ≤ 1 s);
//! - idle, 30 s: the console's CPU (≤ 0.5 % of a core), its LISTs of pods, ReplicaSets and
//!   Deployments (0), and the API server's CPU with the console beside its CPU with none
//!   (no higher, within a point of noise);
//! - RSS after the idle (≤ 150 MB);
//! - a rollout restart of 500 pods: the console's CPU until the rollout is done and its LISTs
//!   (none). With k9s on PATH the same is measured for it, and the console's CPU must be at
//!   most k9s's.
//!
//! Needs what the Kubernetes tests need (Go, to build the control plane once, and tmux).

// A measuring harness that shares the tests' support code: like a test, it stops loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use serde_json::json;
use std::time::{Duration, Instant};
use support::kube_cluster::KubeCluster;
use support::tmux::Tmux;

const PER_DEPLOYMENT: usize = 500;
const IDLE: Duration = Duration::from_secs(30);

fn verdict(ok: bool) -> &'static str {
    if ok { "ok" } else { "OVER BUDGET" }
}

/// A process's CPU time so far (user and system), in seconds.
fn cpu(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    // Fields 14 and 15 of stat; `after` starts at field 3.
    let ticks = |i: usize| {
        f.get(i - 3)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(14) + ticks(15)) / 100.0
}

/// A process's resident memory, in MB.
fn rss(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1000.0
}

/// The CPU share of a core `pids` used over `span`, each.
fn cpu_over(pids: &[u32], span: Duration) -> Vec<f64> {
    let before: Vec<f64> = pids.iter().map(|p| cpu(*p)).collect();
    std::thread::sleep(span);
    pids.iter()
        .zip(before)
        .map(|(p, b)| (cpu(*p) - b) / span.as_secs_f64() * 100.0)
        .collect()
}

fn lists(kube: &KubeCluster) -> usize {
    ["pods", "replicasets", "deployments"]
        .iter()
        .map(|r| kube.audit_count_consoles("list", r))
        .sum()
}

fn deployment(name: &str, replicas: usize) -> serde_json::Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default", "labels": {"app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "web", "image": "web:1"}]}
            }
        }
    })
}

/// Waits until `pods` pods are Running.
fn wait_running(kube: &KubeCluster, pods: usize) {
    let started = Instant::now();
    loop {
        let out = kube.kubectl_ok(&[
            "get",
            "pods",
            "-A",
            "--field-selector=status.phase=Running",
            "--no-headers",
            "-o",
            "name",
        ]);
        let n = out.lines().count();
        if n >= pods {
            eprintln!(
                "{n} pods running after {:.0} s",
                started.elapsed().as_secs_f64()
            );
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(1200),
            "only {n} of {pods} pods running"
        );
        std::thread::sleep(Duration::from_secs(5));
    }
}

/// One console's figures.
struct Figures {
    first: f64,
    idle: f64,
    idle_lists: usize,
    apiserver_idle: f64,
    rss: f64,
    churn: f64,
    churn_lists: usize,
}

/// Runs one console (`command` in the pane) and measures it.
fn measure(kube: &KubeCluster, command: &str, shown: &str, restart: &str) -> Figures {
    let started = Instant::now();
    let home = support::workdir("bench-kube");
    let data = home.join("data").display().to_string();
    let config = home.join("config").display().to_string();
    let env = [
        ("LANG", "C.UTF-8"),
        ("TERM", "xterm-256color"),
        ("ESTIBA_DATA_DIR", data.as_str()),
        ("ESTIBA_CONFIG_DIR", config.as_str()),
    ];
    let t = Tmux::start(160, 45, &env, command);
    let deadline = Instant::now() + Duration::from_secs(120);
    // The Deployment's count and its pods' rows.
    while !(t.screen().contains(shown) && t.screen().contains("web-00-")) {
        assert!(
            Instant::now() < deadline,
            "{shown} never shown:\n{}",
            t.screen()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let first = started.elapsed().as_secs_f64();
    let pid = t.program_pid().expect("the console runs");
    let api = kube.pid("kube-apiserver").expect("the API server runs");
    // Settled: the first lists are done.
    std::thread::sleep(Duration::from_secs(5));
    let lists_before = lists(kube);
    // ESTIBA_BENCH_PERF=FILE: perf records the console while it idles (build with
    // `cargo bench --profile profiling` for symbols), to find what costs.
    let perf = std::env::var("ESTIBA_BENCH_PERF").ok().map(|out| {
        std::process::Command::new("perf")
            .args([
                "record",
                "-F",
                "499",
                "-g",
                "-o",
                &out,
                "-p",
                &pid.to_string(),
            ])
            .args(["--", "sleep", &IDLE.as_secs().to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("perf runs")
    });
    let idle = cpu_over(&[pid, api], IDLE);
    if let Some(mut p) = perf {
        let _ = p.wait();
    }
    let idle_lists = lists(kube) - lists_before;
    let rss = rss(pid);
    let lists_before = lists(kube);
    let before = cpu(pid);
    let t0 = Instant::now();
    kube.kubectl_ok(&["rollout", "restart", &format!("deployment/{restart}")]);
    kube.kubectl_ok(&[
        "rollout",
        "status",
        &format!("deployment/{restart}"),
        "--timeout=600s",
    ]);
    // The console catches up with the last changes.
    std::thread::sleep(Duration::from_secs(2));
    let churn = (cpu(pid) - before) / t0.elapsed().as_secs_f64() * 100.0;
    let churn_lists = lists(kube) - lists_before;
    t.keys(&["q"]);
    drop(t);
    Figures {
        first,
        idle: idle[0],
        idle_lists,
        apiserver_idle: idle[1],
        rss,
        churn,
        churn_lists,
    }
}

fn main() {
    let pods: usize = std::env::var("ESTIBA_BENCH_PODS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let deployments = pods.div_ceil(PER_DEPLOYMENT);
    let mut kube = KubeCluster::start(&["minikube"]);
    // kwok's nodes hold 110 pods each, as a kubelet's default.
    for i in 1..pods.div_ceil(100) {
        kube.add_node(
            &format!("node-{i:03}"),
            false,
            &format!("192.168.{}.{}", 50 + i / 200, 2 + i % 200),
        );
    }
    for d in 0..deployments {
        let n = PER_DEPLOYMENT.min(pods - d * PER_DEPLOYMENT);
        kube.apply(deployment(&format!("web-{d:02}"), n));
    }
    wait_running(&kube, pods);
    let config = kube.dir.join("bench.kubeconfig");
    kube.kubeconfig(&config);
    let api = kube.pid("kube-apiserver").expect("the API server runs");
    std::thread::sleep(Duration::from_secs(10));
    let apiserver_alone = cpu_over(&[api], IDLE)[0];
    // The first Deployment is selected at start; the pods pane shows its pods.
    let shown = format!("Pods web-00 ({PER_DEPLOYMENT}/{PER_DEPLOYMENT} running");
    let estiba = measure(
        &kube,
        &format!(
            "{} --kubeconfig {}",
            support::Engine::estiba(),
            config.display()
        ),
        &shown,
        "web-01",
    );
    println!("Kubernetes at scale: {pods} pods in {deployments} Deployments, console at 160x45");
    println!(
        "  API server CPU idle, no console          {:>8.1} %",
        apiserver_alone
    );
    let f = &estiba;
    println!(
        "  first screen                             {:>8.2} s   (budget ≤ 1 s) {}",
        f.first,
        verdict(f.first <= 1.0)
    );
    println!(
        "  console CPU idle (30 s)                  {:>8.2} %   (budget ≤ 0.5 %) {}",
        f.idle,
        verdict(f.idle <= 0.5)
    );
    println!(
        "  LISTs idle (30 s)                        {:>8}     (budget 0) {}",
        f.idle_lists,
        verdict(f.idle_lists == 0)
    );
    println!(
        "  API server CPU idle, with the console    {:>8.1} %   (budget ≤ {:.1} % + 1 of noise) {}",
        f.apiserver_idle,
        apiserver_alone,
        verdict(f.apiserver_idle <= apiserver_alone + 1.0)
    );
    println!(
        "  console RSS                              {:>8.1} MB  (budget ≤ 150 MB) {}",
        f.rss,
        verdict(f.rss <= 150.0)
    );
    println!(
        "  LISTs during a rollout restart of {PER_DEPLOYMENT:>4}  {:>8}     (budget 0) {}",
        f.churn_lists,
        verdict(f.churn_lists == 0)
    );
    match which("k9s") {
        Some(k9s) => {
            let k = measure(
                &kube,
                &format!(
                    "{} --kubeconfig {} --headless --command pods",
                    k9s,
                    config.display()
                ),
                "web-00",
                "web-02",
            );
            println!(
                "  console CPU during the rollout           {:>8.1} %   (budget ≤ k9s's {:.1} %) {}",
                f.churn,
                k.churn,
                verdict(f.churn <= k.churn)
            );
            println!(
                "  k9s: first screen {:.2} s, idle CPU {:.2} %, RSS {:.1} MB, LISTs idle {}",
                k.first, k.idle, k.rss, k.idle_lists
            );
        }
        None => println!(
            "  console CPU during the rollout           {:>8.1} %   (k9s not on PATH: not compared)",
            f.churn
        ),
    }
}

fn which(name: &str) -> Option<String> {
    let o = std::process::Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .ok()?;
    let p = String::from_utf8_lossy(&o.stdout).trim().to_string();
    (o.status.success() && !p.is_empty()).then_some(p)
}
