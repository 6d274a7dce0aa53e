//! The compose budget, measured: `cargo bench --bench compose` brings a 10-service project up
//! (`up -d`, images already present) on a private engine with `docker compose` v5.6.0 and with
//! `estiba compose`, takes it down between runs, and prints each one's wall time. Budget:
//! estiba's time at most docker compose's.
//!
//! Each round runs both, in alternating order; the figures are the medians.
//! ESTIBA_BENCH_COMPOSE_ROUNDS sets the rounds (default 5). Needs root, dockerd and Go (to build
//! docker compose once), as the tests do.

// A measuring harness that shares the tests' support code: like a test, it stops loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};
use support::Engine;

const SERVICES: usize = 10;

fn verdict(ok: bool) -> &'static str {
    if ok { "ok" } else { "OVER BUDGET" }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Ten services on two networks with a named volume each, the later ones depending on the
/// first: what a lab's project looks like, ten times.
fn project(dir: &Path) {
    let mut text = String::from("services:\n");
    for i in 0..SERVICES {
        text.push_str(&format!(
            "  s{i}:\n    image: {img}\n    command: sleep 100000\n    environment:\n      N: \"{i}\"\n    volumes:\n      - v{i}:/data\n    networks: [front, back]\n    labels:\n      lab: bench\n",
            img = support::IMAGE
        ));
        if i > 0 {
            text.push_str("    depends_on: [s0]\n");
        }
    }
    text.push_str("networks:\n  front:\n  back:\nvolumes:\n");
    for i in 0..SERVICES {
        text.push_str(&format!("  v{i}:\n"));
    }
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("compose.yaml"), text).unwrap();
}

fn timed(o: impl FnOnce() -> Output) -> f64 {
    let t = Instant::now();
    let out = o();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    t.elapsed().as_secs_f64()
}

fn down(e: &Engine, dir: &Path) {
    let o = e.docker_in(dir, &["compose", "-p", "bench", "down", "-v"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let _ = Command::new("sync").status();
    std::thread::sleep(Duration::from_secs(1));
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let Some(e) = Engine::private(false) else {
        println!("compose figures skipped (ESTIBA_SKIP_DOCKER_TESTS=1)");
        return;
    };
    e.install_compose();
    let rounds: usize = std::env::var("ESTIBA_BENCH_COMPOSE_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let dir = std::path::PathBuf::from(e.path("bench-project"));
    project(&dir);
    println!(
        "compose up -d: {SERVICES} services, 2 networks, {SERVICES} volumes; {rounds} rounds, medians"
    );
    let cli = |e: &Engine| e.docker_in(&dir, &["compose", "-p", "bench", "up", "-d"]);
    let ours = |e: &Engine| e.estiba_in(&dir, &["compose", "-p", "bench", "up", "-d"]);
    // A first run of each warms the engine and the page cache.
    timed(|| cli(&e));
    down(&e, &dir);
    timed(|| ours(&e));
    down(&e, &dir);
    let (mut theirs, mut mine) = (vec![], vec![]);
    for round in 0..rounds {
        for estiba_run in [round % 2 == 0, round % 2 != 0] {
            if estiba_run {
                mine.push(timed(|| ours(&e)));
            } else {
                theirs.push(timed(|| cli(&e)));
            }
            down(&e, &dir);
        }
    }
    let (theirs, mine) = (median(theirs), median(mine));
    println!("docker compose up -d (the reference): {theirs:.2} s");
    println!(
        "estiba compose up -d: {mine:.2} s [budget: ≤ docker compose's: {}]",
        verdict(mine <= theirs)
    );
    e.stop();
}
