//! The Swarm backend against a real, private Docker engine, with the docker CLI as the observer.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly

mod support;

use estiba::backend::Event;
use estiba::model::{LogLine, LogTarget, Stream};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use support::{Engine, unique, wait_for};

fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn services_match_docker_service_ls() {
    let Some(e) = Engine::shared() else { return };
    let stack = unique("st");
    let web = format!("{stack}_web");
    let api = format!("{stack}_api");
    e.service(
        &web,
        &[
            "--replicas",
            "2",
            "--label",
            &format!("com.docker.stack.namespace={stack}"),
            "-p",
            "published=18080,target=80,mode=host",
        ],
        &["httpd", "-f", "-p", "80"],
    );
    e.service(
        &api,
        &[
            "--replicas",
            "1",
            "--label",
            &format!("com.docker.stack.namespace={stack}"),
        ],
        &["sleep", "3600"],
    );
    let cli = json_lines(&e.docker_ok(&["service", "ls", "--format", "{{json .}}"]));
    let rt = support::runtime();
    let workloads = rt.block_on(async { e.backend().await.workloads().await.unwrap() });
    for name in [&web, &api] {
        let c = cli
            .iter()
            .find(|v| v["Name"] == name.as_str())
            .expect("the CLI lists it");
        let w = workloads
            .iter()
            .find(|w| &w.name == name)
            .expect("estiba lists it");
        assert_eq!(
            format!("{}/{}", w.running, w.desired),
            c["Replicas"].as_str().unwrap(),
            "{name}"
        );
        assert_eq!(w.image, c["Image"].as_str().unwrap(), "{name}");
        assert_eq!(w.id.get(..12), c["ID"].as_str(), "{name}");
        assert_eq!(w.stack.as_deref(), Some(stack.as_str()));
        assert_eq!(c["Mode"], "replicated");
    }
    let w = workloads.iter().find(|w| w.name == web).unwrap();
    assert_eq!(w.ports.len(), 1);
    assert_eq!(
        (
            w.ports[0].published,
            w.ports[0].target,
            w.ports[0].mode.as_str()
        ),
        (Some(18080), 80, "host")
    );

    // The headless CLI says the same.
    let out = e.estiba_cmd(&["services", "--output", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == web.as_str())
        .unwrap();
    assert_eq!(
        (row["running"].as_u64(), row["desired"].as_u64()),
        (Some(2), Some(2))
    );
    let table = String::from_utf8_lossy(&e.estiba_cmd(&["services"]).stdout).to_string();
    assert!(
        table
            .lines()
            .any(|l| l.contains(&web) && l.contains("2/2") && l.contains(support::IMAGE)),
        "{table}"
    );
    e.docker_ok(&["service", "rm", &web, &api]);
}

#[test]
fn tasks_match_docker_service_ps() {
    let Some(e) = Engine::shared() else { return };
    let name = unique("ps");
    e.service(&name, &["--replicas", "3"], &["sleep", "3600"]);
    let cli = json_lines(&e.docker_ok(&[
        "service",
        "ps",
        &name,
        "--no-trunc",
        "--format",
        "{{json .}}",
    ]));
    let rt = support::runtime();
    let (w, instances) = rt.block_on(async {
        let b = e.backend().await;
        let w = b.find_workload(&name).await.unwrap();
        (
            w.clone(),
            b.instances()
                .await
                .unwrap()
                .into_iter()
                .filter(|i| i.workload_id == w.id)
                .collect::<Vec<_>>(),
        )
    });
    assert_eq!(instances.len(), cli.len());
    for c in &cli {
        let i = instances
            .iter()
            .find(|i| i.id == c["ID"].as_str().unwrap())
            .expect("same task IDs");
        assert_eq!(i.name, c["Name"].as_str().unwrap());
        assert_eq!(i.node, c["Node"].as_str().unwrap());
        assert_eq!(
            i.desired,
            c["DesiredState"].as_str().unwrap().to_lowercase()
        );
        assert!(
            c["CurrentState"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .starts_with(&i.state),
            "{c} vs {}",
            i.state
        );
        assert_eq!(i.image, c["Image"].as_str().unwrap());
    }
    let out = e.estiba_cmd(&["tasks", &name]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.lines()
            .filter(|l| l.contains(&format!("{name}.")))
            .count(),
        3,
        "{text}"
    );
    assert_eq!(w.desired, 3);

    // A task that fails shows the engine's error.
    let bad = unique("bad");
    e.docker_ok(&[
        "service",
        "create",
        "-d",
        "--name",
        &bad,
        "--restart-condition",
        "none",
        support::IMAGE,
        "sh",
        "-c",
        "exit 3",
    ]);
    let err = wait_for("the failed task", Duration::from_secs(30), || {
        rt.block_on(async {
            let b = e.backend().await;
            let w = b.find_workload(&bad).await.ok()?;
            b.instances()
                .await
                .ok()?
                .into_iter()
                .find(|i| i.workload_id == w.id && i.state == "failed")
                .and_then(|i| i.error)
        })
    });
    let cli_err = e.docker_ok(&[
        "service",
        "ps",
        &bad,
        "--no-trunc",
        "--format",
        "{{.Error}}",
    ]);
    // The CLI quotes the error when it does not truncate it.
    assert_eq!(err, cli_err.trim().trim_matches('"'));
    e.docker_ok(&["service", "rm", &name, &bad]);
}

#[test]
fn nodes_match_docker_node_ls_with_a_labelled_worker() {
    let Some(e) = Engine::shared() else { return };
    let worker = e.add_worker(&unique("wk"));
    e.docker_ok(&[
        "node",
        "update",
        "--label-add",
        "app=api",
        "--label-add",
        "zone=b",
        &worker.node_id,
    ]);
    let cli = json_lines(&e.docker_ok(&["node", "ls", "--format", "{{json .}}"]));
    let rt = support::runtime();
    let nodes = rt.block_on(async { e.backend().await.nodes().await.unwrap() });
    assert_eq!(nodes.len(), cli.len());
    for c in &cli {
        let n = nodes
            .iter()
            .find(|n| n.id == c["ID"].as_str().unwrap())
            .unwrap();
        assert_eq!(n.hostname, c["Hostname"].as_str().unwrap());
        assert_eq!(
            format!("{:?}", n.status).to_lowercase(),
            c["Status"].as_str().unwrap().to_lowercase()
        );
        assert_eq!(
            format!("{:?}", n.availability).to_lowercase(),
            c["Availability"].as_str().unwrap().to_lowercase()
        );
        assert_eq!(n.leader, c["ManagerStatus"] == "Leader");
        assert_eq!(n.engine, c["EngineVersion"].as_str().unwrap());
    }
    let w = nodes.iter().find(|n| n.id == worker.node_id).unwrap();
    assert_eq!(
        w.labels,
        BTreeMap::from([
            ("app".to_string(), "api".to_string()),
            ("zone".to_string(), "b".to_string())
        ])
    );
    assert_eq!(w.hostname, worker.name);
    // A service placed by label runs on that worker only.
    let svc = unique("placed");
    e.service(
        &svc,
        &["--replicas", "2", "--constraint", "node.labels.app==api"],
        &["sleep", "3600"],
    );
    let nodes_of: Vec<String> = rt.block_on(async {
        let b = e.backend().await;
        let wl = b.find_workload(&svc).await.unwrap();
        b.instances()
            .await
            .unwrap()
            .into_iter()
            .filter(|i| i.workload_id == wl.id)
            .map(|i| i.node)
            .collect()
    });
    assert_eq!(nodes_of, vec![worker.name.clone(), worker.name.clone()]);
    e.docker_ok(&["service", "rm", &svc]);
}

#[test]
fn images_match_docker_image_ls() {
    let Some(e) = Engine::shared() else { return };
    let repo = unique("img");
    e.docker_ok(&["tag", support::IMAGE, &format!("{repo}:latest")]);
    e.docker_ok(&[
        "tag",
        support::IMAGE,
        &format!("{}/{repo}:test", e.registry),
    ]);
    let cli = json_lines(&e.docker_ok(&["image", "ls", "--format", "{{json .}}"]));
    let images = support::runtime().block_on(async { e.backend().await.images().await.unwrap() });
    for c in cli
        .iter()
        .filter(|c| c["Repository"].as_str().unwrap().contains(&repo))
    {
        let i = images
            .iter()
            .find(|i| {
                i.repo == c["Repository"].as_str().unwrap() && i.tag == c["Tag"].as_str().unwrap()
            })
            .unwrap_or_else(|| panic!("estiba lacks {c}"));
        assert_eq!(i.id.get(..12), c["ID"].as_str());
    }
    // Every tag of one image ID shows.
    let id = images.iter().find(|i| i.repo == repo).unwrap().id.clone();
    let tags: Vec<&str> = images
        .iter()
        .filter(|i| i.id == id)
        .map(|i| i.tag.as_str())
        .collect();
    assert!(
        tags.contains(&"latest") && tags.contains(&"test"),
        "{tags:?}"
    );
    let out = e.estiba_cmd(&["images"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .any(|l| l.starts_with(&format!("{}/{repo}", e.registry)) && l.contains("test")),
        "{text}"
    );
    e.docker_ok(&[
        "rmi",
        &format!("{repo}:latest"),
        &format!("{}/{repo}:test", e.registry),
    ]);
}

#[test]
fn a_service_created_with_the_cli_appears_within_two_seconds() {
    let Some(e) = Engine::shared() else { return };
    let rt = support::runtime();
    rt.block_on(async {
        let b = e.backend().await;
        let (op_tx, op_rx) = tokio::sync::mpsc::channel(8);
        let (tx, mut rx) = tokio::sync::mpsc::channel(256);
        let driver = tokio::spawn(estiba::backend::drive(b, false, op_rx, tx));
        // Let the first listing arrive, then stay idle past the throttle.
        while let Some(ev) = rx.recv().await {
            if matches!(ev, Event::Images(_)) {
                break;
            }
        }
        let name = unique("ev");
        let started = Instant::now();
        let out = e.docker(&[
            "service",
            "create",
            "-d",
            "--name",
            &name,
            support::IMAGE,
            "sleep",
            "3600",
        ]);
        assert!(out.status.success());
        let seen = tokio::time::timeout(Duration::from_secs(2), async {
            while let Some(ev) = rx.recv().await {
                if let Event::Workloads(w) = ev
                    && w.iter().any(|w| w.name == name)
                {
                    return started.elapsed();
                }
            }
            panic!("the driver stopped");
        })
        .await
        .expect("the new service reached estiba within 2 s of `docker service create`");
        eprintln!("new service seen after {seen:?}");
        drop(op_tx);
        driver.abort();
        e.docker_ok(&["service", "rm", &name]);
    });
}

#[test]
fn logs_follow_with_docker_style_prefixes_and_streams() {
    let Some(e) = Engine::shared() else { return };
    let name = unique("log");
    let script = "i=0; while true; do i=$((i+1)); echo out $i; echo err $i >&2; sleep 0.3; done";
    e.service(&name, &["--replicas", "2"], &["sh", "-c", script]);
    let rt = support::runtime();
    rt.block_on(async {
        let b = e.backend().await;
        let w = b.find_workload(&name).await.unwrap();
        let target = LogTarget::Workload {
            id: w.id.clone(),
            name: w.name.clone(),
        };
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<LogLine>>(64);
        let follow = tokio::spawn(async move {
            b.logs(&target, &estiba::model::LogOptions::last(5, true), tx)
                .await
        });
        let mut lines = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(15);
        while lines.len() < 30 && Instant::now() < deadline {
            if let Ok(Some(batch)) = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await {
                lines.extend(batch);
            }
        }
        follow.abort();
        let hosts = e.docker_ok(&["service", "ps", &name, "--format", "{{.Name}}@{{.Node}}"]);
        let sources: Vec<&str> = hosts.lines().collect();
        assert!(lines.len() >= 30, "only {} lines followed", lines.len());
        assert!(
            lines.iter().all(|l| sources.contains(&l.source.as_str())),
            "{:?} vs {sources:?}",
            lines.iter().map(|l| &l.source).collect::<Vec<_>>()
        );
        assert!(
            sources.iter().all(|s| lines.iter().any(|l| l.source == *s)),
            "every task's lines arrive"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.stream == Stream::Stderr && l.text.starts_with("err "))
        );
        assert!(
            lines
                .iter()
                .any(|l| l.stream == Stream::Stdout && l.text.starts_with("out "))
        );
        assert!(lines.iter().all(|l| l.ts.is_some()));
    });
    e.docker_ok(&["service", "rm", &name]);
}

#[test]
fn logs_tail_gives_what_docker_service_logs_tail_gives() {
    let Some(e) = Engine::shared() else { return };
    // A service that writes a known set of lines and then stays quiet, so both tools read the
    // same logs.
    let name = unique("tail");
    // (A pause between lines: stdout and stderr are two pipes, and without it the engine may
    // log all of one before the other, so that the last 4 lines are of one stream only.)
    let script = "for i in 1 2 3 4 5 6 7 8; do echo out $i; sleep 0.2; echo err $i >&2; sleep 0.2; done; sleep 3600";
    e.service(&name, &["--replicas", "2"], &["sh", "-c", script]);
    let text = |l: &str| l.split_once("| ").map(|(_, t)| t.to_string());
    // Until both tasks have written their last line, err 8 (on stderr).
    wait_for("both tasks to log", Duration::from_secs(30), || {
        let o = e.docker(&["service", "logs", &name]);
        let n = String::from_utf8_lossy(&o.stderr).matches("err 8").count();
        (n == 2).then_some(())
    });
    // The swarm's log broker sometimes answers a moment short under load (for docker too):
    // both are read until they give the 4 last lines of each of the 2 tasks.
    let lines = |o: &std::process::Output| {
        String::from_utf8_lossy(&o.stdout).lines().count()
            + String::from_utf8_lossy(&o.stderr).lines().count()
    };
    let docker = wait_for(
        "docker service logs --tail 4",
        Duration::from_secs(30),
        || {
            let o = e.docker(&["service", "logs", "--tail", "4", &name]);
            (lines(&o) == 8).then_some(o)
        },
    );
    let ours = wait_for("estiba logs --tail 4", Duration::from_secs(30), || {
        let o = e.estiba_cmd(&["logs", &name, "--tail", "4"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        (lines(&o) == 8).then_some(o)
    });
    // Per stream, the same lines (docker prints stdout and stderr apart too).
    for (theirs, mine) in [
        (&docker.stdout, &ours.stdout),
        (&docker.stderr, &ours.stderr),
    ] {
        let mut a: Vec<String> = String::from_utf8_lossy(theirs)
            .lines()
            .filter_map(text)
            .collect();
        let mut b: Vec<String> = String::from_utf8_lossy(mine)
            .lines()
            .filter_map(text)
            .collect();
        a.sort();
        b.sort();
        assert!(!a.is_empty(), "docker printed lines");
        assert_eq!(a, b, "the same lines as docker service logs --tail 4");
    }
    let stdout = String::from_utf8_lossy(&ours.stdout);
    assert!(
        stdout
            .lines()
            .all(|l| l.starts_with(&format!("{name}.")) && l.contains("| out ")),
        "{stdout}"
    );
    e.docker_ok(&["service", "rm", &name]);
}

#[test]
fn hostile_names_and_logs_are_sanitized() {
    let Some(e) = Engine::shared() else { return };
    let name = unique("esc");
    e.service(
        &name,
        &["--label", "evil=\u{1b}]0;pwned\u{7}x", "--replicas", "1"],
        &[
            "sh",
            "-c",
            "while true; do printf 'a\\033[2Jb\\033]52;c;ZXZpbA==\\007c\\n'; sleep 0.5; done",
        ],
    );
    let rt = support::runtime();
    rt.block_on(async {
        let b = e.backend().await;
        let w = b.find_workload(&name).await.unwrap();
        assert_eq!(w.labels["evil"], "x");
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<LogLine>>(8);
        let target = LogTarget::Workload {
            id: w.id.clone(),
            name: w.name.clone(),
        };
        let h = tokio::spawn(async move {
            b.logs(&target, &estiba::model::LogOptions::last(3, true), tx)
                .await
        });
        let batch = wait_line(&mut rx).await;
        h.abort();
        assert!(batch.iter().all(|l| l.text == "abc"), "{batch:?}");
    });
    e.docker_ok(&["service", "rm", &name]);
}

async fn wait_line(rx: &mut tokio::sync::mpsc::Receiver<Vec<LogLine>>) -> Vec<LogLine> {
    for _ in 0..20 {
        if let Ok(Some(b)) = tokio::time::timeout(Duration::from_secs(2), rx.recv()).await
            && !b.is_empty()
        {
            return b;
        }
    }
    panic!("no log lines");
}

#[test]
fn unknown_names_are_named_with_a_suggestion() {
    let Some(e) = Engine::shared() else { return };
    let name = unique("known");
    e.service(&name, &[], &["sleep", "3600"]);
    let typo: String = name.chars().take(name.len() - 1).collect::<String>() + "q";
    let out = e.estiba_cmd(&["tasks", &typo]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&typo) && err.contains(&name), "{err}");
    let out = e.estiba_cmd(&["tasks"]);
    assert_eq!(out.status.code(), Some(2), "a usage error");
    e.docker_ok(&["service", "rm", &name]);
}

/// The text of a `docker service logs` line (after the prefix).
fn after_bar(l: &str) -> Option<String> {
    l.split_once("| ").map(|(_, t)| t.to_string())
}

#[test]
fn logs_since_and_until_give_the_lines_of_that_window() {
    let Some(e) = Engine::shared() else { return };
    let name = unique("window");
    // Three bursts two seconds apart, then quiet.
    let script = "for b in 1 2 3; do echo burst $b; sleep 2; done; sleep 3600";
    e.service(&name, &["--replicas", "1"], &["sh", "-c", script]);
    wait_for("the third burst", Duration::from_secs(30), || {
        let o = e.docker(&["service", "logs", &name]);
        String::from_utf8_lossy(&o.stdout)
            .contains("burst 3")
            .then_some(())
    });
    // The moments the engine stamped, as docker shows them.
    let stamped = e.docker_ok(&["service", "logs", "--timestamps", "--no-task-ids", &name]);
    let at: Vec<i64> = stamped
        .lines()
        .filter_map(|l| {
            let ts = l.split_whitespace().next()?;
            Some(chrono::DateTime::parse_from_rfc3339(ts).ok()?.timestamp())
        })
        .collect();
    assert_eq!(at.len(), 3, "{stamped}");
    // --since: the same lines as docker service logs --since.
    let since = (at[1]).to_string();
    let theirs: Vec<String> = e
        .docker_ok(&["service", "logs", "--since", &since, &name])
        .lines()
        .filter_map(after_bar)
        .collect();
    let ours: Vec<String> = support::ok(&e.estiba_cmd(&["logs", &name, "--since", &since]))
        .lines()
        .filter_map(after_bar)
        .collect();
    assert_eq!(ours, theirs);
    assert!(!ours.iter().any(|l| l == "burst 1"), "{ours:?}");
    // --until (docker service logs has none; docker's own timestamps say which lines are before).
    let until = (at[2]).to_string();
    let ours: Vec<String> = support::ok(&e.estiba_cmd(&["logs", &name, "--until", &until]))
        .lines()
        .filter_map(after_bar)
        .collect();
    assert_eq!(ours, ["burst 1", "burst 2"]);
    // A bad moment is named.
    let o = e.estiba_cmd(&["logs", &name, "--since", "yesterdayish"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--since"));
    e.docker_ok(&["service", "rm", &name]);
}

#[test]
fn the_console_filters_logs_and_saves_what_the_pane_holds() {
    let Some(e) = Engine::shared() else { return };
    support::require(&["tmux"]);
    let name = unique("filt");
    let script =
        "i=0; while [ $i -lt 40 ]; do i=$((i+1)); echo line $i; sleep 0.05; done; sleep 3600";
    e.service(&name, &["--replicas", "2"], &["sh", "-c", script]);
    wait_for("both tasks to log", Duration::from_secs(30), || {
        let o = e.docker(&["service", "logs", &name]);
        (String::from_utf8_lossy(&o.stdout)
            .matches("line 40")
            .count()
            == 2)
            .then_some(())
    });
    let dir = support::workdir("logsave");
    let t = support::tmux::Tmux::start(
        140,
        40,
        &[
            ("LANG", "C.UTF-8"),
            ("ESTIBA_DATA_DIR", &e.path("estiba-data")),
            ("ESTIBA_CONFIG_DIR", &e.path("estiba-config")),
        ],
        &format!(
            "cd {} && {} --host {}",
            dir.display(),
            Engine::estiba(),
            e.host
        ),
    );
    t.wait_for(&name, 20);
    t.keys(&[":"]);
    t.text(&format!("logs {name}"));
    t.keys(&["Enter"]);
    t.wait_for("line 40", 20);
    // Only the lines ending in 5: plain text would match 15, 25, 35 and 5 too; a regex is exact.
    t.keys(&["f"]);
    t.text("re:line \\d*5$");
    t.keys(&["Enter"]);
    let s = t.wait_for("only re:line", 10);
    assert!(!s.contains("line 40") && s.contains("line 35"), "{s}");
    t.keys(&[":"]);
    t.text("logs save filtered.txt");
    t.keys(&["Enter"]);
    t.wait_for("lines written to", 10);
    let saved = std::fs::read_to_string(dir.join("filtered.txt")).unwrap();
    let re = regex::Regex::new(r"line \d*5$").unwrap();
    let mut theirs: Vec<String> = e
        .docker_ok(&["service", "logs", &name])
        .lines()
        .filter_map(after_bar)
        .filter(|l| re.is_match(l))
        .collect();
    let mut ours: Vec<String> = saved.lines().filter_map(after_bar).collect();
    theirs.sort();
    ours.sort();
    assert_eq!(
        ours, theirs,
        "the filtered lines, as docker service logs has them"
    );
    assert_eq!(ours.len(), 8);
    assert!(!saved.contains('\u{1b}'), "no colours in the file");
    // Esc clears the filter: every line again, and saved whole.
    t.keys(&["f", "Escape"]);
    t.wait_for("line 40", 10);
    t.keys(&[":"]);
    t.text("logs save all.txt");
    t.keys(&["Enter"]);
    t.wait_for("80 lines written", 10);
    e.docker_ok(&["service", "rm", &name]);
}
