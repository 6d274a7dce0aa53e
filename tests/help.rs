//! Help people can use: `estiba --help` lists the commands grouped as the README groups them, in
//! the user's language; console-only commands are set apart and refused on the command line
//! before any engine is asked; `?` lays usage and text in two columns that never touch; the
//! completion script works in a real bash, and `estiba man` renders in man.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly

mod support;

use std::process::{Command, Output, Stdio};
use support::Engine;

fn estiba(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(Engine::estiba());
    c.args(args)
        .env("LANG", "C")
        .env_remove("LC_ALL")
        .env_remove("DOCKER_HOST")
        .env("ESTIBA_CONFIG_DIR", "/nonexistent/estiba-help")
        .stdin(Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

#[test]
fn help_lists_the_commands_grouped_in_the_users_language() {
    let o = estiba(&["--help"], &[]);
    assert!(o.status.success());
    let en = out(&o);
    let order = [
        "Options:",
        "--host",
        "Look at the cluster:",
        "  nodes",
        "Change the cluster:",
        "  scale SERVICE N",
        "Build and run:",
        "Stacks:",
        "  deploy",
        "Kubernetes:",
        "Evidence and certificates:",
        "Labs:",
        "In the console only (type them after :):",
        "  :theme NAME",
        "Set up the shell:",
    ];
    let mut at = 0;
    for want in order {
        let found = en[at..]
            .find(want)
            .unwrap_or_else(|| panic!("{want} after {at} in\n{en}"));
        at += found;
    }
    // The console's commands are never offered as `estiba theme`.
    assert!(!en.contains("  theme NAME"), "{en}");
    // In Spanish by --lang, and by LANG: headings, flags and placeholders.
    for es in [
        out(&estiba(&["--lang", "es", "--help"], &[])),
        out(&estiba(&["-h"], &[("LANG", "es_ES.UTF-8")])),
    ] {
        for want in [
            "Uso: estiba [OPCIONES] [COMANDO]...",
            "Opciones:",
            "Dirección del motor",
            "Cambiar el clúster:",
            "scale SERVICIO N",
            "(alias: escalar)",
            "Solo en la consola",
        ] {
            assert!(es.contains(want), "{want} not in\n{es}");
        }
    }
}

#[test]
fn console_only_commands_are_marked_and_refused_before_any_engine() {
    let o = estiba(&["help", "theme"], &[]);
    let text = out(&o);
    assert!(
        text.contains(":theme NAME") && text.contains("works in the console only"),
        "{text}"
    );
    // `quit` names no engine problem: it is refused as the console's own, exit 2.
    for cmd in [&["quit"][..], &["theme", "dark"], &["history"]] {
        let o = estiba(&[&["-H", "tcp://127.0.0.1:1"][..], cmd].concat(), &[]);
        assert_eq!(o.status.code(), Some(2), "{cmd:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("works only inside the console") && !err.contains("127.0.0.1"),
            "{err}"
        );
    }
}

#[test]
fn the_help_window_keeps_usage_and_text_apart_at_80_columns() {
    support::require(&["tmux"]);
    let data = std::env::temp_dir().join(support::unique("estiba-helpwin"));
    let t = support::tmux::Tmux::start(
        80,
        24,
        &[
            ("LANG", "C.UTF-8"),
            ("ESTIBA_DATA_DIR", data.to_str().unwrap()),
        ],
        &format!("{} --demo", Engine::estiba()),
    );
    t.wait_for("gopenux_backend", 10);
    t.keys(&["?"]);
    t.wait_for("Help", 5);
    let mut seen = String::new();
    for _ in 0..40 {
        let screen = t.screen();
        seen.push_str(&screen);
        t.keys(&["PageDown"]);
        std::thread::sleep(std::time::Duration::from_millis(150));
    }
    for glued in [
        "NAMECreate",
        "re:REGEXFollow",
        "CMD...]A shell",
        "NAMEThe",
        "NAMEChange",
    ] {
        assert!(!seen.contains(glued), "{glued} in\n{seen}");
    }
    // Every line of the window: its text ends before the border (a space between).
    for line in seen.lines().filter(|l| l.contains('│')) {
        let chars: Vec<char> = line.chars().collect();
        if let Some(end) = chars.iter().rposition(|&c| c == '│')
            && end > 2
            && chars[..end].contains(&'│')
        {
            assert_eq!(chars[end - 1], ' ', "text touches the border: {line}");
        }
    }
    assert!(seen.contains(":exec TASK|CONTAINER|POD"), "{seen}");
}

#[test]
fn bash_zsh_and_fish_complete_commands_flags_and_live_names() {
    let dir = std::env::temp_dir().join(support::unique("estiba-compl"));
    std::fs::create_dir_all(&dir).unwrap();
    let bin = std::path::Path::new(Engine::estiba()).parent().unwrap();
    let script = dir.join("estiba.bash");
    let o = estiba(&["completions", "bash"], &[]);
    assert!(o.status.success());
    std::fs::write(&script, &o.stdout).unwrap();
    // A real bash: the script sourced, the line's words given as bash gives them.
    let complete = |line: &str| -> Vec<String> {
        let words: Vec<&str> = line.split(' ').collect();
        let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
        let sh = format!(
            "source {}; COMP_WORDS=(estiba {}); COMP_CWORD={}; _estiba; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            script.display(),
            quoted.join(" "),
            words.len()
        );
        let o = Command::new("bash")
            .args(["-c", &sh])
            .env(
                "PATH",
                format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
            )
            .env("LANG", "C")
            .env_remove("DOCKER_HOST")
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect()
    };
    assert_eq!(complete("sca"), ["scale"]);
    assert!(complete("--ki").is_empty());
    assert_eq!(complete("--kubec"), ["--kubeconfig"]);
    assert_eq!(complete("--lang e"), ["es", "en"]);
    // Live names from the cluster the line names (the demo here).
    assert_eq!(complete("--demo scale gopenux_b"), ["gopenux_backend"]);
    assert_eq!(complete("--demo drain work"), ["worker1", "worker2"]);
    // A console command is not offered.
    assert!(!complete("the").contains(&"theme".to_string()));
    // An engine that does not answer gives no names, quickly.
    let started = std::time::Instant::now();
    assert!(complete("-H tcp://127.0.0.1:1 scale g").is_empty());
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    // zsh: its completion system needs a terminal, so the script's function runs in a real zsh
    // with `compadd` (the builtin that offers the words) standing in to print them.
    support::require(&["zsh"]);
    let script = dir.join("_estiba");
    std::fs::write(&script, out(&estiba(&["completions", "zsh"], &[]))).unwrap();
    let zsh = |words: &str| -> Vec<String> {
        let n = words.split(' ').count();
        let sh = format!(
            "compdef() {{ :; }}; source {}; compadd() {{ [[ $1 == -a ]] && print -l -- ${{(P)2}} }}; words=(estiba {words}); CURRENT={}; _estiba",
            script.display(),
            n + 1
        );
        let o = Command::new("zsh")
            .args(["-f", "-c", &sh])
            .env(
                "PATH",
                format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
            )
            .env("LANG", "C")
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect()
    };
    assert_eq!(zsh("sca"), ["scale"]);
    assert_eq!(zsh("--demo drain work"), ["worker1", "worker2"]);
    // fish, for real: `complete -C` asks the script as the shell would on Tab.
    support::require(&["fish"]);
    let script = dir.join("estiba.fish");
    std::fs::write(&script, out(&estiba(&["completions", "fish"], &[]))).unwrap();
    let fish = |line: &str| -> Vec<String> {
        let o = Command::new("fish")
            .args([
                "--no-config",
                "-c",
                &format!("source {}; complete -C'{line}'", script.display()),
            ])
            .env(
                "PATH",
                format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
            )
            .env("LANG", "C")
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .map(|l| l.split('\t').next().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(fish("estiba sca"), ["scale"]);
    assert_eq!(fish("estiba --demo scale gopenux_b"), ["gopenux_backend"]);
    let o = estiba(&["completions", "tcsh"], &[]);
    assert_eq!(o.status.code(), Some(2));
}

/// The page as `man` shows it: groff (man-db's renderer) with its preprocessor for UTF-8.
fn rendered(roff: &str) -> String {
    support::require(&["groff"]);
    let mut g = Command::new("groff")
        .args(["-k", "-man", "-Tutf8", "-P", "-cbou"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    g.stdin.take().unwrap().write_all(roff.as_bytes()).unwrap();
    let page = g.wait_with_output().unwrap();
    String::from_utf8_lossy(&page.stdout).replace('\u{8}', "")
}

#[test]
fn the_manual_page_renders() {
    let o = estiba(&["man"], &[]);
    assert!(o.status.success());
    let roff = out(&o);
    assert!(
        roff.contains(".TH estiba 1") && roff.contains(".SH COMMANDS"),
        "{roff}"
    );
    let text = rendered(&roff);
    assert!(
        text.contains("SYNOPSIS") && text.contains("Change the cluster"),
        "{text}"
    );
    assert!(text.contains("estiba scale SERVICE N"), "{text}");
    assert!(text.contains("table or json"), "{text}");
    // In Spanish, all of it: clap's section names and its "possible values" note were English.
    let o = estiba(&["--lang", "es", "man"], &[]);
    let text = rendered(&out(&o));
    for said in [
        "NOMBRE",
        "SINOPSIS",
        "DESCRIPCIÓN",
        "OPCIONES",
        "COMANDOS",
        "table o json",
    ] {
        assert!(text.contains(said), "{said} not in {text}");
    }
    for english in [
        "NAME",
        "SYNOPSIS",
        "OPTIONS",
        "possible values",
        "Possible values",
    ] {
        assert!(!text.contains(english), "{english} left in {text}");
    }
}
