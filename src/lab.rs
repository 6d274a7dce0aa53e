//! Lab presets: one folder per lab exercise under presets/, embedded in the binary. A preset
//! has a `lab.yaml` (title and ordered steps in es and en; the step names are what evidence
//! screenshots are named after) and the files its stack needs.

use crate::i18n::Lang;
use serde::Deserialize;
use std::path::{Path, PathBuf};

pub struct Preset {
    pub name: &'static str,
    /// Path inside the preset folder, and content.
    pub files: &'static [(&'static str, &'static str)],
}

pub const PRESETS: &[Preset] = &[
    Preset {
        name: "semana-3",
        files: &[
            ("lab.yaml", include_str!("../presets/semana-3/lab.yaml")),
            ("stack.yml", include_str!("../presets/semana-3/stack.yml")),
            ("nginx.conf", include_str!("../presets/semana-3/nginx.conf")),
        ],
    },
    Preset {
        name: "semana-4",
        files: &[
            ("lab.yaml", include_str!("../presets/semana-4/lab.yaml")),
            ("stack.yml", include_str!("../presets/semana-4/stack.yml")),
            ("nginx.conf", include_str!("../presets/semana-4/nginx.conf")),
        ],
    },
    Preset {
        name: "practica-k8s",
        files: &[
            ("lab.yaml", include_str!("../presets/practica-k8s/lab.yaml")),
            (
                "manifests.yaml",
                include_str!("../presets/practica-k8s/manifests.yaml"),
            ),
        ],
    },
    Preset {
        name: "desafio-final",
        files: &[
            (
                "lab.yaml",
                include_str!("../presets/desafio-final/lab.yaml"),
            ),
            (
                "manifests.yaml",
                include_str!("../presets/desafio-final/manifests.yaml"),
            ),
        ],
    },
];

/// The Kubernetes manifests a preset ships, if it is a Kubernetes one.
pub fn manifests(name: &str) -> Option<&'static str> {
    PRESETS
        .iter()
        .find(|p| p.name == name)?
        .files
        .iter()
        .find(|(f, _)| *f == "manifests.yaml")
        .map(|(_, t)| *t)
}

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
    #[serde(skip)]
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
}

pub fn names() -> Vec<&'static str> {
    PRESETS.iter().map(|p| p.name).collect()
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
