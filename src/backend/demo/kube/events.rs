//! The events the demo's controllers and nodes report (`v1.Event`), as a real cluster's do,
//! the oldest of a namespace dropped past a bound.

use super::store::{World, event_index, name, namespace, str_at};
use serde_json::{Value, json};

/// Events kept per namespace.
const KEPT: usize = 400;

/// Records that `reason` happened to `obj`, as `component` saw it.
pub fn record(
    w: &mut World,
    obj: &Value,
    reason: &str,
    message: &str,
    component: &str,
    kind: &str,
) {
    let ns = {
        let n = namespace(obj);
        if n.is_empty() {
            "default".to_string()
        } else {
            n
        }
    };
    let at = w.clock.stamp_now();
    let suffix = format!("{:016x}", w.random() >> 1);
    let (obj_name, api_version) = (name(obj), str_at(obj, "/apiVersion").to_string());
    let involved = json!({
        "kind": str_at(obj, "/kind"),
        "namespace": namespace(obj),
        "name": obj_name,
        "uid": str_at(obj, "/metadata/uid"),
        "apiVersion": api_version,
        "resourceVersion": str_at(obj, "/metadata/resourceVersion"),
    });
    let event = json!({
        "kind": "Event",
        "apiVersion": "v1",
        "metadata": {
            "name": format!("{obj_name}.{}", &suffix[..16]),
            "namespace": ns,
            "uid": w.uid(),
            "creationTimestamp": at,
        },
        "involvedObject": involved,
        "reason": reason,
        "message": message,
        "source": {"component": component},
        "firstTimestamp": at,
        "lastTimestamp": at,
        "count": 1,
        "type": kind,
        "eventTime": null,
        "reportingComponent": component,
        "reportingInstance": "",
    });
    let idx = event_index();
    w.put(idx, event);
    let mine: Vec<_> = w
        .keys(idx)
        .into_iter()
        .filter(|(_, n, _)| *n == ns)
        .collect();
    if mine.len() > KEPT {
        // Names sort by object, not by time: the oldest by their creation time go.
        let mut dated: Vec<(String, String)> = mine
            .iter()
            .filter_map(|(_, n, e)| {
                w.get(idx, n, e).map(|v| {
                    (
                        str_at(v, "/metadata/creationTimestamp").to_string(),
                        e.clone(),
                    )
                })
            })
            .collect();
        dated.sort();
        for (_, e) in dated.into_iter().take(mine.len() - KEPT) {
            w.remove(idx, &ns, &e);
        }
    }
}
