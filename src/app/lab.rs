//! The lab open beside the panes: its steps, where the student is, and what the checks say.
//! Checks are evaluated here from the cluster the console already has; files, the registry
//! and listings come from a probe the runtime asks the backend for (when the lab opens, when
//! the step changes, after an action, and on request with `c` or `:lab check`).

use super::state::State;
use crate::lab::check::{Probed, Snapshot};
use crate::lab::progress::Progress;
use crate::lab::{Lab, Now};
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq)]
pub struct LabSession {
    pub lab: Lab,
    /// The step shown.
    pub step: usize,
    /// The lab's folder (beside `lab.yaml`), where passes are recorded.
    pub dir: Option<PathBuf>,
    pub passes: Progress,
    /// The last probe's facts.
    pub probed: Option<Probed>,
    /// What each step's checks say now (`None`: not checkable).
    pub now: Vec<Option<Now>>,
    /// A probe is wanted (the runtime sends it and clears this).
    pub probe_wanted: bool,
    /// Save a step's evidence when it turns done (`[lab] auto_snap`).
    pub auto_snap: bool,
    /// The step an evidence picture is being taken for (its frame names it).
    pub snapping: Option<String>,
}

impl LabSession {
    pub fn new(opened: crate::lab::Opened, passes: Progress, auto_snap: bool) -> LabSession {
        let n = opened.lab.steps.len();
        // Back to a lab: where the student left it, the first step to check not passed yet.
        let step = opened
            .lab
            .steps
            .iter()
            .position(|s| !s.checks.is_empty() && !passes.passed.contains_key(&s.name))
            .unwrap_or(0);
        LabSession {
            lab: opened.lab,
            step,
            dir: opened.dir,
            passes,
            probed: None,
            now: vec![None; n],
            probe_wanted: true,
            auto_snap,
            snapping: None,
        }
    }

    /// A step's state for the steps pane, `lab check` and the report.
    pub fn reports(
        &self,
        evidence: impl Fn(&str) -> Option<String>,
    ) -> Vec<crate::lab::StepReport> {
        crate::lab::reports(
            &self.lab,
            &self.now,
            &self.passes,
            crate::i18n::lang(),
            evidence,
        )
    }
}

fn snapshot(s: &State) -> Snapshot<'_> {
    Snapshot {
        info: s.cluster.info.as_ref(),
        nodes: &s.cluster.nodes,
        workloads: &s.cluster.workloads,
        instances: &s.cluster.instances,
        images: &s.cluster.images,
    }
}

/// What the probe must gather now (the registry references depend on the local images).
pub fn needs(s: &State) -> Option<crate::lab::check::Needs> {
    let l = s.lab.as_ref()?;
    Some(crate::lab::needs(&l.lab, &snapshot(s)))
}

/// Evaluates every step again; records the steps that pass for the first time (at `s.now`)
/// and returns their names. Nothing is evaluated before the cluster has been listed once.
pub fn reevaluate(s: &mut State) -> Vec<String> {
    if !s.cluster.loaded.all() && s.cluster.info.as_ref().is_none_or(|i| i.kube.is_none()) {
        return vec![];
    }
    let Some(l) = s.lab.as_ref() else {
        return vec![];
    };
    let snap = snapshot(s);
    let now: Vec<Option<Now>> = l
        .lab
        .steps
        .iter()
        .map(|step| crate::lab::evaluate(step, &snap, l.probed.as_ref()))
        .collect();
    let at = s.now;
    let Some(l) = s.lab.as_mut() else {
        return vec![];
    };
    l.now = now;
    let lab = l.lab.clone();
    let new = l.passes.record(&lab, &l.now, at);
    // The step shown passed: show the next one there is to check (steps that cannot be checked
    // stay in the list; the pane does not wait on them). Other steps passing move nothing.
    if lab.steps.get(l.step).is_some_and(|s| new.contains(&s.name))
        && let Some(next) = (l.step + 1..lab.steps.len()).find(|&i| {
            !lab.steps[i].checks.is_empty() && !l.passes.passed.contains_key(&lab.steps[i].name)
        })
    {
        l.step = next;
        l.probe_wanted = true;
    }
    new
}

/// The probe came back.
pub fn probed(s: &mut State, p: Probed) {
    if let Some(l) = s.lab.as_mut() {
        l.probed = Some(p);
    }
}

/// Asks for a probe (after an action, or on request).
pub fn want_probe(s: &mut State) {
    if let Some(l) = s.lab.as_mut() {
        l.probe_wanted = true;
    }
}
