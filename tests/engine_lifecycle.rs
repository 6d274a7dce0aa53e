//! Engines that come and go, and engines outside a swarm. Each test has its own engine.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly

mod support;

use estiba::backend::{ConnState, Event};
use estiba::model::{Mode, SwarmRole};
use std::time::Duration;
use support::{Engine, default_swarm_ports, unique};

async fn next_matching(
    rx: &mut tokio::sync::mpsc::Receiver<Event>,
    secs: u64,
    what: &str,
    f: impl Fn(&Event) -> bool,
) -> Event {
    tokio::time::timeout(Duration::from_secs(secs), async {
        loop {
            match rx.recv().await {
                Some(ev) if f(&ev) => return ev,
                Some(_) => {}
                None => panic!("the driver stopped while waiting for {what}"),
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no {what} within {secs} s"))
}

#[test]
fn stopping_and_restarting_the_engine_reconnects_by_itself() {
    let Some(e) = Engine::private(true) else {
        return;
    };
    let name = unique("keep");
    e.service(&name, &[], &["sleep", "3600"]);
    support::runtime().block_on(async {
        let b = e.backend().await;
        let (op_tx, op_rx) = tokio::sync::mpsc::channel(8);
        let (tx, mut rx) = tokio::sync::mpsc::channel(256);
        let driver = tokio::spawn(estiba::backend::drive(b, false, op_rx, tx));
        next_matching(
            &mut rx,
            10,
            "the service list",
            |ev| matches!(ev, Event::Workloads(w) if w.iter().any(|w| w.name == name)),
        )
        .await;

        tokio::task::block_in_place(|| e.stop());
        let ev = next_matching(&mut rx, 20, "a reconnecting state", |ev| {
            matches!(ev, Event::Conn(ConnState::Reconnecting { .. }))
        })
        .await;
        if let Event::Conn(ConnState::Reconnecting { error, .. }) = ev {
            // The status bar says which engine went away.
            assert!(error.contains(&e.host), "{error}");
        }
        // While it is down, the driver keeps retrying without ending.
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert!(!driver.is_finished());

        tokio::task::block_in_place(|| e.restart());
        next_matching(&mut rx, 30, "the connection back", |ev| {
            matches!(ev, Event::Conn(ConnState::Connected))
        })
        .await;
        next_matching(
            &mut rx,
            30,
            "the services again",
            |ev| matches!(ev, Event::Workloads(w) if w.iter().any(|w| w.name == name)),
        )
        .await;
        // And events flow again: a new service shows up.
        let again = unique("again");
        e.docker_ok(&[
            "service",
            "create",
            "-d",
            "--name",
            &again,
            support::IMAGE,
            "sleep",
            "3600",
        ]);
        next_matching(
            &mut rx,
            10,
            "a service created after the restart",
            |ev| matches!(ev, Event::Workloads(w) if w.iter().any(|w| w.name == again)),
        )
        .await;
        drop(op_tx);
        driver.abort();
    });
}

#[test]
fn a_plain_engine_lists_containers_grouped_by_compose_project() {
    let Some(e) = Engine::private(false) else {
        return;
    };
    let project = unique("proj");
    for (svc, n) in [("web", 1), ("web", 2), ("db", 1)] {
        e.docker_ok(&[
            "run",
            "-d",
            "--name",
            &format!("{project}-{svc}-{n}"),
            "--label",
            &format!("com.docker.compose.project={project}"),
            "--label",
            &format!("com.docker.compose.service={svc}"),
            "--label",
            &format!("com.docker.compose.container-number={n}"),
            support::IMAGE,
            "sleep",
            "3600",
        ]);
    }
    let lone = unique("lone");
    e.docker_ok(&[
        "run",
        "-d",
        "--name",
        &lone,
        support::IMAGE,
        "sh",
        "-c",
        "echo bye; exit 0",
    ]);
    e.docker_ok(&["wait", &lone]);
    support::runtime().block_on(async {
        let b = e.backend().await;
        let info = b.info().await.unwrap();
        assert_eq!(info.swarm, SwarmRole::None);
        assert!(matches!(
            b.nodes().await,
            Err(estiba::backend::Error::NotManager)
        ));
        let w = b.workloads().await.unwrap();
        let web = w
            .iter()
            .find(|w| w.stack.as_deref() == Some(project.as_str()) && w.name == "web")
            .expect("the compose service");
        assert_eq!(
            (web.running, web.desired, &web.mode),
            (2, 2, &Mode::Container)
        );
        let db = w
            .iter()
            .find(|w| w.stack.as_deref() == Some(project.as_str()) && w.name == "db")
            .unwrap();
        assert_eq!(db.desired, 1);
        let l = w
            .iter()
            .find(|w| w.name == lone)
            .expect("a lone container is its own workload");
        assert_eq!((l.stack.clone(), l.running), (None, 0));
        let inst: Vec<_> = b
            .instances()
            .await
            .unwrap()
            .into_iter()
            .filter(|i| i.workload_id == web.id)
            .collect();
        let mut names: Vec<_> = inst.iter().map(|i| i.name.clone()).collect();
        names.sort();
        assert_eq!(
            names,
            [format!("{project}-web-1"), format!("{project}-web-2")]
        );
    });
    // The headless CLI explains what a swarm needs.
    let out = e.estiba_cmd(&["nodes"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("docker swarm init"));
    let out = e.estiba_cmd(&["logs", &lone]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("bye"));
}

#[test]
fn an_unreachable_engine_is_a_clear_one_line_error() {
    let out = std::process::Command::new(Engine::estiba())
        .args(["--host", "unix:///nonexistent/docker.sock", "services"])
        .env("ESTIBA_DATA_DIR", "/tmp/estiba-t-unreach")
        .env("LANG", "es_ES.UTF-8")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("no se puede conectar") && err.contains("/nonexistent/docker.sock"),
        "{err}"
    );
}

#[test]
fn swarm_init_then_leave_on_a_plain_engine() {
    let mut ports = default_swarm_ports();
    let Some(e) = Engine::private(false) else {
        return;
    };
    ports.leave_on(&e.host);
    let state = |e: &Engine| {
        e.docker_ok(&["info", "--format", "{{.Swarm.LocalNodeState}}"])
            .trim()
            .to_string()
    };
    assert_eq!(state(&e), "inactive");
    let o = e.estiba_cmd(&["swarm", "init", "--advertise-addr", "127.0.0.1"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("docker swarm init --advertise-addr 127.0.0.1")
    );
    assert_eq!(state(&e), "active");
    // Again: the engine's own words say it already is a swarm, and nothing changes.
    let o = e.estiba_cmd(&["swarm", "init"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("already part of a swarm"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = e.estiba_cmd(&["swarm", "join-token", "manager"]);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("docker swarm join --token SWMTKN-"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    // Leaving asks first; a lone manager must force it, as with the docker CLI.
    let o = e.estiba_cmd(&["swarm", "leave"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("--yes"));
    let o = e.estiba_cmd(&["swarm", "leave", "--yes"]);
    assert_eq!(o.status.code(), Some(1), "a last manager needs --force");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("--force"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        e.estiba_cmd(&["swarm", "leave", "--force", "--yes"])
            .status
            .success()
    );
    assert_eq!(state(&e), "inactive");
}
