//! Comparing a service as it runs with the spec a stack file asks for (both in the Engine API's
//! JSON shape): whether anything changes, where, and the change preview in words a student reads
//! before saying yes (`gopenux_frontend: image a:latest → a:test`, `replicas 2 → 3`). Shared by
//! the swarm backend's deploy and the demo cluster's.

use crate::model::reference;
use crate::tr;
use serde_json::Value as J;

/// Whether `live` already has everything `want` asks for (keys `want` leaves out are the
/// engine's defaults and do not count).
pub fn covers(live: &J, want: &J) -> bool {
    match (live, want) {
        (J::Object(l), J::Object(w)) => w.iter().all(|(k, wv)| match l.get(k) {
            Some(lv) => covers(lv, wv),
            None => {
                wv.is_null()
                    || wv.as_object().is_some_and(|o| o.is_empty())
                    || wv.as_array().is_some_and(|a| a.is_empty())
            }
        }),
        (J::Array(l), J::Array(w)) => {
            l.len() == w.len() && l.iter().zip(w).all(|(a, b)| covers(a, b))
        }
        (l, w) => l == w,
    }
}

/// The first key path where `live` lacks what `want` asks for, e.g. `TaskTemplate.ContainerSpec.Image`.
pub fn first_difference(live: &J, want: &J, path: &str) -> Option<String> {
    match (live, want) {
        (J::Object(l), J::Object(w)) => w.iter().find_map(|(k, wv)| {
            let p = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            match l.get(k) {
                Some(lv) => first_difference(lv, wv, &p),
                None if covers(
                    &J::Object(Default::default()),
                    &serde_json::json!({ k: wv }),
                ) =>
                {
                    None
                }
                None => Some(p),
            }
        }),
        (J::Array(l), J::Array(w)) if l.len() == w.len() => l
            .iter()
            .zip(w)
            .enumerate()
            .find_map(|(i, (a, b))| first_difference(a, b, &format!("{path}[{i}]"))),
        (l, w) if l == w => None,
        _ => Some(path.to_string()),
    }
}

fn short(v: &J) -> String {
    match v {
        J::Null => "—".into(),
        J::String(s) => s.clone(),
        J::Array(a) if a.iter().all(J::is_string) => {
            a.iter().filter_map(J::as_str).collect::<Vec<_>>().join(" ")
        }
        other => other.to_string(),
    }
}

/// The changes to one service, in the fields students change most, then any other key paths.
pub fn service_changes(live: &J, want: &J) -> Vec<String> {
    let mut out = Vec::new();
    let fields: [(&str, &[&str]); 6] = [
        ("image", &["TaskTemplate", "ContainerSpec", "Image"]),
        ("replicas", &["Mode", "Replicated", "Replicas"]),
        ("command", &["TaskTemplate", "ContainerSpec", "Args"]),
        ("environment", &["TaskTemplate", "ContainerSpec", "Env"]),
        ("ports", &["EndpointSpec", "Ports"]),
        ("constraints", &["TaskTemplate", "Placement", "Constraints"]),
    ];
    let at = |v: &J, path: &[&str]| {
        path.iter()
            .fold(v.clone(), |acc, k| acc.get(*k).cloned().unwrap_or(J::Null))
    };
    for (label, path) in fields {
        let (a, b) = (at(live, path), at(want, path));
        if !b.is_null() && !covers(&a, &b) {
            if label == "image" {
                out.push(image_change(&short(&a), &short(&b)));
                continue;
            }
            let (a, b) = if label == "ports" {
                let show = |v: &J| {
                    v.as_array()
                        .map(|ps| {
                            ps.iter()
                                .map(|p| format!("{}:{}", p["PublishedPort"], p["TargetPort"]))
                                .collect::<Vec<_>>()
                                .join(",")
                        })
                        .unwrap_or_default()
                };
                (show(&a), show(&b))
            } else {
                (short(&a), short(&b))
            };
            out.push(format!("{label} {a} → {b}"));
        }
    }
    let mut rest = live.clone();
    let mut want_rest = want.clone();
    for (_, path) in fields {
        for v in [&mut rest, &mut want_rest] {
            let mut cur = v;
            for (i, k) in path.iter().enumerate() {
                if i + 1 == path.len() {
                    if let Some(o) = cur.as_object_mut() {
                        o.remove(*k);
                    }
                    break;
                }
                match cur.get_mut(*k) {
                    Some(next) => cur = next,
                    None => break,
                }
            }
        }
    }
    // The stack image label and the image's platforms follow the image; they are not news of
    // their own.
    if let Some(l) = want_rest.get_mut("Labels").and_then(J::as_object_mut) {
        l.remove("com.docker.stack.image");
    }
    for v in [&mut rest, &mut want_rest] {
        if let Some(p) = v["TaskTemplate"]["Placement"].as_object_mut() {
            p.remove("Platforms");
        }
    }
    if let Some(p) = first_difference(&rest, &want_rest, "") {
        out.push(tr!("preview.other", path = p));
    }
    out
}

/// An image change as a student reads it: the tags when they differ
/// (`a:latest → a:test`), the digests when only they do (`a:latest (sha256:ab12… → sha256:cd34…)`).
fn image_change(live: &str, want: &str) -> String {
    let (from, to) = (reference::strip_digest(live), reference::strip_digest(want));
    if from != to {
        return format!("image {from} → {to}");
    }
    let digest = |image: &str| match reference::digest(image) {
        Some(d) => {
            let (algo, hex) = d.split_once(':').unwrap_or(("", d));
            format!("{algo}:{}…", hex.get(..12).unwrap_or(hex))
        }
        None => tr!("preview.unpinned"),
    };
    format!("image {to} ({} → {})", digest(live), digest(want))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn engine_defaults_do_not_count_as_changes() {
        let live = json!({"Name": "s_web", "Mode": {"Replicated": {"Replicas": 1}}, "TaskTemplate": {"ForceUpdate": 0, "ContainerSpec": {"Image": "a", "Isolation": "default"}}});
        assert!(covers(
            &live,
            &json!({"Name": "s_web", "Mode": {"Replicated": {}}, "TaskTemplate": {"ContainerSpec": {"Image": "a"}}})
        ));
        assert!(!covers(
            &live,
            &json!({"TaskTemplate": {"ContainerSpec": {"Image": "b"}}})
        ));
        assert!(!covers(
            &live,
            &json!({"Mode": {"Replicated": {"Replicas": 2}}})
        ));
        assert!(covers(&live, &json!({"Labels": {}})));
    }

    #[test]
    fn changes_read_like_a_student_would_say_them() {
        let live = json!({"Mode": {"Replicated": {"Replicas": 2}}, "TaskTemplate": {"ContainerSpec": {"Image": "frontend-semana-3:latest"}}, "Labels": {"com.docker.stack.image": "frontend-semana-3:latest"}});
        let want = json!({"Mode": {"Replicated": {"Replicas": 3}}, "TaskTemplate": {"ContainerSpec": {"Image": "frontend-semana-3:test"}}, "Labels": {"com.docker.stack.image": "frontend-semana-3:test"}});
        assert_eq!(
            service_changes(&live, &want),
            [
                "image frontend-semana-3:latest → frontend-semana-3:test",
                "replicas 2 → 3"
            ]
        );
        assert!(service_changes(&live, &live).is_empty());
    }

    #[test]
    fn a_tag_pushed_again_reads_as_a_digest_change() {
        let a = format!("frontend-semana-3:latest@sha256:ab12{}", "0".repeat(60));
        let b = format!("frontend-semana-3:latest@sha256:cd34{}", "1".repeat(60));
        assert_eq!(
            image_change(&a, &b),
            "image frontend-semana-3:latest (sha256:ab1200000000… → sha256:cd3411111111…)"
        );
        assert_eq!(
            image_change(&a, "frontend-semana-3:test"),
            "image frontend-semana-3:latest → frontend-semana-3:test"
        );
    }
}
