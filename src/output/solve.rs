//! `lab solve [STEP]` on the command line: the reference solution carried out in the lab's
//! folder against the cluster — files written, estiba commands run as typed (confirmations
//! answered yes) — then the step checked as `lab check` checks it. Without STEP, every step
//! not done yet, in order.

use super::{Output, Permissions, RunError};
use crate::backend::Backend;
use crate::lab::solve::{self, Solve};
use crate::lab::{Opened, Status};
use crate::tr;
use std::path::Path;

/// Carries out one move; returns what it did, in a line.
async fn make(
    backend: &Backend,
    lab: &str,
    dir: &Path,
    m: &Solve,
    perms: &Permissions,
    now: i64,
) -> Result<String, RunError> {
    let lab_error = |e: crate::lab::LabError| RunError::Lab(e.to_string());
    match m {
        Solve::Write(f) => {
            let files = solve::write(lab, f, dir).map_err(lab_error)?;
            Ok(files
                .iter()
                .map(|f| tr!("lab.solve_wrote", file = f.display()))
                .collect::<Vec<_>>()
                .join("\n"))
        }
        Solve::Replace(r) => {
            let f = solve::replace(r, dir).map_err(lab_error)?;
            Ok(tr!("lab.solve_wrote", file = f.display()))
        }
        m => {
            let Some(line) = m.command(dir) else {
                return Ok(String::new());
            };
            let nodes = match backend.nodes().await {
                Ok(n) => solve::node_names(&n),
                Err(_) => Default::default(),
            };
            let demo = backend.is_demo();
            let var = |k: &str| {
                nodes
                    .get(k)
                    .cloned()
                    .or_else(|| crate::backend::demo::variable_for(demo, k))
            };
            let line = solve::expand(line, &var).map_err(lab_error)?;
            eprintln!("{}", tr!("lab.solve_run", line = line));
            let cmd =
                crate::command::parse_line(&line).map_err(|e| RunError::Lab(e.to_string()))?;
            let perms = Permissions {
                yes: true,
                ..perms.clone()
            };
            // Commands run in the lab's folder, as the student runs them there.
            Box::pin(super::run(backend, cmd, Output::Table, now, perms)).await?;
            Ok(String::new())
        }
    }
}

/// `lab solve [STEP]`.
pub async fn run(
    backend: &Backend,
    o: Opened,
    evidence: &Path,
    step: Option<&str>,
    perms: &Permissions,
    now: i64,
) -> Result<String, RunError> {
    if backend.is_demo() {
        return Err(RunError::Lab(tr!(
            "lab.demo_solve_console",
            lab = o.lab.name
        )));
    }
    let dir = o
        .dir
        .clone()
        .ok_or_else(|| RunError::Lab(crate::lab::LabError::NoLab(".".into()).to_string()))?;
    let steps = solve::steps(&o.lab, step).map_err(|e| RunError::Lab(e.to_string()))?;
    let mut out = String::new();
    for i in steps {
        let name = o.lab.steps[i].name.clone();
        if step.is_none() && !solve::fits(&o.lab.steps[i], backend.is_kube()) {
            out.push_str(&format!("{}\n", solve::elsewhere(&name, backend.is_kube())));
            continue;
        }
        if step.is_none() {
            let a = crate::lab::assess(backend, &o, evidence, now).await?;
            if a.steps[i].status == Status::Done {
                out.push_str(&format!("{}\n", tr!("lab.solve_skip", step = name)));
                continue;
            }
        }
        eprintln!("{}", tr!("lab.solving", step = name));
        for m in &o.lab.steps[i].solve {
            let said = make(backend, &o.lab.name, &dir, m, perms, now).await?;
            if !said.is_empty() {
                eprintln!("{said}");
            }
        }
        let a = crate::lab::assess(backend, &o, evidence, crate::time::now()).await?;
        let r = &a.steps[i];
        match r.status {
            Status::NotYet => {
                print!("{out}");
                return Err(RunError::Lab(tr!(
                    "lab.solve_failed",
                    step = name,
                    reasons = r.reasons.join("; ")
                )));
            }
            _ => out.push_str(&format!("{}\n", tr!("lab.solve_done", step = name))),
        }
    }
    Ok(out)
}
