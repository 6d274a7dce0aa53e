//! A preset's reference solution, step by step, as `lab.yaml` writes it under `solve:`: estiba
//! commands to run, solution files to write into the lab's folder, a text to change in a file.
//! `lab solve` carries them out for the instructor and the demo; the tests walk every preset
//! with them, so each check is shown to pass on a right answer.

use super::{Lab, LabError};
use crate::model::{Node, Role};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One move of a step's solution.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Solve {
    /// An estiba command line; `${VAR}` is the environment's (REGISTRY), or a node's name:
    /// `${MANAGER}`, `${WORKER1}`, `${WORKER2}`… (workers by host name).
    Run(String),
    /// A solution file, or every file under a folder (`frontend/`), written into the lab's
    /// folder (over the skeleton the student had).
    Write(String),
    /// A text changed in a file of the lab's folder.
    Replace(Replace),
    /// A command run unless a file of the lab's folder exists (certificates another step made).
    RunUnless(RunUnless),
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunUnless {
    pub run: String,
    pub unless: String,
}

impl Solve {
    /// The command this move runs in `dir`, if it runs one.
    pub fn command(&self, dir: &Path) -> Option<&str> {
        match self {
            Solve::Run(line) => Some(line),
            Solve::RunUnless(r) if !dir.join(&r.unless).exists() => Some(&r.run),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Replace {
    pub file: String,
    pub from: String,
    pub to: String,
}

fn error(file: &Path, e: impl std::fmt::Display) -> LabError {
    LabError::Write {
        file: file.display().to_string(),
        error: e.to_string(),
    }
}

/// Whether a step's checks can pass on this kind of cluster: `lab solve` without a step leaves
/// the others (practica-k8s' compose project is the Docker engine's, its Deployments the
/// Kubernetes cluster's).
pub fn fits(step: &super::Step, kube: bool) -> bool {
    step.checks.iter().all(|c| c.fits(kube))
}

/// What `lab solve` says of a step it left: its checks are another kind of cluster's.
pub fn elsewhere(step: &str, kube: bool) -> String {
    if kube {
        crate::tr!("lab.solve_on_docker", step = step)
    } else {
        crate::tr!("lab.solve_on_kube", step = step)
    }
}

/// The steps `lab solve [STEP]` carries out: the one named (by name or number), else every
/// step that has a solution.
pub fn steps(lab: &Lab, step: Option<&str>) -> Result<Vec<usize>, LabError> {
    let Some(step) = step else {
        return Ok((0..lab.steps.len())
            .filter(|&i| !lab.steps[i].solve.is_empty())
            .collect());
    };
    let by_number = step.parse::<usize>().ok().and_then(|n| n.checked_sub(1));
    lab.steps
        .iter()
        .position(|s| s.name == step || s.name.split('-').next() == Some(step))
        .or(by_number.filter(|&i| i < lab.steps.len()))
        .map(|i| vec![i])
        .ok_or_else(|| {
            LabError::Invalid(crate::tr!(
                "lab.no_step",
                step = step,
                steps = lab
                    .steps
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
}

/// Writes a preset's solution file, or the files under a folder, into `dir`.
pub fn write(lab: &str, what: &str, dir: &Path) -> Result<Vec<PathBuf>, LabError> {
    let p = super::preset(lab)?;
    let files: Vec<&(&str, &str)> = p
        .solution
        .iter()
        .filter(|(f, _)| *f == what || (what.ends_with('/') && f.starts_with(what)))
        .collect();
    if files.is_empty() {
        return Err(LabError::Invalid(crate::tr!(
            "lab.no_solution_file",
            lab = lab,
            file = what
        )));
    }
    let mut out = vec![];
    for (f, text) in files {
        let target = dir.join(f);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| error(parent, e))?;
        }
        std::fs::write(&target, text).map_err(|e| error(&target, e))?;
        out.push(target);
    }
    Ok(out)
}

/// Changes `from` to `to` in a file of `dir`; a file already changed is left as it is.
pub fn replace(r: &Replace, dir: &Path) -> Result<PathBuf, LabError> {
    let target = dir.join(&r.file);
    let text = std::fs::read_to_string(&target).map_err(|e| error(&target, e))?;
    if !text.contains(&r.from) {
        if text.contains(&r.to) {
            return Ok(target);
        }
        return Err(error(
            &target,
            crate::tr!("lab.replace_missing", text = r.from),
        ));
    }
    std::fs::write(&target, text.replace(&r.from, &r.to)).map_err(|e| error(&target, e))?;
    Ok(target)
}

/// The nodes' names a solution's commands use: `MANAGER` (the leader, else the first manager)
/// and `WORKER1`, `WORKER2`… by host name.
pub fn node_names(nodes: &[Node]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let manager = nodes
        .iter()
        .find(|n| n.leader)
        .or_else(|| nodes.iter().find(|n| n.role == Role::Manager));
    if let Some(m) = manager {
        out.insert("MANAGER".to_string(), m.hostname.clone());
    }
    let mut workers: Vec<&str> = nodes
        .iter()
        .filter(|n| n.role == Role::Worker)
        .map(|n| n.hostname.as_str())
        .collect();
    workers.sort_unstable();
    for (i, w) in workers.into_iter().enumerate() {
        out.insert(format!("WORKER{}", i + 1), w.to_string());
    }
    out
}

/// A command line with its `${VAR}`s filled in; an unknown one is named.
pub fn expand(line: &str, var: &dyn Fn(&str) -> Option<String>) -> Result<String, LabError> {
    let mut out = String::new();
    let mut rest = line;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[i..]);
            return Ok(out);
        };
        let name = &after[..end];
        let value = var(name).ok_or_else(|| {
            LabError::Invalid(crate::tr!("lab.solve_variable", name = name, line = line))
        })?;
        out.push_str(&value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_preset_solution_names_files_it_ships_and_commands_the_grammar_takes() {
        for name in crate::presets::names() {
            let lab = super::super::load(name).unwrap();
            let d = tempfile::tempdir().unwrap();
            for s in &lab.steps {
                for m in &s.solve {
                    match m {
                        Solve::Write(f) => assert!(!write(name, f, d.path()).unwrap().is_empty()),
                        Solve::Run(line) | Solve::RunUnless(RunUnless { run: line, .. }) => {
                            let line = expand(line, &|_| Some("x".into())).unwrap();
                            crate::command::parse_line(&line)
                                .unwrap_or_else(|e| panic!("{name} {}: {line}: {e}", s.name));
                        }
                        Solve::Replace(_) => {}
                    }
                }
            }
        }
    }

    /// The stack-file steps: the skeleton `lab init` hands out fails with reasons, the
    /// solution passes.
    #[test]
    fn the_skeleton_fails_and_the_solution_passes_the_stack_file_checks() {
        for (lab, step, missing) in [
            ("semana-3", "4-stack", "there is no service backend"),
            (
                "semana-4",
                "5-stack",
                "mongo is not placed on the nodes labelled app=database",
            ),
        ] {
            let d = tempfile::tempdir().unwrap();
            let dir = d.path();
            super::super::init(lab, dir).unwrap();
            crate::certs::generate(&crate::certs::Request {
                dir: dir.join("certs"),
                ..Default::default()
            })
            .unwrap();
            let l = super::super::load(lab).unwrap();
            let st = l.steps.iter().find(|s| s.name == step).unwrap();
            let verdict = || {
                let empty = crate::lab::check::Snapshot {
                    info: None,
                    nodes: &[],
                    workloads: &[],
                    instances: &[],
                    images: &[],
                };
                let mut p = crate::lab::check::Probed::default();
                let needs = super::super::needs(&l, &empty);
                crate::backend::probe::local(&needs, dir, &mut p);
                super::super::evaluate(st, &empty, Some(&p)).unwrap()
            };
            let before = verdict();
            assert!(!before.holds, "{lab}");
            assert!(
                before.reasons.join(" ").contains(missing),
                "{lab}: {:?}",
                before.reasons
            );
            for m in &st.solve {
                match m {
                    Solve::Write(f) => {
                        write(lab, f, dir).unwrap();
                    }
                    Solve::Run(line) | Solve::RunUnless(RunUnless { run: line, .. }) => {
                        assert_eq!(line, "certs")
                    }
                    Solve::Replace(r) => {
                        replace(r, dir).unwrap();
                    }
                }
            }
            let after = verdict();
            assert!(after.holds, "{lab}: {:?}", after.reasons);
        }
    }

    #[test]
    fn steps_are_named_by_name_or_number_and_a_wrong_one_lists_them() {
        let lab = super::super::load("semana-3").unwrap();
        assert_eq!(steps(&lab, Some("4-stack")).unwrap(), [3]);
        assert_eq!(steps(&lab, Some("4")).unwrap(), [3]);
        let e = steps(&lab, Some("11")).unwrap_err().to_string();
        assert!(e.contains("1-certificados") && e.contains("11"), "{e}");
        assert_eq!(steps(&lab, None).unwrap().len(), 9);
    }

    #[test]
    fn variables_are_filled_and_an_unknown_one_is_named() {
        let v = |k: &str| (k == "REGISTRY").then(|| "127.0.0.1:5000".to_string());
        assert_eq!(
            expand("push ${REGISTRY}/api:latest", &v).unwrap(),
            "push 127.0.0.1:5000/api:latest"
        );
        let e = expand("label ${WORKER1} app=api", &v)
            .unwrap_err()
            .to_string();
        assert!(e.contains("WORKER1"), "{e}");
    }
}
