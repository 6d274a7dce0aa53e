use super::*;

#[test]
fn the_base_cluster_settles_with_its_system_pods_running() {
    let mut w = World::new(Clock::frozen(1_800_000_000));
    seed::base(&mut w);
    let mut rounds = 0;
    while controllers::reconcile(&mut w) {
        rounds += 1;
        assert!(rounds < 50, "never settles");
    }
    let pods = w.list(store::pod_index(), Some("kube-system"));
    let names: Vec<String> = pods.iter().map(|p| store::name(p)).collect();
    assert!(names.iter().any(|n| n.starts_with("coredns-")), "{names:?}");
    assert_eq!(
        names
            .iter()
            .filter(|n| n.starts_with("kube-proxy-"))
            .count(),
        3,
        "{names:?}"
    );
    for p in &pods {
        assert_eq!(store::str_at(p, "/status/phase"), "Running", "{p}");
    }
}

#[test]
fn each_seed_object_is_made() {
    let mut w = World::new(Clock::frozen(1_800_000_000));
    let r = seed::make(
        &mut w,
        serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kube-system"}}),
        "",
    );
    assert!(r.is_ok(), "{:?}", r.err());
    let r = seed::make(
        &mut w,
        serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x", "namespace": "kube-system"}, "spec": {"containers": [{"name": "a", "image": "b"}]}}),
        "",
    );
    assert!(r.is_ok(), "{:?}", r.err());
}

#[test]
fn a_job_runs_its_pod_to_completion() {
    let mut w = World::new(Clock::frozen(1_800_000_000));
    seed::base(&mut w);
    let job = serde_json::json!({
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": "backup", "namespace": "default"},
        "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "backup", "image": "busybox:1.36"}]}}}
    });
    seed::make(&mut w, job, "default").unwrap();
    let mut rounds = 0;
    while controllers::reconcile(&mut w) {
        rounds += 1;
        assert!(rounds < 60, "never settles");
    }
    let job = w
        .get(store::kind_index("Job"), "default", "backup")
        .unwrap();
    assert!(job.pointer("/status/completionTime").is_some(), "{job}");
    assert_eq!(
        job.pointer("/status/succeeded"),
        Some(&serde_json::json!(1)),
        "{job}"
    );
    let pods = w.list(store::pod_index(), Some("default"));
    let pod = pods
        .iter()
        .find(|p| store::name(p).starts_with("backup-"))
        .unwrap();
    assert_eq!(store::str_at(pod, "/status/phase"), "Succeeded", "{pod}");
}
