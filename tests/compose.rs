//! `estiba compose` against the private engine, with docker compose v5.6.0 (built from its Go
//! module by tests/composeref) as the reference: each held project is brought up by docker
//! compose, recorded, taken down, then brought up by estiba; every container's inspect, the
//! networks and the volumes must be the same. Then the two tools take over each other's
//! projects (`up` touches nothing, `ps` and `down` work), a changed service alone is recreated,
//! and bad input is refused with where it is and nothing left behind.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly

mod support;

use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use support::{Engine, IMAGE, ok, unique, wait_for};

fn write(root: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let p = root.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn engine() -> Option<&'static Engine> {
    let e = Engine::shared()?;
    e.install_compose();
    Some(e)
}

/// What a project is on the engine, as docker inspects it, with only what cannot be the same
/// between two runs taken out (each exclusion says why).
fn observe(e: &Engine, project: &str) -> Value {
    let ids = e.docker_ok(&[
        "ps",
        "-aq",
        "--filter",
        &format!("label=com.docker.compose.project={project}"),
    ]);
    let mut containers = BTreeMap::new();
    for id in ids.split_whitespace() {
        let mut c: Value = serde_json::from_str(&e.docker_ok(&["inspect", id])).unwrap();
        let mut c = c[0].take();
        let short = c["Id"].as_str().unwrap()[..12].to_string();
        let name = c["Name"]
            .as_str()
            .unwrap()
            .trim_start_matches('/')
            .to_string();
        let config = c["Config"].as_object_mut().unwrap();
        // The engine names the host after the container's own ID when the file sets none.
        if config["Hostname"] == json!(short) {
            config.remove("Hostname");
        }
        // docker compose writes the environment in Go's map order, which is random: as a set.
        if let Some(env) = config.get_mut("Env") {
            sort(env);
        }
        // So does the depends_on label (a Go map joined): compared as the set it lists.
        if let Some(Value::String(deps)) = config["Labels"].get_mut("com.docker.compose.depends_on")
        {
            let mut items: Vec<&str> = deps.split(',').collect();
            items.sort();
            *deps = items.join(",");
        }
        let host = c["HostConfig"].as_object_mut().unwrap();
        // Binds and mounts come from Go maps in docker compose, in random order: as sets.
        for k in ["Binds", "Mounts"] {
            if let Some(v) = host.get_mut(k) {
                sort(v);
            }
        }
        sort(&mut c["Mounts"]);
        let mut networks = BTreeMap::new();
        for (net, ep) in c["NetworkSettings"]["Networks"].as_object().unwrap() {
            // Addresses, endpoint and network IDs are the engine's, new on every run; the
            // container's own short ID is an alias the engine adds.
            let mut aliases: Vec<Value> = ep["Aliases"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .filter(|a| a != &json!(short))
                .collect();
            aliases.sort_by_key(|a| a.to_string());
            networks.insert(
                net.clone(),
                json!({ "Aliases": aliases, "IPAMConfig": ep["IPAMConfig"], "DriverOpts": ep["DriverOpts"], "Links": ep["Links"] }),
            );
        }
        let state = &c["State"];
        containers.insert(
            name,
            json!({
                "Config": c["Config"],
                "HostConfig": c["HostConfig"],
                "Mounts": c["Mounts"],
                "Networks": networks,
                "Image": c["Image"],
                "Path": c["Path"],
                "Args": c["Args"],
                // Whether it runs (or ran to its end), not when.
                "State": { "Status": state["Status"], "ExitCode": state["ExitCode"] },
            }),
        );
    }
    let mut networks = BTreeMap::new();
    let nets = e.docker_ok(&[
        "network",
        "ls",
        "-q",
        "--filter",
        &format!("label=com.docker.compose.project={project}"),
    ]);
    for id in nets.split_whitespace() {
        let n: Value = serde_json::from_str(&e.docker_ok(&["network", "inspect", id])).unwrap();
        let n = &n[0];
        let mut ipam = n["IPAM"].clone();
        // A subnet the file does not set is picked by the engine from its free pools.
        if let Some(cfg) = ipam["Config"].as_array_mut() {
            for c in cfg {
                c.as_object_mut()
                    .unwrap()
                    .retain(|k, _| k != "Subnet" && k != "Gateway");
            }
        }
        networks.insert(
            n["Name"].as_str().unwrap().to_string(),
            json!({ "Driver": n["Driver"], "Options": n["Options"], "Internal": n["Internal"],
                    "Attachable": n["Attachable"], "Labels": n["Labels"], "IPAM": ipam,
                    "EnableIPv6": n["EnableIPv6"], "Scope": n["Scope"] }),
        );
    }
    let mut volumes = BTreeMap::new();
    let vols = e.docker_ok(&[
        "volume",
        "ls",
        "-q",
        "--filter",
        &format!("label=com.docker.compose.project={project}"),
    ]);
    for name in vols.split_whitespace() {
        let v: Value = serde_json::from_str(&e.docker_ok(&["volume", "inspect", name])).unwrap();
        let v = &v[0];
        volumes.insert(
            name.to_string(),
            json!({ "Driver": v["Driver"], "Labels": v["Labels"], "Options": v["Options"], "Scope": v["Scope"] }),
        );
    }
    json!({ "containers": containers, "networks": networks, "volumes": volumes })
}

fn sort(v: &mut Value) {
    if let Some(a) = v.as_array_mut() {
        a.sort_by_key(|x| x.to_string());
    }
}

/// The first path where two observations differ, for a readable failure.
fn first_difference(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| {
                first_difference(
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    &format!("{path}.{k}"),
                )
            })
        }
        (x, y) if x == y => None,
        (x, y) => Some(format!("{path}: docker compose {x} / estiba {y}")),
    }
}

fn down_all(e: &Engine, dir: &Path, project: &str) {
    e.docker_in(
        dir,
        &["compose", "-p", project, "down", "-v", "--remove-orphans"],
    );
}

/// Brings `dir`'s project up with docker compose, then with estiba, and compares.
fn same_as_compose(e: &Engine, dir: &Path, project: &str, extra: &[&str]) {
    let mut args = vec!["compose", "-p", project];
    args.extend_from_slice(extra);
    let mut up = args.clone();
    up.extend(["up", "-d"]);
    let o = e.docker_in(dir, &up);
    assert!(o.status.success(), "docker compose up: {}", text(&o));
    settle(e, project);
    let reference = observe(e, project);
    down_all(e, dir, project);
    let o = e.estiba_in(dir, &up);
    assert!(o.status.success(), "estiba compose up: {}", text(&o));
    settle(e, project);
    let ours = observe(e, project);
    if let Some(d) = first_difference(&reference, &ours, project) {
        panic!("{project}: estiba's project differs from docker compose's at {d}");
    }
    assert!(
        !reference["containers"].as_object().unwrap().is_empty(),
        "{project}: nothing came up"
    );
    down_all(e, dir, project);
}

/// Waits until no container of the project is still starting (so both runs are seen alike).
fn settle(e: &Engine, project: &str) {
    wait_for(
        &format!("{project} settled"),
        std::time::Duration::from_secs(60),
        || {
            let out = e.docker_ok(&[
                "ps",
                "-a",
                "--filter",
                &format!("label=com.docker.compose.project={project}"),
                "--format",
                "{{.Status}}",
            ]);
            (!out.contains("starting") && !out.contains("Created")).then_some(())
        },
    );
}

fn project_dir(files: &[(&str, &str)]) -> PathBuf {
    let dir = support::workdir("compose");
    write(&dir, files);
    dir
}

const BASIC: &str = "services:
  web:
    image: IMAGE
    command: sh -c \"httpd -f -p 8080\"
    environment:
      A: \"1\"
      B:
    ports:
      - \"127.0.0.1:PORT:8080\"
    volumes:
      - data:/data
      - ./site:/site:ro
    networks:
      front:
        aliases: [www]
      default:
    healthcheck:
      test: [\"CMD\", \"true\"]
      interval: 1s
    restart: unless-stopped
    labels:
      team: ops
    depends_on:
      db:
        condition: service_started
  db:
    image: IMAGE
    command: [\"sleep\", \"1000\"]
    deploy:
      replicas: 2
volumes:
  data:
networks:
  front:
";

const SETTINGS: &str = "services:
  a:
    image: IMAGE
    entrypoint: /bin/sh -c
    command: \"sleep 1000\"
    env_file: app.env
    environment:
      - X=${X_VALUE}
      - \"Y=a<b&c\"
    expose: [\"80\", 81]
    extra_hosts: [\"h1:10.0.0.1\"]
    hostname: hh
    user: \"1000:1000\"
    working_dir: /tmp
    init: true
    read_only: true
    tty: true
    stdin_open: true
    stop_grace_period: 1m30s
    stop_signal: SIGINT
    cap_add: [NET_ADMIN]
    cap_drop: [MKNOD]
    container_name: settings-custom-a
    ports:
      - 7000
      - target: 80
        published: \"PORT\"
        host_ip: 127.0.0.1
    volumes:
      - type: tmpfs
        target: /t
      - named:/n:nocopy
      - type: bind
        source: ./conf
        target: /conf
        read_only: true
    tmpfs: /run
    healthcheck:
      test: \"true\"
      interval: 1m
      timeout: 500ms
      retries: 3
      start_period: 90s
    logging:
      driver: json-file
      options: {max-size: 10m}
    deploy:
      resources:
        limits: {cpus: \"0.5\", memory: 64M}
    labels: [k=v]
    restart: on-failure:3
  b:
    image: IMAGE
    command: sleep 1000
    scale: 2
    healthcheck:
      disable: true
    networks: [n1, default]
  debug:
    image: IMAGE
    profiles: [dbg]
volumes:
  named:
    labels: {x: y}
networks:
  n1:
    internal: true
    labels: [a=b]
";

/// SEMANA-style project of the seeds (003): keycreator writes a key's hash to a shared volume
/// and ends; creator and verifier start once it completed, and serve on 8000 and 5000.
const SEED_003: &str = "services:
  keycreator:
    build:
      context: ./keycreator
      args:
        GREETING: hola
    environment:
      KEY: ${KEY:-secreto}
    volumes:
      - key:/key
  creator:
    image: IMAGE
    command: sh -c \"cat /key/hash && httpd -f -p 8000\"
    ports: [\"127.0.0.1:PORT:8000\"]
    volumes: [\"key:/key:ro\"]
    depends_on:
      keycreator:
        condition: service_completed_successfully
    healthcheck:
      test: [\"CMD-SHELL\", \"test -f /key/hash\"]
      interval: 1s
  verifier:
    image: IMAGE
    command: sh -c \"cat /key/hash && httpd -f -p 5000\"
    volumes: [\"key:/key:ro\"]
    depends_on:
      keycreator:
        condition: service_completed_successfully
      creator:
        condition: service_healthy
volumes:
  key:
";

/// The seeds' 002 (and 004's) project: a React frontend and a Django backend built from their
/// folders, a database with its data in a volume, each service's variables in its own .env file.
const SEED_002: &str = "services:
  frontend:
    build: ./frontend
    ports: [\"127.0.0.1:PORT:3000\"]
    depends_on: [backend]
  backend:
    build:
      context: ./backend
      dockerfile: Dockerfile
    env_file: backend/.env
    ports: [\"8000\"]
    depends_on:
      db:
        condition: service_started
  db:
    image: IMAGE
    command: sleep 100000
    env_file: [db/.env]
    volumes:
      - pgdata:/var/lib/postgresql/data
volumes:
  pgdata:
";

const KEYCREATOR: &str = "FROM IMAGE\nARG GREETING\nLABEL greeting=$GREETING\nCMD [\"sh\", \"-c\", \"echo -n $KEY | sha256sum > /key/hash\"]\n";

fn port() -> String {
    support::free_port().to_string()
}

fn fill(text: &str) -> String {
    text.replace("IMAGE", IMAGE).replace("PORT", &port())
}

#[test]
fn projects_come_up_as_docker_compose_brings_them_up() {
    let Some(e) = engine() else { return };
    let basic = project_dir(&[
        ("compose.yaml", &fill(BASIC)),
        ("site/index.html", "hola\n"),
    ]);
    same_as_compose(e, &basic, &unique("basic"), &[]);

    let settings = project_dir(&[
        ("compose.yaml", &fill(SETTINGS)),
        ("app.env", "E1=from-file\n# comment\nE2=\"q v\"\n"),
        (".env", "X_VALUE=from-dotenv\n"),
        ("conf/app.conf", "x=1\n"),
    ]);
    same_as_compose(e, &settings, &unique("settings"), &["--profile", "dbg"]);

    let django = project_dir(&[
        ("compose.yaml", &fill(SEED_002)),
        (
            "frontend/Dockerfile",
            &format!("FROM {IMAGE}\nEXPOSE 3000\nCMD [\"httpd\", \"-f\", \"-p\", \"3000\"]\n"),
        ),
        (
            "backend/Dockerfile",
            &format!(
                "FROM {IMAGE}\nENV PYTHONUNBUFFERED=1\nEXPOSE 8000\nCMD [\"httpd\", \"-f\", \"-p\", \"8000\"]\n"
            ),
        ),
        (
            "backend/.env",
            "DJANGO_DEBUG=1\nDATABASE_URL=postgres://loans:loans@db:5432/loans\n",
        ),
        ("db/.env", "POSTGRES_USER=loans\nPOSTGRES_PASSWORD=loans\n"),
    ]);
    let name = unique("desafio");
    same_as_compose(e, &django, &name, &[]);
    for s in ["frontend", "backend"] {
        e.docker(&["rmi", "-f", &format!("{name}-{s}")]);
    }

    let seed = project_dir(&[
        ("compose.yaml", &fill(SEED_003)),
        ("keycreator/Dockerfile", &KEYCREATOR.replace("IMAGE", IMAGE)),
    ]);
    let name = unique("practica");
    same_as_compose(e, &seed, &name, &[]);
    // The image docker compose built was reused above; estiba's own build of it carries the
    // same config and labels (the build args, compose's labels).
    let image = format!("{name}-keycreator");
    let config = |e: &Engine| -> Value {
        let v: Value = serde_json::from_str(&e.docker_ok(&["image", "inspect", &image])).unwrap();
        let mut c = v[0]["Config"].clone();
        // The classic builder's Config.Image is the ID of the step before: new on every build.
        c.as_object_mut().unwrap().remove("Image");
        c
    };
    let reference = config(e);
    e.docker_ok(&["rmi", "-f", &image]);
    ok(&e.estiba_in(&seed, &["compose", "-p", &name, "build"]));
    let ours = config(e);
    if let Some(d) = first_difference(&reference, &ours, &image) {
        panic!("the image estiba built differs from docker compose's at {d}");
    }
    e.docker(&["rmi", "-f", &image]);
}

#[test]
fn either_tool_takes_over_the_others_project() {
    let Some(e) = engine() else { return };
    let dir = project_dir(&[
        ("compose.yaml", &fill(BASIC)),
        ("site/index.html", "hola\n"),
    ]);
    let p = unique("takeover");
    let ids = |e: &Engine| {
        e.docker_ok(&[
            "ps",
            "-q",
            "--no-trunc",
            "--filter",
            &format!("label=com.docker.compose.project={p}"),
        ])
    };
    // estiba brings it up; docker compose finds it up to date and leaves every container.
    ok(&e.estiba_in(&dir, &["compose", "-p", &p, "up", "-d"]));
    let before = ids(e);
    assert_eq!(before.lines().count(), 3, "{before}");
    // On a swarm manager the project is listed beside the services, under its name.
    let listed = ok(&e.estiba_in(&dir, &["--output", "json", "services"]));
    let rows: Value = serde_json::from_str(&listed).unwrap();
    let mine: Vec<&Value> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["stack"] == json!(p))
        .collect();
    assert_eq!(mine.len(), 2, "web and db under {p}: {listed}");
    let o = e.docker_in(&dir, &["compose", "-p", &p, "up", "-d"]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        ids(e),
        before,
        "docker compose recreated estiba's containers: {}",
        text(&o)
    );
    let ps = text(&e.docker_in(&dir, &["compose", "-p", &p, "ps"]));
    for c in [
        format!("{p}-web-1"),
        format!("{p}-db-1"),
        format!("{p}-db-2"),
    ] {
        assert!(ps.contains(&c), "{ps}");
    }
    // estiba again: nothing to do.
    let out = ok(&e.estiba_in(&dir, &["compose", "-p", &p, "up", "-d"]));
    assert!(out.contains("up to date"), "{out}");
    assert_eq!(ids(e), before);
    // A changed service is recreated; the others keep running.
    let changed = fill(BASIC).replace("A: \"1\"", "A: \"2\"");
    write(&dir, &[("compose.yaml", &changed)]);
    ok(&e.estiba_in(&dir, &["compose", "-p", &p, "up", "-d"]));
    let after = ids(e);
    let db: Vec<&str> = before.lines().filter(|id| after.contains(*id)).collect();
    assert_eq!(db.len(), 2, "the db containers should be left running");
    let web = e.docker_ok(&["inspect", "-f", "{{.Id}}", &format!("{p}-web-1")]);
    assert!(!before.contains(web.trim()), "web was not recreated");
    // docker compose takes it down.
    let o = e.docker_in(&dir, &["compose", "-p", &p, "down", "-v"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(ids(e).trim().is_empty());

    // The other way: docker compose up, estiba finds it up to date, estiba ps/logs/down.
    let o = e.docker_in(&dir, &["compose", "-p", &p, "up", "-d"]);
    assert!(o.status.success(), "{}", text(&o));
    let before = ids(e);
    let out = ok(&e.estiba_in(&dir, &["compose", "-p", &p, "up", "-d"]));
    assert!(out.contains("up to date"), "{out}");
    assert_eq!(ids(e), before);
    let ps = ok(&e.estiba_in(&dir, &["compose", "-p", &p, "ps"]));
    assert!(
        ps.contains(&format!("{p}-web-1")) && ps.contains("db"),
        "{ps}"
    );
    let json = ok(&e.estiba_in(&dir, &["--output", "json", "compose", "-p", &p, "ps"]));
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        v["detail"]["table"]["rows"].as_array().unwrap().len(),
        3,
        "{json}"
    );
    ok(&e.estiba_in(&dir, &["compose", "-p", &p, "stop", "db"]));
    assert_eq!(ids(e).lines().count(), 1, "stop db left web only");
    ok(&e.estiba_in(&dir, &["compose", "-p", &p, "start"]));
    assert_eq!(ids(e).lines().count(), 3);
    let logs = ok(&e.estiba_in(&dir, &["compose", "-p", &p, "logs", "web"]));
    assert!(logs.contains("logs of 1"), "{logs}");
    // `down` with no file at all, by the project's name.
    let elsewhere = support::workdir("nofile");
    ok(&e.estiba_in(&elsewhere, &["--yes", "compose", "-p", &p, "down", "-v"]));
    assert!(ids(e).trim().is_empty());
    let nets = e.docker_ok(&[
        "network",
        "ls",
        "-q",
        "--filter",
        &format!("label=com.docker.compose.project={p}"),
    ]);
    assert!(nets.trim().is_empty(), "networks left: {nets}");
    let vols = e.docker_ok(&[
        "volume",
        "ls",
        "-q",
        "--filter",
        &format!("label=com.docker.compose.project={p}"),
    ]);
    assert!(vols.trim().is_empty(), "volumes left: {vols}");
}

#[test]
fn bad_projects_change_nothing_and_say_where() {
    let Some(e) = engine() else { return };
    let cases = [
        (
            "services:\n  web:\n    image: x\n    ports: [\"80\"]\n    restrat: always\n",
            "compose.yaml:5",
            "restrat",
        ),
        (
            "services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on: [a]\n",
            "compose.yaml:4",
            "a → b → a",
        ),
        (
            "services:\n  a:\n    image: x\n    volumes: [\"data:/d\"]\n",
            "compose.yaml:4",
            "data",
        ),
    ];
    for (file, at, words) in cases {
        let dir = project_dir(&[("compose.yaml", file)]);
        let p = unique("bad");
        let o = e.estiba_in(&dir, &["compose", "-p", &p, "up", "-d"]);
        assert!(!o.status.success());
        let t = text(&o);
        assert!(t.contains(at) && t.contains(words), "{t}");
        let left = e.docker_ok(&[
            "network",
            "ls",
            "-q",
            "--filter",
            &format!("label=com.docker.compose.project={p}"),
        ]);
        assert!(left.trim().is_empty(), "{t}");
    }
    // In Spanish too.
    let dir = project_dir(&[(
        "compose.yaml",
        "services:\n  a:\n    build: {}\n    links: [b]\n",
    )]);
    let o = e.estiba_in(&dir, &["--lang", "es", "compose", "up", "-d"]);
    assert!(text(&o).contains("aún no admite \"links\""), "{}", text(&o));
}

#[test]
fn a_port_already_taken_leaves_nothing_half_made() {
    let Some(e) = engine() else { return };
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let file = format!(
        "services:\n  a:\n    image: {IMAGE}\n    command: sleep 1000\n  b:\n    image: {IMAGE}\n    command: sleep 1000\n    ports: [\"127.0.0.1:{port}:80\"]\n    depends_on: [a]\n"
    );
    let dir = project_dir(&[("compose.yaml", &file)]);
    let p = unique("taken");
    let o = e.estiba_in(&dir, &["compose", "-p", &p, "up", "-d"]);
    assert!(!o.status.success());
    let t = text(&o);
    assert!(t.contains(&port), "{t}");
    let left = e.docker_ok(&[
        "ps",
        "-aq",
        "--filter",
        &format!("label=com.docker.compose.project={p}"),
    ]);
    assert!(left.trim().is_empty(), "containers left: {left} ({t})");
    let nets = e.docker_ok(&[
        "network",
        "ls",
        "-q",
        "--filter",
        &format!("label=com.docker.compose.project={p}"),
    ]);
    assert!(nets.trim().is_empty(), "networks left: {nets}");
    drop(taken);
}

/// The compose step of practica-k8s (lab 003), walked on a plain engine of its own (a project
/// of another test would otherwise count): not done before `up`, done once the three services
/// ran (keycreator to its end) and creator's health check passed.
#[test]
fn the_practica_compose_step_checks_itself() {
    let Some(e) = Engine::private(false) else {
        return;
    };
    let root = support::workdir("lab-compose");
    ok(&e.estiba_in(&root, &["lab", "init", "practica-k8s", "practica"]));
    let lab = root.join("practica");
    let step = |e: &Engine| -> Value {
        let o = e.estiba_in(&lab, &["lab", "check", "--output", "json"]);
        let v: Value =
            serde_json::from_slice(&o.stdout).unwrap_or_else(|err| panic!("{err}: {}", text(&o)));
        v["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == "2-compose")
            .cloned()
            .unwrap()
    };
    let s = step(&e);
    assert_eq!(s["status"], "not_yet", "{s}");
    assert!(
        s["reasons"][0]
            .as_str()
            .unwrap()
            .contains("no compose project"),
        "{s}"
    );
    write(
        &lab,
        &[
            ("compose.yaml", &fill(SEED_003)),
            ("keycreator/Dockerfile", &KEYCREATOR.replace("IMAGE", IMAGE)),
        ],
    );
    ok(&e.estiba_in(&lab, &["compose", "up", "-d"]));
    // Done once creator's health check has passed.
    let s = support::wait_for("step 2 done", std::time::Duration::from_secs(30), || {
        let s = step(&e);
        (s["status"] == "done").then_some(s)
    });
    assert_eq!(s["status"], "done", "{s}");
    // A service stopped by hand: the step names it (a pass already recorded stays).
    ok(&e.estiba_in(&lab, &["compose", "stop", "verifier"]));
    let s = step(&e);
    assert_eq!(s["no_longer_shown"], true, "{s}");
    let why = s["reasons"][0].as_str().unwrap();
    assert!(
        why.starts_with("service verifier of project practica is not running"),
        "{s}"
    );
    e.stop();
}

/// What is on a private engine, by name: containers with their state, networks, volumes, and
/// how many dangling images.
fn inventory(e: &Engine) -> Value {
    let lines = |args: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = e.docker_ok(args).lines().map(String::from).collect();
        v.sort();
        v
    };
    json!({
        "containers": lines(&["ps", "-a", "--format", "{{.Names}} {{.State}}"]),
        "networks": lines(&["network", "ls", "--format", "{{.Name}}"]),
        "volumes": lines(&["volume", "ls", "--format", "{{.Name}}"]),
        "dangling": lines(&["images", "-q", "--filter", "dangling=true"]).len(),
    })
}

/// A running container on a network of its own with a volume, a stopped one, a network and a
/// volume nothing uses, and a dangling image (a tag built twice).
fn clutter(e: &Engine, ctx: &Path) {
    e.docker_ok(&["network", "create", "used-net"]);
    e.docker_ok(&["network", "create", "unused-net"]);
    e.docker_ok(&["volume", "create", "unused-vol"]);
    e.docker_ok(&[
        "run",
        "-d",
        "--name",
        "keep",
        "--network",
        "used-net",
        "-v",
        "used-vol:/data",
        IMAGE,
        "sleep",
        "1000",
    ]);
    e.docker_ok(&["run", "--name", "gone", IMAGE, "true"]);
    for n in ["1", "2"] {
        write(
            ctx,
            &[("Dockerfile", &format!("FROM {IMAGE}\nLABEL n={n}\n"))],
        );
        e.docker_ok(&[
            "build",
            "-q",
            "-t",
            "clutter:latest",
            &ctx.display().to_string(),
        ]);
    }
}

#[test]
fn prune_previews_then_removes_what_docker_system_prune_removes() {
    let Some(e) = Engine::private(false) else {
        return;
    };
    let ctx = support::workdir("clutter");
    let empty = support::workdir("prune");
    // The reference: docker system prune --volumes, on the clutter.
    clutter(&e, &ctx);
    e.docker_ok(&["system", "prune", "--volumes", "-f"]);
    let reference = inventory(&e);
    e.docker_ok(&["rm", "-f", "keep"]);
    e.docker_ok(&["network", "rm", "used-net"]);
    e.docker_ok(&["volume", "rm", "used-vol"]);
    e.docker(&["rmi", "clutter:latest"]);

    clutter(&e, &ctx);
    let before = inventory(&e);
    let preview = ok(&e.estiba_in(&empty, &["--output", "json", "prune"]));
    let v: Value = serde_json::from_str(&preview).unwrap();
    let mut listed: Vec<(String, String)> = v["detail"]["table"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r[0].as_str().unwrap().to_string(),
                r[1].as_str().unwrap().to_string(),
            )
        })
        .collect();
    listed.sort();
    let kinds: Vec<&str> = listed.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        kinds,
        ["container", "image (dangling)", "network", "volume"],
        "{preview}"
    );
    let names: Vec<&str> = listed.iter().map(|(_, n)| n.as_str()).collect();
    for name in ["gone", "unused-net", "unused-vol"] {
        assert!(
            names.contains(&name),
            "{name} missing from the preview:\n{preview}"
        );
    }
    assert_eq!(inventory(&e), before, "the preview changed something");
    // Not asked (no terminal, no --yes): nothing goes.
    let o = e.estiba_in(&empty, &["prune", "--apply"]);
    assert!(!o.status.success());
    assert_eq!(inventory(&e), before);
    let done = ok(&e.estiba_in(&empty, &["--yes", "prune", "--apply"]));
    assert!(done.contains("Pruned 4 objects"), "{done}");
    assert_eq!(
        inventory(&e),
        reference,
        "estiba prune left the engine otherwise than docker system prune"
    );

    // One container at a time.
    let state = |e: &Engine| {
        e.docker_ok(&["inspect", "-f", "{{.State.Status}}", "keep"])
            .trim()
            .to_string()
    };
    ok(&e.estiba_in(&empty, &["container", "stop", "keep"]));
    assert_eq!(state(&e), "exited");
    ok(&e.estiba_in(&empty, &["container", "start", "keep"]));
    assert_eq!(state(&e), "running");
    ok(&e.estiba_in(&empty, &["container", "restart", "keep"]));
    assert_eq!(state(&e), "running");
    assert!(
        !e.estiba_in(&empty, &["container", "kill", "keep"])
            .status
            .success(),
        "kill asks first"
    );
    ok(&e.estiba_in(&empty, &["--yes", "container", "kill", "keep"]));
    assert_eq!(state(&e), "exited");
    let o = e.estiba_in(&empty, &["container", "stop", "nosuch"]);
    assert!(text(&o).contains("nosuch"), "{}", text(&o));
    ok(&e.estiba_in(&empty, &["--yes", "container", "rm", "keep"]));
    assert!(!e.docker(&["inspect", "keep"]).status.success());
    e.stop();
}

/// In the console, as a person: a compose project's service shows its project's commands
/// (`D` down, `u` up again with its files), a plain container its own (`T` stop, `x` remove,
/// which asks first); each is written in the palette to read before Enter runs it.
#[test]
fn the_console_acts_on_compose_projects_and_plain_containers() {
    let Some(e) = Engine::private(false) else {
        return;
    };
    let dir = project_dir(&[
        ("compose.yaml", &fill(BASIC)),
        ("site/index.html", "hola\n"),
    ]);
    let p = "tmuxproj";
    ok(&e.estiba_in(&dir, &["compose", "-p", p, "up", "-d"]));
    let t = support::tmux::Tmux::in_dir(120, 40, &dir, "C.UTF-8", &format!("--host {}", e.host));
    t.wait_for("web", 20);
    t.keys(&["2"]);
    // The services are db then web: on db, `D` writes the project's down.
    t.keys(&["D"]);
    t.wait_for(&format!("compose -p {p} down"), 5);
    t.keys(&["Escape"]);
    t.keys(&["u"]);
    let files = dir.join("compose.yaml").display().to_string();
    t.wait_for(&format!("compose -f {files} -p {p} up -d"), 5);
    t.keys(&["Enter"]);
    t.wait_for("up to date", 20);
    // The tasks pane holds db's containers: `T` stops one.
    t.keys(&["3"]);
    t.keys(&["T"]);
    t.wait_for(&format!("container stop {p}-db-1"), 5);
    t.keys(&["Enter"]);
    support::wait_for("db-1 stopped", std::time::Duration::from_secs(20), || {
        let s = e.docker_ok(&["inspect", "-f", "{{.State.Status}}", &format!("{p}-db-1")]);
        (s.trim() == "exited").then_some(())
    });
    t.keys(&["x"]);
    t.wait_for(&format!("container rm {p}-db-1"), 5);
    t.keys(&["Enter"]);
    t.wait_for("Remove this container", 5);
    t.keys(&["y"]);
    support::wait_for("db-1 removed", std::time::Duration::from_secs(20), || {
        (!e.docker(&["inspect", &format!("{p}-db-1")])
            .status
            .success())
        .then_some(())
    });
    t.keys(&["q"]);
    e.stop();
}

/// The demo runs compose projects too, so a class without an engine watches step 2 of
/// practica-k8s happen: the student's files are read as on an engine, the `build:` sections built
/// by the demo's builder, the three services appear under their project, and the step turns done.
#[test]
fn the_demo_runs_the_practica_compose_project() {
    let root = support::workdir("democompose");
    ok(&support::estiba_in(
        &root,
        &["lab", "init", "practica-k8s", "practica"],
    ));
    let lab = root.join("practica");
    let file = "services:\n  keycreator:\n    build: ./keycreator\n    volumes: [\"key:/key\"]\n  creator:\n    build: ./creator\n    ports: [\"8000:8000\"]\n    volumes: [\"key:/key:ro\"]\n    depends_on:\n      keycreator:\n        condition: service_completed_successfully\n  verifier:\n    build: ./verifier\n    ports: [\"5000:5000\"]\n    volumes: [\"key:/key:ro\"]\n    depends_on: [keycreator]\nvolumes:\n  key:\n";
    write(
        &lab,
        &[
            ("compose.yaml", file),
            (
                "keycreator/Dockerfile",
                "FROM alpine:3.20\nCOPY . /app\nCMD [\"/app/keycreator\"]\n",
            ),
            (
                "creator/Dockerfile",
                "FROM golang:1.22 AS build\nRUN go build -o /creator\nFROM alpine:3.20\nCOPY --from=build /creator /creator\nEXPOSE 8000\nCMD [\"/creator\"]\n",
            ),
            (
                "verifier/Dockerfile",
                "FROM python:3.12-slim\nRUN pip install flask\nEXPOSE 5000\nCMD [\"python\", \"app.py\"]\n",
            ),
        ],
    );
    let t = support::tmux::Tmux::in_dir(150, 45, &lab, "C.UTF-8", "--demo --lab practica-k8s");
    t.wait_for("2-compose", 20);
    t.keys(&[":"]);
    t.text("compose up -d");
    t.wait_for(":compose up -d", 10);
    t.keys(&["Enter"]);
    t.wait_for("Project practica is up", 60);
    let s = t.wait_for("project practica", 10);
    assert!(s.contains("keycreator"), "{s}");
    t.wait_for("✓   2-compose", 30);
    t.keys(&["q"]);
}

/// `compose up` without `-d` stays in front as docker compose does: the services' logs, each line
/// after its container's name, until Ctrl-C, which stops the project's containers.
#[test]
fn up_without_detach_follows_the_logs_and_ctrl_c_stops_the_project() {
    let Some(e) = engine() else { return };
    let file = format!(
        "services:\n  talk:\n    image: {IMAGE}\n    command: sh -c 'while true; do echo hola-desde-talk; sleep 0.3; done'\n"
    );
    let dir = project_dir(&[("compose.yaml", &file)]);
    let p = unique("front");
    let out = dir.join("out.txt");
    let mut child = std::process::Command::new(Engine::estiba())
        .args(["--host", &e.host, "compose", "-p", &p, "up"])
        .current_dir(&dir)
        .env("ESTIBA_DATA_DIR", e.path("estiba-data"))
        .env("LANG", "C")
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let name = format!("{p}-talk-1");
    support::wait_for(
        "the logs in front",
        std::time::Duration::from_secs(30),
        || {
            let t = std::fs::read_to_string(&out).unwrap_or_default();
            t.contains(&format!("{name} | hola-desde-talk"))
                .then_some(())
        },
    );
    let _ = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let status = support::wait_for("estiba to end", std::time::Duration::from_secs(30), || {
        child.try_wait().unwrap()
    });
    assert!(status.success(), "{status:?}");
    let t = std::fs::read_to_string(&out).unwrap();
    assert!(t.contains("Stopped following the logs"), "{t}");
    let state = e.docker_ok(&["inspect", "-f", "{{.State.Status}}", &name]);
    assert_eq!(state.trim(), "exited", "{t}");
    down_all(e, &dir, &p);
}

/// `restart SERVICE` restarts with it the services that depend on it with `restart: true`, and
/// no other, as docker compose does.
#[test]
fn restart_takes_the_dependants_that_ask_for_it() {
    let Some(e) = engine() else { return };
    let file = format!(
        "services:\n  a:\n    image: {IMAGE}\n    command: sleep 1000\n  b:\n    image: {IMAGE}\n    command: sleep 1000\n    depends_on:\n      a:\n        condition: service_started\n        restart: true\n  c:\n    image: {IMAGE}\n    command: sleep 1000\n    depends_on: [a]\n"
    );
    let dir = project_dir(&[("compose.yaml", &file)]);
    let p = unique("restart");
    let started = |s: &str| {
        e.docker_ok(&[
            "inspect",
            "-f",
            "{{.State.StartedAt}}",
            &format!("{p}-{s}-1"),
        ])
    };
    let restarted = |run: &dyn Fn()| -> Vec<bool> {
        let before: Vec<String> = ["a", "b", "c"].iter().map(|s| started(s)).collect();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        run();
        ["a", "b", "c"]
            .iter()
            .zip(before)
            .map(|(s, b)| started(s) != b)
            .collect()
    };
    ok(&e.estiba_in(&dir, &["compose", "-p", &p, "up", "-d"]));
    let theirs = restarted(&|| {
        let o = e.docker_in(&dir, &["compose", "-p", &p, "restart", "a"]);
        assert!(o.status.success(), "{}", text(&o));
    });
    let ours = restarted(&|| {
        ok(&e.estiba_in(&dir, &["compose", "-p", &p, "restart", "a"]));
    });
    assert_eq!(theirs, vec![true, true, false]);
    assert_eq!(ours, theirs);
    down_all(e, &dir, &p);
}
