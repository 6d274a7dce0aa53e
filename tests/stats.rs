//! Live use of tasks against the private engine, with `docker stats` as the observer: the
//! headless `estiba stats`, a task on a worker reached through its configured endpoint (stats
//! and exec), and the console's columns in tmux.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly

mod support;

use serde_json::Value;
use std::collections::HashMap;
use support::{Engine, unique};

/// A size as `docker stats` prints it (`64MiB`, `1.05kB`, `0B`), in bytes.
fn size(s: &str) -> f64 {
    let s = s.trim();
    let split = s.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: f64 = n.parse().unwrap_or_else(|_| panic!("a size: {s}"));
    let k = match unit {
        "B" | "" => 1.0,
        "KiB" => 1024.0,
        "MiB" => 1024.0 * 1024.0,
        "GiB" => 1024.0 * 1024.0 * 1024.0,
        "kB" => 1e3,
        "MB" => 1e6,
        "GB" => 1e9,
        other => panic!("unit {other} in {s}"),
    };
    n * k
}

fn pair(s: &str) -> (f64, f64) {
    let (a, b) = s.split_once(" / ").unwrap_or_else(|| panic!("a / b: {s}"));
    (size(a), size(b))
}

fn percent(s: &str) -> f64 {
    s.trim_end_matches('%').parse().unwrap()
}

/// `docker stats --no-stream` for these containers, by full container ID.
fn docker_stats(e: &Engine, host: &str, ids: &[String]) -> HashMap<String, Value> {
    let mut args = vec![
        "-H",
        host,
        "stats",
        "--no-stream",
        "--no-trunc",
        "--format",
        "{{json .}}",
    ];
    args.extend(ids.iter().map(String::as_str));
    let out = std::process::Command::new("docker")
        .args(&args)
        .env("DOCKER_CONFIG", e.path("docker-config"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (v["ID"].as_str().unwrap().to_string(), v)
        })
        .collect()
}

fn estiba_stats(e: &Engine, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["stats"];
    all.extend(args);
    all.extend(["--no-stream", "--output", "json"]);
    let o = e.estiba_cmd(&all);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice::<Vec<Value>>(&o.stdout).unwrap()
}

/// estiba's sample of a container against docker's, within what two samples a moment apart
/// can differ by.
fn agree(ours: &Value, theirs: &Value, busy: bool) {
    let name = ours["task"].as_str().unwrap();
    let cpu = ours["cpu_percent"].as_f64().unwrap();
    let their_cpu = percent(theirs["CPUPerc"].as_str().unwrap());
    if busy {
        // A loop held to half a CPU: both see it near 50%.
        assert!(
            (cpu - their_cpu).abs() < 20.0 && cpu > 25.0,
            "{name}: CPU {cpu} vs docker {their_cpu}"
        );
    } else {
        assert!(
            cpu < 5.0 && their_cpu < 5.0,
            "{name}: CPU {cpu} vs docker {their_cpu}"
        );
    }
    let (mem, limit) = pair(theirs["MemUsage"].as_str().unwrap());
    let our_mem = ours["mem_usage"].as_f64().unwrap();
    assert!(
        (our_mem - mem).abs() <= (mem * 0.2).max(512.0 * 1024.0),
        "{name}: memory {our_mem} vs docker {mem}"
    );
    // The limit is exact; docker prints it to four digits.
    let our_limit = ours["mem_limit"].as_f64().unwrap();
    assert!(
        (our_limit - limit).abs() <= limit * 0.001,
        "{name}: limit {our_limit} vs docker {limit}"
    );
    let (rx, tx) = pair(theirs["NetIO"].as_str().unwrap());
    let (our_rx, our_tx) = (
        ours["net_rx"].as_f64().unwrap(),
        ours["net_tx"].as_f64().unwrap(),
    );
    assert!(
        (our_rx - rx).abs() <= (rx * 0.05).max(2048.0)
            && (our_tx - tx).abs() <= (tx * 0.05).max(2048.0),
        "{name}: network {our_rx}/{our_tx} vs docker {rx}/{tx}"
    );
    let (r, w) = pair(theirs["BlockIO"].as_str().unwrap());
    let (our_r, our_w) = (
        ours["block_read"].as_f64().unwrap(),
        ours["block_write"].as_f64().unwrap(),
    );
    assert!(
        (our_r - r).abs() <= (r * 0.05).max(4096.0) && (our_w - w).abs() <= (w * 0.05).max(4096.0),
        "{name}: block I/O {our_r}/{our_w} vs docker {r}/{w}"
    );
    assert_eq!(
        ours["pids"].as_u64().unwrap(),
        theirs["PIDs"].as_str().unwrap().parse::<u64>().unwrap(),
        "{name}: PIDs"
    );
}

#[test]
fn stats_agree_with_docker_stats() {
    let Some(e) = Engine::shared() else { return };
    let idle = unique("idle");
    let busy = unique("busy");
    e.service(&idle, &["--replicas", "2"], &["sleep", "86400"]);
    e.service(
        &busy,
        &[
            "--replicas",
            "1",
            "--limit-cpu",
            "0.5",
            "--limit-memory",
            "64m",
        ],
        &["sh", "-c", "while :; do :; done"],
    );
    e.wait_converged(&idle);
    e.wait_converged(&busy);
    // Let the loop's CPU settle into its quota.
    std::thread::sleep(std::time::Duration::from_secs(3));
    for (service, is_busy, n) in [(&idle, false, 2), (&busy, true, 1)] {
        let ours = estiba_stats(e, &[service]);
        assert_eq!(
            ours.len(),
            n,
            "{service}: one row per running task: {ours:?}"
        );
        let ids: Vec<String> = ours
            .iter()
            .map(|r| r["container"].as_str().unwrap().to_string())
            .collect();
        let theirs = docker_stats(e, &e.host, &ids);
        assert_eq!(theirs.len(), n, "docker stats saw the same containers");
        for r in &ours {
            agree(r, &theirs[r["container"].as_str().unwrap()], is_busy);
            assert!(r["task"].as_str().unwrap().starts_with(service.as_str()));
        }
        if is_busy {
            assert_eq!(ours[0]["mem_limit"].as_u64(), Some(64 * 1024 * 1024));
        }
    }
    // The table reads as docker's: its columns, docker's units.
    let o = e.estiba_cmd(&["stats", &busy, "--no-stream"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let head = text.lines().next().unwrap();
    for col in [
        "CPU %",
        "MEM USAGE / LIMIT",
        "MEM %",
        "NET I/O",
        "BLOCK I/O",
        "PIDS",
    ] {
        assert!(head.contains(col), "{col} in {head}");
    }
    assert!(text.contains("/ 64MiB"), "{text}");
    // Without --no-stream: a fresh table again and again, until stopped.
    let mut child = std::process::Command::new(Engine::estiba())
        .args(["--host", &e.host, "stats", &busy])
        .env("ESTIBA_DATA_DIR", e.path("estiba-data"))
        .env("ESTIBA_CONFIG_DIR", e.path("estiba-config"))
        .env("LANG", "C")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_secs(8));
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let tables = text.matches("MEM USAGE / LIMIT").count();
    assert!(tables >= 2, "tables again and again: {text}");
    assert_eq!(text.matches("/ 64MiB").count(), tables, "{text}");
    // A name that is no service says so, and nothing else.
    let o = e.estiba_cmd(&["stats", "no-such-service", "--no-stream"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no-such-service"));
    e.docker_ok(&["service", "rm", &idle, &busy]);
}

#[test]
fn a_task_on_a_worker_is_measured_and_opened_through_its_configured_endpoint() {
    let Some(e) = Engine::private(true) else {
        return;
    };
    let w = e.add_worker_tls("worker1");
    let name = unique("far");
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
    // Without the node's endpoint: not measured, and said where and how.
    let o = e.estiba_cmd(&["stats", &name, "--no-stream"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success());
    assert!(text.contains("Tasks on worker1 are not measured"), "{text}");
    assert!(text.contains("[nodes.worker1] host"), "{text}");
    let o = e.estiba_cmd(&["exec", &task, "--", "echo", "far-away"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("runs on worker1") && err.contains("[nodes.worker1]"),
        "{err}"
    );
    // With it: measured as docker on that node measures it, and a command runs there.
    let config = e.root.join("nodes.toml");
    std::fs::write(&config, format!("[nodes.worker1]\nhost = \"{}\"\n", w.host)).unwrap();
    let cfg = config.to_str().unwrap();
    // Measured as docker on that node measures it (`agree`), and a shell's `echo WORD-42` run
    // there.
    let measured_and_opened = |word: &str| {
        let o = e.estiba_cmd(&[
            "--config",
            cfg,
            "stats",
            &name,
            "--no-stream",
            "--output",
            "json",
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let ours: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(ours.len(), 1);
        assert_eq!(ours[0]["node"], "worker1");
        let id = ours[0]["container"].as_str().unwrap().to_string();
        let theirs = docker_stats(&e, &w.host, std::slice::from_ref(&id));
        agree(&ours[0], &theirs[&id], false);
        let script = format!("echo {word}-$((40+2))");
        let o = e.estiba_cmd(&["--config", cfg, "exec", &task, "--", "sh", "-c", &script]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(String::from_utf8_lossy(&o.stdout).contains(&format!("{word}-42")));
    };
    measured_and_opened("far-away");

    // The same node over TCP with TLS, as operators expose an engine (`cert_path` laid out as
    // DOCKER_CERT_PATH). The docker CLI reaches it so: the engine is set up right.
    let tls = w.tls.clone().unwrap();
    let o = std::process::Command::new("docker")
        .args([
            "--tlsverify",
            "-H",
            &tls.host,
            "version",
            "--format",
            "{{.Server.Version}}",
        ])
        .env("DOCKER_CERT_PATH", &tls.client)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let over_tls = |cert_path: &std::path::Path| {
        std::fs::write(
            &config,
            format!(
                "[nodes.worker1]\nhost = \"{}\"\ntls_verify = true\ncert_path = \"{}\"\n",
                tls.host,
                cert_path.display()
            ),
        )
        .unwrap();
    };
    over_tls(&tls.client);
    measured_and_opened("over-tls");
    // Certificates of another CA: said, naming the node, its address and why; nothing run.
    let other = support::tls_certs(&e.root.join("other-ca"), "127.0.0.1");
    over_tls(&other);
    let o = e.estiba_cmd(&["--config", cfg, "stats", &name, "--no-stream"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success());
    let said = format!(
        "Tasks on worker1 are not measured: its engine at {} (config: [nodes.worker1]) did not answer: ",
        tls.host
    );
    assert!(text.contains(&said), "{text}");
    assert!(text.contains("invalid peer certificate"), "{text}");
    let o = e.estiba_cmd(&["--config", cfg, "exec", &task, "--", "echo", "not-run"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!(
            "runs on worker1, whose engine at {} (config: [nodes.worker1]) did not answer: ",
            tls.host
        )),
        "{err}"
    );
    assert!(!String::from_utf8_lossy(&o.stdout).contains("not-run"));
}

#[test]
fn the_panes_show_live_use_of_what_is_on_screen() {
    let Some(e) = Engine::shared() else { return };
    support::require(&["tmux"]);
    let name = unique("top");
    e.service(
        &name,
        &["--replicas", "2", "--limit-memory", "32m"],
        &["sleep", "86400"],
    );
    e.wait_converged(&name);
    let data = e.path(&unique("stats-data"));
    let t = support::tmux::Tmux::start(
        160,
        45,
        &[
            ("LANG", "C.UTF-8"),
            ("ESTIBA_DATA_DIR", &data),
            ("ESTIBA_CONFIG_DIR", &data),
        ],
        &format!("{} --host {}", Engine::estiba(), e.host),
    );
    t.wait_for(&name, 20);
    t.keys(&[":"]);
    t.text(&format!("stats {name}"));
    t.wait_for(&format!("stats {name}"), 5);
    t.keys(&["Enter"]);
    // Each task's memory of its 32 MiB limit, as docker counts it (each task's stream gives
    // its first sample in its own time).
    t.wait_for("/32MiB", 20);
    let measured = |screen: &str| {
        screen
            .lines()
            .filter(|l| l.contains(&format!("{name}.")) && l.contains("/32MiB"))
            .count()
    };
    let screen = support::wait_for(
        "both tasks measured",
        std::time::Duration::from_secs(20),
        || {
            let screen = t.screen();
            (measured(&screen) == 2).then_some(screen)
        },
    );
    assert_eq!(measured(&screen), 2, "both tasks measured: {screen}");
    assert!(screen.contains("CPU") && screen.contains("Mem"), "{screen}");
    t.keys(&["q"]);
    e.docker_ok(&["service", "rm", &name]);
}

#[test]
fn containers_of_a_plain_engine_are_measured_as_docker_stats_measures_them() {
    let Some(e) = Engine::private(false) else {
        return;
    };
    let name = unique("plain");
    e.docker_ok(&[
        "run",
        "-d",
        "--name",
        &name,
        "--memory",
        "48m",
        support::IMAGE,
        "sleep",
        "86400",
    ]);
    let all = estiba_stats(&e, &[]);
    let row = all
        .iter()
        .find(|r| r["task"] == name.as_str())
        .unwrap_or_else(|| panic!("{name} in {all:?}"));
    let id = row["container"].as_str().unwrap().to_string();
    let theirs = docker_stats(&e, &e.host, std::slice::from_ref(&id));
    agree(row, &theirs[&id], false);
    assert_eq!(row["mem_limit"].as_u64(), Some(48 * 1024 * 1024));
    // By its name, as a service's.
    let one = estiba_stats(&e, &[&name]);
    assert_eq!(one.len(), 1);
    assert_eq!(one[0]["container"], id.as_str());
    // And a command runs in it.
    let o = e.estiba_cmd(&["exec", &name, "--", "sh", "-c", "echo plain-$((2*21))"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("plain-42"));
}

#[test]
fn a_snapshot_from_the_command_line_shows_the_use_too() {
    let dir = support::workdir("stats-snap");
    let o = support::estiba_in(
        &dir,
        &[
            "--demo", "snap", "services", "--size", "120x12", "--out", "s.txt",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let txt = std::fs::read_to_string(dir.join("s.txt")).unwrap();
    let backend = txt
        .lines()
        .find(|l| l.contains("gopenux_backend"))
        .unwrap_or_else(|| panic!("{txt}"));
    assert!(txt.contains("CPU") && backend.contains('%'), "{txt}");
    // Off in the config: as before.
    std::fs::create_dir_all(dir.join(".config")).unwrap();
    std::fs::write(dir.join(".config/config.toml"), "stats = false\n").unwrap();
    let o = support::estiba_in(
        &dir,
        &[
            "--demo", "snap", "services", "--size", "120x12", "--out", "off.txt",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let txt = std::fs::read_to_string(dir.join("off.txt")).unwrap();
    assert!(!txt.contains("CPU"), "{txt}");
    std::fs::remove_dir_all(dir).unwrap();
}
