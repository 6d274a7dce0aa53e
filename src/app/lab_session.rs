//! The lab open beside the panes: its steps, where the student is, the passes and what the
//! checks said last. What changes it lives in `lab.rs`.

use crate::lab::check::Probed;
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
    /// Probes sent so far, and the number of the newest one taken in: probes run side by side,
    /// and an older one's facts arriving late must not replace a newer one's.
    pub probes_sent: u64,
    pub probe_taken: u64,
    /// The services (deployments) last seen, as a hash of what a deploy or an update changes:
    /// when one comes, goes or changes, the listings the probe holds (a network's users, a
    /// secret's) may be out of date, and the student may have edited the stack file too.
    pub services_seen: Option<u64>,
    /// The local images last seen (ID and tag): a build or a tag changes what an image's
    /// history says.
    pub images_seen: Option<u64>,
    /// The files the checks read, as a hash of their sizes and times: written from another
    /// terminal (`estiba certs`, an editor), they are read again.
    pub files_seen: Option<u64>,
    /// Save a step's evidence when it turns done (`[lab] auto_snap`).
    pub auto_snap: bool,
    /// The step an evidence picture is being taken for (its frame names it).
    pub snapping: Option<String>,
    /// `:lab solve`: the reference solution's moves still to make, each with its step; the
    /// runtime makes the next one when no action is under way.
    pub solving: std::collections::VecDeque<(String, crate::lab::solve::Solve)>,
    /// The step whose moves were made last, and when: the next step's moves wait until it
    /// passes (a later step builds on it: the nodes a swarm init brings, the image a build
    /// made), for a minute at most.
    pub solved_last: Option<(String, i64)>,
    /// Steps passed whose pictures wait for their view's rows (the pods of a namespace just
    /// switched to come after its Deployments), each with when it passed; a few seconds at most.
    pub pictures_due: Vec<(String, i64)>,
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
            probes_sent: 0,
            probe_taken: 0,
            services_seen: None,
            images_seen: None,
            files_seen: None,
            auto_snap,
            snapping: None,
            solving: Default::default(),
            solved_last: None,
            pictures_due: Vec::new(),
        }
    }

    /// The step drawn as the current one: while its evidence is taken, the step that passed
    /// (the pane has already moved on to the next), so the picture shows it done.
    pub fn shown_step(&self) -> usize {
        self.snapping
            .as_ref()
            .and_then(|n| self.lab.steps.iter().position(|s| &s.name == n))
            .unwrap_or(self.step)
    }

    /// A step's state for the steps pane, `lab check` and the report; `here`: the identity of
    /// the cluster the console looks at.
    pub fn reports(
        &self,
        here: Option<&str>,
        evidence: impl Fn(&str) -> Option<String>,
    ) -> Vec<crate::lab::StepReport> {
        crate::lab::reports(
            &self.lab,
            &self.now,
            &self.passes,
            crate::i18n::lang(),
            here,
            evidence,
        )
    }
}
