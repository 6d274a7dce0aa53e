//! Any kind the API server serves, on the real control plane of tests/support/kube_cluster.rs:
//! a CRD with printer columns listed as `kubectl get` prints it (headless and `:KIND` in the
//! console, watched, not re-listed), inspected and deleted by its short name.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly

mod support;

use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Output;
use support::kube_cluster::KubeCluster;

fn empty() -> (KubeCluster, PathBuf, PathBuf) {
    let kube = KubeCluster::start(&["minikube"]);
    let dir = support::workdir("estiba-kinds");
    let config = dir.join("kubeconfig");
    kube.kubeconfig(&config);
    (kube, dir, config)
}

fn estiba(dir: &Path, config: &Path, args: &[&str]) -> Output {
    let mut all = vec!["--kubeconfig", config.to_str().unwrap()];
    all.extend_from_slice(args);
    support::estiba_in(dir, &all)
}

/// A namespaced CRD, `widgets.example.com` (short name `wd`), whose printer columns are its
/// size, its colour and its age.
fn widgets_crd(kube: &KubeCluster) {
    kube.create(json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com", "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"]},
            "versions": [{
                "name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                    "spec": {"type": "object", "properties": {
                        "size": {"type": "integer"}, "color": {"type": "string"}}}}}},
                "additionalPrinterColumns": [
                    {"name": "Size", "type": "integer", "jsonPath": ".spec.size"},
                    {"name": "Color", "type": "string", "jsonPath": ".spec.color"},
                    {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}
                ]
            }]
        }
    }));
    kube.kubectl_ok(&[
        "wait",
        "--for",
        "condition=established",
        "crd/widgets.example.com",
        "--timeout=30s",
    ]);
}

fn widget(kube: &KubeCluster, ns: &str, name: &str, size: u64, color: &str) {
    kube.create(json!({
        "apiVersion": "example.com/v1", "kind": "Widget",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"size": size, "color": color}
    }));
}

/// The console at 120x40, connected, with `command` typed in the palette.
fn console(dir: &Path, config: &Path, command: &str) -> support::tmux::Tmux {
    let args = format!("--kubeconfig {}", config.display());
    let t = support::tmux::Tmux::in_dir(120, 40, dir, "C.UTF-8", &args);
    t.wait_for("connected", 15);
    t.keys(&[":"]);
    t.text(command);
    t.keys(&["Enter"]);
    t
}

/// A printed table's rows, cells split where two spaces or more part them.
fn cells(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            l.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect()
        })
        .collect()
}

/// estiba's table and kubectl's, asked one after the other; asked again when an age ticked
/// between the two (the server words ages as it answers), never compared loosely.
fn same_as_kubectl(kube: &KubeCluster, dir: &Path, config: &Path, ours: &[&str], theirs: &[&str]) {
    let mut last = (vec![], vec![]);
    for _ in 0..3 {
        let o = estiba(dir, config, ours);
        support::ok(&o);
        let mine = cells(&String::from_utf8_lossy(&o.stdout));
        let kubectl = cells(&kube.kubectl_ok(theirs));
        if mine == kubectl {
            return;
        }
        last = (mine, kubectl);
    }
    panic!(
        "estiba {ours:?}\n{:?}\nkubectl {theirs:?}\n{:?}",
        last.0, last.1
    );
}

#[test]
fn any_kind_is_listed_inspected_and_deleted_as_kubectl_does() {
    let (kube, dir, config) = empty();
    widgets_crd(&kube);
    widget(&kube, "default", "w1", 3, "red");
    widget(&kube, "challenge-dev", "w2", 5, "blue");

    // The printer columns, by the short name, the plural and the group-qualified name.
    for word in ["wd", "widgets", "widgets.example.com"] {
        same_as_kubectl(&kube, &dir, &config, &["get", word], &["get", word]);
    }
    // Every namespace: kubectl's NAMESPACE column is estiba's `namespace/name`.
    let o = estiba(&dir, &config, &["get", "wd", "-A"]);
    support::ok(&o);
    let rows = cells(&String::from_utf8_lossy(&o.stdout));
    let theirs = cells(&kube.kubectl_ok(&["get", "wd", "-A"]));
    assert_eq!(rows[0], theirs[0][1..], "headers");
    let joined: Vec<Vec<String>> = theirs[1..]
        .iter()
        .map(|r| {
            let mut r = r[1..].to_vec();
            r[0] = format!("{}/{}", theirs[1..][0][0].clone(), r[0]);
            r
        })
        .collect();
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(rows[1][..3], joined[0][..3], "{rows:?} {theirs:?}");
    // Built-in kinds through the server's own printing too: the CRD itself, and namespaces.
    same_as_kubectl(&kube, &dir, &config, &["get", "crd"], &["get", "crd"]);
    same_as_kubectl(&kube, &dir, &config, &["get", "ns"], &["get", "ns"]);
    // JSON keyed by the server's headers.
    let o = estiba(&dir, &config, &["get", "wd", "--output", "json"]);
    support::ok(&o);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["name"], "w1");
    assert_eq!(v[0]["size"], "3");
    assert_eq!(v[0]["color"], "red");

    // A kind nobody serves: said, with the closest name.
    let o = estiba(&dir, &config, &["get", "widgts"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no resource kind named \"widgts\""), "{err}");
    assert!(err.contains("widgets"), "{err}");

    // Inspect as YAML: what kubectl get -o yaml shows, managedFields left out.
    let o = estiba(&dir, &config, &["inspect", "wd", "w1"]);
    support::ok(&o);
    let out = String::from_utf8_lossy(&o.stdout);
    for want in [
        "kind: Widget",
        "color: red",
        "size: 3",
        "apiVersion: example.com/v1",
    ] {
        assert!(out.contains(want), "{want}: {out}");
    }
    assert!(!out.contains("managedFields"), "{out}");

    // Delete asks first, then deletes what kubectl delete would.
    let o = estiba(&dir, &config, &["delete", "wd/w1", "--yes"]);
    support::ok(&o);
    assert!(String::from_utf8_lossy(&o.stdout).contains("kubectl delete wd/w1"));
    assert!(kube.get("widgets", Some("default"), "w1").is_none());
    std::fs::remove_dir_all(dir).unwrap();
}

/// `:wd` in the console: the printer columns, kept fresh by a watch (one LIST only), a row
/// inspected with `y`, deleted with `x` after the question.
#[test]
fn a_kind_in_the_console_is_watched_not_listed_again() {
    support::require(&["tmux"]);
    let (kube, dir, config) = empty();
    widgets_crd(&kube);
    widget(&kube, "default", "w1", 3, "red");
    let t = console(&dir, &config, "wd");
    let screen = t.wait_for("w1", 10);
    for want in ["NAME", "SIZE", "COLOR", "AGE", "red", "wd"] {
        assert!(screen.contains(want), "{want}: {screen}");
    }
    let lists = || kube.audit_count_consoles("list", "widgets");
    assert_eq!(
        lists(),
        1,
        "{:?}",
        kube.audit_uris_consoles("list", "widgets")
    );
    // Made, changed and removed elsewhere: the view follows its watch.
    widget(&kube, "default", "w9", 7, "green");
    t.wait_for("green", 10);
    kube.kubectl_ok(&[
        "patch",
        "wd",
        "w9",
        "--type=merge",
        "-p",
        r#"{"spec":{"color":"teal"}}"#,
    ]);
    t.wait_for("teal", 10);
    kube.kubectl_ok(&["delete", "wd", "w9"]);
    t.wait_until("w9 gone", 10, |s| !s.contains("teal"));
    assert_eq!(
        lists(),
        1,
        "still one LIST: {:?}",
        kube.audit_uris_consoles("list", "widgets")
    );
    // Inspect the selected row.
    t.keys(&["y"]);
    let screen = t.wait_for("kind: Widget", 10);
    assert!(screen.contains("color: red"), "{screen}");
    t.keys(&["Escape"]);
    // x writes kubectl's delete; Enter asks; y deletes.
    t.keys(&["x"]);
    t.wait_for(":delete wd/w1", 5);
    t.keys(&["Enter"]);
    t.wait_for("Delete?", 5);
    t.keys(&["y"]);
    t.wait_until("w1 deleted", 10, |s| !s.contains("red"));
    assert!(kube.get("widgets", Some("default"), "w1").is_none());
    // A kind that does not exist says so where the rows would be.
    t.keys(&[":"]);
    t.text("gadgets");
    t.keys(&["Enter"]);
    t.wait_for("no resource kind named \"gadgets\"", 10);
    t.keys(&["q"]);
    std::fs::remove_dir_all(dir).unwrap();
}

fn restarted_at(kube: &KubeCluster, kind: &str, name: &str) -> Option<String> {
    let o = kube.get(kind, Some("default"), name).unwrap();
    o["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"]
        .as_str()
        .map(str::to_string)
}

/// A StatefulSet scales and restarts as a Deployment does, a DaemonSet restarts (and says why
/// it is not scaled), a CronJob's job starts by hand as kubectl starts it.
#[test]
fn statefulsets_scale_and_restart_daemonsets_restart_cronjobs_trigger() {
    let (kube, dir, config) = empty();
    kube.mongo_and_agent();
    let o = estiba(&dir, &config, &["scale", "mongo", "3"]);
    support::ok(&o);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("kubectl scale"),
        "{o:?}"
    );
    let sts = kube.get("statefulsets", Some("default"), "mongo").unwrap();
    assert_eq!(sts["spec"]["replicas"], 3);
    assert_eq!(
        sts["status"]["readyReplicas"], 3,
        "followed until every pod is ready"
    );
    assert!(kube.get("pods", Some("default"), "mongo-2").is_some());

    let before = kube.get("pods", Some("default"), "mongo-0").unwrap()["metadata"]["uid"].clone();
    support::ok(&estiba(&dir, &config, &["restart", "mongo"]));
    assert!(restarted_at(&kube, "statefulsets", "mongo").is_some());
    let sts = kube.get("statefulsets", Some("default"), "mongo").unwrap();
    assert_eq!(
        sts["status"]["currentRevision"],
        sts["status"]["updateRevision"]
    );
    assert_ne!(
        kube.get("pods", Some("default"), "mongo-0").unwrap()["metadata"]["uid"],
        before
    );

    support::ok(&estiba(&dir, &config, &["restart", "agent"]));
    assert!(restarted_at(&kube, "daemonsets", "agent").is_some());
    let o = estiba(&dir, &config, &["scale", "agent", "2"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("one pod on each node"),
        "{o:?}"
    );

    kube.create(json!({
        "apiVersion": "batch/v1", "kind": "CronJob",
        "metadata": {"name": "backup", "namespace": "default"},
        "spec": {"schedule": "0 3 * * *", "jobTemplate": {
            "metadata": {"labels": {"task": "backup"}},
            "spec": {"template": {"spec": {"restartPolicy": "Never",
                "containers": [{"name": "backup", "image": "backup:1"}]}}}}}
    }));
    let o = estiba(&dir, &config, &["trigger", "backup"]);
    support::ok(&o);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("kubectl create job --from=cronjob/backup backup-manual-"),
        "{out}"
    );
    let jobs = kube.list("jobs", Some("default"));
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    let job = &jobs[0];
    assert!(
        out.contains(job["metadata"]["name"].as_str().unwrap()),
        "{out}"
    );
    assert_eq!(
        job["metadata"]["annotations"]["cronjob.kubernetes.io/instantiate"],
        "manual"
    );
    assert_eq!(job["metadata"]["labels"]["task"], "backup");
    assert_eq!(job["metadata"]["ownerReferences"][0]["kind"], "CronJob");
    assert_eq!(
        job["spec"]["template"]["spec"]["containers"][0]["image"],
        "backup:1"
    );
    let o = estiba(&dir, &config, &["trigger", "bakup"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("\"backup\""),
        "{o:?}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// A workload's logs over all its pods and containers, each line with its source, as
/// `kubectl logs --all-containers --prefix` gives them; a StatefulSet's as a Deployment's.
#[test]
fn a_workloads_logs_merge_every_pod_and_container() {
    let (kube, dir, config) = empty();
    kube.create(json!({
        "apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"name": "store", "namespace": "default"},
        "spec": {"replicas": 1, "serviceName": "store", "selector": {"matchLabels": {"app": "store"}},
                 "template": {"metadata": {"labels": {"app": "store"}}, "spec": {"containers": [{"name": "web", "image": "store:1"}]}}}
    }));
    kube.kubectl_ok(&["rollout", "status", "statefulset/store", "--timeout=60s"]);
    let mut d = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "duo", "namespace": "default"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "duo"}},
                 "template": {"metadata": {"labels": {"app": "duo"}},
                              "spec": {"containers": [{"name": "web", "image": "duo:1"}]}}}
    });
    d["spec"]["template"]["spec"]["containers"] = json!([
        {"name": "web", "image": "duo:1"},
        {"name": "api", "image": "duo:1"}
    ]);
    kube.create(d);
    kube.wait_rolled_out("default", "duo");
    kube.write_log("web", &["web says 1"]);
    kube.write_log("api", &["api says 1"]);
    let o = estiba(&dir, &config, &["logs", "duo", "--all-containers"]);
    support::ok(&o);
    let mut ours: Vec<String> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    ours.sort();
    let pods: Vec<String> = kube
        .list("pods", Some("default"))
        .iter()
        .filter(|p| p["metadata"]["labels"]["app"] == "duo")
        .map(|p| p["metadata"]["name"].as_str().unwrap().to_string())
        .collect();
    let mut theirs = Vec::new();
    for p in &pods {
        let out = kube.kubectl_ok(&["logs", p, "--all-containers", "--prefix"]);
        // kubectl: `[pod/NAME/CONTAINER] text`; estiba: `NAME/CONTAINER | text`.
        for l in out.lines() {
            let (prefix, text) = l.split_once("] ").unwrap();
            let source = prefix.trim_start_matches("[pod/");
            theirs.push(format!("{source} | {text}"));
        }
    }
    theirs.sort();
    assert_eq!(ours, theirs);
    assert_eq!(theirs.len(), 4, "two pods, two containers: {theirs:?}");
    // A StatefulSet's pods, through its selector.
    let o = estiba(&dir, &config, &["logs", "store"]);
    support::ok(&o);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("store-0") && out.contains("web says 1"),
        "{out}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// `apply DIR --dry-run` says what would change (kubectl diff's shape) and changes nothing;
/// `apply DIR` applies a folder's manifests; a second dry run finds nothing to change.
#[test]
fn apply_of_a_folder_previews_its_dry_run_then_applies() {
    let (kube, dir, config) = empty();
    let m = dir.join("manifests");
    std::fs::create_dir_all(&m).unwrap();
    std::fs::write(
        m.join("a-namespace.yaml"),
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n",
    )
    .unwrap();
    std::fs::write(
        m.join("b-config.yml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\ndata:\n  mode: fast\n",
    )
    .unwrap();
    std::fs::write(m.join("notes.txt"), "not a manifest").unwrap();
    let folder = m.to_str().unwrap();
    let o = estiba(&dir, &config, &["apply", "-f", folder, "--dry-run"]);
    support::ok(&o);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("2 to create, 0 to change, 0 unchanged"),
        "{out}"
    );
    assert!(
        out.contains("+++ configmap/settings (shop) (new)") && out.contains("+   mode: fast"),
        "{out}"
    );
    assert!(
        kube.get("namespaces", None, "shop").is_none(),
        "a dry run changes nothing"
    );

    support::ok(&estiba(&dir, &config, &["apply", "-f", folder]));
    let cm = kube.get("configmaps", Some("shop"), "settings").unwrap();
    assert_eq!(cm["data"]["mode"], "fast");

    std::fs::write(
        m.join("b-config.yml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\ndata:\n  mode: slow\n",
    )
    .unwrap();
    let o = estiba(&dir, &config, &["apply", folder, "--dry-run"]);
    support::ok(&o);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("0 to create, 1 to change, 1 unchanged"),
        "{out}"
    );
    assert!(
        out.contains("-   mode: fast") && out.contains("+   mode: slow"),
        "{out}"
    );
    assert!(out.contains("kubectl diff --server-side"), "{out}");
    assert_eq!(
        kube.get("configmaps", Some("shop"), "settings").unwrap()["data"]["mode"],
        "fast"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// `e` on a kind's row: the live object in the editor; Ctrl-S shows the server's dry run of the
/// change, y puts it back; the console's apply previews the same way.
#[test]
fn edit_previews_the_servers_dry_run_then_applies() {
    support::require(&["tmux"]);
    let (kube, dir, config) = empty();
    widgets_crd(&kube);
    widget(&kube, "default", "w1", 3, "red");
    let t = console(&dir, &config, "wd");
    t.wait_for("w1", 10);
    t.keys(&["e"]);
    t.wait_for("Editing wd/w1 live", 10);
    t.wait_for("color: red", 5);
    t.keys(&["C-f"]);
    t.text("red");
    t.keys(&["Enter"]);
    t.keys(&["DC", "DC", "DC"]);
    t.text("pink");
    t.keys(&["C-s"]);
    let screen = t.wait_for("1 to change", 10);
    assert!(
        screen.contains("- ") && screen.contains("color: red"),
        "{screen}"
    );
    assert!(screen.contains("color: pink"), "{screen}");
    assert_eq!(
        kube.get("widgets", Some("default"), "w1").unwrap()["spec"]["color"],
        "red",
        "the preview changes nothing"
    );
    t.keys(&["y"]);
    support::wait_for("the edit", std::time::Duration::from_secs(10), || {
        (kube.get("widgets", Some("default"), "w1").unwrap()["spec"]["color"] == "pink")
            .then_some(())
    });
    t.keys(&["q"]);
    std::fs::remove_dir_all(dir).unwrap();
}

/// A stand-in for the pod's program: kwok hands what is forwarded to any pod's port 8000 to
/// this listener, which greets each connection.
fn pod_program(port: u16) {
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            use std::io::Write;
            let mut conn = conn;
            let _ = conn.write_all(b"hello from the pod\n");
        }
    });
}

fn greeting(port: u16) -> String {
    use std::io::Read;
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let mut buf = [0u8; 64];
    let n = s.read(&mut buf).unwrap_or(0);
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

/// Waits for a line of a child's stdout that holds `want`; the rest is read and dropped, so
/// the child never writes into a closed pipe.
fn line_with(child: &mut std::process::Child, want: &str) -> String {
    use std::io::BufRead;
    let out = child.stdout.take().unwrap();
    let mut lines = std::io::BufReader::new(out).lines();
    let found = lines.find_map(|l| l.ok().filter(|l| l.contains(want)));
    std::thread::spawn(move || lines.for_each(drop));
    found.unwrap_or_default()
}

/// Port-forwards through the API server, as kubectl port-forward makes them: a Service's named
/// target port to one of its pods, headless; a pod's port from the console, listed and stopped.
#[test]
fn port_forwards_reach_the_pod_as_kubectls_do() {
    support::require(&["tmux"]);
    let (kube, dir, config) = empty();
    pod_program(kube.forward_port);
    kube.create(json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "web", "image": "web:1",
                                  "ports": [{"name": "http", "containerPort": 8000}]}]}}}
    }));
    kube.create(json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": "http"}]}
    }));
    kube.wait_rolled_out("default", "web");

    // kubectl, the reference.
    let theirs_port = support::free_port();
    let mut kubectl = std::process::Command::new(support::kube_cluster::binaries().join("kubectl"))
        .args([
            "--kubeconfig",
            config.to_str().unwrap(),
            "port-forward",
            "svc/web",
        ])
        .arg(format!("{theirs_port}:80"))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    line_with(&mut kubectl, "Forwarding from");
    let theirs = greeting(theirs_port);
    kubectl.kill().unwrap();
    assert_eq!(theirs, "hello from the pod\n");

    let ours_port = support::free_port();
    let mut estiba_pf = std::process::Command::new(env!("CARGO_BIN_EXE_estiba"))
        .current_dir(&dir)
        .args([
            "--kubeconfig",
            config.to_str().unwrap(),
            "port-forward",
            "svc/web",
        ])
        .arg(format!("{ours_port}:80"))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let said = line_with(&mut estiba_pf, "Forwarding from");
    assert!(said.contains(&format!("127.0.0.1:{ours_port}")), "{said}");
    assert_eq!(greeting(ours_port), theirs);
    assert_eq!(greeting(ours_port), theirs, "a second connection too");
    estiba_pf.kill().unwrap();

    let o = estiba(&dir, &config, &["port-forward", "svc/web", "8081:81"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("svc/web has no port 81"),
        "{o:?}"
    );

    // The console: `:pf`, the address in the status line, listed, stopped.
    let pod = kube
        .list("pods", Some("default"))
        .iter()
        .map(|p| p["metadata"]["name"].as_str().unwrap().to_string())
        .find(|n| n.starts_with("web-"))
        .unwrap();
    let t = console(&dir, &config, &format!("pf pod/{pod} :http"));
    let screen = t.wait_for("⇄ 127.0.0.1:", 15);
    let port: u16 = screen
        .split("⇄ 127.0.0.1:")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap();
    assert_eq!(greeting(port), theirs);
    t.keys(&[":"]);
    t.text("pf");
    t.keys(&["Enter"]);
    t.wait_for(&format!("127.0.0.1:{port} → pod/{pod}:http"), 5);
    t.keys(&["Escape"]);
    t.keys(&[":"]);
    t.text("pf stop");
    t.keys(&["Enter"]);
    t.wait_until("the forward gone", 10, |s| !s.contains("⇄"));
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "stopped"
    );
    t.keys(&["q"]);
    std::fs::remove_dir_all(dir).unwrap();
}

/// `tree NAME`: the Deployment's ReplicaSets, newest first, their pods and each container's
/// state, as the API server holds them.
#[test]
fn a_workloads_tree_shows_its_replicasets_pods_and_containers() {
    let (kube, dir, config) = empty();
    kube.create(json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "web", "image": "web:1"}]}}}
    }));
    kube.wait_rolled_out("default", "web");
    kube.kubectl_ok(&["set", "image", "deployment/web", "web=web:2"]);
    kube.wait_rolled_out("default", "web");
    let o = estiba(&dir, &config, &["tree", "web"]);
    support::ok(&o);
    let out = String::from_utf8_lossy(&o.stdout);
    let sets = kube.list("replicasets", Some("default"));
    assert_eq!(sets.len(), 2);
    let newest = sets
        .iter()
        .find(|r| r["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2")
        .unwrap();
    let newest = newest["metadata"]["name"].as_str().unwrap();
    let lines: Vec<&str> = out.lines().collect();
    let at = |needle: &str| {
        lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or(usize::MAX)
    };
    assert!(out.contains("deployment/web  2/2"), "{out}");
    assert!(
        at(&format!("replicaset/{newest}  revision 2  2/2")) < at("revision 1"),
        "{out}"
    );
    let pods: Vec<String> = kube
        .list("pods", Some("default"))
        .iter()
        .filter(|p| p["metadata"].get("deletionTimestamp").is_none())
        .map(|p| p["metadata"]["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(pods.len(), 2);
    for p in &pods {
        let line = at(&format!("pod/{p}"));
        assert!(
            line > at("revision 2") && line < at("revision 1"),
            "{p} under the newest: {out}"
        );
        assert!(
            lines[line + 1].contains("web  running  ready  ↻0  web:2"),
            "{out}"
        );
    }
    let o = estiba(&dir, &config, &["tree", "wbe"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("\"web\""),
        "{o:?}"
    );
    // In the console, a window F2 keeps as evidence.
    support::require(&["tmux"]);
    let t = console(&dir, &config, "tree web");
    t.wait_for(&format!("replicaset/{newest}"), 10);
    t.keys(&["F2"]);
    t.wait_for(":snap", 5);
    t.keys(&["Enter"]);
    t.wait_for("evidencias/", 10);
    let evidence = dir.join("evidencias");
    let txt: Vec<std::path::PathBuf> = std::fs::read_dir(&evidence)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    let text = std::fs::read_to_string(&txt[0]).unwrap();
    assert!(
        text.contains(&format!("replicaset/{newest}")) && text.contains("web:2"),
        "{text}"
    );
    if let Ok(keep) = std::env::var("ESTIBA_KEEP_PICTURES") {
        for e in std::fs::read_dir(&evidence).unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, std::path::Path::new(&keep).join(p.file_name().unwrap())).unwrap();
        }
    }
    t.keys(&["q"]);
    std::fs::remove_dir_all(dir).unwrap();
}

fn small_deployment(kube: &KubeCluster, ns: &str, name: &str) {
    kube.create(json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": name, "image": "x:1"}]}}}
    }));
    kube.wait_rolled_out(ns, name);
}

/// `:ns default,challenge-dev`: several namespaces at once (the others left out), and each
/// context keeps the namespaces chosen in it.
#[test]
fn several_namespaces_at_once_kept_per_context() {
    use estiba::backend::kube::Kube;
    use estiba::model::action::Action;
    support::require(&["tmux"]);
    let (kube, dir, config) = empty();
    kube.create(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}));
    small_deployment(&kube, "default", "a");
    small_deployment(&kube, "challenge-dev", "b");
    small_deployment(&kube, "shop", "c");
    support::runtime().block_on(async {
        let k = Kube::connect(Some(&config), None).await.unwrap();
        let (tx, _rx) = tokio::sync::mpsc::channel(16);
        let ns = |n: Option<&str>| Action::Namespace(n.map(str::to_string));
        k.act(&ns(Some("default,challenge-dev")), &tx)
            .await
            .unwrap();
        let names: Vec<String> = k
            .workloads()
            .await
            .unwrap()
            .into_iter()
            .map(|w| w.name)
            .collect();
        assert_eq!(names, ["challenge-dev/b", "default/a"]);
        let pods: Vec<String> = k
            .instances()
            .await
            .unwrap()
            .into_iter()
            .map(|i| i.name)
            .collect();
        assert_eq!(pods.len(), 2, "{pods:?}");
        assert!(pods.iter().all(|p| !p.starts_with("shop/")), "{pods:?}");
        let e = k.act(&ns(Some("default,shp")), &tx).await.unwrap_err();
        assert!(e.to_string().contains("\"shp\""), "{e}");
        // Another context, its own namespace; back, the two chosen here.
        k.act(&Action::Context("lab-dev".into()), &tx)
            .await
            .unwrap();
        assert_eq!(k.scope().namespace.as_deref(), Some("challenge-dev"));
        k.act(&ns(None), &tx).await.unwrap();
        k.act(&Action::Context("lab".into()), &tx).await.unwrap();
        assert_eq!(
            k.scope().namespace.as_deref(),
            Some("default,challenge-dev")
        );
        k.act(&Action::Context("lab-dev".into()), &tx)
            .await
            .unwrap();
        assert_eq!(
            k.scope().namespace,
            None,
            "every namespace, as chosen there"
        );
    });
    // The console: the watchers keep the two namespaces' objects only.
    let t = console(&dir, &config, "ns default,challenge-dev");
    let screen = t.wait_for("challenge-dev/b", 15);
    assert!(screen.contains("default/a"), "{screen}");
    assert!(screen.contains("ns default,challenge-dev"), "{screen}");
    std::thread::sleep(std::time::Duration::from_secs(1));
    assert!(!t.screen().contains("shop/c"), "{}", t.screen());
    t.keys(&["q"]);
    std::fs::remove_dir_all(dir).unwrap();
}

/// A watch dropped by the API server (restarted, as in an upgrade) resumes from the
/// resourceVersion it had: the change made meanwhile arrives, and nothing is listed again.
#[test]
fn a_dropped_watch_resumes_without_listing_again() {
    use estiba::backend::kube::Kube;
    use futures::StreamExt;
    let (mut kube, dir, config) = empty();
    small_deployment(&kube, "default", "a");
    support::runtime().block_on(async {
        let k = Kube::connect(Some(&config), None).await.unwrap();
        let mut changes = k.changes();
        let wait = std::time::Duration::from_millis(500);
        // The first lists, then quiet.
        while tokio::time::timeout(wait, changes.next()).await.is_ok() {}
        let lists = kube.audit_count_consoles("list", "deployments");
        let watches = kube.audit_count_consoles("watch", "deployments");
        assert_eq!(
            lists,
            1,
            "{:?}",
            kube.audit_uris_consoles("list", "deployments")
        );
        kube.restart_apiserver();
        kube.kubectl_ok(&["create", "deployment", "b", "--image=b:1"]);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let _ = tokio::time::timeout(wait, changes.next()).await;
            let names: Vec<String> = k
                .workloads()
                .await
                .map(|w| w.into_iter().map(|w| w.name).collect())
                .unwrap_or_default();
            if names.contains(&"b".to_string()) {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "b never arrived: {names:?}"
            );
        }
        assert_eq!(
            kube.audit_count_consoles("list", "deployments"),
            lists,
            "resumed, not listed: {:?}",
            kube.audit_uris_consoles("list", "deployments")
        );
        assert!(kube.audit_count_consoles("watch", "deployments") > watches);
        let uris = kube.audit_uris_consoles("watch", "deployments");
        assert!(
            uris.last().unwrap().contains("resourceVersion="),
            "from where it was: {uris:?}"
        );
    });
    std::fs::remove_dir_all(dir).unwrap();
}
