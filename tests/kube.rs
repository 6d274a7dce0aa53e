//! The Kubernetes backend against the fake API server (tests/support/fake_kube.rs): the real kube
//! client, in-process and through the estiba binary with a generated kubeconfig.
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
use support::fake_kube::FakeKube;

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

/// A fake cluster with the seed 003 lab running: creator ×2 and verifier ×3 in default, and a
/// challenge-dev namespace with one deployment; a kubeconfig for it in a work folder.
fn lab() -> (FakeKube, PathBuf, PathBuf) {
    let fake = FakeKube::start(&["minikube", "minikube-m02"]);
    fake.create(
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "challenge-dev"}}),
    );
    fake.create(deployment("default", "creator", 2, "creator:1.0"));
    fake.create(deployment("default", "verifier", 3, "verifier:1.0"));
    fake.create(deployment("challenge-dev", "web", 1, "web:dev"));
    let dir = support::workdir("estiba-kube");
    let config = dir.join("kubeconfig");
    fake.kubeconfig(&config);
    (fake, dir, config)
}

fn estiba(dir: &Path, config: &Path, args: &[&str]) -> Output {
    let mut all = vec!["--kubeconfig", config.to_str().unwrap()];
    all.extend_from_slice(args);
    support::estiba_in(dir, &all)
}

use support::ok;

fn images_of(fake: &FakeKube, app: &str) -> Vec<String> {
    let mut v: Vec<String> = fake
        .list("pods", Some("default"))
        .iter()
        .filter(|p| p["metadata"]["labels"]["app"] == app)
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

#[test]
fn deployments_pods_and_nodes_are_listed_as_the_model_has_them() {
    let (_fake, _dir, config) = lab();
    support::runtime().block_on(async {
        let k = Kube::connect(Some(&config), None).await.unwrap();
        let info = k.info().await.unwrap();
        assert_eq!(info.engine, "Kubernetes v1.31.0-fake");
        let scope = info.kube.unwrap();
        assert_eq!(
            (scope.context.as_str(), scope.namespace.as_deref()),
            ("fake", Some("default"))
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
    let (fake, dir, config) = lab();
    let out = ok(&estiba(&dir, &config, &["scale", "creator", "4"]));
    assert!(
        out.contains("kubectl scale deployment/creator --replicas=4"),
        "{out}"
    );
    assert_eq!(
        fake.get("deployments", Some("default"), "creator").unwrap()["spec"]["replicas"],
        4
    );
    assert_eq!(images_of(&fake, "creator").len(), 4);
    // A new image: a new ReplicaSet, every pod on it.
    let out = ok(&estiba(&dir, &config, &["image", "creator", "creator:2.0"]));
    assert!(
        out.contains("kubectl set image deployment/creator *=creator:2.0"),
        "{out}"
    );
    assert_eq!(images_of(&fake, "creator"), vec!["creator:2.0"; 4]);
    assert_eq!(
        fake.list("replicasets", Some("default")).len(),
        3,
        "creator's two and verifier's"
    );
    // Back to the previous revision.
    let out = ok(&estiba(&dir, &config, &["rollback", "creator"]));
    assert!(
        out.contains("kubectl rollout undo deployment/creator"),
        "{out}"
    );
    assert_eq!(images_of(&fake, "creator"), vec!["creator:1.0"; 4]);
    // An image that never pulls: the reason, and rollback restores.
    let o = estiba(&dir, &config, &["image", "creator", "missing:9"]);
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("ImagePullBackOff") && e.contains("missing:9"),
        "{e}"
    );
    ok(&estiba(&dir, &config, &["rollback", "creator"]));
    assert_eq!(images_of(&fake, "creator"), vec!["creator:1.0"; 4]);
    // Restart: a new template annotation, new pods.
    let before = fake.list("pods", Some("default")).len();
    ok(&estiba(&dir, &config, &["restart", "verifier"]));
    let d = fake
        .get("deployments", Some("default"), "verifier")
        .unwrap();
    assert!(
        d["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"]
            .is_string()
    );
    assert_eq!(fake.list("pods", Some("default")).len(), before);
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
    let (fake, dir, config) = lab();
    ok(&estiba(
        &dir,
        &config,
        &["label", "minikube-m02", "app=api"],
    ));
    let n = fake.get("nodes", None, "minikube-m02").unwrap();
    assert_eq!(n["metadata"]["labels"]["app"], "api");
    ok(&estiba(&dir, &config, &["unlabel", "minikube-m02", "app"]));
    assert!(
        fake.get("nodes", None, "minikube-m02").unwrap()["metadata"]["labels"]["app"].is_null()
    );
    let out = ok(&estiba(&dir, &config, &["pause", "minikube-m02"]));
    assert!(out.contains("kubectl cordon minikube-m02"), "{out}");
    assert_eq!(
        fake.get("nodes", None, "minikube-m02").unwrap()["spec"]["unschedulable"],
        true
    );
    // Drain asks first; its pods move to the other node.
    let o = estiba(&dir, &config, &["drain", "minikube-m02"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("--yes"));
    ok(&estiba(&dir, &config, &["drain", "minikube-m02", "--yes"]));
    let on_m02 = fake
        .list("pods", None)
        .iter()
        .filter(|p| p["spec"]["nodeName"] == "minikube-m02")
        .count();
    assert_eq!(on_m02, 0);
    assert_eq!(
        fake.list("pods", Some("default")).len(),
        5,
        "recreated elsewhere"
    );
    ok(&estiba(&dir, &config, &["activate", "minikube-m02"]));
    assert!(fake.get("nodes", None, "minikube-m02").unwrap()["spec"]["unschedulable"] == false);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn logs_of_a_deployment_are_merged_with_pod_names() {
    let (fake, dir, config) = lab();
    let out = ok(&estiba(&dir, &config, &["logs", "creator", "--tail", "3"]));
    let pods: Vec<String> = fake
        .list("pods", Some("default"))
        .iter()
        .filter(|p| p["metadata"]["labels"]["app"] == "creator")
        .map(|p| p["metadata"]["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(pods.len(), 2);
    for p in &pods {
        assert_eq!(
            out.lines()
                .filter(|l| l.contains(&format!("{p} says hello")))
                .count(),
            3,
            "{out}"
        );
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
        let follow = tokio::spawn(async move { k.logs(&target, 1, true, tx).await });
        let mut seen = Vec::new();
        while seen.len() < 6 {
            let batch = tokio::time::timeout(Duration::from_secs(5), rx.recv())
                .await
                .unwrap()
                .unwrap();
            seen.extend(batch);
        }
        follow.abort();
        assert!(
            seen.iter().any(|l| l.text.contains("says hello 1")),
            "{seen:?}"
        );
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
    let (fake, _dir, config) = lab();
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
        fake.create(deployment("default", "keycreator", 1, "keycreator:1.0"));
        let d = next(&mut changes).await.unwrap().unwrap();
        assert!(d.workloads && d.instances, "{d:?}");
        // History compacted: the watchers get 410 Gone, list again, and go on.
        fake.compact();
        while tokio::time::timeout(Duration::from_millis(500), changes.next())
            .await
            .is_ok()
        {}
        fake.create(deployment("default", "late", 1, "late:1.0"));
        let d = next(&mut changes)
            .await
            .expect("changes after the re-list")
            .unwrap();
        assert!(d.workloads);
        assert!(
            k.workloads()
                .await
                .unwrap()
                .iter()
                .any(|w| w.name == "late")
        );
    });
}

#[test]
fn context_and_namespace_switch_and_bad_ones_say_why() {
    let (_fake, _dir, config) = lab();
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
        assert_eq!(k.scope().context, "fake");
        let e = k
            .act(&Action::Context("nope".into()), &tx)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("nope"), "{e}");
        k.act(&Action::Context("fake-dev".into()), &tx)
            .await
            .unwrap();
        assert_eq!(k.scope().namespace.as_deref(), Some("challenge-dev"));
        assert_eq!(k.workloads().await.unwrap()[0].name, "web");
    });
}

#[test]
fn kubeconfig_comes_from_the_environment_with_kube() {
    let (_fake, dir, config) = lab();
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
        .args(["--kube", "--context", "fake-dev", "workloads"])
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
    let (_fake, dir2, config) = lab();
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

#[test]
fn the_console_over_a_kubeconfig_is_live_and_acts() {
    support::require(&["tmux"]);
    let (fake, dir, config) = lab();
    let t = console(&dir, &config, "");
    let screen = t.wait_for("verifier", 15);
    assert!(screen.contains("⎈ fake · ns default"), "{screen}");
    assert!(
        screen.contains("namespace default") && screen.contains("3/3"),
        "{screen}"
    );
    // Watchers, not polling: a deployment made on the server shows up by itself.
    fake.create(deployment("default", "keycreator", 1, "keycreator:1.0"));
    t.wait_for("keycreator", 10);
    t.text(":scale creator 4");
    t.keys(&["Enter"]);
    t.wait_for("Scaled creator=4", 20);
    assert_eq!(images_of(&fake, "creator").len(), 4);
    t.text(":tasks creator");
    t.keys(&["Enter"]);
    let screen = t.wait_for("creator (4/4", 10);
    assert_eq!(screen.matches("running 1/1").count(), 4, "{screen}");
    // The logs of every creator pod, merged, with their names.
    t.text(":logs creator");
    t.keys(&["Enter"]);
    // (The pane is narrow here: each line shows its pod, then the pod's own words.)
    let screen = t.wait_for("│ creator-", 10);
    assert!(screen.contains("Logs creator · following"), "{screen}");
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
    let (_fake, dir, config) = lab();
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

#[test]
fn the_lab_presets_apply_server_side_and_again_without_change() {
    let fake = FakeKube::start(&["minikube"]);
    let dir = support::workdir("estiba-kube-apply");
    let config = dir.join("kubeconfig");
    fake.kubeconfig(&config);
    let out = ok(&estiba(&dir, &config, &["apply", "practica-k8s"]));
    assert!(out.contains("5 objects applied"), "{out}");
    assert!(
        out.contains("kubectl apply --server-side --field-manager=estiba"),
        "{out}"
    );
    let d = fake.get("deployments", Some("default"), "creator").unwrap();
    assert_eq!(d["spec"]["replicas"], 2);
    assert_eq!(d["metadata"]["managedFields"][0]["manager"], "estiba");
    assert_eq!(
        fake.get("deployments", Some("default"), "verifier")
            .unwrap()["spec"]["replicas"],
        3
    );
    assert_eq!(
        fake.get("services", Some("default"), "creator").unwrap()["spec"]["type"],
        "NodePort"
    );
    assert!(fake.get("secrets", Some("default"), "jwt-key").is_some());
    assert_eq!(fake.list("pods", Some("default")).len(), 5);
    // Applying again changes nothing: the same ReplicaSets, the same pods.
    let before: Vec<String> = fake
        .list("pods", Some("default"))
        .iter()
        .map(|p| p["metadata"]["name"].to_string())
        .collect();
    ok(&estiba(&dir, &config, &["apply", "practica-k8s"]));
    let after: Vec<String> = fake
        .list("pods", Some("default"))
        .iter()
        .map(|p| p["metadata"]["name"].to_string())
        .collect();
    assert_eq!(before, after);
    // The final challenge: its namespaces come first, then what goes in them.
    ok(&estiba(&dir, &config, &["apply", "desafio-final"]));
    assert!(fake.get("namespaces", None, "challenge-prd").is_some());
    assert_eq!(fake.list("deployments", Some("challenge-prd")).len(), 2);
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
    assert!(fake.list("configmaps", None).is_empty());
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
    let (fake, dir, config) = lab();
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
    let s = fake.get("secrets", Some("default"), "jwt-key").unwrap();
    assert_eq!(s["data"]["KEY"], b64("abc"));
    assert_eq!(s["data"]["key.txt"], b64("s3cret"));
    ok(&estiba(
        &dir,
        &config,
        &["config", "create", "site-conf", "key.txt"],
    ));
    assert_eq!(
        fake.get("configmaps", Some("default"), "site-conf")
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
        fake.get("deployments", Some("default"), "verifier")
            .is_some()
    );
    let out = ok(&estiba(
        &dir,
        &config,
        &["delete", "deployment/verifier", "--yes"],
    ));
    assert!(out.contains("kubectl delete deployment/verifier"), "{out}");
    assert!(
        fake.get("deployments", Some("default"), "verifier")
            .is_none()
    );
    assert_eq!(images_of(&fake, "verifier").len(), 0);
    let o = estiba(&dir, &config, &["delete", "widget/x", "--yes"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown kind"));
    let o = estiba(&dir, &config, &["delete", "service/nope", "--yes"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("service/nope"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn services_and_secrets_are_listed_and_values_shown_only_when_asked() {
    let fake = FakeKube::start(&["minikube"]);
    let dir = support::workdir("estiba-kube-svc");
    let config = dir.join("kubeconfig");
    fake.kubeconfig(&config);
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
        fake.get("services", Some("default"), "creator").unwrap()["spec"]["ports"][0]["nodePort"]
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
fn statefulsets_and_daemonsets_are_shown_read_only() {
    let (fake, dir, config) = lab();
    let sts = fake.create(json!({
        "apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"name": "mongo", "namespace": "default"},
        "spec": {"replicas": 1, "serviceName": "mongo", "selector": {"matchLabels": {"app": "mongo"}},
                 "template": {"metadata": {"labels": {"app": "mongo"}}, "spec": {"containers": [{"name": "mongo", "image": "mongo:7.0"}]}}},
        "status": {"replicas": 1, "readyReplicas": 1}
    }));
    fake.create(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "mongo-0", "namespace": "default", "labels": {"app": "mongo"},
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "mongo", "uid": sts["metadata"]["uid"]}]},
        "spec": {"nodeName": "minikube", "containers": [{"name": "mongo", "image": "mongo:7.0"}]},
        "status": {"phase": "Running", "containerStatuses": [{"name": "mongo", "image": "mongo:7.0", "imageID": "", "ready": true, "restartCount": 2, "state": {"running": {}}}]}
    }));
    fake.create(json!({
        "apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": "agent", "namespace": "default"},
        "spec": {"selector": {"matchLabels": {"app": "agent"}},
                 "template": {"metadata": {"labels": {"app": "agent"}}, "spec": {"containers": [{"name": "agent", "image": "agent:1"}]}}},
        "status": {"currentNumberScheduled": 2, "desiredNumberScheduled": 2, "numberMisscheduled": 0, "numberReady": 2}
    }));
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
    let o = estiba(&dir, &config, &["scale", "mongo", "3"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("StatefulSet")
            || String::from_utf8_lossy(&o.stderr).contains("statefulset")
    );
    std::fs::remove_dir_all(dir).unwrap();
}
