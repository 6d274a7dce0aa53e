//! The demo API server's requests: discovery, then each kind's verbs (get, list and watch,
//! create, replace, patch, delete) and the subresources the console uses (scale, status, log,
//! eviction).

use super::make::{Target, create_value, ns_of};
use super::objects::{self, Refusal};
use super::request::Call;
use super::resources;
use super::store::{self, World, str_at};
use super::{Body, Shared, full, lock};
use http::{Method, Response, StatusCode};
use serde_json::{Value, json};

fn refused(r: Refusal) -> Response<Body> {
    let code = StatusCode::from_u16(r.code).unwrap_or(StatusCode::BAD_REQUEST);
    full(code, &r.status())
}

fn not_found_path(path: &str) -> Response<Body> {
    refused(Refusal {
        code: 404,
        reason: "NotFound",
        message: format!("the server could not find the requested resource ({path})"),
        details: None,
    })
}

/// Discovery and `/version`; `None` for a kind's path.
fn discovery(call: &Call, parts: &[&str]) -> Option<Response<Body>> {
    let aggregated = call.accept.contains("apidiscovery.k8s.io");
    let doc = match parts {
        ["version"] => json!({
            "major": "1", "minor": "34", "gitVersion": "v1.34.4",
            "gitCommit": "estiba-demo", "gitTreeState": "clean",
            "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.24.12",
            "compiler": "gc", "platform": "linux/amd64",
        }),
        ["api"] if aggregated => resources::aggregated(true),
        ["api"] => resources::core_versions(),
        ["apis"] if aggregated => resources::aggregated(false),
        ["apis"] => resources::group_list(),
        ["api", v] => resources::resource_list("", v)?,
        ["apis", g, v] => resources::resource_list(g, v)?,
        _ => return None,
    };
    Some(full(StatusCode::OK, &doc))
}

/// The kind, namespace, name and subresource a path names.
pub fn target(parts: &[&str]) -> Option<Target> {
    let (group, version, rest) = match parts {
        ["api", v, rest @ ..] => ("", *v, rest),
        ["apis", g, v, rest @ ..] => (*g, *v, rest),
        _ => return None,
    };
    let s = |x: &&str| Some(x.to_string());
    let (ns, plural, name, sub) = match rest {
        // A namespace's own subresources (`namespaces/NAME/status`).
        ["namespaces", n, sub @ ("status" | "finalize")] => (None, "namespaces", s(n), s(sub)),
        ["namespaces", ns, plural, tail @ ..] => (
            s(ns),
            *plural,
            tail.first().and_then(s),
            tail.get(1).and_then(s),
        ),
        [plural, tail @ ..] => (
            None,
            *plural,
            tail.first().and_then(s),
            tail.get(1).and_then(s),
        ),
        [] => return None,
    };
    let res = resources::find(group, version, plural)?;
    Some(Target { res, ns, name, sub })
}

pub async fn serve(world: &Shared, call: Call) -> Response<Body> {
    let path = call.path.clone();
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    if let Some(r) = discovery(&call, &parts) {
        return r;
    }
    let Some(t) = target(&parts) else {
        return not_found_path(&call.path);
    };
    if t.res.group == "metrics.k8s.io" {
        return super::pods::metrics(world, &t);
    }
    let ok = |v: Value| (StatusCode::OK, v);
    let result = match (&call.method, &t.name, t.sub.as_deref()) {
        (&Method::GET, None, _) if call.q("watch").is_some_and(|w| w == "true" || w == "1") => {
            return super::watch::watch(world, &call, &t);
        }
        (&Method::GET, None, _) => super::watch::list(world, &call, &t).map(ok),
        (&Method::GET, Some(_), Some("log")) => return super::pods::log(world, &call, &t).await,
        (&Method::GET, Some(n), Some("scale")) => get(world, &t, n).map(|v| ok(scale_of(&v))),
        (&Method::GET, Some(n), _) => get(world, &t, n).map(|v| {
            if call.table() {
                let w = lock(world);
                ok(super::tables::table(
                    t.res,
                    &[&v],
                    w.rv(),
                    w.clock.now(),
                    true,
                ))
            } else {
                ok(v)
            }
        }),
        (&Method::POST, Some(n), Some("eviction")) => super::pods::evict(world, &t, n).map(ok),
        (&Method::POST, None, _) => create(world, &call, &t).map(|v| (StatusCode::CREATED, v)),
        (&Method::PUT, Some(n), sub) => replace(world, &call, &t, n, sub).map(ok),
        (&Method::PATCH, Some(n), sub) => patch(world, &call, &t, n, sub),
        (&Method::DELETE, Some(n), None) => delete(world, &call, &t, n).map(ok),
        _ => Err(Refusal {
            code: 405,
            reason: "MethodNotAllowed",
            message: "the server does not allow this method on the requested resource".into(),
            details: None,
        }),
    };
    match result {
        Ok((code, v)) => full(code, &v),
        Err(r) => refused(r),
    }
}

fn get(world: &Shared, t: &Target, name: &str) -> Result<Value, Refusal> {
    let w = lock(world);
    w.get(store::index(t.res), &ns_of(t), name)
        .cloned()
        .ok_or_else(|| Refusal::not_found(t.res, name))
}

/// The body as JSON (or YAML, which an apply may send).
fn body_of(call: &Call) -> Result<Value, Refusal> {
    if call.content_type.contains("yaml") {
        serde_norway::from_slice::<Value>(&call.body)
            .map_err(|e| Refusal::bad(format!("error decoding YAML: {e}")))
    } else {
        serde_json::from_slice::<Value>(&call.body)
            .map_err(|e| Refusal::bad(format!("couldn't get version/kind; json parse error: {e}")))
    }
}

fn create(world: &Shared, call: &Call, t: &Target) -> Result<Value, Refusal> {
    let v = body_of(call)?;
    let mut w = lock(world);
    create_value(&mut w, t, v, call.dry(), (&call.manager(), "Update"))
}

/// A Scale (`autoscaling/v1`) of a workload.
fn scale_of(v: &Value) -> Value {
    let m = v.get("metadata").cloned().unwrap_or_default();
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": m.get("name"), "namespace": m.get("namespace"), "uid": m.get("uid"),
            "resourceVersion": m.get("resourceVersion"), "creationTimestamp": m.get("creationTimestamp"),
        },
        "spec": {"replicas": store::int_at(v, "/spec/replicas")},
        "status": {
            "replicas": store::int_at(v, "/status/replicas"),
            "selector": super::select::label_text(v.pointer("/spec/selector").unwrap_or(&Value::Null)),
        },
    })
}

/// Stores a changed object, keeping what a change of the main resource may not touch.
fn store_changed(
    w: &mut World,
    t: &Target,
    before: &Value,
    mut after: Value,
    sub: Option<&str>,
    dry: bool,
    manager: (&str, &str),
) -> Result<Value, Refusal> {
    // What identifies the object stays the server's.
    for k in [
        "uid",
        "creationTimestamp",
        "name",
        "namespace",
        "generation",
        "deletionTimestamp",
    ] {
        match before.pointer(&format!("/metadata/{k}")) {
            Some(v) => {
                objects::child(&mut after, "metadata")
                    .as_object_mut()
                    .map(|m| m.insert(k.to_string(), v.clone()));
            }
            None => {
                objects::child(&mut after, "metadata")
                    .as_object_mut()
                    .map(|m| m.remove(k));
            }
        }
    }
    if let Some(o) = after.as_object_mut() {
        o.insert("apiVersion".into(), json!(t.res.api_version()));
        o.insert("kind".into(), json!(t.res.kind));
    }
    match sub {
        Some("status") => {
            let status = after.get("status").cloned();
            after = before.clone();
            if let (Some(s), Some(o)) = (status, after.as_object_mut()) {
                o.insert("status".into(), s);
            }
        }
        _ => {
            if let (Some(s), Some(o)) = (before.get("status"), after.as_object_mut())
                && t.res.kind != "Namespace"
            {
                o.insert("status".into(), s.clone());
            }
            objects::defaults(w, t.res, &mut after)?;
            objects::bump_generation(before, &mut after);
        }
    }
    let now = w.clock.stamp_now();
    super::managed::manage(
        &mut after,
        manager.0,
        manager.1,
        sub == Some("status"),
        &now,
    );
    if dry {
        let mut v = after;
        if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
            m.insert(
                "resourceVersion".into(),
                json!(str_at(before, "/metadata/resourceVersion")),
            );
        }
        return Ok(v);
    }
    Ok(w.put(store::index(t.res), after))
}

fn replace(
    world: &Shared,
    call: &Call,
    t: &Target,
    name: &str,
    sub: Option<&str>,
) -> Result<Value, Refusal> {
    let body = body_of(call)?;
    let mut w = lock(world);
    let before = w
        .get(store::index(t.res), &ns_of(t), name)
        .cloned()
        .ok_or_else(|| Refusal::not_found(t.res, name))?;
    let asked = str_at(&body, "/metadata/resourceVersion");
    if !asked.is_empty() && asked != str_at(&before, "/metadata/resourceVersion") {
        return Err(Refusal::conflict(t.res, name));
    }
    if sub == Some("scale") {
        let mut after = before.clone();
        let n = store::int_at(&body, "/spec/replicas");
        objects::child(&mut after, "spec")
            .as_object_mut()
            .map(|s| s.insert("replicas".into(), json!(n)));
        let m = call.manager();
        return store_changed(&mut w, t, &before, after, None, call.dry(), (&m, "Update"))
            .map(|v| scale_of(&v));
    }
    let m = call.manager();
    store_changed(&mut w, t, &before, body, sub, call.dry(), (&m, "Update"))
}

fn patch(
    world: &Shared,
    call: &Call,
    t: &Target,
    name: &str,
    sub: Option<&str>,
) -> Result<(StatusCode, Value), Refusal> {
    let body = body_of(call)?;
    let ns = ns_of(t);
    let mut w = lock(world);
    let current = w.get(store::index(t.res), &ns, name).cloned();
    let ct = call.content_type.as_str();
    let Some(before) = current else {
        // An apply makes what is not there.
        if ct.contains("apply-patch") {
            let tt = Target {
                res: t.res,
                ns: t.ns.clone(),
                name: None,
                sub: None,
            };
            let m = call.manager();
            return create_value(&mut w, &tt, body, call.dry(), (&m, "Apply"))
                .map(|v| (StatusCode::CREATED, v));
        }
        return Err(Refusal::not_found(t.res, name));
    };
    let mut after = if sub == Some("scale") {
        let mut s = scale_of(&before);
        objects::merge(&mut s, &body, false);
        let mut a = before.clone();
        objects::child(&mut a, "spec").as_object_mut().map(|m| {
            m.insert(
                "replicas".into(),
                json!(store::int_at(&s, "/spec/replicas")),
            )
        });
        a
    } else {
        before.clone()
    };
    if sub != Some("scale") {
        if ct.contains("apply-patch") {
            // Server-side apply, as far as the demo needs it: the applied configuration's
            // fields replace the object's (lists whole), what it leaves out stays — the same
            // merge the stack loader makes of compose files.
            crate::stack::load::merge(&mut after, &body);
        } else if ct.contains("strategic-merge-patch") {
            objects::merge(&mut after, &body, true);
        } else if ct.contains("json-patch+json") {
            return Err(Refusal {
                code: 415,
                reason: "UnsupportedMediaType",
                message: "the demo cluster takes merge, strategic merge and apply patches".into(),
                details: None,
            });
        } else {
            objects::merge(&mut after, &body, false);
        }
    }
    let m = call.manager();
    let op = if ct.contains("apply-patch") {
        "Apply"
    } else {
        "Update"
    };
    let stored = store_changed(
        &mut w,
        t,
        &before,
        after,
        sub.filter(|s| *s == "status"),
        call.dry(),
        (&m, op),
    )?;
    Ok((
        StatusCode::OK,
        if sub == Some("scale") {
            scale_of(&stored)
        } else {
            stored
        },
    ))
}

fn delete(world: &Shared, call: &Call, t: &Target, name: &str) -> Result<Value, Refusal> {
    let ns = ns_of(t);
    let mut w = lock(world);
    let idx = store::index(t.res);
    let Some(before) = w.get(idx, &ns, name).cloned() else {
        return Err(Refusal::not_found(t.res, name));
    };
    if call.dry() {
        return Ok(before);
    }
    let graceful = w.clock.live()
        && matches!(t.res.kind, "Pod" | "Namespace")
        && call.q("gracePeriodSeconds") != Some("0");
    if graceful {
        if before.pointer("/metadata/deletionTimestamp").is_some() {
            return Ok(before);
        }
        let mut after = before.clone();
        let now = w.clock.stamp_now();
        let m = objects::child(&mut after, "metadata");
        if let Some(m) = m.as_object_mut() {
            m.insert("deletionTimestamp".into(), json!(now));
            if t.res.kind == "Pod" {
                m.insert("deletionGracePeriodSeconds".into(), json!(30));
            }
        }
        if t.res.kind == "Namespace"
            && let Some(o) = after.as_object_mut()
        {
            o.insert("status".into(), json!({"phase": "Terminating"}));
        }
        return Ok(w.put(idx, after));
    }
    let gone = w.remove(idx, &ns, name).unwrap_or(before);
    super::gc::orphans(&mut w);
    // A Status for what the server deletes at once, as kubectl reads it.
    Ok(if t.res.kind == "Pod" {
        gone
    } else {
        json!({
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
            "details": {"name": name, "group": t.res.group, "kind": t.res.plural, "uid": str_at(&gone, "/metadata/uid")},
        })
    })
}
