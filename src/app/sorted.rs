//! Sorting a pane as the user asks (`o`, `O`) and the mark its column titles carry.

use super::sort::cycle;
use super::state::{Pane, State};

/// `o`: the next column (after the last, back to the order as listed); `O`: the other way.
pub fn next(s: &mut State, pane: Pane, reverse: bool) {
    // The CPU and memory columns (the last of services and tasks) are there only with samples.
    let measured = !s.cluster.stats.last.is_empty();
    let n = crate::columns::sortable(pane, measured);
    if n == 0 {
        return;
    }
    let v = s.view_mut(pane);
    v.sort = cycle(v.sort, n, reverse);
    let said = match v.sort {
        Some(sort) => crate::tr!(
            "sort.by",
            column = crate::i18n::text(crate::columns::titles(pane)[sort.col]),
            way = if sort.desc { "▼" } else { "▲" }
        ),
        None => crate::tr!("sort.none"),
    };
    s.reselect(pane);
    s.toast(said, false);
}

/// A column's title with the sort's mark when the list is sorted by it.
pub fn title(s: &State, pane: Pane, col: usize, title: String) -> String {
    match s.view(pane).sort {
        Some(sort) if sort.col == col => format!("{title}{}", if sort.desc { "▼" } else { "▲" }),
        _ => title,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::sort::*;
    use crate::backend::demo::Demo;

    fn demo() -> State {
        let mut s = State::new("demo", true, 100, 1_000_000);
        for ev in Demo::at(1_000_000).events() {
            s.apply_event(ev);
        }
        s
    }

    #[test]
    fn tasks_and_services_sort_by_cpu_once_measured() {
        let mut s = demo();
        // Without samples the cycle ends at the last column shown.
        for _ in 0..6 {
            next(&mut s, Pane::Tasks, false);
        }
        assert_eq!(
            s.view(Pane::Tasks).sort,
            Some(Sort {
                col: 5,
                desc: false
            })
        );
        next(&mut s, Pane::Tasks, false);
        assert_eq!(s.view(Pane::Tasks).sort, None);
        let ids: Vec<String> = s.cluster.instances.iter().map(|i| i.id.clone()).collect();
        let batch = ids
            .iter()
            .enumerate()
            .map(|(k, id)| {
                let u = crate::model::stats::Usage {
                    cpu_percent: ((k * 7) % 11) as f64,
                    ..Default::default()
                };
                (id.clone(), u)
            })
            .collect();
        s.apply_event(crate::backend::Event::Stats(batch));
        s.view_mut(Pane::Tasks).sort = Some(Sort { col: 6, desc: true });
        let cpu = |s: &State| -> Vec<f64> {
            s.visible_instances()
                .iter()
                .map(|i| s.cluster.stats.last[&i.id].cpu_percent)
                .collect()
        };
        let got = cpu(&s);
        assert!(
            got.len() > 1 && got.windows(2).all(|p| p[0] >= p[1]),
            "{got:?}"
        );
        s.view_mut(Pane::Services).sort = Some(Sort {
            col: 6,
            desc: false,
        });
        let totals: Vec<f64> = s
            .visible_workloads()
            .iter()
            .filter(|w| w.stack.is_some())
            .map(|w| {
                s.cluster
                    .instances_of(&w.id)
                    .filter_map(|i| s.cluster.stats.last.get(&i.id))
                    .map(|u| u.cpu_percent)
                    .sum()
            })
            .collect();
        assert!(totals.windows(2).all(|p| p[0] <= p[1]), "{totals:?}");
    }

    #[test]
    fn o_cycles_the_columns_capital_o_reverses_and_stacks_stay_grouped() {
        let mut s = demo();
        let names = |s: &State| -> Vec<String> {
            s.visible_workloads()
                .iter()
                .map(|w| w.name.clone())
                .collect()
        };
        let listed = names(&s);
        next(&mut s, Pane::Services, false);
        assert_eq!(
            s.view(Pane::Services).sort,
            Some(Sort {
                col: 0,
                desc: false
            })
        );
        let mut sorted = listed.clone();
        sorted.sort();
        assert_eq!(names(&s), sorted);
        next(&mut s, Pane::Services, true);
        sorted.reverse();
        assert_eq!(names(&s), sorted);
        // Replicas: the most running last, ascending.
        next(&mut s, Pane::Services, false);
        next(&mut s, Pane::Services, false);
        assert_eq!(
            s.view(Pane::Services).sort,
            Some(Sort {
                col: 2,
                desc: false
            })
        );
        let running: Vec<u64> = s.visible_workloads().iter().map(|w| w.running).collect();
        assert!(running.windows(2).all(|p| p[0] <= p[1]), "{running:?}");
        assert_eq!(title(&s, Pane::Services, 2, "Replicas".into()), "Replicas▲");
        for _ in 0..4 {
            next(&mut s, Pane::Services, false);
        }
        assert_eq!(s.view(Pane::Services).sort, None);
        assert_eq!(names(&s), listed);
        // Images by size, biggest first.
        next(&mut s, Pane::Images, false);
        for _ in 0..3 {
            next(&mut s, Pane::Images, false);
        }
        next(&mut s, Pane::Images, true);
        let sizes: Vec<u64> = s.visible_images().iter().map(|i| i.size).collect();
        assert!(sizes.windows(2).all(|p| p[0] >= p[1]), "{sizes:?}");
    }

    #[test]
    fn a_view_sorts_by_its_columns_numbers_as_numbers() {
        use crate::app::input::handle_key;
        use crate::model::listing::{Listing, ViewKind};
        use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        let mut s = demo();
        crate::app::input::apply(&mut s, crate::command::Command::View(ViewKind::Volumes));
        s.apply_event(crate::backend::Event::Listing(Listing {
            kind: ViewKind::Volumes,
            titles: Vec::new(),
            resource: None,
            columns: vec!["name", "size"],
            rows: vec![
                vec!["b".into(), "10".into()],
                vec!["a".into(), "9".into()],
                vec!["c".into(), "100".into()],
            ],
        }));
        let names = |s: &State| -> Vec<String> {
            s.slot
                .as_ref()
                .unwrap()
                .visible("")
                .iter()
                .map(|r| r[0].clone())
                .collect()
        };
        assert_eq!(names(&s), ["b", "a", "c"]);
        s.focus = Pane::Services;
        let o = |s: &mut State, c| {
            handle_key(s, KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        };
        o(&mut s, 'o');
        assert_eq!(names(&s), ["a", "b", "c"]);
        o(&mut s, 'o');
        assert_eq!(names(&s), ["a", "b", "c"], "9 < 10 < 100");
        o(&mut s, 'O');
        assert_eq!(names(&s), ["c", "b", "a"]);
    }
}
