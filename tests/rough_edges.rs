//! The rough edges a new user hit, each as they met it, on the demo cluster: what `restart`
//! says, the `i` key's tag offer taken with Tab, the image column telling images apart at
//! 80x24, the demo's inspect readable, and the Spanish screens with no English left over.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly

mod support;

use std::process::{Command, Output, Stdio};
use support::Engine;
use support::tmux::Tmux;

fn demo(args: &[&str], lang: &str) -> Output {
    Command::new(Engine::estiba())
        .arg("--demo")
        .args(args)
        .env("LANG", lang)
        .env_remove("LC_ALL")
        .env("ESTIBA_CONFIG_DIR", "/nonexistent/estiba-rough")
        .env(
            "ESTIBA_DATA_DIR",
            std::env::temp_dir().join(support::unique("estiba-rough")),
        )
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn out(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn console(w: u16, h: u16, lang: &str) -> Tmux {
    support::require(&["tmux"]);
    let data = std::env::temp_dir().join(support::unique("estiba-rough-c"));
    Tmux::start(
        w,
        h,
        &[("LANG", lang), ("ESTIBA_DATA_DIR", data.to_str().unwrap())],
        &format!("{} --demo", Engine::estiba()),
    )
}

#[test]
fn restart_says_the_tasks_were_replaced_not_that_the_image_changed() {
    let en = out(&demo(&["restart", "gopenux_backend"], "C"));
    assert!(
        en.contains("gopenux_backend: every task was replaced"),
        "{en}"
    );
    assert!(!en.contains("now runs"), "{en}");
    let es = out(&demo(&["restart", "gopenux_backend"], "es_ES.UTF-8"));
    assert!(es.contains("se reemplazaron todas sus tareas"), "{es}");
    // A new image "now runs": in Spanish "ahora", not "ya" (already).
    let es = out(&demo(
        &[
            "image",
            "gopenux_frontend",
            "registry.developers.lan/gopenux/frontend-semana-3:test",
        ],
        "es_ES.UTF-8",
    ));
    assert!(
        es.contains("ahora ejecuta") && !es.contains("ya ejecuta"),
        "{es}"
    );
}

#[test]
fn the_demos_inspect_reads_as_an_engines_object() {
    let yaml = out(&demo(&["inspect", "gopenux_backend"], "C"));
    assert!(!yaml.contains("null"), "{yaml}");
    let created = yaml
        .lines()
        .find(|l| l.starts_with("created: "))
        .unwrap_or_else(|| panic!("{yaml}"));
    // RFC 3339, as the engine's CreatedAt, not seconds since 1970.
    assert!(
        created.len() == "created: 2026-12-03T23:29:50Z".len() && created.ends_with('Z'),
        "{created}"
    );
}

#[test]
fn tab_takes_the_tag_the_i_key_offers() {
    let t = console(120, 30, "C.UTF-8");
    t.wait_for("gopenux_frontend", 10);
    t.keys(&["2", "j"]);
    t.keys(&["i"]);
    let screen = t.wait_for("image gopenux_frontend", 5);
    let palette = |s: &str| -> String {
        s.lines()
            .find(|l| l.contains(":image gopenux_frontend"))
            .unwrap_or_default()
            .to_string()
    };
    // The line as `i` writes it: the current tag, the other offered after the cursor.
    assert!(palette(&screen).contains(":latest█"), "the offer: {screen}");
    t.keys(&["Tab"]);
    let screen = t.wait_until("the offered tag written", 5, |s| {
        palette(s).contains("frontend-semana-3:test")
    });
    assert!(!palette(&screen).contains(":latest"), "{screen}");
}

#[test]
fn at_80x24_the_image_column_tells_the_images_apart() {
    let t = console(80, 24, "C.UTF-8");
    t.wait_for("gopenux_frontend", 10);
    t.keys(&["2"]);
    let screen = t.wait_for("gopenux_backend", 5);
    let cell = |service: &str| -> String {
        let line = screen.lines().find(|l| l.contains(service)).unwrap();
        line.split_whitespace()
            .find(|w| w.contains(':'))
            .unwrap_or_default()
            .to_string()
    };
    let (api, web) = (cell("gopenux_backend "), cell("gopenux_frontend"));
    assert_ne!(api, web, "{screen}");
    assert!(
        api.contains("api-") && web.contains("front"),
        "{api} {web}\n{screen}"
    );
    assert!(
        api.ends_with(":latest") && web.ends_with(":latest"),
        "{screen}"
    );
}

#[test]
fn the_spanish_screens_have_no_english_left_over() {
    let t = console(160, 45, "es_ES.UTF-8");
    let screen = t.wait_until("every task running", 20, |s| {
        s.contains("en ejecución 0s")
            || s.contains("en ejecución 1s")
            || s.contains("en ejecución 2s")
    });
    let words: Vec<&str> = screen.split(|c: char| !c.is_alphanumeric()).collect();
    for english in [
        "worker", "running", "pending", "Loading", "engine", "manager",
    ] {
        // Host names (worker1, manager1) are names, not words of the interface.
        assert!(!words.contains(&english), "{english} in\n{screen}");
    }
    assert!(
        screen.contains("trabajador") && screen.contains("gestor del swarm"),
        "{screen}"
    );
    // The deploy preview and a stack file's mistake.
    let dir = support::workdir("estiba-rough-es");
    let stack = dir.join("stack.yml");
    std::fs::write(
        &stack,
        "services:\n  web:\n    image: nginx:1\n  api:\n    image: \"\"\n",
    )
    .unwrap();
    let o = demo(&["diff", stack.to_str().unwrap(), "nuevo"], "es_ES.UTF-8");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("se esperaba nombre de imagen"), "{err}");
    std::fs::write(&stack, "services:\n  web:\n    image: nginx:1\n").unwrap();
    let text = out(&demo(
        &["diff", stack.to_str().unwrap(), "nuevo"],
        "es_ES.UTF-8",
    ));
    assert!(
        text.contains("+ red nuevo_default") && text.contains("+ servicio nuevo_web"),
        "{text}"
    );
    // The help window's lines start with a capital.
    t.keys(&["?"]);
    let help = t.wait_for("Ayuda", 5);
    for line in help.lines().filter(|l| l.contains("│  ")) {
        let text = line.split('│').nth(1).unwrap_or_default().trim_start();
        if let Some(desc) = text
            .split("  ")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .nth(1)
        {
            let first = desc.chars().next().unwrap();
            assert!(!first.is_lowercase(), "lower case: {line}");
        }
    }
}
