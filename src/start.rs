//! Start-up: the command line, the config and the language, logging, then the console or one
//! command headless. `main` calls [`main_entry`]; everything else lives in the layers below.

use crate::backend::{self, Backend, endpoint};
use crate::cli::Cli;
use crate::config::{Config, Dirs};
use crate::output::{EXIT_ERROR, EXIT_USAGE};
use crate::{command, config, i18n, output, runtime, time, tr, ui};
use std::process::ExitCode;
use std::time::Duration;

/// The console's demo: `ESTIBA_DEMO_SCALE=1000x10000` makes a large synthetic cluster of that many
/// services and tasks (for load demos and the memory benchmark) instead of the gopenux stack.
fn demo_for_console(now: i64, lab: Option<&str>, kube: bool) -> Backend {
    if kube {
        let cluster = backend::demo::kube::Cluster::live(now, lab);
        return Backend::Kube(Box::new(backend::kube::Kube::demo(cluster)));
    }
    if let Some(lab) = lab {
        return Backend::Demo(backend::demo::Demo::for_lab(now, lab));
    }
    let scale = std::env::var("ESTIBA_DEMO_SCALE").ok().and_then(|s| {
        let (a, b) = s.split_once('x')?;
        Some((a.parse::<usize>().ok()?, b.parse::<usize>().ok()?))
    });
    match scale {
        Some((services, tasks)) if services > 0 => {
            Backend::Demo(backend::demo::Demo::scaled(now, services, tasks))
        }
        _ => Backend::Demo(backend::demo::Demo::live(now)),
    }
}

/// Everything `main` does: parse the command line, load the config, then open the console or
/// run one command headless.
pub fn main_entry() -> ExitCode {
    let _ = crate::runtime::STARTED.set(std::time::Instant::now());
    // The shell's completion asks before any flag is read: its words are the half-typed line.
    let raw: Vec<String> = std::env::args().collect();
    if raw.get(1).map(String::as_str) == Some("__complete") {
        return complete_words(&raw[2..]);
    }
    let cli = match Cli::parse_args() {
        Ok(c) => c,
        Err(e) => return clap_refused(&e),
    };
    let dirs = Dirs::detect();
    let cfg_file = cli.config.clone().unwrap_or_else(|| dirs.config_file());
    let (mut cfg, mut cfg_warning) = Config::load(&cfg_file, cli.config.is_some());
    // Language first, so every later message is in it.
    let lang = match cli.lang.as_deref().map(|l| (l, i18n::Lang::parse(l))) {
        Some((_, Some(l))) => l,
        Some((bad, None)) => {
            eprintln!("estiba: {}", tr!("cli.bad_lang", value = bad));
            return ExitCode::from(EXIT_USAGE);
        }
        None => cfg.lang.unwrap_or_else(i18n::Lang::from_env),
    };
    i18n::set_lang(lang);
    if lang != i18n::Lang::En {
        // Read again, so that what was wrong in it is said in the language it asked for.
        (cfg, cfg_warning) = Config::load(&cfg_file, cli.config.is_some());
    }
    if let Some(t) = cfg.theme.clone()
        && let Err(e) = ui::theme::Theme::load(&t, Some(&dirs.themes()))
    {
        cfg.theme = None;
        cfg_warning.push(config::ConfigError {
            file: cfg_file.display().to_string(),
            line: config::line_in_file(&cfg_file, "", "theme"),
            key: "theme".into(),
            detail: format!("{e}{}", did_you_mean(&t, ui::theme::names())),
        });
    }
    cfg.lang = Some(lang);
    // A file named with --config that is not there is a mistake, not "no config".
    if cli.config.is_some() && !cfg_file.exists() {
        let file = cfg_file.display().to_string();
        eprintln!("estiba: {}", tr!("config.missing", file = file));
        return ExitCode::from(EXIT_USAGE);
    }
    if let Err(e) = check_flags(&cli, &dirs) {
        eprintln!("estiba: {e}");
        return ExitCode::from(EXIT_USAGE);
    }
    if let Some(t) = &cli.theme {
        cfg.theme = Some(t.clone());
    }
    if let Some(h) = &cli.host {
        cfg.host = Some(h.clone());
    }
    if let Some(c) = &cli.context {
        cfg.context = Some(c.clone());
    }

    if let Some(code) = shell_command(&cli) {
        return code;
    }
    if cli.print_config {
        for w in &cfg_warning {
            eprintln!("estiba: {w}");
        }
        print!(
            "# {}\n{}",
            cfg_file.display(),
            Config {
                log_lines: Some(cfg.log_lines()),
                theme: Some(cfg.theme.clone().unwrap_or_else(|| "dark".into())),
                ..cfg.clone()
            }
            .to_toml()
        );
        return if cfg_warning.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(EXIT_ERROR)
        };
    }
    let _log_guard = init_logging(&dirs);

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("estiba: {e}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    if cli.command.is_empty() {
        use std::io::IsTerminal;
        // The console draws on a terminal; without one (a pipe, cron, ssh without -t) say so.
        if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
            eprintln!("estiba: {}", tr!("cli.needs_terminal"));
            return ExitCode::from(EXIT_USAGE);
        }
        runtime.block_on(console(cli, cfg, cfg_warning, &dirs))
    } else {
        for w in &cfg_warning {
            eprintln!("estiba: {w}");
        }
        runtime.block_on(headless(cli, cfg))
    }
}

/// `estiba completions SHELL` and `estiba man`: printed, nothing else run.
fn shell_command(cli: &Cli) -> Option<ExitCode> {
    match cli.command.first().map(String::as_str) {
        Some("completions") => {
            let shell = cli.command.get(1).map(String::as_str).unwrap_or("");
            return Some(match crate::shell::script(shell) {
                Some(text) if cli.command.len() == 2 => {
                    print!("{text}");
                    ExitCode::SUCCESS
                }
                _ => {
                    eprintln!("estiba: {}", tr!("cli.completions_usage", shell = shell));
                    ExitCode::from(EXIT_USAGE)
                }
            });
        }
        Some("man") if cli.command.len() == 1 => {
            print!("{}", crate::shell::man());
            return Some(ExitCode::SUCCESS);
        }
        _ => {}
    }
    None
}

/// The flags' values checked before anything opens, as `--lang` is: a theme that does not
/// exist, a lab that is neither a preset nor a lab folder.
fn check_flags(cli: &Cli, dirs: &Dirs) -> Result<(), String> {
    if let Some(t) = &cli.theme {
        ui::theme::Theme::load(t, Some(&dirs.themes()))
            .map_err(|e| format!("--theme: {e}{}", did_you_mean(t, ui::theme::names())))?;
    }
    if let Some(lab) = &cli.lab {
        let cwd = std::env::current_dir().unwrap_or_default();
        crate::lab::open(Some(lab), &cwd)
            .map_err(|e| format!("--lab: {e}{}", did_you_mean(lab, crate::lab::names())))?;
    }
    Ok(())
}

/// `estiba __complete WORDS…`: the candidates for the last word, one a line. Live names come
/// from the cluster the words name (or the usual one) if it answers within a second.
fn complete_words(words: &[String]) -> ExitCode {
    let words: Vec<String> = if words.is_empty() {
        vec![String::new()]
    } else {
        words.to_vec()
    };
    let wanted = std::cell::Cell::new(None);
    let offline = crate::shell::complete(&words, &|k| {
        wanted.set(Some(k));
        vec![]
    });
    let found = match wanted.get() {
        None => offline,
        Some(kind) => {
            let done = &words[..words.len() - 1];
            let mut args = vec!["estiba".to_string()];
            args.extend(done.iter().cloned());
            let cli = Cli::from_words(args).unwrap_or_default();
            let names = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()
                .map(|rt| {
                    rt.block_on(async {
                        tokio::time::timeout(Duration::from_secs(1), live_names(&cli, kind))
                            .await
                            .unwrap_or_default()
                    })
                })
                .unwrap_or_default();
            crate::shell::complete(&words, &|_| names.clone())
        }
    };
    for f in found {
        println!("{f}");
    }
    ExitCode::SUCCESS
}

/// The demo a headless command runs on: as it stands now, swarm or (`--kube`) Kubernetes.
fn demo_headless(cli: &Cli) -> Backend {
    if cli.kube {
        let cluster = backend::demo::kube::Cluster::at(time::now(), None);
        return Backend::Kube(Box::new(backend::kube::Kube::demo(cluster)));
    }
    Backend::Demo(backend::demo::Demo::at(time::now()))
}

/// The names of one kind in the cluster the command line names (empty when it does not answer).
async fn live_names(cli: &Cli, kind: command::ArgKind) -> Vec<String> {
    use command::ArgKind;
    let backend = if cli.demo {
        demo_headless(cli)
    } else if cli.kube || cli.kubeconfig.is_some() {
        match backend::kube::Kube::connect(cli.kubeconfig.as_deref(), cli.context.as_deref()).await
        {
            Ok(k) => Backend::Kube(Box::new(k)),
            Err(_) => return vec![],
        }
    } else {
        let cfg = Config {
            host: cli.host.clone(),
            context: cli.context.clone(),
            ..Config::default()
        };
        match resolve(&cfg) {
            Ok(ep) => match connect(&ep, &cfg).await {
                Ok(b) => b,
                Err(_) => return vec![],
            },
            Err(_) => return vec![],
        }
    };
    if backend.info().await.is_err() {
        return vec![];
    }
    let workloads = || async { backend.workloads().await.unwrap_or_default() };
    match kind {
        ArgKind::Service => workloads().await.into_iter().map(|w| w.name).collect(),
        ArgKind::ServiceOrTask => {
            let mut names: Vec<String> = workloads().await.into_iter().map(|w| w.name).collect();
            let tasks = backend.instances().await.unwrap_or_default();
            names.extend(tasks.into_iter().filter(|i| !i.finished()).map(|i| i.name));
            names
        }
        ArgKind::Node => {
            let nodes = backend.nodes().await.unwrap_or_default();
            nodes.into_iter().map(|n| n.hostname).collect()
        }
        ArgKind::Image => {
            let images = backend.images().await.unwrap_or_default();
            images
                .into_iter()
                .map(|i| format!("{}:{}", i.repo, i.tag))
                .collect()
        }
        _ => vec![],
    }
}

/// What clap refused (or its help and version), printed; the exit code for it.
fn clap_refused(e: &clap::Error) -> ExitCode {
    match crate::cli::refusal(e) {
        Some(words) => eprintln!("estiba: {words}"),
        None => {
            let _ = e.print();
        }
    }
    if e.use_stderr() {
        ExitCode::from(EXIT_USAGE)
    } else {
        ExitCode::SUCCESS
    }
}

/// " (did you mean X?)" when a known word is close to `word`.
fn did_you_mean<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    crate::suggest::closest(word, known)
        .map(|s| tr!("cli.did_you_mean", word = s))
        .unwrap_or_default()
}

fn init_logging(dirs: &Dirs) -> Option<()> {
    std::fs::create_dir_all(&dirs.data).ok()?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dirs.data.join("estiba.log"))
        .ok()?;
    let filter = tracing_subscriber::EnvFilter::try_from_env("ESTIBA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()
}

fn resolve(cfg: &Config) -> Result<endpoint::Endpoint, backend::Error> {
    let env = |k: &str| std::env::var(k).ok();
    endpoint::resolve(cfg.host.as_deref(), cfg.context.as_deref(), &env)
}

/// Connects to the engine; `Err` carries the endpoint and why it failed.
async fn connect(ep: &endpoint::Endpoint, cfg: &Config) -> Result<Backend, backend::Error> {
    let sw = backend::swarm::Swarm::connect(ep).await?;
    Ok(Backend::Swarm(sw.with_nodes(endpoint::of_nodes(cfg))))
}

async fn console(
    cli: Cli,
    cfg: Config,
    cfg_warning: Vec<config::ConfigError>,
    dirs: &Dirs,
) -> ExitCode {
    let mut warnings: Vec<String> = cfg_warning.iter().map(ToString::to_string).collect();
    let backend = match open_backend(&cli, &cfg, &mut warnings).await {
        Ok(b) => b,
        Err(e) => {
            eprintln!("estiba: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let theme_name = cfg.theme.clone().unwrap_or_else(|| "dark".into());
    let theme = match ui::theme::Theme::load(&theme_name, Some(&dirs.themes())) {
        Ok(t) => t,
        Err(e) => {
            warnings.push(e.to_string());
            ui::theme::Theme::default_dark()
        }
    };
    let opts = runtime::Options {
        backend,
        theme,
        theme_dir: Some(dirs.themes()),
        no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        log_lines: cfg.log_lines(),
        events_kept: cfg.events_kept(),
        show_finished: cfg.show_finished.unwrap_or(false),
        log_timestamps: cfg.log_timestamps.unwrap_or(false),
        log_wrap: cfg.log_wrap.unwrap_or(false),
        readonly: cli.readonly || cfg.readonly.unwrap_or(false),
        data_dir: Some(dirs.data.clone()),
        warnings,
        snap: config::SnapSettings::new(&cfg, cli.evidence_dir.as_deref()),
        mouse: cfg.mouse.unwrap_or(false),
        stats: cfg.stats.unwrap_or(true),
        shells: cfg.shells(),
        lab: cli.lab.clone(),
        student: cfg.lab.as_ref().and_then(|l| l.student.clone()),
        config_file: Some(cli.config.clone().unwrap_or_else(|| dirs.config_file())),
        lab_auto_snap: cfg.lab.as_ref().and_then(|l| l.auto_snap).unwrap_or(true),
    };
    match runtime::run(opts).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("estiba: {e}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// The cluster the console opens. The demo only with `--demo`, or when nothing was named and
/// the default socket does not answer (and then it says so). A named engine that does not
/// answer is kept, retrying, with the cause on the screen; a named one that cannot be used
/// (a malformed address, a missing context or kubeconfig) is an error before anything opens.
async fn open_backend(
    cli: &Cli,
    cfg: &Config,
    warnings: &mut Vec<String>,
) -> Result<Backend, backend::Error> {
    let now = time::now();
    if cli.demo {
        return Ok(demo_for_console(now, cli.lab.as_deref(), cli.kube));
    }
    if cli.kube || cli.kubeconfig.is_some() {
        let k =
            backend::kube::Kube::connect(cli.kubeconfig.as_deref(), cli.context.as_deref()).await?;
        return Ok(Backend::Kube(Box::new(k)));
    }
    let ep = resolve(cfg)?;
    match tokio::time::timeout(Duration::from_secs(3), connect(&ep, cfg)).await {
        Ok(Ok(b)) => Ok(b),
        Ok(Err(_)) | Err(_) if ep.source == endpoint::Source::Default => {
            tracing::info!("no engine reachable; opening the demo cluster");
            warnings.push(tr!("demo.fallback", endpoint = ep.host));
            Ok(demo_for_console(now, cli.lab.as_deref(), false))
        }
        // An engine the user named: stay on it and keep trying, rather than show a demo.
        Ok(Err(e)) => {
            warnings.push(e.to_string());
            stay_on(&ep, cfg)
        }
        Err(_) => stay_on(&ep, cfg),
    }
}

/// `estiba snap`: draws off-screen and prints the files written.
async fn snap_headless(
    backend: Backend,
    snap: &command::Snap,
    cli: &Cli,
    cfg: &Config,
) -> ExitCode {
    let dirs = Dirs::detect();
    let name = cfg.theme.clone().unwrap_or_else(|| "dark".into());
    let theme = match ui::theme::Theme::load(&name, Some(&dirs.themes())) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("estiba: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let settings = config::SnapSettings::new(cfg, cli.evidence_dir.as_deref());
    match runtime::snap::headless(backend, snap, &settings, &theme).await {
        Ok(files) => {
            for f in files {
                println!("{}", f.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("estiba: {e}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// The named engine, reconnecting until it answers; an error only for a malformed address.
fn stay_on(ep: &endpoint::Endpoint, cfg: &Config) -> Result<Backend, backend::Error> {
    let sw = backend::swarm::Swarm::lazy(ep)?;
    Ok(Backend::Swarm(sw.with_nodes(endpoint::of_nodes(cfg))))
}

/// `estiba class FILE` on a terminal: the class on one screen.
async fn class_screen(file: &str, cfg: &Config) -> ExitCode {
    let class = match crate::lab::class::read(std::path::Path::new(file)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("estiba: {e}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let dirs = config::Dirs::detect();
    let name = cfg.theme.clone().unwrap_or_else(|| "dark".into());
    let theme = ui::theme::Theme::load(&name, Some(&dirs.themes()))
        .unwrap_or_else(|_| ui::theme::Theme::default_dark());
    match runtime::class::run(class, theme).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("estiba: {e}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

async fn headless(cli: Cli, cfg: Config) -> ExitCode {
    let cmd = match command::parse(&cli.command) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("estiba: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    // Said before any engine is asked: these change the console, and there is none here.
    if let Some(word) = cmd.console_only() {
        eprintln!("estiba: {}", tr!("cli.console_only", command = word));
        return ExitCode::from(EXIT_USAGE);
    }
    let backend = if cli.demo {
        demo_headless(&cli)
    } else if matches!(
        cmd,
        command::Command::Help(_)
            | command::Command::Labs
            | command::Command::Lab(_)
            | command::Command::Certs(_)
            | command::Command::Class { .. }
    ) && !cmd.is_lab_assessment()
    {
        Backend::Demo(backend::demo::Demo::at(0))
    } else {
        let conn = if cli.kube || cli.kubeconfig.is_some() {
            backend::kube::Kube::connect(cli.kubeconfig.as_deref(), cli.context.as_deref())
                .await
                .map(|k| Backend::Kube(Box::new(k)))
        } else {
            match resolve(&cfg) {
                Ok(ep) => connect(&ep, &cfg).await,
                Err(e) => Err(e),
            }
        };
        match conn {
            Ok(b) => b,
            Err(e) => {
                eprintln!("estiba: {e}");
                return ExitCode::from(EXIT_ERROR);
            }
        }
    };
    if let command::Command::Snap(snap) = &cmd {
        return snap_headless(backend, snap, &cli, &cfg).await;
    }
    if let command::Command::Class {
        file,
        report: false,
        ..
    } = &cmd
        && cli.output.unwrap_or_default() == output::Output::Table
        && std::io::IsTerminal::is_terminal(&std::io::stdout())
    {
        return class_screen(file, &cfg).await;
    }
    let dirs = config::Dirs::detect();
    let perms = output::Permissions {
        data_dir: Some(dirs.data.clone()),
        readonly: cli.readonly || cfg.readonly.unwrap_or(false),
        yes: cli.yes,
        evidence_dir: config::SnapSettings::new(&cfg, cli.evidence_dir.as_deref()).dir,
        student: cfg.lab.as_ref().and_then(|l| l.student.clone()),
        config_file: Some(cli.config.clone().unwrap_or_else(|| dirs.config_file())),
        shells: cfg.shells(),
    };
    // Run in a lab's folder, a command records the steps that pass after it: with the
    // cluster for cluster commands, from the files alone for `certs`.
    let records = match &cmd {
        // The demo is not the student's cluster.
        _ if cli.demo => None,
        command::Command::Help(_)
        | command::Command::Labs
        | command::Command::Lab(_)
        | command::Command::Class { .. } => None,
        command::Command::Certs(_) => Some(false),
        _ => Some(true),
    };
    let lab_perms = perms.clone();
    match output::run(
        &backend,
        cmd,
        cli.output.unwrap_or_default(),
        time::now(),
        perms,
    )
    .await
    {
        Ok(()) => {
            if let Some(cluster) = records {
                let b = cluster.then_some(&backend);
                output::record_passes(b, &lab_perms, time::now()).await;
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            if !matches!(e, output::RunError::Exit(_)) {
                eprintln!("estiba: {e}");
            }
            ExitCode::from(e.exit_code())
        }
    }
}
