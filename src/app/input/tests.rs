use super::*;
use crate::backend::demo::Demo;
use crate::backend::{Event, Op};

fn demo_state() -> State {
    let mut s = State::new("demo", true, 100, 1_000_000);
    for ev in Demo::at(1_000_000).events() {
        s.apply_event(ev);
    }
    s
}

fn k(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn type_str(s: &mut State, text: &str) -> Vec<Effect> {
    let mut out = vec![];
    for c in text.chars() {
        out.extend(handle_key(s, k(KeyCode::Char(c))));
    }
    out
}

#[test]
fn a_view_takes_the_services_place_inspects_and_removes_its_rows_and_esc_gives_it_back() {
    use crate::model::listing::{Listing, ViewKind};
    let mut s = demo_state();
    let fx = handle_key(&mut s, k(KeyCode::Char('S')));
    assert_eq!(fx, vec![Effect::Op(Op::View(Some(ViewKind::Secrets)))]);
    assert_eq!(s.pane_title(Pane::Services), "Secrets");
    s.apply_event(Event::Listing(Listing {
        kind: ViewKind::Secrets,
        titles: Vec::new(),
        resource: None,
        columns: vec!["name", "services"],
        rows: vec![
            vec!["jwt".into(), "gopenux_backend".into()],
            vec!["tls".into(), "".into()],
        ],
    }));
    handle_key(&mut s, k(KeyCode::Down));
    handle_key(&mut s, k(KeyCode::Char('x')));
    match &s.input {
        Input::Palette(p) => assert_eq!(p.text, "secret rm tls"),
        other => panic!("{other:?}"),
    }
    s.input = Input::Normal;
    let fx = handle_key(&mut s, k(KeyCode::Char('y')));
    assert!(
        matches!(&fx[..], [Effect::Op(Op::Act { action: crate::model::action::Action::Inspect { kind: Some(crate::model::inspect::Kind::Secret), name, .. }, .. })] if name == "tls"),
        "{fx:?}"
    );
    // A listing of another view is not this one's.
    s.apply_event(Event::Listing(Listing {
        kind: ViewKind::Networks,
        titles: Vec::new(),
        resource: None,
        columns: vec!["name"],
        rows: vec![vec!["ingress".into()]],
    }));
    assert_eq!(s.slot.as_ref().unwrap().visible("").len(), 2);
    let fx = handle_key(&mut s, k(KeyCode::Esc));
    assert_eq!(fx, vec![Effect::Op(Op::View(None))]);
    assert!(s.slot.is_none());
    assert_eq!(s.pane_title(Pane::Services), "Services");
}

#[test]
fn enter_on_a_service_shows_its_tasks_and_follows_its_logs() {
    let mut s = demo_state();
    handle_key(&mut s, k(KeyCode::Down));
    let fx = handle_key(&mut s, k(KeyCode::Enter));
    assert_eq!(s.focus, Pane::Tasks);
    let name = s.current_workload().unwrap().name.clone();
    assert!(
        matches!(&fx[..], [Effect::Op(Op::FollowLogs { target: LogTarget::Workload { name: n, .. }, generation: 1, .. })] if *n == name)
    );
    let fx = handle_key(&mut s, k(KeyCode::Enter));
    assert_eq!(s.focus, Pane::Logs);
    assert!(matches!(
        &fx[..],
        [Effect::Op(Op::FollowLogs {
            target: LogTarget::Instance { .. },
            generation: 2,
            ..
        })]
    ));
}

#[test]
fn slash_filters_and_esc_clears() {
    let mut s = demo_state();
    handle_key(&mut s, k(KeyCode::Char('/')));
    type_str(&mut s, "REDIS");
    assert_eq!(s.visible_workloads().len(), 1);
    handle_key(&mut s, k(KeyCode::Enter));
    assert_eq!(s.input, Input::Normal);
    assert_eq!(s.visible_workloads().len(), 1);
    handle_key(&mut s, k(KeyCode::Esc));
    assert_eq!(s.visible_workloads().len(), 5);
}

#[test]
fn the_palette_runs_the_grammar_with_completion_and_history() {
    let mut s = demo_state();
    handle_key(&mut s, k(KeyCode::Char(':')));
    type_str(&mut s, "tas");
    handle_key(&mut s, k(KeyCode::Tab));
    assert!(matches!(&s.input, Input::Palette(p) if p.text == "tasks "));
    type_str(&mut s, "gopenux_re");
    handle_key(&mut s, k(KeyCode::Tab));
    handle_key(&mut s, k(KeyCode::Enter));
    assert_eq!(s.focus, Pane::Tasks);
    assert_eq!(s.current_workload().unwrap().name, "gopenux_redis");
    handle_key(&mut s, k(KeyCode::Char(':')));
    handle_key(&mut s, k(KeyCode::Up));
    assert!(matches!(&s.input, Input::Palette(p) if p.text == "tasks gopenux_redis"));
    handle_key(&mut s, k(KeyCode::Esc));
    assert_eq!(s.input, Input::Normal);
}

#[test]
fn palette_errors_become_a_toast_and_change_nothing() {
    let mut s = demo_state();
    let before = s.focus;
    handle_key(&mut s, k(KeyCode::Char(':')));
    type_str(&mut s, "tasks gopenux_backnd");
    handle_key(&mut s, k(KeyCode::Enter));
    assert_eq!(s.focus, before);
    let t = s.toast.clone().unwrap();
    assert!(t.error && t.text.contains("gopenux_backend"), "{}", t.text);
}

#[test]
fn log_search_jumps_between_matches() {
    let mut s = demo_state();
    follow(
        &mut s,
        LogTarget::Workload {
            id: "x".into(),
            name: "x".into(),
        },
    );
    let line = |t: &str| crate::model::LogLine {
        source: "a".into(),
        stream: crate::model::Stream::Stdout,
        ts: None,
        ts_nanos: 0,
        text: t.into(),
    };
    s.apply_event(Event::Logs {
        generation: 1,
        lines: vec![line("error one"), line("ok"), line("error two"), line("ok")],
    });
    s.focus = Pane::Logs;
    handle_key(&mut s, k(KeyCode::Char('/')));
    type_str(&mut s, "error");
    assert_eq!(s.logs.scroll, 1);
    handle_key(&mut s, k(KeyCode::Enter));
    handle_key(&mut s, k(KeyCode::Char('n')));
    assert_eq!(s.logs.scroll, 3);
    handle_key(&mut s, k(KeyCode::Char('N')));
    assert_eq!(s.logs.scroll, 1);
    handle_key(&mut s, k(KeyCode::End));
    assert!(s.logs.following());
}

#[test]
fn the_label_editor_adds_changes_and_removes() {
    let mut s = demo_state();
    s.focus = Pane::Nodes;
    handle_key(&mut s, k(KeyCode::Down));
    handle_key(&mut s, k(KeyCode::Char('l')));
    assert!(matches!(s.overlay, Overlay::Labels { .. }));
    handle_key(&mut s, k(KeyCode::Enter));
    assert!(matches!(&s.input, Input::Palette(p) if p.text == "label worker1 app=ingress"));
    handle_key(&mut s, k(KeyCode::Esc));
    handle_key(&mut s, k(KeyCode::Char('a')));
    assert!(matches!(&s.input, Input::Palette(p) if p.text == "label worker1 "));
    handle_key(&mut s, k(KeyCode::Esc));
    let fx = handle_key(&mut s, k(KeyCode::Char('d')));
    assert!(
        matches!(&fx[..], [Effect::Op(Op::Act { action: crate::model::action::Action::Unlabel { node, keys }, .. })] if node == "worker1" && keys == &["app".to_string()])
    );
    handle_key(&mut s, k(KeyCode::Esc));
    assert_eq!(s.overlay, Overlay::None);
}

#[test]
fn help_opens_and_closes() {
    let mut s = demo_state();
    handle_key(&mut s, k(KeyCode::Char('?')));
    assert!(matches!(s.overlay, Overlay::Help { .. }));
    handle_key(&mut s, k(KeyCode::Char('q')));
    assert_eq!(s.overlay, Overlay::None);
    assert!(!s.quit);
    handle_key(&mut s, k(KeyCode::Char('q')));
    assert!(s.quit);
}
