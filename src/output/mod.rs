//! Headless commands: the same grammar as the palette, run once, printed as a plain table or JSON.

use crate::backend::{Backend, Error};
use crate::command::Command;
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

mod act;
mod class;
mod class_page;
mod lab;
mod lists;
mod solve;
mod stats;
mod streams;
pub use class::{look_all, where_};
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

/// Runs one command headless and prints its result: a dispatcher over the families (lists,
/// streams, actions, lab, objects); each prints in table or JSON form.
pub async fn run(
    backend: &Backend,
    cmd: Command,
    output: Output,
    now: i64,
    perms: Permissions,
) -> Result<(), RunError> {
    if !matches!(
        cmd,
        Command::Help(_)
            | Command::Labs
            | Command::Lab(_)
            | Command::Certs(_)
            | Command::Class { .. }
    ) || cmd.is_lab_assessment()
    {
        backend.info().await?;
    }
    let text = match cmd {
        // On Kubernetes, `services` are Kubernetes Services; `workloads` the Deployments.
        Command::Services if backend.is_kube() => {
            let list =
                crate::model::action::Action::KubeList(crate::model::kube::KubeKind::Service);
            return act::act(backend, list, output, perms).await;
        }
        Command::Nodes
        | Command::Services
        | Command::Workloads
        | Command::Tasks { .. }
        | Command::Pods { .. }
        | Command::Get { .. }
        | Command::Images
        | Command::Stacks
        | Command::View(_) => lists::list(backend, cmd, output, now).await?,
        Command::Logs { target, req } => {
            let opts = req.options(now, usize::MAX / 2);
            return streams::logs(backend, &target, opts, output).await;
        }
        Command::Events { since, follow } => {
            return streams::events(backend, since.at(now), follow, output).await;
        }
        Command::Exec {
            target,
            container,
            cmd,
        } => return streams::exec(backend, target, container, cmd, &perms).await,
        Command::Forward(crate::command::Forward::Start(spec)) => {
            return streams::forward(backend, spec).await;
        }
        Command::Stats { service, no_stream } => {
            return stats::stats(backend, service, no_stream, output).await;
        }
        Command::Labs | Command::Lab(_) => lab::run(backend, cmd, output, &perms, now).await?,
        Command::Class { file, report, out } => {
            class::run(&file, report, out.as_deref(), output, now).await?
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
            inspect(backend, action, out, output, &perms).await?
        }
        Command::Certs(c) => certs(c)?,
        Command::Help(only) => help_text(only.as_deref()),
        // `compose up` without `-d` stays in front, as docker compose does.
        Command::Act(crate::model::action::Action::Compose(c))
            if c.verb == crate::model::compose::Verb::Up
                && !c.detach
                && output == Output::Table =>
        {
            return act::compose_foreground(backend, c, perms).await;
        }
        Command::Act(action) => return act::act(backend, action, output, perms).await,
        other => {
            let word = other.console_only().unwrap_or("lab next/prev/close");
            return Err(RunError::ConsoleOnly(word.into()));
        }
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}

/// `estiba certs`: make the certificates, or read one.
fn certs(c: crate::command::CertsCommand) -> Result<String, RunError> {
    Ok(match c {
        crate::command::CertsCommand::Make { req, .. } => {
            crate::certs::report(&crate::certs::generate(&req)?)
        }
        crate::command::CertsCommand::Inspect(file) => {
            let all = crate::certs::inspect(std::path::Path::new(&file))?;
            all.iter()
                .map(|s| s.describe())
                .collect::<Vec<_>>()
                .join("\n")
        }
    })
}

/// `estiba inspect`: the object as YAML (or the engine's JSON), printed or written to `--out`.
async fn inspect(
    backend: &Backend,
    action: crate::model::action::Action,
    out: Option<String>,
    output: Output,
    perms: &Permissions,
) -> Result<String, RunError> {
    let (tx, _rx) = tokio::sync::mpsc::channel(4);
    let outcome = crate::backend::perform(backend, &action, perms.readonly, &tx).await?;
    let Some(crate::model::action::Detail::Inspect(found)) = outcome.detail else {
        return Ok(String::new());
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
        return Ok(String::new());
    }
    Ok(text)
}

/// Help rows, each usage after `prefix`, in two columns `width` wide, indented two spaces.
fn lay(rows: Vec<(String, String)>, prefix: &str, width: usize, out: &mut String) {
    let rows: Vec<(String, String)> = rows
        .into_iter()
        .map(|(u, d)| (format!("{prefix}{u}"), d))
        .collect();
    for (l, r) in crate::command::help::two_columns(&rows, 34, width - 2) {
        out.push_str(format!("  {l}{r}").trim_end());
        out.push('\n');
    }
}

/// The commands by group in two columns `width` wide (for `estiba help` and `estiba --help`).
pub fn commands_text(width: usize) -> String {
    use crate::command::help;
    let mut out = String::new();
    for (group, rows) in help::grouped() {
        out.push_str(&format!("\n{}:\n", group.title()));
        let prefix = if group == help::Group::Console {
            ":"
        } else {
            ""
        };
        lay(rows, prefix, width, &mut out);
    }
    out.push_str(&format!("\n{}:\n", tr!("help.group_shell")));
    let shell = vec![
        (
            "completions bash|zsh|fish".to_string(),
            tr!("man.completions"),
        ),
        ("man".to_string(), tr!("man.man")),
    ];
    lay(shell, "", width, &mut out);
    out
}

/// The terminal's width for help text (100 off a terminal).
pub fn help_width() -> usize {
    crossterm::terminal::size()
        .ok()
        .filter(|_| std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .map_or(100, |(w, _)| usize::from(w).clamp(60, 140))
}

/// `estiba help`: the commands by group in two columns as wide as the terminal, those of the
/// console apart (written as typed there, `:theme NAME`); `estiba help CMD`: one, with its
/// aliases, said to be the console's when it is.
pub fn help_text(only: Option<&str>) -> String {
    use crate::command::help;
    let width = help_width();
    let mut out = String::new();
    if let Some(name) = only {
        let console = help::console_only(name);
        lay(
            crate::command::help_lines(Some(name)),
            if console { ":" } else { "estiba " },
            width,
            &mut out,
        );
        if console {
            out.push_str(&format!("  {}\n", tr!("help.console_only_note")));
        }
        return out;
    }
    out.push_str(&tr!("cli.help_intro"));
    out.push('\n');
    out.push_str(&commands_text(width));
    out
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
}
