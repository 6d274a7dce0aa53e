//! Lists (paged with limit and continue) and watches (from a resourceVersion, the kept changes
//! first, then as they happen), filtered by namespace and selectors, as JSON or as tables.

use super::make::Target;
use super::objects::Refusal;
use super::request::Call;
use super::select::Selector;
use super::store::{self, Change};
use super::{Body, Shared, lock};
use bytes::Bytes;
use futures::StreamExt;
use http::{Response, StatusCode};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use serde_json::{Value, json};

fn selector(call: &Call) -> Result<Selector, Refusal> {
    Selector::parse(call.q("labelSelector"), call.q("fieldSelector")).map_err(Refusal::bad)
}

pub fn list(world: &Shared, call: &Call, t: &Target) -> Result<Value, Refusal> {
    let sel = selector(call)?;
    let w = lock(world);
    let idx = store::index(t.res);
    let all: Vec<&Value> = w
        .list(idx, t.ns.as_deref().filter(|_| t.res.namespaced))
        .into_iter()
        .filter(|o| sel.matches(o))
        .collect();
    let from: usize = call.q("continue").and_then(|c| c.parse().ok()).unwrap_or(0);
    let limit: usize = call
        .q("limit")
        .and_then(|l| l.parse().ok())
        .filter(|l| *l > 0)
        .unwrap_or(usize::MAX);
    let page: Vec<&Value> = all.iter().skip(from).take(limit).copied().collect();
    let more = from.saturating_add(page.len()) < all.len();
    let rv = w.rv().to_string();
    let mut meta = json!({"resourceVersion": rv});
    if more && let Some(m) = meta.as_object_mut() {
        m.insert("continue".into(), json!((from + page.len()).to_string()));
        m.insert(
            "remainingItemCount".into(),
            json!(all.len() - from - page.len()),
        );
    }
    if call.table() {
        let mut t = super::tables::table(t.res, &page, w.rv(), w.clock.now(), true);
        if let Some(o) = t.as_object_mut() {
            o.insert("metadata".into(), meta);
        }
        return Ok(t);
    }
    let items: Vec<Value> = page.into_iter().cloned().collect();
    Ok(json!({
        "kind": format!("{}List", t.res.kind),
        "apiVersion": t.res.api_version(),
        "metadata": meta,
        "items": items,
    }))
}

/// What a watch sends of one change, or nothing when the change is not its.
struct Filter {
    res: usize,
    kind: &'static super::resources::Res,
    ns: Option<String>,
    sel: Selector,
    table: bool,
    world: Shared,
}

impl Filter {
    fn line(&self, c: &Change, first: &mut bool) -> Option<Bytes> {
        if c.res != self.res {
            return None;
        }
        if let Some(ns) = &self.ns
            && store::namespace(&c.object) != *ns
        {
            return None;
        }
        if !self.sel.matches(&c.object) {
            return None;
        }
        let object = if self.table {
            let now = lock(&self.world).clock.now();
            let t = super::tables::table(self.kind, &[&c.object], c.rv, now, *first);
            *first = false;
            t
        } else {
            c.object.clone()
        };
        let mut line = serde_json::to_vec(&json!({"type": c.verb, "object": object})).ok()?;
        line.push(b'\n');
        Some(Bytes::from(line))
    }
}

fn expired(rv: u64) -> Bytes {
    let status = json!({
        "type": "ERROR",
        "object": {
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": format!("too old resource version: {rv}"), "reason": "Expired", "code": 410,
        },
    });
    let mut line = serde_json::to_vec(&status).unwrap_or_default();
    line.push(b'\n');
    Bytes::from(line)
}

pub fn watch(world: &Shared, call: &Call, t: &Target) -> Response<Body> {
    let sel = match selector(call) {
        Ok(s) => s,
        Err(r) => return super::full(StatusCode::BAD_REQUEST, &r.status()),
    };
    let filter = Filter {
        res: store::index(t.res),
        kind: t.res,
        ns: t.ns.clone().filter(|_| t.res.namespaced),
        sel,
        table: call.table(),
        world: world.clone(),
    };
    let timeout = call
        .q("timeoutSeconds")
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(1800)
        .min(1800);
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(timeout);
    let (first_lines, gone, rx) = {
        let w = lock(world);
        let from = call
            .q("resourceVersion")
            .and_then(|v| v.parse::<u64>().ok());
        let mut first = true;
        let mut gone = false;
        let lines: Vec<Bytes> = match from {
            // No version: what there is now, as ADDED, then the changes.
            None | Some(0) => w
                .list(filter.res, filter.ns.as_deref())
                .into_iter()
                .filter_map(|o| {
                    let c = Change {
                        rv: w.rv(),
                        res: filter.res,
                        verb: "ADDED",
                        object: o.clone(),
                    };
                    filter.line(&c, &mut first)
                })
                .collect(),
            Some(rv) => match w.since(filter.res, rv) {
                Some(changes) => changes
                    .iter()
                    .filter_map(|c| filter.line(c, &mut first))
                    .collect(),
                None => {
                    gone = true;
                    vec![expired(rv)]
                }
            },
        };
        (lines, gone, w.subscribe())
    };
    let first_sent = !first_lines.is_empty();
    let head = futures::stream::iter(first_lines);
    let live = futures::stream::unfold(
        (rx, filter, first_sent),
        move |(mut rx, filter, mut sent)| async move {
            loop {
                let got = tokio::time::timeout_at(deadline, rx.recv()).await;
                match got {
                    Ok(Ok(change)) => {
                        let mut first = !sent;
                        if let Some(line) = filter.line(&change, &mut first) {
                            sent = true;
                            return Some((line, (rx, filter, sent)));
                        }
                    }
                    // Behind (or the timeout): the watch ends, and the client watches again from
                    // the last version it saw, as after any watch's end.
                    _ => return None,
                }
            }
        },
    );
    let lines = if gone {
        head.boxed()
    } else {
        head.chain(live).boxed()
    };
    let body = StreamBody::new(lines.map(|b| Ok::<_, std::convert::Infallible>(Frame::data(b))));
    Response::builder()
        .status(StatusCode::OK)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(BodyExt::boxed_unsync(body))
        .unwrap_or_else(|_| Response::new(super::empty()))
}
