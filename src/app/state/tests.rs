use super::*;
use crate::backend::Event;
use crate::backend::demo::Demo;

pub fn demo_state() -> State {
    let mut s = State::new("demo", true, 100, 1_000_000);
    for ev in Demo::at(1_000_000).events() {
        s.apply_event(ev);
    }
    s
}

#[test]
fn selection_follows_the_object_across_refreshes() {
    let mut s = demo_state();
    s.move_selection(Pane::Services, 2);
    let chosen = s.view(Pane::Services).selected_id.clone();
    let mut w = s.cluster.workloads.clone();
    w.reverse();
    w.remove(4);
    s.apply_event(Event::Workloads(w));
    assert_eq!(s.view(Pane::Services).selected_id, chosen);
    assert_eq!(
        s.visible_ids(Pane::Services)[s.view(Pane::Services).selected],
        chosen.unwrap()
    );
}

#[test]
fn filter_is_case_insensitive_and_tasks_follow_the_service() {
    let mut s = demo_state();
    s.view_mut(Pane::Services).filter = "BACK".into();
    s.reselect(Pane::Services);
    let v = s.visible_workloads();
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].name, "gopenux_backend");
    assert_eq!(s.current_workload().unwrap().name, "gopenux_backend");
    assert_eq!(s.visible_instances().len(), 3);
    s.show_finished = true;
    assert_eq!(s.visible_instances().len(), 4);
}

#[test]
fn a_service_short_of_replicas_shows_why() {
    let mut s = demo_state();
    s.view_mut(Pane::Services).filter = "backend".into();
    s.reselect(Pane::Services);
    // Two of three replicas stop; the failed task of earlier explains.
    let id = s.current_workload().unwrap().id.clone();
    let mut inst = s.cluster.instances.clone();
    for i in inst
        .iter_mut()
        .filter(|i| i.workload_id == id && i.state == "running")
        .take(1)
    {
        i.state = "rejected".into();
        i.desired = "shutdown".into();
        i.since = 2_000_000;
        i.error = Some("No such image: api:nope".into());
    }
    s.apply_event(Event::Instances(inst));
    let v = s.visible_instances();
    assert_eq!(v.len(), 3, "two running and the newest failure");
    assert!(
        v.iter()
            .any(|i| i.error.as_deref() == Some("No such image: api:nope"))
    );
}

#[test]
fn logs_are_bounded_and_stay_put_when_scrolled_up() {
    let mut s = State::new("x", true, 5, 0);
    let line = |n: usize| LogLine {
        source: "a".into(),
        stream: Stream::Stdout,
        ts: None,
        ts_nanos: 0,
        text: n.to_string(),
    };
    s.apply_event(Event::Logs {
        generation: 0,
        lines: (0..4).map(line).collect(),
    });
    s.move_selection(Pane::Logs, -2);
    assert_eq!(s.logs.scroll, 2);
    s.apply_event(Event::Logs {
        generation: 0,
        lines: (4..7).map(line).collect(),
    });
    assert_eq!(s.logs.lines.len(), 5);
    assert_eq!(s.logs.lines.front().unwrap().text, "2");
    assert_eq!(s.logs.scroll, 4);
    // Lines of an earlier target are dropped.
    s.apply_event(Event::Logs {
        generation: 9,
        lines: vec![line(99)],
    });
    assert!(s.logs.lines.iter().all(|l| l.text != "99"));
}

#[test]
fn moving_on_an_empty_list_does_not_panic() {
    let mut s = State::new("x", true, 5, 0);
    for p in Pane::ALL {
        s.move_selection(p, 5);
        s.move_selection(p, -5);
        s.reselect(p);
    }
    assert_eq!(s.view(Pane::Services).selected_id, None);
}
