//! Port-forwards in the console: started with `pf TARGET PORTS` (or `F` on a pod or a
//! Service), listed with `pf`, stopped with `pf stop [N]`; each running one's local address in
//! the status line.

use super::effect::Effect;
use super::state::{Overlay, State};
use crate::backend::{Error, Op};
use crate::command::Forward;
use crate::model::forward::Forwarding;
use crate::tr;

pub fn command(s: &mut State, f: Forward) -> Vec<Effect> {
    match f {
        Forward::Start(spec) => {
            if !s.is_kube() {
                s.toast(tr!("pf.swarm"), true);
                return vec![];
            }
            let id = s.next_action;
            s.next_action += 1;
            s.toast(tr!("pf.starting", what = spec.kubectl()), false);
            s.forwards.push(Forwarding {
                id,
                spec: spec.clone(),
                address: None,
            });
            vec![Effect::Op(Op::Forward { id, spec })]
        }
        Forward::List => {
            let body = if s.forwards.is_empty() {
                tr!("pf.none")
            } else {
                s.forwards.iter().map(line).collect::<Vec<_>>().join("\n")
            };
            s.overlay = Overlay::Text {
                title: tr!("pf.title"),
                body,
            };
            vec![]
        }
        Forward::Stop(which) => {
            let stopped: Vec<Forwarding> = match which {
                Some(n) => s.forwards.iter().filter(|f| f.id == n).cloned().collect(),
                None => s.forwards.clone(),
            };
            if stopped.is_empty() {
                s.toast(tr!("pf.none"), true);
                return vec![];
            }
            s.forwards.retain(|f| !stopped.contains(f));
            s.toast(tr!("pf.stopped", count = stopped.len()), false);
            stopped
                .iter()
                .map(|f| Effect::Op(Op::StopForward(f.id)))
                .collect()
        }
    }
}

/// `3  127.0.0.1:8080 → svc/web:8000`.
fn line(f: &Forwarding) -> String {
    let at = f.address.clone().unwrap_or_else(|| "…".into());
    format!("{}  {at} → {}:{}", f.id, f.spec.target, f.spec.remote)
}

/// What the status line says of the forwards: the first one's address, and how many more.
pub fn status(s: &State) -> Option<String> {
    let first = s.forwards.iter().find_map(|f| f.address.clone())?;
    Some(match s.forwards.len() {
        1 => format!("⇄ {first}"),
        n => format!("⇄ {first} +{}", n - 1),
    })
}

pub fn bound(s: &mut State, id: u64, address: String) {
    if let Some(f) = s.forwards.iter_mut().find(|f| f.id == id) {
        f.address = Some(address.clone());
        let what = format!("{}:{}", f.spec.target, f.spec.remote);
        s.toast(tr!("pf.listening", address = address, what = what), false);
    }
}

pub fn ended(s: &mut State, id: u64, error: Option<Error>) {
    let before = s.forwards.len();
    s.forwards.retain(|f| f.id != id);
    if let Some(e) = error.filter(|_| s.forwards.len() < before) {
        s.toast(e.to_string(), true);
    }
}
