//! `estiba class FILE` on a terminal: the class screen's loop. Each student is looked at by a
//! task of their own, again and again, so one who does not answer is shown as such, retried,
//! and never holds up the screen; `Enter` hands the terminal to a console on the student's
//! cluster, read-only, and takes it back when it quits.

use super::{TerminalGuard, restore_terminal};
use crate::app::class::{ClassKey, ClassView};
use crate::lab::class::{ClassFile, Look, Student};
use crate::ui::theme::Theme;
use crossterm::event::{Event as TermEvent, EventStream, KeyEventKind};
use futures::StreamExt;
use std::io;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, mpsc};

/// Looks at one student every `every`, or at once when asked.
async fn looker(
    i: usize,
    s: Student,
    lab: String,
    every: Duration,
    again: Arc<Notify>,
    tx: mpsc::Sender<(usize, Look)>,
) {
    loop {
        let look = crate::output::look_all(
            &ClassFile {
                lab: lab.clone(),
                students: vec![s.clone()],
                every: None,
            },
            crate::time::now(),
        )
        .await;
        for l in look {
            if tx.send((i, l)).await.is_err() {
                return;
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = again.notified() => {}
        }
    }
}

/// The command line that opens a console on the student's cluster, read-only.
fn console_args(s: &Student, lab: &str) -> Vec<String> {
    let mut args = vec!["--readonly".to_string()];
    match (&s.host, &s.kubeconfig, &s.context) {
        (Some(h), ..) => args.extend(["--host".into(), h.clone()]),
        (None, Some(k), c) => {
            args.extend(["--kube".into(), "--kubeconfig".into(), k.clone()]);
            if let Some(c) = c {
                args.extend(["--context".into(), c.clone()]);
            }
        }
        (None, None, Some(c)) => args.extend(["--context".into(), c.clone()]),
        (None, None, None) => {}
    }
    args.extend(["--lab".into(), lab.to_string()]);
    args
}

/// Runs a console on the student's cluster in this terminal, then comes back.
fn open(s: &Student, lab: &str) -> io::Result<()> {
    if !s.has_endpoint() {
        return Ok(());
    }
    restore_terminal();
    let exe = std::env::current_exe()?;
    let mut cmd = std::process::Command::new(exe);
    cmd.args(console_args(s, lab));
    if let Some(tls) = &s.tls {
        cmd.env("DOCKER_TLS_VERIFY", "1")
            .env("DOCKER_CERT_PATH", tls);
    }
    let status = cmd.status();
    crossterm::terminal::enable_raw_mode()?;
    crossterm::execute!(
        io::stdout(),
        crossterm::terminal::EnterAlternateScreen,
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All),
        crossterm::cursor::Hide
    )?;
    status.map(|_| ())
}

pub async fn run(class: ClassFile, theme: Theme) -> io::Result<()> {
    let every = Duration::from_secs(class.every.unwrap_or(10).max(2));
    let (tx, mut rx) = mpsc::channel::<(usize, Look)>(64);
    let again = Arc::new(Notify::new());
    let lookers: Vec<_> = class
        .students
        .iter()
        .enumerate()
        .map(|(i, s)| {
            tokio::spawn(looker(
                i,
                s.clone(),
                class.lab.clone(),
                every,
                again.clone(),
                tx.clone(),
            ))
        })
        .collect();
    drop(tx);
    let mut view = ClassView::new(class, crate::time::now());
    let _guard = TerminalGuard::enter()?;
    let mut term = ratatui::Terminal::new(ratatui::backend::CrosstermBackend::new(io::stdout()))?;
    let mut keys = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        term.draw(|f| crate::ui::class::draw(&view, &theme, f.area(), f.buffer_mut()))?;
        tokio::select! {
            Some((i, look)) = rx.recv() => view.take(i, look),
            key = keys.next() => match key {
                Some(Ok(TermEvent::Key(k))) if k.kind != KeyEventKind::Release => match view.key(k.code) {
                    ClassKey::Quit => break,
                    ClassKey::LookAgain => again.notify_waiters(),
                    ClassKey::Open(i) => {
                        if let Some(s) = view.class.students.get(i).cloned() {
                            // The key reader lets go of stdin for the console (its replacement
                            // reads nothing until polled, after it).
                            keys = EventStream::new();
                            open(&s, &view.class.lab)?;
                            // A fresh terminal draws every cell again (clear() would ask the
                            // terminal where its cursor is, and the console had stdin).
                            term = ratatui::Terminal::new(ratatui::backend::CrosstermBackend::new(io::stdout()))?;
                        }
                    }
                    ClassKey::None => {}
                },
                Some(Ok(TermEvent::Resize(..))) => term.autoresize()?,
                Some(Err(_)) | None => break,
                _ => {}
            },
            _ = tick.tick() => view.now = crate::time::now(),
        }
    }
    for l in lookers {
        l.abort();
    }
    Ok(())
}
