//! The build budget, measured: `cargo bench --bench build` sends a 300 MB context of 20 000
//! files to a private engine with `docker build` and with `estiba build` (the same folder, the
//! same two-line Dockerfile, `--no-cache` both), and prints each one's wall time and peak
//! resident memory. Budgets: estiba's time at most the docker CLI's; estiba's RSS at most 40 MB.
//!
//! Each round runs both, in alternating order, after the page cache is written back and the
//! machine has settled; the figures are the medians. ESTIBA_BENCH_BUILD_ROUNDS sets the rounds
//! (default 3). Needs root and dockerd, as the tests do.

// A measuring harness that shares the tests' support code: like a test, it stops loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use support::Engine;

const FILES: usize = 20_000;
const BIG: usize = 100;
const BIG_SIZE: usize = 2_000_000;
const SMALL_SIZE: usize = 5_000;

fn verdict(ok: bool) -> &'static str {
    if ok { "ok" } else { "OVER BUDGET" }
}

/// The context, made once and kept under target/: 100 files of 2 MB and 19 900 of 5 KB in 100
/// folders (about 300 MB), bytes that do not compress.
fn context() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-build-context");
    let done = dir.join(".complete");
    if done.is_file() {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut bytes = |n: usize| -> Vec<u8> {
        (0..n)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect()
    };
    for i in 0..FILES {
        let sub = dir.join(format!("d{:03}", i % 100));
        std::fs::create_dir_all(&sub).unwrap();
        let size = if i < BIG { BIG_SIZE } else { SMALL_SIZE };
        std::fs::write(sub.join(format!("f{i:05}.bin")), bytes(size)).unwrap();
    }
    std::fs::write(
        dir.join("Dockerfile"),
        format!("FROM {}\nLABEL bench=context\n", support::IMAGE),
    )
    .unwrap();
    std::fs::write(&done, b"").unwrap();
    dir
}

/// Runs `cmd` to its end: wall time and the child's peak resident memory in KB.
// The child is reaped by wait4, which also gives its rusage; std's wait cannot.
#[allow(clippy::zombie_processes)]
fn measure(mut cmd: Command) -> (Duration, u64) {
    let t = Instant::now();
    let child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our child, not yet waited for; the pointers are to live locals.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = t.elapsed();
    assert_eq!(r, pid, "wait4");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{cmd:?} failed"
    );
    (wall, usage.ru_maxrss as u64)
}

/// Writes the page cache back and lets the engine finish what the last build left.
fn settle() {
    let _ = Command::new("sync").status();
    std::thread::sleep(Duration::from_secs(2));
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn docker(e: &Engine, ctx: &Path) -> Command {
    let mut c = Command::new("docker");
    c.args([
        "-H",
        &e.host,
        "build",
        "-q",
        "--no-cache",
        "-t",
        "bench/cli:1",
    ])
    .arg(ctx);
    c
}

fn estiba(e: &Engine, ctx: &Path) -> Command {
    let mut c = Command::new(Engine::estiba());
    c.args([
        "--host",
        &e.host,
        "build",
        "--no-cache",
        "-t",
        "bench/estiba:1",
    ])
    .arg(ctx)
    .env("LANG", "C.UTF-8");
    c
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let Some(e) = Engine::private(false) else {
        println!("build figures skipped (ESTIBA_SKIP_DOCKER_TESTS=1)");
        return;
    };
    let rounds: usize = std::env::var("ESTIBA_BENCH_BUILD_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let ctx = context();
    println!("build context: {FILES} files, about 300 MB; {rounds} rounds, medians");
    // A first build of each warms the page cache and the engine's base image.
    measure(docker(&e, &ctx));
    measure(estiba(&e, &ctx));
    let (mut cli, mut ours, mut rss) = (vec![], vec![], vec![]);
    for round in 0..rounds {
        let mut one = |estiba_run: bool| {
            settle();
            if estiba_run {
                let (t, kb) = measure(estiba(&e, &ctx));
                ours.push(t.as_secs_f64());
                rss.push(kb as f64);
            } else {
                cli.push(measure(docker(&e, &ctx)).0.as_secs_f64());
            }
        };
        let estiba_first = round % 2 == 0;
        one(estiba_first);
        one(!estiba_first);
    }
    let (cli, ours) = (median(cli), median(ours));
    let rss_mb = rss.iter().cloned().fold(0.0, f64::max) / 1024.0;
    println!("docker build (the reference): {cli:.2} s");
    println!(
        "estiba build: {ours:.2} s [budget: ≤ the docker CLI's: {}]",
        verdict(ours <= cli)
    );
    println!(
        "estiba build peak RSS: {rss_mb:.1} MB [budget: ≤ 40 MB: {}]",
        verdict(rss_mb <= 40.0)
    );
    e.stop();
}
