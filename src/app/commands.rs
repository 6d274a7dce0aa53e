//! Commands of the one grammar applied to the console's state: what changes in it, and the
//! effects for the runtime to carry out.

use super::act::*;
use super::effect::Effect;
use super::state::{Input, Overlay, Pane, State};
use crate::backend::find_by_name;
use crate::command::Command;
use crate::model::LogTarget;
use crate::tr;

/// Runs a command in the console.
pub fn apply(s: &mut State, cmd: Command) -> Vec<Effect> {
    match cmd {
        Command::Certs(crate::command::CertsCommand::Make { req, bare: true }) => {
            s.overlay = Overlay::Certs(super::certs_form::CertsForm::new(&req));
        }
        Command::Certs(c) => return vec![Effect::Certs(c)],
        Command::Snap(snap) => {
            if snap.size.is_some() {
                s.toast(tr!("snap.size_cli"), true);
                return vec![];
            }
            return vec![Effect::Snap(snap)];
        }
        Command::Nodes => s.focus = Pane::Nodes,
        Command::Services if s.is_kube() => {
            return start(
                s,
                crate::model::action::Action::KubeList(crate::model::kube::KubeKind::Service),
            );
        }
        Command::Services | Command::Workloads => {
            s.focus = Pane::Services;
            return close_view(s);
        }
        Command::Images => s.focus = Pane::Images,
        Command::Quit => s.quit = true,
        Command::Tasks { service } => match select_service(s, &service) {
            Ok(()) => {
                s.all_instances = false;
                s.focus = Pane::Tasks;
            }
            Err(e) => s.toast(e.to_string(), true),
        },
        Command::Pods { all_namespaces } => return pods(s, all_namespaces),
        Command::Get {
            kind,
            all_namespaces,
        } => return get(s, kind, all_namespaces),
        Command::Forward(f) => return super::forwards::command(s, f),
        // The console shows use in the tasks and services panes: there it goes.
        Command::Stats { service: None, .. } => s.focus = Pane::Services,
        Command::Stats {
            service: Some(service),
            ..
        } => match select_service(s, &service) {
            Ok(()) => s.focus = Pane::Tasks,
            Err(e) => s.toast(e.to_string(), true),
        },
        Command::LogsSave(file) => return vec![Effect::SaveLogs(file)],
        Command::Exec {
            target,
            container,
            cmd,
        } => return exec(s, target, container, cmd),
        Command::LogsFilter(text) => {
            s.logs.set_filter(&text);
            s.focus = Pane::Logs;
        }
        Command::Logs { target, req } => return logs(s, &target, &req),
        Command::Filter(text) => {
            let pane = if s.focus == Pane::Logs {
                Pane::Services
            } else {
                s.focus
            };
            s.view_mut(pane).filter = text;
            s.reselect(pane);
        }
        Command::Theme(name) => return vec![Effect::Theme(name)],
        Command::Lang(l) => return vec![Effect::Lang(l)],
        Command::Act(action) => return act(s, action),
        Command::History => s.overlay = Overlay::History { scroll: 0 },
        // The services pane is the stacks view: grouped by stack, each with its health.
        Command::Stacks => {
            s.focus = Pane::Services;
            return close_view(s);
        }
        Command::Events { .. } => {
            use crate::model::listing::ViewKind;
            s.slot = Some(crate::app::views::SlotView::new(ViewKind::Events));
            s.focus = Pane::Services;
            s.view_mut(Pane::Services).filter.clear();
            s.refresh_events_view();
            return vec![Effect::Op(crate::backend::Op::View(Some(ViewKind::Events)))];
        }
        Command::View(kind) => {
            s.slot = Some(crate::app::views::SlotView::new(kind));
            s.focus = Pane::Services;
            s.view_mut(Pane::Services).filter.clear();
            return vec![Effect::Op(crate::backend::Op::View(Some(kind)))];
        }
        Command::Inspect {
            kind,
            name,
            show_secrets,
            out,
        } => return inspect(s, kind, name, show_secrets, out),
        Command::Labs => labs(s),
        // The class has a screen of its own: it starts from the shell.
        Command::Class { file, .. } => s.toast(tr!("class.from_shell", file = file), true),
        Command::Lab(cmd) => return lab(s, cmd),
        Command::Edit { target, stack } => return edit(s, target, stack),
        Command::Help(only) => {
            s.overlay = Overlay::Help {
                pane: s.focus,
                only,
                scroll: 0,
            }
        }
    }
    vec![]
}

/// `:logs`: a service's or a task's lines in the logs pane.
fn logs(s: &mut State, target: &str, req: &crate::command::LogRequest) -> Vec<Effect> {
    let found = find_by_name(s.cluster.workloads.clone(), target, "kind.service", |w| {
        (&w.name, &w.id)
    })
    .map(|w| LogTarget::Workload {
        id: w.id,
        name: w.name,
    })
    .or_else(|_| {
        find_by_name(
            s.cluster.instances.clone(),
            target,
            "kind.service_or_task",
            |i| (&i.name, &i.id),
        )
        .map(|i| LogTarget::Instance {
            id: i.id,
            name: i.name,
        })
    });
    match found {
        Ok(t) => {
            s.focus = Pane::Logs;
            let capacity = LOG_TAIL.min(s.logs.capacity);
            let mut opts = req.options(s.now, capacity);
            opts.tail = opts.tail.min(s.logs.capacity);
            // The console follows unless an end was asked for.
            opts.follow = req.until.is_none();
            return follow_with(s, t, opts);
        }
        Err(e) => s.toast(e.to_string(), true),
    }
    vec![]
}

/// An action: refused read-only; a deploy previewed first; a disruptive one asks first.
fn act(s: &mut State, action: crate::model::action::Action) -> Vec<Effect> {
    if s.readonly && action.mutates() {
        let e = crate::backend::Error::ReadOnly(action.cli(s.is_kube()));
        s.toast(e.to_string(), true);
        vec![]
    } else if let Some(preview) = action.preview() {
        // The console shows what will change first, and carries it out on y.
        let fx = start(s, preview);
        s.preview_for = Some((s.next_action - 1, action));
        fx
    } else if action.confirmation().is_some() {
        s.input = Input::Confirm(action);
        vec![]
    } else {
        start(s, action)
    }
}

/// `:labs`: the presets, in a window.
fn labs(s: &mut State) {
    let list: Vec<String> = crate::presets::names()
        .iter()
        .filter_map(|n| crate::lab::load(n).ok())
        .map(|l| format!("{}  {}", l.name, l.title.get(crate::i18n::lang())))
        .collect();
    s.overlay = Overlay::Text {
        title: tr!("lab.list_title"),
        body: list.join("\n"),
    };
}

/// `:edit`: a deployed stack's file, or a path, in the editor.
fn edit(s: &mut State, target: String, stack: Option<String>) -> Vec<Effect> {
    // On Kubernetes, `edit KIND/NAME` opens the live object (a file path ends in .yml).
    let file = [".yml", ".yaml", ".json"]
        .iter()
        .any(|x| target.to_lowercase().ends_with(x));
    if s.is_kube() && stack.is_none() && !file && target.contains('/') {
        s.edit_for = Some((s.next_action, target.clone()));
        let read = crate::model::action::Action::KubeEdit {
            target,
            yaml: String::new(),
            dry_run: true,
        };
        return start(s, read);
    }
    // A stack name known from a deploy opens its file; anything else is a path.
    if let Some(files) = s.deployed_from.get(&target).filter(|_| stack.is_none()) {
        let path = std::path::PathBuf::from(&files[0]);
        return vec![Effect::OpenEditor {
            path,
            stack: target,
        }];
    }
    let path = std::path::PathBuf::from(&target);
    let stack = stack
        .or_else(|| s.lab.as_ref().map(|l| l.lab.stack.clone()))
        .unwrap_or_else(|| {
            path.file_stem()
                .map(|x| x.to_string_lossy().to_lowercase())
                .unwrap_or_default()
        });
    vec![Effect::OpenEditor { path, stack }]
}

pub(super) fn lab(s: &mut State, cmd: crate::command::LabCommand) -> Vec<Effect> {
    use crate::command::LabCommand as L;
    match cmd {
        // Finding the lab's folder and its passes reads files: the runtime does it.
        L::Open(name) => {
            return vec![Effect::LabOpen {
                name: Some(name),
                check: false,
            }];
        }
        L::Next | L::Prev => match s.lab.as_mut() {
            Some(l) => {
                l.step = if cmd == L::Next {
                    (l.step + 1).min(l.lab.steps.len().saturating_sub(1))
                } else {
                    l.step.saturating_sub(1)
                };
                // The step shown is checked again, files and registry too.
                l.probe_wanted = true;
            }
            None => s.toast(tr!("lab.none_open"), true),
        },
        L::Check(None) if s.lab.is_some() => {
            super::lab::want_probe(s);
            s.overlay = super::state::Overlay::LabCheck { scroll: 0 };
        }
        L::Check(name) => return vec![Effect::LabOpen { name, check: true }],
        L::Report { name: _, student } if s.lab.is_some() => {
            return vec![Effect::LabReport { student }];
        }
        L::Report { .. } => s.toast(tr!("lab.none_open"), true),
        L::Close => s.lab = None,
        L::Init { name, dir } => {
            let dir = std::path::PathBuf::from(dir.unwrap_or_else(|| name.clone()));
            return vec![Effect::LabInit { name, dir }];
        }
        L::Solve(step) => match s.lab.as_mut() {
            Some(l) => match crate::lab::solve::steps(&l.lab, step.as_deref()) {
                Ok(steps) => {
                    let passed = |i: &usize| l.passes.passed.contains_key(&l.lab.steps[*i].name);
                    // Without a step named, the steps done already are left as they are, and
                    // so are those another kind of cluster checks (said once).
                    let kube = s.cluster.is_kube();
                    let fits = |i: &usize| crate::lab::solve::fits(&l.lab.steps[*i], kube);
                    let elsewhere: Vec<String> = steps
                        .iter()
                        .filter(|i| step.is_none() && !passed(i) && !fits(i))
                        .map(|&i| crate::lab::solve::elsewhere(&l.lab.steps[i].name, kube))
                        .collect();
                    let moves: Vec<_> = steps
                        .iter()
                        .filter(|i| step.is_some() || (!passed(i) && fits(i)))
                        .flat_map(|&i| {
                            let st = &l.lab.steps[i];
                            st.solve.iter().map(|m| (st.name.clone(), m.clone()))
                        })
                        .collect();
                    l.solving.extend(moves);
                    if !elsewhere.is_empty() {
                        s.toast(elsewhere.join("\n"), false);
                    }
                }
                Err(e) => s.toast(e.to_string(), true),
            },
            None => s.toast(tr!("lab.none_open"), true),
        },
    }
    vec![]
}

/// `exec`: the task named (or selected) and the command, for the runtime to open.
fn exec(
    s: &mut State,
    target: Option<String>,
    container: Option<String>,
    cmd: Vec<String>,
) -> Vec<Effect> {
    let line = format!("exec {}", target.clone().unwrap_or_default());
    if s.readonly {
        s.toast(crate::backend::Error::ReadOnly(line).to_string(), true);
        return vec![];
    }
    let found = match &target {
        Some(t) => find_by_name(s.cluster.instances.clone(), t, "kind.task", |i| {
            (&i.name, &i.id)
        })
        .map_err(|e| e.to_string()),
        None => s
            .selected_instance()
            .cloned()
            .ok_or_else(|| tr!("exec.pick")),
    };
    if let Ok(i) = &found {
        let all = i.containers.join(", ");
        match i.container_choice(container.as_deref()) {
            // A pod of several containers: which one, asked in the palette with their names
            // offered.
            Some(crate::model::ContainerChoice::Ask) => {
                let said = tr!("exec.pick_container", name = i.name, containers = all);
                if cmd.is_empty() {
                    prefill(s, format!("exec {} -c ", i.name), i.containers.clone());
                }
                s.toast(said, !cmd.is_empty());
                return vec![];
            }
            Some(crate::model::ContainerChoice::Unknown(c)) => {
                let said = tr!(
                    "exec.no_container",
                    name = i.name,
                    container = c,
                    containers = all
                );
                s.toast(said, true);
                return vec![];
            }
            None => {}
        }
    }
    match found {
        Ok(i) => vec![Effect::Exec(crate::model::ExecRequest::new(
            i, container, cmd,
        ))],
        Err(e) => {
            s.toast(e, true);
            vec![]
        }
    }
}

pub(super) fn select_service(s: &mut State, name: &str) -> Result<(), crate::backend::Error> {
    let w = find_by_name(s.cluster.workloads.clone(), name, "kind.service", |w| {
        (&w.name, &w.id)
    })?;
    if !s.visible_workloads().iter().any(|v| v.id == w.id) {
        s.view_mut(Pane::Services).filter.clear();
    }
    s.view_mut(Pane::Services).selected_id = Some(w.id);
    s.reselect(Pane::Services);
    Ok(())
}

/// A toast saying a command ran, for commands without their own visible result.
pub fn describe(cmd: &Command) -> Option<String> {
    match cmd {
        Command::Theme(t) => Some(tr!("toast.theme", name = t)),
        _ => None,
    }
}

/// Gives the services pane its place back, if a view had it.
pub fn close_view(s: &mut State) -> Vec<Effect> {
    if s.slot.take().is_some() {
        s.view_mut(Pane::Services).filter.clear();
        return vec![Effect::Op(crate::backend::Op::View(None))];
    }
    vec![]
}

/// `inspect`: the window opens when the backend answers; `--out FILE` writes it there too.
fn inspect(
    s: &mut State,
    kind: Option<crate::model::inspect::Kind>,
    name: String,
    show_secrets: bool,
    out: Option<String>,
) -> Vec<Effect> {
    if let Some(out) = out {
        s.inspect_out.insert(s.next_action, out);
    }
    let action = crate::model::action::Action::Inspect {
        kind,
        name,
        show_secrets,
    };
    start(s, action)
}

/// A Kubernetes kind's table in the services pane's place, watched while it is shown; `-A`
/// widens the scope to every namespace first.
fn get(s: &mut State, kind: String, all_namespaces: bool) -> Vec<Effect> {
    if !s.is_kube() {
        s.toast(tr!("err.kube_only", command = "get"), true);
        return vec![];
    }
    s.slot = Some(crate::app::views::SlotView::resource(&kind));
    s.focus = Pane::Services;
    s.view_mut(Pane::Services).filter.clear();
    let mut fx = vec![];
    if all_namespaces {
        fx = act(s, crate::model::action::Action::Namespace(None));
    }
    fx.push(Effect::Op(crate::backend::Op::Table(kind)));
    fx
}

/// Every pod of the scope; `pods` again goes back to the selected workload's, and `-A` widens
/// a Kubernetes scope to every namespace.
fn pods(s: &mut State, all_namespaces: bool) -> Vec<Effect> {
    s.all_instances = !s.all_instances || all_namespaces;
    s.focus = Pane::Tasks;
    s.reselect(Pane::Tasks);
    if all_namespaces && s.is_kube() {
        return act(s, crate::model::action::Action::Namespace(None));
    }
    vec![]
}
