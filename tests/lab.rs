//! The lab coach against real parts: the semana-3 lab walked with estiba's own commands on a
//! private engine (its registry, its swarm made by `estiba swarm init`), semana-4's labels and
//! placement on a three-node swarm, the whole semana-3 lab in the demo cluster in tmux, and the
//! hand-in rendered by Debian's headless Chromium.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly

mod support;

use serde_json::Value as J;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;
use support::tmux::Tmux;
use support::*;

/// One image for every service of the labs: busybox that sleeps, with a `redis-server` that
/// sleeps too (the semana-3 stack overrides redis' command). It stands in for the bases the
/// students' Dockerfiles start from too (nothing can be pulled here): `pip` and `npm` install
/// nothing (but make the folders `--prefix=` and `npm run build` leave), `go build -o OUT`
/// leaves a program that sleeps, `pg_isready` answers yes, `tini` runs what follows `--`, and
/// `gunicorn` and `node` sleep like the rest.
fn lab_images(e: &Engine, names: &[String]) {
    let ctx = e.root.join("lab-image");
    std::fs::create_dir_all(ctx.join("bin")).unwrap();
    let scripts = [
        ("redis-server", "exec sleep 1000000"),
        ("gunicorn", "exec sleep 1000000"),
        ("node", "exec sleep 1000000"),
        (
            "pip",
            "for a in \"$@\"; do case \"$a\" in --prefix=*) mkdir -p \"${a#--prefix=}\";; esac; done",
        ),
        (
            "npm",
            "if [ \"$1 $2\" = \"run build\" ]; then mkdir -p build; fi",
        ),
        (
            "go",
            "[ \"$1\" = build ] || exit 0\nwhile [ $# -gt 0 ]; do [ \"$1\" = -o ] && out=$2; shift; done\n\
             mkdir -p \"$(dirname \"$out\")\"\nprintf '#!/bin/sh\\nexec sleep 1000000\\n' > \"$out\"\nchmod 755 \"$out\"",
        ),
        ("pg_isready", "exit 0"),
        ("tini", "[ \"$1\" = -- ] && shift\nexec \"$@\""),
    ];
    for (name, body) in scripts {
        let f = ctx.join("bin").join(name);
        std::fs::write(&f, format!("#!/bin/sh\n{body}\n")).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::write(
        ctx.join("Dockerfile"),
        format!("FROM {IMAGE}\nCOPY bin/ /bin/\nCMD [\"sleep\", \"1000000\"]\n"),
    )
    .unwrap();
    e.docker_ok(&[
        "build",
        "-q",
        "-t",
        "estiba-lab/app:1",
        &ctx.display().to_string(),
    ]);
    let bases = [
        "python:3.12-slim",
        "node:20-alpine",
        "nginx:1.25-alpine",
        "golang:1.22-alpine",
        "alpine:3.20",
        "postgres:16-alpine",
    ];
    for n in names.iter().map(String::as_str).chain(bases) {
        e.docker_ok(&["tag", "estiba-lab/app:1", n]);
    }
}

/// Writes `files` (path, text) under `dir`.
fn write_all(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

/// SEMANA 3 step 2 as a student answers it: three Dockerfiles, each service's folder its
/// build context.
fn semana_3_dockerfiles(d: &Path) {
    write_all(
        d,
        &[
            (
                "frontend/Dockerfile",
                "FROM node:20-alpine AS deps\nWORKDIR /app\nCOPY package.json .\nRUN npm ci\n\n\
                 FROM deps AS build\nCOPY . .\nRUN npm run build\n\n\
                 FROM nginx:1.25-alpine\nLABEL company=\"GopenuxLab\" developer=\"Ana Pérez\"\n\
                 COPY --from=build /app/src /usr/share/nginx/html\nEXPOSE 80 443\n",
            ),
            ("frontend/package.json", "{\"name\": \"frontend\"}\n"),
            ("frontend/src/index.html", "<h1>gopenux</h1>\n"),
            (
                "backend/Dockerfile",
                "FROM python:3.12-slim\nLABEL company=GopenuxLab developer=\"Ana Pérez\"\n\
                 WORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n\
                 COPY . .\nEXPOSE 5000\nCMD [\"gunicorn\", \"-b\", \"0.0.0.0:5000\", \"app:app\"]\n",
            ),
            ("backend/requirements.txt", "flask\ngunicorn\n"),
            ("backend/app.py", "app = None\n"),
            (
                "image-microservice/Dockerfile",
                "FROM node:20-alpine AS deps\nWORKDIR /app\nCOPY package.json .\nRUN npm ci --omit=dev\n\n\
                 FROM node:20-alpine\nLABEL company=GopenuxLab developer=\"Ana Pérez\"\n\
                 WORKDIR /app\nCOPY --from=deps /app .\nCOPY . .\nEXPOSE 3000\nCMD [\"node\", \"index.js\"]\n",
            ),
            (
                "image-microservice/package.json",
                "{\"name\": \"images\"}\n",
            ),
            ("image-microservice/index.js", "console.log('up')\n"),
        ],
    );
}

/// The folders of SEMANA 3 step 2 and the images built from them.
const SEMANA_3_BUILDS: [(&str, &str); 3] = [
    ("frontend", "frontend-semana-3"),
    ("backend", "api-semana-3"),
    ("image-microservice", "image-microservice-semana3"),
];

/// estiba run in the lab's folder against the engine, as the student runs it there.
fn run(e: &Engine, dir: &Path, args: &[&str], registry: &str) -> Output {
    Command::new(Engine::estiba())
        .args(["--host", &e.host])
        .args(args)
        .current_dir(dir)
        .env("ESTIBA_DATA_DIR", e.root.join("lab-data"))
        .env("ESTIBA_CONFIG_DIR", e.root.join("lab-config"))
        .env("DOCKER_CONFIG", e.root.join("docker-config"))
        .env("REGISTRY", registry)
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .stdin(Stdio::null())
        .output()
        .expect("estiba runs")
}

/// `lab check --output json`: whether it exited 0, and each step by name.
fn check(e: &Engine, dir: &Path, registry: &str) -> (bool, std::collections::BTreeMap<String, J>) {
    let o = run(e, dir, &["lab", "check", "--output", "json"], registry);
    let v: J = serde_json::from_slice(&o.stdout).unwrap_or_else(|err| {
        panic!(
            "lab check JSON: {err}\n{}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    });
    assert_eq!(v["done"].as_bool(), Some(o.status.success()), "{v:#}");
    let steps = v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap().to_string(), s.clone()))
        .collect();
    (o.status.success(), steps)
}

/// The steps done, in the lab's order.
fn done(steps: &std::collections::BTreeMap<String, J>) -> Vec<String> {
    steps
        .iter()
        .filter(|(_, s)| s["status"] == "done")
        .map(|(n, _)| n.clone())
        .collect()
}

fn reasons(steps: &std::collections::BTreeMap<String, J>, step: &str) -> String {
    steps[step]["reasons"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(J::as_str)
                .collect::<Vec<_>>()
                .join("; ")
        })
        .unwrap_or_default()
}

#[test]
fn semana_3_walked_with_estibas_commands_passes_each_step_at_its_moment_and_never_before() {
    let mut ports = default_swarm_ports();
    let Some(e) = Engine::private(false) else {
        return;
    };
    ports.leave_on(&e.host);
    require(&["tmux"]);
    let reg = e.registry.clone();
    let images: Vec<String> = [
        "api-semana-3",
        "frontend-semana-3",
        "image-microservice-semana3",
    ]
    .iter()
    .map(|n| format!("{reg}/{n}:latest"))
    .chain(["mongo:7.0".to_string(), "redis:7.2-alpine".to_string()])
    .collect();
    lab_images(&e, &images);
    let work = workdir("lab3");
    ok(&run(&e, &work, &["lab", "init", "semana-3", "lab"], &reg));
    let d = work.join("lab");
    // The console is open beside the student's terminal, in the lab's folder.
    let console = Tmux::start(
        150,
        45,
        &[
            ("LANG", "C.UTF-8"),
            ("ESTIBA_DATA_DIR", &e.path("lab-data")),
            ("ESTIBA_CONFIG_DIR", &e.path("lab-config")),
            ("DOCKER_CONFIG", &e.path("docker-config")),
            ("TERM", "xterm-256color"),
        ],
        &format!(
            "cd {} && {} --host {} --lab semana-3",
            d.display(),
            Engine::estiba(),
            e.host
        ),
    );
    console.wait_for("1-certificados", 20);
    let evidence = d.join("evidencias");
    let mut expected: Vec<&str> = vec![];
    // The console, open beside, must notice each step by itself: what the cluster shows (a
    // swarm, a stack, a scale), the lab's files (certificates, the stack file) and a push.
    let mut step = |name: &'static str,
                    before: &dyn Fn(&std::collections::BTreeMap<String, J>),
                    act: &dyn Fn()| {
        let (all, steps) = check(&e, &d, &reg);
        assert!(!all, "lab check exits non-zero before {name}");
        assert_eq!(done(&steps), expected, "before {name}");
        before(&steps);
        let picture = evidence.join(format!("{name}.png"));
        let students_own = picture.is_file();
        act();
        expected.push(name);
        expected.sort();
        let (_, steps) = check(&e, &d, &reg);
        assert_eq!(done(&steps), expected, "after {name}");
        assert!(
            steps[name]["passed_at"].as_i64().is_some(),
            "{name} passed_at"
        );
        // The console sees it too and saves its picture.
        if students_own {
            // The student's own picture: the console keeps it, and says the step is done.
            console.wait_for(&format!("step {name} done"), 30);
        }
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while !picture.is_file() {
            assert!(
                std::time::Instant::now() < deadline,
                "the console saved no {name}.png in 60 s; it shows:\n{}",
                console.screen()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    step(
        "1-certificados",
        &|s| assert!(reasons(s, "1-certificados").contains("certs/fullchain.pem")),
        &|| {
            ok(&run(&e, &d, &["certs"], &reg));
        },
    );
    let first_picture = std::fs::read(evidence.join("1-certificados.png")).unwrap();
    step(
        "2-dockerfiles",
        &|s| {
            let why = reasons(s, "2-dockerfiles");
            assert!(
                why.contains("frontend/Dockerfile does not exist yet"),
                "{why}"
            );
        },
        &|| {
            semana_3_dockerfiles(&d);
            // Written, but the images on the engine were not built from them: not yet.
            let (_, s) = check(&e, &d, &reg);
            assert_eq!(s["2-dockerfiles"]["status"], "not_yet");
            let why = reasons(&s, "2-dockerfiles");
            assert!(
                why.contains("was not built from frontend/Dockerfile") && !why.contains("stages"),
                "{why}"
            );
            for (dir, name) in SEMANA_3_BUILDS {
                ok(&run(
                    &e,
                    &d,
                    &["build", dir, "-t", &format!("{reg}/{name}:latest")],
                    &reg,
                ));
            }
        },
    );
    step(
        "3-subir-imagenes",
        &|s| {
            let why = reasons(s, "3-subir-imagenes");
            assert!(
                why.contains("api-semana-3:latest") && why.contains(&reg),
                "{why}"
            );
        },
        &|| {
            for i in &images[..3] {
                ok(&run(&e, &d, &["push", i], &reg));
            }
        },
    );
    // Step 4: the skeleton lab init handed out says what is missing; the reference solution
    // (lab solve) passes.
    step(
        "4-stack",
        &|s| {
            let why = reasons(s, "4-stack");
            assert!(
                why.contains("stack.yml: there is no service backend"),
                "{why}"
            );
        },
        &|| {
            ok(&run(&e, &d, &["lab", "solve", "4-stack"], &reg));
        },
    );
    // The student saved this step's picture before it passed: it is kept, not replaced.
    std::fs::write(evidence.join("5-swarm-manager.png"), b"mine").unwrap();
    let advertise = e.advertise.clone();
    step(
        "5-swarm-manager",
        &|s| {
            let why = reasons(s, "5-swarm-manager");
            assert!(why.contains("not part of a swarm"), "{why}");
        },
        &|| {
            ok(&run(
                &e,
                &d,
                &["swarm", "init", "--advertise-addr", &advertise],
                &reg,
            ));
        },
    );
    step(
        "6-desplegar-stack",
        &|s| assert!(reasons(s, "6-desplegar-stack").contains("no stack gopenux")),
        &|| {
            ok(&run(&e, &d, &["deploy", "stack.yml", "gopenux"], &reg));
        },
    );
    step(
        "7-escalar-backend",
        &|s| {
            assert_eq!(
                reasons(s, "7-escalar-backend"),
                "gopenux_backend runs 3 replicas; the step asks for more than stack.yml's 3"
            );
        },
        &|| {
            ok(&run(&e, &d, &["scale", "gopenux_backend", "5"], &reg));
            e.wait_converged("gopenux_backend");
        },
    );
    let front = format!("{reg}/frontend-semana-3");
    step("8-frontend-test-yaml", &|_| {}, &|| {
        ok(&run(
            &e,
            &d,
            &["tag", &format!("{front}:latest"), &format!("{front}:test")],
            &reg,
        ));
        // Tagged, but the file still says latest: not yet.
        let (_, s) = check(&e, &d, &reg);
        assert_eq!(s["8-frontend-test-yaml"]["status"], "not_yet");
        assert!(
            reasons(&s, "8-frontend-test-yaml")
                .contains("stack.yml gives gopenux_frontend the tag latest")
        );
        let file = d.join("stack.yml");
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::write(
            &file,
            text.replace("frontend-semana-3:latest", "frontend-semana-3:test"),
        )
        .unwrap();
        ok(&run(&e, &d, &["deploy", "stack.yml", "gopenux"], &reg));
    });
    // The redeploy put the backend back to the file's 3: step 7 stays passed, and says so.
    let (_, s) = check(&e, &d, &reg);
    assert_eq!(s["7-escalar-backend"]["status"], "done");
    assert_eq!(s["7-escalar-backend"]["no_longer_shown"], true);
    let api = format!("{reg}/api-semana-3");
    step(
        "9-backend-test-cli",
        &|s| assert!(reasons(s, "9-backend-test-cli").contains("no image api-semana-3:test")),
        &|| {
            ok(&run(
                &e,
                &d,
                &["tag", &format!("{api}:latest"), &format!("{api}:test")],
                &reg,
            ));
            ok(&run(
                &e,
                &d,
                &["image", "gopenux_backend", &format!("{api}:test")],
                &reg,
            ));
        },
    );
    let (all, s) = check(&e, &d, &reg);
    assert!(all, "lab check exits 0 at the end");
    assert_eq!(s["4-stack"]["status"], "done");
    // The table a person reads says the same, and where it was checked.
    let table = ok(&run(&e, &d, &["lab", "check"], &reg));
    assert!(table.contains("9 of 9 checkable steps done"), "{table}");
    let engine_id = e.docker_ok(&["info", "--format", "{{.ID}}"]);
    let engine_id = engine_id.trim();
    assert!(table.contains(engine_id), "{engine_id}: {table}");
    // Passes were recorded in order, sealed, beside lab.yaml; each names what it saw.
    let at = |n: &str| s[n]["passed_at"].as_i64().unwrap();
    let seen = s["6-desplegar-stack"]["observed"].to_string();
    let backend_id = e.docker_ok(&[
        "service",
        "inspect",
        "--format",
        "{{.ID}}",
        "gopenux_backend",
    ]);
    assert!(seen.contains(&backend_id.trim()[..12]), "{seen}");
    let order = [
        "1-certificados",
        "2-dockerfiles",
        "3-subir-imagenes",
        "4-stack",
        "5-swarm-manager",
        "6-desplegar-stack",
        "7-escalar-backend",
        "8-frontend-test-yaml",
        "9-backend-test-cli",
    ];
    for w in order.windows(2) {
        assert!(at(w[0]) <= at(w[1]), "{} passed before {}", w[0], w[1]);
    }
    // One picture per step, none overwritten.
    for n in order {
        assert!(evidence.join(format!("{n}.png")).is_file(), "{n}.png");
    }
    assert_eq!(
        std::fs::read(evidence.join("5-swarm-manager.png")).unwrap(),
        b"mine"
    );
    assert_eq!(
        std::fs::read(evidence.join("1-certificados.png")).unwrap(),
        first_picture
    );
    let screen = console.wait_for("✓ ▶", 10);
    assert!(!screen.contains('✗'), "{screen}");

    // The hand-in, read by a real browser.
    let o = run(&e, &d, &["lab", "report", "--student", "Ana Pérez"], &reg);
    let out = ok(&o);
    assert!(
        out.contains("index.html") && out.contains("README.md"),
        "{out}"
    );
    let config = std::fs::read_to_string(e.root.join("lab-config/config.toml")).unwrap();
    assert!(config.contains("student = \"Ana Pérez\""), "{config}");
    // Asked once: the next report takes the name from the config.
    ok(&run(&e, &d, &["lab", "report"], &reg));
    let md = std::fs::read_to_string(evidence.join("README.md")).unwrap();
    assert!(
        md.contains("Student: Ana Pérez")
            && md.contains("![7-escalar-backend](7-escalar-backend.png)"),
        "{md}"
    );
    let html = std::fs::read_to_string(evidence.join("index.html")).unwrap();
    assert!(
        html.contains(engine_id) && !html.contains("class=\"demo"),
        "{html}"
    );
    chromium_renders(&evidence.join("index.html"), &order);
    a_copied_folder_and_an_edited_picture_do_not_count(&e, &d, &work, &reg);
}

/// The forged file: every step of `check`'s JSON marked passed by hand, in the shape
/// an older estiba wrote.
fn forge_progress(dir: &Path, check: &J) {
    let steps: serde_json::Map<String, J> = check["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                serde_json::json!({"at": 1}),
            )
        })
        .collect();
    std::fs::write(
        dir.join("lab-progress.json"),
        serde_json::json!({"lab": "semana-3", "passed": steps}).to_string(),
    )
    .unwrap();
}

/// The folder of a lab walked on an engine: a picture edited, a copy checked on another
/// cluster (the demo), and a progress file written by hand are each caught, exit non-zero.
fn a_copied_folder_and_an_edited_picture_do_not_count(
    e: &Engine,
    d: &Path,
    work: &Path,
    reg: &str,
) {
    let evidence = d.join("evidencias");
    let picture = evidence.join("6-desplegar-stack.png");
    let kept = std::fs::read(&picture).unwrap();
    std::fs::write(&picture, b"painted over").unwrap();
    let (all, s) = check(e, d, reg);
    assert!(!all, "an edited picture fails the check");
    assert_eq!(s["6-desplegar-stack"]["evidence_edited"], true);
    assert_eq!(s["6-desplegar-stack"]["status"], "not_yet");
    std::fs::write(&picture, kept).unwrap();
    assert!(check(e, d, reg).0, "the picture estiba saved counts again");

    // The folder copied to a classmate's machine and checked on another cluster.
    let copy = work.join("copied");
    let o = Command::new("cp")
        .args(["-a"])
        .arg(d)
        .arg(&copy)
        .output()
        .unwrap();
    assert!(o.status.success());
    let o = Command::new(Engine::estiba())
        .args(["--demo", "lab", "check", "--output", "json"])
        .current_dir(&copy)
        .env("LANG", "C.UTF-8")
        .output()
        .unwrap();
    assert!(
        !o.status.success(),
        "a copied folder does not pass elsewhere"
    );
    let v: J = serde_json::from_slice(&o.stdout).unwrap();
    let six = v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "6-desplegar-stack")
        .unwrap();
    assert_eq!(six["status"], "not_yet", "{six}");
    assert!(six["passed_elsewhere"].as_str().is_some(), "{six}");
    assert_eq!(v["demo"], true);

    // The forged file: every step marked passed by hand, in a folder that did nothing.
    let forged = work.join("forged");
    ok(&run(e, work, &["lab", "init", "semana-3", "forged"], reg));
    forge_progress(&forged, &v);
    let o = run(e, &forged, &["lab", "check"], reg);
    assert!(!o.status.success());
    let table =
        String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr);
    assert!(
        table.contains("not observed by estiba") && table.contains("edited by hand"),
        "{table}"
    );
    assert!(!table.contains("9 of 9"), "{table}");
}

/// Renders the page in Debian's headless Chromium: the DOM it built has every step with its
/// picture, every picture it links is there, and the screenshot (kept for a person to look at)
/// is not blank.
fn chromium_renders(page: &Path, steps: &[&str]) {
    require(&["chromium"]);
    let dir = page.parent().unwrap();
    let profile = tempfile::tempdir().unwrap();
    let chromium = |args: &[&str]| -> Output {
        Command::new("chromium")
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--allow-file-access-from-files",
                &format!("--user-data-dir={}", profile.path().display()),
            ])
            .args(args)
            .output()
            .expect("chromium runs")
    };
    let url = format!("file://{}", page.display());
    let dom = chromium(&["--dump-dom", &url]);
    let dom = String::from_utf8_lossy(&dom.stdout).to_string();
    for s in steps {
        assert!(
            dom.contains(&format!("<section id=\"{s}\"")),
            "{s} in\n{dom}"
        );
        assert!(
            dom.contains(&format!("<img src=\"{s}.png\"")),
            "{s}'s picture"
        );
        assert!(dir.join(format!("{s}.png")).is_file());
    }
    let shot = std::env::temp_dir()
        .join(unique("report"))
        .with_extension("png");
    let o = chromium(&[
        "--window-size=1200,2400",
        "--hide-scrollbars",
        &format!("--screenshot={}", shot.display()),
        &url,
    ]);
    assert!(shot.is_file(), "{}", String::from_utf8_lossy(&o.stderr));
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let px = &buf[..info.buffer_size()];
    let dark = px
        .chunks(info.color_type.samples())
        .filter(|p| p[0] < 100)
        .count();
    // The pictures are dark terminal screens: a page that shows them has many dark pixels.
    assert!(
        dark > (info.width * info.height / 10) as usize,
        "the screenshot {} shows the evidence pictures",
        shot.display()
    );
    eprintln!("report screenshot: {}", shot.display());
}

#[test]
fn semana_4_on_three_nodes_checks_labels_and_placement() {
    let Some(e) = Engine::private(true) else {
        return;
    };
    // Images on every node: nothing can be pulled. Not in a registry, so nothing is pinned
    // to a digest a worker cannot fetch.
    let names: Vec<String> = [
        "estiba-lab/api-semana-4:latest",
        "mongo:7.0",
        "nginx:1.25-alpine",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    lab_images(&e, &names);
    let work = workdir("lab4");
    ok(&run(
        &e,
        &work,
        &["lab", "init", "semana-4", "lab"],
        "estiba-lab",
    ));
    let d = work.join("lab");
    // Step 2: the student's Dockerfile, built by estiba under the name the stack runs. A first
    // try copies the code before installing and starts gunicorn without tini: both named.
    let (_, s) = check(&e, &d, "estiba-lab");
    assert!(reasons(&s, "2-dockerfile").contains("Dockerfile does not exist yet"));
    write_all(
        &d,
        &[
            (
                "Dockerfile",
                "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n\
                 CMD [\"gunicorn\", \"app:app\"]\n",
            ),
            ("requirements.txt", "flask\ngunicorn\npymongo\n"),
            ("app.py", "app = None\n"),
        ],
    );
    let (_, s) = check(&e, &d, "estiba-lab");
    let why = reasons(&s, "2-dockerfile");
    assert!(
        why.contains("line 1 copies all the code before installing")
            && why.contains("no ENTRYPOINT that starts tini"),
        "{why}"
    );
    write_all(
        &d,
        &[(
            "Dockerfile",
            "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\n\
             RUN pip install -r requirements.txt\nCOPY . .\nEXPOSE 5000\n\
             ENTRYPOINT [\"tini\", \"--\"]\nCMD [\"gunicorn\", \"-b\", \"0.0.0.0:5000\", \"app:app\"]\n",
        )],
    );
    let (_, s) = check(&e, &d, "estiba-lab");
    assert!(
        reasons(&s, "2-dockerfile").contains("was not built from Dockerfile"),
        "{}",
        reasons(&s, "2-dockerfile")
    );
    ok(&run(
        &e,
        &d,
        &["build", ".", "-t", "estiba-lab/api-semana-4:latest"],
        "estiba-lab",
    ));
    let (_, s) = check(&e, &d, "estiba-lab");
    assert_eq!(
        s["2-dockerfile"]["status"],
        "done",
        "{}",
        reasons(&s, "2-dockerfile")
    );
    assert_eq!(s["3-swarm-tres-nodos"]["status"], "not_yet");
    assert!(reasons(&s, "3-swarm-tres-nodos").contains("1 nodes, 0 of them workers"));
    let w1 = e.add_worker("worker1");
    let w2 = e.add_worker("worker2");
    for w in [&w1, &w2] {
        let load = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "docker -H {} save {} | docker -H {} load -q",
                e.host,
                names.join(" "),
                w.host
            ))
            .output()
            .unwrap();
        assert!(
            load.status.success(),
            "{}",
            String::from_utf8_lossy(&load.stderr)
        );
    }
    let (_, s) = check(&e, &d, "estiba-lab");
    assert_eq!(s["3-swarm-tres-nodos"]["status"], "done");
    assert_eq!(s["4-etiquetar-nodos"]["status"], "not_yet");
    let manager = e.docker_ok(&["info", "--format", "{{.Swarm.NodeID}}"]);
    ok(&run(
        &e,
        &d,
        &["label", manager.trim(), "app=database"],
        "estiba-lab",
    ));
    ok(&run(
        &e,
        &d,
        &["label", "worker1", "app=ingress"],
        "estiba-lab",
    ));
    let (_, s) = check(&e, &d, "estiba-lab");
    assert_eq!(s["4-etiquetar-nodos"]["status"], "not_yet");
    assert_eq!(
        reasons(&s, "4-etiquetar-nodos"),
        "no worker carries the label app=api"
    );
    ok(&run(&e, &d, &["label", "worker2", "app=api"], "estiba-lab"));
    let (_, s) = check(&e, &d, "estiba-lab");
    assert_eq!(s["4-etiquetar-nodos"]["status"], "done");
    // The files the stack needs: certificates and the database's credentials.
    ok(&run(&e, &d, &["certs"], "estiba-lab"));
    std::fs::create_dir_all(d.join("secrets")).unwrap();
    std::fs::write(d.join("secrets/mongo_user.txt"), "admin\n").unwrap();
    std::fs::write(d.join("secrets/mongo_password.txt"), "s3cret\n").unwrap();
    assert_eq!(s["6-desplegar-stack"]["status"], "not_yet");
    // Step 5: the skeleton lab init handed out says what it lacks; the reference stack passes.
    let (_, s) = check(&e, &d, "estiba-lab");
    let why = reasons(&s, "5-stack");
    assert!(
        why.contains("mongo is not placed on the nodes labelled app=database"),
        "{why}"
    );
    ok(&run(&e, &d, &["lab", "solve", "5-stack"], "estiba-lab"));
    ok(&run(
        &e,
        &d,
        &["deploy", "stack.yml", "semana4"],
        "estiba-lab",
    ));
    let (all, s) = check(&e, &d, "estiba-lab");
    assert_eq!(
        s["6-desplegar-stack"]["status"],
        "done",
        "{}",
        reasons(&s, "6-desplegar-stack")
    );
    assert_eq!(s["7-verificar"]["status"], "done");
    assert!(all, "every checkable step of semana-4 is done");
    // Where docker says the tasks run is where the labels put them.
    for (svc, node) in [("semana4_api", "worker2"), ("semana4_ingress", "worker1")] {
        let nodes = e.docker_ok(&[
            "service",
            "ps",
            svc,
            "--filter",
            "desired-state=running",
            "--format",
            "{{.Node}}",
        ]);
        assert!(nodes.lines().all(|n| n == node), "{svc}: {nodes}");
    }
    // A label taken away: the step stays passed, and says the cluster no longer shows it.
    ok(&run(&e, &d, &["unlabel", "worker2", "app"], "estiba-lab"));
    let (_, s) = check(&e, &d, "estiba-lab");
    assert_eq!(s["4-etiquetar-nodos"]["status"], "done");
    assert_eq!(s["4-etiquetar-nodos"]["no_longer_shown"], true);
}

#[test]
fn the_demo_carries_semana_3_from_an_empty_engine_to_the_last_step() {
    let d = workdir("demolab");
    ok(&estiba_in(&d, &["lab", "init", "semana-3", "lab"]));
    let lab = d.join("lab");
    let t = Tmux::in_dir(150, 45, &lab, "C.UTF-8", "--demo --lab semana-3");
    t.wait_for("1-certificados", 20);
    let s = t.wait_for("✗ certs/fullchain.pem", 10);
    assert!(s.contains("Step 1/9") && s.contains("no swarm"), "{s}");
    let r = "registry.developers.lan/gopenux";
    // A command typed in the palette, and taken: the palette line is gone (typing is slower
    // than tmux, so the text on screen is not yet the command run).
    // A key that follows Esc in the same read is Alt+key: the next command waits until the
    // console has read the last one whole.
    let say = |cmd: &str| {
        t.keys(&["Escape"]);
        t.keys(&[":"]);
        t.text(cmd);
        let typed = format!(":{}", cmd.split(' ').next().unwrap_or(cmd));
        let end: String = cmd
            .chars()
            .rev()
            .take(12)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        wait_for(&format!("{cmd} typed"), Duration::from_secs(20), || {
            t.screen()
                .lines()
                .any(|l| l.starts_with(&typed) && l.contains(&end))
                .then_some(())
        });
        t.keys(&["Enter"]);
        wait_for(&format!("{cmd} taken"), Duration::from_secs(20), || {
            (!t.screen().lines().any(|l| l.starts_with(&typed))).then_some(())
        });
    };
    let evidence = lab.join("evidencias");
    let saved = |f: &Path, secs: u64| {
        let until = std::time::Instant::now() + Duration::from_secs(secs);
        while !f.is_file() {
            assert!(
                std::time::Instant::now() < until,
                "{} was not saved; the screen:\n{}",
                f.display(),
                t.screen()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    };
    say("certs");
    // Without options the form opens: accept its defaults.
    t.wait_for("GopenuxLab", 10);
    t.keys(&["Enter"]);
    saved(&evidence.join("1-certificados.png"), 30);
    // Step 2 in the demo: the student's Dockerfiles, built from the palette.
    semana_3_dockerfiles(&lab);
    for (dir, name) in SEMANA_3_BUILDS {
        say(&format!("build {dir} -t {r}/{name}"));
        t.wait_for(&format!("Built {r}/{name} ("), 30);
    }
    saved(&evidence.join("2-dockerfiles.png"), 30);
    for i in [
        "api-semana-3",
        "frontend-semana-3",
        "image-microservice-semana3",
    ] {
        say(&format!("push {r}/{i}:latest"));
        t.wait_for(&format!("{i}:latest pushed"), 10);
    }
    saved(&evidence.join("3-subir-imagenes.png"), 20);
    assert!(
        !evidence.join("5-swarm-manager.png").exists(),
        "not before swarm init"
    );
    // Step 4 by the reference solution, from the palette: the skeleton becomes the stack.
    say("lab solve 4-stack");
    saved(&evidence.join("4-stack.png"), 20);
    assert!(
        std::fs::read_to_string(lab.join("stack.yml"))
            .unwrap()
            .contains("redis_data"),
        "the solution's stack was written"
    );
    say("swarm init");
    saved(&evidence.join("5-swarm-manager.png"), 20);
    say("deploy stack.yml gopenux");
    t.wait_for("+ service gopenux_backend", 15);
    t.keys(&["y"]);
    saved(&evidence.join("6-desplegar-stack.png"), 30);
    assert!(
        !evidence.join("7-escalar-backend.png").exists(),
        "not before scaling"
    );
    say("scale gopenux_backend 5");
    saved(&evidence.join("7-escalar-backend.png"), 30);
    say(&format!(
        "tag {r}/frontend-semana-3:latest {r}/frontend-semana-3:test"
    ));
    t.wait_for("tagged as", 10);
    let file = lab.join("stack.yml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replace("frontend-semana-3:latest", "frontend-semana-3:test"),
    )
    .unwrap();
    say("deploy stack.yml gopenux");
    // The preview shows what the file changes, the replicas the scale raised included.
    let s = t.wait_for("replicas 5 → 3", 15);
    assert!(s.contains("frontend-semana-3:test"), "{s}");
    t.keys(&["y"]);
    saved(&evidence.join("8-frontend-test-yaml.png"), 30);
    say(&format!(
        "tag {r}/api-semana-3:latest {r}/api-semana-3:test"
    ));
    say(&format!("image gopenux_backend {r}/api-semana-3:test"));
    saved(&evidence.join("9-backend-test-cli.png"), 30);
    t.keys(&["Escape", "c"]);
    let s = t.wait_for("9 of 9 checkable steps done", 10);
    assert!(s.contains("the cluster no longer shows it"), "{s}");
    // The hand-in from the console, the student's name asked for once.
    t.keys(&["Escape", ":"]);
    t.text("lab report");
    t.keys(&["Enter"]);
    t.wait_for("student's name", 10);
    t.text("\"Luis Gómez\"");
    t.keys(&["Enter"]);
    saved(&evidence.join("index.html"), 10);
    let html = std::fs::read_to_string(evidence.join("index.html")).unwrap();
    assert!(html.contains("Luis Gómez") && html.contains("9-backend-test-cli.png"));
    // A demo hand-in says so, at the top and on every step.
    assert_eq!(html.matches("class=\"demo-mark\"").count(), 9, "{html}");
    assert!(html.contains("demonstration cluster"), "{html}");
    // Quit; the lab check the student runs next reads what the console left: the same.
    t.keys(&["Escape", "q"]);
    std::thread::sleep(Duration::from_millis(500));
    let o = estiba_in(&lab, &["--demo", "lab", "check", "--output", "json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: J = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (v["done"].clone(), v["demo"].clone()),
        (J::Bool(true), J::Bool(true))
    );
    let table = ok(&estiba_in(&lab, &["--demo", "lab", "check"]));
    assert!(
        table.contains("9 of 9 checkable steps done") && table.contains("DEMO"),
        "{table}"
    );
    chromium_renders(
        &evidence.join("index.html"),
        &["1-certificados", "9-backend-test-cli"],
    );
}

/// The README's classroom flow: `estiba --demo --lab semana-3` in an empty folder makes the
/// lab's folder there, so a pass survives quitting; a progress file written by hand is caught.
#[test]
fn the_demo_in_an_empty_folder_keeps_its_passes_and_a_forged_file_is_caught() {
    let d = workdir("demoempty");
    let t = Tmux::in_dir(120, 40, &d, "C.UTF-8", "--demo --lab semana-3");
    t.wait_for("1-certificados", 20);
    assert!(d.join("lab.yaml").is_file() && d.join("stack.yml").is_file());
    let skeleton = std::fs::read_to_string(d.join("stack.yml")).unwrap();
    assert!(!skeleton.contains("redis_data"), "no answer handed out");
    t.keys(&[":"]);
    t.text("certs");
    t.keys(&["Enter"]);
    t.wait_for("GopenuxLab", 10);
    t.keys(&["Enter"]);
    t.wait_for("step 1-certificados done", 30);
    t.keys(&["Escape", "q"]);
    std::thread::sleep(Duration::from_millis(500));
    let o = estiba_in(&d, &["--demo", "lab", "check", "--output", "json"]);
    let v: J = serde_json::from_slice(&o.stdout).unwrap();
    let first = &v["steps"][0];
    assert_eq!(first["status"], "done", "{v}");
    assert!(first["passed_at"].as_i64().is_some(), "{v}");
    assert!(!o.status.success(), "the other steps are not done");

    // The forged file: every step marked passed by hand.
    forge_progress(&d, &v);
    let o = estiba_in(&d, &["--demo", "lab", "check", "--output", "json"]);
    assert!(!o.status.success());
    let v: J = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["edited"], true);
    let six = v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "6-desplegar-stack")
        .unwrap();
    assert_eq!(
        (six["status"].clone(), six["not_observed"].clone()),
        (J::from("not_yet"), J::Bool(true))
    );
}

/// The reference solution of SEMANA 3, carried out by `lab solve` on a fresh engine from the
/// skeleton `lab init` hands out: every check passes (as a course's solve scripts test it).
#[test]
fn semana_3_solved_by_its_reference_solution_passes_every_check() {
    let mut ports = default_swarm_ports();
    let Some(e) = Engine::private(false) else {
        return;
    };
    ports.leave_on(&e.host);
    let reg = e.registry.clone();
    let images: Vec<String> = ["mongo:7.0", "redis:7.2-alpine"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    lab_images(&e, &images);
    let work = workdir("solve3");
    ok(&run(&e, &work, &["lab", "init", "semana-3", "lab"], &reg));
    let d = work.join("lab");
    let (all, _) = check(&e, &d, &reg);
    assert!(!all);
    let o = run(&e, &d, &["lab", "solve"], &reg);
    let out = ok(&o);
    assert!(out.contains("✓ 9-backend-test-cli"), "{out}");
    let (all, steps) = check(&e, &d, &reg);
    assert!(all, "{steps:#?}");
    // Solved again: every step is already done, nothing is run twice.
    let again = ok(&run(&e, &d, &["lab", "solve"], &reg));
    assert_eq!(again.matches("already done").count(), 9, "{again}");
}

/// The Docker steps of the two Kubernetes labs, solved by their reference solutions on an
/// engine: practica-k8s' three multi-stage Dockerfiles and its compose project (keycreator
/// first, the key hashed into the shared volume), desafio-final's Dockerfiles and its project
/// with the database it waits for. Every check of those steps passes.
#[test]
fn the_kubernetes_labs_docker_steps_are_solved_by_their_reference_solution() {
    let Some(e) = Engine::private(false) else {
        return;
    };
    let reg = e.registry.clone();
    lab_images(&e, &[]);
    let work = workdir("solvek8s");
    ok(&run(
        &e,
        &work,
        &["lab", "init", "practica-k8s", "practica"],
        &reg,
    ));
    let d = work.join("practica");
    let (_, s) = check(&e, &d, &reg);
    for step in ["1-dockerfiles", "2-compose"] {
        assert_eq!(s[step]["status"], "not_yet", "{step}: {:?}", s[step]);
    }
    assert!(
        s["1-dockerfiles"]["hint"].is_string(),
        "{:?}",
        s["1-dockerfiles"]
    );
    for step in ["1-dockerfiles", "2-compose"] {
        ok(&run(&e, &d, &["lab", "solve", step], &reg));
    }
    let (_, s) = check(&e, &d, &reg);
    for step in ["1-dockerfiles", "2-compose"] {
        assert_eq!(s[step]["status"], "done", "{step}: {:?}", s[step]);
    }
    // keycreator ran first and left the key's hash where creator and verifier read it.
    let key = e.docker_ok(&[
        "run",
        "--rm",
        "-v",
        "practica_key:/key",
        IMAGE,
        "cat",
        "/key/key",
    ]);
    let hash = Command::new("sh")
        .args([
            "-c",
            "printf %s cambia-esta-clave | sha256sum | cut -d' ' -f1",
        ])
        .output()
        .unwrap();
    assert_eq!(key.trim(), String::from_utf8_lossy(&hash.stdout).trim());
    let user = e.docker_ok(&["inspect", "-f", "{{.Config.User}}", "practica-creator-1"]);
    assert_eq!(user.trim(), "10001:10001");
    ok(&run(&e, &d, &["compose", "down"], &reg));

    ok(&run(
        &e,
        &work,
        &["lab", "init", "desafio-final", "final"],
        &reg,
    ));
    let d = work.join("final");
    let (_, s) = check(&e, &d, &reg);
    assert_eq!(s["2-dockerfiles-compose"]["status"], "not_yet");
    ok(&run(
        &e,
        &d,
        &["lab", "solve", "2-dockerfiles-compose"],
        &reg,
    ));
    let (_, s) = check(&e, &d, &reg);
    assert_eq!(
        s["2-dockerfiles-compose"]["status"], "done",
        "{:?}",
        s["2-dockerfiles-compose"]
    );
    let health = e.docker_ok(&["inspect", "-f", "{{.State.Health.Status}}", "final-db-1"]);
    assert_eq!(health.trim(), "healthy");
    ok(&run(&e, &d, &["compose", "down"], &reg));
    e.stop();
}

/// SEMANA 4 in the demo, solved from the console's palette: the class watches each step happen
/// (three nodes joining, labels, the placed stack) and every check passes.
#[test]
fn semana_4_solved_in_the_demo_console_passes_every_check() {
    let d = workdir("solve4");
    let t = Tmux::in_dir(150, 45, &d, "C.UTF-8", "--demo --lab semana-4");
    t.wait_for("1-api-flask", 20);
    t.keys(&[":"]);
    t.text("lab solve");
    t.keys(&["Enter"]);
    let evidence = d.join("evidencias");
    wait_for("the last step's picture", Duration::from_secs(120), || {
        evidence.join("7-verificar.png").is_file().then_some(())
    });
    for step in [
        "2-dockerfile",
        "3-swarm-tres-nodos",
        "4-etiquetar-nodos",
        "5-stack",
        "6-desplegar-stack",
    ] {
        // A step's picture waits for the rows that show it (at most 5 s): a later step's can be
        // written first when the machine is busy.
        let file = evidence.join(format!("{step}.png"));
        wait_for(step, Duration::from_secs(30), || {
            file.is_file().then_some(())
        });
    }
    t.keys(&["Escape", "Escape", "c"]);
    t.wait_for("6 of 6 checkable steps done", 20);
    t.keys(&["Escape", "q"]);
    std::thread::sleep(Duration::from_millis(500));
    let o = estiba_in(&d, &["--demo", "lab", "check"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
}

/// The YAML editor deploys in the demo as `:deploy` does there: `REGISTRY`, unset, is the demo's
/// own registry (it once stopped at "REGISTRY is required").
#[test]
fn the_demo_editor_deploys_the_lab_stack_without_registry_set() {
    let d = workdir("demoeditor");
    ok(&estiba_in(&d, &["lab", "init", "semana-3", "."]));
    ok(&estiba_in(&d, &["certs"]));
    let t = Tmux::in_dir(150, 45, &d, "C.UTF-8", "--demo --lab semana-3");
    t.wait_for("1-certificados", 20);
    for cmd in ["lab solve 4-stack", "swarm init"] {
        t.keys(&[":"]);
        t.text(cmd);
        t.keys(&["Enter"]);
        std::thread::sleep(Duration::from_secs(3));
    }
    t.keys(&[":"]);
    t.text("edit stack.yml gopenux");
    t.keys(&["Enter"]);
    t.wait_for("Editing stack.yml", 10);
    t.keys(&["C-s"]);
    let s = t.wait_for("Deploy these changes?", 15);
    assert!(!s.contains("REGISTRY is required"), "{s}");
    t.keys(&["y"]);
    t.wait_for("stack gopenux: 5 created", 20);
}
