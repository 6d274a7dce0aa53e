//! The lab's side of the loop: opening a lab (its folder and passes are files), asking for
//! probes, recording passes beside `lab.yaml`, and saving a step's evidence the moment it
//! turns done.

use crate::app::lab::LabSession;
use crate::app::state::{Overlay, State};
use crate::backend::Op;
use crate::config::SnapSettings;
use crate::ui::theme::Theme;
use ratatui::layout::Rect;
use std::path::{Path, PathBuf};
use tokio::sync::mpsc;

/// Opens a lab from the working directory (its folder's `lab.yaml`, or a preset). A preset
/// with no folder yet gets one, as `lab init` makes it (the working directory when it is
/// empty, else `./NAME`), so its passes are never only in memory.
pub fn open(state: &mut State, name: Option<String>, check: bool, auto_snap: bool) {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let opened = crate::lab::open(name.as_deref(), &cwd).and_then(|o| match o.dir {
        Some(_) => Ok(o),
        None => {
            let dir = folder_for(&cwd, &o.lab.name);
            let files = crate::lab::init(&o.lab.name, &dir)?;
            state.toast(
                crate::tr!("lab.created", dir = dir.display(), count = files.len()),
                false,
            );
            Ok(crate::lab::Opened {
                dir: Some(dir),
                ..o
            })
        }
    });
    match opened {
        Ok(opened) => {
            let passes = match &opened.dir {
                Some(d) => crate::lab::progress::Progress::load(d, &opened.lab.name),
                None => crate::lab::progress::Progress::new(&opened.lab.name),
            };
            state.lab = Some(LabSession::new(opened, passes, auto_snap));
            if check {
                state.overlay = Overlay::LabCheck { scroll: 0 };
            }
        }
        Err(e) => state.toast(e.to_string(), true),
    }
}

/// Where a lab opened without a folder gets one: the working directory when nothing but
/// hidden files is there, else `./NAME`.
fn folder_for(cwd: &Path, name: &str) -> PathBuf {
    let empty = std::fs::read_dir(cwd).is_ok_and(|mut d| {
        d.all(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().starts_with('.')))
    });
    if empty {
        cwd.to_path_buf()
    } else {
        cwd.join(name)
    }
}

/// `:lab init NAME [DIR]` in the console: the files are written; when the lab open is that one
/// and has no folder yet, the folder becomes its own and the passes so far are saved there.
pub fn init(state: &mut State, name: &str, dir: &Path) {
    match crate::lab::init(name, dir) {
        Ok(files) => {
            state.toast(
                crate::tr!("lab.written", dir = dir.display(), count = files.len()),
                false,
            );
            if let Some(l) = state.lab.as_mut()
                && l.dir.is_none()
                && l.lab.name == name
            {
                l.dir = Some(dir.to_path_buf());
                if let Err(e) = l.passes.save(dir) {
                    let file = crate::lab::progress::path(dir);
                    state.toast(
                        crate::tr!("lab.write", file = file.display(), error = e),
                        true,
                    );
                }
            }
        }
        Err(e) => state.toast(e.to_string(), true),
    }
}

/// `:lab solve`: the next move of the reference solution, when no action is under way and
/// nothing waits on the user. Files are written here; a command goes through the palette's
/// grammar, an action started as confirmed (the instructor asked for the solution).
fn solve_next(state: &mut State) -> Vec<crate::app::effect::Effect> {
    use crate::lab::solve::{self, Solve};
    let busy = !state.running.is_empty()
        || !matches!(state.input, crate::app::state::Input::Normal)
        || state.preview_for.is_some();
    let Some(l) = state.lab.as_mut().filter(|_| !busy) else {
        return vec![];
    };
    let Some(next) = l.solving.front().map(|(s, _)| s.clone()) else {
        return vec![];
    };
    let now = state.now;
    if let Some((last, since)) = &l.solved_last
        && *last != next
        && now - since < 60
        && l.lab
            .steps
            .iter()
            .any(|s| s.name == *last && !s.checks.is_empty())
        && !l.passes.passed.contains_key(last)
    {
        return vec![];
    }
    let Some((step, m)) = l.solving.pop_front() else {
        return vec![];
    };
    if l.solved_last.as_ref().is_none_or(|(s, _)| *s != step) {
        l.solved_last = Some((step.clone(), now));
    }
    let dir = l.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let lab = l.lab.name.clone();
    l.probe_wanted = true;
    let done = match m {
        Solve::Write(f) => solve::write(&lab, &f, &dir).map(|files| {
            let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
            crate::tr!("lab.solve_wrote", file = names.join(", "))
        }),
        Solve::Replace(r) => {
            solve::replace(&r, &dir).map(|f| crate::tr!("lab.solve_wrote", file = f.display()))
        }
        m => {
            let Some(line) = m.command(&dir).map(str::to_string) else {
                return vec![];
            };
            let nodes = solve::node_names(&state.cluster.nodes);
            let demo = state.cluster.demo;
            let var = |k: &str| {
                nodes
                    .get(k)
                    .cloned()
                    .or_else(|| crate::backend::demo::variable_for(demo, k))
            };
            match solve::expand(&line, &var).and_then(|line| {
                crate::command::parse_line(&line)
                    .map(|c| (line, c))
                    .map_err(|e| crate::lab::LabError::Invalid(e.to_string()))
            }) {
                // The form `certs` alone opens is taken as it comes: the lab's defaults.
                Ok((line, crate::command::Command::Certs(c))) => {
                    state.toast(crate::tr!("lab.solve_run", line = line), false);
                    let c = match c {
                        crate::command::CertsCommand::Make { req, .. } => {
                            crate::command::CertsCommand::Make { req, bare: false }
                        }
                        c => c,
                    };
                    return vec![crate::app::effect::Effect::Certs(c)];
                }
                Ok((line, crate::command::Command::Act(a))) => {
                    state.toast(crate::tr!("lab.solve_run", line = line), false);
                    return crate::app::act::start(state, a);
                }
                Ok((line, cmd)) => {
                    state.toast(crate::tr!("lab.solve_run", line = line), false);
                    return crate::app::input::apply(state, cmd);
                }
                Err(e) => Err(e),
            }
        }
    };
    match done {
        Ok(text) => state.toast(format!("{step}: {}", text.trim()), false),
        Err(e) => {
            if let Some(l) = state.lab.as_mut() {
                l.solving.clear();
            }
            state.toast(format!("{step}: {e}"), true);
        }
    }
    vec![]
}

/// Where a lab's evidence goes: the evidence folder, inside the lab's folder when relative.
pub fn evidence_dir(lab: &LabSession, settings: &SnapSettings) -> PathBuf {
    match &lab.dir {
        Some(d) if settings.dir.is_relative() => d.join(&settings.dir),
        _ => settings.dir.clone(),
    }
}

/// Runs after every turn of the loop: sends a wanted probe, evaluates the checks, records
/// new passes and saves their evidence (unless the student already saved one); then makes the
/// next move of a solution under way, whose effects it returns for the loop to carry out.
pub async fn upkeep(
    state: &mut State,
    ops: &mpsc::Sender<Op>,
    theme: &Theme,
    screen: Rect,
    settings: &SnapSettings,
) -> Vec<crate::app::effect::Effect> {
    keep(state, ops, settings).await;
    pictures(state, theme, screen, settings);
    solve_next(state)
}

async fn keep(state: &mut State, ops: &mpsc::Sender<Op>, settings: &SnapSettings) {
    let Some(l) = state.lab.as_mut() else {
        return;
    };
    if l.probe_wanted && (state.cluster.loaded.all() || state.cluster.info.is_some()) {
        l.probe_wanted = false;
        let dir = l.dir.clone().unwrap_or_else(|| PathBuf::from("."));
        if let Some(needs) = crate::app::lab::needs(state)
            && !needs.is_empty()
            && let Some(l) = state.lab.as_mut()
        {
            l.probes_sent += 1;
            let seq = l.probes_sent;
            let _ = ops.send(Op::LabProbe { seq, needs, dir }).await;
        }
    }
    let new = crate::app::lab::reevaluate(state);
    if new.is_empty() {
        return;
    }
    let Some(l) = state.lab.as_mut() else {
        return;
    };
    if let Some(d) = l.dir.clone()
        && let Err(e) = l.passes.save(&d)
    {
        let d = d.as_path();
        state.toast(
            crate::tr!(
                "lab.write",
                file = crate::lab::progress::path(d).display(),
                error = e
            ),
            true,
        );
        return;
    }
    let Some(l) = state.lab.as_ref() else {
        return;
    };
    let evidence = SnapSettings {
        dir: evidence_dir(l, settings),
        ..settings.clone()
    };
    let auto = l.auto_snap;
    let now = state.now;
    for name in new {
        // Said after its picture, when it has one to take (the last word on the status line).
        if auto
            && !has_evidence(&evidence.dir, &name)
            && let Some(l) = state.lab.as_mut()
        {
            l.pictures_due.push((name.clone(), now));
            continue;
        }
        state.toast(crate::tr!("lab.step_done", step = name), false);
    }
}

/// The pictures of steps passed, each once its view has the rows that show the step (or after
/// a few seconds, as it is then).
fn pictures(state: &mut State, theme: &Theme, screen: Rect, settings: &SnapSettings) {
    let Some(l) = state.lab.as_ref().filter(|l| !l.pictures_due.is_empty()) else {
        return;
    };
    let evidence = SnapSettings {
        dir: evidence_dir(l, settings),
        ..settings.clone()
    };
    let due = l.pictures_due.clone();
    for (name, since) in due {
        let view = state.lab.as_ref().and_then(|l| {
            let s = l.lab.steps.iter().find(|s| s.name == name)?;
            s.evidence.clone()
        });
        let ready = view
            .as_ref()
            .is_none_or(|v| crate::app::evidence::ready(state, v));
        if !ready && state.now - since < 5 {
            continue;
        }
        if let Some(l) = state.lab.as_mut() {
            l.pictures_due.retain(|(n, _)| *n != name);
            l.snapping = Some(name.clone());
        }
        let files = step_picture(state, theme, screen, &name, &evidence);
        evidence_saved(state, &files, settings);
        if let Some(l) = state.lab.as_mut() {
            l.snapping = None;
        }
        state.toast(crate::tr!("lab.step_done", step = name), false);
    }
}

/// A step's evidence picture: the view its `evidence:` names (a pane with the step's object
/// selected and cut to its rows, or a certificate's summary), with nothing over it; without
/// one, the screen with no window over it.
fn step_picture(
    state: &mut State,
    theme: &Theme,
    screen: Rect,
    step: &str,
    settings: &SnapSettings,
) -> Vec<PathBuf> {
    let view = state.lab.as_ref().and_then(|l| {
        let s = l.lab.steps.iter().find(|s| s.name == step)?;
        Some((s.evidence.clone(), l.dir.clone()))
    });
    let (view, dir) = view.unwrap_or_default();
    let dir = dir.unwrap_or_else(|| PathBuf::from("."));
    if let Some(v) = &view {
        let file = v.cert.as_ref().map(|f| (f, true));
        if let Some((f, cert)) = file.or(v.file.as_ref().map(|f| (f, false))) {
            let file = (dir.join(f), f.as_str());
            return super::snap::file_window(
                state,
                theme,
                screen,
                (&file.0, file.1),
                cert,
                step,
                settings,
            );
        }
    }
    let view = view.unwrap_or_default();
    let pane = crate::app::evidence::pane(&view);
    let kept = crate::app::evidence::show(state, &view);
    let snap = crate::command::Snap {
        what: pane.map_or(
            crate::command::SnapWhat::Screen,
            crate::command::SnapWhat::Pane,
        ),
        name: Some(step.to_string()),
        out: None,
        size: None,
        scale: None,
    };
    let source = if pane.is_some() {
        super::snap::Source::Fitted
    } else {
        super::snap::Source::Screen
    };
    let files = super::snap::now_from(state, theme, screen, &snap, source, settings);
    crate::app::evidence::restore(state, kept);
    files
}

/// Once a second: the files the lab's checks read are looked at, and read again (with the
/// rest of the probe) when one changed.
pub fn watch_files(state: &mut State) {
    let Some(dir) = state.lab.as_ref().and_then(|l| l.dir.clone()) else {
        return;
    };
    let Some(needs) = crate::app::lab::needs(state) else {
        return;
    };
    let stamps = crate::backend::probe::stamps(&needs, &dir);
    crate::app::lab::files_looked_at(state, &stamps);
}

/// Writes the hand-in from what the console sees. Without the student's name (given, or kept
/// in the config) the palette asks for it.
pub fn report(
    state: &mut State,
    given: Option<String>,
    kept: &mut Option<String>,
    config_file: Option<&Path>,
    settings: &SnapSettings,
) {
    let Some(student) = given.clone().or_else(|| kept.clone()) else {
        crate::app::input::prefill(state, "lab report --student ".into(), vec![]);
        state.toast(crate::tr!("lab.student_needed"), true);
        return;
    };
    if given.is_some() {
        *kept = given;
        if let Some(f) = config_file
            && let Err(e) = crate::config::remember_student(f, &student)
        {
            state.toast(crate::tr!("lab.write", file = f.display(), error = e), true);
        }
    }
    let Some(l) = state.lab.as_ref() else {
        return;
    };
    let dir = evidence_dir(l, settings);
    let here = state.cluster.info.as_ref().map(|i| i.id.as_str());
    let mut steps = l.reports(here, |name| crate::lab::evidence_file(&dir, name));
    crate::lab::verify_evidence(&mut steps, &l.passes, &dir);
    let lang = crate::i18n::lang();
    let checked = match &state.cluster.info {
        Some(i) => crate::lab::Checked::of(i, &state.cluster.nodes),
        None => crate::lab::Checked {
            name: state.cluster.endpoint.clone(),
            demo: state.cluster.demo,
            ..Default::default()
        },
    };
    let heading = crate::lab::report::Heading {
        title: l.lab.title.get(lang),
        student: &student,
        date: &crate::time::format_local(state.now),
        checked: &checked,
    };
    match crate::lab::report::write(&dir, &heading, &steps, lang) {
        Ok(files) => {
            let shown: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
            state.toast(
                crate::tr!("lab.report_written", files = shown.join(", ")),
                false,
            );
        }
        Err(e) => state.toast(e.to_string(), true),
    }
}

/// Pictures estiba just saved: a PNG in the lab's evidence folder named after a step is sealed
/// in the progress file with its SHA-256, so the hand-in can tell it from one edited later.
pub fn evidence_saved(state: &mut State, files: &[PathBuf], settings: &SnapSettings) {
    let now = state.now;
    let Some(l) = state.lab.as_mut() else {
        return;
    };
    let Some(dir) = l.dir.clone() else {
        return;
    };
    let evidence = evidence_dir(l, settings);
    let mut any = false;
    for f in files {
        let step = f.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        let in_folder = f.parent().is_some_and(|p| same_dir(p, &evidence));
        if f.extension().is_some_and(|e| e == "png")
            && in_folder
            && l.lab.steps.iter().any(|s| s.name == step)
            && let Ok(sum) = crate::lab::progress::sha256_file(f)
        {
            let name = f.file_name().map(|n| n.to_string_lossy().to_string());
            l.passes
                .record_evidence(step, &name.unwrap_or_default(), &sum, now);
            any = true;
        }
    }
    if any && let Err(e) = l.passes.save(&dir) {
        let file = crate::lab::progress::path(&dir);
        state.toast(
            crate::tr!("lab.write", file = file.display(), error = e),
            true,
        );
    }
}

fn same_dir(a: &Path, b: &Path) -> bool {
    a == b
        || a.canonicalize()
            .ok()
            .is_some_and(|a| b.canonicalize().ok() == Some(a))
}

/// Whether the student already saved a picture for this step.
fn has_evidence(dir: &Path, step: &str) -> bool {
    dir.join(format!("{step}.png")).exists()
}
