//! The garbage collector: objects whose controller is gone are deleted (in the background, as
//! the default propagation policy does).

use super::resources::KINDS;
use super::store::{World, name, namespace, str_at};
use serde_json::Value;

/// Objects whose controller is gone are deleted (the garbage collector's background policy).
pub fn orphans(w: &mut World) -> bool {
    let mut uids = std::collections::HashSet::new();
    for (i, r) in KINDS.iter().enumerate() {
        if r.read_only {
            continue;
        }
        for v in w.list(i, None) {
            uids.insert(str_at(v, "/metadata/uid").to_string());
        }
    }
    let mut gone = Vec::new();
    for (i, r) in KINDS.iter().enumerate() {
        if r.read_only {
            continue;
        }
        for v in w.list(i, None) {
            let refs = v
                .pointer("/metadata/ownerReferences")
                .and_then(Value::as_array);
            let orphan = refs.is_some_and(|rs| {
                !rs.is_empty() && rs.iter().all(|o| !uids.contains(str_at(o, "/uid")))
            });
            if orphan {
                gone.push((i, r.kind, namespace(v), name(v)));
            }
        }
    }
    for (i, kind, ns, n) in &gone {
        if *kind == "Pod" {
            super::make::terminate(w, ns, n);
        } else {
            w.remove(*i, ns, n);
        }
    }
    !gone.is_empty()
}
