//! `estiba build` against the private engine, with the docker CLI as the reference: the same
//! contexts built both ways (`--no-cache`, so each builds for itself) give the same image config
//! and the same files in each layer; a build after the CLI's takes every step from its cache and
//! makes the very same image. Failures name the Dockerfile's line and leave nothing behind.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly

mod support;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use support::{Engine, IMAGE, ok, unique};

fn write(root: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let p = root.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
    }
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// Every context the equivalence walks through: one per feature.
fn contexts(e: &Engine) -> Vec<(&'static str, PathBuf, Vec<String>)> {
    let base = PathBuf::from(e.path(&unique("ctx")));
    let mut all = Vec::new();

    let multi = base.join("multi");
    write(
        &multi,
        &[
            (
                "Dockerfile",
                &format!(
                    "ARG BASE={IMAGE}\nFROM $BASE AS build\nARG VERSION=1\nWORKDIR /src\nCOPY src/ ./\n\
                     RUN echo \"v$VERSION\" > version && ls -l > listing\n\
                     FROM {IMAGE} AS final\nLABEL org.example.team=ops\nENV APP_HOME=/app PORT=8080\n\
                     WORKDIR $APP_HOME\nCOPY --from=build /src /app\nADD extra.tar.txt /opt/extra.txt\n\
                     RUN mkdir -p /etc && echo app:x:1000:1000::/app:/bin/sh >> /etc/passwd && echo app:x:1000: >> /etc/group\nUSER app\nEXPOSE 8080 9090/udp\n\
                     VOLUME /data\nHEALTHCHECK --interval=5s --timeout=2s --retries=2 CMD wget -q -O- localhost:8080 || exit 1\n\
                     ONBUILD RUN echo child\nSTOPSIGNAL SIGTERM\nSHELL [\"/bin/sh\", \"-ec\"]\n\
                     ENTRYPOINT [\"/bin/sh\", \"-c\"]\nCMD [\"cat /app/version\"]\n"
                ),
            ),
            ("src/main.txt", "hello\n"),
            ("src/lib/util.txt", "util\n"),
            ("extra.tar.txt", "extra\n"),
        ],
    );
    std::os::unix::fs::symlink("main.txt", multi.join("src/link")).unwrap();
    let exe = multi.join("src/run.sh");
    std::fs::write(&exe, "#!/bin/sh\necho run\n").unwrap();
    std::os::unix::fs::PermissionsExt::set_mode(
        &mut std::fs::metadata(&exe).unwrap().permissions(),
        0o755,
    );
    std::fs::set_permissions(&exe, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    all.push((
        "multi-stage, args, labels",
        multi.clone(),
        vec![
            "--build-arg".into(),
            "VERSION=7".into(),
            "--label".into(),
            "org.example.course=devops".into(),
        ],
    ));
    all.push(("--target", multi, vec!["--target".into(), "build".into()]));

    let ignored = base.join("ignored");
    write(
        &ignored,
        &[
            (
                "Dockerfile",
                &format!("FROM {IMAGE}\nCOPY . /ctx/\nRUN find /ctx | sort > /listing\n"),
            ),
            (
                ".dockerignore",
                "# comments and blank lines\n\n**/*.log\n!keep.log\n/secret\ndocs\n!docs/README.md\n*/tmp*\n./build/\nnode_modules\n**/cache/**\n[ab].txt\n",
            ),
            ("app.py", "print()\n"),
            ("a.txt", "a\n"),
            ("c.txt", "c\n"),
            ("keep.log", "kept\n"),
            ("drop.log", "dropped\n"),
            ("deep/er/x.log", "dropped\n"),
            ("secret/key", "k\n"),
            ("sub/secret", "stays: only the root's is left out\n"),
            ("docs/README.md", "kept\n"),
            ("docs/guide.md", "dropped\n"),
            ("web/tmpfile", "dropped\n"),
            ("web/deep/tmpfile", "kept: * stops at a slash\n"),
            ("build/out.bin", "dropped\n"),
            ("node_modules/m/index.js", "dropped\n"),
            ("web/node_modules/m.js", "kept: only the root's\n"),
            ("x/cache/y/z", "dropped\n"),
        ],
    );
    all.push((".dockerignore", ignored, vec![]));

    let everything = base.join("everything");
    write(
        &everything,
        &[
            ("Dockerfile", &format!("FROM {IMAGE}\nCOPY . /ctx/\n")),
            (".dockerignore", "*\n!src\n"),
            ("src/a", "a\n"),
            ("other", "o\n"),
        ],
    );
    all.push((
        "a Dockerfile that .dockerignore leaves out",
        everything,
        vec![],
    ));

    let outside = base.join("outside");
    write(
        &outside,
        &[
            ("ctx/file", "f\n"),
            (
                "web.Dockerfile",
                &format!("FROM {IMAGE}\nCOPY file /file\nCMD [\"cat\", \"/file\"]\n"),
            ),
        ],
    );
    let df = outside.join("web.Dockerfile").display().to_string();
    all.push((
        "-f from outside the context",
        outside.join("ctx"),
        vec!["-f".into(), df],
    ));
    all
}

/// The image's config, layers and the instruction of each history entry, as the engine has them.
fn config(e: &Engine, image: &str) -> (Value, Value, Vec<String>) {
    let v: Value = serde_json::from_str(&e.docker_ok(&["image", "inspect", image])).unwrap();
    let history = e.docker_ok(&[
        "image",
        "history",
        "--no-trunc",
        "--format",
        "{{.CreatedBy}}",
        image,
    ]);
    (
        v[0]["Config"].clone(),
        v[0]["RootFS"].clone(),
        history.lines().map(str::to_string).collect(),
    )
}

/// The hashes of the context's files.
fn context_hashes(root: &Path) -> std::collections::BTreeSet<String> {
    use sha2::Digest;
    let mut out = std::collections::BTreeSet::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            if meta.is_dir() {
                todo.push(p);
            } else if meta.is_file() {
                out.insert(format!(
                    "{:x}",
                    sha2::Sha256::digest(std::fs::read(&p).unwrap())
                ));
            }
        }
    }
    out
}

/// Each layer's files: path, type, mode, owner, size, contents' hash, link target; and, for a
/// file that came from the context, its modification time (the tar carries it). A file a RUN
/// wrote holds the time it ran, which two builds never share, so that one is left out.
fn layers(
    e: &Engine,
    image: &str,
    context: &std::collections::BTreeSet<String>,
) -> Vec<Vec<String>> {
    use sha2::Digest;
    let dir = PathBuf::from(e.path(&unique("save")));
    std::fs::create_dir_all(&dir).unwrap();
    let tarball = dir.join("image.tar");
    e.docker_ok(&["save", "-o", &tarball.display().to_string(), image]);
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut outer = tar::Archive::new(std::fs::File::open(&tarball).unwrap());
    for entry in outer.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().display().to_string();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut data).unwrap();
        files.insert(name, data);
    }
    let manifest: Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    manifest[0]["Layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|layer| {
            let data = &files[layer.as_str().unwrap()];
            let mut archive = tar::Archive::new(data.as_slice());
            let mut out = Vec::new();
            for entry in archive.entries().unwrap() {
                let mut entry = entry.unwrap();
                let h = entry.header().clone();
                let mut content = Vec::new();
                std::io::Read::read_to_end(&mut entry, &mut content).unwrap();
                let link = h
                    .link_name()
                    .unwrap()
                    .map(|l| l.display().to_string())
                    .unwrap_or_default();
                let hash = format!("{:x}", sha2::Sha256::digest(&content));
                let mut line = format!(
                    "{} {:?} {:o} {}:{} {} {hash} {link}",
                    entry.path().unwrap().display(),
                    h.entry_type(),
                    h.mode().unwrap(),
                    h.uid().unwrap(),
                    h.gid().unwrap(),
                    h.size().unwrap(),
                );
                if h.entry_type().is_file() && context.contains(&hash) {
                    line.push_str(&format!(" mtime {}", h.mtime().unwrap()));
                }
                out.push(line);
            }
            out
        })
        .collect()
}

#[test]
fn builds_the_image_docker_build_makes() {
    let Some(e) = Engine::shared() else { return };
    for (what, ctx, flags) in contexts(e) {
        let ctx_s = ctx.display().to_string();
        let theirs = unique("cli-built");
        let ours = unique("estiba-built");
        let mut cli: Vec<&str> = vec!["build", "--no-cache", "-t", &theirs];
        cli.extend(flags.iter().map(String::as_str));
        cli.push(&ctx_s);
        e.docker_ok(&cli);
        let mut args: Vec<&str> = vec!["build", "--no-cache", "-t", &ours];
        args.extend(flags.iter().map(String::as_str));
        args.push(&ctx_s);
        let out = ok(&e.estiba_cmd(&args));
        assert!(
            out.contains(&format!("docker build -t {ours}")),
            "{what}: {out}"
        );
        // The whole config: Cmd, Entrypoint, Env, WorkingDir, User, ExposedPorts, Volumes,
        // Labels, Healthcheck, OnBuild, StopSignal, Shell... and every other field it has.
        let (mut c1, r1, h1) = config(e, &theirs);
        let (mut c2, r2, h2) = config(e, &ours);
        // Left out: `Image`, the ID of the build's own image before its last step. Two
        // `--no-cache` builds never share it (the docker CLI's own neither: the RUN layers
        // under it hold the time they ran); `same_image_from_the_cache` shows estiba's build
        // lands on the very image the CLI's made, this field included.
        for c in [&mut c1, &mut c2] {
            c.as_object_mut().unwrap().remove("Image");
        }
        assert_eq!(c1, c2, "{what}: the image config");
        assert_eq!(h1, h2, "{what}: the history");
        assert_eq!(
            r1["Layers"].as_array().unwrap().len(),
            r2["Layers"].as_array().unwrap().len(),
            "{what}: the layers"
        );
        let hashes = context_hashes(&ctx);
        let (l1, l2) = (layers(e, &theirs, &hashes), layers(e, &ours, &hashes));
        assert_eq!(l1.len(), l2.len(), "{what}: the layers");
        for (k, (a, b)) in l1.iter().zip(&l2).enumerate() {
            let only_cli: Vec<&String> = a.iter().filter(|l| !b.contains(l)).collect();
            let only_ours: Vec<&String> = b.iter().filter(|l| !a.contains(l)).collect();
            assert!(
                only_cli.is_empty() && only_ours.is_empty(),
                "{what}: layer {k}: only in the CLI's: {only_cli:?}; only in estiba's: {only_ours:?}"
            );
        }
    }
}

#[test]
fn same_image_from_the_cache() {
    let Some(e) = Engine::shared() else { return };
    let ctx = PathBuf::from(e.path(&unique("cached")));
    let marker = unique("m");
    write(
        &ctx,
        &[
            (
                "Dockerfile",
                &format!(
                    "FROM {IMAGE}\nCOPY . /app/\nRUN echo {marker} > /marker\nENV M={marker}\nCMD [\"cat\", \"/marker\"]\n"
                ),
            ),
            ("app/a.txt", "a\n"),
            (".dockerignore", "*.tmp\n"),
            ("b.tmp", "left out\n"),
        ],
    );
    let ctx_s = ctx.display().to_string();
    let theirs = unique("cli-first");
    let ours = unique("estiba-second");
    e.docker_ok(&["build", "-t", &theirs, &ctx_s]);
    let o = e.estiba_cmd(&["build", "-t", &ours, &ctx_s]);
    let out = ok(&o);
    let progress = err(&o);
    assert_eq!(
        progress.matches("from the cache").count(),
        4,
        "every step after FROM came from the docker CLI's cache: {progress}"
    );
    assert!(out.contains("4 from the cache"), "{out}");
    let id = |image: &str| e.docker_ok(&["image", "inspect", "--format", "{{.Id}}", image]);
    assert_eq!(id(&theirs), id(&ours), "the very same image");
}

/// Containers whose command holds `marker`, whatever their state.
fn containers_with(e: &Engine, marker: &str) -> Vec<String> {
    e.docker_ok(&[
        "ps",
        "-a",
        "--no-trunc",
        "--format",
        "{{.ID}} {{.Status}} {{.Command}}",
    ])
    .lines()
    .filter(|l| l.contains(marker))
    .map(str::to_string)
    .collect()
}

#[test]
fn a_failing_step_names_its_line_and_leaves_nothing_behind() {
    let Some(e) = Engine::shared() else { return };
    let ctx = PathBuf::from(e.path(&unique("failing")));
    let marker = unique("boom");
    write(
        &ctx,
        &[(
            "Dockerfile",
            &format!(
                "FROM {IMAGE}\n# a comment\nRUN echo first \\\n    line\nRUN echo {marker} is about to fail; \\\n    exit 3\nCMD [\"sh\"]\n"
            ),
        )],
    );
    let image = unique("never");
    let o = e.estiba_cmd(&["build", "-t", &image, &ctx.display().to_string()]);
    assert!(!o.status.success());
    let message = err(&o);
    assert!(
        message.contains("Dockerfile:5: step 3/4 RUN echo"),
        "the Dockerfile's line and the step: {message}"
    );
    assert!(message.contains("returned a non-zero code: 3"), "{message}");
    assert!(
        message.contains(&format!("│ {marker} is about to fail")),
        "the command's last output: {message}"
    );
    assert!(
        !e.docker(&["image", "inspect", &image]).status.success(),
        "no tag"
    );
    assert_eq!(
        containers_with(e, &marker),
        Vec::<String>::new(),
        "no container left"
    );
}

#[test]
fn bad_input_is_named_before_anything_is_sent() {
    let Some(e) = Engine::shared() else { return };
    let ctx = PathBuf::from(e.path(&unique("bad")));
    let marker = unique("never-run");
    write(
        &ctx,
        &[(
            "Dockerfile",
            &format!("FROM {IMAGE} AS base\nRUN echo {marker}\nCOPPY . /app\n"),
        )],
    );
    let c = ctx.display().to_string();
    let o = e.estiba_cmd(&["build", "-t", "x:1", &c]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("Dockerfile:3: unknown instruction \"COPPY\""),
        "{}",
        err(&o)
    );
    std::fs::write(
        ctx.join("Dockerfile"),
        format!("FROM {IMAGE} AS base\nRUN echo {marker}\n"),
    )
    .unwrap();
    let o = e.estiba_cmd(&["build", "--target", "prod", "-t", "x:1", &c]);
    assert!(
        err(&o).contains("no stage \"prod\"") && err(&o).contains("base"),
        "{}",
        err(&o)
    );
    let o = e.estiba_cmd(&["build", "-t", "x:1", &format!("{c}/nowhere")]);
    assert!(err(&o).contains("nowhere\" is not a folder"), "{}", err(&o));
    std::fs::write(ctx.join(".dockerignore"), "ok\n[oops\n").unwrap();
    let o = e.estiba_cmd(&["--lang", "es", "build", "-t", "x:1", &c]);
    assert!(
        err(&o).contains(".dockerignore: línea 2: \"[oops\""),
        "{}",
        err(&o)
    );
    assert_eq!(
        containers_with(e, &marker),
        Vec::<String>::new(),
        "nothing was built"
    );
}

#[test]
fn ctrl_c_cancels_the_build_and_tags_nothing() {
    let Some(e) = Engine::shared() else { return };
    let ctx = PathBuf::from(e.path(&unique("slow")));
    let marker = unique("slow");
    write(
        &ctx,
        &[(
            "Dockerfile",
            &format!("FROM {IMAGE}\nRUN echo {marker} && sleep 60\n"),
        )],
    );
    let image = unique("cancelled");
    let child = std::process::Command::new(Engine::estiba())
        .args([
            "--host",
            &e.host,
            "build",
            "-t",
            &image,
            &ctx.display().to_string(),
        ])
        .env("LANG", "C")
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    support::wait_for(
        "the step to run",
        std::time::Duration::from_secs(30),
        || {
            containers_with(e, &marker)
                .iter()
                .any(|c| c.contains(" Up "))
                .then_some(())
        },
    );
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", err(&o));
    assert!(
        err(&o).contains("build cancelled: nothing was tagged"),
        "{}",
        err(&o)
    );
    support::wait_for(
        "the build's container to go",
        std::time::Duration::from_secs(30),
        || containers_with(e, &marker).is_empty().then_some(()),
    );
    assert!(
        !e.docker(&["image", "inspect", &image]).status.success(),
        "no tag"
    );
}

#[test]
fn json_names_the_image_and_the_docker_command() {
    let Some(e) = Engine::shared() else { return };
    let ctx = PathBuf::from(e.path(&unique("json")));
    write(&ctx, &[("Dockerfile", &format!("FROM {IMAGE}\nENV X=1\n"))]);
    let (a, b) = (unique("j1"), unique("j2"));
    let out = ok(&e.estiba_cmd(&[
        "--output",
        "json",
        "build",
        "-t",
        &a,
        "-t",
        &b,
        &ctx.display().to_string(),
    ]));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(
        v["summary"]
            .as_str()
            .unwrap()
            .starts_with(&format!("Built {a} (")),
        "{v}"
    );
    assert_eq!(
        v["docker"],
        format!("docker build -t {a} -t {b} {}", ctx.display())
    );
    let id = |i: &str| e.docker_ok(&["image", "inspect", "--format", "{{.Id}}", i]);
    assert_eq!(id(&a), id(&b), "both tags name the image");
}

/// The console's build, as a person: `B` on the images opens the build form (context, Dockerfile,
/// tags) for this folder, Enter builds with the steps shown live, the new image is then selected
/// (`p` writes its push), and the next `B` (even after a restart) offers the same build again.
/// Esc stops a build under way and nothing is tagged.
#[test]
fn the_console_builds_from_the_images_pane() {
    let Some(e) = Engine::shared() else { return };
    let dir = support::workdir("consolebuild");
    let name = dir.file_name().unwrap().to_string_lossy().to_string();
    write(
        &dir,
        &[(
            "Dockerfile",
            &format!("FROM {IMAGE}\nRUN echo building-now\nLABEL made=console\n"),
        )],
    );
    let open =
        || support::tmux::Tmux::in_dir(120, 40, &dir, "C.UTF-8", &format!("--host {}", e.host));
    let t = open();
    t.wait_for("connected", 20);
    t.keys(&["4", "B"]);
    // The form: the folder, the default Dockerfile, a first tag named after the folder.
    let s = t.wait_for("Build an image", 5);
    assert!(s.contains(&format!("{name}:latest")), "{s}");
    t.wait_for(&format!("estiba build -t {name}:latest ."), 5);
    t.keys(&["Enter"]);
    t.wait_for(&format!("Built {name}:latest"), 60);
    let made = e.docker_ok(&[
        "image",
        "inspect",
        "-f",
        "{{.Config.Labels.made}}",
        &format!("{name}:latest"),
    ]);
    assert_eq!(made.trim(), "console");
    // The new image is the selected one once the images are listed with it: `p` writes its
    // push. (Pressed before that listing, `p` took whichever row was selected.)
    t.wait_until("the built image's row", 20, |s| {
        s.lines().any(|l| l.contains(&format!("┃{name} ")))
    });
    t.keys(&["p"]);
    t.wait_for(&format!("push {name}:latest"), 10);
    t.keys(&["Escape", "q"]);
    // Remembered for this folder, with another tag added in the form.
    let t = open();
    t.wait_for("connected", 20);
    t.keys(&["4", "B"]);
    t.wait_for("Build an image", 5);
    t.text(&format!(" {name}:test"));
    t.wait_for(
        &format!("estiba build -t {name}:latest -t {name}:test ."),
        5,
    );
    t.keys(&["Escape"]);
    // A slow build stopped with Esc tags nothing.
    write(
        &dir,
        &[("Dockerfile", &format!("FROM {IMAGE}\nRUN sleep 30\n"))],
    );
    t.keys(&["B"]);
    t.wait_for("Build an image", 5);
    t.keys(&["C-u"]);
    t.text(&format!("{name}:slow"));
    t.wait_for(&format!("estiba build -t {name}:slow ."), 5);
    t.keys(&["Enter"]);
    t.wait_for("sleep 30", 30);
    t.keys(&["Escape"]);
    t.wait_for("cancelled", 15);
    assert!(
        !e.docker(&["image", "inspect", &format!("{name}:slow")])
            .status
            .success()
    );
    t.keys(&["q"]);
}
