//! The demo Kubernetes cluster (`estiba --demo --kube`) against a real one: the same estiba
//! commands and the same objects, read from both, have the same JSON shape, field for field
//! (values aside); and both Kubernetes labs walked end to end in the demo console in tmux.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly

mod support;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use support::kube_cluster::KubeCluster;

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
