//! The passes of a lab, recorded beside its `lab.yaml` in `lab-progress.json`: a step that
//! passed stays passed, with the time it passed, even when a later step changes the cluster.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const FILE: &str = "lab-progress.json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Passed {
    /// When estiba first saw the step done (Unix seconds).
    pub at: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// The lab these passes are of.
    pub lab: String,
    #[serde(default)]
    pub passed: BTreeMap<String, Passed>,
}

pub fn path(dir: &Path) -> PathBuf {
    dir.join(FILE)
}

impl Progress {
    /// The passes recorded in `dir` for `lab` (none when there is no file, or it is another
    /// lab's, or it cannot be read: a damaged file starts over rather than stop the lab).
    pub fn load(dir: &Path, lab: &str) -> Progress {
        let p = std::fs::read_to_string(path(dir))
            .ok()
            .and_then(|t| serde_json::from_str::<Progress>(&t).ok())
            .filter(|p| p.lab == lab);
        p.unwrap_or_else(|| Progress {
            lab: lab.to_string(),
            passed: BTreeMap::new(),
        })
    }

    /// Writes the passes, merged with those another estiba (a headless command, another
    /// console) recorded meanwhile: each step keeps the earliest time it passed.
    pub fn save(&mut self, dir: &Path) -> std::io::Result<()> {
        for (step, p) in Progress::load(dir, &self.lab).passed {
            let e = self.passed.entry(step).or_insert_with(|| p.clone());
            e.at = e.at.min(p.at);
        }
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        let tmp = dir.join(format!(".{FILE}.tmp"));
        std::fs::write(&tmp, text + "\n")?;
        std::fs::rename(tmp, path(dir))
    }

    /// Records the steps that hold now and had not passed before; returns their names.
    pub fn record(&mut self, lab: &super::Lab, now: &[Option<super::Now>], at: i64) -> Vec<String> {
        let mut new = vec![];
        for (step, n) in lab.steps.iter().zip(now) {
            if n.as_ref().is_some_and(|n| n.holds) && !self.passed.contains_key(&step.name) {
                self.passed.insert(step.name.clone(), Passed { at });
                new.push(step.name.clone());
            }
        }
        new
    }
}
