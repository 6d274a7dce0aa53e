//! `inspect` against the private engine: the JSON estiba prints is the JSON `docker inspect`
//! prints, object by object, compared whole; the YAML says what the last update changed; secret
//! values are masked unless asked; the console opens the window on `y` and searches it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly

mod support;

use serde_json::Value;
use support::{Engine, IMAGE, unique};

fn ok(o: &std::process::Output) -> String {
    assert!(
        o.status.success(),
        "estiba failed: {}\n{}",
        String::from_utf8_lossy(&o.stderr),
        String::from_utf8_lossy(&o.stdout)
    );
    String::from_utf8_lossy(&o.stdout).to_string()
}

/// What the docker CLI's `inspect` prints for one object (it prints a list).
fn docker_json(e: &Engine, args: &[&str]) -> Value {
    let v: Value = serde_json::from_str(&e.docker_ok(args)).unwrap();
    assert_eq!(v.as_array().map(Vec::len), Some(1), "{v}");
    v[0].clone()
}

fn estiba_json(e: &Engine, args: &[&str]) -> Value {
    let mut all = vec!["--output", "json", "inspect"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(&e.estiba_cmd(&all))).unwrap()
}

/// The paths where two JSON values differ.
fn differences(a: &Value, b: &Value, path: &str, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                differences(
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    &format!("{path}.{k}"),
                    out,
                );
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                differences(p, q, &format!("{path}[{i}]"), out);
            }
        }
        (p, q) if p != q => out.push(format!("{path}: {p} / {q}")),
        _ => {}
    }
}

#[test]
fn every_kind_prints_what_docker_inspect_prints() {
    let Some(e) = Engine::shared() else { return };
    let svc = unique("insp");
    let net = unique("inspnet");
    let vol = unique("inspvol");
    let secret = unique("inspsecret");
    let config = unique("inspconfig");
    let dir = support::workdir("estiba-inspect");
    std::fs::write(dir.join("s.txt"), "hush").unwrap();
    std::fs::write(dir.join("c.conf"), "listen 8080;\nworkers 2;\n").unwrap();
    e.docker_ok(&["network", "create", "-d", "overlay", "--attachable", &net]);
    e.docker_ok(&["volume", "create", &vol]);
    e.docker_ok(&[
        "secret",
        "create",
        &secret,
        dir.join("s.txt").to_str().unwrap(),
    ]);
    e.docker_ok(&[
        "config",
        "create",
        &config,
        dir.join("c.conf").to_str().unwrap(),
    ]);
    e.service(
        &svc,
        &[
            "--network",
            &net,
            "--secret",
            &secret,
            "--config",
            &format!("source={config},target=/etc/app.conf"),
            "--mount",
            &format!("type=volume,source={vol},target=/data"),
            "--env",
            "DB_PASSWORD=s3cret-value",
            "--env",
            "PORT=5000",
            "--publish",
            "18571:80",
        ],
        &["sleep", "3600"],
    );
    // An update, so the service has a previous spec.
    e.docker_ok(&[
        "service",
        "update",
        "-d",
        "--env-add",
        "STAGE=test",
        "--replicas",
        "2",
        &svc,
    ]);
    e.wait_converged(&svc);

    // With --show-secrets: the very same object as the docker CLI's, for every kind.
    let task_id = e
        .docker_ok(&[
            "service",
            "ps",
            &svc,
            "-q",
            "--no-trunc",
            "--filter",
            "desired-state=running",
        ])
        .lines()
        .next()
        .unwrap()
        .to_string();
    let node_id = e.docker_ok(&["node", "inspect", "self", "--format", "{{.ID}}"]);
    let node_id = node_id.trim();
    let cases: Vec<(Vec<&str>, Vec<&str>)> = vec![
        (vec!["service", &svc], vec!["service", "inspect", &svc]),
        (
            vec!["task", &task_id],
            vec!["inspect", "--type", "task", &task_id],
        ),
        (vec!["node", node_id], vec!["node", "inspect", node_id]),
        (vec!["network", &net], vec!["network", "inspect", &net]),
        (vec!["volume", &vol], vec!["volume", "inspect", &vol]),
        (vec!["secret", &secret], vec!["secret", "inspect", &secret]),
        (vec!["config", &config], vec!["config", "inspect", &config]),
        (vec!["image", IMAGE], vec!["image", "inspect", IMAGE]),
    ];
    for (ours, theirs) in &cases {
        let mut args = ours.clone();
        args.push("--show-secrets");
        let mine = estiba_json(e, &args);
        let docker = docker_json(e, theirs);
        let mut diff = Vec::new();
        differences(&mine, &docker, "", &mut diff);
        assert!(
            diff.is_empty(),
            "{ours:?} differs from docker {theirs:?}: {diff:#?}"
        );
    }
    // A bare name finds the service first, as `docker inspect` does.
    assert_eq!(
        estiba_json(e, &[&svc, "--show-secrets"]),
        docker_json(e, &["service", "inspect", &svc])
    );

    // Without --show-secrets only the secret-looking value differs, and it is masked.
    let masked = estiba_json(e, &["service", &svc]);
    let mut diff = Vec::new();
    differences(
        &masked,
        &docker_json(e, &["service", "inspect", &svc]),
        "",
        &mut diff,
    );
    assert!(!diff.is_empty());
    assert!(
        diff.iter()
            .all(|d| d.contains("DB_PASSWORD=••••••") && d.contains("Env")),
        "{diff:#?}"
    );
    let yaml = ok(&e.estiba_cmd(&["inspect", &svc]));
    assert!(!yaml.contains("s3cret-value"), "{yaml}");
    // The YAML says what the last update changed, and parses as YAML.
    assert!(yaml.contains("# the last update changed:"), "{yaml}");
    assert!(yaml.contains("Mode.Replicated.Replicas: 1 → 2"), "{yaml}");
    assert!(
        yaml.contains("#   TaskTemplate.ContainerSpec.Env: + STAGE=test\n"),
        "{yaml}"
    );
    // Only what the update changed: not the defaults the engine fills in, not the order.
    let changed: Vec<&str> = yaml
        .lines()
        .skip_while(|l| !l.starts_with("# the last update changed:"))
        .skip(1)
        .take_while(|l| l.starts_with("#   "))
        .collect();
    assert_eq!(changed.len(), 2, "{yaml}");
    // And what happened to it: its creation and its update, as docker events has them.
    assert!(yaml.contains("# events:"), "{yaml}");
    assert!(yaml.contains(&format!(" service create {svc}")), "{yaml}");
    assert!(yaml.contains(&format!(" service update {svc}")), "{yaml}");
    let parsed: Value = serde_norway::from_str(&yaml).unwrap();
    assert_eq!(parsed["Spec"]["Name"], svc.as_str());
    // A task: its state, and the node it runs on by name.
    let host = e.docker_ok(&[
        "node",
        "inspect",
        "self",
        "--format",
        "{{.Description.Hostname}}",
    ]);
    let yaml = ok(&e.estiba_cmd(&["inspect", "task", &task_id]));
    assert!(
        yaml.contains("# status: running") && yaml.contains(&format!("on node {}", host.trim())),
        "{yaml}"
    );
    // A config's content is not secret: it is shown.
    let yaml = ok(&e.estiba_cmd(&["inspect", "config", &config]));
    assert!(yaml.contains("#   listen 8080;"), "{yaml}");
    // An image's layers, as docker history has them.
    let yaml = ok(&e.estiba_cmd(&["inspect", "image", IMAGE]));
    assert!(yaml.contains("# layers (docker history):"), "{yaml}");
    // --out writes the same text to a file.
    let file = dir.join("svc.yaml");
    let o = e.estiba_cmd(&["inspect", &svc, "--out", file.to_str().unwrap()]);
    ok(&o);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        ok(&e.estiba_cmd(&["inspect", &svc]))
    );
    // Unknown names and kinds say what was wrong, in Spanish too.
    let o = e.estiba_cmd(&["inspect", "network", "no-such-net"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no network named \"no-such-net\""));
    let o = e.estiba_cmd(&["--lang", "es", "inspect", "red", "no-such-net"]);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("red"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // Any other word may name a Kubernetes kind (`inspect widgets w1`): a swarm says it has none.
    let o = e.estiba_cmd(&["inspect", "gadget", "x"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("no objects of kind gadget here"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    e.docker_ok(&["service", "rm", &svc]);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn y_opens_the_selected_service_as_yaml_searchable_and_esc_closes_it() {
    let Some(e) = Engine::shared() else { return };
    support::require(&["tmux"]);
    let svc = unique("inspy");
    let net = unique("inspynet");
    e.docker_ok(&["network", "create", "-d", "overlay", &net]);
    e.service(
        &svc,
        &["--env", "API_TOKEN=do-not-show", "--network", &net],
        &["sleep", "3600"],
    );
    e.docker_ok(&["service", "update", "-d", "--replicas", "2", &svc]);
    e.wait_converged(&svc);
    let data = format!("{}/estiba-data-{}", e.root.display(), unique("d"));
    let t = support::tmux::Tmux::start(
        100,
        30,
        &[
            ("LANG", "C.UTF-8"),
            ("ESTIBA_DATA_DIR", &data),
            ("ESTIBA_CONFIG_DIR", &data),
        ],
        &format!("{} --host {}", Engine::estiba(), e.host),
    );
    t.wait_for(&svc, 15);
    // Filter the services down to ours, then `y`.
    t.keys(&["2"]);
    t.text("/");
    t.text(&svc);
    t.keys(&["Enter"]);
    t.wait_for(&format!("/{svc}"), 5);
    t.keys(&["y"]);
    let screen = t.wait_for(&format!("Inspect service {svc}"), 10);
    assert!(
        screen.contains("# the last update changed:")
            && screen.contains("Mode.Replicated.Replicas: 1 → 2"),
        "{screen}"
    );
    // Search: the matching line comes to the top; the secret-looking value is masked.
    t.text("/");
    t.text("API_TOKEN");
    t.keys(&["Enter"]);
    let screen = t.wait_for("API_TOKEN=••••••", 5);
    assert!(!screen.contains("do-not-show"), "{screen}");
    t.text("/");
    t.text("nothing-like-this");
    t.keys(&["Enter"]);
    t.wait_for("no line matches \"nothing-like-this\"", 5);
    // What it uses, numbered at the top: 1 opens its network; Esc comes back to the service.
    t.keys(&["Home"]);
    let screen = t.wait_for(&format!("[1] network {net}"), 5);
    assert!(screen.contains("Inspect service"), "{screen}");
    t.keys(&["1"]);
    t.wait_for(&format!("Inspect network {net}"), 10);
    t.keys(&["Escape"]);
    t.wait_for(&format!("Inspect service {svc}"), 5);
    // Esc closes; the panes are there again.
    t.keys(&["Escape"]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    let screen = t.screen();
    assert!(!screen.contains("the last update changed"), "{screen}");
    assert!(screen.contains(&svc), "{screen}");
    // The palette, with --out: the window opens and the file is written.
    let file = format!("{data}/out.yaml");
    t.text(&format!(":inspect {svc} --out {file}"));
    t.keys(&["Enter"]);
    t.wait_for(&format!("written to {file}"), 10);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with(&format!("# service {svc}")), "{text}");
    t.keys(&["Escape"]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    t.keys(&["q"]);
    t.wait_for("[exited 0]", 10);
    e.docker_ok(&["service", "rm", &svc]);
}

/// The names of a view's rows, as `estiba VIEW --output json` prints them.
fn view_rows(e: &Engine, view: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(&ok(&e.estiba_cmd(&["--output", "json", view]))).unwrap();
    v.as_array().unwrap().clone()
}

fn names(rows: &[Value]) -> Vec<String> {
    let mut n: Vec<String> = rows
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect();
    n.sort();
    n
}

fn docker_names(e: &Engine, args: &[&str]) -> Vec<String> {
    let mut n: Vec<String> = e.docker_ok(args).lines().map(str::to_string).collect();
    n.sort();
    n
}

#[test]
fn networks_volumes_secrets_and_configs_with_the_services_using_them() {
    let Some(e) = Engine::shared() else { return };
    let svc = unique("users");
    let net = unique("vnet");
    let vol = unique("vvol");
    let secret = unique("vsecret");
    let config = unique("vconfig");
    let dir = support::workdir("estiba-views");
    std::fs::write(dir.join("f"), "x").unwrap();
    // estiba makes the network; the docker CLI makes a twin with the same flags.
    let out = ok(&e.estiba_cmd(&["network", "create", &net, "--attachable", "--internal"]));
    assert!(
        out.contains(&format!(
            "docker network create --driver overlay --attachable --internal {net}"
        )),
        "{out}"
    );
    let twin = unique("twin");
    e.docker_ok(&[
        "network",
        "create",
        "--driver",
        "overlay",
        "--attachable",
        "--internal",
        &twin,
    ]);
    let mine = docker_json(e, &["network", "inspect", &net]);
    let theirs = docker_json(e, &["network", "inspect", &twin]);
    let mut diff = Vec::new();
    differences(&mine, &theirs, "", &mut diff);
    // What makes two networks two: their name, ID, creation time and the subnet each was given.
    // (and the VXLAN ID the overlay driver gave each).
    let identity = [
        ".Name:",
        ".Id:",
        ".Created:",
        ".IPAM.Config",
        ".Options.com.docker.network.driver.overlay.vxlanid_list:",
    ];
    diff.retain(|d| !identity.iter().any(|p| d.starts_with(p)));
    assert!(
        diff.is_empty(),
        "estiba's network differs from docker's: {diff:#?}"
    );
    let o = e.estiba_cmd(&["network", "create", &net]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("already exists"));

    e.docker_ok(&["volume", "create", &vol]);
    e.docker_ok(&["secret", "create", &secret, dir.join("f").to_str().unwrap()]);
    e.docker_ok(&["config", "create", &config, dir.join("f").to_str().unwrap()]);
    e.service(
        &svc,
        &[
            "--network",
            &net,
            "--secret",
            &secret,
            "--config",
            &config,
            "--mount",
            &format!("type=volume,source={vol},target=/data"),
        ],
        &["sleep", "3600"],
    );
    // Every view lists what the docker CLI lists, and who uses each.
    let nets = view_rows(e, "networks");
    assert_eq!(
        names(&nets),
        docker_names(e, &["network", "ls", "--format", "{{.Name}}"])
    );
    let row = nets.iter().find(|r| r["name"] == net.as_str()).unwrap();
    assert_eq!(
        (
            row["driver"].as_str(),
            row["scope"].as_str(),
            row["internal"].as_str(),
            row["attachable"].as_str()
        ),
        (Some("overlay"), Some("swarm"), Some("true"), Some("true"))
    );
    assert_eq!(row["services"], svc.as_str());
    let subnet = e.docker_ok(&[
        "network",
        "inspect",
        &net,
        "--format",
        "{{(index .IPAM.Config 0).Subnet}}",
    ]);
    assert_eq!(row["subnet"], subnet.trim());
    for (view, ls, name) in [
        (
            "volumes",
            vec!["volume", "ls", "--format", "{{.Name}}"],
            &vol,
        ),
        (
            "secrets",
            vec!["secret", "ls", "--format", "{{.Name}}"],
            &secret,
        ),
        (
            "configs",
            vec!["config", "ls", "--format", "{{.Name}}"],
            &config,
        ),
    ] {
        let rows = view_rows(e, view);
        assert_eq!(names(&rows), docker_names(e, &ls), "{view}");
        let row = rows.iter().find(|r| r["name"] == name.as_str()).unwrap();
        assert_eq!(row["services"], svc.as_str(), "{view}");
    }
    // Removing what a service uses is refused, naming the service; nothing is removed.
    for (kind, name) in [
        ("network", &net),
        ("volume", &vol),
        ("secret", &secret),
        ("config", &config),
    ] {
        let o = e.estiba_cmd(&[kind, "rm", name, "--yes"]);
        assert_eq!(o.status.code(), Some(1), "{kind}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(&format!("in use by {svc}")), "{kind}: {err}");
        e.docker_ok(&[kind, "inspect", name]);
    }
    // Removing asks first: without a terminal it needs --yes, and changes nothing.
    e.docker_ok(&["service", "rm", &svc]);
    support::wait_for(
        "the service's tasks to go",
        std::time::Duration::from_secs(30),
        || {
            (e.docker_ok(&[
                "ps",
                "-aq",
                "--filter",
                &format!("label=com.docker.swarm.service.name={svc}"),
            ])
            .trim()
            .is_empty())
            .then_some(())
        },
    );
    let o = e.estiba_cmd(&["secret", "rm", &secret]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--yes"));
    e.docker_ok(&["secret", "inspect", &secret]);
    for (kind, name) in [
        ("network", &net),
        ("volume", &vol),
        ("secret", &secret),
        ("config", &config),
    ] {
        let out = ok(&e.estiba_cmd(&[kind, "rm", name, "--yes"]));
        assert!(out.contains(&format!("docker {kind} rm {name}")), "{out}");
        assert!(
            !e.docker(&[kind, "inspect", name]).status.success(),
            "{kind} {name} is gone"
        );
    }
    e.docker_ok(&["network", "rm", &twin]);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_networks_view_takes_the_services_place_and_esc_gives_it_back() {
    let Some(e) = Engine::shared() else { return };
    support::require(&["tmux"]);
    let svc = unique("viewsvc");
    let net = unique("viewnet");
    e.docker_ok(&["network", "create", "-d", "overlay", &net]);
    e.service(&svc, &["--network", &net], &["sleep", "3600"]);
    let data = format!("{}/estiba-data-{}", e.root.display(), unique("d"));
    let t = support::tmux::Tmux::start(
        120,
        30,
        &[
            ("LANG", "C.UTF-8"),
            ("ESTIBA_DATA_DIR", &data),
            ("ESTIBA_CONFIG_DIR", &data),
        ],
        &format!("{} --host {}", Engine::estiba(), e.host),
    );
    t.wait_for(&svc, 15);
    t.text(":networks");
    t.keys(&["Enter"]);
    let screen = t.wait_for(&net, 10);
    assert!(
        screen.contains("2 Networks") && screen.contains("ingress"),
        "{screen}"
    );
    // Filter to ours: its row names the service on it.
    t.text("/");
    t.text(&net);
    t.keys(&["Enter"]);
    let screen = t.wait_for(&format!("/{net}"), 5);
    assert!(
        screen.contains(&svc) && !screen.contains("ingress"),
        "{screen}"
    );
    // y inspects the network; Esc closes the window, Esc clears the filter, Esc goes back.
    t.keys(&["y"]);
    t.wait_for(&format!("Inspect network {net}"), 10);
    t.keys(&["Escape"]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    // x writes the remove command in the palette: Esc leaves it unrun.
    t.keys(&["x"]);
    t.wait_for(&format!(":network rm {net}"), 5);
    t.keys(&["Escape"]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    t.keys(&["Escape"]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    t.keys(&["Escape"]);
    let screen = t.wait_for("2 Services", 5);
    assert!(screen.contains(&svc), "{screen}");
    t.keys(&["q"]);
    t.wait_for("[exited 0]", 10);
    e.docker_ok(&["service", "rm", &svc]);
}

#[test]
fn events_are_the_engines_and_the_view_follows_them_live() {
    let Some(e) = Engine::shared() else { return };
    support::require(&["tmux"]);
    let svc = unique("evsvc");
    e.service(&svc, &[], &["sleep", "3600"]);
    e.docker_ok(&["service", "update", "-d", "--replicas", "2", &svc]);
    // The same events docker events gives, for this service (the engine publishes a service's
    // events a moment after the change: wait until docker sees the update).
    let docker_events = || -> Vec<(String, String)> {
        e.docker_ok(&[
            "events",
            "--since",
            "5m",
            "--until",
            "0s",
            "--filter",
            "type=service",
            "--filter",
            &format!("service={svc}"),
            "--format",
            "{{.Action}} {{.Actor.ID}}",
        ])
        .lines()
        .map(|l| {
            let (a, id) = l.split_once(' ').unwrap();
            (a.to_string(), id.to_string())
        })
        .collect()
    };
    let theirs = support::wait_for(
        "docker events to show the update",
        std::time::Duration::from_secs(20),
        || {
            let t = docker_events();
            (t.len() >= 2).then_some(t)
        },
    );
    let out = ok(&e.estiba_cmd(&["--output", "json", "events", "--since", "5m"]));
    let mine: Vec<(String, String)> = out
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["kind"] == "service" && v["name"] == svc.as_str())
        .map(|v| {
            (
                v["action"].as_str().unwrap().to_string(),
                v["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(mine, theirs);
    // The table: one line each, with the service's name.
    let out = ok(&e.estiba_cmd(&["events", "--since", "5m"]));
    assert!(out.contains(&format!("service create {svc}")), "{out}");
    let o = e.estiba_cmd(&["events", "--since", "soon"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("soon"));

    // The console: E opens the events view; a change made meanwhile appears at the top.
    let data = format!("{}/estiba-data-{}", e.root.display(), unique("d"));
    let t = support::tmux::Tmux::start(
        140,
        30,
        &[
            ("LANG", "C.UTF-8"),
            ("ESTIBA_DATA_DIR", &data),
            ("ESTIBA_CONFIG_DIR", &data),
        ],
        &format!("{} --host {}", Engine::estiba(), e.host),
    );
    t.wait_for(&svc, 15);
    t.keys(&["E"]);
    t.wait_for("2 Events", 10);
    // Filter down to the service (other tests make events too).
    t.text("/");
    t.text(&svc);
    t.keys(&["Enter"]);
    t.wait_for(&format!("/{svc}"), 5);
    let line_with = |words: &[&str]| {
        support::wait_for(
            &format!("a line with {words:?}"),
            std::time::Duration::from_secs(10),
            || {
                t.screen()
                    .lines()
                    .any(|l| words.iter().all(|w| l.contains(w)))
                    .then_some(())
            },
        )
    };
    line_with(&["service", "create", &svc]);
    e.docker_ok(&["service", "update", "-d", "--replicas", "1", &svc]);
    line_with(&["service", "update", &svc, "replicas.new=1"]);
    // Enter on the newest (the update) inspects the service.
    t.keys(&["Home", "Enter"]);
    t.wait_for(&format!("Inspect service {svc}"), 10);
    t.keys(&["Escape"]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    t.keys(&["q"]);
    t.wait_for("[exited 0]", 10);
    e.docker_ok(&["service", "rm", &svc]);
}
