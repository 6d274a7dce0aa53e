//! The console end to end: the real binary in tmux against the private engine.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly

mod support;

use support::tmux::Tmux;
use support::{Engine, unique};

fn console(e: &Engine, w: u16, h: u16, lang: &str) -> Tmux {
    let data = format!("{}/estiba-data-{}", e.root.display(), unique("d"));
    Tmux::start(
        w,
        h,
        &[
            ("LANG", lang),
            ("ESTIBA_DATA_DIR", &data),
            ("ESTIBA_CONFIG_DIR", &data),
            ("TERM", "xterm-256color"),
        ],
        &format!("{} --host {}", Engine::estiba(), e.host),
    )
}

#[test]
fn see_a_service_open_its_logs_filter_and_quit() {
    let Some(e) = Engine::shared() else { return };
    let name = unique("e2e");
    e.service(
        &name,
        &["--replicas", "2"],
        &[
            "sh",
            "-c",
            "i=0; while true; do i=$((i+1)); echo hello-$i; sleep 0.5; done",
        ],
    );
    let other = unique("zz");
    e.service(&other, &[], &["sleep", "3600"]);
    let t = console(e, 120, 40, "C.UTF-8");
    let screen = t.wait_for(&name, 15);
    assert!(
        screen.contains("connected") && screen.contains("2/2"),
        "{screen}"
    );
    // Filter the services down to ours, then open it.
    t.text("/");
    t.text(&name);
    t.keys(&["Enter"]);
    let screen = t.wait_for(&format!("/{name}"), 5);
    assert!(
        !screen.contains(&other),
        "the filter hides the other service:\n{screen}"
    );
    t.keys(&["Enter"]);
    // Its tasks, and its logs with docker-style prefixes.
    let screen = t.wait_for("hello-", 15);
    assert!(
        screen.contains(&format!("{name}.1")) && screen.contains(&format!("{name}.2")),
        "{screen}"
    );
    assert!(
        screen.contains(&format!("{name}.1@")),
        "log prefix name.slot@node:\n{screen}"
    );
    // The palette runs the grammar: help for logs.
    t.text(":");
    t.text("help logs");
    t.keys(&["Enter"]);
    t.wait_for("SERVICE|TASK", 5);
    t.keys(&["Escape"]);
    // Quit: the terminal is given back.
    t.keys(&["q"]);
    let screen = t.wait_for("[exited 0]", 10);
    assert!(!t.alternate_on(), "the alternate screen is left:\n{screen}");
    e.docker_ok(&["service", "rm", &name, &other]);
}

#[test]
fn spanish_interface_small_terminal_and_ctrl_c() {
    let Some(e) = Engine::shared() else { return };
    let name = unique("es");
    e.service(&name, &[], &["sleep", "3600"]);
    let t = console(e, 80, 24, "es_ES.UTF-8");
    let screen = t.wait_for(&name, 15);
    assert!(
        screen.contains("Servicios") && screen.contains("conectado") && screen.contains("? ayuda"),
        "{screen}"
    );
    // At 80x24 one pane at a time with a tab strip; 3 jumps to the tasks.
    assert!(
        screen.contains("1 Nodos") && screen.contains("5 Logs"),
        "{screen}"
    );
    t.keys(&["1"]);
    t.wait_for("Host", 5);
    // Too small, then big again: no panic.
    t.resize(50, 12);
    t.wait_for("demasiado pequeña", 5);
    t.resize(200, 60);
    t.wait_for("Imágenes", 5);
    t.keys(&["C-c"]);
    t.wait_for("[exited 0]", 10);
    assert!(!t.alternate_on());
    e.docker_ok(&["service", "rm", &name]);
}

#[test]
fn a_service_created_meanwhile_appears_without_a_key_press() {
    let Some(e) = Engine::shared() else { return };
    let t = console(e, 120, 40, "C.UTF-8");
    t.wait_for("connected", 15);
    let name = unique("live");
    e.docker_ok(&[
        "service",
        "create",
        "-d",
        "--name",
        &name,
        support::IMAGE,
        "sleep",
        "3600",
    ]);
    t.wait_for(&name, 5);
    t.keys(&["q"]);
    t.wait_for("[exited 0]", 10);
    e.docker_ok(&["service", "rm", &name]);
}

#[test]
fn the_demo_runs_without_any_engine() {
    support::require(&["tmux"]);
    let data = format!("/tmp/{}", unique("estiba-demo"));
    let t = Tmux::start(
        100,
        30,
        &[("LANG", "C.UTF-8"), ("ESTIBA_DATA_DIR", &data)],
        &format!("{} --demo", Engine::estiba()),
    );
    let screen = t.wait_for("gopenux_backend", 10);
    assert!(screen.contains("DEMO"), "{screen}");
    // Tasks come up by themselves.
    t.wait_for("3/3", 10);
    // W: the networks in the services' place, with the services on each; Esc gives it back.
    t.keys(&["W"]);
    let screen = t.wait_for("gopenux_default", 10);
    assert!(
        screen.contains("2 Networks") && screen.contains("ingress"),
        "{screen}"
    );
    t.keys(&["Escape"]);
    t.wait_for("2 Services", 5);
    // y on a service: its YAML; Esc closes.
    t.keys(&["y"]);
    t.wait_for("Inspect service", 10);
    t.keys(&["Escape"]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    t.keys(&["q"]);
    t.wait_for("[exited 0]", 10);
    let _ = std::fs::remove_dir_all(data);
}

fn inspect(e: &Engine, service: &str, format: &str) -> String {
    e.docker_ok(&["service", "inspect", service, "--format", format])
        .trim()
        .to_string()
}

#[test]
fn keys_and_palette_change_the_cluster_with_confirmation() {
    let Some(e) = Engine::shared() else { return };
    let name = unique("act");
    e.service(&name, &[], &["sleep", "3600"]);
    let t = console(e, 120, 40, "C.UTF-8");
    t.wait_for(&name, 15);
    t.text("/");
    t.text(&name);
    t.keys(&["Enter"]);
    // s: the palette with the scale command written out; change the count and run it.
    t.keys(&["s"]);
    t.wait_for(&format!(":scale {name} 1"), 5);
    t.keys(&["BSpace"]);
    t.text("3");
    t.keys(&["Enter"]);
    // The result, not the progress line that names the command as it starts.
    t.wait_for(&format!("Scaled {name}=3"), 20);
    assert_eq!(inspect(e, &name, "{{.Spec.Mode.Replicated.Replicas}}"), "3");
    t.wait_for("3/3", 30);
    // i: the image command, with the current image; switch to the :test tag.
    t.keys(&["i"]);
    t.wait_for(&format!(":image {name} {}", support::IMAGE), 5);
    for _ in 0.."latest".len() {
        t.keys(&["BSpace"]);
    }
    t.text("test");
    t.keys(&["Enter"]);
    t.wait_for("now runs estiba-test/busybox:test", 60);
    assert_eq!(
        inspect(e, &name, "{{.Spec.TaskTemplate.ContainerSpec.Image}}"),
        "estiba-test/busybox:test"
    );
    // Scaling to 0 asks first: n cancels, y does it.
    t.text(&format!(":scale {name} 0"));
    t.keys(&["Enter"]);
    t.wait_for("Scale to 0?", 5);
    t.keys(&["n"]);
    t.wait_for("Cancelled", 5);
    assert_eq!(inspect(e, &name, "{{.Spec.Mode.Replicated.Replicas}}"), "3");
    t.text(&format!(":scale {name} 0"));
    t.keys(&["Enter"]);
    t.wait_for("Scale to 0?", 5);
    t.keys(&["y"]);
    t.wait_for(&format!("Scaled {name}=0"), 20);
    assert_eq!(inspect(e, &name, "{{.Spec.Mode.Replicated.Replicas}}"), "0");
    // l on the nodes pane: label this node.
    let node = e
        .docker_ok(&["node", "ls", "--format", "{{.Hostname}}"])
        .trim()
        .to_string();
    let key = unique("lab");
    t.keys(&["1"]);
    t.keys(&["l"]);
    t.wait_for(&format!("Labels of {node}"), 5);
    t.keys(&["a"]);
    t.wait_for(&format!(":label {node} "), 5);
    t.text(&format!("{key}=yes"));
    t.keys(&["Enter"]);
    t.wait_for(&format!("{key} = yes"), 10);
    let labels = e.docker_ok(&[
        "node",
        "inspect",
        &node,
        "--format",
        "{{json .Spec.Labels}}",
    ]);
    assert!(labels.contains(&format!("\"{key}\":\"yes\"")), "{labels}");
    // Change it in the editor (Enter writes the label command with its value), then remove it.
    t.keys(&["Enter"]);
    t.wait_for(&format!(":label {node} {key}=yes"), 5);
    t.keys(&["BSpace", "BSpace", "BSpace"]);
    t.text("no");
    t.keys(&["Enter"]);
    t.wait_for(&format!("{key} = no"), 10);
    t.keys(&["d"]);
    t.wait_for(&format!("{node}: removed {key}"), 10);
    let labels = e.docker_ok(&[
        "node",
        "inspect",
        &node,
        "--format",
        "{{json .Spec.Labels}}",
    ]);
    assert!(!labels.contains(&key), "{labels}");
    t.keys(&["Escape"]);
    // H: the activity log, with the docker commands.
    t.keys(&["H"]);
    // (Waiting for each line: the screen is read while the window is still being written.)
    t.wait_for("Activity", 5);
    t.wait_for(
        &format!("docker node update --label-add {key}=no {node}"),
        5,
    );
    t.wait_for(
        &format!("docker service update --image estiba-test/busybox:test {name}"),
        5,
    );
    t.keys(&["Escape"]);
    t.keys(&["q"]);
    t.wait_for("[exited 0]", 10);
    e.docker_ok(&["service", "rm", &name]);
}

#[test]
fn images_pane_tags_latest_as_test_and_pushes_it() {
    let Some(e) = Engine::shared() else { return };
    let repo = format!("{}/lab/{}", e.registry, unique("web"));
    e.docker_ok(&["tag", support::IMAGE, &format!("{repo}:latest")]);
    let t = console(e, 120, 40, "C.UTF-8");
    t.wait_for("connected", 15);
    t.keys(&["4"]);
    t.text("/");
    t.text(&repo);
    t.keys(&["Enter"]);
    t.wait_for(&format!("/{repo}"), 5);
    // t: the tag command, suggesting the same repository with the test tag (seed 000).
    t.keys(&["t"]);
    t.wait_for(&format!(":tag {repo}:latest {repo}:test"), 5);
    t.keys(&["Enter"]);
    t.wait_for(&format!("tagged as {repo}:test"), 10);
    // p: push the selected tag; the registry has it afterwards.
    t.keys(&["p"]);
    t.wait_for(&format!(":push {repo}:latest"), 5);
    t.keys(&["Enter"]);
    // The progress line names the command at once; the result says "pushed to".
    t.wait_for(&format!("{repo}:latest pushed to"), 30);
    let name = repo.split_once('/').unwrap().1;
    let (status, body) = support::http_get(&e.registry, &format!("/v2/{name}/tags/list"));
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"latest\""), "{body}");
    t.keys(&["q"]);
    t.wait_for("[exited 0]", 10);
    e.docker_ok(&["rmi", &format!("{repo}:latest"), &format!("{repo}:test")]);
}

#[test]
fn readonly_console_refuses_changes() {
    let Some(e) = Engine::shared() else { return };
    let name = unique("rocon");
    e.service(&name, &[], &["sleep", "3600"]);
    let data = format!("{}/estiba-data-{}", e.root.display(), unique("d"));
    let t = Tmux::start(
        120,
        40,
        &[("LANG", "C.UTF-8"), ("ESTIBA_DATA_DIR", &data)],
        &format!("{} --host {} --readonly", Engine::estiba(), e.host),
    );
    t.wait_for(&name, 15);
    t.text(&format!(":scale {name} 4"));
    t.keys(&["Enter"]);
    t.wait_for("read-only mode", 5);
    assert_eq!(inspect(e, &name, "{{.Spec.Mode.Replicated.Replicas}}"), "1");
    t.keys(&["q"]);
    t.wait_for("[exited 0]", 10);
    e.docker_ok(&["service", "rm", &name]);
}

/// A left click at a 0-based screen cell, as a terminal reports it with SGR mouse mode.
fn click(t: &support::tmux::Tmux, x: usize, y: usize) {
    t.text(&format!("\u{1b}[<0;{};{}M", x + 1, y + 1));
    t.text(&format!("\u{1b}[<0;{};{}m", x + 1, y + 1));
}

fn row_of(screen: &str, needle: &str) -> usize {
    screen
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} on\n{screen}"))
}

#[test]
fn the_mouse_when_turned_on_selects_rows_scrolls_and_gives_text_selection_back() {
    support::require(&["tmux"]);
    let dir = support::workdir("mouse");
    let t = support::tmux::Tmux::in_dir(140, 40, &dir, "C.UTF-8", "--demo");
    let s = t.wait_for("gopenux_redis", 10);
    // Off by default: a click is the terminal's, and changes nothing here.
    click(&t, 6, row_of(&s, "gopenux_redis"));
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(!t.screen().contains("Tasks gopenux_redis"));
    t.keys(&["M"]);
    t.wait_for("mouse on", 5);
    click(&t, 6, row_of(&s, "gopenux_redis"));
    t.wait_for("Tasks gopenux_redis", 5);
    // The wheel over the services moves the selection three rows up.
    let s = t.screen();
    t.text(&format!(
        "\u{1b}[<64;6;{}M",
        row_of(&s, "gopenux_mongo") + 1
    ));
    t.wait_for("Tasks gopenux_frontend", 5);
    // M again: the terminal has the mouse back.
    t.keys(&["M"]);
    t.wait_for("mouse off", 5);
    click(&t, 6, row_of(&s, "gopenux_redis"));
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(t.screen().contains("Tasks gopenux_frontend"));
    t.keys(&["q"]);
    t.wait_for("[exited 0]", 10);
}

#[test]
fn e_opens_a_shell_in_the_task_and_exit_brings_the_console_back() {
    let Some(e) = Engine::shared() else { return };
    support::require(&["tmux"]);
    let name = unique("sh");
    e.service(&name, &["--replicas", "1"], &["sleep", "86400"]);
    let t = support::tmux::Tmux::start(
        140,
        40,
        &[
            ("LANG", "C.UTF-8"),
            ("ESTIBA_DATA_DIR", &e.path("estiba-data")),
            ("ESTIBA_CONFIG_DIR", &e.path("estiba-config")),
        ],
        &format!("{} --host {}", Engine::estiba(), e.host),
    );
    t.wait_for(&name, 20);
    t.keys(&[":"]);
    t.text(&format!("tasks {name}"));
    t.keys(&["Enter"]);
    t.wait_for(&format!("{name}.1"), 10);
    t.keys(&["e"]);
    t.wait_for("a shell in", 10);
    // busybox sh: its prompt, then a command that only the shell can answer.
    t.wait_for("/ #", 10);
    t.text("echo hello-$((6*7))");
    t.keys(&["Enter"]);
    t.wait_for("hello-42", 10);
    // Ctrl-C goes to the container's shell, not to estiba.
    t.text("sleep 30");
    t.keys(&["Enter"]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    t.keys(&["C-c"]);
    t.text("echo still-$((1+1))");
    t.keys(&["Enter"]);
    t.wait_for("still-2", 10);
    t.text("exit");
    t.keys(&["Enter"]);
    let s = t.wait_for("ended (exit code", 10);
    assert!(
        s.contains(&format!("Tasks {name}")),
        "the console as it was: {s}"
    );
    assert!(t.alternate_on(), "back on the console's screen");
    t.keys(&["q"]);
    t.wait_for("[exited 0]", 10);
    // Headless: a command's output and its exit code; a missing shell is named.
    let task = e
        .docker_ok(&["service", "ps", &name, "--format", "{{.Name}}"])
        .lines()
        .next()
        .unwrap()
        .to_string();
    let o = e.estiba_cmd(&["exec", &task, "--", "sh", "-c", "echo inside; exit 3"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&o.stdout).contains("inside"));
    let config = e.root.join(format!("{name}.toml"));
    std::fs::write(&config, "exec_command = [\"fish\", \"zsh\"]\n").unwrap();
    let o = e.estiba_cmd(&["--config", config.to_str().unwrap(), "exec", &task]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("has no shell: tried fish, zsh"), "{err}");
    // Read-only refuses.
    let o = e.estiba_cmd(&["--readonly", "exec", &task, "--", "true"]);
    assert_eq!(o.status.code(), Some(1));
    e.docker_ok(&["service", "rm", &name]);
}
