//! The demo Kubernetes cluster (`estiba --demo --kube`) against a real one: the same estiba
//! commands and the same objects, read from both, have the same JSON shape, field for field
//! (values aside); and both Kubernetes labs walked end to end in the demo console in tmux.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly

mod support;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use support::kube_cluster::KubeCluster;
use support::tmux::Tmux;

/// A value's shape: objects by their keys, arrays by the shapes of their elements, scalars by
/// their type. Values themselves are left aside.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Shape {
    Null,
    Bool,
    Number,
    String,
    Array(Vec<Shape>),
    Object(BTreeMap<String, Shape>),
}

/// Fields whose keys are data, not shape: the API's `map[string]...` fields (labels,
/// annotations, a Secret's or ConfigMap's keys, selectors, resource quantities) and
/// `fieldsV1` (managedFields' record of the paths a manager set). Their values' shapes are
/// compared, their keys are not.
const MAPS: &[&str] = &[
    "labels",
    "annotations",
    "data",
    "selector",
    "matchLabels",
    "nodeSelector",
    "capacity",
    "allocatable",
    "limits",
    "requests",
    "usage",
];

/// What the reference cluster's kubelets (kwok, which plays them) write differently from a real
/// kubelet, which the demo follows; and what its controller-manager is started without
/// (`--allocate-node-cidrs`, which minikube's uses). Each is named here, and only these.
const KUBELET_FIELDS: &[&str] = &[
    "pods/creator-.status.containerStatuses[].containerID: only in the demo",
    "pods/creator-.status.containerStatuses[].started: only in the demo",
    "pods/creator-.status.initContainerStatuses[].containerID: only in the demo",
    "pods/creator-.status.initContainerStatuses[].started: only in the demo",
    "pods/creator-.status.initContainerStatuses[].state.terminated.containerID: only in the demo",
    "nodes/minikube.spec.podCIDR: only in the demo",
    "nodes/minikube.spec.podCIDRs: only in the demo",
    "nodes/minikube.status.phase: only in the real cluster",
];

fn shape(v: &Value, key: &str) -> Shape {
    if let (true, Value::Object(m)) = (MAPS.contains(&key) || key == "fieldsV1", v) {
        let mut s: Vec<Shape> = m.values().map(|x| shape(x, "")).collect();
        s.sort();
        s.dedup();
        if key == "fieldsV1" {
            s.clear();
        }
        return Shape::Array(s);
    }
    match v {
        Value::Null => Shape::Null,
        Value::Bool(_) => Shape::Bool,
        Value::Number(_) => Shape::Number,
        Value::String(_) => Shape::String,
        Value::Array(a) => {
            let mut s: Vec<Shape> = a.iter().map(|x| shape(x, key)).collect();
            s.sort();
            s.dedup();
            Shape::Array(s)
        }
        Value::Object(m) => {
            Shape::Object(m.iter().map(|(k, x)| (k.clone(), shape(x, k))).collect())
        }
    }
}

/// Where two shapes differ, as paths.
fn differences(a: &Shape, b: &Shape, path: &str, out: &mut Vec<String>) {
    match (a, b) {
        (Shape::Object(x), Shape::Object(y)) => {
            for (k, v) in x {
                match y.get(k) {
                    Some(w) => differences(v, w, &format!("{path}.{k}"), out),
                    None => out.push(format!("{path}.{k}: only in the real cluster")),
                }
            }
            for k in y.keys().filter(|k| !x.contains_key(*k)) {
                out.push(format!("{path}.{k}: only in the demo"));
            }
        }
        (Shape::Array(x), Shape::Array(y)) => {
            // Elements compared as the union of their shapes' fields.
            let merged = |s: &Vec<Shape>| -> Shape {
                let mut m = BTreeMap::new();
                for e in s {
                    match e {
                        Shape::Object(o) => m.extend(o.clone()),
                        other => return other.clone(),
                    }
                }
                Shape::Object(m)
            };
            if !x.is_empty() && !y.is_empty() {
                differences(&merged(x), &merged(y), &format!("{path}[]"), out);
            }
        }
        _ if a == b => {}
        _ => out.push(format!(
            "{path}: {a:?} in the real cluster, {b:?} in the demo"
        )),
    }
}

fn compare(what: &str, real: &Value, demo: &Value) -> Vec<String> {
    let mut out = Vec::new();
    differences(&shape(real, ""), &shape(demo, ""), what, &mut out);
    out
}

fn json_of(o: &std::process::Output, what: &str) -> Value {
    assert!(
        o.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{what}: {e}"))
}

fn estiba_real(dir: &Path, config: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["--kubeconfig", config.to_str().unwrap()];
    all.extend_from_slice(args);
    support::estiba_in(dir, &all)
}

fn estiba_demo(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["--demo", "--kube"];
    all.extend_from_slice(args);
    support::estiba_in(dir, &all)
}

/// The objects both clusters hold once the labs' manifests are applied: (kind, namespace, name
/// or a name's start).
const OBJECTS: &[(&str, Option<&str>, &str)] = &[
    ("deployments", Some("default"), "creator"),
    ("replicasets", Some("default"), "creator-"),
    ("pods", Some("default"), "creator-"),
    ("services", Some("default"), "creator"),
    ("secrets", Some("default"), "jwt-key"),
    ("namespaces", None, "challenge-dev"),
    ("nodes", None, "minikube"),
    ("configmaps", Some("default"), "kube-root-ca.crt"),
    ("serviceaccounts", Some("default"), "default"),
];

#[test]
fn the_demo_answers_as_a_real_cluster_does() {
    let kube = KubeCluster::start(&["minikube", "minikube-m02", "minikube-m03"]);
    let dir = support::workdir("estiba-kube-demo");
    let config = dir.join("kubeconfig");
    kube.kubeconfig(&config);
    // The labs' manifests, applied by the same estiba command the demo starts from.
    for lab in ["practica-k8s", "desafio-final"] {
        let file = dir.join(format!("{lab}.yaml"));
        std::fs::write(&file, estiba::presets::manifests(lab).unwrap()).unwrap();
        support::ok(&estiba_real(
            &dir,
            &config,
            &["-y", "apply", file.to_str().unwrap()],
        ));
    }
    for (ns, d) in [
        ("default", "creator"),
        ("default", "verifier"),
        ("challenge-dev", "backend"),
        ("challenge-prd", "frontend"),
    ] {
        kube.wait_rolled_out(ns, d);
    }
    let mut diffs = Vec::new();
    // The same commands' JSON.
    for cmd in [
        &["nodes"][..],
        &["workloads"],
        &["pods", "-A"],
        &["services"],
        &["secrets"],
        &["configs"],
        &["volumes"],
        &["inspect", "deployment", "creator"],
        &["inspect", "service", "creator"],
    ] {
        let mut args = vec!["-o", "json"];
        args.extend_from_slice(cmd);
        let real = json_of(&estiba_real(&dir, &config, &args), &cmd.join(" "));
        let demo = json_of(&estiba_demo(&dir, &args), &cmd.join(" "));
        diffs.extend(compare(&format!("estiba {}", cmd.join(" ")), &real, &demo));
    }
    // The objects themselves, as the API server returns them.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let cluster = estiba::backend::demo::kube::Cluster::at(estiba::time::now(), None);
        let client = cluster.client();
        for (plural, ns, name) in OBJECTS {
            let real_list = kube.list(plural, *ns);
            let real = real_list
                .iter()
                .find(|o| {
                    o["metadata"]["name"]
                        .as_str()
                        .unwrap_or_default()
                        .starts_with(name)
                })
                .unwrap_or_else(|| panic!("no {plural} {name} in the real cluster"));
            let real = kube
                .get(plural, *ns, real["metadata"]["name"].as_str().unwrap())
                .unwrap();
            let path = match (ns, *plural) {
                (None, p) => format!("/api/v1/{p}"),
                (Some(n), p @ ("deployments" | "replicasets")) => {
                    format!("/apis/apps/v1/namespaces/{n}/{p}")
                }
                (Some(n), p) => format!("/api/v1/namespaces/{n}/{p}"),
            };
            let list: Value = client
                .request(http::Request::get(&path).body(vec![]).unwrap())
                .await
                .unwrap();
            let demo = list["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|o| {
                    o["metadata"]["name"]
                        .as_str()
                        .unwrap_or_default()
                        .starts_with(name)
                })
                .cloned();
            match demo {
                Some(demo) => diffs.extend(compare(&format!("{plural}/{name}"), &real, &demo)),
                None => diffs.push(format!("{plural}/{name}: not in the demo")),
            }
        }
    });
    diffs.retain(|d| !KUBELET_FIELDS.contains(&d.as_str()));
    assert!(
        diffs.is_empty(),
        "the demo's shapes differ:\n{}",
        diffs.join("\n")
    );
}

/// A line typed in the palette and seen there before Enter (keys sent while a window closes on
/// a busy machine would otherwise go astray).
fn type_line(t: &Tmux, line: &str) {
    let typed = format!(":{line}");
    for _ in 0..3 {
        t.keys(&[":"]);
        t.text(line);
        let seen = (0..50).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(100));
            t.screen().lines().any(|l| l.starts_with(&typed))
        });
        if seen {
            t.keys(&["Enter"]);
            return;
        }
        // Typed into something else: out of it, and again.
        t.keys(&["Escape", "Escape"]);
    }
    panic!("could not type {line} in the palette:\n{}", t.screen());
}

/// A command run from the palette: typed, then seen taken.
fn say(t: &Tmux, line: &str) {
    type_line(t, line);
    let typed = format!(":{line}");
    t.wait_until(&format!("{line} taken"), 20, |s| {
        !s.lines().any(|l| l.starts_with(&typed))
    });
}

/// `estiba --demo --kube lab check -o json` in a lab's folder: (step, done) in order.
fn lab_check(dir: &Path) -> Vec<(String, bool)> {
    let o = support::estiba_in(dir, &["--demo", "--kube", "lab", "check", "-o", "json"]);
    let v: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
    assert_eq!(v["demo"], true, "{v}");
    v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["status"] == "done",
            )
        })
        .collect()
}

fn done(steps: &[(String, bool)], name: &str) -> bool {
    steps.iter().any(|(n, d)| n == name && *d)
}

/// Waits for a step's picture (the console takes it once the step passes).
fn picture(dir: &Path, step: &str) {
    let file = dir.join("evidencias").join(format!("{step}.png"));
    support::wait_for(step, std::time::Duration::from_secs(20), || {
        file.is_file().then_some(())
    });
}

/// practica-k8s in the demo, as a class watches it: nothing of the lab's there at first, then
/// the manifests applied from the palette (previewed, confirmed), creator ×2 and verifier ×3
/// ready, both NodePort services with their ports, the Secret's key; the checks pass and the
/// hand-in says it is the demo.
#[test]
fn practica_k8s_walked_in_the_demo_console() {
    support::require(&["tmux"]);
    let d = support::workdir("kdemo-practica");
    let t = Tmux::in_dir(150, 45, &d, "C.UTF-8", "--demo --kube --lab practica-k8s");
    t.wait_for("7-secreto", 20);
    let before = lab_check(&d);
    for step in [
        "4-aplicar-manifiestos",
        "5-replicas",
        "6-servicios-nodeport",
        "7-secreto",
    ] {
        assert!(
            !done(&before, step),
            "{step} passed before anything was applied: {before:?}"
        );
    }
    t.wait_for("No Deployments in this namespace yet", 10);
    say(&t, "apply practica-k8s");
    t.wait_for("5 to create", 10);
    t.keys(&["y"]);
    t.wait_for("5 objects applied", 20);
    t.keys(&["Escape"]);
    say(&t, "pods");
    // The pods come up on the three nodes, the init container first.
    let s = t.wait_until("five pods running", 30, |s| {
        s.matches("running 1/1").count() >= 5
    });
    assert!(s.contains("verifier-") && s.contains("creator-"), "{s}");
    t.keys(&["Escape"]);
    for step in [
        "4-aplicar-manifiestos",
        "5-replicas",
        "6-servicios-nodeport",
        "7-secreto",
    ] {
        picture(&d, step);
    }
    say(&t, "services");
    let s = t.wait_until("the NodePorts", 10, |s| {
        s.contains("NodePort") && s.contains("8000:3") && s.contains("5000:3")
    });
    assert!(s.contains("creator") && s.contains("verifier"), "{s}");
    t.keys(&["Escape"]);
    say(&t, "secrets");
    let s = t.wait_for("jwt-key", 10);
    assert!(s.contains("KEY") && !s.contains("cambia-esta-clave"), "{s}");
    t.keys(&["Escape"]);
    type_line(&t, "lab report");
    t.wait_for("student's name", 10);
    t.text("\"Ana Ruiz\"");
    t.keys(&["Enter"]);
    let index = d.join("evidencias").join("index.html");
    let html = support::wait_for("the hand-in", std::time::Duration::from_secs(10), || {
        std::fs::read_to_string(&index).ok()
    });
    assert!(
        html.contains("demonstration cluster") && html.contains("Ana Ruiz"),
        "{html}"
    );
    t.keys(&["Escape", "q"]);
    std::thread::sleep(std::time::Duration::from_millis(500));
    let after = lab_check(&d);
    for step in [
        "4-aplicar-manifiestos",
        "5-replicas",
        "6-servicios-nodeport",
        "7-secreto",
    ] {
        assert!(done(&after, step), "{step} did not pass: {after:?}");
    }
}

/// desafio-final in the demo: the two namespaces from one apply, each with its backend and
/// frontend at the tag its environment asks for; `:ns challenge-prd` looks at production.
#[test]
fn desafio_final_walked_in_the_demo_console() {
    support::require(&["tmux"]);
    let d = support::workdir("kdemo-desafio");
    let t = Tmux::in_dir(150, 45, &d, "C.UTF-8", "--demo --kube --lab desafio-final");
    t.wait_for("5-entorno-prd", 20);
    let before = lab_check(&d);
    for step in ["3-manifiestos", "4-entorno-dev", "5-entorno-prd"] {
        assert!(!done(&before, step), "{step} passed before: {before:?}");
    }
    say(&t, "apply desafio-final");
    t.wait_for("6 to create", 10);
    t.keys(&["y"]);
    t.wait_for("6 objects applied", 20);
    t.keys(&["Escape"]);
    picture(&d, "3-manifiestos");
    // Each environment passes as the class looks at it, as on a real cluster.
    for (step, ns) in [
        ("4-entorno-dev", "challenge-dev"),
        ("5-entorno-prd", "challenge-prd"),
    ] {
        t.keys(&["Escape"]);
        say(&t, &format!("ns {ns}"));
        t.wait_for(&format!("ns {ns}"), 10);
        picture(&d, step);
    }
    t.keys(&["Escape"]);
    say(&t, "pods");
    let s = t.wait_until("production's four pods", 30, |s| {
        s.matches("running 1/1").count() >= 4
    });
    assert!(s.contains("backend-") && s.contains("frontend-"), "{s}");
    t.keys(&["Escape"]);
    say(&t, "volumes");
    let s = t.wait_for("Active", 10);
    assert!(s.matches("challenge-").count() >= 4, "{s}");
    t.keys(&["Escape", "q"]);
    std::thread::sleep(std::time::Duration::from_millis(500));
    let after = lab_check(&d);
    for step in ["3-manifiestos", "4-entorno-dev", "5-entorno-prd"] {
        assert!(done(&after, step), "{step} did not pass: {after:?}");
    }
}

/// What the Kubernetes backend does, on the demo headless: scale, image, restart, logs, top,
/// inspect as YAML, events, a port-forward whose address answers, and exec refused in words.
#[test]
fn the_demo_takes_the_kubernetes_actions() {
    let d = support::workdir("kdemo-ops");
    let run = |args: &[&str]| {
        let o = estiba_demo(&d, args);
        let out = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        (o.status.success(), out)
    };
    let (ok, out) = run(&["-y", "scale", "creator", "4"]);
    assert!(
        ok && out.contains("4/4 ready") && out.contains("kubectl scale"),
        "{out}"
    );
    let (ok, out) = run(&["image", "creator", "creator:2.0"]);
    assert!(ok && out.contains("creator now runs creator:2.0"), "{out}");
    let (ok, out) = run(&["restart", "verifier"]);
    assert!(ok && out.contains("every pod restarted"), "{out}");
    let (ok, out) = run(&["logs", "creator", "--tail", "2"]);
    assert!(ok && out.contains("POST /token 200"), "{out}");
    let (ok, out) = run(&["stats", "--no-stream"]);
    assert!(
        ok && out.contains("verifier-") && out.contains("MiB"),
        "{out}"
    );
    let (ok, out) = run(&["inspect", "service", "creator"]);
    assert!(
        ok && out.contains("type: NodePort") && out.contains("nodePort: 3"),
        "{out}"
    );
    let (ok, out) = run(&["events", "--since", "3h"]);
    assert!(ok && out.contains("ScalingReplicaSet"), "{out}");
    let (ok, out) = run(&["exec", "creator-", "--", "ls"]);
    assert!(!ok, "{out}");
    let pod = {
        let (_, pods) = run(&["-o", "json", "pods"]);
        let v: Value = serde_json::from_str(&pods).unwrap();
        v.as_array().unwrap()[0]["name"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (ok, out) = run(&["exec", &pod, "--", "ls"]);
    assert!(!ok && out.contains("simulated"), "{out}");
    // A port-forward listens, and what it forwards to answers.
    let port = support::free_port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_estiba"))
        .args([
            "--demo",
            "--kube",
            "port-forward",
            "svc/creator",
            &format!("{port}:8000"),
        ])
        .current_dir(&d)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut answer = String::new();
    for _ in 0..100 {
        use std::io::{Read, Write};
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
                .unwrap();
            let mut buf = [0u8; 4096];
            let n = s.read(&mut buf).unwrap_or(0);
            answer = String::from_utf8_lossy(&buf[..n]).into_owned();
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        answer.starts_with("HTTP/1.1 200") && answer.contains("answers on port 8000"),
        "{answer}"
    );
}

/// The demo in Spanish: a pod's state in Spanish with its ready containers, no English left.
#[test]
fn the_kubernetes_demo_speaks_spanish() {
    support::require(&["tmux"]);
    let d = support::workdir("kdemo-es");
    let t = Tmux::in_dir(160, 30, &d, "C.UTF-8", "--demo --kube --lang es");
    let s = t.wait_for("en ejecución 1/1", 20);
    for english in ["running", "Loading", "Select a"] {
        assert!(!s.contains(english), "{english} in {s}");
    }
    t.keys(&["q"]);
}

/// In one console on the demo: an image rolled out and rolled back, a Deployment edited away
/// (deleted, asked first) with its pods going after it.
#[test]
fn the_demo_console_rolls_back_and_deletes() {
    support::require(&["tmux"]);
    let d = support::workdir("kdemo-undo");
    let t = Tmux::in_dir(160, 40, &d, "C.UTF-8", "--demo --kube");
    t.wait_for("verifier", 20);
    say(&t, "image creator creator:2.0");
    t.wait_for("creator now runs creator:2.0", 30);
    t.keys(&["Escape"]);
    say(&t, "rollback creator");
    t.wait_for("creator rolled back to creator:1.0", 30);
    t.keys(&["Escape"]);
    say(&t, "delete deployment/verifier");
    t.wait_for("[y/N]", 10);
    t.keys(&["y"]);
    t.wait_for("deployment/verifier deleted", 20);
    t.keys(&["Escape"]);
    say(&t, "pods");
    t.wait_until("verifier's pods gone", 30, |s| {
        s.contains("creator-") && !s.contains("verifier-")
    });
    t.keys(&["Escape", "q"]);
}
