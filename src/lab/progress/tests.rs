#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::*;
use crate::lab::{Lab, Now, Status};

fn lab() -> Lab {
    crate::lab::load("semana-3").unwrap()
}

fn holds(lab: &Lab, steps: &[&str]) -> Vec<Option<Now>> {
    lab.steps
        .iter()
        .map(|s| {
            (!s.checks.is_empty()).then(|| Now {
                holds: steps.contains(&s.name.as_str()),
                reasons: vec!["no".into()],
                looked: true,
            })
        })
        .collect()
}

fn here(cluster: &str) -> Place {
    Place {
        cluster: cluster.into(),
        engine: "27.3.1".into(),
        nodes: vec!["manager1".into()],
        ..Default::default()
    }
}

/// A folder where estiba recorded steps 1, 5 and 6 on cluster `c1`.
fn recorded() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let lab = lab();
    let mut p = Progress::load(d.path(), "semana-3");
    let steps = ["1-certificados", "5-swarm-manager", "6-desplegar-stack"];
    let new = p.record(&lab, &holds(&lab, &steps), 100, &here("c1"), |i| {
        vec![format!("fact {i}")]
    });
    assert_eq!(new, steps);
    p.save(d.path()).unwrap();
    d
}

fn edit(d: &Path, f: impl FnOnce(&mut serde_json::Value)) {
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path(d)).unwrap()).unwrap();
    f(&mut v);
    std::fs::write(path(d), serde_json::to_string_pretty(&v).unwrap()).unwrap();
}

#[test]
fn passes_estiba_sealed_read_back_with_where_and_what_was_seen() {
    let d = recorded();
    let p = Progress::load(d.path(), "semana-3");
    assert!(!p.edited(), "{p:?}");
    assert_eq!(p.passed.len(), 3);
    let six = &p.passed["6-desplegar-stack"];
    assert_eq!((six.at, six.place.cluster.as_str()), (100, "c1"));
    assert_eq!(six.observed, ["fact 5"]);
    // A step only files tell is not bound to a cluster.
    assert_eq!(p.passed["1-certificados"].place, Place::default());
    // Another lab's file says nothing of this one.
    assert!(Progress::load(d.path(), "semana-4").passed.is_empty());
}

#[test]
fn an_entry_added_by_hand_is_not_observed_and_the_file_shows_edited() {
    let d = recorded();
    edit(d.path(), |v| {
        let mut forged = v["entries"][2].clone();
        forged["step"] = "7-escalar-backend".into();
        v["entries"].as_array_mut().unwrap().push(forged);
    });
    let p = Progress::load(d.path(), "semana-3");
    assert!(p.not_observed("7-escalar-backend"));
    assert!(!p.passed.contains_key("7-escalar-backend"));
    assert!(p.edited());
    // The honest passes before it still stand.
    assert_eq!(p.passed.len(), 3);
}

#[test]
fn an_entry_edited_removed_or_a_whole_hand_written_file_is_detected() {
    let d = recorded();
    edit(d.path(), |v| v["entries"][1]["at"] = 5.into());
    let p = Progress::load(d.path(), "semana-3");
    assert!(p.not_observed("5-swarm-manager") && p.edited());

    let d = recorded();
    edit(d.path(), |v| {
        v["entries"].as_array_mut().unwrap().remove(0);
    });
    let p = Progress::load(d.path(), "semana-3");
    assert!(p.edited() && !p.passed.contains_key("5-swarm-manager"));

    let d = recorded();
    edit(d.path(), |v| {
        v["entries"].as_array_mut().unwrap().pop();
    });
    let p = Progress::load(d.path(), "semana-3");
    assert!(p.tampered, "removing the last record shows in the head");

    // The forged file: the old shape, every step marked passed.
    let d = tempfile::tempdir().unwrap();
    let steps: serde_json::Map<String, serde_json::Value> = lab()
        .steps
        .iter()
        .map(|s| (s.name.clone(), serde_json::json!({"at": 1})))
        .collect();
    std::fs::write(
        path(d.path()),
        serde_json::json!({"lab": "semana-3", "passed": steps}).to_string(),
    )
    .unwrap();
    let mut p = Progress::load(d.path(), "semana-3");
    assert!(p.passed.is_empty() && p.not_observed("9-backend-test-cli") && p.edited());
    // estiba saving over it keeps the forged steps named, sealed.
    let lab = lab();
    p.record(
        &lab,
        &holds(&lab, &["1-certificados"]),
        9,
        &here("c1"),
        |_| vec![],
    );
    p.save(d.path()).unwrap();
    let p = Progress::load(d.path(), "semana-3");
    assert!(p.not_observed("9-backend-test-cli") && p.edited(), "{p:?}");
    assert!(!p.not_observed("1-certificados"));

    std::fs::write(path(d.path()), "not json").unwrap();
    assert!(Progress::load(d.path(), "semana-3").edited());
}

#[test]
fn a_save_after_records_were_removed_keeps_saying_so() {
    let d = recorded();
    edit(d.path(), |v| {
        v["entries"].as_array_mut().unwrap().pop();
    });
    let lab = lab();
    let mut p = Progress::load(d.path(), "semana-3");
    p.record(
        &lab,
        &holds(&lab, &["7-escalar-backend"]),
        200,
        &here("c1"),
        |_| vec![],
    );
    p.save(d.path()).unwrap();
    let p = Progress::load(d.path(), "semana-3");
    assert!(p.tampered && p.passed.contains_key("7-escalar-backend"));
}

#[test]
fn two_estibas_saving_keep_each_others_records_and_the_earliest_pass() {
    let d = recorded();
    let lab = lab();
    let mut a = Progress::load(d.path(), "semana-3");
    let mut b = Progress::load(d.path(), "semana-3");
    a.record(
        &lab,
        &holds(&lab, &["7-escalar-backend"]),
        300,
        &here("c1"),
        |_| vec![],
    );
    b.record(
        &lab,
        &holds(&lab, &["7-escalar-backend", "9-backend-test-cli"]),
        400,
        &here("c1"),
        |_| vec![],
    );
    a.save(d.path()).unwrap();
    b.save(d.path()).unwrap();
    let p = Progress::load(d.path(), "semana-3");
    assert!(!p.edited(), "{p:?}");
    assert_eq!(p.passed["7-escalar-backend"].at, 300);
    assert_eq!(p.passed["9-backend-test-cli"].at, 400);
}

#[test]
fn a_pass_from_another_cluster_or_a_file_gone_does_not_count_and_an_edited_picture_is_caught() {
    let d = recorded();
    let lab = lab();
    let mut p = Progress::load(d.path(), "semana-3");
    std::fs::write(d.path().join("6-desplegar-stack.png"), b"picture").unwrap();
    let sum = sha256_file(&d.path().join("6-desplegar-stack.png")).unwrap();
    p.record_evidence("6-desplegar-stack", "6-desplegar-stack.png", &sum, 150);
    p.save(d.path()).unwrap();
    let p = Progress::load(d.path(), "semana-3");
    let none = holds(&lab, &[]);
    let ev = |n: &str| crate::lab::evidence_file(d.path(), n);
    let lang = crate::i18n::Lang::En;
    let on = |cluster| {
        let mut r = crate::lab::reports(&lab, &none, &p, lang, Some(cluster), ev);
        crate::lab::verify_evidence(&mut r, &p, d.path());
        r.into_iter()
            .map(|r| (r.name.clone(), r))
            .collect::<BTreeMap<_, _>>()
    };
    let same = on("c1");
    assert_eq!(same["6-desplegar-stack"].status, Status::Done);
    assert!(same["6-desplegar-stack"].no_longer_shown);
    // The certificates' file is gone now: its pass does not outlive it.
    assert_eq!(same["1-certificados"].status, Status::NotYet);
    let copied = on("c2");
    assert_eq!(copied["6-desplegar-stack"].status, Status::NotYet);
    assert_eq!(
        copied["6-desplegar-stack"].passed_elsewhere.as_deref(),
        Some("c1")
    );
    std::fs::write(d.path().join("6-desplegar-stack.png"), b"painted over").unwrap();
    let edited = on("c1");
    assert!(edited["6-desplegar-stack"].evidence_edited);
    assert_eq!(edited["6-desplegar-stack"].status, Status::NotYet);
}
