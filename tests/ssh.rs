//! Engines over SSH, against a real sshd (tests/support/ssh.rs) whose sessions' docker CLI reaches
//! a private engine: `-H ssh://…`, DOCKER_HOST, a docker context with an ssh endpoint and
//! `[nodes.NAME] host = "ssh://…"`, compared with the docker CLI over the same `ssh`; exec, stats
//! and the console through it; and each failing part (ssh, the far side's CLI, its engine) named.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly

mod support;

use serde_json::Value;
use std::process::{Command, Output, Stdio};
use support::ssh::Sshd;
use support::{Engine, unique};

/// estiba headless with this sshd's `ssh` first on PATH (no `--host` of its own).
fn estiba(e: &Engine, sshd: &Sshd, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(Engine::estiba());
    c.args(args)
        .env("PATH", sshd.path())
        .env("ESTIBA_DATA_DIR", e.path("estiba-data"))
        .env("ESTIBA_CONFIG_DIR", e.path("estiba-config"))
        .env("DOCKER_CONFIG", e.path("docker-config-ssh"))
        .env("LANG", "C")
        .env_remove("LC_ALL")
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKER_CONTEXT")
        .stdin(Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("estiba runs")
}

/// The docker CLI, the reference, over the same `ssh`.
fn docker(e: &Engine, sshd: &Sshd, args: &[&str]) -> String {
    let o = Command::new("docker")
        .args(args)
        .env("PATH", sshd.path())
        .env("DOCKER_CONFIG", e.path("docker-config-ssh"))
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKER_CONTEXT")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn ok(o: &Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn a_swarm_over_ssh_answers_as_the_docker_cli_sees_it() {
    let Some(e) = Engine::shared() else {
        return;
    };
    let dir = e.root.join(unique("ssh"));
    let engine_env = format!("DOCKER_HOST={}", e.host);
    let sshd = Sshd::start(&dir, "far", &[&engine_env]);
    let name = unique("sshweb");
    e.service(&name, &["--replicas", "1"], &["sleep", "86400"]);
    e.wait_converged(&name);

    // -H ssh://ALIAS (the alias from ~/.ssh/config): the nodes the docker CLI lists over ssh.
    let ours: Vec<Value> = serde_json::from_str(&ok(&estiba(
        e,
        &sshd,
        &["-H", "ssh://far", "nodes", "-o", "json"],
        &[],
    )))
    .unwrap();
    let ids: Vec<String> = ours
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_string())
        .collect();
    let theirs: Vec<String> = docker(e, &sshd, &["-H", "ssh://far", "node", "ls", "-q"])
        .lines()
        .map(String::from)
        .collect();
    assert!(!ids.is_empty());
    assert_eq!(
        sorted(
            ids.iter()
                .map(|i| i[..12.min(i.len())].to_string())
                .collect()
        ),
        sorted(
            theirs
                .iter()
                .map(|i| i[..12.min(i.len())].to_string())
                .collect()
        )
    );

    // DOCKER_HOST with user and port; and a docker context made by the docker CLI.
    let url = format!("ssh://root@127.0.0.1:{}", sshd.port);
    let text = ok(&estiba(e, &sshd, &["services"], &[("DOCKER_HOST", &url)]));
    assert!(text.contains(&name), "{text}");
    let ctx = unique("farctx");
    docker(
        e,
        &sshd,
        &["context", "create", &ctx, "--docker", "host=ssh://far"],
    );
    let text = ok(&estiba(e, &sshd, &["--context", &ctx, "services"], &[]));
    assert!(text.contains(&name), "{text}");

    // exec and stats over it.
    let task = e
        .docker_ok(&["service", "ps", &name, "--format", "{{.Name}}"])
        .lines()
        .next()
        .unwrap()
        .to_string();
    let text = ok(&estiba(
        e,
        &sshd,
        &[
            "-H",
            "ssh://far",
            "exec",
            &task,
            "--",
            "sh",
            "-c",
            "echo over-$((40+2))",
        ],
        &[],
    ));
    assert!(text.contains("over-42"), "{text}");
    let stats: Vec<Value> = serde_json::from_str(&ok(&estiba(
        e,
        &sshd,
        &[
            "-H",
            "ssh://far",
            "stats",
            &name,
            "--no-stream",
            "-o",
            "json",
        ],
        &[],
    )))
    .unwrap();
    assert_eq!(stats.len(), 1, "{stats:?}");
    let id = stats[0]["container"].as_str().unwrap();
    let running = e.docker_ok(&[
        "ps",
        "-q",
        "--no-trunc",
        "--filter",
        &format!("name={name}"),
    ]);
    assert!(running.contains(id), "{id} not in {running}");

    // The console over it, as an operator opens it.
    support::require(&["tmux"]);
    let t = support::tmux::Tmux::start(
        100,
        30,
        &[
            ("LANG", "C.UTF-8"),
            ("PATH", &sshd.path()),
            ("ESTIBA_DATA_DIR", &e.path("estiba-data-ssh")),
        ],
        &format!("{} -H ssh://far", Engine::estiba()),
    );
    let screen = t.wait_for(&name, 20);
    assert!(screen.contains("ssh://far"), "{screen}");
    assert!(!screen.contains("DEMO"), "{screen}");
    t.keys(&["q"]);
    t.wait_for("[exited 0]", 10);
    e.docker_ok(&["service", "rm", &name]);
}

#[test]
fn each_part_of_the_way_that_fails_is_named() {
    let Some(e) = Engine::shared() else {
        return;
    };
    let dir = e.root.join(unique("ssh-fail"));
    let no_cli = Sshd::start(&dir, "nocli", &["PATH=/nonexistent"]);
    let no_engine = Sshd::start(
        &dir,
        "noengine",
        &["DOCKER_HOST=unix:///nonexistent/docker.sock"],
    );
    let failing = |sshd: &Sshd, host: &str| {
        let o = estiba(e, sshd, &["-H", host, "nodes"], &[]);
        assert_eq!(o.status.code(), Some(1), "{host}");
        let err = String::from_utf8_lossy(&o.stderr).to_string();
        assert!(err.contains(host), "{err}");
        err
    };
    // ssh itself: nothing listens there.
    let err = failing(
        &no_cli,
        &format!("ssh://root@127.0.0.1:{}", support::free_port()),
    );
    assert!(
        err.contains("ssh failed") && err.contains("Connection refused"),
        "{err}"
    );
    // The far side has no docker CLI.
    let err = failing(&no_cli, "ssh://nocli");
    assert!(
        err.contains("docker CLI on the far side failed") && err.contains("docker"),
        "{err}"
    );
    // Its docker CLI reaches no engine.
    let err = failing(&no_engine, "ssh://noengine");
    assert!(
        err.contains("did not reach its engine") && err.contains("/nonexistent/docker.sock"),
        "{err}"
    );
    // In Spanish too, and never the demo.
    let o = estiba(
        e,
        &no_engine,
        &["--lang", "es", "-H", "ssh://noengine", "nodes"],
        &[],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no llegó a su motor"), "{err}");
    // A malformed address is refused before anything runs.
    let o = estiba(
        e,
        &no_engine,
        &["-H", "ssh://far/var/run/docker.sock", "nodes"],
        &[],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("takes no path"), "{err}");
}

#[test]
fn a_node_reached_over_ssh_serves_stats_and_exec_of_its_tasks() {
    let Some(e) = Engine::private(true) else {
        return;
    };
    let w = e.add_worker("worker1");
    let dir = e.root.join("ssh-node");
    let sshd = Sshd::start(&dir, "w1", &[&format!("DOCKER_HOST={}", w.host)]);
    let name = unique("farssh");
    e.service(
        &name,
        &["--replicas", "1", "--constraint", "node.hostname==worker1"],
        &["sleep", "86400"],
    );
    e.wait_converged(&name);
    let task = e
        .docker_ok(&["service", "ps", &name, "--format", "{{.Name}}"])
        .lines()
        .next()
        .unwrap()
        .to_string();
    let config = dir.join("nodes.toml");
    std::fs::write(&config, "[nodes.worker1]\nhost = \"ssh://w1\"\n").unwrap();
    let cfg = config.to_str().unwrap();
    let o = estiba(
        &e,
        &sshd,
        &[
            "-H",
            &e.host,
            "--config",
            cfg,
            "stats",
            &name,
            "--no-stream",
            "-o",
            "json",
        ],
        &[],
    );
    let stats: Vec<Value> = serde_json::from_str(&ok(&o)).unwrap();
    assert_eq!(stats.len(), 1, "{stats:?}");
    assert_eq!(stats[0]["node"], "worker1");
    let o = estiba(
        &e,
        &sshd,
        &[
            "-H",
            &e.host,
            "--config",
            cfg,
            "exec",
            &task,
            "--",
            "sh",
            "-c",
            "echo w1-$((40+2))",
        ],
        &[],
    );
    assert!(ok(&o).contains("w1-42"));
}
