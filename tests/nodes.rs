//! Node actions on a three-node swarm (a manager and two workers in network namespaces), labelled
//! as in lab 001: app=database on the manager, app=ingress and app=api on the workers.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly

mod support;

use estiba::backend::Backend;
use estiba::backend::endpoint::{Endpoint, Source};
use estiba::backend::swarm::Swarm;
use std::time::Duration;
use support::{Engine, unique, wait_for};

fn ok(o: &std::process::Output) -> String {
    assert!(
        o.status.success(),
        "estiba failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn labels(e: &Engine, node: &str) -> String {
    e.docker_ok(&[
        "node",
        "inspect",
        node,
        "--format",
        "{{range $k, $v := .Spec.Labels}}{{$k}}={{$v}} {{end}}",
    ])
    .trim()
    .to_string()
}

fn task_nodes(e: &Engine, service: &str) -> Vec<String> {
    let out = e.docker_ok(&[
        "service",
        "ps",
        service,
        "--filter",
        "desired-state=running",
        "--format",
        "{{.Node}} {{.CurrentState}}",
    ]);
    out.lines()
        .filter(|l| l.contains("Running"))
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .collect()
}

#[test]
fn labels_placement_drain_and_roles_on_three_nodes() {
    let Some(e) = Engine::shared() else { return };
    let ingress = e.add_worker(&unique("ingress"));
    let api = e.add_worker(&unique("api"));
    let manager = e
        .docker_ok(&[
            "node",
            "ls",
            "--filter",
            "role=manager",
            "--format",
            "{{.Hostname}}",
        ])
        .trim()
        .to_string();

    // Lab 001 step 4, by hostname and by ID prefix.
    ok(&e.estiba_cmd(&["label", &manager, "app=database"]));
    let out = ok(&e.estiba_cmd(&["etiquetar", &ingress.node_id[..8], "app=ingress"]));
    assert!(
        out.contains(&format!(
            "docker node update --label-add app=ingress {}",
            &ingress.node_id[..8]
        )),
        "{out}"
    );
    ok(&e.estiba_cmd(&["label", &api.name, "app=api", "zone=b"]));
    assert_eq!(labels(e, &manager), "app=database");
    assert_eq!(labels(e, &ingress.node_id), "app=ingress");
    assert_eq!(labels(e, &api.node_id), "app=api zone=b");
    ok(&e.estiba_cmd(&["unlabel", &api.name, "zone"]));
    assert_eq!(labels(e, &api.node_id), "app=api");
    // Bad keys and unknown nodes change nothing.
    let o = e.estiba_cmd(&["label", &api.name, "bad key=x"]);
    assert_eq!(o.status.code(), Some(2));
    let o = e.estiba_cmd(&["label", &format!("{}x", api.name), "a=b"]);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(&api.name),
        "did you mean: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = e.estiba_cmd(&["unlabel", &api.name, "nope"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(labels(e, &api.node_id), "app=api");

    // A service placed by label runs only on the api worker.
    let svc = unique("placed");
    e.service(
        &svc,
        &["--replicas", "2", "--constraint", "node.labels.app==api"],
        &["sleep", "3600"],
    );
    assert_eq!(
        task_nodes(e, &svc),
        vec![api.name.clone(), api.name.clone()]
    );

    // Draining that worker leaves the tasks pending, with the engine's reason in estiba's tasks.
    let o = e.estiba_cmd(&["drain", &api.name]);
    assert_eq!(o.status.code(), Some(1), "drain asks first");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("--yes"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let availability = || {
        e.docker_ok(&[
            "node",
            "inspect",
            &api.node_id,
            "--format",
            "{{.Spec.Availability}}",
        ])
        .trim()
        .to_string()
    };
    assert_eq!(availability(), "active", "without --yes nothing changed");
    ok(&e.estiba_cmd(&["drain", &api.name, "--yes"]));
    assert_eq!(availability(), "drain");
    let rt = support::runtime();
    let reason = wait_for(
        "pending tasks with a reason",
        Duration::from_secs(30),
        || {
            rt.block_on(async {
                let ep = Endpoint {
                    host: e.host.clone(),
                    tls: None,
                    source: Source::Flag,
                };
                let b = Backend::Swarm(Swarm::connect(&ep).await.ok()?);
                b.info().await.ok()?;
                let w = b.find_workload(&svc).await.ok()?;
                let pending: Vec<_> = b
                    .instances()
                    .await
                    .ok()?
                    .into_iter()
                    .filter(|i| i.workload_id == w.id && i.state == "pending")
                    .collect();
                (pending.len() == 2)
                    .then(|| pending[0].error.clone())
                    .flatten()
            })
        },
    );
    assert!(reason.contains("no suitable node"), "{reason}");
    let ids = e.docker_ok(&["service", "ps", &svc, "-q", "--no-trunc"]);
    let states = e.docker_ok(
        &[
            &[
                "inspect",
                "--format",
                "{{.Status.State}} {{.DesiredState}} {{.Status.Err}}",
            ][..],
            &ids.lines().collect::<Vec<_>>()[..],
        ]
        .concat(),
    );
    let pending = states
        .lines()
        .find(|l| l.starts_with("pending"))
        .unwrap_or_else(|| panic!("{states}"));
    assert!(
        pending.ends_with(&reason),
        "the engine's own reason, as docker inspect shows it: {pending}"
    );
    // Back to active: the tasks run there again.
    ok(&e.estiba_cmd(&["activate", &api.name]));
    wait_for(
        "the tasks back on the api worker",
        Duration::from_secs(60),
        || (task_nodes(e, &svc).len() == 2).then_some(()),
    );
    ok(&e.estiba_cmd(&["pause", &ingress.name]));
    assert_eq!(
        e.docker_ok(&[
            "node",
            "inspect",
            &ingress.node_id,
            "--format",
            "{{.Spec.Availability}}"
        ])
        .trim(),
        "pause"
    );
    ok(&e.estiba_cmd(&["activate", &ingress.name]));

    // Promote a worker, then demote it (which asks first).
    ok(&e.estiba_cmd(&["promote", &ingress.name]));
    wait_for("the promotion", Duration::from_secs(30), || {
        let reach = e.docker_ok(&[
            "node",
            "inspect",
            &ingress.node_id,
            "--format",
            "{{if .ManagerStatus}}{{.ManagerStatus.Reachability}}{{end}}",
        ]);
        (reach.trim() == "reachable").then_some(())
    });
    ok(&e.estiba_cmd(&["demote", &ingress.name, "--yes"]));
    assert_eq!(
        e.docker_ok(&[
            "node",
            "inspect",
            &ingress.node_id,
            "--format",
            "{{.Spec.Role}}"
        ])
        .trim(),
        "worker"
    );
    e.docker_ok(&["service", "rm", &svc]);
}
