//! Headless commands: the same grammar as the palette, run once, printed as a plain table or JSON.

use crate::backend::{Backend, Error};
use crate::command::Command;
use crate::model::action::Progress;
use crate::model::human_size;
use crate::tr;
use serde::Serialize;
use std::io::Write;

/// Exit codes of headless commands.
pub const EXIT_ERROR: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
/// A deploy made its changes but the stack did not converge (within `--timeout`).
pub const EXIT_NOT_CONVERGED: u8 = 3;
/// Ctrl-C stopped a deploy's waiting.
pub const EXIT_INTERRUPTED: u8 = 130;

pub use crate::model::action::table;

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
}

fn h(keys: &[&'static str]) -> Vec<String> {
    keys.iter()
        .map(|k| crate::i18n::text(k).to_uppercase())
        .collect()
}

/// How a headless command prints: a table (or YAML, for inspect) or JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Output {
    #[default]
    Table,
    Json,
}

/// An inspected object as YAML, with the words of its comments in the user's language.
pub fn yaml(found: &crate::model::inspect::Inspected) -> String {
    found.to_yaml([
        &crate::tr!("inspect.status"),
        &crate::tr!("inspect.changed"),
    ])
}

/// What a headless command failed on.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{}", tr!("cli.needs_yes", command = .0))]
    NeedsYes(String),
    #[error("{}", tr!("toast.cancelled"))]
    Cancelled,
    #[error("{0}")]
    Lab(String),
    #[error("{0}")]
    Backend(#[from] Error),
    #[error("{}", tr!("cli.console_only", command = .0))]
    ConsoleOnly(String),
    /// Ctrl-C while a deploy waited: what was done stays.
    #[error("{0}")]
    Interrupted(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Certs(#[from] crate::certs::CertError),
    /// A command run in a container ended with this code (nothing more to say).
    #[error("")]
    Exit(u8),
}

impl RunError {
    /// The exit code: 1 failed, 3 deployed but not converged, 130 stopped with Ctrl-C.
    pub fn exit_code(&self) -> u8 {
        match self {
            RunError::Backend(Error::NotConverged(_)) => EXIT_NOT_CONVERGED,
            RunError::Interrupted(_) => EXIT_INTERRUPTED,
            RunError::Exit(code) => *code,
            _ => EXIT_ERROR,
        }
    }
}

mod lab;
mod stats;
pub use lab::record_passes;

/// How a headless command may change things, and what it needs of the config.
#[derive(Debug, Clone, Default)]
pub struct Permissions {
    /// The evidence folder (`[snap] dir`, `--evidence-dir`); relative to a lab's folder.
    pub evidence_dir: std::path::PathBuf,
    /// The student's name kept in the config, and the config file to keep it in.
    pub student: Option<String>,
    pub config_file: Option<std::path::PathBuf>,
    /// The shells `exec` tries.
    pub shells: Vec<String>,
    pub readonly: bool,
    /// Where deploys are remembered for `edit STACK` (the data dir).
    pub data_dir: Option<std::path::PathBuf>,
    /// `--yes`: confirmations are answered yes.
    pub yes: bool,
}

pub async fn run(
    backend: &Backend,
    cmd: Command,
    output: Output,
    now: i64,
    perms: Permissions,
) -> Result<(), RunError> {
    let mut stdout = std::io::stdout().lock();
    if !matches!(
        cmd,
        Command::Help(_) | Command::Labs | Command::Lab(_) | Command::Certs(_)
    ) || cmd.is_lab_assessment()
    {
        backend.info().await?;
    }
    let text = match cmd {
        // Drawn by `runtime::snap::headless`, which needs the backend's events.
        Command::Snap(_) => return Err(RunError::ConsoleOnly("snap".into())),
        Command::Certs(crate::command::CertsCommand::Make { req, .. }) => {
            crate::certs::report(&crate::certs::generate(&req)?)
        }
        Command::Certs(crate::command::CertsCommand::Inspect(file)) => {
            let all = crate::certs::inspect(std::path::Path::new(&file))?;
            all.iter()
                .map(|s| s.describe())
                .collect::<Vec<_>>()
                .join("\n")
        }
        Command::Nodes => {
            let nodes = backend.nodes().await?;
            match output {
                Output::Json => json(&nodes),
                Output::Table => {
                    let rows: Vec<Vec<String>> = nodes
                        .iter()
                        .map(|n| {
                            let role = match (n.role, n.leader) {
                                (crate::model::Role::Manager, true) => tr!("node.leader"),
                                (crate::model::Role::Manager, false) => tr!("node.manager"),
                                _ => tr!("node.worker"),
                            };
                            let labels: Vec<String> =
                                n.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
                            vec![
                                n.id.get(..12).unwrap_or(&n.id).to_string(),
                                n.hostname.clone(),
                                role,
                                format!("{:?}", n.status).to_lowercase(),
                                format!("{:?}", n.availability).to_lowercase(),
                                n.engine.clone(),
                                n.addr.clone(),
                                labels.join(","),
                            ]
                        })
                        .collect();
                    table(
                        &h(&[
                            "col.id",
                            "col.hostname",
                            "col.role",
                            "col.status",
                            "col.availability",
                            "col.engine",
                            "col.address",
                            "col.labels",
                        ]),
                        &rows,
                    )
                }
            }
        }
        // On Kubernetes, `services` are Kubernetes Services; `workloads` the Deployments.
        Command::Services if backend.is_kube() => {
            drop(stdout);
            let list = crate::model::action::Action::KubeList("services".into());
            return act(backend, list, output, perms).await;
        }
        Command::Services | Command::Workloads => {
            let list = backend.workloads().await?;
            match output {
                Output::Json => json(&list),
                Output::Table => {
                    let rows: Vec<Vec<String>> = list
                        .iter()
                        .map(|w| {
                            let ports: Vec<String> =
                                w.ports.iter().map(ToString::to_string).collect();
                            vec![
                                w.id.get(..12).unwrap_or(&w.id).to_string(),
                                w.name.clone(),
                                w.stack.clone().unwrap_or_else(|| "—".into()),
                                format!("{:?}", w.mode).to_lowercase(),
                                format!("{}/{}", w.running, w.desired),
                                w.image.clone(),
                                ports.join(","),
                                w.update
                                    .as_ref()
                                    .map(|u| u.state.clone())
                                    .unwrap_or_default(),
                            ]
                        })
                        .collect();
                    table(
                        &h(&[
                            "col.id",
                            "col.name",
                            "col.stack",
                            "col.mode",
                            "col.replicas",
                            "col.image",
                            "col.ports",
                            "col.update",
                        ]),
                        &rows,
                    )
                }
            }
        }
        Command::Tasks { service } => {
            let w = backend.find_workload(&service).await?;
            let list: Vec<_> = backend
                .instances()
                .await?
                .into_iter()
                .filter(|i| i.workload_id == w.id)
                .collect();
            match output {
                Output::Json => json(&list),
                Output::Table => {
                    let rows: Vec<Vec<String>> = list
                        .iter()
                        .map(|i| {
                            vec![
                                i.id.get(..12).unwrap_or(&i.id).to_string(),
                                i.name.clone(),
                                i.image.clone(),
                                i.node.clone(),
                                i.desired.clone(),
                                format!("{} {}", i.state, crate::time::age(i.since, now)),
                                i.error.clone().unwrap_or_default(),
                            ]
                        })
                        .collect();
                    table(
                        &h(&[
                            "col.id",
                            "col.name",
                            "col.image",
                            "col.node",
                            "col.desired",
                            "col.current",
                            "col.error",
                        ]),
                        &rows,
                    )
                }
            }
        }
        Command::Images => {
            let list = backend.images().await?;
            match output {
                Output::Json => json(&list),
                Output::Table => {
                    let rows: Vec<Vec<String>> = list
                        .iter()
                        .map(|i| {
                            vec![
                                i.repo.clone(),
                                i.tag.clone(),
                                i.id.get(..12).unwrap_or(&i.id).to_string(),
                                crate::time::age(i.created, now),
                                human_size(i.size),
                            ]
                        })
                        .collect();
                    table(
                        &h(&[
                            "col.repository",
                            "col.tag",
                            "col.image_id",
                            "col.created",
                            "col.size",
                        ]),
                        &rows,
                    )
                }
            }
        }
        Command::Logs { target, req } => {
            drop(stdout);
            return logs(backend, &target, req.options(now, usize::MAX / 2), output).await;
        }
        Command::Exec {
            target,
            container,
            cmd,
        } => {
            drop(stdout);
            return exec(backend, target, container, cmd, &perms).await;
        }
        Command::Stats { service, no_stream } => {
            drop(stdout);
            return stats::stats(backend, service, no_stream, output).await;
        }
        Command::LogsSave(_) | Command::LogsFilter(_) => {
            return Err(RunError::ConsoleOnly("logs save/filter".into()));
        }
        Command::Help(only) => help_text(only.as_deref()),
        Command::Events { since, follow } => {
            let (tx, mut rx) = tokio::sync::mpsc::channel(64);
            let printer = async move {
                while let Some(batch) = rx.recv().await {
                    let batch: Vec<crate::model::events::ClusterEvent> = batch;
                    for e in batch {
                        let text = match output {
                            Output::Json => serde_json::to_string(&e).unwrap_or_default(),
                            Output::Table => e.line(&crate::time::format_utc(e.time)),
                        };
                        if writeln!(std::io::stdout(), "{text}").is_err() {
                            return;
                        }
                    }
                }
            };
            let (res, ()) = tokio::join!(backend.events(since.at(now), follow, tx), printer);
            res?;
            return Ok(());
        }
        Command::View(kind) => {
            let l = backend.listing(kind).await?;
            match output {
                Output::Json => json(&l.to_json()),
                Output::Table => table(&h(&l.header_keys()), &l.rows),
            }
        }
        Command::Inspect {
            kind,
            name,
            show_secrets,
            out,
        } => {
            let action = crate::model::action::Action::Inspect {
                kind,
                name,
                show_secrets,
            };
            let (tx, _rx) = tokio::sync::mpsc::channel(4);
            let outcome = crate::backend::perform(backend, &action, perms.readonly, &tx).await?;
            let Some(crate::model::action::Detail::Inspect(found)) = outcome.detail else {
                return Ok(());
            };
            let text = match output {
                Output::Json => json(&found.object),
                Output::Table => yaml(&found),
            };
            if let Some(file) = out {
                std::fs::write(&file, &text)?;
                eprintln!(
                    "{}",
                    tr!(
                        "inspect.saved",
                        kind = crate::i18n::text(found.kind.catalog_key()),
                        name = found.name,
                        file = file
                    )
                );
                return Ok(());
            }
            text
        }
        Command::Filter(_) => return Err(RunError::ConsoleOnly("filter".into())),
        Command::Theme(_) => return Err(RunError::ConsoleOnly("theme".into())),
        Command::Lang(_) => return Err(RunError::ConsoleOnly("lang".into())),
        Command::Quit => return Err(RunError::ConsoleOnly("quit".into())),
        Command::History => return Err(RunError::ConsoleOnly("history".into())),
        Command::Edit { .. } => return Err(RunError::ConsoleOnly("edit".into())),
        Command::Labs => {
            let rows: Vec<Vec<String>> = crate::presets::names()
                .iter()
                .filter_map(|n| crate::lab::load(n).ok())
                .map(|l| {
                    vec![
                        l.name.clone(),
                        l.stack.clone(),
                        l.steps.len().to_string(),
                        l.title.get(crate::i18n::lang()).to_string(),
                    ]
                })
                .collect();
            table(
                &h(&["col.name", "col.stack", "col.steps", "col.title"]),
                &rows,
            )
        }
        Command::Lab(crate::command::LabCommand::Open(name)) => {
            let l = crate::lab::load(&name).map_err(|e| RunError::Lab(e.to_string()))?;
            let lang = crate::i18n::lang();
            let mut out = format!("{}\n\n", l.title.get(lang));
            for s in &l.steps {
                out.push_str(&format!("  {:<24} {}\n", s.name, s.text(lang)));
            }
            out
        }
        Command::Lab(crate::command::LabCommand::Init { name, dir }) => {
            let dir = std::path::PathBuf::from(dir.unwrap_or_else(|| name.clone()));
            let files = crate::lab::init(&name, &dir).map_err(|e| RunError::Lab(e.to_string()))?;
            files.iter().map(|f| format!("{}\n", f.display())).collect()
        }
        Command::Lab(crate::command::LabCommand::Check(name)) => {
            lab::check(backend, name.as_deref(), output, &perms, now).await?
        }
        Command::Lab(crate::command::LabCommand::Report { name, student }) => {
            lab::write_report(backend, name.as_deref(), student, &perms, now).await?
        }
        Command::Lab(_) => return Err(RunError::ConsoleOnly("lab next/prev/close".into())),
        Command::Stacks => {
            let list = crate::model::stacks(&backend.workloads().await?);
            match output {
                Output::Json => json(&list),
                Output::Table => {
                    let rows: Vec<Vec<String>> = list
                        .iter()
                        .map(|s| {
                            vec![
                                s.name.clone(),
                                s.services.to_string(),
                                format!("{}/{}", s.running, s.desired),
                                health_word(s.health),
                            ]
                        })
                        .collect();
                    table(
                        &h(&["col.name", "col.services", "col.replicas", "col.health"]),
                        &rows,
                    )
                }
            }
        }
        Command::Act(action) => {
            drop(stdout);
            return act(backend, action, output, perms).await;
        }
    };
    stdout.write_all(text.as_bytes())?;
    Ok(())
}

/// Prints progress messages. On a terminal a live block (a bar per layer) is redrawn in place;
/// elsewhere (logs, pipes) only its lines that changed stage are printed, as `docker push` does.
struct LiveBlock {
    terminal: bool,
    /// Lines of the live block on screen (terminal) or already printed (elsewhere).
    lines: Vec<String>,
}

impl LiveBlock {
    fn new(terminal: bool) -> LiveBlock {
        LiveBlock {
            terminal,
            lines: Vec::new(),
        }
    }

    fn show(&mut self, out: &mut impl Write, p: &Progress) -> std::io::Result<()> {
        let (body, live) = match p {
            Progress::Step(t) => (t.as_str(), None),
            Progress::Live { text, minor } => (text.as_str(), Some(*minor)),
        };
        match (live, self.terminal) {
            (None, _) => {
                self.lines.clear();
                writeln!(out, "{body}")
            }
            (Some(_), true) => {
                if !self.lines.is_empty() {
                    // Back to the block's first line, and clear to the end of the screen.
                    write!(out, "\x1b[{}F\x1b[J", self.lines.len())?;
                }
                writeln!(out, "{body}")?;
                self.lines = body.lines().map(str::to_string).collect();
                Ok(())
            }
            (Some(true), false) => Ok(()),
            (Some(false), false) => {
                for line in body.lines() {
                    if !self.lines.iter().any(|l| l == line) {
                        writeln!(out, "{line}")?;
                        self.lines.push(line.to_string());
                    }
                }
                Ok(())
            }
        }
    }
}

/// Runs an action: asks first when it is disruptive (or needs `--yes` without a terminal),
/// prints progress on stderr, then the result and the equivalent docker command.
async fn act(
    backend: &Backend,
    action: crate::model::action::Action,
    output: Output,
    perms: Permissions,
) -> Result<(), RunError> {
    use std::io::IsTerminal;
    // On the command line a deploy goes ahead like `docker stack deploy` (`estiba diff` previews).
    let confirm = if matches!(action, crate::model::action::Action::Deploy { .. }) {
        None
    } else {
        action.confirmation()
    };
    if let Some(question) = confirm.filter(|_| !(perms.yes || (perms.readonly && action.mutates())))
    {
        if !std::io::stdin().is_terminal() {
            return Err(RunError::NeedsYes(action.cli(backend.is_kube())));
        }
        eprint!(
            "{} {}  {} ",
            crate::i18n::text(question),
            action.cli(backend.is_kube()),
            tr!("confirm.keys")
        );
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "s" | "S" | "yes" | "si" | "sí") {
            return Err(RunError::Cancelled);
        }
    }
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Progress>(32);
    let show = async move {
        let mut shown = LiveBlock::new(std::io::stderr().is_terminal());
        while let Some(text) = rx.recv().await {
            let _ = shown.show(&mut std::io::stderr(), &text);
        }
    };
    let (result, ()) = tokio::join!(
        async {
            let work = crate::backend::perform(backend, &action, perms.readonly, &tx);
            // Ctrl-C while a deploy waits for its stack stops the waiting, not the stack.
            let r = match &action {
                crate::model::action::Action::Deploy { stack, .. } => tokio::select! {
                    r = work => r.map_err(RunError::from),
                    _ = tokio::signal::ctrl_c() => Err(RunError::Interrupted(tr!("deploy.interrupted", stack = stack))),
                },
                _ => work.await.map_err(RunError::from),
            };
            drop(tx);
            r
        },
        show
    );
    let outcome = result?;
    if let (crate::model::action::Action::Deploy { stack, files, .. }, Some(d)) =
        (&action, &perms.data_dir)
    {
        crate::stack::remember(d, stack, files);
    }
    let mut out = std::io::stdout().lock();
    match output {
        Output::Json => {
            let v = serde_json::json!({ "summary": outcome.summary, "detail": outcome.detail, "docker": action.cli(backend.is_kube()) });
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&v).unwrap_or_default()
            )?;
        }
        Output::Table => {
            writeln!(out, "{}", outcome.summary)?;
            if let Some(d) = outcome.detail {
                writeln!(out, "{}", d.to_text().trim_end())?;
            }
            writeln!(
                out,
                "{} {}",
                tr!("toast.equivalent"),
                action.cli(backend.is_kube())
            )?;
        }
    }
    Ok(())
}

fn health_word(h: crate::model::Health) -> String {
    match h {
        crate::model::Health::Healthy => tr!("stacks.healthy"),
        crate::model::Health::Converging => tr!("stacks.converging"),
        crate::model::Health::Down => tr!("stacks.down"),
    }
}

pub fn help_text(only: Option<&str>) -> String {
    let mut out = String::new();
    if only.is_none() {
        out.push_str(&tr!("cli.help_intro"));
        out.push_str("\n\n");
    }
    for (usage, desc) in crate::command::help_lines(only) {
        out.push_str(&format!("  estiba {usage:<36} {desc}\n"));
    }
    out
}

/// `estiba exec TASK [-- CMD]`: the shell in this terminal; exits with its code.
async fn exec(
    backend: &Backend,
    target: Option<String>,
    container: Option<String>,
    cmd: Vec<String>,
    perms: &Permissions,
) -> Result<(), RunError> {
    let target = target.ok_or_else(|| RunError::Lab(tr!("exec.pick")))?;
    if perms.readonly {
        return Err(RunError::Backend(Error::ReadOnly(format!("exec {target}"))));
    }
    let info = backend.info().await?;
    let i = crate::backend::find_by_name(backend.instances().await?, &target, "kind.task", |i| {
        (&i.name, &i.id)
    })?;
    let all = i.containers.join(", ");
    match i.container_choice(container.as_deref()) {
        Some(crate::model::ContainerChoice::Ask) => {
            return Err(RunError::Lab(tr!(
                "exec.pick_container",
                name = i.name,
                containers = all
            )));
        }
        Some(crate::model::ContainerChoice::Unknown(c)) => {
            return Err(RunError::Lab(tr!(
                "exec.no_container",
                name = i.name,
                container = c,
                containers = all
            )));
        }
        None => {}
    }
    let req = crate::model::ExecRequest::new(i, container, cmd);
    let reach = crate::backend::exec::Reach::of(backend);
    let Some(via) = reach.via(&req, Some(&info)).await else {
        return Err(RunError::Lab(tr!("exec.no_engine")));
    };
    let tty = std::io::IsTerminal::is_terminal(&std::io::stdin());
    if tty {
        crossterm::terminal::enable_raw_mode()?;
    }
    let r = crate::backend::exec::run(&via, &req, &perms.shells).await;
    if tty {
        let _ = crossterm::terminal::disable_raw_mode();
    }
    match r {
        Ok(0) => Ok(()),
        Ok(code) => Err(RunError::Exit(code.clamp(1, 255) as u8)),
        Err(e) => Err(RunError::Lab(e.to_string())),
    }
}

async fn logs(
    backend: &Backend,
    target: &str,
    opts: crate::model::LogOptions,
    output: Output,
) -> Result<(), RunError> {
    let target = backend.resolve_log_target(target).await?;
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    let printer = async move {
        while let Some(batch) = rx.recv().await {
            let batch: Vec<crate::model::LogLine> = batch;
            for l in batch {
                let text = match output {
                    Output::Json => serde_json::to_string(&l).unwrap_or_default(),
                    Output::Table => format!("{}    | {}", l.source, l.text),
                };
                let res = match l.stream {
                    crate::model::Stream::Stdout => writeln!(std::io::stdout(), "{text}"),
                    crate::model::Stream::Stderr => writeln!(std::io::stderr(), "{text}"),
                };
                if res.is_err() {
                    return;
                }
            }
        }
    };
    let (res, ()) = tokio::join!(backend.logs(&target, &opts, tx), printer);
    res?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_columns() {
        let t = table(
            &["A".into(), "BB".into()],
            &[
                vec!["ñandú".into(), "x".into()],
                vec!["b".into(), "yy".into()],
            ],
        );
        assert_eq!(t, "A       BB\nñandú   x\nb       yy\n");
    }

    fn shown(terminal: bool, messages: &[Progress]) -> String {
        let mut live = LiveBlock::new(terminal);
        let mut out = Vec::new();
        for m in messages {
            live.show(&mut out, m).unwrap();
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn live_blocks_redraw_on_a_terminal_and_print_changes_elsewhere() {
        let live = |text: &str, minor: bool| Progress::Live {
            text: text.into(),
            minor,
        };
        let messages = [
            Progress::Step("Preparing".into()),
            live("all 0/1\n  aaa preparing", false),
            live("all 0/1\n  aaa pushing 10B", true),
            live("all 1/1\n  aaa pushed", false),
        ];
        assert_eq!(
            shown(true, &messages),
            "Preparing\nall 0/1\n  aaa preparing\n\x1b[2F\x1b[Jall 0/1\n  aaa pushing 10B\n\
             \x1b[2F\x1b[Jall 1/1\n  aaa pushed\n"
        );
        assert_eq!(
            shown(false, &messages),
            "Preparing\nall 0/1\n  aaa preparing\nall 1/1\n  aaa pushed\n"
        );
    }
}
