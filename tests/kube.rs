//! The Kubernetes backend against a real control plane (tests/support/kube_cluster.rs: etcd,
//! kube-apiserver, kube-controller-manager and kube-scheduler v1.34.4, with kwok as the kubelets):
//! the kube client in-process, and the estiba binary with a kubeconfig as a student has one (TLS,
//! a token). kubectl of the same release observes what estiba did.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly

mod support;

use estiba::backend::kube::Kube;
use estiba::backend::{Dirty, Error};
use estiba::model::action::Action;
use futures::StreamExt;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;
use support::kube_cluster::KubeCluster;

fn deployment(ns: &str, name: &str, replicas: u64, image: &str) -> serde_json::Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": name, "image": image, "ports": [{"containerPort": 8000}]}]}
            }
        }
    })
}

/// A cluster with the seed 003 lab running: creator ×2 and verifier ×3 in default, and a
/// challenge-dev namespace with one deployment; a kubeconfig for it in a work folder.
fn lab() -> (KubeCluster, PathBuf, PathBuf) {
    let kube = KubeCluster::start(&["minikube", "minikube-m02"]);
    kube.create(deployment("default", "creator", 2, "creator:1.0"));
    kube.create(deployment("default", "verifier", 3, "verifier:1.0"));
    kube.create(deployment("challenge-dev", "web", 1, "web:dev"));
    for (ns, d) in [
        ("default", "creator"),
        ("default", "verifier"),
        ("challenge-dev", "web"),
    ] {
        kube.wait_rolled_out(ns, d);
    }
    let dir = support::workdir("estiba-kube");
    let config = dir.join("kubeconfig");
    kube.kubeconfig(&config);
    (kube, dir, config)
}

/// A cluster with no workloads and a kubeconfig for it.
fn empty() -> (KubeCluster, PathBuf, PathBuf) {
    let kube = KubeCluster::start(&["minikube"]);
    let dir = support::workdir("estiba-kube");
    let config = dir.join("kubeconfig");
    kube.kubeconfig(&config);
    (kube, dir, config)
}

fn estiba(dir: &Path, config: &Path, args: &[&str]) -> Output {
    let mut all = vec!["--kubeconfig", config.to_str().unwrap()];
    all.extend_from_slice(args);
    support::estiba_in(dir, &all)
}

use support::ok;

/// The images of an app's pods that are not on their way out.
fn images_of(kube: &KubeCluster, app: &str) -> Vec<String> {
    let mut v: Vec<String> = kube
        .list("pods", Some("default"))
        .iter()
        .filter(|p| p["metadata"]["labels"]["app"] == app)
        .filter(|p| p["metadata"]["deletionTimestamp"].is_null())
        .map(|p| {
            p["spec"]["containers"][0]["image"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    v.sort();
    v
}

/// Waits (up to 30 s) until an app's pods run exactly these images; the controllers and kwok
/// settle a rollout a moment after the API says it is done.
fn wait_images(kube: &KubeCluster, app: &str, want: &[&str]) {
    let want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let have = images_of(kube, app);
        if have == want {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{app}: pods run {have:?}, expected {want:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn deployments_pods_and_nodes_are_listed_as_the_model_has_them() {
    let (_kube, _dir, config) = lab();
    support::runtime().block_on(async {
        let k = Kube::connect(Some(&config), None).await.unwrap();
        let info = k.info().await.unwrap();
        assert_eq!(info.engine, "Kubernetes v1.34.4");
        let scope = info.kube.unwrap();
        assert_eq!(
            (scope.context.as_str(), scope.namespace.as_deref()),
            ("lab", Some("default"))
        );
        let nodes = k.nodes().await.unwrap();
        assert_eq!(nodes.len(), 2);
        assert_eq!(nodes[0].hostname, "minikube");
        assert_eq!(nodes[0].role, estiba::model::Role::Manager);
        assert_eq!(nodes[0].addr, "192.168.49.2");
        let w = k.workloads().await.unwrap();
        let names: Vec<(&str, u64, u64)> = w
            .iter()
            .map(|w| (w.name.as_str(), w.running, w.desired))
            .collect();
        assert_eq!(
            names,
            [("creator", 2, 2), ("verifier", 3, 3)],
            "only the namespace's"
        );
        assert_eq!(w[0].stack.as_deref(), Some("default"));
        let pods = k.instances().await.unwrap();
        assert_eq!(pods.len(), 5);
        let creator_pods = pods.iter().filter(|p| p.workload_id == w[0].id).count();
        assert_eq!(
            creator_pods, 2,
            "pods belong to their deployment through the replicaset"
        );
        assert!(
            pods.iter()
                .all(|p| p.state == "running 1/1" && !p.node.is_empty()),
            "{pods:?}"
        );
    });
}

#[test]
fn scale_image_rollback_and_restart_through_the_command_line() {
    let (kube, dir, config) = lab();
    let out = ok(&estiba(&dir, &config, &["scale", "creator", "4"]));
    assert!(
        out.contains("kubectl scale deployment/creator --replicas=4"),
        "{out}"
    );
    assert_eq!(
        kube.get("deployments", Some("default"), "creator").unwrap()["spec"]["replicas"],
        4
    );
    wait_images(&kube, "creator", &["creator:1.0"; 4]);
    // A new image: a new ReplicaSet, every pod on it.
    let out = ok(&estiba(&dir, &config, &["image", "creator", "creator:2.0"]));
    assert!(
        out.contains("kubectl set image deployment/creator *=creator:2.0"),
        "{out}"
    );
    wait_images(&kube, "creator", &["creator:2.0"; 4]);
    assert_eq!(
        kube.list("replicasets", Some("default")).len(),
        3,
        "creator's two and verifier's"
    );
    // Back to the previous revision.
    let out = ok(&estiba(&dir, &config, &["rollback", "creator"]));
    assert!(
        out.contains("kubectl rollout undo deployment/creator"),
        "{out}"
    );
    wait_images(&kube, "creator", &["creator:1.0"; 4]);
    // An image that never pulls (kwok's stage for "missing…" images): the kubelet's reason, and
    // rollback restores.
    let o = estiba(&dir, &config, &["image", "creator", "missing:9"]);
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("ImagePullBackOff") && e.contains("missing:9"),
        "{e}"
    );
    ok(&estiba(&dir, &config, &["rollback", "creator"]));
    wait_images(&kube, "creator", &["creator:1.0"; 4]);
    // Restart: a new template annotation, new pods with the same image.
    let names = |kube: &KubeCluster| -> Vec<String> {
        kube.list("pods", Some("default"))
            .iter()
            .filter(|p| p["metadata"]["labels"]["app"] == "verifier")
            .map(|p| p["metadata"]["name"].as_str().unwrap().to_string())
            .collect()
    };
    let before = names(&kube);
    ok(&estiba(&dir, &config, &["restart", "verifier"]));
    let d = kube
        .get("deployments", Some("default"), "verifier")
        .unwrap();
    assert!(
        d["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"]
            .is_string()
    );
    wait_images(&kube, "verifier", &["verifier:1.0"; 3]);
    let after = names(&kube);
    assert!(
        after.iter().all(|p| !before.contains(p)),
        "every pod replaced: {before:?} → {after:?}"
    );
    // Names that do not exist, and what only Docker does.
    let o = estiba(&dir, &config, &["scale", "creatr", "2"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("did you mean \"creator\""));
    let o = estiba(&dir, &config, &["push", "creator:1.0"]);
    assert_eq!(o.status.code(), Some(1));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn nodes_are_labelled_cordoned_and_drained() {
    let (kube, dir, config) = lab();
    ok(&estiba(
        &dir,
        &config,
        &["label", "minikube-m02", "app=api"],
    ));
    let n = kube.get("nodes", None, "minikube-m02").unwrap();
    assert_eq!(n["metadata"]["labels"]["app"], "api");
    ok(&estiba(&dir, &config, &["unlabel", "minikube-m02", "app"]));
    assert!(
        kube.get("nodes", None, "minikube-m02").unwrap()["metadata"]["labels"]["app"].is_null()
    );
    let out = ok(&estiba(&dir, &config, &["pause", "minikube-m02"]));
    assert!(out.contains("kubectl cordon minikube-m02"), "{out}");
    assert_eq!(
        kube.get("nodes", None, "minikube-m02").unwrap()["spec"]["unschedulable"],
        true
    );
    // Drain asks first; its pods move to the other node.
    let o = estiba(&dir, &config, &["drain", "minikube-m02"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("--yes"));
    ok(&estiba(&dir, &config, &["drain", "minikube-m02", "--yes"]));
    let on_m02 = kube
        .list("pods", None)
        .iter()
        .filter(|p| p["spec"]["nodeName"] == "minikube-m02")
        .count();
    assert_eq!(on_m02, 0);
    wait_images(&kube, "creator", &["creator:1.0"; 2]);
    wait_images(&kube, "verifier", &["verifier:1.0"; 3]);
    // Recreated on the other node.
    assert!(
        kube.list("pods", Some("default"))
            .iter()
            .all(|p| p["spec"]["nodeName"] == "minikube"),
    );
    ok(&estiba(&dir, &config, &["activate", "minikube-m02"]));
    assert_ne!(
        kube.get("nodes", None, "minikube-m02").unwrap()["spec"]["unschedulable"],
        true
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_disruption_budget_stops_a_drain_and_says_which_pod() {
    let (kube, dir, config) = lab();
    // No pod may go, in either namespace: every eviction is refused with 429, whichever pod the
    // drain tries first. (creator and verifier are chosen by a set-based selector.)
    kube.create(json!({
        "apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
        "metadata": {"name": "keep-all", "namespace": "default"},
        "spec": {"minAvailable": 5, "selector": {"matchExpressions": [
            {"key": "app", "operator": "In", "values": ["creator", "verifier"]}
        ]}}
    }));
    kube.create(json!({
        "apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
        "metadata": {"name": "keep-web", "namespace": "challenge-dev"},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "web"}}}
    }));
    for (ns, name, healthy) in [("default", "keep-all", 5), ("challenge-dev", "keep-web", 1)] {
        support::wait_for("the budget's status", Duration::from_secs(20), || {
            let pdb = kube.get("poddisruptionbudgets", Some(ns), name)?;
            (pdb["status"]["currentHealthy"] == healthy && pdb["status"]["disruptionsAllowed"] == 0)
                .then_some(())
        });
    }
    let before: Vec<String> = kube
        .list("pods", None)
        .iter()
        .map(|p| p["metadata"]["name"].as_str().unwrap().to_string())
        .collect();
    let on_m02 = kube
        .list("pods", None)
        .iter()
        .filter(|p| p["spec"]["nodeName"] == "minikube-m02")
        .count();
    assert!(on_m02 > 0, "the scheduler spread the pods");
    let o = estiba(&dir, &config, &["drain", "minikube-m02", "--yes"]);
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("Drain of minikube-m02 stopped at pod ")
            && e.contains("disruption budget")
            && e.contains("0 pods evicted"),
        "{e}"
    );
    let after: Vec<String> = kube
        .list("pods", None)
        .iter()
        .map(|p| p["metadata"]["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(before, after, "no pod was evicted");
    assert_eq!(
        kube.get("nodes", None, "minikube-m02").unwrap()["spec"]["unschedulable"],
        true,
        "cordoned, as kubectl drain leaves it"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn logs_of_a_deployment_are_merged_with_pod_names() {
    let (kube, dir, config) = lab();
    // Through the API server from kwok, as from a kubelet: every creator container prints these.
    let lines: Vec<String> = (1..=5).map(|n| format!("creator says hello {n}")).collect();
    kube.write_log(
        "creator",
        &lines.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let out = ok(&estiba(&dir, &config, &["logs", "creator", "--tail", "3"]));
    let pods: Vec<String> = kube
        .list("pods", Some("default"))
        .iter()
        .filter(|p| p["metadata"]["labels"]["app"] == "creator")
        .map(|p| p["metadata"]["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(pods.len(), 2);
    for p in &pods {
        let mine: Vec<&str> = out
            .lines()
            .filter(|l| l.contains(p.as_str()) && l.contains("says hello"))
            .collect();
        assert_eq!(mine.len(), 3, "the last 3 of each pod: {out}");
        assert!(mine[2].ends_with("creator says hello 5"), "{out}");
        // kubectl sees the same lines.
        let theirs = kube.kubectl_ok(&["logs", p, "--tail", "3"]);
        assert_eq!(theirs.lines().count(), 3);
        for (a, b) in mine.iter().zip(theirs.lines()) {
            assert!(a.ends_with(b), "{a} / {b}");
        }
    }
    // Follow: new lines keep coming from the pod.
    support::runtime().block_on(async {
        let k = Kube::connect(Some(&config), None).await.unwrap();
        let w = k.workloads().await.unwrap();
        let (tx, mut rx) = tokio::sync::mpsc::channel(64);
        let target = estiba::model::LogTarget::Workload {
            id: w[0].id.clone(),
            name: w[0].name.clone(),
        };
        let follow = tokio::spawn(async move {
            k.logs(&target, &estiba::model::LogOptions::last(1, true), tx)
                .await
        });
        let mut seen = Vec::new();
        tokio::time::sleep(Duration::from_millis(500)).await;
        kube.write_log("creator", &["creator says hello 6", "creator says hello 7"]);
        while seen.len() < 6 {
            let batch = tokio::time::timeout(Duration::from_secs(5), rx.recv())
                .await
                .unwrap()
                .unwrap();
            seen.extend(batch);
        }
        follow.abort();
        for n in [5, 6, 7] {
            assert_eq!(
                seen.iter()
                    .filter(|l| l.text.ends_with(&format!("says hello {n}")))
                    .count(),
                2,
                "line {n} from each pod, the new ones as they come: {seen:?}"
            );
        }
        assert!(
            seen.iter()
                .all(|l| l.ts.is_some() && pods.contains(&l.source))
        );
    });
    std::fs::remove_dir_all(dir).unwrap();
}

async fn next(
    changes: &mut futures::stream::BoxStream<'static, Result<Dirty, Error>>,
) -> Option<Result<Dirty, Error>> {
    tokio::time::timeout(Duration::from_secs(5), changes.next())
        .await
        .ok()
        .flatten()
}

#[test]
fn watchers_see_changes_and_list_again_after_410_gone() {
    let (mut kube, _dir, config) = lab();
    support::runtime().block_on(async {
        let k = Kube::connect(Some(&config), None).await.unwrap();
        let mut changes = k.changes();
        // The first events are the initial lists.
        assert!(next(&mut changes).await.unwrap().unwrap().any());
        // Drain what is there, then a change arrives by itself.
        while tokio::time::timeout(Duration::from_millis(300), changes.next())
            .await
            .is_ok()
        {}
        kube.create(deployment("default", "keycreator", 1, "keycreator:1.0"));
        // The Deployment's watcher says the workloads changed; its pods follow in their own.
        let d = next(&mut changes).await.unwrap().unwrap();
        assert!(d.workloads, "{d:?}");
        while tokio::time::timeout(Duration::from_millis(500), changes.next())
            .await
            .is_ok()
        {}
        // History compacted past what the watchers saw (a write they do not watch moves it
        // on), and their connections dropped by a restart of the API server: each watch resumes
        // from a resourceVersion etcd no longer has, gets 410 Gone, and lists again.
        // (Two writes: a watch resumes at the revision after the last one it saw, and etcd keeps
        // the revision it was compacted at.)
        kube.kubectl_ok(&["create", "configmap", "moves-history", "-n", "kube-system"]);
        kube.kubectl_ok(&["create", "configmap", "moves-it-on", "-n", "kube-system"]);
        kube.compact();
        let lists_before = kube.audit_count("list", "deployments");
        kube.restart_apiserver();
        kube.create(deployment("default", "late", 1, "late:1.0"));
        // The watchers are driven only while the stream is read: read it until the deployments
        // watcher has listed again and said that the workloads changed.
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        let mut changed = false;
        while !(changed && kube.audit_count("list", "deployments") > lists_before) {
            assert!(
                std::time::Instant::now() < deadline,
                "the deployments watcher did not list again after its watch expired (changed: {changed})"
            );
            if let Some(Ok(d)) = next(&mut changes).await {
                changed |= d.workloads;
            }
        }
        // The relisted Deployment reaches the store once the watcher's new list is in (the
        // request counted above may still be on its way): the stream is read until it is.
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        while !k.workloads().await.unwrap().iter().any(|w| w.name == "late") {
            assert!(
                std::time::Instant::now() < deadline,
                "the relisted Deployment never reached the workloads"
            );
            let _ = tokio::time::timeout(Duration::from_millis(200), changes.next()).await;
        }
    });
}

#[test]
fn context_and_namespace_switch_and_bad_ones_say_why() {
    let (_kube, _dir, config) = lab();
    support::runtime().block_on(async {
        let k = Kube::connect(Some(&config), None).await.unwrap();
        let (tx, _rx) = tokio::sync::mpsc::channel(16);
        k.act(&Action::Namespace(Some("challenge-dev".into())), &tx)
            .await
            .unwrap();
        let names: Vec<String> = k
            .workloads()
            .await
            .unwrap()
            .into_iter()
            .map(|w| w.name)
            .collect();
        assert_eq!(names, ["web"]);
        k.act(&Action::Namespace(None), &tx).await.unwrap();
        let names: Vec<String> = k
            .workloads()
            .await
            .unwrap()
            .into_iter()
            .map(|w| w.name)
            .collect();
        assert_eq!(
            names,
            ["challenge-dev/web", "default/creator", "default/verifier"]
        );
        let e = k
            .act(&Action::Namespace(Some("challenge-dv".into())), &tx)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("challenge-dev"), "a suggestion: {e}");
        // An unreachable context is refused and the current one stays.
        let e = k
            .act(&Action::Context("gone".into()), &tx)
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Unreachable { .. }), "{e}");
        assert_eq!(k.scope().context, "lab");
        let e = k
            .act(&Action::Context("nope".into()), &tx)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("nope"), "{e}");
        k.act(&Action::Context("lab-dev".into()), &tx)
            .await
            .unwrap();
        assert_eq!(k.scope().namespace.as_deref(), Some("challenge-dev"));
        assert_eq!(k.workloads().await.unwrap()[0].name, "web");
    });
}

#[test]
fn a_user_who_may_only_read_one_namespace_is_told_what_they_may_not_do() {
    let (kube, dir, config) = lab();
    let reader = |args: &[&str]| {
        let mut all = vec!["--context", "reader"];
        all.extend_from_slice(args);
        estiba(&dir, &config, &all)
    };
    // What the Role allows works.
    let out = ok(&reader(&["workloads"]));
    assert!(out.contains("web") && !out.contains("creator"), "{out}");
    // What it does not: the server's refusal, with the user, the verb and the resource.
    let o = reader(&["nodes"]);
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("reader") && e.contains("list") && e.contains("nodes"),
        "{e}"
    );
    let o = reader(&["scale", "web", "3"]);
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("reader") && e.contains("deployments"), "{e}");
    assert_eq!(
        kube.get("deployments", Some("challenge-dev"), "web")
            .unwrap()["spec"]["replicas"],
        1,
        "nothing changed"
    );
    // The console keeps working: the namespace's deployment is shown, the refusals said.
    support::require(&["tmux"]);
    let t = console(&dir, &config, "--context reader");
    let screen = t.wait_for("web", 20);
    assert!(screen.contains("⎈ reader · ns challenge-dev"), "{screen}");
    // Nodes it may not list: said once, and the rest is live (not stale).
    let screen = t.wait_for("not allowed: nodes is forbidden", 10);
    assert!(!screen.contains("stale"), "{screen}");
    t.text(":scale web 3");
    t.keys(&["Enter"]);
    let screen = t.wait_for("forbidden", 15);
    assert!(screen.contains("reader"), "{screen}");
    t.keys(&["q"]);
    t.wait_for("[exited 0]", 10);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn kubeconfig_comes_from_the_environment_with_kube() {
    let (_kube, dir, config) = lab();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_estiba"))
        .args(["--kube", "nodes"])
        .env("KUBECONFIG", &config)
        .env("ESTIBA_DATA_DIR", dir.join(".data"))
        .env("LANG", "C.UTF-8")
        .output()
        .unwrap();
    let out = ok(&o);
    assert!(
        out.contains("minikube-m02") && out.contains("192.168.49.3"),
        "{out}"
    );
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_estiba"))
        .args(["--kube", "--context", "lab-dev", "workloads"])
        .env("KUBECONFIG", &config)
        .env("ESTIBA_DATA_DIR", dir.join(".data"))
        .env("LANG", "C.UTF-8")
        .output()
        .unwrap();
    let out = ok(&o);
    assert!(out.contains("web") && !out.contains("creator"), "{out}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn bad_configuration_is_a_clear_error() {
    let dir = support::workdir("estiba-kube-bad");
    let o = support::estiba_in(&dir, &["--kubeconfig", "/nope/config", "nodes"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("kubeconfig"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let (_kube, dir2, config) = lab();
    let o = estiba(&dir2, &config, &["--context", "gone", "nodes"]);
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("127.0.0.1:9"), "{e}");
    let o = estiba(&dir2, &config, &["ns", "nope"]);
    assert_eq!(o.status.code(), Some(1));
    std::fs::remove_dir_all(dir).unwrap();
    std::fs::remove_dir_all(dir2).unwrap();
}

fn console(dir: &Path, config: &Path, extra: &str) -> support::tmux::Tmux {
    let args = format!("--kubeconfig {} {extra}", config.display());
    support::tmux::Tmux::in_dir(120, 40, dir, "C.UTF-8", &args)
}

/// The console lists each kind once, then only watches: a scale and a rollout restart are
/// drawn from the watch events, with no LIST of pods, ReplicaSets or Deployments after the
/// first (it once re-listed every pod on every change).
#[test]
fn the_console_lists_once_then_watches() {
    support::require(&["tmux"]);
    let (kube, dir, config) = lab();
    let t = console(&dir, &config, "");
    t.wait_for("verifier", 15);
    std::thread::sleep(std::time::Duration::from_secs(2));
    let lists =
        || ["pods", "replicasets", "deployments"].map(|r| kube.audit_count_consoles("list", r));
    let first = lists();
    assert_eq!(
        first,
        [1, 1, 1],
        "one LIST each of pods, ReplicaSets, Deployments: {:?}",
        kube.audit_uris_consoles("list", "pods")
    );
    kube.kubectl_ok(&["scale", "deployment/creator", "--replicas=4"]);
    t.wait_for("creator (4/4", 30);
    kube.kubectl_ok(&["rollout", "restart", "deployment/creator"]);
    kube.wait_rolled_out("default", "creator");
    t.wait_until("the restarted pods", 30, |s| {
        s.contains("creator (4/4 running)")
    });
    // Idle a moment: nothing is listed again either.
    std::thread::sleep(std::time::Duration::from_secs(3));
    assert_eq!(lists(), first, "no LIST after the first");
    // A headless `tasks` lists the Deployment's pods through its selector, not every pod.
    let before = kube.audit_uris_consoles("list", "pods");
    ok(&estiba(&dir, &config, &["tasks", "creator"]));
    let after = kube.audit_uris_consoles("list", "pods");
    let new: Vec<&String> = after.iter().skip(before.len()).collect();
    assert!(
        !new.is_empty() && new.iter().all(|u| u.contains("labelSelector=")),
        "{new:?}"
    );
    t.keys(&["q"]);
}

/// Every pod of the namespace, and with `-A` of every namespace, as `kubectl get pods [-A]`
/// lists them: headless, and in the console's pods pane (`:pods`, again for one Deployment's).
#[test]
fn every_pod_of_the_namespace_and_of_every_namespace() {
    support::require(&["tmux"]);
    let (kube, dir, config) = lab();
    let ours = |args: &[&str]| -> Vec<String> {
        let o = estiba(&dir, &config, args);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
        let mut names: Vec<String> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect();
        names.sort();
        names
    };
    let theirs = |args: &[&str]| -> Vec<String> {
        let mut names: Vec<String> = kube
            .kubectl_ok(args)
            .lines()
            .map(str::to_string)
            .filter(|l| !l.is_empty())
            .collect();
        names.sort();
        names
    };
    let here = ours(&["pods", "--output", "json"]);
    assert_eq!(
        here,
        theirs(&[
            "get",
            "pods",
            "-n",
            "default",
            "-o",
            "jsonpath={range .items[*]}{.metadata.name}{\"\\n\"}{end}"
        ])
    );
    assert_eq!(here.len(), 5, "{here:?}");
    let everywhere = ours(&["pods", "-A", "--output", "json"]);
    assert_eq!(
        everywhere,
        theirs(&[
            "get",
            "pods",
            "-A",
            "-o",
            "jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{\"\\n\"}{end}"
        ])
    );
    assert!(
        everywhere
            .iter()
            .any(|n| n.starts_with("challenge-dev/web-"))
    );

    let t = console(&dir, &config, "");
    t.wait_for("verifier", 15);
    t.text(":pods");
    t.keys(&["Enter"]);
    let s = t.wait_for("all · 5/5 running", 10);
    assert!(s.contains("creator-") && s.contains("verifier-"), "{s}");
    t.text(":pods -A");
    t.keys(&["Enter"]);
    let s = t.wait_for("all · 6/6 running", 15);
    assert!(s.contains("challenge-dev/web-"), "{s}");
    // Again: back to the selected Deployment's pods.
    t.text(":pods");
    t.keys(&["Enter"]);
    t.wait_until("one Deployment's pods", 10, |s| !s.contains("all · "));
    t.keys(&["q"]);
}

#[test]
fn the_console_over_a_kubeconfig_is_live_and_acts() {
    support::require(&["tmux"]);
    let (kube, dir, config) = lab();
    let t = console(&dir, &config, "");
    let screen = t.wait_for("verifier", 15);
    assert!(screen.contains("⎈ lab · ns default"), "{screen}");
    assert!(
        screen.contains("namespace default") && screen.contains("3/3"),
        "{screen}"
    );
    // Watchers, not polling: a deployment made on the server shows up by itself.
    kube.create(deployment("default", "keycreator", 1, "keycreator:1.0"));
    t.wait_for("keycreator", 10);
    kube.write_log("creator", &["creator is ready"]);
    t.text(":scale creator 4");
    t.keys(&["Enter"]);
    t.wait_for("Scaled creator=4", 20);
    wait_images(&kube, "creator", &["creator:1.0"; 4]);
    t.text(":tasks creator");
    t.keys(&["Enter"]);
    t.wait_for("creator (4/4", 10);
    // The title's count comes with the Deployment, the rows with the pods.
    t.wait_until("four running pods", 10, |s| {
        s.matches("running 1/1").count() == 4
    });
    // No metrics-server here: the pane says so once, in its title, not on every row.
    let screen = t.wait_for("running) · no metrics", 20);
    assert_eq!(screen.matches("· no metrics").count(), 1, "{screen}");
    // (Why, in words, was a toast when the first pods were on screen; headless says it too.)
    let o = estiba(&dir, &config, &["stats", "creator", "--no-stream"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("does not serve metrics.k8s.io"), "{err}");
    // The logs of every creator pod, merged, with their names.
    t.text(":logs creator");
    t.keys(&["Enter"]);
    // (The pane is narrow here: each line shows the end of its pod's name, then the pod's own
    // words; kwok serves the line to every creator container.)
    let screen = t.wait_for("│ creator is ready", 10);
    assert!(screen.contains("Logs creator · following"), "{screen}");
    let pods: Vec<String> = kube
        .list("pods", Some("default"))
        .iter()
        .filter(|p| p["metadata"]["labels"]["app"] == "creator")
        .map(|p| p["metadata"]["name"].as_str().unwrap().to_string())
        .collect();
    let lines: Vec<String> = pods
        .iter()
        .map(|p| format!("{} │ creator is ready", &p[p.len() - 5..]))
        .collect();
    support::wait_for(
        "a line from each creator pod",
        Duration::from_secs(10),
        || {
            let screen = t.screen();
            lines
                .iter()
                .all(|l| screen.contains(l.as_str()))
                .then_some(())
        },
    );
    t.keys(&["H"]);
    t.wait_for("kubectl scale deployment/creator --replicas=4", 5);
    t.keys(&["Escape"]);
    // A key right after Esc would read as Alt+key.
    std::thread::sleep(Duration::from_millis(300));
    // Every namespace; then a wrong one and an unreachable context: said, and nothing breaks.
    t.text(":ns all");
    t.keys(&["Enter"]);
    t.wait_for("challenge-dev/web", 10);
    t.text(":ns nope");
    t.keys(&["Enter"]);
    t.wait_for("no namespace named \"nope\"", 10);
    t.text(":ctx gone");
    t.keys(&["Enter"]);
    t.wait_for("127.0.0.1:9", 10);
    t.keys(&["2"]);
    t.wait_for("challenge-dev/web", 5);
    t.keys(&["q"]);
    t.wait_for("[exited 0]", 10);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_unreachable_context_is_shown_and_the_console_keeps_working() {
    support::require(&["tmux"]);
    let (_kube, dir, config) = lab();
    let t = console(&dir, &config, "--context gone");
    let screen = t.wait_for("127.0.0.1:9", 15);
    assert!(screen.contains("reconnecting"), "{screen}");
    t.keys(&["?"]);
    t.wait_for("Keys", 5);
    t.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(300));
    t.keys(&["q"]);
    t.wait_for("[exited 0]", 10);
    std::fs::remove_dir_all(dir).unwrap();
}

/// Every object's resourceVersion in a namespace, by kind and name.
fn versions(kube: &KubeCluster, ns: &str) -> Vec<(String, String)> {
    let mut v = Vec::new();
    for kind in ["deployments", "replicasets", "services", "secrets", "pods"] {
        for o in kube.list(kind, Some(ns)) {
            v.push((
                format!("{kind}/{}", o["metadata"]["name"].as_str().unwrap()),
                o["metadata"]["resourceVersion"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            ));
        }
    }
    v.sort();
    v
}

#[test]
fn the_lab_presets_apply_server_side_and_again_without_change() {
    let (kube, dir, config) = empty();
    let out = ok(&estiba(&dir, &config, &["apply", "practica-k8s"]));
    assert!(out.contains("5 objects applied"), "{out}");
    assert!(
        out.contains("kubectl apply --server-side --field-manager=estiba -f practica-k8s"),
        "{out}"
    );
    let d = kube.get("deployments", Some("default"), "creator").unwrap();
    assert_eq!(d["spec"]["replicas"], 2);
    let managers: Vec<(&str, &str)> = d["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["manager"].as_str().unwrap(),
                m["operation"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(managers.contains(&("estiba", "Apply")), "{managers:?}");
    assert_eq!(
        kube.get("deployments", Some("default"), "verifier")
            .unwrap()["spec"]["replicas"],
        3
    );
    assert_eq!(
        kube.get("services", Some("default"), "creator").unwrap()["spec"]["type"],
        "NodePort"
    );
    // The secret's stringData became data on the server.
    let secret = kube.get("secrets", Some("default"), "jwt-key").unwrap();
    assert!(
        secret["stringData"].is_null() && secret["data"].as_object().is_some_and(|d| !d.is_empty()),
        "{secret}"
    );
    wait_images(&kube, "creator", &["creator:1.0"; 2]);
    wait_images(&kube, "verifier", &["verifier:1.0"; 3]);
    // Applying again changes nothing: not one resourceVersion moves.
    let before = versions(&kube, "default");
    ok(&estiba(&dir, &config, &["apply", "practica-k8s"]));
    assert_eq!(before, versions(&kube, "default"));
    // Another field manager owns replicas now: the apply stops, names the field and the manager,
    // and changes nothing; --force-conflicts takes the field back.
    kube.kubectl_ok(&["scale", "deployment/creator", "--replicas=4"]);
    let before = versions(&kube, "default");
    let o = estiba(&dir, &config, &["apply", "practica-k8s"]);
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("Nothing was applied")
            && e.contains("deployment/creator (default): .spec.replicas is managed by \"kubectl")
            && e.contains("--force-conflicts"),
        "{e}"
    );
    assert_eq!(
        kube.get("deployments", Some("default"), "creator").unwrap()["spec"]["replicas"],
        4
    );
    let changed: Vec<_> = versions(&kube, "default")
        .into_iter()
        .filter(|v| !before.contains(v))
        .filter(|(k, _)| !k.starts_with("pods/") && !k.starts_with("replicasets/"))
        .collect();
    assert!(
        changed.iter().all(|(k, _)| k == "deployments/creator"),
        "only the scale's own status updates: {changed:?}"
    );
    let out = ok(&estiba(
        &dir,
        &config,
        &["apply", "practica-k8s", "--force-conflicts"],
    ));
    assert!(out.contains("--force-conflicts"), "{out}");
    assert_eq!(
        kube.get("deployments", Some("default"), "creator").unwrap()["spec"]["replicas"],
        2
    );
    // The final challenge: its namespaces come first, then what goes in them.
    ok(&estiba(&dir, &config, &["apply", "desafio-final"]));
    assert!(kube.get("namespaces", None, "challenge-prd").is_some());
    assert_eq!(kube.list("deployments", Some("challenge-prd")).len(), 2);
    let out = ok(&estiba(&dir, &config, &["--output", "json", "workloads"]));
    assert!(out.contains("\"creator\""), "{out}");
    // A broken file says where, and applies nothing.
    let bad = dir.join("bad.yaml");
    std::fs::write(
        &bad,
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: [oops\n",
    )
    .unwrap();
    let o = estiba(&dir, &config, &["apply", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("bad.yaml:") && e.contains("nothing was applied"),
        "{e}"
    );
    assert!(kube.get("configmaps", Some("default"), "a").is_none());
    // On Docker, apply is not a thing: said so.
    let o = support::estiba_in(&dir, &["--demo", "apply", "practica-k8s"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--kube"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn secrets_configmaps_and_deletes() {
    use base64::Engine as _;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let (kube, dir, config) = lab();
    std::fs::write(dir.join("key.txt"), "s3cret").unwrap();
    let out = ok(&estiba(
        &dir,
        &config,
        &[
            "secret",
            "create",
            "jwt-key",
            "--from-literal",
            "KEY=abc",
            "--from-file",
            "key.txt",
        ],
    ));
    assert!(
        out.contains("--from-literal=KEY=…") && !out.contains("abc"),
        "no value shown: {out}"
    );
    let s = kube.get("secrets", Some("default"), "jwt-key").unwrap();
    assert_eq!(s["data"]["KEY"], b64("abc"));
    assert_eq!(s["data"]["key.txt"], b64("s3cret"));
    ok(&estiba(
        &dir,
        &config,
        &["config", "create", "site-conf", "key.txt"],
    ));
    assert_eq!(
        kube.get("configmaps", Some("default"), "site-conf")
            .unwrap()["data"]["key.txt"],
        "s3cret"
    );
    let o = estiba(&dir, &config, &["secret", "create", "jwt-key", "key.txt"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("exists already"));
    // Delete asks first; then the deployment and its pods go.
    let o = estiba(&dir, &config, &["delete", "deployment/verifier"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("--yes"));
    assert!(
        kube.get("deployments", Some("default"), "verifier")
            .is_some()
    );
    let out = ok(&estiba(
        &dir,
        &config,
        &["delete", "deployment/verifier", "--yes"],
    ));
    assert!(out.contains("kubectl delete deployment/verifier"), "{out}");
    assert!(
        kube.get("deployments", Some("default"), "verifier")
            .is_none()
    );
    wait_images(&kube, "verifier", &[]);
    let o = estiba(&dir, &config, &["delete", "widget/x", "--yes"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("no resource kind named \"widget\""));
    let o = estiba(&dir, &config, &["delete", "service/nope", "--yes"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("service/nope"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn services_and_secrets_are_listed_and_values_shown_only_when_asked() {
    let (kube, dir, config) = empty();
    ok(&estiba(&dir, &config, &["apply", "practica-k8s"]));
    ok(&estiba(
        &dir,
        &config,
        &[
            "secret",
            "create",
            "db",
            "--from-literal",
            "PASSWORD=hunter2",
        ],
    ));
    let out = ok(&estiba(&dir, &config, &["services"]));
    let port =
        kube.get("services", Some("default"), "creator").unwrap()["spec"]["ports"][0]["nodePort"]
            .as_u64()
            .unwrap();
    assert!(
        out.contains("NodePort") && out.contains(&format!("8000:{port}/TCP")),
        "{out}"
    );
    let out = ok(&estiba(&dir, &config, &["workloads"]));
    assert!(out.contains("creator") && out.contains("verifier"), "{out}");
    let out = ok(&estiba(&dir, &config, &["secrets"]));
    assert!(
        out.contains("db") && out.contains("Opaque") && out.contains("PASSWORD"),
        "{out}"
    );
    assert!(!out.contains("hunter2"), "{out}");
    let out = ok(&estiba(&dir, &config, &["secret", "show", "db"]));
    assert!(out.contains("PASSWORD = hunter2"), "{out}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn statefulsets_and_daemonsets_are_shown_as_workloads() {
    let (kube, dir, config) = lab();
    kube.mongo_and_agent();
    // Twice restarted, as its kubelet would report it (kwok leaves a Running pod's status be).
    kube.kubectl_ok(&[
        "patch",
        "pod",
        "mongo-0",
        "--subresource=status",
        "--type=json",
        "-p",
        r#"[{"op": "replace", "path": "/status/containerStatuses/0/restartCount", "value": 2}]"#,
    ]);
    support::runtime().block_on(async {
        let k = Kube::connect(Some(&config), None).await.unwrap();
        let w = k.workloads().await.unwrap();
        let mongo = w.iter().find(|w| w.name == "mongo").unwrap();
        assert_eq!((mongo.running, mongo.desired), (1, 1));
        assert_eq!(mongo.update.as_ref().unwrap().state, "statefulset");
        let agent = w.iter().find(|w| w.name == "agent").unwrap();
        assert_eq!(agent.mode, estiba::model::Mode::Global);
        let pods = k.instances().await.unwrap();
        let m0 = pods.iter().find(|p| p.name == "mongo-0").unwrap();
        assert_eq!(m0.workload_id, mongo.id);
        assert_eq!(m0.state, "running 1/1 ↻2", "restarts are shown");
    });
    // Images and rollbacks stay the Deployments' (scale and restart: tests/kube_kinds.rs).
    let o = estiba(&dir, &config, &["image", "mongo", "mongo:8.0"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .to_lowercase()
            .contains("statefulset")
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn inspect_shows_what_kubectl_get_shows_and_a_secrets_keys_only() {
    let (kube, dir, config) = lab();
    // The JSON is the API server's, as `kubectl get -o json` prints it (without managedFields).
    for (kind, name) in [("deployment", "creator"), ("node", "minikube")] {
        let theirs = || -> serde_json::Value {
            serde_json::from_str(&kube.kubectl_ok(&["get", kind, name, "-o", "json"])).unwrap()
        };
        // Read between two reads of kubectl's that agree (a node's heartbeat may move it).
        let (mine, before) = loop {
            let before = theirs();
            let mine: serde_json::Value = serde_json::from_str(&ok(&estiba(
                &dir,
                &config,
                &["--output", "json", "inspect", kind, name, "--show-secrets"],
            )))
            .unwrap();
            let after = theirs();
            if before == after {
                break (mine, before);
            }
        };
        assert_eq!(mine, before, "{kind} {name}");
    }
    // A pod: its state per container, and its events.
    let pod = kube
        .list("pods", Some("default"))
        .iter()
        .find(|p| p["metadata"]["labels"]["app"] == "verifier")
        .map(|p| p["metadata"]["name"].as_str().unwrap().to_string())
        .unwrap();
    let yaml = ok(&estiba(&dir, &config, &["inspect", &pod]));
    assert!(yaml.starts_with(&format!("# pod {pod}")), "{yaml}");
    assert!(
        yaml.contains("# status: Running · verifier: ready true, restarts 0"),
        "{yaml}"
    );
    assert!(
        yaml.contains("# events:") && yaml.contains("Normal Scheduled"),
        "{yaml}"
    );
    // The namespace's Events, as kubectl lists them. (An event can land between the two reads
    // — a node registered late — so both are read again until they agree.)
    let read = || {
        let out = ok(&estiba(
            &dir,
            &config,
            &["--output", "json", "events", "--since", "1h"],
        ));
        let mut mine: Vec<(String, String)> = out
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .map(|v| {
                (
                    v["action"].as_str().unwrap().to_string(),
                    v["name"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        mine.sort();
        let mut theirs: Vec<(String, String)> = kube
            .kubectl_ok(&[
                "get",
                "events",
                "-o",
                "jsonpath={range .items[*]}{.reason} {.involvedObject.name}{\"\\n\"}{end}",
            ])
            .lines()
            .map(|l| {
                let (a, b) = l.split_once(' ').unwrap();
                (a.to_string(), b.to_string())
            })
            .collect();
        theirs.sort();
        (mine, theirs)
    };
    let (mine, theirs) = support::wait_for(
        "estiba's events and kubectl's to agree",
        Duration::from_secs(20),
        || {
            let (m, t) = read();
            (m == t).then_some((m, t))
        },
    );
    assert!(
        mine.iter().any(|(a, n)| a == "Scheduled" && *n == pod),
        "{mine:?}"
    );
    assert_eq!(mine, theirs);
    // A Secret: its keys, never its values, even with --show-secrets.
    kube.kubectl_ok(&[
        "create",
        "secret",
        "generic",
        "db",
        "--from-literal=password=hunter22",
        "--from-literal=user=admin",
    ]);
    let out = ok(&estiba(
        &dir,
        &config,
        &[
            "--output",
            "json",
            "inspect",
            "secret",
            "db",
            "--show-secrets",
        ],
    ));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["data"]["password"], "••••••");
    assert_eq!(v["data"]["user"], "••••••");
    assert!(!out.contains("aHVudGVyMjI"), "base64 of the value: {out}");
    // Kinds Kubernetes has not, and names it has not, say so.
    let o = estiba(&dir, &config, &["inspect", "volume", "x"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("volume"));
    let o = estiba(&dir, &config, &["inspect", "nope"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("no object named \"nope\""));
    // The reader may not read nodes: the server's refusal, in words.
    let o = estiba(
        &dir,
        &config,
        &["--context", "reader", "inspect", "node", "minikube"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("not allowed"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_views_list_services_namespaces_secrets_and_configmaps_as_kubectl_does() {
    let (kube, dir, config) = lab();
    kube.kubectl_ok(&["create", "configmap", "settings", "--from-literal=mode=lab"]);
    kube.kubectl_ok(&["create", "secret", "generic", "token", "--from-literal=t=x"]);
    let rows = |view: &str| -> Vec<serde_json::Value> {
        let out = ok(&estiba(&dir, &config, &["--output", "json", view]));
        serde_json::from_str::<serde_json::Value>(&out)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    };
    let names = |rows: &[serde_json::Value]| -> Vec<String> {
        let mut n: Vec<String> = rows
            .iter()
            .map(|r| r["name"].as_str().unwrap().to_string())
            .collect();
        n.sort();
        n
    };
    let kubectl_names = |args: &[&str]| -> Vec<String> {
        let mut all = args.to_vec();
        all.extend([
            "-o",
            "jsonpath={range .items[*]}{.metadata.name}{\"\\n\"}{end}",
        ]);
        let mut n: Vec<String> = kube.kubectl_ok(&all).lines().map(str::to_string).collect();
        n.sort();
        n
    };
    for (view, kind) in [
        ("networks", "services"),
        ("configs", "configmaps"),
        ("secrets", "secrets"),
    ] {
        assert_eq!(
            names(&rows(view)),
            kubectl_names(&["get", kind, "-n", "default"]),
            "{view}"
        );
    }
    assert_eq!(
        names(&rows("volumes")),
        kubectl_names(&["get", "namespaces"])
    );
    let cm = rows("configs");
    let settings = cm.iter().find(|r| r["name"] == "settings").unwrap();
    assert_eq!(settings["keys"], "mode");
    // Removing asks first, then deletes what kubectl delete would.
    let o = estiba(&dir, &config, &["config", "rm", "settings"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        kube.get("configmaps", Some("default"), "settings")
            .is_some()
    );
    let out = ok(&estiba(
        &dir,
        &config,
        &["config", "rm", "settings", "--yes"],
    ));
    assert!(
        out.contains("kubectl delete config/settings") || out.contains("kubectl delete"),
        "{out}"
    );
    assert!(
        kube.get("configmaps", Some("default"), "settings")
            .is_none()
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_console_inspects_lists_and_follows_events_on_kubernetes() {
    support::require(&["tmux"]);
    let (kube, dir, config) = lab();
    kube.kubectl_ok(&[
        "create",
        "secret",
        "generic",
        "api-token",
        "--from-literal=t=hush",
    ]);
    let t = console(&dir, &config, "");
    t.wait_for("verifier", 15);
    // y on the selected deployment: the API server's object as YAML, with its events.
    t.keys(&["2", "Home", "y"]);
    let screen = t.wait_for("Inspect deployment creator", 10);
    assert!(screen.contains("apiVersion: apps/v1"), "{screen}");
    t.text("/");
    t.text("ScalingReplicaSet");
    t.keys(&["Enter"]);
    t.wait_for("Normal ScalingReplicaSet", 10);
    t.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(300));
    // S: the namespace's Secrets in the deployments' place, keys but no values.
    t.keys(&["S"]);
    let screen = t.wait_for("api-token", 10);
    assert!(
        screen.contains("2 Secrets") && !screen.contains("hush"),
        "{screen}"
    );
    // x writes kubectl's delete, not run until Enter.
    t.text("/");
    t.text("api-token");
    t.keys(&["Enter"]);
    t.wait_for("/api-token", 5);
    t.keys(&["x"]);
    t.wait_for(":delete secret/api-token", 5);
    t.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(300));
    t.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(300));
    // E: the Events, live; a scale made meanwhile shows up.
    t.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(300));
    t.keys(&["E"]);
    t.wait_for("2 Events", 10);
    t.wait_for("Scheduled", 10);
    kube.kubectl_ok(&["scale", "deployment/verifier", "--replicas=4"]);
    // (A second "scaled" event of verifier's deployment, newest first.)
    support::wait_for("the scale's event", Duration::from_secs(15), || {
        let screen = t.screen();
        let lines: Vec<&str> = screen
            .lines()
            .filter(|l| l.contains("Deployme") && l.contains("verifier"))
            .collect();
        (lines.len() == 2).then_some(())
    });
    t.keys(&["Escape"]);
    t.wait_for("2 Deployments", 5);
    t.keys(&["q"]);
    t.wait_for("[exited 0]", 10);
    std::fs::remove_dir_all(dir).unwrap();
}

/// `lab check --output json` in a lab folder: whether it exited 0, and each step's JSON.
fn lab_check(
    lab: &Path,
    config: &Path,
) -> (bool, std::collections::BTreeMap<String, serde_json::Value>) {
    let o = estiba(lab, config, &["lab", "check", "--output", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    });
    let steps = v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap().to_string(), s.clone()))
        .collect();
    (o.status.success(), steps)
}

#[test]
fn the_kubernetes_labs_check_deployments_nodeports_secrets_and_namespaces() {
    let (kube, dir, config) = empty();
    ok(&estiba(
        &dir,
        &config,
        &["lab", "init", "practica-k8s", "k8s"],
    ));
    let lab = dir.join("k8s");
    let (all, s) = lab_check(&lab, &config);
    assert!(!all);
    for step in [
        "4-aplicar-manifiestos",
        "5-replicas",
        "6-servicios-nodeport",
        "7-secreto",
    ] {
        assert_eq!(s[step]["status"], "not_yet", "{step}");
    }
    assert_eq!(
        s["4-aplicar-manifiestos"]["reasons"][0],
        "there is no deployment creator"
    );
    assert_eq!(s["7-secreto"]["reasons"][0], "there is no secret jwt-key");
    // The Dockerfiles are files of the folder (tests/lab.rs solves them on an engine).
    assert_eq!(s["1-dockerfiles"]["status"], "not_yet");
    // The compose step is checked on a Docker engine (tests/compose.rs walks it there).
    assert_eq!(s["2-compose"]["status"], "not_yet");
    assert!(
        s["2-compose"]["reasons"][0]
            .as_str()
            .unwrap()
            .contains("Docker engine"),
        "{:?}",
        s["2-compose"]
    );
    // The manifests lab init handed out are a skeleton; the reference solution applied from
    // the lab's folder: the steps it passes are recorded at once.
    ok(&estiba(
        &lab,
        &config,
        &["lab", "solve", "4-aplicar-manifiestos"],
    ));
    let progress = std::fs::read_to_string(lab.join("lab-progress.json")).unwrap();
    assert!(progress.contains("4-aplicar-manifiestos"), "{progress}");
    kube.wait_rolled_out("default", "creator");
    kube.wait_rolled_out("default", "verifier");
    let (_, s) = lab_check(&lab, &config);
    for step in ["5-replicas", "6-servicios-nodeport", "7-secreto"] {
        assert_eq!(
            s[step]["status"], "done",
            "{step}: {:?}",
            s[step]["reasons"]
        );
    }
    // Scaled down later: step 5 stays passed and says the cluster no longer shows it.
    kube.kubectl_ok(&["scale", "deployment/verifier", "--replicas=1"]);
    let s = support::wait_for(
        "verifier scaled down",
        std::time::Duration::from_secs(30),
        || {
            let (_, s) = lab_check(&lab, &config);
            assert_eq!(s["5-replicas"]["status"], "done");
            (s["5-replicas"]["no_longer_shown"] == true).then_some(s)
        },
    );
    assert_eq!(s["5-replicas"]["no_longer_shown"], true);
    assert_eq!(
        s["5-replicas"]["reasons"][0],
        "verifier has 1 ready replicas; the step asks for 3"
    );

    // The final challenge: each environment is looked at in its namespace.
    ok(&estiba(
        &dir,
        &config,
        &["lab", "init", "desafio-final", "final"],
    ));
    let fin = dir.join("final");
    let (_, s) = lab_check(&fin, &config);
    // (The test cluster has challenge-dev already; challenge-prd is the manifests'.)
    assert_eq!(s["3-manifiestos"]["status"], "not_yet");
    assert_eq!(
        s["3-manifiestos"]["reasons"][0],
        "there is no namespace challenge-prd"
    );
    ok(&estiba(&fin, &config, &["lab", "solve", "3-manifiestos"]));
    for ns in ["challenge-dev", "challenge-prd"] {
        kube.wait_rolled_out(ns, "backend");
        kube.wait_rolled_out(ns, "frontend");
    }
    let (all, s) = lab_check(&fin, &config);
    assert_eq!(s["3-manifiestos"]["status"], "done");
    assert_eq!(s["4-entorno-dev"]["status"], "not_yet");
    assert_eq!(
        s["4-entorno-dev"]["reasons"][0],
        "there is no deployment challenge-dev/backend"
    );
    assert!(!all);
    // `ns challenge-dev` run in the folder looks there, and records the step.
    ok(&estiba(&fin, &config, &["ns", "challenge-dev"]));
    ok(&estiba(&fin, &config, &["ns", "challenge-prd"]));
    let (_, s) = lab_check(&fin, &config);
    for step in ["3-manifiestos", "4-entorno-dev", "5-entorno-prd"] {
        assert_eq!(s[step]["status"], "done", "{step}: {s:#?}");
    }
    assert_eq!(s["4-entorno-dev"]["no_longer_shown"], true);
    // Step 2 is the Docker engine's (its Dockerfiles and compose project).
    assert_eq!(s["2-dockerfiles-compose"]["status"], "not_yet");
}

/// practica-k8s solved from the console's palette on the Kubernetes cluster: the Dockerfiles
/// written, the compose step left to the Docker engine (said so), the manifests applied, and a
/// picture of each step kept in evidencias, each showing its step.
#[test]
fn practica_k8s_solved_in_the_console_keeps_a_picture_of_each_step() {
    support::require(&["tmux"]);
    let (_kube, dir, config) = empty();
    ok(&estiba(
        &dir,
        &config,
        &["lab", "init", "practica-k8s", "k8s"],
    ));
    let lab = dir.join("k8s");
    let args = format!("--kubeconfig {} --lab practica-k8s", config.display());
    let t = support::tmux::Tmux::in_dir(150, 45, &lab, "C.UTF-8", &args);
    t.wait_for("1-dockerfiles", 20);
    t.keys(&[":"]);
    t.text("lab solve");
    t.keys(&["Enter"]);
    let evidence = lab.join("evidencias");
    for step in [
        "1-dockerfiles",
        "4-aplicar-manifiestos",
        "5-replicas",
        "6-servicios-nodeport",
        "7-secreto",
    ] {
        support::wait_for(step, std::time::Duration::from_secs(180), || {
            evidence.join(format!("{step}.png")).is_file().then_some(())
        });
    }
    assert!(!evidence.join("2-compose.png").exists());
    // The pictures show their steps: the NodePorts, the Secret's key (never its value).
    let text = |step: &str| std::fs::read_to_string(evidence.join(format!("{step}.txt"))).unwrap();
    let ports = text("6-servicios-nodeport");
    assert!(
        ports.contains("NodePort") && ports.contains("8000:"),
        "{ports}"
    );
    let secret = text("7-secreto");
    assert!(
        secret.contains("jwt-key") && secret.contains("KEY"),
        "{secret}"
    );
    assert!(!secret.contains("cambia-esta-clave"), "{secret}");
    t.keys(&["q"]);
    // Solved again headless: what passed is not run twice, the compose step is left to the
    // Docker engine, and said so.
    let out = ok(&estiba(&lab, &config, &["lab", "solve"]));
    assert!(
        out.contains("✓ 4-aplicar-manifiestos (already done)"),
        "{out}"
    );
    assert!(
        out.contains("· 2-compose is checked on a Docker engine: solve it there (estiba lab solve 2-compose, without --kube)"),
        "{out}"
    );
    keep_pictures(&evidence);

    // The instructor's class view reaches this student through her kubeconfig (her folder
    // beside it): the grid says what her own `lab check` says.
    std::fs::write(
        dir.join("class.yaml"),
        format!(
            "lab: practica-k8s\nstudents:\n  - {{ name: Ana, kubeconfig: \"{}\", folder: k8s }}\n",
            config.display()
        ),
    )
    .unwrap();
    let o = support::estiba_in(&dir, &["class", "class.yaml", "--output", "json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let ana = &v["students"][0];
    assert_eq!(ana["reachable"], true, "{ana}");
    let (_, own) = lab_check(&lab, &config);
    for step in ana["steps"].as_array().unwrap() {
        let name = step["name"].as_str().unwrap();
        assert_eq!(step["status"], own[name]["status"], "{name}: {ana}");
    }
    assert_eq!(own["7-secreto"]["status"], "done");

    // desafio-final: the manifests applied from the palette, then each environment looked at
    // in its namespace; each picture shows that namespace's pods.
    ok(&estiba(
        &dir,
        &config,
        &["lab", "init", "desafio-final", "final"],
    ));
    let fin = dir.join("final");
    let args = format!("--kubeconfig {} --lab desafio-final", config.display());
    let t = support::tmux::Tmux::in_dir(150, 45, &fin, "C.UTF-8", &args);
    t.wait_for("3-manifiestos", 20);
    t.keys(&[":"]);
    t.text("lab solve");
    t.keys(&["Enter"]);
    let evidence = fin.join("evidencias");
    let picture = |step: &str| {
        support::wait_for(step, std::time::Duration::from_secs(180), || {
            std::fs::read_to_string(evidence.join(format!("{step}.txt"))).ok()
        })
    };
    picture("3-manifiestos");
    for (step, ns) in [
        ("4-entorno-dev", "challenge-dev"),
        ("5-entorno-prd", "challenge-prd"),
    ] {
        t.keys(&["Escape"]);
        t.text(&format!(":ns {ns}"));
        t.keys(&["Enter"]);
        // The namespace's pods, not an empty pane: they come after its Deployments.
        let shown = picture(step);
        assert!(shown.contains("backend-"), "{ns}: {shown}");
    }
    t.keys(&["q"]);
    keep_pictures(&evidence);
}

/// With ESTIBA_KEEP_PICTURES set, a test's evidence pictures are copied to
/// /tmp/estiba-k8s-pictures to be looked at.
fn keep_pictures(evidence: &Path) {
    if std::env::var_os("ESTIBA_KEEP_PICTURES").is_some() {
        let keep = Path::new("/tmp/estiba-k8s-pictures");
        let _ = std::fs::create_dir_all(keep);
        for e in std::fs::read_dir(evidence).unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, keep.join(p.file_name().unwrap())).unwrap();
        }
    }
}

#[test]
fn logs_of_a_chosen_container_since_a_moment_and_of_the_previous_one_as_kubectl_gives_them() {
    let (kube, dir, config) = empty();
    let mut d = deployment("default", "duo", 1, "duo:1");
    d["spec"]["template"]["spec"]["containers"] = json!([
        {"name": "web", "image": "duo:1"},
        {"name": "api", "image": "duo:1"}
    ]);
    kube.create(d);
    kube.wait_rolled_out("default", "duo");
    kube.write_log("web", &["web says 1", "web says 2"]);
    kube.write_log("api", &["api says 1", "api says 2", "api says 3"]);
    let pod = kube
        .list("pods", Some("default"))
        .iter()
        .find(|p| p["metadata"]["labels"]["app"] == "duo")
        .map(|p| p["metadata"]["name"].as_str().unwrap().to_string())
        .unwrap();
    let text = |out: &str| -> Vec<String> {
        out.lines()
            .filter_map(|l| l.split_once("| ").map(|(_, t)| t.to_string()))
            .collect()
    };
    // The container asked for; kubectl -c gives the same lines.
    let ours = text(&ok(&estiba(
        &dir,
        &config,
        &["logs", "duo", "--container", "api"],
    )));
    let theirs: Vec<String> = kube
        .kubectl_ok(&["logs", &pod, "-c", "api"])
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(ours, theirs);
    assert_eq!(ours, ["api says 1", "api says 2", "api says 3"]);
    // Without one, the pod's first container, as kubectl's default.
    let ours = text(&ok(&estiba(&dir, &config, &["logs", "duo"])));
    assert_eq!(ours, ["web says 1", "web says 2"]);
    // --since: what kubectl --since gives.
    let ours = text(&ok(&estiba(
        &dir,
        &config,
        &["logs", "duo", "-c", "api", "--since", "1h"],
    )));
    let theirs: Vec<String> = kube
        .kubectl_ok(&["logs", &pod, "-c", "api", "--since=1h"])
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(ours, theirs);
    // --previous is asked of the API server (kwok keeps no previous container to answer with,
    // so what it says is compared with what kubectl --previous gets, and the request is read in
    // the audit log).
    let o = estiba(&dir, &config, &["logs", "duo", "-c", "api", "--previous"]);
    let k = kube.kubectl(&["logs", &pod, "-c", "api", "--previous"]);
    assert_eq!(o.status.success(), k.status.success());
    assert_eq!(
        text(&String::from_utf8_lossy(&o.stdout)),
        String::from_utf8_lossy(&k.stdout)
            .lines()
            .map(str::to_string)
            .collect::<Vec<_>>()
    );
    let uris = kube.audit_uris("pods/log");
    assert!(
        uris.iter()
            .any(|u| u.contains("previous=true") && u.contains("container=api")),
        "{uris:?}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// The pod of one replica of `app` in `ns`.
fn pod_of(kube: &KubeCluster, ns: &str, app: &str) -> String {
    kube.list("pods", Some(ns))
        .iter()
        .find(|p| p["metadata"]["labels"]["app"] == app && p["status"]["phase"] == "Running")
        .map(|p| p["metadata"]["name"].as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("a running {app} pod"))
}

#[test]
fn exec_in_a_pod_goes_through_the_api_servers_websocket_and_asks_which_container() {
    support::require(&["tmux"]);
    let (kube, dir, config) = lab();
    // A pod of two containers.
    kube.create(json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "duo", "namespace": "default", "labels": {"app": "duo"}},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "duo"}},
            "template": {
                "metadata": {"labels": {"app": "duo"}},
                "spec": {"containers": [
                    {"name": "web", "image": "web:1.0"},
                    {"name": "sidecar", "image": "sidecar:1.0"}
                ]}
            }
        }
    }));
    kube.wait_rolled_out("default", "duo");
    let creator = pod_of(&kube, "default", "creator");
    let duo = pod_of(&kube, "default", "duo");
    // A command's output and its exit code, as kubectl exec gives them.
    let o = estiba(
        &dir,
        &config,
        &[
            "exec",
            &creator,
            "--",
            "sh",
            "-c",
            "echo in-$ESTIBA_IN_POD-$((40+2)); exit 3",
        ],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(3),
        "{out} {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.contains("in-yes-42"), "{out}");
    let k = kube.kubectl(&[
        "exec",
        &creator,
        "--",
        "sh",
        "-c",
        "echo in-$ESTIBA_IN_POD-$((40+2)); exit 3",
    ]);
    // (kwok reports the code in its error's words, which kubectl shows and exits 1 on; a
    // kubelet gives it as the status's ExitCode, which both read.)
    assert!(String::from_utf8_lossy(&k.stdout).contains("in-yes-42"));
    assert!(String::from_utf8_lossy(&k.stderr).contains("exit status 3"));
    // Two containers: which one is asked; a wrong one is named with the right ones.
    let o = estiba(&dir, &config, &["exec", &duo, "--", "true"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("several containers (web, sidecar)") && err.contains("-c"),
        "{err}"
    );
    let o = estiba(&dir, &config, &["exec", &duo, "-c", "nope", "--", "true"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no container named nope; it has: web, sidecar"),
        "{err}"
    );
    let o = estiba(
        &dir,
        &config,
        &["exec", &duo, "-c", "sidecar", "--", "echo", "side"],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("side"));
    let o = estiba(
        &dir,
        &config,
        &["--readonly", "exec", &creator, "--", "true"],
    );
    assert_eq!(o.status.code(), Some(1));
    // The console: `e` on a pod opens a shell with a real TTY; `exit` brings the console back.
    let t = console(&dir, &config, "");
    t.wait_for("verifier", 15);
    t.text(":tasks creator");
    t.keys(&["Enter"]);
    // The title's count comes with the Deployment; wait for the pods' rows themselves.
    t.wait_for("creator (2/2", 10);
    t.wait_for(&creator[..12], 10);
    t.keys(&["e"]);
    t.wait_for("a shell in", 10);
    std::thread::sleep(Duration::from_millis(500));
    t.text("echo hello-$((6*7)) $ESTIBA_IN_POD; tty");
    t.keys(&["Enter"]);
    t.wait_for("hello-42 yes", 10);
    // A terminal in the pod.
    t.wait_for("/dev/pts/", 10);
    t.text("exit");
    t.keys(&["Enter"]);
    let screen = t.wait_for("ended (exit code 0)", 10);
    assert!(
        screen.contains("Pods creator"),
        "the console as it was: {screen}"
    );
    // A pod of two: the palette asks which container, offering both.
    t.text(":tasks duo");
    t.keys(&["Enter"]);
    t.wait_for("duo (1/1", 10);
    t.wait_for(&duo[..8], 10);
    t.keys(&["e"]);
    t.wait_for("several containers", 10);
    // (The screen is written top to bottom: the prompt line comes last.)
    t.wait_for(&format!(":exec {duo} -c"), 10);
    t.text("sidecar");
    t.keys(&["Enter"]);
    t.wait_for("a shell in", 10);
    std::thread::sleep(Duration::from_millis(500));
    t.text("exit 5");
    t.keys(&["Enter"]);
    t.wait_for("ended (exit code 5)", 10);
    t.keys(&["q"]);
    t.wait_for("[exited 0]", 10);
    std::fs::remove_dir_all(dir).unwrap();
}

/// What metrics-server serves: discovery naming metrics.k8s.io, and the pods' use.
///
/// A stand-in, and the one place these tests use one: the API server here cannot serve
/// metrics.k8s.io, which is an aggregated API (metrics-server behind the API server's
/// aggregator, reached at a Service's address, which the test control plane has no network
/// for). kubectl top reads the same answers, so both readings are compared.
fn metrics_server() -> (String, std::thread::JoinHandle<()>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let pods = json!({
        "kind": "PodMetricsList", "apiVersion": "metrics.k8s.io/v1beta1", "metadata": {},
        "items": [
            {"metadata": {"name": "web-1", "namespace": "default"},
             "timestamp": "2026-12-03T12:00:00Z", "window": "15s",
             "containers": [
                {"name": "web", "usage": {"cpu": "250m", "memory": "12Mi"}},
                {"name": "sidecar", "usage": {"cpu": "1500000n", "memory": "2048Ki"}}
             ]},
            {"metadata": {"name": "api-1", "namespace": "default"},
             "timestamp": "2026-12-03T12:00:00Z", "window": "15s",
             "containers": [{"name": "api", "usage": {"cpu": "1", "memory": "100Mi"}}]}
        ]
    });
    let handle = std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            // The headers, up to the empty line.
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                    break;
                }
            }
            let path = line.split_whitespace().nth(1).unwrap_or("/");
            let path = path.split('?').next().unwrap_or(path);
            let body = match path {
                "/version" => json!({"major": "1", "minor": "34", "gitVersion": "v1.34.4"}),
                "/api" => {
                    json!({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []})
                }
                "/apis" => json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": [
                    {"name": "metrics.k8s.io",
                     "versions": [{"groupVersion": "metrics.k8s.io/v1beta1", "version": "v1beta1"}],
                     "preferredVersion": {"groupVersion": "metrics.k8s.io/v1beta1", "version": "v1beta1"}}
                ]}),
                "/apis/metrics.k8s.io/v1beta1" => json!({
                "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "metrics.k8s.io/v1beta1",
                "resources": [
                    {"name": "pods", "singularName": "", "namespaced": true, "kind": "PodMetrics", "verbs": ["get", "list"]},
                    {"name": "nodes", "singularName": "", "namespaced": false, "kind": "NodeMetrics", "verbs": ["get", "list"]}
                ]}),
                "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods"
                | "/apis/metrics.k8s.io/v1beta1/pods" => pods.clone(),
                _ => {
                    let _ = write!(
                        stream,
                        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    );
                    continue;
                }
            };
            let body = body.to_string();
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, handle)
}

#[test]
fn metrics_are_read_as_kubectl_top_reads_them() {
    let (url, _server) = metrics_server();
    let dir = support::workdir("estiba-metrics");
    let config = dir.join("kubeconfig");
    std::fs::write(
        &config,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: m\n  cluster:\n    server: {url}\ncontexts:\n- name: m\n  context:\n    cluster: m\n    user: u\n    namespace: default\ncurrent-context: m\nusers:\n- name: u\n  user: {{}}\n"
        ),
    )
    .unwrap();
    let rt = support::runtime();
    let ours = rt.block_on(async {
        let k = Kube::connect(Some(&config), None).await.unwrap();
        k.pod_metrics().await.unwrap()
    });
    let top = std::process::Command::new(support::kube_cluster::binaries().join("kubectl"))
        .args([
            "--kubeconfig",
            config.to_str().unwrap(),
            "top",
            "pod",
            "--no-headers",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&top.stdout);
    assert!(
        top.status.success(),
        "{}",
        String::from_utf8_lossy(&top.stderr)
    );
    let mut seen = 0;
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        let (name, cpu, mem) = (f[0], f[1], f[2]);
        let u = &ours[&format!("default/{name}")];
        let millicores: f64 = cpu.trim_end_matches('m').parse().unwrap();
        let mib: f64 = mem.trim_end_matches("Mi").parse().unwrap();
        // kubectl rounds to whole millicores and MiB.
        assert!(
            (u.cpu_percent * 10.0 - millicores).abs() <= 1.0,
            "{name}: {} vs {cpu}",
            u.cpu_percent
        );
        assert!(
            (u.mem_usage as f64 / 1048576.0 - mib).abs() <= 1.0,
            "{name}: {} vs {mem}",
            u.mem_usage
        );
        seen += 1;
    }
    assert_eq!(seen, 2, "{text}");
    assert_eq!(ours.len(), 2);
    std::fs::remove_dir_all(dir).unwrap();
}
