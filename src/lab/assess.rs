//! A lab assessed headless (`lab check`, `lab report`, the passes a command leaves): the
//! cluster looked at now, the checks run again, the new passes sealed beside `lab.yaml`.

use super::check::{Check, Probed, Snapshot};
use super::progress::{Place, Progress};
use super::{Now, Opened, StepReport, evaluate, needs, reports};
use crate::model::{ClusterInfo, Node};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Where a lab was checked, as the hand-in and `lab check --output json` say it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Checked {
    /// The cluster's name: the manager's host name, or the Kubernetes context.
    pub name: String,
    /// Its identity (the engine's ID, the `kube-system` UID, `demo`).
    pub id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub swarm: String,
    pub engine: String,
    pub nodes: Vec<String>,
    /// The demo cluster, not a real one.
    pub demo: bool,
}

impl Checked {
    pub fn of(info: &ClusterInfo, nodes: &[Node]) -> Checked {
        let name = match &info.kube {
            Some(k) => k.context.clone(),
            None if info.hostname.is_empty() => info.endpoint.clone(),
            None => info.hostname.clone(),
        };
        let mut names: Vec<String> = nodes.iter().map(|n| n.hostname.clone()).collect();
        if names.is_empty() && !info.hostname.is_empty() {
            names.push(info.hostname.clone());
        }
        Checked {
            name,
            id: info.id.clone(),
            swarm: info.swarm_id.clone(),
            engine: if info.kube.is_some() || info.engine.is_empty() {
                info.engine.clone()
            } else {
                format!("Docker {}", info.engine)
            },
            nodes: names,
            demo: info.demo,
        }
    }
}

/// Where a pass is observed.
pub fn place(info: &ClusterInfo, nodes: &[Node]) -> Place {
    let c = Checked::of(info, nodes);
    Place {
        cluster: c.id,
        swarm: c.swarm,
        engine: c.engine,
        nodes: c.nodes,
        demo: c.demo,
    }
}

/// A lab assessed against a cluster: each step's report, for `lab check` and `lab report`.
pub struct Assessed {
    pub steps: Vec<StepReport>,
    pub checked: Checked,
    /// Steps that passed for the first time in this assessment.
    pub new_passes: Vec<String>,
    /// The progress file shows a hand edit (a record estiba did not seal, records missing).
    pub edited: bool,
}

impl Assessed {
    /// Whether every checkable step is done and nothing in the lab's records was edited.
    pub fn trusted_and_done(&self) -> bool {
        !self.edited
            && super::all_done(&self.steps)
            && !self.steps.iter().any(|s| s.evidence_edited)
    }
}

/// Looks at the cluster through `backend`, probes what the checks need, and records the steps
/// that pass now beside `lab.yaml` (when the lab has a folder). `evidence_dir` is where the
/// pictures are looked for. The demo cluster of a headless run is not the one the console
/// left: there, only the passes the console recorded speak for the cluster's steps.
pub async fn assess(
    backend: &crate::backend::Backend,
    opened: &Opened,
    evidence_dir: &Path,
    now: i64,
) -> Result<Assessed, crate::backend::Error> {
    assess_with(backend, opened, evidence_dir, now, true).await
}

/// As [`assess`]; with `record` false nothing is written (the class view looks, it does not
/// record), and a lab without a folder leaves the steps only files tell unjudged: the files
/// are on the student's machine.
pub async fn assess_with(
    backend: &crate::backend::Backend,
    opened: &Opened,
    evidence_dir: &Path,
    now: i64,
    record: bool,
) -> Result<Assessed, crate::backend::Error> {
    let info = backend.info().await?;
    let kube = info.kube.is_some();
    // An engine outside a swarm has no nodes (and the steps that want one say so).
    let or_none = |r: Result<Vec<_>, crate::backend::Error>| match r {
        Err(crate::backend::Error::NotManager) => Ok(vec![]),
        r => r,
    };
    let nodes = or_none(backend.nodes().await)?;
    let workloads = backend.workloads().await?;
    let instances = backend.instances().await?;
    let images = if kube {
        vec![]
    } else {
        backend.images().await?
    };
    let snap = Snapshot {
        info: Some(&info),
        nodes: &nodes,
        workloads: &workloads,
        instances: &instances,
        images: &images,
    };
    let dir = opened.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let probed = crate::backend::probe::all(backend, &needs(&opened.lab, &snap), &dir).await;
    let verdicts: Vec<Option<Now>> = opened
        .lab
        .steps
        .iter()
        .map(|s| {
            let local = s.checks.iter().all(Check::is_local);
            let reads_files = s.checks.iter().any(Check::is_local);
            match evaluate(s, &snap, Some(&probed)) {
                Some(_) if info.demo && !local => Some(Now {
                    holds: false,
                    reasons: vec![crate::tr!("lab.demo_not_seen", lab = opened.lab.name)],
                    looked: false,
                }),
                Some(_) if reads_files && opened.dir.is_none() && !record => Some(Now {
                    holds: false,
                    reasons: vec![crate::tr!("class.no_files")],
                    looked: false,
                }),
                v => v,
            }
        })
        .collect();
    let mut passes = match &opened.dir {
        Some(d) => Progress::load(d, &opened.lab.name),
        None => Progress::new(&opened.lab.name),
    };
    let observed =
        |i: usize| super::check::observe_all(&opened.lab.steps[i].checks, &snap, Some(&probed));
    let new_passes = passes.record(&opened.lab, &verdicts, now, &place(&info, &nodes), observed);
    if let Some(d) = opened.dir.as_ref().filter(|_| record)
        && !new_passes.is_empty()
        && let Err(e) = passes.save(d)
    {
        tracing::warn!(error = %e, "lab progress not saved");
    }
    let mut steps = reports(
        &opened.lab,
        &verdicts,
        &passes,
        crate::i18n::lang(),
        Some(&info.id),
        |name| super::evidence_file(evidence_dir, name),
    );
    super::verify_evidence(&mut steps, &passes, evidence_dir);
    Ok(Assessed {
        steps,
        checked: Checked::of(&info, &nodes),
        new_passes,
        edited: passes.edited(),
    })
}

/// No cluster, and the lab's files read from `dir`: what the steps only files tell need.
fn files_only(opened: &Opened, dir: &Path) -> (Snapshot<'static>, Probed) {
    let empty = Snapshot {
        info: None,
        nodes: &[],
        workloads: &[],
        instances: &[],
        images: &[],
    };
    let mut probed = Probed::default();
    crate::backend::probe::local(&needs(&opened.lab, &empty), dir, &mut probed);
    (empty, probed)
}

/// A lab folder read alone (a hand-in, no cluster to look at): the steps files tell are read
/// again, the others are what estiba recorded (sealed), from whatever cluster.
pub fn recorded(opened: &Opened, evidence_dir: &Path) -> Assessed {
    let dir = opened.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let (empty, probed) = files_only(opened, &dir);
    let verdicts: Vec<Option<Now>> = opened
        .lab
        .steps
        .iter()
        .map(|s| {
            if s.checks.iter().all(Check::is_local) {
                evaluate(s, &empty, Some(&probed))
            } else {
                evaluate(s, &empty, None).map(|_| Now {
                    holds: false,
                    reasons: vec![],
                    looked: false,
                })
            }
        })
        .collect();
    let passes = Progress::load(&dir, &opened.lab.name);
    let mut steps = reports(
        &opened.lab,
        &verdicts,
        &passes,
        crate::i18n::lang(),
        None,
        |name| super::evidence_file(evidence_dir, name),
    );
    super::verify_evidence(&mut steps, &passes, evidence_dir);
    let clusters: Vec<&str> = passes
        .passed
        .values()
        .map(|p| p.place.cluster.as_str())
        .filter(|c| !c.is_empty())
        .collect();
    Assessed {
        steps,
        checked: Checked {
            id: clusters.first().map(|c| c.to_string()).unwrap_or_default(),
            demo: passes.passed.values().any(|p| p.place.demo),
            ..Default::default()
        },
        new_passes: vec![],
        edited: passes.edited(),
    }
}

/// Records the steps whose checks read only files (certificates made by `estiba certs`),
/// without a cluster.
pub fn record_local(opened: &Opened, now: i64) -> Vec<String> {
    let Some(dir) = &opened.dir else {
        return vec![];
    };
    let (empty, probed) = files_only(opened, dir);
    let verdicts: Vec<Option<Now>> = opened
        .lab
        .steps
        .iter()
        .map(|s| {
            if s.checks.iter().all(Check::is_local) {
                evaluate(s, &empty, Some(&probed))
            } else {
                None
            }
        })
        .collect();
    let mut passes = Progress::load(dir, &opened.lab.name);
    let observed =
        |i: usize| super::check::observe_all(&opened.lab.steps[i].checks, &empty, Some(&probed));
    let new = passes.record(&opened.lab, &verdicts, now, &Place::default(), observed);
    if !new.is_empty()
        && let Err(e) = passes.save(dir)
    {
        tracing::warn!(error = %e, "lab progress not saved");
    }
    new
}
