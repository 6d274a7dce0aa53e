//! The class on one screen, against real parts: two students' private engines (each at its
//! own step of semana-3) and a third student's folder. The grid says what each student's own
//! `lab check` says; an engine stopped mid-test shows as not reached and comes back; the class
//! page renders in headless Chromium.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly

mod support;

use serde_json::Value as J;
use std::path::Path;
use std::time::Duration;
use support::tmux::Tmux;
use support::*;

/// A student's own `lab check` on their engine, each step's status by name.
fn own_check(host: &str, dir: &Path) -> std::collections::BTreeMap<String, String> {
    let o = std::process::Command::new(Engine::estiba())
        .args([
            "--host", host, "lab", "check", "semana-3", "--output", "json",
        ])
        .current_dir(dir)
        .env("LANG", "C.UTF-8")
        .output()
        .unwrap();
    let v: J = serde_json::from_slice(&o.stdout).unwrap();
    v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn class_json(dir: &Path) -> J {
    let o = estiba_in(dir, &["class", "class.yaml", "--output", "json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn the_class_grid_matches_each_students_own_check_and_a_stopped_engine_comes_back() {
    let mut ports = default_swarm_ports();
    let (Some(ana), Some(luis)) = (Engine::private(false), Engine::private(false)) else {
        return;
    };
    ports.leave_on(&ana.host);
    require(&["tmux"]);
    // Ana is at step 5 (a swarm); Luis has not begun.
    ok(&ana.estiba_cmd(&["swarm", "init", "--advertise-addr", &ana.advertise]));
    let dir = workdir("class");
    // Marta handed in her folder: the certificates made there (step 1, recorded by estiba).
    ok(&estiba_in(&dir, &["lab", "init", "semana-3", "marta"]));
    ok(&estiba_in(&dir.join("marta"), &["certs"]));
    std::fs::write(
        dir.join("class.yaml"),
        format!(
            "lab: semana-3\nevery: 2\nstudents:\n  - {{ name: Ana, host: \"{}\" }}\n  - {{ name: Luis, host: \"{}\" }}\n  - {{ name: Marta, folder: marta }}\n  - {{ name: Pedro, host: \"{}\" }}\n",
            ana.host, luis.host, luis.host
        ),
    )
    .unwrap();
    let v = class_json(&dir);
    let students = v["students"].as_array().unwrap();
    let status = |s: &J, step: &str| {
        s["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == step)
            .map(|x| x["status"].as_str().unwrap().to_string())
            .unwrap()
    };
    // The cluster steps say what the student's own check says.
    let empty = workdir("own");
    for (s, engine) in [(&students[0], &ana), (&students[1], &luis)] {
        assert_eq!(s["reachable"], true, "{s}");
        let own = own_check(&engine.host, &empty);
        for step in ["3-subir-imagenes", "5-swarm-manager", "6-desplegar-stack"] {
            assert_eq!(status(s, step), own[step], "{} {step}", s["name"]);
        }
        // Without her folder the steps files tell are not judged.
        assert!(
            s["steps"][0]["reasons"][0]
                .as_str()
                .unwrap()
                .contains("student's machine"),
            "{s}"
        );
    }
    assert_eq!(status(&students[0], "5-swarm-manager"), "done");
    assert_eq!(status(&students[1], "5-swarm-manager"), "not_yet");
    assert_eq!(status(&students[2], "1-certificados"), "done");
    // Pedro's work is on Luis's engine: both are marked.
    assert_eq!(students[3]["same_cluster_as"], serde_json::json!(["Luis"]));
    assert_eq!(students[1]["same_cluster_as"], serde_json::json!(["Pedro"]));
    assert_eq!(students[0]["same_cluster_as"], serde_json::json!([]));
    // The table a person reads: one row each.
    let table = ok(&estiba_in(&dir, &["class", "class.yaml"]));
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("Ana") && l.contains('✓')),
        "{table}"
    );

    // On screen: live, and a student who stops answering is said so, then comes back.
    let t = Tmux::in_dir(120, 30, &dir, "C.UTF-8", "class class.yaml");
    let row = |name: &str| {
        t.screen()
            .lines()
            .find(|l| l.contains(&format!("│{name} ")))
            .map(str::to_string)
            .unwrap_or_default()
    };
    t.wait_for("Marta", 20);
    wait_for("Ana's row", Duration::from_secs(30), || {
        let r = row("Ana");
        // Step 5 of 9: ?, ?, ✗, ·… the swarm step is ✓.
        r.contains('✓').then_some(())
    });
    luis.stop();
    wait_for("Luis not reached", Duration::from_secs(40), || {
        row("Luis").contains("not reached").then_some(())
    });
    // The others are still looked at.
    assert!(row("Ana").contains('✓'), "{}", t.screen());
    luis.restart();
    wait_for("Luis back", Duration::from_secs(60), || {
        (!row("Luis").contains("not reached") && row("Luis").contains('✗')).then_some(())
    });
    // The selected cell's reason, under the grid.
    t.keys(&["Down", "Right", "Right", "Right", "Right"]);
    t.wait_for("Luis · 5-swarm-manager", 10);
    t.wait_for("not part of a swarm", 10);
    // Enter: a console on Ana's cluster, read-only, and back to the class with q.
    t.keys(&["Up", "Enter"]);
    t.wait_for("Lab · Step", 20);
    t.keys(&[":"]);
    t.text("label vm app=x");
    t.keys(&["Enter"]);
    t.wait_for("read-only mode", 10);
    t.keys(&["Escape", "q"]);
    t.wait_for("semana-3 · 4 students", 10);
    t.keys(&["q"]);

    // One page for the whole class.
    let out = ok(&estiba_in(&dir, &["class", "report", "class.yaml"]));
    assert!(out.trim().ends_with("class.html"), "{out}");
    let page = std::fs::read_to_string(dir.join("class.html")).unwrap();
    assert!(page.contains("Ana") && page.contains("Marta") && page.contains("<td class=\"done\""));
    let png = dir.join("class.png");
    let o = std::process::Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--window-size=1200,900",
        ])
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", dir.join("class.html").display()))
        .output()
        .unwrap();
    assert!(png.is_file(), "{}", String::from_utf8_lossy(&o.stderr));
}
