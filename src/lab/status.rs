//! A step's state, as the steps pane, `lab check` and the hand-in show it: what its checks say
//! now, weighed with the passes estiba sealed and the pictures it wrote.

use super::check::{self, Check, Probed, Snapshot, Verdict};
use super::progress::Progress;
use super::{Lab, Step};
use crate::i18n::Lang;
use crate::tr;
use serde::Serialize;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Done,
    NotYet,
    /// The step has no checks (writing a Dockerfile).
    NotCheckable,
}

/// What the checks of one step say now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Now {
    /// Every check passes now.
    pub holds: bool,
    /// Why not, one sentence per check that does not pass (or was not looked at yet).
    pub reasons: Vec<String>,
    /// The checks were run against the cluster now; `false`: only the recorded passes speak
    /// (the demo's state the console left, read by a later `--demo lab check`).
    pub looked: bool,
}

/// Evaluates one step's checks.
pub fn evaluate(step: &Step, snap: &Snapshot, probed: Option<&Probed>) -> Option<Now> {
    if step.checks.is_empty() {
        return None;
    }
    let mut reasons = vec![];
    for c in &step.checks {
        match check::evaluate(c, snap, probed) {
            Verdict::Pass => {}
            Verdict::Fail(r) | Verdict::Unknown(r) => reasons.push(r),
        }
    }
    reasons.dedup();
    Some(Now {
        holds: reasons.is_empty(),
        reasons,
        looked: true,
    })
}

/// One step as reported: its state now, and when it passed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepReport {
    pub name: String,
    pub text: String,
    pub status: Status,
    /// Why it is not done, or, for a step that passed earlier, what the cluster no longer shows.
    pub reasons: Vec<String>,
    /// When it first passed (Unix seconds).
    pub passed_at: Option<i64>,
    /// Passed earlier, and the cluster no longer shows it (a later step changed it).
    pub no_longer_shown: bool,
    /// Its only records in the progress file were not sealed by estiba (written by hand).
    pub not_observed: bool,
    /// The cluster it passed on, when that is not the one checked now (a copied folder).
    pub passed_elsewhere: Option<String>,
    /// What the pass saw: the objects' IDs, images' digests, nodes, files' SHA-256.
    pub observed: Vec<String>,
    /// The evidence picture, relative to the lab folder.
    pub evidence: Option<String>,
    /// The picture is not the one estiba wrote for the step (its SHA-256 differs).
    pub evidence_edited: bool,
    /// The picture was not written by estiba (the student saved it another way).
    pub evidence_foreign: bool,
    /// Where to look, for a step not done yet.
    pub hint: Option<String>,
}

/// Every step's report, from what the checks say now and the passes recorded. `here` is the
/// identity of the cluster checked now (`None` while it is not known yet).
pub fn reports(
    lab: &Lab,
    now: &[Option<Now>],
    passes: &Progress,
    lang: Lang,
    here: Option<&str>,
    evidence: impl Fn(&str) -> Option<String>,
) -> Vec<StepReport> {
    lab.steps
        .iter()
        .zip(now)
        .map(|(s, n)| step(s, n.as_ref(), passes, lang, here, evidence(&s.name)))
        .collect()
}

fn step(
    s: &Step,
    n: Option<&Now>,
    passes: &Progress,
    lang: Lang,
    here: Option<&str>,
    evidence: Option<String>,
) -> StepReport {
    let passed = passes.passed.get(&s.name);
    let local = s.checks.iter().all(Check::is_local);
    let mut r = StepReport {
        name: s.name.clone(),
        text: s.text(lang).to_string(),
        status: Status::NotYet,
        reasons: vec![],
        passed_at: passed.map(|p| p.at),
        no_longer_shown: false,
        not_observed: passes.not_observed(&s.name),
        passed_elsewhere: None,
        observed: passed.map(|p| p.observed.clone()).unwrap_or_default(),
        evidence,
        evidence_edited: false,
        evidence_foreign: false,
        hint: None,
    };
    let Some(n) = n else {
        r.status = Status::NotCheckable;
        return r;
    };
    if n.looked && n.holds {
        r.status = Status::Done;
        return r;
    }
    r.reasons.clone_from(&n.reasons);
    match passed {
        // What files alone tell is read now, always: a pass does not outlive the file.
        Some(_) if local => {}
        Some(p) if here.is_some_and(|h| !p.place.cluster.is_empty() && p.place.cluster != h) => {
            r.passed_elsewhere = Some(p.place.cluster.clone());
            r.reasons
                .insert(0, tr!("lab.passed_elsewhere", cluster = p.place.cluster));
        }
        Some(_) => {
            r.status = Status::Done;
            r.no_longer_shown = n.looked;
            if !n.looked {
                r.reasons.clear();
            }
        }
        None if r.not_observed => r.reasons.insert(0, tr!("lab.not_observed")),
        None => {}
    }
    if r.status == Status::NotYet && n.looked {
        r.hint = s.hint.as_ref().map(|h| h.get(lang).to_string());
    }
    r
}

/// Compares each step's picture with the one estiba wrote: a picture edited or replaced
/// makes its step not count; one estiba never wrote is marked.
pub fn verify_evidence(reports: &mut [StepReport], passes: &Progress, dir: &Path) {
    for r in reports.iter_mut() {
        let Some(file) = &r.evidence else {
            continue;
        };
        let Ok(sum) = super::progress::sha256_file(&dir.join(file)) else {
            continue;
        };
        match passes.evidence.get(&r.name) {
            Some((_, sealed)) if *sealed == sum => {}
            Some(_) => {
                r.evidence_edited = true;
                r.reasons.insert(0, tr!("lab.evidence_edited", file = file));
                if r.status == Status::Done {
                    r.status = Status::NotYet;
                }
            }
            None => r.evidence_foreign = true,
        }
    }
}

/// Whether every step that can be checked is done.
pub fn all_done(reports: &[StepReport]) -> bool {
    reports.iter().all(|r| r.status != Status::NotYet)
}
