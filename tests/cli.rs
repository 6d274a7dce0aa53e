//! The command line and the console without any engine: the demo, help, config, bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly

mod support;

use std::process::{Command, Output};

fn estiba(args: &[&str], env: &[(&str, &str)]) -> Output {
    let dir = std::env::temp_dir().join(support::unique("estiba-cli"));
    let mut c = Command::new(env!("CARGO_BIN_EXE_estiba"));
    c.args(args)
        .env("ESTIBA_DATA_DIR", dir.join("data"))
        .env("ESTIBA_CONFIG_DIR", dir.join("config"))
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

#[test]
fn headless_commands_on_the_demo() {
    let o = estiba(&["--demo", "services"], &[]);
    assert!(o.status.success(), "{}", err(&o));
    let t = out(&o);
    assert!(t.lines().next().unwrap().starts_with("ID"), "{t}");
    assert_eq!(
        t.lines().filter(|l| l.contains("gopenux_")).count(),
        5,
        "{t}"
    );
    assert!(t.contains("3/3"));

    let o = estiba(&["--demo", "workloads", "--output", "json"], &[]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 5);

    let o = estiba(&["--demo", "nodes", "-o", "json"], &[]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["labels"]["app"], "database");

    let o = estiba(&["--demo", "tasks", "gopenux_backend"], &[]);
    assert_eq!(
        out(&o)
            .lines()
            .filter(|l| l.contains("gopenux_backend."))
            .count(),
        4,
        "all tasks, as docker service ps: {}",
        out(&o)
    );

    let o = estiba(&["--demo", "logs", "gopenux_backend", "--tail", "7"], &[]);
    assert!(o.status.success());
    let lines = out(&o).lines().count() + err(&o).lines().count();
    assert_eq!(lines, 7, "{}{}", out(&o), err(&o));
    assert!(out(&o).lines().all(|l| l.starts_with("gopenux_backend.")));
}

#[test]
fn help_lists_every_command_in_both_languages() {
    let o = estiba(&["help"], &[]);
    assert!(o.status.success());
    for c in [
        "nodes",
        "services",
        "tasks SERVICE",
        "images",
        "logs SERVICE|TASK",
        "filter",
        "theme",
        "lang",
        "help",
        "quit",
    ] {
        assert!(out(&o).contains(c), "{c} missing:\n{}", out(&o));
    }
    let o = estiba(&["ayuda", "logs"], &[("LANG", "es_AR.UTF-8")]);
    assert!(out(&o).contains("Seguir los logs"), "{}", out(&o));
    assert!(out(&o).contains("registros"), "aliases shown: {}", out(&o));
}

#[test]
fn bad_input_is_named_and_exits_non_zero() {
    let o = estiba(&["--demo", "servics"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("\"servics\"") && err(&o).contains("services"),
        "{}",
        err(&o)
    );

    let o = estiba(&["--demo", "logs", "gopenux_backend", "--tail", "-3"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("-3"), "{}", err(&o));

    let o = estiba(
        &["--demo", "tasks", "gopenux_backnd"],
        &[("LANG", "es_ES.UTF-8")],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("¿quisiste decir \"gopenux_backend\"?"),
        "{}",
        err(&o)
    );

    let o = estiba(&["--lang", "fr", "help"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("\"fr\""), "{}", err(&o));

    // Refused before any engine is asked (exit 2, as for any other misuse).
    let o = estiba(&["--demo", "filter", "x"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("inside the console"), "{}", err(&o));

    let o = estiba(&["--host", "ftp://x", "services"], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("ftp://x"), "{}", err(&o));
}

#[test]
fn print_config_merges_file_and_flags_and_a_bad_file_is_a_warning() {
    let dir = std::env::temp_dir().join(support::unique("estiba-cfg"));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.toml");
    std::fs::write(&good, "theme = \"ssh-16\"\nlog_lines = 500\n").unwrap();
    let o = estiba(
        &[
            "--config",
            good.to_str().unwrap(),
            "--lang",
            "es",
            "--print-config",
        ],
        &[],
    );
    assert!(o.status.success());
    let t = out(&o);
    assert!(
        t.contains("theme = \"ssh-16\"")
            && t.contains("log_lines = 500")
            && t.contains("lang = \"es\""),
        "{t}"
    );

    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "theme = \"dark\"\ncolour = \"red\"\n").unwrap();
    let o = estiba(
        &["--config", bad.to_str().unwrap(), "--demo", "services"],
        &[],
    );
    assert!(o.status.success(), "a bad config does not stop the command");
    assert!(
        err(&o).contains("bad.toml") && err(&o).contains("colour"),
        "{}",
        err(&o)
    );
}

#[test]
fn the_console_shows_a_bad_config_and_a_bad_theme_inside() {
    support::require(&["tmux"]);
    let dir = std::env::temp_dir().join(support::unique("estiba-cfgc"));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("config.toml");
    std::fs::write(&bad, "log_lines = \"many\"\n").unwrap();
    let cmd = format!(
        "{} --demo --config {}",
        env!("CARGO_BIN_EXE_estiba"),
        bad.display()
    );
    let data = dir.join("data");
    let t = support::tmux::Tmux::start(
        120,
        30,
        &[
            ("LANG", "C.UTF-8"),
            ("ESTIBA_DATA_DIR", data.to_str().unwrap()),
        ],
        &cmd,
    );
    // The message and the demo's services, both (the screen may be read before the services
    // are drawn).
    t.wait_for("line 1, key log_lines", 10);
    support::wait_for(
        "the message and the services",
        std::time::Duration::from_secs(10),
        || {
            let screen = t.screen();
            (screen.contains("config.toml") && screen.contains("gopenux_backend")).then_some(())
        },
    );
    // A theme that does not exist: a clear message, the console keeps its theme.
    t.text(":theme neon");
    t.keys(&["Enter"]);
    t.wait_for("unknown theme \"neon\"", 5);
    t.text(":theme ssh-16");
    t.keys(&["Enter"]);
    t.wait_for("Theme: ssh-16", 5);
    t.text(":lang es");
    t.keys(&["Enter"]);
    t.wait_for("Servicios", 5);
    t.keys(&["q"]);
    t.wait_for("[exited 0]", 10);
}

#[test]
fn the_console_without_a_terminal_says_what_to_do() {
    // output() gives the child pipes, not a terminal.
    let o = estiba(&["--demo"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("the console needs a terminal") && err(&o).contains("estiba help"),
        "{}",
        err(&o)
    );
    let o = estiba(&["--demo"], &[("LANG", "es_ES.UTF-8")]);
    assert!(
        err(&o).contains("la consola necesita una terminal"),
        "{}",
        err(&o)
    );
}
