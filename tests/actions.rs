//! Operator actions against the private engine, through the command line; the docker CLI (and
//! the registry's own API) observe what changed.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly

mod support;

use std::time::Duration;
use support::{Engine, IMAGE, http_get, unique, wait_for};

fn inspect(e: &Engine, service: &str, format: &str) -> String {
    e.docker_ok(&["service", "inspect", service, "--format", format])
        .trim()
        .to_string()
}

fn ok(o: &std::process::Output) -> String {
    assert!(
        o.status.success(),
        "estiba failed: {}\n{}",
        String::from_utf8_lossy(&o.stderr),
        String::from_utf8_lossy(&o.stdout)
    );
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn err(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

#[test]
fn scale_one_or_several_and_refuse_bad_counts() {
    let Some(e) = Engine::shared() else { return };
    let a = unique("sa");
    let b = unique("sb");
    e.service(&a, &[], &["sleep", "3600"]);
    e.service(&b, &[], &["sleep", "3600"]);
    let out = ok(&e.estiba_cmd(&["scale", &a, "3"]));
    assert!(
        out.contains(&format!("docker service scale {a}=3")),
        "the equivalent command is shown: {out}"
    );
    assert_eq!(inspect(e, &a, "{{.Spec.Mode.Replicated.Replicas}}"), "3");
    e.wait_converged(&a);
    ok(&e.estiba_cmd(&["escalar", &format!("{a}=1"), &format!("{b}=2")]));
    assert_eq!(inspect(e, &a, "{{.Spec.Mode.Replicated.Replicas}}"), "1");
    assert_eq!(inspect(e, &b, "{{.Spec.Mode.Replicated.Replicas}}"), "2");
    // Bad counts are usage errors and change nothing.
    let version = inspect(e, &a, "{{.Version.Index}}");
    for bad in ["-1", "many", "10001"] {
        let o = e.estiba_cmd(&["scale", &a, bad]);
        assert_eq!(o.status.code(), Some(2), "{bad}");
        assert!(err(&o).contains(bad), "{}", err(&o));
    }
    // Scaling to 0 asks first: without a terminal it needs --yes.
    let o = e.estiba_cmd(&["scale", &a, "0"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("--yes"), "{}", err(&o));
    assert_eq!(
        inspect(e, &a, "{{.Version.Index}}"),
        version,
        "nothing changed"
    );
    ok(&e.estiba_cmd(&["scale", &a, "0", "--yes"]));
    assert_eq!(inspect(e, &a, "{{.Spec.Mode.Replicated.Replicas}}"), "0");
    // Unknown names say what exists; global services cannot be scaled.
    let o = e.estiba_cmd(&["scale", &format!("{a}x"), "2"]);
    assert!(err(&o).contains(&format!("\"{a}\"")), "{}", err(&o));
    let g = unique("glob");
    e.service(&g, &["--mode", "global"], &["sleep", "3600"]);
    let o = e.estiba_cmd(&["scale", &g, "2"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("global"), "{}", err(&o));
    e.docker_ok(&["service", "rm", &a, &b, &g]);
}

#[test]
fn update_to_a_missing_image_fails_with_the_engines_error_and_rollback_restores() {
    let Some(e) = Engine::shared() else { return };
    let name = unique("upd");
    e.service(
        &name,
        &[
            "--replicas",
            "2",
            "--update-parallelism",
            "1",
            "--update-monitor",
            "2s",
        ],
        &["sleep", "3600"],
    );
    // Another local tag of the same image: the update completes.
    let out = ok(&e.estiba_cmd(&["image", &name, "estiba-test/busybox:test"]));
    assert!(
        out.contains("docker service update --image estiba-test/busybox:test"),
        "{out}"
    );
    assert_eq!(
        inspect(e, &name, "{{.Spec.TaskTemplate.ContainerSpec.Image}}"),
        "estiba-test/busybox:test"
    );
    assert_eq!(inspect(e, &name, "{{.UpdateStatus.State}}"), "completed");
    // A tag that exists nowhere: the update pauses and the error names the missing image.
    let o = e.estiba_cmd(&[
        "image",
        &name,
        "estiba-test/busybox:missing",
        "--no-resolve",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", ok_or_err(&o));
    assert!(
        err(&o).contains("paused") && err(&o).contains("estiba-test/busybox:missing"),
        "{}",
        err(&o)
    );
    assert_eq!(inspect(e, &name, "{{.UpdateStatus.State}}"), "paused");
    // Rollback goes back to the image before.
    let out = ok(&e.estiba_cmd(&["rollback", &name]));
    assert!(out.contains("docker service rollback"), "{out}");
    wait_for("the rollback", Duration::from_secs(60), || {
        (inspect(e, &name, "{{.Spec.TaskTemplate.ContainerSpec.Image}}")
            == "estiba-test/busybox:test")
            .then_some(())
    });
    e.docker_ok(&["service", "rm", &name]);
}

fn ok_or_err(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn rollback_without_a_previous_spec_and_restart() {
    let Some(e) = Engine::shared() else { return };
    let name = unique("rb");
    e.service(&name, &[], &["sleep", "3600"]);
    let version = inspect(e, &name, "{{.Version.Index}}");
    let o = e.estiba_cmd(&["rollback", &name]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("no previous spec"), "{}", err(&o));
    assert_eq!(inspect(e, &name, "{{.Version.Index}}"), version);
    ok(&e.estiba_cmd(&["restart", &name]));
    assert_eq!(inspect(e, &name, "{{.Spec.TaskTemplate.ForceUpdate}}"), "1");
    e.docker_ok(&["service", "rm", &name]);
}

#[test]
fn tag_and_push_to_the_local_registry() {
    let Some(e) = Engine::shared() else { return };
    let repo = format!("{}/lab/{}", e.registry, unique("frontend"));
    ok(&e.estiba_cmd(&["tag", IMAGE, &format!("{repo}:latest")]));
    let out = ok(&e.estiba_cmd(&["tag", &format!("{repo}:latest"), &format!("{repo}:test")]));
    assert!(
        out.contains(&format!("docker tag {repo}:latest {repo}:test")),
        "{out}"
    );
    let images = e.docker_ok(&["image", "ls", &repo, "--format", "{{.Tag}}"]);
    let mut tags: Vec<&str> = images.lines().collect();
    tags.sort();
    assert_eq!(tags, ["latest", "test"], "{out}");
    for tag in ["latest", "test"] {
        let o = e.estiba_cmd(&["push", &format!("{repo}:{tag}")]);
        let stdout = ok(&o);
        assert!(
            stdout.contains("pushed") && stdout.contains("sha256:"),
            "{stdout}"
        );
        assert!(
            err(&o).contains("layers"),
            "progress on stderr: {}",
            err(&o)
        );
        // A bar per layer, named as the engine names it: the first 12 digits of its diff ID.
        let layer = e.docker_ok(&[
            "image",
            "inspect",
            "--format",
            "{{index .RootFS.Layers 0}}",
            IMAGE,
        ]);
        let short = &layer.trim()["sha256:".len()..][..12];
        // The first push uploads the layer, or mounts it from another repository of the same
        // registry that has it (other tests push this image too); the second finds it there.
        let want: &[&str] = if tag == "latest" {
            &["pushed", "mounted", "already there"]
        } else {
            &["already there"]
        };
        assert!(
            err(&o)
                .lines()
                .any(|l| l.contains(short) && want.iter().any(|w| l.contains(w))),
            "layer {short} {want:?}: {}",
            err(&o)
        );
    }
    let name = repo.split_once('/').unwrap().1;
    let (status, body) = http_get(&e.registry, &format!("/v2/{name}/tags/list"));
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("\"latest\"") && body.contains("\"test\""),
        "{body}"
    );
    // A tag that does not exist locally, and a bad reference.
    let o = e.estiba_cmd(&["push", &format!("{repo}:nope")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains(&format!("{repo}:nope")), "{}", err(&o));
    let o = e.estiba_cmd(&["tag", IMAGE, "Bad Name"]);
    assert_eq!(o.status.code(), Some(2));
    // rmi asks first, then removes the tag only.
    let o = e.estiba_cmd(&["rmi", &format!("{repo}:test")]);
    assert!(err(&o).contains("--yes"));
    ok(&e.estiba_cmd(&["rmi", &format!("{repo}:test"), "--yes"]));
    let images = e.docker_ok(&["image", "ls", &repo, "--format", "{{.Tag}}"]);
    let tags: Vec<&str> = images.lines().collect();
    assert_eq!(tags, ["latest"], "only the test tag went");
    e.docker_ok(&["rmi", &format!("{repo}:latest")]);
}

#[test]
fn push_with_credentials_from_the_docker_config() {
    let Some(e) = Engine::shared() else { return };
    let registry = e.registry_with_auth("student", "s3cret");
    let image = format!("{registry}/lab/{}:latest", unique("api"));
    e.docker_ok(&["tag", IMAGE, &image]);
    let good = e.docker_config_with(&registry, "student", "s3cret");
    let bad = e.docker_config_with(&registry, "student", "wrong");
    let o = e.estiba_env(
        &["push", &image],
        &[("DOCKER_CONFIG", bad.to_str().unwrap())],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("refused the credentials") && err(&o).contains(&registry),
        "{}",
        err(&o)
    );
    let o = e.estiba_env(
        &["push", &image],
        &[("DOCKER_CONFIG", good.to_str().unwrap())],
    );
    ok(&o);
    let (status, _) = http_get(&registry, "/v2/_catalog");
    assert_eq!(status, 401, "the registry does ask for credentials");
    e.docker_ok(&["rmi", &image]);
}

#[test]
fn readonly_refuses_every_change_and_the_engine_stays_as_it_was() {
    let Some(e) = Engine::shared() else { return };
    let name = unique("ro");
    e.service(&name, &[], &["sleep", "3600"]);
    let node = e
        .docker_ok(&["node", "ls", "--format", "{{.Hostname}}"])
        .lines()
        .next()
        .unwrap()
        .to_string();
    let before = (
        e.docker_ok(&["service", "inspect", &name]),
        e.docker_ok(&["node", "inspect", &node, "--format", "{{.Version.Index}}"]),
        e.docker_ok(&["image", "ls", "-q", "--no-trunc"]),
    );
    let tagged = format!("{}/ro/{}:x", e.registry, unique("i"));
    let object = unique("ro_obj");
    let file = std::env::temp_dir().join(unique("ro_file"));
    std::fs::write(&file, "data").unwrap();
    let file = file.display().to_string();
    let commands: Vec<Vec<String>> = [
        vec!["scale", &name, "2"],
        vec!["image", &name, "estiba-test/busybox:test"],
        vec!["rollback", &name],
        vec!["restart", &name],
        vec!["tag", IMAGE, &tagged],
        vec!["push", IMAGE],
        vec!["rmi", IMAGE],
        vec!["label", &node, "x=y"],
        vec!["unlabel", &node, "x"],
        vec!["drain", &node],
        vec!["activate", &node],
        vec!["pause", &node],
        vec!["promote", &node],
        vec!["demote", &node],
        vec!["swarm", "init"],
        vec!["swarm", "leave", "--force"],
        vec!["secret", "create", &object, &file],
        vec!["config", "create", &object, &file],
    ]
    .iter()
    .map(|c| c.iter().map(|s| s.to_string()).collect())
    .collect();
    for c in &commands {
        let mut args: Vec<&str> = c.iter().map(String::as_str).collect();
        args.push("--readonly");
        let o = e.estiba_cmd(&args);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{c:?} ran in read-only mode: {}",
            ok_or_err(&o)
        );
        assert!(err(&o).contains("read-only"), "{c:?}: {}", err(&o));
    }
    // What only reads still works.
    ok(&e.estiba_cmd(&["swarm", "join-token", "worker", "--readonly"]));
    let after = (
        e.docker_ok(&["service", "inspect", &name]),
        e.docker_ok(&["node", "inspect", &node, "--format", "{{.Version.Index}}"]),
        e.docker_ok(&["image", "ls", "-q", "--no-trunc"]),
    );
    assert_eq!(before, after, "read-only mode changed the engine");
    assert!(!e.docker(&["secret", "inspect", &object]).status.success());
    assert!(!e.docker(&["config", "inspect", &object]).status.success());
    e.docker_ok(&["service", "rm", &name]);
}

#[test]
fn join_token_prints_the_whole_join_command() {
    let Some(e) = Engine::shared() else { return };
    let out = ok(&e.estiba_cmd(&["swarm", "join-token", "worker"]));
    let token = e.docker_ok(&["swarm", "join-token", "-q", "worker"]);
    assert!(
        out.contains(&format!(
            "docker swarm join --token {} {}",
            token.trim(),
            e.advertise
        )),
        "{out}"
    );
}

#[test]
fn image_updates_pin_the_registry_digest_like_the_docker_cli() {
    let Some(e) = Engine::shared() else { return };
    let image = format!("{}/lab/{}:v1", e.registry, unique("pin"));
    e.docker_ok(&["tag", IMAGE, &image]);
    e.docker_ok(&["push", &image]);
    let name = unique("pinned");
    e.service(&name, &[], &["sleep", "3600"]);
    ok(&e.estiba_cmd(&["image", &name, &image]));
    let spec = inspect(e, &name, "{{.Spec.TaskTemplate.ContainerSpec.Image}}");
    let digest = e.docker_ok(&[
        "image",
        "inspect",
        &image,
        "--format",
        "{{index .RepoDigests 0}}",
    ]);
    let digest = digest.trim().rsplit('@').next().unwrap().to_string();
    assert_eq!(spec, format!("{image}@{digest}"));
    // --no-resolve keeps the tag alone; an image in no registry warns and goes on.
    ok(&e.estiba_cmd(&["image", &name, &image, "--no-resolve"]));
    assert_eq!(
        inspect(e, &name, "{{.Spec.TaskTemplate.ContainerSpec.Image}}"),
        image
    );
    let o = e.estiba_cmd(&["image", &name, "estiba-test/busybox:test"]);
    ok(&o);
    assert!(err(&o).contains("could not read the digest"), "{}", err(&o));
    e.docker_ok(&["service", "rm", &name]);
}

#[test]
fn push_to_an_unreachable_registry_says_so() {
    let Some(e) = Engine::shared() else { return };
    let image = format!("127.0.0.1:1/lab/{}:x", unique("nowhere"));
    e.docker_ok(&["tag", IMAGE, &image]);
    let o = e.estiba_cmd(&["push", &image]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("cannot reach the registry 127.0.0.1:1"),
        "{}",
        err(&o)
    );
    e.docker_ok(&["rmi", &image]);
}
