//! What a new user meets first, tried as they would: a cluster they named that does not answer
//! (never the demo in its place), a config file or a flag with a mistake (named with file, line
//! and key, the rest applied), and the errors' words. No engine is needed: what is named here
//! does not exist or does not listen.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly

mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use support::tmux::Tmux;
use support::{Engine, unique, workdir};

/// estiba headless with a clean environment of its own (no engine named unless `args` do).
fn estiba(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(Engine::estiba());
    c.args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .env("ESTIBA_DATA_DIR", dir.join("data"))
        .env("ESTIBA_CONFIG_DIR", dir.join("config"))
        .env("LANG", "C")
        .env_remove("LC_ALL")
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKER_CONTEXT")
        .env_remove("DOCKER_CONFIG")
        .env_remove("KUBECONFIG")
        .stdin(Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("estiba runs")
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// The console in tmux with a clean environment; `exports` are more variables.
fn console(dir: &Path, exports: &[(&str, &str)], args: &str) -> Tmux {
    let home = dir.display().to_string();
    let data = dir.join("data").display().to_string();
    let mut env: Vec<(&str, &str)> = vec![
        ("LANG", "C.UTF-8"),
        ("HOME", &home),
        ("ESTIBA_DATA_DIR", &data),
    ];
    env.extend_from_slice(exports);
    let unset: Vec<&str> = [
        "DOCKER_HOST",
        "DOCKER_CONTEXT",
        "KUBECONFIG",
        "DOCKER_CONFIG",
    ]
    .into_iter()
    .filter(|v| !exports.iter().any(|(k, _)| k == v))
    .collect();
    Tmux::start(
        100,
        30,
        &env,
        &format!("unset {}; {} {args}", unset.join(" "), Engine::estiba()),
    )
}

#[test]
fn a_kubeconfig_that_fails_is_an_error_never_the_demo_and_never_quoted() {
    support::require(&["tmux"]);
    let dir = workdir("estiba-first-kube");
    // KUBECONFIG names a file that is not there: said once, quoted once, not "set KUBECONFIG".
    let t = console(&dir, &[("KUBECONFIG", "/nonexistent/kubeconfig")], "--kube");
    let screen = t.wait_for("[exited 2]", 10);
    assert!(
        screen.contains(
            "the kubeconfig /nonexistent/kubeconfig (named by KUBECONFIG) does not exist"
        ),
        "{screen}"
    );
    assert!(
        !screen.contains("DEMO") && !screen.contains("'\""),
        "{screen}"
    );
    assert!(!screen.contains("set KUBECONFIG"), "{screen}");
    // A broken one holding a token: the place of the mistake, never its lines.
    let kc = dir.join("kubeconfig");
    std::fs::write(
        &kc,
        "apiVersion: v1\nusers:\n- name: admin\n  user: {token: tok-s3cr3t: x}\n",
    )
    .unwrap();
    let o = estiba(&dir, &["--kubeconfig", kc.to_str().unwrap(), "nodes"], &[]);
    assert_eq!(o.status.code(), Some(1));
    let e = err(&o);
    assert!(e.contains("is not valid YAML at line 4"), "{e}");
    assert!(
        !e.contains("tok-s3cr3t") && !e.contains("engine address"),
        "{e}"
    );
    let t = console(&dir, &[], &format!("--kubeconfig {}", kc.display()));
    let screen = t.wait_for("[exited 2]", 10);
    assert!(
        screen.contains("line 4") && !screen.contains("tok-s3cr3t"),
        "{screen}"
    );
    // Valid YAML of the wrong shape: the key and line, the value left out.
    std::fs::write(&kc, "apiVersion: v1\nclusters: \"tok-s3cr3t\"\n").unwrap();
    let e = err(&estiba(
        &dir,
        &["--kubeconfig", kc.to_str().unwrap(), "nodes"],
        &[],
    ));
    assert!(
        e.contains("is not a kubeconfig at line 2") && !e.contains("tok-s3cr3t"),
        "{e}"
    );
}

#[test]
fn a_named_engine_that_does_not_answer_is_shown_retrying_with_its_cause() {
    support::require(&["tmux", "ssh"]);
    let dir = workdir("estiba-first-engine");
    let closed = support::free_port();
    // Headless: the cause in the user's words, not the HTTP library's name; exit 1.
    let o = estiba(
        &dir,
        &["-H", &format!("tcp://127.0.0.1:{closed}"), "nodes"],
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    let e = err(&o);
    assert!(
        e.contains("connection refused") && !e.contains("hyper"),
        "{e}"
    );
    let o = estiba(
        &dir,
        &[
            "--lang",
            "es",
            "-H",
            &format!("tcp://127.0.0.1:{closed}"),
            "nodes",
        ],
        &[],
    );
    assert!(err(&o).contains("conexión rechazada"), "{}", err(&o));
    // The console stays on it: the cause where the rows would be, never "(stale)" for rows it
    // never had, never the demo.
    let t = console(&dir, &[], &format!("-H tcp://127.0.0.1:{closed}"));
    let screen = t.wait_for("connection refused", 15);
    assert!(
        !screen.contains("(stale)") && !screen.contains("DEMO"),
        "{screen}"
    );
    assert!(!screen.contains("Loading"), "{screen}");
    t.keys(&["q"]);
    t.wait_for("[exited 0]", 10);
    // Over ssh, the same: ssh's own words.
    let t = console(&dir, &[], &format!("-H ssh://root@127.0.0.1:{closed}"));
    let screen = t.wait_for("ssh failed", 30);
    assert!(!screen.contains("DEMO"), "{screen}");
    // DOCKER_HOST names it just as well.
    let host = format!("tcp://127.0.0.1:{closed}");
    let t = console(&dir, &[("DOCKER_HOST", &host)], "");
    let screen = t.wait_for("connection refused", 15);
    assert!(!screen.contains("DEMO"), "{screen}");
}

#[test]
fn the_demo_opens_only_when_nothing_was_named_and_says_so() {
    support::require(&["tmux"]);
    if Path::new("/var/run/docker.sock").exists() {
        eprintln!("an engine listens on the default socket here: the fallback cannot be seen");
        return;
    }
    let dir = workdir("estiba-first-demo");
    let t = console(&dir, &[], "");
    let screen = t.wait_for("DEMO", 15);
    assert!(screen.contains("none was named"), "{screen}");
}

#[test]
fn config_mistakes_are_named_where_they_are_and_the_rest_applies() {
    let dir = workdir("estiba-first-config");
    let cfg = dir.join("mine.toml");
    std::fs::write(
        &cfg,
        "theme = \"ligth\"\nlog_lines = 500\ncolour = \"red\"\n\n[snap]\nscale = 2\ndirr = \"ev\"\n",
    )
    .unwrap();
    let o = estiba(
        &dir,
        &["--config", cfg.to_str().unwrap(), "--print-config"],
        &[],
    );
    let e = err(&o);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{e}");
    let file = cfg.display().to_string();
    for said in [
        format!("{file}, line 1, key theme: unknown theme \"ligth\""),
        "(did you mean light?)".to_string(),
        format!("{file}, line 3, key colour: unknown key"),
        format!("{file}, line 7, key snap.dirr: unknown key (did you mean dir?)"),
    ] {
        assert!(e.contains(&said), "{said} not in {e}");
    }
    // What was right still applies.
    assert!(
        out.contains("log_lines = 500") && out.contains("scale = 2"),
        "{out}"
    );
    // In Spanish.
    let e = err(&estiba(
        &dir,
        &[
            "--lang",
            "es",
            "--config",
            cfg.to_str().unwrap(),
            "--print-config",
        ],
        &[],
    ));
    assert!(
        e.contains("línea 7, clave snap.dirr: clave desconocida (¿quisiste decir dir?)"),
        "{e}"
    );
    // A --config that is not there is an error, not the defaults.
    let o = estiba(
        &dir,
        &["--config", "/nonexistent.toml", "--demo", "nodes"],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("/nonexistent.toml (named by --config) does not exist"),
        "{}",
        err(&o)
    );
}

#[test]
fn every_flag_value_is_checked_before_anything_opens() {
    support::require(&["tmux"]);
    let dir = workdir("estiba-first-flags");
    for (args, said) in [
        (
            &["--theme", "purple", "--demo"][..],
            "--theme: unknown theme \"purple\"",
        ),
        (
            &["--lab", "semana3", "--demo"][..],
            "(did you mean semana-3?)",
        ),
        (&["--lang", "xx", "--demo"][..], "unknown language \"xx\""),
        (
            &["-o", "yaml", "--demo"][..],
            "does not take \"yaml\" (it takes: table, json)",
        ),
    ] {
        // Headless and in the console alike: nothing opens.
        let mut all = args.to_vec();
        all.push("nodes");
        let o = estiba(&dir, &all, &[]);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(err(&o).contains(said), "{said} not in {}", err(&o));
        let t = console(&dir, &[], &args.join(" "));
        let screen = t.wait_for("[exited 2]", 10);
        assert!(screen.replace('\n', "").contains(said), "{screen}");
    }
    // clap's refusals in Spanish too.
    let o = estiba(&dir, &["--lang", "es", "-o", "yaml", "nodes"], &[]);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("no admite \"yaml\""),
        "{}",
        err(&o)
    );
    // The rest of what clap refuses, in both languages, naming the flag as written.
    for (args, en, es) in [
        (
            &["--demo", "--theme"][..],
            "--theme needs a value",
            "--theme necesita un valor",
        ),
        (
            &["--demo", "--demo"][..],
            "--demo is given twice",
            "--demo aparece dos veces",
        ),
        (
            &["--demo", "--kube=yes"][..],
            "--kube takes no value (remove \"=yes\")",
            "--kube no lleva valor (quita \"=yes\")",
        ),
    ] {
        for (lang, said) in [("en", en), ("es", es)] {
            let mut all = vec!["--lang", lang];
            all.extend_from_slice(args);
            let o = estiba(&dir, &all, &[]);
            assert_eq!(o.status.code(), Some(2), "{all:?}");
            let e = err(&o);
            assert!(e.starts_with(&format!("estiba: {said}")), "{all:?}: {e}");
            assert_eq!(e.lines().count(), 1, "clap's own text too: {e}");
        }
    }
    let _ = unique("x");
}
