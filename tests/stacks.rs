//! `estiba deploy` against `docker stack deploy` on the private engine: the same file deployed
//! both ways gives the same services, networks, secrets and configs.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly

mod support;

use serde_json::Value as J;
use std::path::PathBuf;
use support::{Engine, unique};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/stacks")).join(name)
}

fn json(e: &Engine, args: &[&str]) -> J {
    serde_json::from_str(&e.docker_ok(args)).unwrap()
}

/// Replaces the stack name by STACK and IDs by the names they stand for.
fn normalize(v: &mut J, stack: &str, ids: &std::collections::HashMap<String, String>) {
    match v {
        J::String(s) => {
            if let Some(name) = ids.get(s.as_str()) {
                *s = name.clone();
            }
            *s = s.replace(&format!("{stack}_"), "STACK_");
            if s == stack {
                *s = "STACK".into();
            }
        }
        J::Array(a) => a.iter_mut().for_each(|x| normalize(x, stack, ids)),
        J::Object(o) => {
            // IDs differ between two deploys; the names they stand for stay.
            for k in ["SecretID", "ConfigID"] {
                o.remove(k);
            }
            o.values_mut().for_each(|x| normalize(x, stack, ids));
        }
        _ => {}
    }
}

fn id_names(e: &Engine) -> std::collections::HashMap<String, String> {
    let out = e.docker_ok(&[
        "network",
        "ls",
        "--no-trunc",
        "--format",
        "{{.ID}} {{.Name}}",
    ]);
    out.lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// A stack's services (by key), networks, secrets and configs, normalized.
type StackObjects = (Vec<(String, J)>, Vec<J>, Vec<J>, Vec<J>);

fn stack_objects(e: &Engine, stack: &str) -> StackObjects {
    let ids = id_names(e);
    let label = format!("label=com.docker.stack.namespace={stack}");
    let mut services = Vec::new();
    for name in e
        .docker_ok(&["service", "ls", "--filter", &label, "--format", "{{.Name}}"])
        .lines()
    {
        let mut spec = json(
            e,
            &["service", "inspect", name, "--format", "{{json .Spec}}"],
        );
        normalize(&mut spec, stack, &ids);
        services.push((name.replace(&format!("{stack}_"), ""), spec));
    }
    services.sort_by(|a, b| a.0.cmp(&b.0));
    let mut networks = Vec::new();
    for name in e
        .docker_ok(&["network", "ls", "--filter", &label, "--format", "{{.Name}}"])
        .lines()
    {
        let mut n = json(e, &["network", "inspect", name, "--format", "{{json .}}"]);
        // The VXLAN ID is the engine's to assign, like an object ID.
        if let Some(o) = n["Options"].as_object_mut() {
            o.remove("com.docker.network.driver.overlay.vxlanid_list");
        }
        let keep = serde_json::json!({ "Name": n["Name"], "Driver": n["Driver"], "Scope": n["Scope"], "Internal": n["Internal"], "Attachable": n["Attachable"], "Labels": n["Labels"], "Options": n["Options"] });
        n = keep;
        normalize(&mut n, stack, &ids);
        networks.push(n);
    }
    networks.sort_by_key(|n| n["Name"].to_string());
    let objects = |kind: &str| -> Vec<J> {
        let mut out = Vec::new();
        for name in e
            .docker_ok(&[kind, "ls", "--filter", &label, "--format", "{{.Name}}"])
            .lines()
        {
            let mut s = json(e, &[kind, "inspect", name, "--format", "{{json .Spec}}"]);
            normalize(&mut s, stack, &ids);
            out.push(s);
        }
        out.sort_by_key(|s| s["Name"].to_string());
        out
    };
    let secrets = objects("secret");
    let configs = objects("config");
    (services, networks, secrets, configs)
}

/// Deploys `file` as stack A with `docker stack deploy` (recorded, then removed: published ports
/// belong to the whole swarm) and as stack B with estiba, and asserts they are the same.
/// Returns B's name, still deployed.
fn assert_equivalent(e: &Engine, file: &std::path::Path, env: &[(&str, &str)]) -> String {
    let a = unique("a");
    let b = unique("b");
    // The docker CLI with its defaults (it pins images to their digest, and does not wait).
    let args = vec!["stack", "deploy", "-c", file.to_str().unwrap(), &a];
    let out = std::process::Command::new("docker")
        .args(["-H", &e.host])
        .args(&args)
        .envs(env.iter().copied())
        .env("DOCKER_CONFIG", e.root.join("docker-config"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "docker stack deploy: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cli_warnings = String::from_utf8_lossy(&out.stderr).to_string();
    let (sa, na, seca, ca) = stack_objects(e, &a);
    e.docker_ok(&["stack", "rm", &a]);
    support::wait_for("stack A to go", std::time::Duration::from_secs(60), || {
        let left = e.docker_ok(&[
            "network",
            "ls",
            "--filter",
            &format!("label=com.docker.stack.namespace={a}"),
            "-q",
        ]);
        (left.trim().is_empty()
            && e.docker_ok(&[
                "service",
                "ls",
                "--filter",
                &format!("label=com.docker.stack.namespace={a}"),
                "-q",
            ])
            .trim()
            .is_empty())
        .then_some(())
    });
    let o = e.estiba_env(&["deploy", file.to_str().unwrap(), &b, "--detach"], env);
    assert!(
        o.status.success(),
        "estiba deploy: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let ours = String::from_utf8_lossy(&o.stderr).to_string();
    for w in cli_warnings.lines().filter(|l| {
        l.starts_with("Ignoring") || l.contains(": Setting the") || l.contains(": Exposing")
    }) {
        assert!(
            ours.contains(w),
            "estiba warns as the CLI does ({w}): {ours}"
        );
    }
    let (sb, nb, secb, cb) = stack_objects(e, &b);
    assert_eq!(sa.len(), sb.len(), "services");
    for ((ka, va), (kb, vb)) in sa.iter().zip(&sb) {
        assert_eq!(ka, kb);
        if va != vb {
            std::fs::write(
                format!("/tmp/estiba-stack-{ka}-docker.json"),
                serde_json::to_string_pretty(va).unwrap(),
            )
            .unwrap();
            std::fs::write(
                format!("/tmp/estiba-stack-{ka}-estiba.json"),
                serde_json::to_string_pretty(vb).unwrap(),
            )
            .unwrap();
        }
        assert_eq!(
            va, vb,
            "service {ka} differs (see /tmp/estiba-stack-{ka}-*.json)"
        );
    }
    assert_eq!(na, nb, "networks");
    assert_eq!(seca, secb, "secrets");
    assert_eq!(ca, cb, "configs");
    b
}

#[test]
fn the_lab_presets_deploy_as_docker_stack_deploy_deploys_them() {
    let Some(e) = Engine::shared() else { return };
    for preset in ["semana-3", "semana-4"] {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join(preset);
        let o = e.estiba_cmd(&["lab", "init", preset, folder.to_str().unwrap()]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        // lab init hands out a skeleton: the stack deployed is the preset's solution.
        std::fs::copy(
            format!(
                "{}/presets/{preset}/solution/stack.yml",
                env!("CARGO_MANIFEST_DIR")
            ),
            folder.join("stack.yml"),
        )
        .unwrap();
        // Step 1: the certificates, as the lab makes them.
        let o = std::process::Command::new(Engine::estiba())
            .args(["certs"])
            .current_dir(&folder)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(folder.join("certs/fullchain.pem").exists());
        // The secrets files the student writes.
        for f in ["secrets/mongo_user.txt", "secrets/mongo_password.txt"] {
            let p = folder.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, format!("{f}\n")).unwrap();
        }
        let stack = assert_equivalent(e, &folder.join("stack.yml"), &[("REGISTRY", &e.registry)]);
        // Without REGISTRY the file says what to do, and nothing is created.
        let noreg = unique("noreg");
        let o = std::process::Command::new(Engine::estiba())
            .args([
                "--host",
                &e.host,
                "deploy",
                folder.join("stack.yml").to_str().unwrap(),
                &noreg,
            ])
            .env_remove("REGISTRY")
            .env("ESTIBA_DATA_DIR", e.root.join("d"))
            .output()
            .unwrap();
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("set REGISTRY"),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let label = format!("label=com.docker.stack.namespace={noreg}");
        for kind in ["service", "network", "secret", "config"] {
            assert!(
                e.docker_ok(&[kind, "ls", "-q", "--filter", &label])
                    .trim()
                    .is_empty(),
                "no {kind} was created"
            );
        }
        e.docker_ok(&["stack", "rm", &stack]);
    }
}

#[test]
fn estiba_deploys_what_docker_stack_deploy_deploys() {
    let Some(e) = Engine::shared() else { return };
    let file = fixture("features.yml");
    // An external network: it must exist before the deploy, and neither deploy creates it.
    let outside = unique("outside");
    e.docker_ok(&[
        "network",
        "create",
        "-d",
        "overlay",
        "--attachable",
        &outside,
    ]);
    let env = [
        ("IMAGE", support::IMAGE),
        ("REPLICAS", "1"),
        ("OUTSIDE_NET", outside.as_str()),
    ];
    let b = assert_equivalent(e, &file, &env);

    // Redeploying with one image changed updates only that service.
    let versions = |stack: &str| -> Vec<(String, String)> {
        let label = format!("label=com.docker.stack.namespace={stack}");
        let names = e.docker_ok(&["service", "ls", "--filter", &label, "--format", "{{.Name}}"]);
        names
            .lines()
            .map(|n| {
                (
                    n.to_string(),
                    e.docker_ok(&["service", "inspect", n, "--format", "{{.Version.Index}}"])
                        .trim()
                        .to_string(),
                )
            })
            .collect()
    };
    let before = versions(&b);
    // Beside the original, so that relative paths (bind mounts, env files) stay the same.
    let text = std::fs::read_to_string(&file).unwrap().replace(
        "  db:\n    image: ${IMAGE}",
        "  db:\n    image: estiba-test/busybox:test",
    );
    let changed = fixture(&format!("{}.yml", unique("changed")));
    std::fs::write(&changed, text).unwrap();
    let o = e.estiba_env(&["deploy", changed.to_str().unwrap(), &b], &env);
    let _ = std::fs::remove_file(&changed);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("1 updated, 2 unchanged"),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let after = versions(&b);
    for ((n, v0), (_, v1)) in before.iter().zip(&after) {
        if n.ends_with("_db") {
            assert_ne!(v0, v1, "{n} was updated");
        } else {
            assert_eq!(v0, v1, "{n} was left alone");
        }
    }
    e.docker_ok(&["stack", "rm", &b]);
    support::wait_for(
        "the stack to let go of the external network",
        std::time::Duration::from_secs(60),
        || {
            e.docker(&["network", "rm", &outside])
                .status
                .success()
                .then_some(())
        },
    );
}

#[test]
fn invalid_files_name_the_problem_and_create_nothing() {
    let Some(e) = Engine::shared() else { return };
    let dir = tempfile::tempdir().unwrap();
    let count = |e: &Engine, stack: &str| {
        let label = format!("label=com.docker.stack.namespace={stack}");
        ["service", "network", "secret", "config"]
            .iter()
            .map(|k| {
                e.docker_ok(&[k, "ls", "-q", "--filter", &label])
                    .lines()
                    .count()
            })
            .sum::<usize>()
    };
    let cases = [
        (
            "unknown.yml",
            "services:\n  web:\n    image: nginx\n    deploy:\n      replica: 2\n",
            "unknown.yml:5:7",
            "replicas",
        ),
        (
            "port.yml",
            "services:\n  web:\n    image: nginx\n    ports: [\"80:http\"]\n",
            "port.yml:4",
            "80:http",
        ),
        (
            "noimage.yml",
            "services:\n  web:\n    command: sleep 1\n",
            "noimage.yml:2",
            "no image",
        ),
        (
            "required.yml",
            "services:\n  web:\n    image: ${NOPE:?set NOPE to the image}\n",
            "required.yml:3",
            "set NOPE to the image",
        ),
        (
            "broken.yml",
            "services:\n  web: [\n",
            "broken.yml:3",
            "did not find expected",
        ),
        (
            "envfile.yml",
            "services:\n  web:\n    image: nginx\n    env_file: nowhere.env\n",
            "envfile.yml:4",
            "nowhere.env",
        ),
        (
            "secret.yml",
            "services:\n  web:\n    image: nginx\n    secrets: [s]\nsecrets:\n  s:\n    file: ./missing-secret.txt\n",
            "secret.yml:7",
            "missing-secret.txt",
        ),
    ];
    let o = e.estiba_cmd(&["deploy", "/nonexistent/missing.yml", &unique("bad")]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("/nonexistent/missing.yml: ") && !err.contains(":0:0"),
        "a file error has no line: {err}"
    );
    for (name, text, place, needle) in cases {
        let f = dir.path().join(name);
        std::fs::write(&f, text).unwrap();
        let stack = unique("bad");
        let o = e.estiba_cmd(&["deploy", f.to_str().unwrap(), &stack]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{name}: {err}");
        assert!(err.contains(place) && err.contains(needle), "{name}: {err}");
        assert_eq!(count(e, &stack), 0, "{name}: no objects were created");
    }
}

#[test]
fn diff_previews_the_changes_and_the_console_deploys_after_yes() {
    let Some(e) = Engine::shared() else { return };
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("lab.yml");
    let stack = unique("lab");
    std::fs::write(&f, format!("services:\n  frontend:\n    image: {}\n    command: sleep 3600\n    deploy: {{ replicas: 1 }}\n", support::IMAGE)).unwrap();
    // Nothing deployed yet: everything is new.
    let out = e.estiba_cmd(&["diff", f.to_str().unwrap(), &stack]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("+ service {stack}_frontend"))
            && text.contains(&format!("+ network {stack}_default")),
        "{text}"
    );
    // The console previews, and deploys only after y.
    let data = format!("{}/estiba-data-{}", e.root.display(), unique("d"));
    let t = support::tmux::Tmux::start(
        120,
        40,
        &[("LANG", "C.UTF-8"), ("ESTIBA_DATA_DIR", &data)],
        &format!("{} --host {}", Engine::estiba(), e.host),
    );
    t.wait_for("connected", 15);
    t.text(&format!(":deploy {} {stack}", f.display()));
    t.keys(&["Enter"]);
    let screen = t.wait_for("Deploy these changes?", 15);
    assert!(
        screen.contains(&format!("+ service {stack}_frontend")),
        "{screen}"
    );
    assert!(
        e.docker_ok(&[
            "service",
            "ls",
            "-q",
            "--filter",
            &format!("name={stack}_frontend")
        ])
        .trim()
        .is_empty(),
        "nothing before y"
    );
    t.keys(&["y"]);
    t.wait_for(&format!("stack {stack}: 2 created"), 30);
    e.wait_converged(&format!("{stack}_frontend"));
    t.keys(&["q"]);
    // Edit the file: the preview names the image change, as a student would say it.
    std::fs::write(&f, "services:\n  frontend:\n    image: estiba-test/busybox:test\n    command: sleep 3600\n    deploy: { replicas: 2 }\n").unwrap();
    let out = e.estiba_cmd(&["diff", f.to_str().unwrap(), &stack]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!(
            "~ {stack}_frontend: image {} → estiba-test/busybox:test",
            support::IMAGE
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("~ {stack}_frontend: replicas 1 → 2")),
        "{text}"
    );
    assert!(!text.contains("+ network"), "{text}");
    // The stacks list, then rm-stack (which asks first).
    let out = e.estiba_cmd(&["stacks"]);
    let list = String::from_utf8_lossy(&out.stdout);
    assert!(
        list.lines()
            .any(|l| l.starts_with(&stack) && l.contains("1/1") && l.contains("healthy")),
        "{list}"
    );
    let o = e.estiba_cmd(&["rm-stack", &stack]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("--yes"));
    let o = e.estiba_cmd(&["rm-stack", &stack, "--yes"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let label = format!("label=com.docker.stack.namespace={stack}");
    assert!(
        e.docker_ok(&["service", "ls", "-q", "--filter", &label])
            .trim()
            .is_empty()
    );
    support::wait_for(
        "the stack's network to go",
        std::time::Duration::from_secs(30),
        || {
            e.docker_ok(&["network", "ls", "-q", "--filter", &label])
                .trim()
                .is_empty()
                .then_some(())
        },
    );
    let o = e.estiba_cmd(&["rm-stack", &stack, "--yes"]);
    assert_eq!(o.status.code(), Some(1), "a stack that is not there");
    assert!(String::from_utf8_lossy(&o.stderr).contains(&stack));
}

#[test]
fn the_editor_changes_a_tag_previews_and_deploys_on_yes() {
    let Some(e) = Engine::shared() else { return };
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("stack.yml");
    let stack = unique("ed");
    std::fs::write(
        &f,
        "services:\n  web:\n    image: estiba-test/busybox:latest\n    command: sleep 3600\n",
    )
    .unwrap();
    let o = e.estiba_cmd(&["deploy", f.to_str().unwrap(), &stack]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The same data dir as the CLI deploy above: the console knows where the stack came from.
    let data = format!("{}/estiba-data", e.root.display());
    let t = support::tmux::Tmux::start(
        120,
        40,
        &[("LANG", "C.UTF-8"), ("ESTIBA_DATA_DIR", &data)],
        &format!("{} --host {}", Engine::estiba(), e.host),
    );
    t.wait_for("connected", 15);
    t.text(&format!(":edit {stack}"));
    t.keys(&["Enter"]);
    t.wait_for("Editing", 5);
    // A mistake first: shown at its line, nothing deployed.
    t.keys(&["Down", "End", "Enter"]);
    t.text("    replica: 2");
    t.keys(&["C-s"]);
    let screen = t.wait_for("unknown key \"replica\"", 10);
    assert!(screen.contains("stack.yml:3"), "{screen}");
    // The cursor is at the start of the line in error: remove that line.
    t.keys(&["End"]);
    t.keys(&["BSpace"; 15]);
    // Change the tag: latest → test, on the image line below.
    t.keys(&["Down", "End"]);
    t.keys(&["BSpace"; 6]);
    t.text("test");
    t.keys(&["C-s"]);
    let screen = t.wait_for("Deploy these changes?", 15);
    assert!(
        screen.contains(&format!(
            "~ {stack}_web: image estiba-test/busybox:latest → estiba-test/busybox:test"
        )),
        "{screen}"
    );
    t.keys(&["y"]);
    t.wait_for(&format!("stack {stack}: 0 created, 1 updated"), 30);
    let image = e.docker_ok(&[
        "service",
        "inspect",
        &format!("{stack}_web"),
        "--format",
        "{{.Spec.TaskTemplate.ContainerSpec.Image}}",
    ]);
    assert_eq!(image.trim(), "estiba-test/busybox:test");
    assert!(
        std::fs::read_to_string(&f)
            .unwrap()
            .contains("image: estiba-test/busybox:test"),
        "the file was saved"
    );
    t.keys(&["Escape"]);
    t.keys(&["q"]);
    e.docker_ok(&["stack", "rm", &stack]);
}

#[test]
fn changed_config_content_asks_for_a_versioned_name_and_convergence_is_reported() {
    let Some(e) = Engine::shared() else { return };
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("stack.yml");
    std::fs::write(dir.path().join("site.conf"), "v1\n").unwrap();
    std::fs::write(&f, "services:\n  web:\n    image: estiba-test/busybox:latest\n    command: sleep 3600\n    deploy: { replicas: 2 }\n    configs: [site]\nconfigs:\n  site:\n    file: ./site.conf\n").unwrap();
    let stack = unique("cfg");
    let o = e.estiba_cmd(&["deploy", f.to_str().unwrap(), &stack]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("2/2 running"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    std::fs::write(dir.path().join("site.conf"), "v2\n").unwrap();
    let o = e.estiba_cmd(&["deploy", f.to_str().unwrap(), &stack]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("{stack}_site")) && err.contains("versioned name"),
        "{err}"
    );
    // A missing image: the deploy says which task failed and why, without waiting long.
    std::fs::write(dir.path().join("site.conf"), "v1\n").unwrap();
    let bad = dir.path().join("bad.yml");
    std::fs::write(
        &bad,
        "services:\n  api:\n    image: estiba-test/busybox:nope\n",
    )
    .unwrap();
    let started = std::time::Instant::now();
    let o = e.estiba_cmd(&["deploy", bad.to_str().unwrap(), &stack]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "deployed, not converging: {err}");
    assert!(
        err.contains(&format!("{stack}_api.1 keeps failing"))
            && err.contains("estiba-test/busybox:nope"),
        "{err}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    e.docker_ok(&["stack", "rm", &stack]);
}

#[test]
fn prune_removes_what_left_the_file_and_rm_stack_keeps_volumes() {
    let Some(e) = Engine::shared() else { return };
    let dir = tempfile::tempdir().unwrap();
    let both = dir.path().join("both.yml");
    let one = dir.path().join("one.yml");
    let svc = |name: &str| {
        format!(
            "  {name}:\n    image: estiba-test/busybox:latest\n    command: sleep 3600\n    volumes: [data:/data]\n"
        )
    };
    std::fs::write(
        &both,
        format!(
            "services:\n{}{}volumes:\n  data:\n",
            svc("web"),
            svc("worker")
        ),
    )
    .unwrap();
    std::fs::write(
        &one,
        format!("services:\n{}volumes:\n  data:\n", svc("web")),
    )
    .unwrap();
    let stack = unique("pr");
    assert!(
        e.estiba_cmd(&["deploy", both.to_str().unwrap(), &stack])
            .status
            .success()
    );
    // Without --prune the service stays; with it, it goes.
    assert!(
        e.estiba_cmd(&["deploy", one.to_str().unwrap(), &stack])
            .status
            .success()
    );
    let names = |e: &Engine| {
        e.docker_ok(&[
            "service",
            "ls",
            "--filter",
            &format!("label=com.docker.stack.namespace={stack}"),
            "--format",
            "{{.Name}}",
        ])
    };
    assert!(names(e).contains(&format!("{stack}_worker")));
    let o = e.estiba_cmd(&["deploy", one.to_str().unwrap(), &stack, "--prune"]);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("1 removed"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert_eq!(names(e).trim(), format!("{stack}_web"));
    // rm-stack leaves the volume, as docker stack rm does.
    assert!(
        e.estiba_cmd(&["rm-stack", &stack, "--yes"])
            .status
            .success()
    );
    let volumes = e.docker_ok(&["volume", "ls", "--format", "{{.Name}}"]);
    assert!(
        volumes.lines().any(|v| v == format!("{stack}_data")),
        "{volumes}"
    );
}

/// Builds an image FROM the test image with a label of its own (so each generation is a new
/// image with a new digest), pushes it to the tests' registry as `repo:latest`, and returns
/// its registry digest.
fn build_and_push(e: &Engine, repo: &str, generation: &str) -> String {
    let ctx = tempfile::tempdir().unwrap();
    std::fs::write(
        ctx.path().join("Dockerfile"),
        format!(
            "FROM {}\nLABEL estiba.test.generation={generation}\n",
            support::IMAGE
        ),
    )
    .unwrap();
    let tag = format!("{repo}:latest");
    e.docker_ok(&["build", "-q", "-t", &tag, ctx.path().to_str().unwrap()]);
    e.docker_ok(&["push", "-q", &tag]);
    let digests = e.docker_ok(&[
        "image",
        "inspect",
        &tag,
        "--format",
        "{{json .RepoDigests}}",
    ]);
    let digests: Vec<String> = serde_json::from_str(&digests).unwrap();
    digests
        .iter()
        .find_map(|d| d.strip_prefix(&format!("{repo}@")))
        .unwrap_or_else(|| panic!("a digest for {tag} in {digests:?}"))
        .to_string()
}

fn service_field(e: &Engine, service: &str, format: &str) -> String {
    e.docker_ok(&["service", "inspect", service, "--format", format])
        .trim()
        .to_string()
}

#[test]
fn every_key_the_docker_cli_converts_deploys_exactly_as_docker_stack_deploy() {
    let Some(e) = Engine::shared() else { return };
    // An image of the local registry, written without a tag: both tools tag and pin it.
    let image = format!("{}/lab/{}", e.registry, unique("exact"));
    let digest = build_and_push(e, &image, "exact");
    let ext = unique("ext");
    let cfg = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(cfg.path(), "external config\n").unwrap();
    e.docker_ok(&["config", "create", &ext, cfg.path().to_str().unwrap()]);
    let env = [
        ("IMAGE", image.as_str()),
        ("EXT_CONFIG", ext.as_str()),
        ("FROM_SHELL", "shellvalue"),
        ("EMPTY_IN_FILE_SET_IN_SHELL", "fromshell"),
        ("HOME", "/home/student"),
    ];
    let b = assert_equivalent(e, &fixture("exact/stack.yml"), &env);
    // What the issue named, read back from the engine (docker agreed with each above).
    let web = format!("{b}_web");
    assert_eq!(
        service_field(e, &web, "{{.Spec.TaskTemplate.ContainerSpec.Image}}"),
        format!("{image}:latest@{digest}"),
        "pinned to the registry's digest"
    );
    assert_eq!(
        service_field(e, &web, "{{json .Spec.TaskTemplate.Placement.Platforms}}"),
        r#"[{"Architecture":"amd64","OS":"linux"}]"#
    );
    let modes = service_field(
        e,
        &web,
        "{{range .Spec.TaskTemplate.ContainerSpec.Secrets}}{{printf \"%#o\" .File.Mode}} {{end}}{{range .Spec.TaskTemplate.ContainerSpec.Configs}}{{printf \"%#o\" .File.Mode}} {{end}}",
    );
    // Secrets key (0400), key2 (0440); configs motd (420, decimal), site (0644), ext (0755).
    assert_eq!(
        modes.trim(),
        "0400 0440 0644 0644 0755",
        "octal modes read as YAML 1.1 reads them"
    );
    let env_list = service_field(e, &web, "{{json .Spec.TaskTemplate.ContainerSpec.Env}}");
    for var in [
        "\"EMPTY=\"",
        "\"NULLED\"",
        "\"FROM_SHELL=shellvalue\"",
        "\"EMPTY_IN_FILE_SET_IN_SHELL=fromshell\"",
        "\"CODE=256\"",
        "\"PLAIN=400\"",
    ] {
        assert!(env_list.contains(var), "{var} in {env_list}");
    }
    let mounts = service_field(
        e,
        &web,
        "{{range .Spec.TaskTemplate.ContainerSpec.Mounts}}{{.Source}} {{end}}",
    );
    let dir = fixture("exact");
    assert!(
        mounts.starts_with(&format!(
            "{d} {d}/static /home/student/configs {d}/static",
            d = dir.display()
        )),
        "bind sources resolved against the file's folder and HOME: {mounts}"
    );
    assert_eq!(
        service_field(
            e,
            &format!("{b}_short"),
            "{{.Spec.TaskTemplate.ContainerSpec.Image}}"
        ),
        "estiba-test/busybox:latest",
        "a short name gets its tag; Docker Hub is not reachable, so it is not pinned"
    );
    let caps = service_field(
        e,
        &web,
        "{{json .Spec.TaskTemplate.ContainerSpec.CapabilityAdd}} {{json .Spec.TaskTemplate.ContainerSpec.Ulimits}}",
    );
    assert!(
        caps.contains("CAP_NET_ADMIN") && caps.contains("nproc"),
        "{caps}"
    );
    e.docker_ok(&["stack", "rm", &b]);
    support::wait_for(
        "the stack to let go of the external config",
        std::time::Duration::from_secs(60),
        || {
            e.docker(&["config", "rm", &ext])
                .status
                .success()
                .then_some(())
        },
    );
}

#[test]
fn a_tag_pushed_again_is_rolled_out_and_an_unchanged_one_is_not() {
    let Some(e) = Engine::shared() else { return };
    let repo = format!("{}/lab/{}", e.registry, unique("loop"));
    let d1 = build_and_push(e, &repo, "1");
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("stack.yml");
    std::fs::write(
        &f,
        format!("services:\n  api:\n    image: {repo}:latest\n    command: sleep 3600\n"),
    )
    .unwrap();
    let stack = unique("loop");
    let api = format!("{stack}_api");
    let deploy = |extra: &[&str]| {
        let mut args = vec!["deploy", f.to_str().unwrap(), stack.as_str()];
        args.extend(extra);
        let o = e.estiba_cmd(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).to_string()
    };
    deploy(&[]);
    let image = |e: &Engine| service_field(e, &api, "{{.Spec.TaskTemplate.ContainerSpec.Image}}");
    let version = |e: &Engine| service_field(e, &api, "{{.Version.Index}}");
    assert_eq!(image(e), format!("{repo}:latest@{d1}"));
    let v1 = version(e);
    // Rebuild, push under the same tag: the preview names the new digest, the deploy rolls it out.
    let d2 = build_and_push(e, &repo, "2");
    assert_ne!(d1, d2);
    let o = e.estiba_cmd(&["diff", f.to_str().unwrap(), &stack]);
    let preview = String::from_utf8_lossy(&o.stdout);
    assert!(
        preview.contains(&format!(
            "~ {api}: image {repo}:latest ({}… → {}…)",
            &d1[..19],
            &d2[..19]
        )),
        "{preview}"
    );
    let out = deploy(&[]);
    assert!(out.contains("1 updated"), "{out}");
    assert_eq!(image(e), format!("{repo}:latest@{d2}"));
    let v2 = version(e);
    assert_ne!(v1, v2);
    // Nothing pushed since: nothing changes, not even the version.
    let out = deploy(&[]);
    assert!(out.contains("0 updated, 1 unchanged"), "{out}");
    assert_eq!(version(e), v2);
    // --resolve-image never keeps what the last deploy pinned while the file keeps the image.
    let out = deploy(&["--resolve-image", "never"]);
    assert!(out.contains("1 unchanged"), "{out}");
    assert_eq!(image(e), format!("{repo}:latest@{d2}"));
    e.docker_ok(&["stack", "rm", &stack]);
}

#[test]
fn a_stack_that_cannot_converge_says_why_and_stops_at_the_timeout() {
    let Some(e) = Engine::shared() else { return };
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("stack.yml");
    // Two replicas, at most one per node, only on the manager: the second can never run. And a
    // service whose health check never passes stays starting.
    std::fs::write(
        &f,
        format!(
            "services:\n  web:\n    image: {i}\n    command: sleep 3600\n    deploy:\n      replicas: 2\n      placement:\n        constraints: [node.role == manager]\n        max_replicas_per_node: 1\n  checked:\n    image: {i}\n    command: sleep 3600\n    healthcheck:\n      test: echo not-ready-yet; exit 1\n      interval: 1s\n      retries: 100\n",
            i = support::IMAGE
        ),
    )
    .unwrap();
    let stack = unique("stuck");
    let started = std::time::Instant::now();
    let o = e.estiba_cmd(&["deploy", f.to_str().unwrap(), &stack, "--timeout", "12s"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "it stopped waiting at the timeout"
    );
    assert!(
        err.contains(&format!(
            "stack {stack} was deployed but has not converged after 12s: 1/3 running"
        )),
        "{err}"
    );
    let last = err
        .lines()
        .rev()
        .find(|l| l.contains(&format!("{stack}_checked.1")));
    assert!(
        last.is_some_and(
            |l| l.contains("starting: its health check has not passed yet (not-ready-yet)")
        ),
        "{err}"
    );
    // The pending task and the engine's reason, as the progress said while it waited.
    let pending = err
        .lines()
        .rev()
        .find(|l| l.contains(&format!("{stack}_web.")) && l.contains("pending:"))
        .unwrap_or_else(|| panic!("a pending task in {err}"));
    assert!(pending.contains("no suitable node"), "{pending}");
    assert!(
        err.contains(&format!("stack {stack}: 1/3 running")),
        "progress while waiting: {err}"
    );
    // Deployed all the same: the stack stays, with the one replica that can run.
    assert_eq!(
        service_field(
            e,
            &format!("{stack}_web"),
            "{{.Spec.Mode.Replicated.Replicas}}"
        ),
        "2"
    );
    e.docker_ok(&["stack", "rm", &stack]);
}
