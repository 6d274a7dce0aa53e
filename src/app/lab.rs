//! The lab open beside the panes: its steps, where the student is, and what the checks say.
//! Checks are evaluated here from the cluster the console already has; files, the registry
//! and listings come from a probe the runtime asks the backend for (when the lab opens, when
//! the step changes, after an action, and on request with `c` or `:lab check`).

pub use super::lab_session::LabSession;
use super::state::State;
use crate::lab::Now;
use crate::lab::check::{Probed, Snapshot};

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
    let observed: Vec<Vec<String>> = l
        .lab
        .steps
        .iter()
        .map(|step| crate::lab::check::observe_all(&step.checks, &snap, l.probed.as_ref()))
        .collect();
    let place = s
        .cluster
        .info
        .as_ref()
        .map(|i| crate::lab::place(i, &s.cluster.nodes))
        .unwrap_or_default();
    let at = s.now;
    let Some(l) = s.lab.as_mut() else {
        return vec![];
    };
    l.now = now;
    let lab = l.lab.clone();
    let new = l.passes.record(&lab, &l.now, at, &place, |i| {
        observed.get(i).cloned().unwrap_or_default()
    });
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

/// A probe came back: taken in unless a newer one already was.
pub fn probed(s: &mut State, seq: u64, p: Probed) {
    if let Some(l) = s.lab.as_mut()
        && seq > l.probe_taken
    {
        l.probe_taken = seq;
        l.probed = Some(p);
    }
}

/// The services were listed again: when one came, went or was changed (a stack deployed from
/// another terminal, say), the probe's facts may be out of date, so a new probe is wanted.
/// Tasks starting and stopping change nothing the probe reads.
pub fn services_changed(s: &mut State) {
    let mut specs: Vec<_> = s
        .cluster
        .workloads
        .iter()
        .map(|w| (&w.id, &w.image, w.desired, &w.ports))
        .collect();
    specs.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let now = fingerprint(&specs);
    if let Some(l) = s.lab.as_mut() {
        seen(&mut l.services_seen, now, &mut l.probe_wanted);
    }
}

/// The images were listed again: an image built or tagged anew changes what its history says.
pub fn images_changed(s: &mut State) {
    let mut images: Vec<_> = s
        .cluster
        .images
        .iter()
        .map(|i| (&i.id, &i.repo, &i.tag))
        .collect();
    images.sort_unstable();
    let now = fingerprint(&images);
    if let Some(l) = s.lab.as_mut() {
        seen(&mut l.images_seen, now, &mut l.probe_wanted);
    }
}

/// The lab's files were looked at again (`stamps`: each one's size and time, or none when
/// missing): a change wants a probe.
pub fn files_looked_at<T: std::hash::Hash>(s: &mut State, stamps: &T) {
    let now = fingerprint(stamps);
    if let Some(l) = s.lab.as_mut() {
        seen(&mut l.files_seen, now, &mut l.probe_wanted);
    }
}

fn fingerprint<T: std::hash::Hash>(value: &T) -> u64 {
    use std::hash::{DefaultHasher, Hasher};
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// Records what is seen now; a change from what was seen before (not the first look) wants a
/// probe.
fn seen(last: &mut Option<u64>, now: u64, wanted: &mut bool) {
    if last.is_some_and(|l| l != now) {
        *wanted = true;
    }
    *last = Some(now);
}

/// Asks for a probe (after an action, or on request).
pub fn want_probe(s: &mut State) {
    if let Some(l) = s.lab.as_mut() {
        l.probe_wanted = true;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::backend::Event;

    fn lab_state() -> State {
        let mut s = crate::app::state::tests::demo_state();
        let lab = crate::lab::load("semana-3").expect("the preset");
        s.lab = Some(LabSession::new(
            crate::lab::Opened { lab, dir: None },
            Default::default(),
            true,
        ));
        s
    }

    fn with_facts(file: &str) -> Probed {
        let mut p = Probed::default();
        p.files.insert(file.into(), None);
        p
    }

    #[test]
    fn an_older_probe_arriving_late_does_not_replace_a_newer_one() {
        let mut s = lab_state();
        s.apply_event(Event::LabProbed {
            seq: 2,
            probed: with_facts("new"),
        });
        s.apply_event(Event::LabProbed {
            seq: 1,
            probed: with_facts("old"),
        });
        let l = s.lab.as_ref().unwrap();
        assert_eq!(l.probed, Some(with_facts("new")));
        assert_eq!(l.probe_taken, 2);
    }

    #[test]
    fn a_file_changing_wants_a_new_probe() {
        let mut s = lab_state();
        s.lab.as_mut().unwrap().probe_wanted = false;
        files_looked_at(&mut s, &[("stack.yml", Some(10))]);
        files_looked_at(&mut s, &[("stack.yml", Some(10))]);
        assert!(!s.lab.as_ref().unwrap().probe_wanted);
        files_looked_at(&mut s, &[("stack.yml", Some(11))]);
        assert!(s.lab.as_ref().unwrap().probe_wanted);
    }

    #[test]
    fn a_service_coming_going_or_changing_wants_a_new_probe_and_a_task_changing_does_not() {
        let mut s = lab_state();
        let mut w = s.cluster.workloads.clone();
        s.apply_event(Event::Workloads(w.clone()));
        s.lab.as_mut().unwrap().probe_wanted = false;
        // The same services, one more replica running: the listings still hold.
        w[0].running += 1;
        s.apply_event(Event::Workloads(w.clone()));
        assert!(!s.lab.as_ref().unwrap().probe_wanted);
        // A stack deployed from another terminal: a service more.
        let mut extra = w[0].clone();
        extra.id = "new-service".into();
        extra.name = "gopenux_backend".into();
        w.push(extra);
        s.apply_event(Event::Workloads(w.clone()));
        assert!(s.lab.as_ref().unwrap().probe_wanted);
        s.lab.as_mut().unwrap().probe_wanted = false;
        w.pop();
        s.apply_event(Event::Workloads(w.clone()));
        assert!(s.lab.as_ref().unwrap().probe_wanted);
        // Its image changed (the stack file edited and deployed again).
        s.lab.as_mut().unwrap().probe_wanted = false;
        w[0].image = "registry/frontend:test".into();
        s.apply_event(Event::Workloads(w));
        assert!(s.lab.as_ref().unwrap().probe_wanted);
    }
}
