//! Making and ending objects as the API server does, shared by the requests (`api`), the
//! controllers and the seed: where a request points, a new object's checks and defaults, a
//! pod's graceful end.

use super::objects::{self, Refusal};
use super::resources::Res;
use super::store::{self, World, name, namespace, ns_index, pod_index, str_at};
use serde_json::{Value, json};

/// Where a request points: a kind, a namespace, a name and a subresource.
pub struct Target {
    pub res: &'static Res,
    pub ns: Option<String>,
    pub name: Option<String>,
    pub sub: Option<String>,
}

/// A namespace that is there and not being deleted, for something new to go in.
fn namespace_open(w: &World, r: &Res, ns: &str, name: &str) -> Result<(), Refusal> {
    if !r.namespaced {
        return Ok(());
    }
    let Some(n) = w.get(ns_index(), "", ns) else {
        return Err(Refusal {
            code: 404,
            reason: "NotFound",
            message: format!("namespaces \"{ns}\" not found"),
            details: Some((ns.into(), String::new(), "namespaces".into())),
        });
    };
    if str_at(n, "/status/phase") == "Terminating" {
        return Err(Refusal::forbidden_terminating(r, name, ns));
    }
    Ok(())
}

/// A new object of the target's kind from `v`; stored unless `dry`.
pub fn create_value(
    w: &mut World,
    t: &Target,
    mut v: Value,
    dry: bool,
    manager: (&str, &str),
) -> Result<Value, Refusal> {
    let ns = ns_of(t);
    if let Some(given) = v.pointer("/metadata/namespace").and_then(Value::as_str)
        && t.res.namespaced
        && given != ns
    {
        return Err(Refusal::bad(
            "the namespace of the provided object does not match the namespace sent on the request"
                .into(),
        ));
    }
    objects::new_metadata(w, t.res, &mut v, &ns)?;
    let n = name(&v);
    namespace_open(w, t.res, &ns, &n)?;
    if w.get(store::index(t.res), &ns, &n).is_some() {
        return Err(Refusal::exists(t.res, &n));
    }
    objects::defaults(w, t.res, &mut v)?;
    let now = w.clock.stamp_now();
    if !manager.0.is_empty() {
        super::managed::manage(&mut v, manager.0, manager.1, false, &now);
    }
    if dry {
        return Ok(v);
    }
    Ok(w.put(store::index(t.res), v))
}

/// The namespace a new object of `obj` goes in: its own, else the request's.
pub fn namespace_or(obj: &Value, fallback: &str) -> String {
    let n = namespace(obj);
    if n.is_empty() {
        fallback.to_string()
    } else {
        n
    }
}

/// Starts a pod's end: marked for deletion (the controllers take it away after its grace),
/// or gone at once on a frozen clock.
pub fn terminate(w: &mut World, ns: &str, name: &str) -> Option<()> {
    let idx = pod_index();
    let mut p = w.get(idx, ns, name)?.clone();
    if !w.clock.live() {
        w.remove(idx, ns, name);
        return Some(());
    }
    if p.pointer("/metadata/deletionTimestamp").is_some() {
        return Some(());
    }
    let now = w.clock.stamp_now();
    if let Some(m) = p.get_mut("metadata").and_then(Value::as_object_mut) {
        m.insert("deletionTimestamp".into(), json!(now));
        m.insert("deletionGracePeriodSeconds".into(), json!(30));
    }
    w.put(idx, p);
    Some(())
}

/// The field manager of what the controllers write, as a real cluster's managedFields name it.
pub const MANAGER: &str = "kube-controller-manager";

/// The namespace a request is for ("" for a cluster-wide kind; `default` when it names none).
pub fn ns_of(t: &Target) -> String {
    if t.res.namespaced {
        t.ns.clone().unwrap_or_else(|| "default".into())
    } else {
        String::new()
    }
}
