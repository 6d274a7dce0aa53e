//! What the backend says, taken into the state: the cluster's rows, logs, listings, the lab's
//! probe, and actions' progress and results (a toast, the activity log, a window to read).

use super::cluster::Changed;
use super::inspect::InspectWindow;
use super::state::{Activity, Input, Overlay, Pane, State};
use crate::backend::{ConnState, Error, Event};
use crate::model::action::{Action, Detail, Outcome};

impl State {
    pub fn apply_event(&mut self, ev: Event) {
        let ev = match self.cluster.apply(ev, self.now) {
            Ok(Changed::Conn) => {
                match &self.cluster.conn {
                    ConnState::Reconnecting { error, .. } => self.last_error = Some(error.clone()),
                    ConnState::Connected => self.last_error = None,
                    _ => {}
                }
                return;
            }
            Ok(Changed::Rows(pane)) => {
                match pane {
                    Pane::Services => super::lab::services_changed(self),
                    Pane::Images => super::lab::images_changed(self),
                    _ => {}
                }
                self.reselect(pane);
                if pane == Pane::Images {
                    self.select_built_image();
                }
                return;
            }
            Ok(Changed::Stats) => return,
            // Why there are none, said once (the pane's title keeps saying it shortly) — unless
            // something else is being said: that matters more (an RBAC refusal, say).
            Ok(Changed::NoStats(why)) => {
                if self.toast.is_none() {
                    self.toast(why, false);
                }
                return;
            }
            Err(ev) => ev,
        };
        match ev {
            Event::Events(batch) => {
                self.events.push(batch);
                self.refresh_events_view();
            }
            Event::Listing(l) => {
                let filter = self.view(Pane::Services).filter.clone();
                if let Some(v) = self.slot.as_mut().filter(|v| v.takes(&l)) {
                    v.listing = Some(l);
                    v.failed = None;
                    v.move_by(0, &filter);
                }
            }
            Event::Forwarding { id, address } => super::forwards::bound(self, id, address),
            Event::ForwardEnded { id, error } => super::forwards::ended(self, id, error),
            Event::TableFailed { word, error } => {
                let text = error.to_string();
                if let Some(v) = self
                    .slot
                    .as_mut()
                    .filter(|v| v.resource.as_deref() == Some(word.as_str()))
                {
                    v.failed = Some(text.clone());
                }
                self.toast(text, true);
            }
            Event::Logs { generation, lines } if generation == self.logs.generation => {
                self.logs.push(lines)
            }
            Event::Logs { .. } => {}
            Event::LogsEnded { generation, error } if generation == self.logs.generation => {
                if let Some(e) = &error {
                    self.last_error = Some(e.to_string());
                }
                self.logs.ended = Some(error);
            }
            Event::LogsEnded { .. } => {}
            Event::Conn(_)
            | Event::Info(_)
            | Event::Nodes(_)
            | Event::Workloads(_)
            | Event::Instances(_)
            | Event::Images(_)
            | Event::Stats(_)
            | Event::StatsUnavailable(_) => {}
            Event::Error(e) => self.toast(e.to_string(), true),
            Event::LabProbed { seq, probed } => super::lab::probed(self, seq, probed),
            Event::Pushed => super::lab::want_probe(self),
            Event::Progress { id, progress } => {
                if let Some(r) = self.running.get_mut(&id) {
                    r.1 = progress.text().to_string();
                    if let crate::model::action::Progress::Step(step) = &progress {
                        let steps = self.steps.entry(id).or_default();
                        steps.push(step.clone());
                        if steps.len() > 200 {
                            steps.remove(0);
                        }
                    }
                }
            }
            Event::Done { id, result, .. }
                if self.preview_for.as_ref().is_some_and(|(p, _)| *p == id) =>
            {
                self.previewed(id, result)
            }
            Event::Done { id, result, .. }
                if self.edit_for.as_ref().is_some_and(|(e, _)| *e == id) =>
            {
                self.running.remove(&id);
                let target = self.edit_for.take().map(|(_, t)| t).unwrap_or_default();
                match result {
                    Ok(o) => {
                        let text = o.detail.map(|d| d.to_text()).unwrap_or_default();
                        self.editor = Some(super::editor::Editor::object(&target, &text));
                    }
                    Err(e) => self.toast(e.to_string(), true),
                }
            }
            Event::Done { id, action, result } => self.done(id, action, result),
        }
    }

    /// Selects the image just built, once it is listed (`p` then pushes it).
    fn select_built_image(&mut self) {
        let Some(want) = self.select_image.clone() else {
            return;
        };
        let (repo, tag) = crate::model::reference::split_tag(&want);
        let at = self
            .visible_images()
            .iter()
            .position(|i| i.repo == repo && i.tag == tag);
        if let Some(at) = at {
            self.view_mut(Pane::Images).selected = at;
            self.select_image = None;
        }
    }

    /// A deploy's preview came: shown, with the deploy waiting for y/N.
    fn previewed(&mut self, id: u64, result: Result<Outcome, Error>) {
        self.running.remove(&id);
        let Some((_, deploy)) = self.preview_for.take() else {
            return;
        };
        match result {
            Ok(outcome) => {
                let body = outcome
                    .detail
                    .map(|d| d.to_text())
                    .unwrap_or_else(|| outcome.summary.clone());
                self.overlay = Overlay::Text {
                    title: format!("{} · {}", crate::tr!("preview.title"), outcome.summary),
                    body,
                };
                self.input = Input::Confirm(deploy);
            }
            Err(e) => self.toast(e.to_string(), true),
        }
    }

    /// An action ended: the activity log, a toast with the docker command that does the same,
    /// and what it brought to read (an object inspected, a join command, a listing).
    fn done(&mut self, id: u64, action: Action, result: Result<Outcome, Error>) {
        self.running.remove(&id);
        self.steps.remove(&id);
        // A build done: its image is selected once listed, and `B` offers the same build again.
        if let (Ok(_), Action::Build(b)) = (&result, &action) {
            self.build_line = b.palette_line();
            if let Some(tag) = b.tags.first() {
                self.select_image = Some(tag.clone());
                self.focus = Pane::Images;
            }
        }
        // A push, a deploy, a tag: the files and the registry may tell something new.
        super::lab::want_probe(self);
        let cli = action.cli(self.is_kube());
        if let (Ok(_), Action::Deploy { files, stack, .. }) = (&result, &action) {
            self.deployed_from.insert(stack.clone(), files.clone());
        }
        match result {
            Ok(outcome) => {
                self.last_error = None;
                self.activity.push(Activity {
                    at: self.now,
                    cli: cli.clone(),
                    ok: true,
                    text: outcome.summary.clone(),
                });
                self.toast(
                    format!(
                        "{}\n{} {cli}",
                        outcome.summary,
                        crate::tr!("toast.equivalent")
                    ),
                    false,
                );
                self.show(id, &action, outcome);
            }
            Err(e) => {
                let e = e.to_string();
                // A link that could not be followed: the window it came from again.
                if let Some(w) = self.inspect_back.take() {
                    self.overlay = Overlay::Inspect(w);
                }
                self.activity.push(Activity {
                    at: self.now,
                    cli,
                    ok: false,
                    text: e.clone(),
                });
                self.toast(e, true);
            }
        }
    }

    /// What an action brought to read, in a window: an inspected object, or the text of the
    /// actions whose result is the text (a join token, a listing, a secret, an apply).
    fn show(&mut self, id: u64, action: &Action, outcome: Outcome) {
        if let Some(Detail::Inspect(found)) = &outcome.detail {
            let text = super::inspect::yaml(found);
            let mut w =
                InspectWindow::new(outcome.summary.clone(), &text, self.inspect_out.remove(&id));
            w.links = found.links.clone();
            w.back = self.inspect_back.take();
            self.overlay = Overlay::Inspect(Box::new(w));
        } else if let Some(detail) = outcome.detail.filter(|_| {
            matches!(
                action,
                Action::JoinToken(_)
                    | Action::KubeList(_)
                    | Action::SecretShow(_)
                    | Action::Apply { .. }
                    | Action::Tree(_)
            )
        }) {
            self.overlay = Overlay::Text {
                title: outcome.summary,
                body: detail.to_text(),
            };
        }
    }
}
