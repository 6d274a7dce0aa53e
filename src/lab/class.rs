//! A class: the students of one lab, each reached at an endpoint (an engine, a docker context, a
//! kubeconfig context) or read from the folder holding their hand-in, as `estiba class FILE`
//! shows them on one screen, one row per student and one column per step.

use super::{LabError, Status, StepReport};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The class file, as written (`lab:` and `students:`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassFile {
    pub lab: String,
    pub students: Vec<Student>,
    /// Seconds between two looks at a student's cluster (10 by default).
    #[serde(default)]
    pub every: Option<u64>,
}

/// One student and where their work is. At least one of `host`, `context`, `kubeconfig`,
/// `folder`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Student {
    pub name: String,
    /// A Docker engine: `tcp://10.0.0.11:2376`, `unix:///…`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The folder of the client's `ca.pem`, `cert.pem`, `key.pem` for a TLS `host`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<String>,
    /// A docker context, or with `kubeconfig` the kubeconfig's context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// A kubeconfig file: the student's Kubernetes cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubeconfig: Option<String>,
    /// The folder holding the student's lab (its `lab-progress.json`, files and evidence).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub folder: Option<String>,
}

impl Student {
    /// Whether the student's cluster is reached (not only their folder read).
    pub fn has_endpoint(&self) -> bool {
        self.host.is_some() || self.context.is_some() || self.kubeconfig.is_some()
    }

    /// Where the student is reached, in a few words.
    pub fn endpoint(&self) -> String {
        match (&self.host, &self.kubeconfig, &self.context, &self.folder) {
            (Some(h), ..) => h.clone(),
            (None, Some(k), c, _) => match c {
                Some(c) => format!("{k} ({c})"),
                None => k.clone(),
            },
            (None, None, Some(c), _) => crate::tr!("class.context", name = c),
            (None, None, None, Some(f)) => f.clone(),
            _ => String::new(),
        }
    }
}

/// Reads a class file; errors name the file and the line. Paths in it are relative to its
/// folder; they are made so here.
pub fn read(file: &Path) -> Result<ClassFile, LabError> {
    let text = std::fs::read_to_string(file).map_err(|e| LabError::Write {
        file: file.display().to_string(),
        error: e.to_string(),
    })?;
    let mut c: ClassFile = serde_norway::from_str(&text)
        .map_err(|e| LabError::Invalid(format!("{}: {e}", file.display())))?;
    super::load(&c.lab)?;
    let base = file.parent().unwrap_or(Path::new("."));
    let rel = |p: &mut Option<String>| {
        if let Some(v) = p.as_mut()
            && Path::new(v).is_relative()
        {
            *v = base.join(&*v).display().to_string();
        }
    };
    for s in &mut c.students {
        if !s.has_endpoint() && s.folder.is_none() {
            return Err(LabError::Invalid(crate::tr!(
                "class.no_endpoint",
                file = file.display(),
                name = s.name
            )));
        }
        rel(&mut s.tls);
        rel(&mut s.kubeconfig);
        rel(&mut s.folder);
    }
    Ok(c)
}

/// What one look at a student found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Look {
    pub name: String,
    pub endpoint: String,
    /// The cluster answered (or, for a folder alone, the folder was read).
    pub reachable: bool,
    /// Why not, when it did not.
    pub error: Option<String>,
    /// Where it was checked (empty for a folder alone).
    pub checked: Option<super::Checked>,
    pub steps: Vec<StepReport>,
    /// The progress file shows a hand edit.
    pub edited: bool,
    /// When this look was taken (Unix seconds).
    pub at: i64,
    /// Other students whose work is on the same cluster (a copied folder, a shared machine).
    pub same_cluster_as: Vec<String>,
}

/// What tells a student's cluster apart: its swarm's ID, else its engine's or cluster's ID
/// (none for the demo, which every class shares).
fn cluster_key(l: &Look) -> Option<&str> {
    let c = l.checked.as_ref().filter(|c| !c.demo)?;
    let key = if c.swarm.is_empty() { &c.id } else { &c.swarm };
    (!key.is_empty()).then_some(key.as_str())
}

/// Marks the students whose work is on the same cluster as another's.
pub fn mark_shared(looks: &mut [Option<Look>]) {
    let keys: Vec<(String, Option<String>)> = looks
        .iter()
        .flatten()
        .map(|l| (l.name.clone(), cluster_key(l).map(str::to_string)))
        .collect();
    for l in looks.iter_mut().flatten() {
        let mine = cluster_key(l).map(str::to_string);
        l.same_cluster_as = keys
            .iter()
            .filter(|(n, k)| *n != l.name && k.is_some() && *k == mine)
            .map(|(n, _)| n.clone())
            .collect();
    }
}

impl Look {
    /// How many checkable steps are done.
    pub fn done(&self) -> usize {
        self.steps
            .iter()
            .filter(|s| s.status == Status::Done)
            .count()
    }
}

/// A cell's mark: ✓ done, ✗ not yet, · not checkable, ? not known (the student is not
/// reached, or the step reads files the instructor does not have).
pub fn mark(look: &Look, step: usize) -> &'static str {
    match look.steps.get(step) {
        _ if !look.reachable => "?",
        None => "?",
        Some(s) if s.reasons.iter().any(|r| r == &crate::tr!("class.no_files")) => "?",
        Some(s) => match s.status {
            Status::Done => "✓",
            Status::NotYet => "✗",
            Status::NotCheckable => "·",
        },
    }
}

/// The folder a student's lab is read from, if any.
pub fn folder(s: &Student) -> Option<PathBuf> {
    s.folder.as_ref().map(PathBuf::from)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_issue_s_class_file_reads_and_a_bad_one_names_its_line() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("class.yaml");
        std::fs::write(
            &f,
            "lab: semana-3\nstudents:\n  - { name: Ana, host: \"tcp://10.0.0.11:2376\", tls: certs/ana }\n  - { name: Luis, context: luis-swarm }\n  - { name: Marta, folder: entregas/marta/semana-3 }\n",
        )
        .unwrap();
        let c = read(&f).unwrap();
        assert_eq!(c.students.len(), 3);
        assert_eq!(
            c.students[0].tls.as_deref(),
            Some(d.path().join("certs/ana").to_str().unwrap())
        );
        assert!(
            c.students[2]
                .folder
                .as_deref()
                .unwrap()
                .ends_with("entregas/marta/semana-3")
        );
        std::fs::write(&f, "lab: semana-3\nstudents:\n  - { name: Ana, hots: x }\n").unwrap();
        let e = read(&f).unwrap_err().to_string();
        assert!(
            e.contains("class.yaml") && e.contains("line 3") && e.contains("hots"),
            "{e}"
        );
        std::fs::write(&f, "lab: semana-9\nstudents: []\n").unwrap();
        assert!(read(&f).unwrap_err().to_string().contains("semana-9"));
        std::fs::write(&f, "lab: semana-3\nstudents:\n  - { name: Ana }\n").unwrap();
        assert!(read(&f).unwrap_err().to_string().contains("Ana"));
    }

    #[test]
    fn two_students_on_one_cluster_are_marked_and_the_demo_is_not() {
        let look = |name: &str, id: &str, swarm: &str, demo: bool| {
            Some(Look {
                name: name.into(),
                endpoint: String::new(),
                reachable: true,
                error: None,
                checked: Some(crate::lab::Checked {
                    id: id.into(),
                    swarm: swarm.into(),
                    demo,
                    ..Default::default()
                }),
                steps: vec![],
                edited: false,
                at: 0,
                same_cluster_as: vec![],
            })
        };
        let mut looks = vec![
            look("Ana", "E1", "S1", false),
            look("Luis", "E2", "S1", false),
            look("Marta", "E1", "", false),
            look("Sofía", "demo", "demo-swarm", true),
            look("Pablo", "demo", "demo-swarm", true),
        ];
        mark_shared(&mut looks);
        let of = |i: usize| looks[i].as_ref().unwrap().same_cluster_as.clone();
        assert_eq!(of(0), ["Luis"]);
        assert_eq!(of(1), ["Ana"]);
        assert!(of(2).is_empty() && of(3).is_empty() && of(4).is_empty());
    }
}
