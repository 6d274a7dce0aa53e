//! Render tests on the demo backend: snapshots of each pane at 80x24, 120x40 and 200x60, colour
//! checks at the cell level (snapshots do not see colour), and no panic at any size.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly

use estiba::app::input::{self, follow};
use estiba::app::state::{Input, Overlay, Palette, Pane, State};
use estiba::backend::demo::Demo;
use estiba::backend::{ConnState, Event};
use estiba::model::{LogLine, LogTarget, Stream};
use estiba::ui::{self, theme::Theme};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Color;

const NOW: i64 = 1_795_313_114; // 2026-11-22 02:05:14 UTC

fn demo_state() -> State {
    estiba::i18n::set_lang(estiba::i18n::Lang::En);
    let mut s = State::new("demo", true, 1000, NOW);
    for ev in Demo::at(NOW).events() {
        s.apply_event(ev);
    }
    // Follow the backend's logs, with fixed lines.
    s.move_selection(Pane::Services, 0);
    let w = s.current_workload().unwrap().clone();
    follow(
        &mut s,
        LogTarget::Workload {
            id: w.id.clone(),
            name: w.name.clone(),
        },
    );
    let lines = (0..40)
        .map(|k| LogLine {
            source: format!("gopenux_backend.{}@worker{}", k % 3 + 1, k % 2 + 1),
            stream: if k % 7 == 3 {
                Stream::Stderr
            } else {
                Stream::Stdout
            },
            ts: Some(NOW - 80 + 2 * k),
            ts_nanos: 0,
            text: if k % 7 == 3 {
                "WARNING: slow query on users (412 ms)".into()
            } else {
                format!("INFO GET /api/users?page={k} 200 {}ms", 3 + k)
            },
        })
        .collect();
    let generation = s.logs.generation;
    s.apply_event(Event::Logs { generation, lines });
    s
}

fn render(s: &State, theme: &Theme, w: u16, h: u16) -> Buffer {
    let area = Rect::new(0, 0, w, h);
    let mut buf = Buffer::empty(area);
    ui::draw(s, theme, area, &mut buf);
    buf
}

fn text(s: &State, w: u16, h: u16) -> String {
    estiba::export::text(&render(s, &Theme::default_dark(), w, h))
}

#[test]
fn every_pane_at_80x24() {
    let mut s = demo_state();
    for pane in Pane::ALL {
        s.focus = pane;
        insta::assert_snapshot!(format!("80x24_{pane:?}").to_lowercase(), text(&s, 80, 24));
    }
}

#[test]
fn two_columns_at_120x40() {
    let mut s = demo_state();
    insta::assert_snapshot!("120x40_services", text(&s, 120, 40));
    s.focus = Pane::Nodes;
    insta::assert_snapshot!("120x40_nodes", text(&s, 120, 40));
}

#[test]
fn everything_at_200x60() {
    let s = demo_state();
    insta::assert_snapshot!("200x60", text(&s, 200, 60));
}

#[test]
fn finished_tasks_timestamps_search_and_wrap() {
    let mut s = demo_state();
    s.focus = Pane::Tasks;
    s.show_finished = true;
    insta::assert_snapshot!("80x24_tasks_finished", text(&s, 80, 24));
    s.focus = Pane::Logs;
    s.logs.timestamps = true;
    s.logs.wrap = true;
    s.logs.search = "slow".into();
    insta::assert_snapshot!("80x24_logs_ts_wrap_search", text(&s, 80, 24));
}

#[test]
fn overlays_palette_and_help() {
    let mut s = demo_state();
    s.input = Input::Palette(Palette {
        text: "logs gopenux_".into(),
        candidates: vec!["gopenux_backend".into(), "gopenux_frontend".into()],
        ..Default::default()
    });
    insta::assert_snapshot!("80x24_palette", text(&s, 80, 24));
    s.input = Input::Normal;
    s.overlay = Overlay::Help {
        pane: Pane::Logs,
        only: None,
        scroll: 0,
    };
    insta::assert_snapshot!("120x40_help_logs", text(&s, 120, 40));
}

/// A push under way: the prompt line has the overall bar, a box above it a bar per layer.
fn pushing(s: &mut State) {
    let text = "127.0.0.1:5000/lab/web:test [██████████░░░░░░░░░░] 1/2 layers · 1.20MB/2.40MB\n  \
                3f2a9c1d0b7e [██████░░░░░░] pushing 1.20MB/2.40MB\n  \
                9e8d7c6b5a41 [████████████] already there";
    s.running.insert(
        7,
        (
            estiba::model::action::Action::Push("127.0.0.1:5000/lab/web:test".into()),
            text.into(),
        ),
    );
}

#[test]
fn a_push_shows_a_bar_per_layer() {
    let mut s = demo_state();
    s.focus = Pane::Images;
    pushing(&mut s);
    let t = text(&s, 80, 24);
    let lines: Vec<&str> = t.lines().collect();
    assert!(
        lines[22].contains("↻ 127.0.0.1:5000/lab/web:test") && lines[22].contains("1/2 layers"),
        "{t}"
    );
    assert!(
        lines[19].contains("3f2a9c1d0b7e") && lines[20].contains("already there"),
        "{t}"
    );
    insta::assert_snapshot!("80x24_push_layers", t);
}

#[test]
fn too_small_says_so() {
    let s = demo_state();
    let t = text(&s, 59, 20);
    assert!(
        t.contains("Terminal too small (need 60x15, have 59x20)"),
        "{t}"
    );
    let t = text(&s, 80, 14);
    assert!(t.contains("too small"), "{t}");
    assert!(!text(&s, 60, 15).contains("too small"));
}

#[test]
fn no_size_panics_whatever_is_open() {
    let mut s = demo_state();
    let theme = Theme::default_dark();
    let setups: [fn(&mut State); 5] = [
        |_| {},
        pushing,
        |s| {
            s.overlay = Overlay::Help {
                pane: Pane::Services,
                only: None,
                scroll: 99,
            }
        },
        |s| {
            s.input = Input::Palette(Palette {
                text: "x".repeat(300),
                ..Default::default()
            })
        },
        |s| {
            s.toast("a long error message ".repeat(20), true);
            s.logs.wrap = true;
            s.focus = Pane::Logs;
        },
    ];
    for setup in setups {
        setup(&mut s);
        for w in (0..=220)
            .step_by(7)
            .chain([1, 2, 59, 60, 99, 100, 149, 150])
        {
            for h in (0..=70).step_by(5).chain([1, 2, 14, 15, 27, 28, 39, 40]) {
                render(&s, &theme, w, h);
            }
        }
    }
    // Empty state, every pane, small and large.
    let mut empty = State::new("unix:///var/run/docker.sock", false, 10, NOW);
    for pane in Pane::ALL {
        empty.focus = pane;
        render(&empty, &theme, 80, 24);
        render(&empty, &theme, 200, 60);
    }
}

fn find(buf: &Buffer, needle: &str) -> (u16, u16) {
    let text = estiba::export::text(buf);
    for (y, line) in text.lines().enumerate() {
        if let Some(byte) = line.find(needle) {
            let x = unicode_width::UnicodeWidthStr::width(&line[..byte]);
            return (x as u16, y as u16);
        }
    }
    panic!("{needle:?} not on screen:\n{text}");
}

#[test]
fn colours_carry_meaning() {
    let mut s = demo_state();
    let theme = Theme::default_dark();
    // Healthy replicas in the ok colour.
    let buf = render(&s, &theme, 120, 40);
    let (x, y) = find(&buf, "2/2  ");
    assert_eq!(buf[(x, y)].fg, theme.ok);
    // A converging service in the warn colour, a dead one in the error colour.
    let mut w = s.cluster.workloads.clone();
    w[1].running = 1;
    w[2].running = 0;
    s.apply_event(Event::Workloads(w));
    let buf = render(&s, &theme, 120, 40);
    let (x, y) = find(&buf, "1/2  ");
    assert_eq!(buf[(x, y)].fg, theme.warn);
    let (x, y) = find(&buf, "0/2  ");
    assert_eq!(buf[(x, y)].fg, theme.error);
    // The selected row has the selection colours.
    let (x, y) = find(&buf, "gopenux_backend  ");
    assert_eq!(buf[(x, y)].bg, theme.selection_bg);
    // A failed task's error in the error colour; the finished row dimmed.
    s.focus = Pane::Tasks;
    s.show_finished = true;
    let buf = render(&s, &theme, 200, 60);
    let (x, y) = find(&buf, "No such image");
    assert_eq!(buf[(x, y)].fg, theme.error);
    // The DEMO badge.
    let (x, y) = find(&buf, "DEMO");
    assert_eq!(
        (buf[(x, y)].fg, buf[(x, y)].bg),
        (theme.badge_fg, theme.badge_bg)
    );
    // stderr lines in the warn colour, search matches highlighted.
    s.focus = Pane::Logs;
    s.logs.search = "slow".into();
    let buf = render(&s, &theme, 200, 60);
    let (x, y) = find(&buf, "WARNING");
    assert_eq!(buf[(x, y)].fg, theme.warn);
    let (x, y) = find(&buf, "slow query");
    assert_eq!(buf[(x, y)].bg, theme.highlight_bg);
}

#[test]
fn no_color_uses_attributes_only() {
    let s = demo_state();
    let theme = Theme::default_dark().without_color();
    let buf = render(&s, &theme, 120, 40);
    for cell in buf.content() {
        assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset));
    }
    let (x, y) = find(&buf, "gopenux_backend  ");
    assert!(
        buf[(x, y)]
            .modifier
            .contains(ratatui::style::Modifier::REVERSED)
    );
}

#[test]
fn stale_panes_are_marked_while_reconnecting() {
    let mut s = demo_state();
    s.apply_event(Event::Conn(ConnState::Reconnecting {
        retry_in: 4,
        error: "cannot reach the engine".into(),
    }));
    let t = text(&s, 120, 40);
    assert!(t.contains("(stale)"), "{t}");
    assert!(t.contains("reconnecting in 4s"), "{t}");
    // It counts down.
    s.now += 3;
    assert!(text(&s, 120, 40).contains("reconnecting in 1s"));
    assert!(t.contains("gopenux_backend"), "the last data stays: {t}");
    // And the palette's error toast shows what was wrong.
    let mut s = demo_state();
    input::apply(
        &mut s,
        estiba::command::Command::Tasks {
            service: "nope".into(),
        },
    );
    assert!(text(&s, 80, 24).contains("no service named \"nope\""));
}

#[test]
fn a_plain_engine_explains_what_a_swarm_needs() {
    let mut s = State::new("unix:///var/run/docker.sock", false, 10, NOW);
    let mut info = Demo::at(NOW).info();
    info.swarm = estiba::model::SwarmRole::None;
    s.apply_event(Event::Info(info));
    s.apply_event(Event::Conn(ConnState::Connected));
    s.focus = Pane::Nodes;
    let t = text(&s, 80, 24);
    assert!(t.contains("docker swarm init"), "{t}");
}

/// The demo's use samples for every running task, `n` times (a history for the sparklines).
fn measured(s: &mut State, n: u64) {
    for tick in 1..=n {
        let batch: Vec<(String, estiba::model::stats::Usage)> = s
            .cluster
            .instances
            .iter()
            .filter(|i| !i.finished())
            .map(|i| {
                let t = estiba::model::stats::StatsTarget::of(i);
                (
                    i.id.clone(),
                    estiba::backend::demo::stats::sample(&t, tick, NOW - 3600, NOW),
                )
            })
            .collect();
        s.apply_event(Event::Stats(batch));
    }
}

#[test]
fn live_use_in_the_tasks_and_services_panes() {
    let mut s = demo_state();
    measured(&mut s, 12);
    insta::assert_snapshot!("200x60_stats", text(&s, 200, 60));
    s.focus = Pane::Tasks;
    insta::assert_snapshot!("80x24_tasks_stats", text(&s, 80, 24));
    // Every size still draws.
    let theme = Theme::default_dark();
    for (w, h) in [(60, 15), (80, 24), (99, 27), (120, 40), (220, 70)] {
        render(&s, &theme, w, h);
    }
}

#[test]
fn only_what_is_on_screen_is_measured() {
    let mut s = demo_state();
    let backend = s.current_workload().unwrap().clone();
    let tasks_of = |s: &State, id: &str| -> Vec<String> {
        s.cluster
            .instances_of(id)
            .filter(|i| !i.finished())
            .map(|i| i.id.clone())
            .collect()
    };
    // 80x24 on the tasks: only the selected service's tasks.
    s.focus = Pane::Tasks;
    let wanted: Vec<String> = ui::panes::stats_wanted(&s, Rect::new(0, 0, 80, 24))
        .into_iter()
        .map(|t| t.instance)
        .collect();
    let mut mine = tasks_of(&s, &backend.id);
    mine.sort();
    let mut got = wanted.clone();
    got.sort();
    assert_eq!(got, mine);
    // On the nodes pane nothing is measured.
    s.focus = Pane::Nodes;
    assert!(ui::panes::stats_wanted(&s, Rect::new(0, 0, 80, 24)).is_empty());
    // Every pane at once: every service in view, so every running task.
    let all: usize = s
        .cluster
        .workloads
        .iter()
        .map(|w| tasks_of(&s, &w.id).len())
        .sum();
    assert_eq!(
        ui::panes::stats_wanted(&s, Rect::new(0, 0, 200, 60)).len(),
        all
    );
    // 1 000 services of 10 tasks each at 80x24: the services in view, and no other.
    let mut big = State::new("demo", true, 1000, NOW);
    for ev in Demo::scaled(NOW, 1000, 10_000).events() {
        big.apply_event(ev);
    }
    big.focus = Pane::Services;
    let wanted = ui::panes::stats_wanted(&big, Rect::new(0, 0, 80, 24));
    let shown = text(&big, 80, 24);
    let workloads: std::collections::BTreeSet<&str> = wanted
        .iter()
        .map(|t| {
            let i = big
                .cluster
                .instances
                .iter()
                .find(|i| i.id == t.instance)
                .unwrap();
            i.workload_id.as_str()
        })
        .collect();
    assert!(
        !workloads.is_empty() && workloads.len() < 25,
        "{workloads:?}"
    );
    for id in &workloads {
        let w = big.cluster.workloads.iter().find(|w| w.id == *id).unwrap();
        assert!(shown.contains(&w.name), "{} is on screen", w.name);
    }
}

/// A click, through the layout the renderer makes, as the console hands it to the state.
fn click(s: &mut State, x: u16, y: u16, screen: Rect) {
    use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    let regions = ui::regions(s, screen);
    estiba::app::mouse::handle_mouse(
        s,
        MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: x,
            row: y,
            modifiers: KeyModifiers::NONE,
        },
        &regions,
    );
}

#[test]
fn a_click_selects_the_row_under_it_and_focuses_its_pane() {
    let mut s = State::new("demo", true, 100, 1_000_000);
    for ev in Demo::at(1_000_000).events() {
        s.apply_event(ev);
    }
    let screen = Rect::new(0, 0, 200, 50);
    let regions = ui::regions(&s, screen);
    let (_, services) = *regions
        .panes
        .iter()
        .find(|(p, _)| *p == Pane::Services)
        .unwrap();
    // The title (top border), the column header, the stack's group, then the services.
    click(&mut s, services.x + 4, services.y + 4, screen);
    assert_eq!(s.focus, Pane::Services);
    assert_eq!(s.view(Pane::Services).selected, 1);
    let (_, tasks) = *regions
        .panes
        .iter()
        .find(|(p, _)| *p == Pane::Tasks)
        .unwrap();
    click(&mut s, tasks.x + 3, tasks.y + 3, screen);
    assert_eq!(s.focus, Pane::Tasks);
    assert_eq!(s.view(Pane::Tasks).selected, 1);
    // A group header selects nothing new.
    click(&mut s, services.x + 4, services.y + 2, screen);
    assert_eq!(s.view(Pane::Services).selected, 1);
}

/// The demo Kubernetes cluster as the console shows it (`estiba --demo --kube`), its clock
/// stopped now (the backend writes a view's ages from the wall clock, so the cluster's clock is
/// the wall's; every age shown is relative): every listing through the Kubernetes backend, and
/// the view `line` opens (a palette command) filled from it.
fn kube_state(line: Option<&str>) -> State {
    use estiba::backend::Backend;
    use estiba::backend::kube::Kube;
    estiba::i18n::set_lang(estiba::i18n::Lang::En);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let now = estiba::time::now();
        let cluster = estiba::backend::demo::kube::Cluster::at(now, None);
        let b = Backend::Kube(Box::new(Kube::demo(cluster)));
        let mut s = State::new("demo", true, 1000, now);
        s.apply_event(Event::Conn(ConnState::Demo));
        s.apply_event(Event::Info(b.info().await.unwrap()));
        s.apply_event(Event::Nodes(b.nodes().await.unwrap()));
        s.apply_event(Event::Workloads(b.workloads().await.unwrap()));
        s.apply_event(Event::Instances(b.instances().await.unwrap()));
        if let Some(line) = line {
            use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
            let key = |c| KeyEvent::new(c, KeyModifiers::NONE);
            let mut effects = Vec::new();
            for c in format!(":{line}").chars() {
                effects.extend(input::handle_key(&mut s, key(KeyCode::Char(c))));
            }
            effects.extend(input::handle_key(&mut s, key(KeyCode::Enter)));
            for fx in effects {
                if let estiba::app::effect::Effect::Op(estiba::backend::Op::View(Some(kind))) = fx {
                    s.apply_event(Event::Listing(b.listing(kind).await.unwrap()));
                }
            }
        }
        s
    })
}

#[test]
fn the_kubernetes_demo_pods_services_and_namespaces() {
    let mut s = kube_state(None);
    s.focus = Pane::Tasks;
    insta::assert_snapshot!("kube_120x40_pods", text(&s, 120, 40));
    insta::assert_snapshot!("kube_80x24_pods", text(&s, 80, 24));
    // The Services view (`networks`: on Kubernetes, the Services with their NodePorts).
    let s = kube_state(Some("networks"));
    insta::assert_snapshot!("kube_120x40_services", text(&s, 120, 40));
    let s = kube_state(Some("volumes"));
    insta::assert_snapshot!("kube_120x40_namespaces", text(&s, 120, 40));
}

/// A running pod in the ok colour, its ready count beside the word (it was drawn as pending).
#[test]
fn a_running_pod_is_drawn_running() {
    let mut s = kube_state(None);
    s.focus = Pane::Tasks;
    let theme = Theme::default_dark();
    let buf = render(&s, &theme, 120, 40);
    // The second pod: the first is the selected row, in the selection's colours.
    let text = estiba::export::text(&buf);
    let (y, line) = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("running 1/1"))
        .nth(1)
        .unwrap();
    let x = unicode_width::UnicodeWidthStr::width(&line[..line.find("running 1/1").unwrap()]);
    assert_eq!(buf[(x as u16, y as u16)].fg, theme.ok, "{text}");
}
