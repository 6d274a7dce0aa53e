//! The console's state. Only the UI task touches it: backend events and commands update it, and
//! the pure renderers in `ui/` draw it.

use super::cluster::Cluster;
use crate::model::action::Action;
use crate::model::*;
use std::collections::VecDeque;

pub use super::logs::LogView;
pub use crate::model::Pane;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListView {
    pub selected: usize,
    pub selected_id: Option<String>,
    pub filter: String,
    /// The column the list is sorted by (`o`, `O`); none: as listed.
    pub sort: Option<super::sort::Sort>,
}

/// The events seen, the newest `capacity` of them.
#[derive(Debug, Clone, PartialEq)]
pub struct EventLog {
    pub items: VecDeque<crate::model::events::ClusterEvent>,
    pub capacity: usize,
}

impl EventLog {
    pub fn push(&mut self, batch: Vec<crate::model::events::ClusterEvent>) {
        for e in batch {
            if self.items.len() >= self.capacity.max(1) {
                self.items.pop_front();
            }
            self.items.push_back(e);
        }
    }
}

/// What the bottom line is being used for.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    Normal,
    /// `/` on a list pane: typing filters it live.
    Filter,
    /// `/` on the logs pane: typing highlights matches.
    Search,
    /// `f` on the logs pane: typing keeps only the lines that match.
    LogFilter,
    Palette(Palette),
    /// A disruptive action waiting for y/N.
    Confirm(Action),
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Palette {
    pub text: String,
    pub candidates: Vec<String>,
    pub candidate: Option<usize>,
    /// Position in history while browsing it with Up/Down.
    pub history_pos: Option<usize>,
    /// The candidates were offered by the key that wrote the line (`i`: the other tags of the
    /// image): Tab takes them in turn until something is typed.
    pub offered: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    pub text: String,
    pub error: bool,
    pub until: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    None,
    Help {
        pane: Pane,
        only: Option<String>,
        scroll: usize,
    },
    /// The activity log.
    History {
        scroll: usize,
    },
    /// The lab's steps with what their checks say, and when each passed.
    LabCheck {
        scroll: usize,
    },
    /// A result to read or copy (the full `docker swarm join` command...).
    Text {
        title: String,
        body: String,
    },
    /// The labels of a node, to add, change and remove.
    Labels {
        node_id: String,
        selected: usize,
    },
    /// `certs` with no options: the fields, prefilled.
    Certs(super::certs_form::CertsForm),
    /// `B` on the images: the context, the Dockerfile and the tags, prefilled.
    Build(super::build_form::BuildForm),
    /// An object as YAML, searchable.
    Inspect(Box<super::inspect::InspectWindow>),
}

/// One line of the activity log: what was done, how it ended, and the docker command that does
/// the same.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    pub at: i64,
    pub cli: String,
    pub ok: bool,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub now: i64,
    /// The cluster as last seen; only backend events change it.
    pub cluster: Cluster,
    pub last_error: Option<String>,
    pub focus: Pane,
    pub views: [ListView; 4],
    pub show_finished: bool,
    /// The tasks pane shows every task or pod of the scope (`pods`), not one workload's.
    pub all_instances: bool,
    pub logs: LogView,
    pub input: Input,
    pub overlay: Overlay,
    /// Lines typed in the palette, for ↑/↓.
    pub history: Vec<String>,
    /// What was done in this session, oldest first.
    pub activity: Vec<Activity>,
    /// Actions under way: what they are and their last progress line.
    pub running: std::collections::BTreeMap<u64, (Action, String)>,
    /// Each running action's steps so far (a build's, a compose project's), for the live panel.
    pub steps: std::collections::BTreeMap<u64, Vec<String>>,
    /// What `B` writes in the palette: the last build run from this folder, or a first one.
    pub build_line: String,
    /// An image to select once the images are listed again (the one just built).
    pub select_image: Option<String>,
    pub next_action: u64,
    /// Refuse every command that changes something.
    pub readonly: bool,
    /// The mouse is captured: clicks select, the wheel scrolls.
    pub mouse: bool,
    /// The compose file open in the editor.
    pub editor: Option<super::editor::Editor>,
    /// The files each stack was last deployed from, for `edit STACK`.
    pub deployed_from: std::collections::BTreeMap<String, Vec<String>>,
    /// The lab open in the side pane, and its current step.
    pub lab: Option<super::lab_session::LabSession>,
    /// A deploy waiting for its preview (the diff action's ID) before it asks y/N.
    pub preview_for: Option<(u64, Action)>,
    /// The port-forwards running (`pf`), in the order they were asked.
    pub forwards: Vec<crate::model::forward::Forwarding>,
    /// A Kubernetes object being read to edit (`edit KIND/NAME`): the action's ID and target.
    pub edit_for: Option<(u64, String)>,
    /// A view shown in the services pane's place (networks, volumes, secrets, configs).
    pub slot: Option<super::views::SlotView>,
    /// The newest events, while the events view has been open.
    pub events: EventLog,
    /// The inspect window a link was followed from, until the linked one opens.
    pub inspect_back: Option<Box<super::inspect::InspectWindow>>,
    /// What `Y` copied last (name, ID): a second `Y` on the same row copies the ID.
    pub copied: Option<(String, String)>,
    /// Files `:inspect … --out F` asked for, by the id of the inspect running.
    pub inspect_out: std::collections::BTreeMap<u64, String>,
    pub toast: Option<Toast>,
    pub theme_name: String,
    /// The themes `:theme` offers (the renderer's built-in ones, handed in at start).
    pub themes: Vec<String>,
    pub quit: bool,
}

impl State {
    pub fn new(endpoint: &str, demo: bool, log_lines: usize, now: i64) -> State {
        State {
            now,
            cluster: Cluster::new(endpoint, demo),
            last_error: None,
            focus: Pane::Services,
            views: Default::default(),
            show_finished: false,
            all_instances: false,
            logs: LogView::new(log_lines),
            input: Input::Normal,
            overlay: Overlay::None,
            history: vec![],
            activity: vec![],
            running: Default::default(),
            steps: Default::default(),
            build_line: "build . -t image:latest".into(),
            select_image: None,
            inspect_out: Default::default(),
            inspect_back: None,
            copied: None,
            slot: None,
            events: EventLog {
                items: VecDeque::new(),
                capacity: 1000,
            },
            next_action: 1,
            readonly: false,
            mouse: false,
            preview_for: None,
            edit_for: None,
            forwards: Vec::new(),
            lab: None,
            editor: None,
            deployed_from: Default::default(),
            toast: None,
            theme_name: "dark".into(),
            themes: vec![],
            quit: false,
        }
    }

    pub fn toast(&mut self, text: impl Into<String>, error: bool) {
        let text = text.into();
        if error {
            self.last_error = Some(text.clone());
        }
        self.toast = Some(Toast {
            text,
            error,
            until: self.now + 4,
        });
    }

    pub fn view(&self, pane: Pane) -> &ListView {
        &self.views[view_index(pane)]
    }

    pub fn view_mut(&mut self, pane: Pane) -> &mut ListView {
        &mut self.views[view_index(pane)]
    }

    pub fn visible_nodes(&self) -> Vec<&Node> {
        let f = self.view(Pane::Nodes).filter.to_lowercase();
        let mut v: Vec<&Node> = self
            .cluster
            .nodes
            .iter()
            .filter(|n| {
                f.is_empty()
                    || contains(&n.hostname, &f)
                    || contains(&n.id, &f)
                    || n.labels
                        .iter()
                        .any(|(k, v)| contains(&format!("{k}={v}"), &f))
            })
            .collect();
        let ctx = crate::columns::Ctx::at(self.now);
        super::sort::apply(&mut v, self.view(Pane::Nodes).sort, |n, c| {
            crate::columns::key(crate::columns::NODES, n, c, &ctx)
        });
        v
    }

    pub fn visible_workloads(&self) -> Vec<&Workload> {
        let f = self.view(Pane::Services).filter.to_lowercase();
        let mut v: Vec<&Workload> = self
            .cluster
            .workloads
            .iter()
            .filter(|w| {
                f.is_empty()
                    || contains(&w.name, &f)
                    || contains(&w.image, &f)
                    || w.stack.as_deref().is_some_and(|s| contains(s, &f))
            })
            .collect();
        super::sort::apply_grouped(&mut v, self.view(Pane::Services).sort, &self.cluster);
        v
    }

    /// The service whose tasks the tasks pane shows: the one selected in the services pane.
    pub fn current_workload(&self) -> Option<&Workload> {
        let id = self.view(Pane::Services).selected_id.as_ref()?;
        self.cluster.workloads.iter().find(|w| &w.id == id)
    }

    pub fn visible_instances(&self) -> Vec<&Instance> {
        let (mine, missing): (Vec<&Instance>, usize) = if self.all_instances {
            (self.cluster.instances.iter().collect(), 0)
        } else {
            let Some(w) = self.current_workload() else {
                return vec![];
            };
            let mine: Vec<&Instance> = self.cluster.instances_of(&w.id).collect();
            // A service short of replicas also shows its latest finished tasks: their errors
            // say why.
            let missing = w
                .desired
                .saturating_sub(mine.iter().filter(|i| !i.finished()).count() as u64)
                as usize;
            (mine, missing)
        };
        let f = self.view(Pane::Tasks).filter.to_lowercase();
        let mut recent_failures: Vec<&Instance> =
            mine.iter().copied().filter(|i| i.finished()).collect();
        // Failures that say why first, then the most recent.
        recent_failures.sort_by_key(|i| (i.error.is_none(), std::cmp::Reverse(i.since)));
        recent_failures.truncate(if self.show_finished {
            usize::MAX
        } else {
            missing
        });
        let mut v: Vec<&Instance> = mine
            .into_iter()
            .filter(|i| !i.finished() || recent_failures.iter().any(|r| r.id == i.id))
            .filter(|i| {
                f.is_empty()
                    || contains(&i.name, &f)
                    || contains(&i.node, &f)
                    || contains(&i.state, &f)
                    || contains(&i.image, &f)
            })
            .collect();
        let stats = &self.cluster.stats;
        let usage = |id: &str| stats.last.get(id).cloned();
        let ctx = crate::columns::Ctx {
            now: self.now,
            usage: &usage,
        };
        super::sort::apply(&mut v, self.view(Pane::Tasks).sort, |i, c| {
            crate::columns::key(crate::columns::TASKS, i, c, &ctx)
        });
        v
    }

    pub fn visible_images(&self) -> Vec<&Image> {
        let f = self.view(Pane::Images).filter.to_lowercase();
        let mut v: Vec<&Image> = self
            .cluster
            .images
            .iter()
            .filter(|i| {
                f.is_empty()
                    || contains(&i.repo, &f)
                    || contains(&i.tag, &f)
                    || i.id.starts_with(&f)
            })
            .collect();
        let ctx = crate::columns::Ctx::at(self.now);
        super::sort::apply(&mut v, self.view(Pane::Images).sort, |i, c| {
            crate::columns::key(crate::columns::IMAGES, i, c, &ctx)
        });
        v
    }

    /// IDs of the visible rows of a list pane, in order.
    pub fn visible_ids(&self, pane: Pane) -> Vec<String> {
        match pane {
            Pane::Nodes => self.visible_nodes().iter().map(|n| n.id.clone()).collect(),
            Pane::Services => self
                .visible_workloads()
                .iter()
                .map(|w| w.id.clone())
                .collect(),
            Pane::Tasks => self
                .visible_instances()
                .iter()
                .map(|i| i.id.clone())
                .collect(),
            Pane::Images => self
                .visible_images()
                .iter()
                .map(|i| format!("{}:{}:{}", i.id, i.repo, i.tag))
                .collect(),
            Pane::Logs => vec![],
        }
    }

    /// After the rows changed: keep the selection on the same object, or clamp it.
    pub fn reselect(&mut self, pane: Pane) {
        if !pane.is_list() {
            return;
        }
        let ids = self.visible_ids(pane);
        let v = self.view_mut(pane);
        if let Some(pos) = v
            .selected_id
            .as_ref()
            .and_then(|id| ids.iter().position(|i| i == id))
        {
            v.selected = pos;
        } else {
            v.selected = v.selected.min(ids.len().saturating_sub(1));
            v.selected_id = ids.get(v.selected).cloned();
        }
        if pane == Pane::Services {
            self.reselect(Pane::Tasks);
        }
    }

    /// Moves the selection of a list pane by `delta` rows (clamped), or scrolls the logs.
    pub fn move_selection(&mut self, pane: Pane, delta: isize) {
        if pane == Pane::Logs {
            let max = self.logs.lines.len().saturating_sub(1);
            self.logs.scroll = (self.logs.scroll as isize - delta).clamp(0, max as isize) as usize;
            return;
        }
        let ids = self.visible_ids(pane);
        let v = self.view_mut(pane);
        if ids.is_empty() {
            v.selected = 0;
            v.selected_id = None;
            return;
        }
        v.selected = (v.selected as isize + delta).clamp(0, ids.len() as isize - 1) as usize;
        v.selected_id = ids.get(v.selected).cloned();
        if pane == Pane::Services {
            self.reselect(Pane::Tasks);
        }
    }

    pub fn selected_instance(&self) -> Option<&Instance> {
        let id = self.view(Pane::Tasks).selected_id.as_ref()?;
        let w = self.current_workload()?;
        self.cluster.instances_of(&w.id).find(|i| &i.id == id)
    }

    pub fn selected_node(&self) -> Option<&Node> {
        let id = self.view(Pane::Nodes).selected_id.as_ref()?;
        self.cluster.nodes.iter().find(|n| &n.id == id)
    }

    /// A pane's title: on Kubernetes the Services pane lists Deployments, the Tasks pane pods.
    /// The events view's rows, newest first, from the events seen.
    pub fn refresh_events_view(&mut self) {
        let filter = self.view(Pane::Services).filter.clone();
        let Some(v) = self
            .slot
            .as_mut()
            .filter(|v| v.kind == crate::model::listing::ViewKind::Events)
        else {
            return;
        };
        let rows = self
            .events
            .items
            .iter()
            .rev()
            .map(|e| e.row(&crate::time::format_clock(e.time)))
            .collect();
        v.listing = Some(crate::model::listing::Listing {
            kind: crate::model::listing::ViewKind::Events,
            titles: Vec::new(),
            resource: None,
            columns: crate::model::events::COLUMNS.to_vec(),
            rows,
        });
        v.move_by(0, &filter);
    }

    pub fn pane_title(&self, pane: Pane) -> String {
        if let (Pane::Services, Some(v)) = (pane, &self.slot) {
            if let Some(word) = &v.resource {
                return crate::tr!("view.resource", kind = word);
            }
            return crate::i18n::text(v.kind.title_key(self.is_kube())).to_string();
        }
        let key = match (pane, self.is_kube()) {
            (Pane::Services, true) => "pane.workloads",
            (Pane::Tasks, true) => "pane.pods",
            (p, _) => p.title_key(),
        };
        crate::i18n::text(key).to_string()
    }

    /// Whether the cluster is Kubernetes (commands are then shown as kubectl's).
    pub fn is_kube(&self) -> bool {
        self.cluster.is_kube()
    }

    /// Names offered by completion: services, then tasks too for `logs`.
    pub fn names(&self, kind: crate::command::ArgKind) -> Vec<String> {
        use crate::command::ArgKind;
        match kind {
            ArgKind::Service => self
                .cluster
                .workloads
                .iter()
                .map(|w| w.name.clone())
                .collect(),
            ArgKind::ServiceOrTask => self
                .cluster
                .workloads
                .iter()
                .map(|w| w.name.clone())
                .chain(
                    self.cluster
                        .instances
                        .iter()
                        .filter(|i| !i.finished())
                        .map(|i| i.name.clone()),
                )
                .collect(),
            ArgKind::Theme => self.themes.clone(),
            ArgKind::Node => self
                .cluster
                .nodes
                .iter()
                .map(|n| n.hostname.clone())
                .collect(),
            ArgKind::Image => self
                .cluster
                .images
                .iter()
                .map(|i| format!("{}:{}", i.repo, i.tag))
                .collect(),
            _ => vec![],
        }
    }
}

fn view_index(pane: Pane) -> usize {
    match pane {
        Pane::Nodes => 0,
        Pane::Services => 1,
        Pane::Tasks => 2,
        Pane::Images | Pane::Logs => 3,
    }
}

fn contains(hay: &str, needle_lower: &str) -> bool {
    hay.to_lowercase().contains(needle_lower)
}

#[cfg(test)]
pub(crate) mod tests;
