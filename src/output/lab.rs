//! `lab check` and `lab report` on the command line: the lab's steps against the cluster, as a
//! table (or JSON) and as the hand-in.

use super::Output;
use super::{Permissions, RunError, h, json};
use crate::backend::Backend;
use crate::lab::{Assessed, Opened, Status, report};
use crate::tr;
use std::path::{Path, PathBuf};

fn cwd() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))
}

/// The lab a command names, with where its evidence is.
fn opened(name: Option<&str>, perms: &Permissions) -> Result<(Opened, PathBuf), RunError> {
    let o = crate::lab::open(name, &cwd()).map_err(|e| RunError::Lab(e.to_string()))?;
    let evidence = evidence_dir(&o, &perms.evidence_dir);
    Ok((o, evidence))
}

/// The evidence folder: inside the lab's folder when it is relative.
pub fn evidence_dir(o: &Opened, dir: &Path) -> PathBuf {
    match &o.dir {
        Some(d) if dir.is_relative() => d.join(dir),
        _ => dir.to_path_buf(),
    }
}

/// `lab check [NAME]`: the table, and an error (exit 1) unless every checkable step is done.
pub async fn check(
    backend: &Backend,
    name: Option<&str>,
    output: Output,
    perms: &Permissions,
    now: i64,
) -> Result<String, RunError> {
    let (o, evidence) = opened(name, perms)?;
    let a = crate::lab::assess(backend, &o, &evidence, now).await?;
    let text = match output {
        Output::Json => json(&serde_json::json!({
            "lab": o.lab.name,
            "cluster": a.checked.name,
            "checked": a.checked,
            "demo": a.checked.demo,
            "edited": a.edited,
            "done": a.trusted_and_done(),
            "steps": a.steps,
        })),
        Output::Table => table(&a),
    };
    if a.trusted_and_done() {
        Ok(text)
    } else {
        print!("{text}");
        Err(RunError::Lab(summary(&a)))
    }
}

fn summary(a: &Assessed) -> String {
    let done = a.steps.iter().filter(|s| s.status == Status::Done).count();
    let total = a
        .steps
        .iter()
        .filter(|s| s.status != Status::NotCheckable)
        .count();
    let mut out = tr!("lab.summary", done = done, total = total);
    if a.edited {
        out = format!("{out}\n{}", tr!("lab.progress_edited"));
    }
    out
}

fn table(a: &Assessed) -> String {
    let rows: Vec<Vec<String>> = a
        .steps
        .iter()
        .map(|s| {
            vec![
                s.name.clone(),
                report::status_word(s),
                s.passed_at
                    .map(crate::time::format_local)
                    .unwrap_or_default(),
                [
                    s.no_longer_shown
                        .then(|| tr!("lab.no_longer_shown"))
                        .into_iter()
                        .collect::<Vec<_>>(),
                    s.reasons.clone(),
                    s.evidence_foreign
                        .then(|| tr!("lab.evidence_foreign"))
                        .into_iter()
                        .collect::<Vec<_>>(),
                    s.hint
                        .iter()
                        .map(|h| tr!("lab.hint", hint = h))
                        .collect::<Vec<_>>(),
                ]
                .concat()
                .join("; "),
            ]
        })
        .collect();
    format!(
        "{}\n{}{}\n",
        report::checked_line(&a.checked),
        super::table(
            &h(&["col.step", "col.status", "col.passed", "col.why"]),
            &rows
        ),
        summary(a)
    )
}

/// The student's name: given, kept in the config, or asked once on the terminal (and kept).
fn student(given: Option<String>, perms: &Permissions) -> Result<String, RunError> {
    use std::io::IsTerminal;
    let asked = match given.or_else(|| perms.student.clone()) {
        Some(s) if !s.trim().is_empty() => {
            if perms.student.as_deref() == Some(s.as_str()) {
                return Ok(s);
            }
            s
        }
        _ if std::io::stdin().is_terminal() => {
            eprint!("{} ", tr!("lab.ask_student"));
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            let name = line.trim().to_string();
            if name.is_empty() {
                return Err(RunError::Lab(tr!("lab.student_needed")));
            }
            name
        }
        _ => return Err(RunError::Lab(tr!("lab.student_needed"))),
    };
    if let Some(f) = &perms.config_file
        && let Err(e) = crate::config::remember_student(f, &asked)
    {
        eprintln!(
            "estiba: {}",
            tr!("lab.write", file = f.display(), error = e)
        );
    }
    Ok(asked)
}

/// `lab report [NAME] [--student NAME]`: writes the hand-in and says where.
pub async fn write_report(
    backend: &Backend,
    name: Option<&str>,
    given: Option<String>,
    perms: &Permissions,
    now: i64,
) -> Result<String, RunError> {
    let (o, evidence) = opened(name, perms)?;
    let student = student(given, perms)?;
    let a = crate::lab::assess(backend, &o, &evidence, now).await?;
    let lang = crate::i18n::lang();
    let heading = report::Heading {
        title: o.lab.title.get(lang),
        student: &student,
        date: &crate::time::format_local(now),
        checked: &a.checked,
    };
    let files = report::write(&evidence, &heading, &a.steps, lang)
        .map_err(|e| RunError::Lab(e.to_string()))?;
    let mut out: String = files.iter().map(|f| format!("{}\n", f.display())).collect();
    out.push_str(&summary(&a));
    out.push('\n');
    Ok(out)
}

/// After a headless command run in a lab's folder: record the steps that pass now. With no
/// cluster (`certs`), only the steps that files alone tell.
pub async fn record_passes(backend: Option<&Backend>, perms: &Permissions, now: i64) {
    let dir = cwd();
    if !dir.join("lab.yaml").is_file() {
        return;
    }
    let Ok((o, evidence)) = opened(None, perms) else {
        return;
    };
    match backend {
        Some(b) => {
            if let Err(e) = crate::lab::assess(b, &o, &evidence, now).await {
                tracing::info!(error = %e, "lab passes not recorded");
            }
        }
        None => {
            crate::lab::record_local(&o, now);
        }
    }
}

/// The lab commands headless: `labs`, `lab open|init|check|report` (next/prev/close are the
/// console's).
pub(super) async fn run(
    backend: &Backend,
    cmd: crate::command::Command,
    output: Output,
    perms: &Permissions,
    now: i64,
) -> Result<String, RunError> {
    use crate::command::{Command, LabCommand};
    let lab_error = |e: crate::lab::LabError| RunError::Lab(e.to_string());
    Ok(match cmd {
        Command::Lab(LabCommand::Open(name)) => {
            let l = crate::lab::load(&name).map_err(lab_error)?;
            let lang = crate::i18n::lang();
            let mut out = format!("{}\n\n", l.title.get(lang));
            for s in &l.steps {
                out.push_str(&format!("  {:<24} {}\n", s.name, s.text(lang)));
            }
            out
        }
        Command::Lab(LabCommand::Init { name, dir }) => {
            let dir = PathBuf::from(dir.unwrap_or_else(|| name.clone()));
            let files = crate::lab::init(&name, &dir).map_err(lab_error)?;
            files.iter().map(|f| format!("{}\n", f.display())).collect()
        }
        Command::Lab(LabCommand::Check(name)) => {
            check(backend, name.as_deref(), output, perms, now).await?
        }
        Command::Lab(LabCommand::Report { name, student }) => {
            write_report(backend, name.as_deref(), student, perms, now).await?
        }
        Command::Lab(LabCommand::Solve(step)) => {
            let (o, evidence) = opened(None, perms)?;
            super::solve::run(backend, o, &evidence, step.as_deref(), perms, now).await?
        }
        Command::Lab(_) => return Err(RunError::ConsoleOnly("lab next/prev/close".into())),
        // `labs`: the presets.
        _ => {
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
            super::table(
                &h(&["col.name", "col.stack", "col.steps", "col.title"]),
                &rows,
            )
        }
    })
}
