use super::*;

fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

#[test]
fn keys_mean_what_the_issue_says() {
    assert_eq!(
        action(&key(KeyCode::Char('q')), Pane::Logs),
        Some(KeyAction::Quit)
    );
    assert_eq!(
        action(
            &KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
            Pane::Nodes
        ),
        Some(KeyAction::Quit)
    );
    assert_eq!(
        action(&key(KeyCode::Char('3')), Pane::Nodes),
        Some(KeyAction::Focus(Pane::Tasks))
    );
    assert_eq!(
        action(&key(KeyCode::Char('t')), Pane::Logs),
        Some(KeyAction::ToggleTimestamps)
    );
    assert_eq!(action(&key(KeyCode::Char('t')), Pane::Services), None);
    assert_eq!(
        action(&key(KeyCode::Enter), Pane::Services),
        Some(KeyAction::Open)
    );
    assert_eq!(action(&key(KeyCode::Enter), Pane::Nodes), None);
}

#[test]
fn no_key_is_bound_twice_in_one_pane() {
    let samples: Vec<KeyEvent> =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/:?"
            .chars()
            .map(|c| key(KeyCode::Char(c)))
            .chain(
                [
                    KeyCode::Enter,
                    KeyCode::Esc,
                    KeyCode::Tab,
                    KeyCode::Up,
                    KeyCode::Home,
                ]
                .map(key),
            )
            .collect();
    for pane in Pane::ALL {
        for k in &samples {
            let n = BINDINGS
                .iter()
                .filter(|b| (b.panes.is_empty() || b.panes.contains(&pane)) && (b.key)(k))
                .count();
            assert!(n <= 1, "{k:?} bound {n} times in {pane:?}");
        }
    }
}
