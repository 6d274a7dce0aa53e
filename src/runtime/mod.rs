//! The console's I/O shell around the pure state machine in `app`: the event loop
//! (`tokio::select!` over terminal events, backend events, finished jobs and a one-second tick),
//! the terminal, and the effects `app` asks for (files, evidence, certificates off the UI task).
//! It draws only when the screen would change, so an idle console writes nothing.

pub mod class;
mod editor;
mod lab;
pub mod snap;

use crate::app::input::{self, Effect};
use crate::app::state::State;
use crate::backend::exec;
use crate::backend::{self, Backend, Event};
use crate::ui::{self, theme::Theme};
use crossterm::event::{Event as TermEvent, EventStream};
use crossterm::{cursor, execute, terminal};
use futures::StreamExt;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::io::{self, Stdout};
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::mpsc;

/// When the process started, for the "first populated frame" figure in the log.
pub static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

pub struct Options {
    pub backend: Backend,
    pub theme: Theme,
    pub theme_dir: Option<PathBuf>,
    pub no_color: bool,
    pub log_lines: usize,
    pub events_kept: usize,
    pub show_finished: bool,
    pub log_timestamps: bool,
    pub log_wrap: bool,
    /// Refuse every command that changes something.
    pub readonly: bool,
    /// Where to remember which files each stack was deployed from (`edit STACK`).
    pub data_dir: Option<PathBuf>,
    /// Shown as toasts at start (a bad config file, the fallback to the demo...).
    pub warnings: Vec<String>,
    /// Where and how evidence screenshots are saved.
    pub snap: crate::config::SnapSettings,
    /// Capture the mouse from the start.
    pub mouse: bool,
    /// The shells `exec` tries, first that exists.
    pub shells: Vec<String>,
    /// Measure the use (CPU, memory, network) of the tasks on screen.
    pub stats: bool,
    /// A lab to open at start (`--lab`).
    pub lab: Option<String>,
    /// Save a lab step's evidence when it turns done.
    pub lab_auto_snap: bool,
    /// The student's name kept in the config, and the config file to keep it in.
    pub student: Option<String>,
    pub config_file: Option<PathBuf>,
}

/// Puts the terminal in raw mode on the alternate screen, and always puts it back.
pub struct TerminalGuard;

impl TerminalGuard {
    pub fn enter() -> io::Result<TerminalGuard> {
        terminal::enable_raw_mode()?;
        execute!(io::stdout(), terminal::EnterAlternateScreen, cursor::Hide)?;
        Ok(TerminalGuard)
    }
}

/// Leaves the alternate screen and raw mode (also used by the panic hook).
pub fn restore_terminal() {
    let _ = execute!(
        io::stdout(),
        crossterm::event::DisableMouseCapture,
        terminal::LeaveAlternateScreen,
        cursor::Show
    );
    let _ = terminal::disable_raw_mode();
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// The state at start, from the options.
fn initial_state(opts: &Options, now: i64) -> State {
    let mut state = State::new(
        &opts.backend.endpoint(),
        opts.backend.is_demo(),
        opts.log_lines,
        now,
    );
    state.theme_name = opts.theme.name.clone();
    state.themes = crate::ui::theme::names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    state.events.capacity = opts.events_kept;
    state.show_finished = opts.show_finished;
    state.logs.timestamps = opts.log_timestamps;
    state.logs.wrap = opts.log_wrap;
    state.readonly = opts.readonly;
    if let Some(d) = &opts.data_dir {
        state.deployed_from = crate::stack::remembered(d);
    }
    state.build_line = crate::build::remembered_line(opts.data_dir.as_deref());
    for w in &opts.warnings {
        state.toast(w.clone(), true);
        if let Some(t) = state.toast.as_mut() {
            t.until = now + 8;
        }
    }
    state
}

/// The terminal and what the loop knows of it: the key reader, the last frame drawn.
struct Screen {
    terminal: Terminal<CrosstermBackend<Stdout>>,
    keys: EventStream,
    last: Option<Buffer>,
    /// Draw every cell next time (after a resize, or coming back from a shell).
    force: bool,
}

impl Screen {
    fn new() -> io::Result<Screen> {
        Ok(Screen {
            terminal: Terminal::new(CrosstermBackend::new(io::stdout()))?,
            keys: EventStream::new(),
            last: None,
            force: true,
        })
    }

    fn area(&self) -> io::Result<Rect> {
        let size = self.terminal.size()?;
        Ok(Rect::new(0, 0, size.width, size.height))
    }

    /// Steps aside for a shell in a container, then takes the terminal back as it was.
    async fn shell(
        &mut self,
        state: &State,
        reach: &exec::Reach,
        req: &crate::model::ExecRequest,
        shells: &[String],
    ) -> io::Result<Result<String, String>> {
        // The key reader lets go of stdin for the shell (its replacement reads nothing until
        // polled, after the shell).
        self.keys = EventStream::new();
        execute!(io::stdout(), terminal::LeaveAlternateScreen, cursor::Show)?;
        let said = shell(state, reach, req, shells).await;
        execute!(
            io::stdout(),
            terminal::EnterAlternateScreen,
            terminal::Clear(terminal::ClearType::All),
            cursor::Hide
        )?;
        // A fresh terminal draws every cell again (clear() would ask the terminal where its
        // cursor is, and the shell's reader had stdin).
        *self = Screen::new()?;
        Ok(said)
    }
}

/// What the loop asks for once a frame is drawn: the use of the tasks on screen, and the log's
/// "first populated frame" figure.
struct Watch {
    measured: Vec<crate::model::stats::StatsTarget>,
    populated: bool,
}

impl Watch {
    async fn after_frame(
        &mut self,
        state: &State,
        screen: Rect,
        stats: bool,
        ops: &mpsc::Sender<backend::Op>,
    ) {
        if stats {
            let wanted = crate::ui::panes::stats_wanted(state, screen);
            if wanted != self.measured {
                let _ = ops.send(backend::Op::Stats(wanted.clone())).await;
                self.measured = wanted;
            }
        }
        if !self.populated && state.cluster.loaded.workloads && !state.cluster.workloads.is_empty()
        {
            self.populated = true;
            let ms = STARTED
                .get()
                .map(|t| t.elapsed().as_secs_f64() * 1000.0)
                .unwrap_or(0.0);
            tracing::info!(
                ms = format!("{ms:.1}"),
                services = state.cluster.workloads.len(),
                "first populated frame"
            );
        }
    }
}

/// A backend event, and whatever else is already waiting, taken before drawing once.
async fn take_events(
    state: &mut State,
    ev: Event,
    rx: &mut mpsc::Receiver<Event>,
    ops: &mpsc::Sender<backend::Op>,
    data_dir: Option<&std::path::Path>,
) {
    // After a change, list everything again at once rather than wait for events.
    if let (
        Event::Done {
            action: crate::model::action::Action::Build(b),
            result: Ok(_),
            ..
        },
        Some(d),
    ) = (&ev, data_dir)
    {
        crate::build::remember_line(d, &b.palette_line());
    }
    let deployed = match &ev {
        Event::Done {
            action: crate::model::action::Action::Deploy { stack, files, .. },
            result: Ok(_),
            ..
        } => Some((stack.clone(), files.clone())),
        _ => None,
    };
    if matches!(ev, Event::Done { .. }) {
        let _ = ops.send(backend::Op::Refresh).await;
    }
    state.apply_event(ev);
    if let (Some((stack, files)), Some(d)) = (deployed, data_dir) {
        crate::stack::remember(d, &stack, &files);
    }
    while let Ok(ev) = rx.try_recv() {
        state.apply_event(ev);
    }
}

pub async fn run(mut opts: Options) -> io::Result<()> {
    let mut state = initial_state(&opts, crate::time::now());
    let data_dir = opts.data_dir.clone();
    let mut theme = if opts.no_color {
        opts.theme.without_color()
    } else {
        opts.theme
    };
    let (op_tx, op_rx) = mpsc::channel(64);
    let (ev_tx, mut ev_rx) = mpsc::channel::<Event>(256);
    // Slow local work (an RSA-4096 key) runs off the UI task and comes back here.
    let (job_tx, mut job_rx) = mpsc::channel::<Job>(8);
    let reach = exec::Reach::of(&opts.backend);
    let driver = tokio::spawn(backend::drive(opts.backend, opts.readonly, op_rx, ev_tx));

    let _guard = TerminalGuard::enter()?;
    let mut screen = Screen::new()?;
    screen.terminal.clear()?;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut watch = Watch {
        measured: Vec::new(),
        populated: false,
    };
    if opts.mouse {
        state.mouse = true;
        execute!(io::stdout(), crossterm::event::EnableMouseCapture)?;
    }
    if let Some(name) = opts.lab.clone() {
        lab::open(&mut state, Some(name), false, opts.lab_auto_snap);
    }
    let mut ticked = false;
    loop {
        let area = screen.area()?;
        for fx in lab::upkeep(&mut state, &op_tx, &theme, area, &opts.snap).await {
            let shell = Shell {
                theme_dir: &opts.theme_dir,
                no_color: opts.no_color,
                ops: &op_tx,
                jobs: &job_tx,
            };
            carry_out(fx, &mut state, &mut theme, &shell).await;
        }
        inspect_window_io(&mut state, area.height);
        draw_if_changed(
            &mut screen.terminal,
            &state,
            &theme,
            &mut screen.last,
            screen.force,
        )?;
        screen.force = false;
        // The clock's tick changes no row on screen: what to measure stays as it was (at 10 000
        // pods, working it out again each second was most of an idle console's CPU).
        let measure = opts.stats && !std::mem::take(&mut ticked);
        watch.after_frame(&state, area, measure, &op_tx).await;
        if state.quit {
            break;
        }
        tokio::select! {
            ev = ev_rx.recv() => match ev {
                Some(ev) => take_events(&mut state, ev, &mut ev_rx, &op_tx, data_dir.as_deref()).await,
                None => break,
            },
            key = screen.keys.next() => match key {
                Some(Ok(TermEvent::Key(k))) => {
                    for fx in input::handle_key(&mut state, k) {
                        match fx {
                            Effect::Snap(snap) => {
                                let files = snap::now(&mut state, &theme, screen.area()?, &snap, &opts.snap);
                                lab::evidence_saved(&mut state, &files, &opts.snap);
                            }
                            Effect::Exec(req) => match screen.shell(&state, &reach, &req, &opts.shells).await? {
                                Ok(text) => state.toast(text, false),
                                Err(e) => state.toast(e, true),
                            },
                            Effect::LabOpen { name, check } => lab::open(&mut state, name, check, opts.lab_auto_snap),
                            Effect::LabReport { student } => {
                                lab::report(&mut state, student, &mut opts.student, opts.config_file.as_deref(), &opts.snap);
                            }
                            fx => {
                                let shell = Shell { theme_dir: &opts.theme_dir, no_color: opts.no_color, ops: &op_tx, jobs: &job_tx };
                                carry_out(fx, &mut state, &mut theme, &shell).await;
                            }
                        }
                    }
                }
                Some(Ok(TermEvent::Mouse(m))) if state.mouse => {
                    let regions = crate::ui::regions(&state, screen.area()?);
                    for fx in crate::app::mouse::handle_mouse(&mut state, m, &regions) {
                        let shell = Shell { theme_dir: &opts.theme_dir, no_color: opts.no_color, ops: &op_tx, jobs: &job_tx };
                        carry_out(fx, &mut state, &mut theme, &shell).await;
                    }
                }
                Some(Ok(TermEvent::Resize(..))) => {
                    screen.terminal.autoresize()?;
                    screen.force = true;
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    tracing::error!(error = %e, "terminal input failed");
                    break;
                }
                None => break,
            },
            Some(job) = job_rx.recv() => {
                finished(&mut state, job);
                // New certificates: the lab's file checks look again.
                crate::app::lab::want_probe(&mut state);
            }
            _ = tick.tick() => ticked = on_tick(&mut state),
        }
    }
    drop(op_tx);
    driver.abort();
    screen.terminal.show_cursor()?;
    Ok(())
}

/// Each second: the clock, the lab's files, a toast's time. True: nothing else happened.
fn on_tick(state: &mut State) -> bool {
    state.now = crate::time::now();
    lab::watch_files(state);
    if state.toast.as_ref().is_some_and(|t| t.until <= state.now) {
        state.toast = None;
    }
    true
}

/// The inspect window pages by the lines it shows, and writes its text where `--out` asked.
fn inspect_window_io(state: &mut State, rows: u16) {
    let crate::app::state::Overlay::Inspect(w) = &mut state.overlay else {
        return;
    };
    // The screen less the tab strip, the status bar, the window's borders and its footer.
    w.height = rows.saturating_sub(5).max(1) as usize;
    if let Some(file) = w.save_to.take() {
        w.note = Some(match std::fs::write(&file, w.text()) {
            Ok(()) => crate::tr!("inspect.written", file = file),
            Err(e) => format!("{file}: {e}"),
        });
    }
}

/// Runs a shell for `exec` with the terminal (off the alternate screen, still raw) and says
/// how it ended.
async fn shell(
    state: &State,
    reach: &exec::Reach,
    req: &crate::model::ExecRequest,
    shells: &[String],
) -> Result<String, String> {
    let Some(via) = reach.via(req, state.cluster.info.as_ref()).await else {
        return Err(crate::tr!("exec.no_engine"));
    };
    print!("{}\r\n", crate::tr!("exec.opening", name = req.name));
    let _ = io::Write::flush(&mut io::stdout());
    match exec::run(&via, req, shells).await {
        Ok(code) => Ok(crate::tr!("exec.ended", name = req.name, code = code)),
        Err(e) => Err(e.to_string()),
    }
}

/// Work done off the UI task, and what came of it.
pub enum Job {
    Certs {
        req: crate::certs::Request,
        result: Result<crate::certs::Generated, crate::certs::CertError>,
    },
}

/// Makes certificates off the UI task (an RSA-4096 key takes seconds), or shows a certificate
/// file at once.
fn certs(state: &mut State, c: crate::command::CertsCommand, jobs: &mpsc::Sender<Job>) {
    use crate::app::state::Overlay;
    match c {
        crate::command::CertsCommand::Make { req, .. } => {
            state.toast(crate::tr!("certs.making", dir = req.dir.display()), false);
            let jobs = jobs.clone();
            tokio::spawn(async move {
                let r = req.clone();
                let result = tokio::task::spawn_blocking(move || crate::certs::generate(&r))
                    .await
                    .unwrap_or_else(|e| Err(crate::certs::CertError::Generate(e.to_string())));
                let _ = jobs.send(Job::Certs { req, result }).await;
            });
        }
        crate::command::CertsCommand::Inspect(file) => {
            match crate::certs::inspect(std::path::Path::new(&file)) {
                Ok(all) => {
                    state.overlay = Overlay::Text {
                        title: file.clone(),
                        body: all
                            .iter()
                            .map(|s| s.describe())
                            .collect::<Vec<_>>()
                            .join("\n"),
                    }
                }
                Err(e) => state.toast(e.to_string(), true),
            }
        }
    }
}

/// What came of a job: certificates show what they say, with the command line that does the
/// same; a form stays open with the error when they could not be made.
fn finished(state: &mut State, job: Job) {
    use crate::app::state::Overlay;
    match job {
        Job::Certs { req, result } => match result {
            Ok(g) => {
                let body = format!(
                    "{}\n{} estiba {}\n",
                    crate::certs::report(&g),
                    crate::tr!("toast.equivalent"),
                    req.command_line()
                );
                state.overlay = Overlay::Text {
                    title: crate::tr!("certs.title_done", dir = req.dir.display()),
                    body,
                };
                state.toast(crate::tr!("certs.done", dir = req.dir.display()), false);
            }
            Err(e) => match &mut state.overlay {
                Overlay::Certs(form) => form.error = Some(e.to_string()),
                _ => state.toast(e.to_string(), true),
            },
        },
    }
}

/// Renders off-screen first and writes to the terminal only when the frame differs.
fn draw_if_changed(
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
    state: &State,
    theme: &Theme,
    last: &mut Option<Buffer>,
    force: bool,
) -> io::Result<()> {
    let size = terminal.size()?;
    let area = Rect::new(0, 0, size.width, size.height);
    let mut next = Buffer::empty(area);
    ui::draw(state, theme, area, &mut next);
    if !force && last.as_ref() == Some(&next) {
        return Ok(());
    }
    terminal.draw(|f| {
        let a = f.area();
        if a == next.area {
            f.buffer_mut().clone_from(&next);
        } else {
            // The terminal was resized in between: draw for its new size.
            ui::draw(state, theme, a, f.buffer_mut());
        }
    })?;
    *last = Some(next);
    Ok(())
}

/// What `carry_out` needs of the loop.
struct Shell<'a> {
    theme_dir: &'a Option<PathBuf>,
    no_color: bool,
    ops: &'a mpsc::Sender<backend::Op>,
    jobs: &'a mpsc::Sender<Job>,
}

async fn carry_out(fx: Effect, state: &mut State, theme: &mut Theme, shell: &Shell<'_>) {
    let ops = shell.ops;
    match fx {
        Effect::Op(op) => {
            let _ = ops.send(op).await;
        }
        Effect::OpenEditor { path, stack } => match std::fs::read_to_string(&path) {
            Ok(text) => state.editor = Some(crate::app::editor::Editor::new(path, stack, &text)),
            Err(e) => state.toast(
                crate::tr!("editor.open_failed", file = path.display(), error = e),
                true,
            ),
        },
        Effect::SaveEditor => editor::save(state, ops).await,
        Effect::Theme(name) => match Theme::load(&name, shell.theme_dir.as_deref()) {
            Ok(t) => {
                *theme = if shell.no_color { t.without_color() } else { t };
                state.theme_name = name.clone();
                if let Some(msg) = input::describe(&crate::command::Command::Theme(name)) {
                    state.toast(msg, false);
                }
            }
            Err(e) => state.toast(e.to_string(), true),
        },
        // Handled in the loop, which knows the terminal's size and the options.
        Effect::Snap(_) | Effect::LabOpen { .. } | Effect::LabReport { .. } | Effect::Exec(_) => {}
        Effect::Certs(c) => certs(state, c, shell.jobs),
        Effect::LabInit { name, dir } => lab::init(state, &name, &dir),
        Effect::Copy(text) => {
            use std::io::Write;
            let in_tmux = std::env::var_os("TMUX").is_some();
            let mut out = io::stdout();
            let _ = out.write_all(crate::app::copy::osc52(&text, in_tmux).as_bytes());
            let _ = out.flush();
        }
        Effect::Mouse(on) => {
            let _ = if on {
                execute!(io::stdout(), crossterm::event::EnableMouseCapture)
            } else {
                execute!(io::stdout(), crossterm::event::DisableMouseCapture)
            };
        }
        Effect::SaveLogs(file) => {
            let text = state.logs.as_text();
            let count = text.lines().count();
            let path = std::path::Path::new(&file);
            let shown = std::path::absolute(path)
                .unwrap_or_else(|_| path.to_path_buf())
                .display()
                .to_string();
            match std::fs::write(path, text) {
                Ok(()) => state.toast(crate::tr!("logs.saved", count = count, file = shown), false),
                Err(e) => state.toast(
                    crate::tr!("logs.save_failed", file = shown, error = e),
                    true,
                ),
            }
        }
        Effect::Lang(l) => {
            crate::i18n::set_lang(l);
            state.toast(crate::tr!("toast.lang"), false);
        }
    }
}
