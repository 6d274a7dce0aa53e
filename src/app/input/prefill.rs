//! The commands keys write into the palette for the selected row (`s` scale, `r` restart, `T`
//! stop a plain container, `D` take a compose project down...): the user reads the command,
//! edits it if needed, and runs it with Enter.

use super::super::act::prefill;
use super::super::keymap;
use super::super::state::{Overlay, Pane, State};

/// Writes the command a key stands for, for the selected row, into the palette: the user sees
/// (and learns) the command, edits it, and runs it with Enter.
pub(super) fn prefill_for(s: &mut State, what: keymap::Prefill) {
    use keymap::Prefill as P;
    let service = s
        .current_workload()
        .map(|w| (w.name.clone(), w.desired, w.image.clone()));
    let image = {
        let v = s.view(Pane::Images);
        let sel = v.selected;
        s.visible_images()
            .get(sel)
            .map(|i| (i.repo.clone(), i.tag.clone()))
    };
    let node = s
        .selected_node()
        .map(|n| (n.hostname.clone(), n.labels.clone()));
    let (text, candidates): (String, Vec<String>) = match (what, service, image, node) {
        (P::Scale, Some((name, desired, _)), _, _) => (format!("scale {name} {desired}"), vec![]),
        (P::Image, Some((name, _, current)), _, _) => {
            // Offer the other local tags of the same repository (latest, test...).
            let repo = crate::model::reference::split_tag(&current).0;
            let others: Vec<String> = s
                .cluster
                .images
                .iter()
                .filter(|i| i.repo == repo)
                .map(|i| format!("{}:{}", i.repo, i.tag))
                .filter(|r| *r != current)
                .collect();
            (format!("image {name} {current}"), others)
        }
        // A compose service restarts with its project's words.
        (P::Restart, Some(_), _, _)
            if s.current_workload()
                .is_some_and(|w| w.id.starts_with("compose:")) =>
        {
            match compose_command(s, what) {
                Some(t) => (t, vec![]),
                None => return,
            }
        }
        (P::Restart, Some((name, ..)), _, _) => (format!("restart {name}"), vec![]),
        (P::Rollback, Some((name, ..)), _, _) => (format!("rollback {name}"), vec![]),
        (P::Tag, _, Some((repo, tag)), _) => {
            // Lab 000: "Tagear la imagen de frontend de latest a test".
            let next = if tag == "latest" {
                "test".to_string()
            } else {
                tag.clone()
            };
            (format!("tag {repo}:{tag} {repo}:{next}"), vec![])
        }
        (P::Push, _, Some((repo, tag)), _) => (format!("push {repo}:{tag}"), vec![]),
        (P::Rmi, _, Some((repo, tag)), _) => (format!("rmi {repo}:{tag}"), vec![]),
        (P::Label, ..) => {
            if let Some(n) = s.selected_node() {
                s.overlay = Overlay::Labels {
                    node_id: n.id.clone(),
                    selected: 0,
                };
            }
            return;
        }
        (P::Unlabel, _, _, Some((host, labels))) => {
            (format!("unlabel {host} "), labels.keys().cloned().collect())
        }
        (P::Drain, _, _, Some((host, _))) => (format!("drain {host}"), vec![]),
        (P::Activate, _, _, Some((host, _))) => (format!("activate {host}"), vec![]),
        (P::SwarmInit, ..) => ("swarm init".to_string(), vec![]),
        (P::Container(verb), ..) => match container_command(s, verb) {
            Some(t) => (t, vec![]),
            None => return,
        },
        (P::Build, ..) => {
            s.overlay = Overlay::Build(super::super::build_form::BuildForm::from_line(
                &s.build_line,
            ));
            return;
        }
        (P::ComposeUp | P::ComposeDown, ..) => match compose_command(s, what) {
            Some(t) => (t, vec![]),
            None => return,
        },
        // Only in a view (see `view_key`).
        (P::Forward, ..) if s.is_kube() => match s.selected_instance() {
            Some(i) => (format!("pf pod/{} ", i.name), vec![]),
            None => return,
        },
        (P::Remove, ..) => return,
        _ => return,
    };
    prefill(s, text, candidates);
}

/// `container VERB NAME` for the selected task when it is a plain container (not a swarm task).
fn container_command(s: &State, verb: crate::model::compose::ContainerVerb) -> Option<String> {
    let i = s.selected_instance()?;
    let plain = i.workload_id.starts_with("compose:") || i.workload_id.starts_with("container:");
    plain.then(|| format!("container {} {}", verb.word(), i.name))
}

/// The compose command for the selected compose service's project: `up -d` with the files it
/// was brought up from, `down`, or `restart SERVICE`.
fn compose_command(s: &State, what: keymap::Prefill) -> Option<String> {
    use keymap::Prefill as P;
    let w = s.current_workload()?;
    let (project, service) = w.id.strip_prefix("compose:")?.split_once('/')?;
    Some(match what {
        P::ComposeUp => {
            let files: String = w
                .labels
                .get("com.docker.compose.project.config_files")
                .map(|f| f.split(',').map(|f| format!("-f {f} ")).collect())
                .unwrap_or_default();
            format!("compose {files}-p {project} up -d")
        }
        P::ComposeDown => format!("compose -p {project} down"),
        _ => format!("compose -p {project} restart {service}"),
    })
}
