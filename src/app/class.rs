//! The class screen's state: each student's last look, when each cell last changed, the cell
//! selected. Pure; `runtime::class` feeds it looks and keys, `ui::class` draws it.

use crate::lab::class::{ClassFile, Look, mark};

pub struct ClassView {
    pub class: ClassFile,
    /// The lab's step names, in order.
    pub steps: Vec<String>,
    /// Each student's last look (none yet: being looked at).
    pub looks: Vec<Option<Look>>,
    /// When each cell last changed mark (Unix seconds), per student and step.
    pub changed: Vec<Vec<Option<i64>>>,
    /// The selected student and step.
    pub row: usize,
    pub col: usize,
    pub now: i64,
}

/// What a key asks of the loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClassKey {
    None,
    Quit,
    LookAgain,
    /// Open this student's cluster in the console.
    Open(usize),
}

impl ClassView {
    pub fn new(class: ClassFile, now: i64) -> ClassView {
        let steps: Vec<String> = crate::lab::load(&class.lab)
            .map(|l| l.steps.iter().map(|s| s.name.clone()).collect())
            .unwrap_or_default();
        let n = class.students.len();
        ClassView {
            changed: vec![vec![None; steps.len()]; n],
            looks: vec![None; n],
            class,
            steps,
            row: 0,
            col: 0,
            now,
        }
    }

    /// A look came back: taken in, and the cells whose mark changed stamped with its time.
    pub fn take(&mut self, i: usize, look: Look) {
        let Some(slot) = self.looks.get_mut(i) else {
            return;
        };
        for (k, changed) in self.changed[i].iter_mut().enumerate() {
            let before = slot.as_ref().map(|l| mark(l, k));
            if before != Some(mark(&look, k)) {
                *changed = Some(look.at);
            }
        }
        *slot = Some(look);
        crate::lab::class::mark_shared(&mut self.looks);
    }

    /// The mark of a cell (`…` while the student has not been looked at yet).
    pub fn cell(&self, row: usize, col: usize) -> &'static str {
        match self.looks.get(row).and_then(Option::as_ref) {
            Some(l) => mark(l, col),
            None => "…",
        }
    }

    pub fn key(&mut self, code: crossterm::event::KeyCode) -> ClassKey {
        use crossterm::event::KeyCode as K;
        let rows = self.class.students.len().max(1);
        let cols = self.steps.len().max(1);
        match code {
            K::Char('q') | K::Esc => return ClassKey::Quit,
            K::Char('r') => return ClassKey::LookAgain,
            K::Enter => return ClassKey::Open(self.row),
            K::Down | K::Char('j') => self.row = (self.row + 1).min(rows - 1),
            K::Up | K::Char('k') => self.row = self.row.saturating_sub(1),
            K::Right | K::Char('l') => self.col = (self.col + 1).min(cols - 1),
            K::Left | K::Char('h') => self.col = self.col.saturating_sub(1),
            _ => {}
        }
        ClassKey::None
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::lab::class::Student;

    fn look(name: &str, at: i64, done: &[bool]) -> Look {
        let lab = crate::lab::load("semana-3").unwrap();
        Look {
            name: name.into(),
            endpoint: String::new(),
            reachable: true,
            error: None,
            checked: None,
            steps: lab
                .steps
                .iter()
                .zip(done.iter().chain(std::iter::repeat(&false)))
                .map(|(s, d)| crate::lab::StepReport {
                    name: s.name.clone(),
                    text: String::new(),
                    status: if *d {
                        crate::lab::Status::Done
                    } else {
                        crate::lab::Status::NotYet
                    },
                    reasons: vec![],
                    passed_at: None,
                    no_longer_shown: false,
                    not_observed: false,
                    passed_elsewhere: None,
                    observed: vec![],
                    evidence: None,
                    evidence_edited: false,
                    evidence_foreign: false,
                    hint: None,
                })
                .collect(),
            edited: false,
            at,
            same_cluster_as: vec![],
        }
    }

    #[test]
    fn a_cell_remembers_when_its_mark_last_changed_and_keys_move_in_the_grid() {
        let class = ClassFile {
            lab: "semana-3".into(),
            students: vec![Student {
                name: "Ana".into(),
                host: Some("tcp://x:2376".into()),
                tls: None,
                context: None,
                kubeconfig: None,
                folder: None,
            }],
            every: None,
        };
        let mut v = ClassView::new(class, 0);
        assert_eq!(v.cell(0, 0), "…");
        v.take(0, look("Ana", 10, &[true]));
        v.take(0, look("Ana", 20, &[true, true]));
        assert_eq!((v.cell(0, 0), v.cell(0, 1)), ("✓", "✓"));
        assert_eq!(v.changed[0][0], Some(10));
        assert_eq!(v.changed[0][1], Some(20));
        use crossterm::event::KeyCode as K;
        v.key(K::Right);
        v.key(K::Down);
        assert_eq!((v.row, v.col), (0, 1));
        assert_eq!(v.key(K::Enter), ClassKey::Open(0));
    }
}
