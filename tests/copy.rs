//! `Y` copies with OSC 52, as k9s does, so that it works over SSH and inside tmux: tmux with
//! `set-clipboard on` takes the sequence into its paste buffer, which is what is read here.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly

mod support;

use support::Engine;
use support::tmux::Tmux;

#[test]
fn y_copies_the_name_then_the_id_then_the_inspect_windows_text() {
    support::require(&["tmux"]);
    let data = std::env::temp_dir().join(support::unique("estiba-copy"));
    let t = Tmux::start(
        100,
        30,
        &[
            ("LANG", "C.UTF-8"),
            ("ESTIBA_DATA_DIR", data.to_str().unwrap()),
        ],
        &format!("{} --demo", Engine::estiba()),
    );
    t.run(&["set", "-g", "set-clipboard", "on"]);
    t.wait_for("gopenux_backend", 10);
    let buffer = || t.run(&["show-buffer"]);
    t.keys(&["Y"]);
    t.wait_for("Copied: gopenux_backend", 5);
    support::wait_for(
        "the name in tmux's buffer",
        std::time::Duration::from_secs(5),
        || (buffer() == "gopenux_backend").then_some(()),
    );
    // Again on the same row: its ID.
    t.keys(&["Y"]);
    support::wait_for("the ID", std::time::Duration::from_secs(5), || {
        buffer().starts_with("demosvc").then_some(())
    });
    // A node, in the nodes pane.
    t.keys(&["1"]);
    t.keys(&["Y"]);
    support::wait_for("the node", std::time::Duration::from_secs(5), || {
        (buffer() == "manager1").then_some(())
    });
    // The inspect window: its whole text.
    t.keys(&["2"]);
    t.keys(&["y"]);
    t.wait_for("Y copy", 5);
    t.keys(&["Y"]);
    support::wait_for(
        "the window's text",
        std::time::Duration::from_secs(5),
        || {
            let b = buffer();
            (b.starts_with("# service gopenux_backend") && b.contains("\nimage: ")).then_some(())
        },
    );
}
