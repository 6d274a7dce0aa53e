//! Removing a stack must not leak the swarm's ingress addresses (moby/moby#37338): the docker CLI
//! removes a stack's networks while its tasks still stop, and the manager keeps those tasks'
//! ingress addresses for ever. estiba waits for the tasks first. On a swarm whose pools are /27
//! (so a leak shows within a few cycles), estiba deploys and removes a stack twice as many times
//! as the ingress has addresses, and a service that publishes a port still gets every task
//! allocated; the same loop with the docker CLI, beside it, runs the ingress out, and estiba then
//! names what is wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly

mod support;

use std::time::{Duration, Instant};
use support::Engine;

const STACK: &str = r#"version: "3.8"
services:
  web:
    image: estiba-test/busybox:latest
    command: ["httpd", "-f", "-p", "8080"]
    stop_grace_period: 1s
    ports:
      - "18080:8080"
    deploy:
      replicas: 3
"#;

/// The states of the stack's tasks that should run, as `docker service ps` shows them.
fn states(e: &Engine, service: &str) -> Vec<String> {
    let out = e.docker(&[
        "service",
        "ps",
        service,
        "--filter",
        "desired-state=running",
        "--format",
        "{{.CurrentState}}",
    ]);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split_whitespace().next().unwrap_or("").to_lowercase())
        .collect()
}

/// Waits until no container of the stack is left (the tasks are gone).
fn wait_gone(e: &Engine, stack: &str) {
    support::wait_for(
        &format!("the tasks of {stack} to go"),
        Duration::from_secs(60),
        || {
            let ps = e.docker_ok(&[
                "ps",
                "-aq",
                "--filter",
                &format!("label=com.docker.stack.namespace={stack}"),
            ]);
            ps.trim().is_empty().then_some(())
        },
    );
}

fn estiba_ok(e: &Engine, args: &[&str]) -> String {
    let o = e.estiba_cmd(args);
    assert!(
        o.status.success(),
        "estiba {args:?}: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).to_string()
}

#[test]
fn removing_stacks_leaks_no_ingress_addresses_and_an_exhausted_ingress_is_named() {
    let Some(e) = Engine::private(false) else {
        return;
    };
    e.swarm_init(&[
        "--default-addr-pool",
        "10.238.0.0/16",
        "--default-addr-pool-mask-length",
        "27",
    ]);
    // The ingress is a /27: about 29 addresses, 3 of them taken by each cycle that leaks.
    let subnet = e.docker_ok(&[
        "network",
        "inspect",
        "ingress",
        "--format",
        "{{range .IPAM.Config}}{{.Subnet}}{{end}}",
    ]);
    assert!(subnet.trim().ends_with("/27"), "ingress subnet: {subnet}");
    let dir = support::workdir("ingress");
    let file = dir.join("stack.yml");
    std::fs::write(&file, STACK).unwrap();
    let file = file.display().to_string();

    // estiba: twice as many task addresses as the ingress has, deployed and removed.
    let started = Instant::now();
    let mut waited = 0;
    for cycle in 0..20 {
        estiba_ok(&e, &["deploy", &file, "leak", "--timeout", "60s"]);
        let o = e.estiba_cmd(&["rm-stack", "leak", "--yes"]);
        let said = String::from_utf8_lossy(&o.stderr).to_string();
        assert!(o.status.success(), "cycle {cycle}: {said}");
        if said.contains("tasks to stop") {
            waited += 1;
        }
    }
    // The tasks take a moment to stop (their grace period is 1 s): removing waited for them.
    assert!(waited > 0, "rm-stack never waited for the tasks to stop");
    eprintln!("20 estiba cycles in {:?}", started.elapsed());
    // A service that publishes a port still gets every task allocated.
    estiba_ok(&e, &["deploy", &file, "after", "--timeout", "60s"]);
    assert_eq!(states(&e, "after_web"), ["running"; 3]);
    estiba_ok(&e, &["rm-stack", "after", "--yes"]);

    // The same loop with the docker CLI and its defaults leaks until tasks stay `new`.
    let mut leaked_at = None;
    for cycle in 0..20 {
        e.docker_ok(&["stack", "deploy", "-c", &file, "cli"]);
        let until = Instant::now() + Duration::from_secs(20);
        let stuck = loop {
            let s = states(&e, "cli_web");
            if s.len() == 3 && s.iter().all(|x| x == "running") {
                break false;
            }
            if Instant::now() > until {
                break s.iter().any(|x| x == "new");
            }
            std::thread::sleep(Duration::from_millis(300));
        };
        if stuck {
            leaked_at = Some(cycle);
            break;
        }
        let _ = e.docker(&["stack", "rm", "cli"]);
        wait_gone(&e, "cli");
    }
    let leaked_at = leaked_at.expect("the docker CLI's loop ran the ingress out");
    eprintln!("docker stack rm leaked the ingress out at cycle {leaked_at}");

    // estiba names the cause: in a deploy that does not converge, and in the tasks' error (on
    // a port of its own: the stuck stack keeps 18080).
    let late = dir.join("late.yml");
    std::fs::write(&late, STACK.replace("18080:", "18081:")).unwrap();
    let late = late.display().to_string();
    let o = e.estiba_cmd(&["deploy", &late, "late", "--timeout", "20s"]);
    let said = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(o.status.code(), Some(3), "{said}");
    assert!(
        said.contains("not allocated") && said.contains("restarting the swarm's leader"),
        "{said}"
    );
    let tasks = estiba_ok(&e, &["tasks", "late_web"]);
    assert!(tasks.contains("not allocated"), "{tasks}");
}
