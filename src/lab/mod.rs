//! Lab presets: one folder per lab exercise under presets/, embedded in the binary. A preset
//! has a `lab.yaml` (title and ordered steps in es and en, each with the checks that tell when
//! it is done; the step names are what evidence screenshots are named after) and the files its
//! stack needs. `lab init` writes them into a folder, the lab's folder: passes are recorded
//! there ([`progress`]) and the hand-in is written there ([`report`]).

mod assess;
pub mod check;
pub mod class;
pub mod progress;
pub mod report;
pub mod solve;
mod status;

pub use assess::{Assessed, Checked, assess, assess_with, place, record_local, recorded};
pub use status::{Now, Status, StepReport, all_done, evaluate, reports, verify_evidence};

pub use crate::presets::{PRESETS, Preset, manifests, names};

use crate::i18n::Lang;
use check::{Check, Snapshot};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Text {
    pub es: String,
    pub en: String,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Es => &self.es,
            Lang::En => &self.en,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// File-safe: evidence screenshots are named after it (`7-escalar-backend`).
    pub name: String,
    pub es: String,
    pub en: String,
    /// What tells the step is done; none: the step cannot be checked (writing a Dockerfile).
    #[serde(default, with = "serde_norway::with::singleton_map_recursive")]
    pub checks: Vec<Check>,
    /// Shown after a check failed: where to look, in es and en.
    #[serde(default)]
    pub hint: Option<Text>,
    /// The reference solution's moves (`lab solve`).
    #[serde(default, with = "serde_norway::with::singleton_map_recursive")]
    pub solve: Vec<solve::Solve>,
    /// What the step's evidence picture shows.
    #[serde(default)]
    pub evidence: Option<EvidenceView>,
}

/// The view that proves a step, as its evidence picture shows it: a pane with the step's object
/// selected, or a certificate's subject and names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceView {
    /// `nodes`, `services`, `tasks` or `images`.
    #[serde(default)]
    pub pane: Option<String>,
    /// A look-inside view in the services pane's place: `services` (Kubernetes Services, with
    /// their NodePorts), `namespaces`, `secrets` (their keys, never the values), `configmaps`,
    /// and on a swarm `networks`, `volumes`, `configs`.
    #[serde(default)]
    pub view: Option<String>,
    /// The object to select: a service, a node's host name, an image's `name:tag`, a row.
    #[serde(default)]
    pub select: Option<String>,
    /// A certificate file (relative to the lab's folder) whose summary is the picture.
    #[serde(default)]
    pub cert: Option<String>,
    /// A file the student wrote (the stack, the API's code), shown as text.
    #[serde(default)]
    pub file: Option<String>,
}

impl Step {
    pub fn text(&self, lang: Lang) -> &str {
        match lang {
            Lang::Es => &self.es,
            Lang::En => &self.en,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lab {
    /// The preset it came from (`semana-3`).
    pub name: String,
    pub title: Text,
    pub stack: String,
    pub files: Vec<String>,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LabError {
    #[error("{}", crate::tr!("lab.unknown", name = .name, known = .known))]
    Unknown { name: String, known: String },
    #[error("{}", crate::tr!("lab.exists", file = .0))]
    Exists(String),
    #[error("{}", crate::tr!("lab.write", file = .file, error = .error))]
    Write { file: String, error: String },
    #[error("{0}")]
    Invalid(String),
    #[error("{}", crate::tr!("lab.no_folder", dir = .0))]
    NoLab(String),
}

fn preset(name: &str) -> Result<&'static Preset, LabError> {
    PRESETS
        .iter()
        .find(|p| p.name == name)
        .ok_or_else(|| LabError::Unknown {
            name: name.to_string(),
            known: names().join(", "),
        })
}

pub fn load(name: &str) -> Result<Lab, LabError> {
    let p = preset(name)?;
    let text = p
        .files
        .iter()
        .find(|(f, _)| *f == "lab.yaml")
        .map(|(_, t)| *t)
        .unwrap_or_default();
    let mut lab: Lab = serde_norway::from_str(text)
        .map_err(|e| LabError::Invalid(format!("presets/{name}/lab.yaml: {e}")))?;
    lab.name = name.to_string();
    Ok(lab)
}

/// Reads a lab folder's `lab.yaml`; errors name the file and the line.
pub fn load_file(file: &Path) -> Result<Lab, LabError> {
    let text = std::fs::read_to_string(file).map_err(|e| LabError::Write {
        file: file.display().to_string(),
        error: e.to_string(),
    })?;
    serde_norway::from_str(&text).map_err(|e| LabError::Invalid(format!("{}: {e}", file.display())))
}

/// A lab and the folder it lives in (where passes and the hand-in are written); `None` for a
/// preset opened without a folder.
#[derive(Debug, Clone, PartialEq)]
pub struct Opened {
    pub lab: Lab,
    pub dir: Option<PathBuf>,
}

/// Finds the lab a command means, from `cwd`: NAME as a folder holding `lab.yaml`; the folder
/// `lab init NAME` made (`./NAME`), or `./lab.yaml` when it is that lab; else the preset alone.
/// Without NAME, `./lab.yaml`.
pub fn open(name: Option<&str>, cwd: &Path) -> Result<Opened, LabError> {
    let here = cwd.join("lab.yaml");
    let folder = |dir: PathBuf| -> Result<Opened, LabError> {
        Ok(Opened {
            lab: load_file(&dir.join("lab.yaml"))?,
            dir: Some(dir),
        })
    };
    let Some(name) = name else {
        if here.is_file() {
            return folder(cwd.to_path_buf());
        }
        return Err(LabError::NoLab(cwd.display().to_string()));
    };
    let given = cwd.join(name);
    if given.join("lab.yaml").is_file() {
        return folder(given);
    }
    if given.is_file() && given.file_name().is_some_and(|f| f == "lab.yaml") {
        return folder(given.parent().unwrap_or(cwd).to_path_buf());
    }
    if here.is_file() && load_file(&here).is_ok_and(|l| l.name == name) {
        return folder(cwd.to_path_buf());
    }
    Ok(Opened {
        lab: load(name)?,
        dir: None,
    })
}

/// What every step needs probed.
pub fn needs(lab: &Lab, snap: &Snapshot) -> check::Needs {
    let mut n = check::Needs::default();
    for c in lab.steps.iter().flat_map(|s| &s.checks) {
        check::add_needs(&mut n, c, snap);
    }
    n
}

/// Writes a preset's files into `dir` (created when missing). Existing files are never
/// overwritten: then nothing is written and the error names the file.
pub fn init(name: &str, dir: &Path) -> Result<Vec<PathBuf>, LabError> {
    let p = preset(name)?;
    let targets: Vec<PathBuf> = p.files.iter().map(|(f, _)| dir.join(f)).collect();
    if let Some(existing) = targets.iter().find(|t| t.exists()) {
        return Err(LabError::Exists(existing.display().to_string()));
    }
    std::fs::create_dir_all(dir).map_err(|e| LabError::Write {
        file: dir.display().to_string(),
        error: e.to_string(),
    })?;
    for ((_, content), target) in p.files.iter().zip(&targets) {
        std::fs::write(target, content).map_err(|e| LabError::Write {
            file: target.display().to_string(),
            error: e.to_string(),
        })?;
    }
    Ok(targets)
}

/// A step's evidence picture in `dir`, by its name, when there is one.
pub fn evidence_file(dir: &Path, step: &str) -> Option<String> {
    let f = format!("{step}.png");
    dir.join(&f).is_file().then_some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_parses_with_file_safe_step_names() {
        for name in names() {
            let lab = load(name).unwrap();
            assert!(!lab.steps.is_empty() && !lab.title.es.is_empty() && !lab.title.en.is_empty());
            for s in &lab.steps {
                assert!(
                    s.name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                    "{name}: {}",
                    s.name
                );
                assert!(!s.es.is_empty() && !s.en.is_empty());
            }
            for f in &lab.files {
                assert!(
                    PRESETS
                        .iter()
                        .any(|p| p.name == name && p.files.iter().any(|(n, _)| n == f)),
                    "{name}: {f} is not shipped"
                );
            }
        }
        assert_eq!(load("semana-3").unwrap().steps[6].name, "7-escalar-backend");
        assert!(matches!(load("semana-9"), Err(LabError::Unknown { .. })));
    }

    #[test]
    fn init_writes_the_files_and_never_overwrites() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("semana-3");
        let written = init("semana-3", &dir).unwrap();
        assert_eq!(written.len(), 3);
        std::fs::write(dir.join("stack.yml"), "mine").unwrap();
        let e = init("semana-3", &dir).unwrap_err();
        assert!(
            matches!(e, LabError::Exists(ref f) if f.ends_with("lab.yaml")),
            "{e:?}"
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("stack.yml")).unwrap(),
            "mine"
        );
    }
}
