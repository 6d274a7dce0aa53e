//! What the demo's pods do besides being listed: their containers' logs (written as the
//! cluster's clock runs, followed when asked), their use for `top` (metrics.k8s.io), eviction.

use super::make::Target;
use super::objects::Refusal;
use super::request::Call;
use super::resources::KINDS;
use super::store::{self, hash, node_index, pod_index, seconds, str_at};
use super::{Body, Shared, full, lock};
use bytes::Bytes;
use futures::StreamExt;
use http::{Response, StatusCode};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use serde_json::{Value, json};

/// The `i`-th line a container of `image` writes.
fn line(image: &str, container: &str, i: u64, pod: &str) -> String {
    let base = image
        .rsplit('/')
        .next()
        .unwrap_or(image)
        .split(':')
        .next()
        .unwrap_or(image);
    let ip = format!("10.244.0.{}", 1 + hash(pod) % 200);
    let n = hash(&format!("{pod}{i}"));
    match (base, i) {
        ("keycreator", 0) => "generating the key into /key/key".into(),
        ("keycreator", _) => "key written (/key/key, 32 bytes)".into(),
        ("creator", 0) => "creator: key read from /key/key".into(),
        ("creator", 1) => "creator: listening on :8000".into(),
        ("creator", _) => format!("{ip} POST /token 200 {}ms", 1 + n % 9),
        ("verifier", 0) => " * Serving Flask app 'verifier'".into(),
        ("verifier", 1) => " * Running on http://0.0.0.0:5000".into(),
        ("verifier", _) => format!(
            "{ip} - - \"GET /verify HTTP/1.1\" {} -",
            if n.is_multiple_of(7) { 401 } else { 200 }
        ),
        ("nginx" | "frontend", 0) => {
            "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok".into()
        }
        ("nginx" | "frontend", 1) => "start worker processes".into(),
        ("nginx" | "frontend", _) => format!(
            "{ip} - - \"GET / HTTP/1.1\" 200 {} \"-\" \"curl/8.5.0\"",
            600 + n % 50
        ),
        ("backend" | "api", 0) => format!("{container}: listening on :8080"),
        ("backend" | "api", _) => format!("{ip} GET /api/health 200 {}ms", 1 + n % 5),
        ("coredns", 0) => ".:53".into(),
        ("coredns", 1) => "CoreDNS-1.12.1".into(),
        ("coredns", _) => format!(
            "[INFO] {ip}:{} - \"A IN kubernetes.default.svc.cluster.local. udp\" NOERROR",
            30000 + n % 30000
        ),
        (_, 0) => format!("{container} started"),
        (_, _) => format!("{container}: ok ({} requests)", i * 3 + n % 3),
    }
}

/// Seconds between lines after the first two.
const EVERY: f64 = 6.0;

/// When the `i`-th line is written, for a container started at `start`.
fn at(start: f64, i: u64, pod: &str) -> f64 {
    match i {
        0 => start,
        1 => start + 0.4,
        _ => {
            start
                + 0.4
                + EVERY * (i - 1) as f64
                + (hash(&format!("{pod}{i}")) % 3000) as f64 / 1000.0
        }
    }
}

/// A container's start, its image, and the last moment it wrote (an init container ends).
fn container_of(pod: &Value, name: &str) -> Option<(f64, String, Option<f64>)> {
    for (list, statuses) in [
        ("/spec/containers", "/status/containerStatuses"),
        ("/spec/initContainers", "/status/initContainerStatuses"),
    ] {
        let Some(spec) = pod
            .pointer(list)
            .and_then(Value::as_array)
            .and_then(|cs| cs.iter().find(|c| str_at(c, "/name") == name))
        else {
            continue;
        };
        let status = pod
            .pointer(statuses)
            .and_then(Value::as_array)
            .and_then(|cs| cs.iter().find(|c| str_at(c, "/name") == name))?;
        let started = status
            .pointer("/state/running/startedAt")
            .or_else(|| status.pointer("/state/terminated/startedAt"))
            .and_then(Value::as_str)
            .and_then(seconds)?;
        let ended = status
            .pointer("/state/terminated/finishedAt")
            .and_then(Value::as_str)
            .and_then(seconds);
        return Some((started, str_at(spec, "/image").to_string(), ended));
    }
    None
}

fn stamp(t: f64) -> String {
    chrono::DateTime::from_timestamp(t as i64, ((t.fract()) * 1e9) as u32)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string())
        .unwrap_or_default()
}

fn text(t: f64, line: &str, timestamps: bool) -> Bytes {
    Bytes::from(if timestamps {
        format!("{} {line}\n", stamp(t))
    } else {
        format!("{line}\n")
    })
}

/// `pods/NAME/log`: the container's lines so far (`tailLines`, `sinceSeconds`), then, with
/// `follow`, each as it is written until the pod goes.
pub async fn log(world: &Shared, call: &Call, t: &Target) -> Response<Body> {
    let ns = t.ns.clone().unwrap_or_else(|| "default".into());
    let pod_name = t.name.clone().unwrap_or_default();
    let found = {
        let w = lock(world);
        w.get(pod_index(), &ns, &pod_name)
            .cloned()
            .map(|p| (p, w.clock.now()))
    };
    let Some((pod, now)) = found else {
        return full(
            StatusCode::NOT_FOUND,
            &Refusal::not_found(&KINDS[pod_index()], &pod_name).status(),
        );
    };
    let container = call
        .q("container")
        .map(str::to_string)
        .or_else(|| {
            pod.pointer("/spec/containers/0/name")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_default();
    let Some((start, image, ended)) = container_of(&pod, &container) else {
        let why = if pod
            .pointer("/spec/containers")
            .and_then(Value::as_array)
            .is_some_and(|cs| cs.iter().any(|c| str_at(c, "/name") == container))
        {
            format!(
                "container \"{container}\" in pod \"{pod_name}\" is waiting to start: ContainerCreating"
            )
        } else {
            format!("container {container} is not valid for pod {pod_name}")
        };
        return full(StatusCode::BAD_REQUEST, &Refusal::bad(why).status());
    };
    let timestamps = call.q("timestamps") == Some("true");
    let follow = call.q("follow") == Some("true");
    let since = call
        .q("sinceSeconds")
        .and_then(|s| s.parse::<f64>().ok())
        .map(|s| now - s);
    let until = ended.unwrap_or(now).min(now);
    let mut lines: Vec<(f64, String)> = (0..)
        .map(|i| (at(start, i, &pod_name), i))
        .take_while(|(t, i)| *t <= until && (ended.is_none() || *i < 2))
        .filter(|(t, _)| since.is_none_or(|s| *t >= s))
        .map(|(t, i)| (t, line(&image, &container, i, &pod_name)))
        .collect();
    if let Some(n) = call.q("tailLines").and_then(|n| n.parse::<usize>().ok()) {
        let skip = lines.len().saturating_sub(n);
        lines.drain(..skip);
    }
    let next = (0..)
        .find(|i| at(start, *i, &pod_name) > until)
        .unwrap_or(0);
    let head: Vec<Bytes> = lines.iter().map(|(t, l)| text(*t, l, timestamps)).collect();
    let head = futures::stream::iter(head);
    let stream = if follow && ended.is_none() {
        let world = world.clone();
        let more = futures::stream::unfold(next, move |i| {
            let world = world.clone();
            let (ns, pod_name, image, container) = (
                ns.clone(),
                pod_name.clone(),
                image.clone(),
                container.clone(),
            );
            async move {
                let when = at(start, i, &pod_name);
                loop {
                    let (now, there) = {
                        let w = lock(&world);
                        (w.clock.now(), w.get(pod_index(), &ns, &pod_name).is_some())
                    };
                    if !there {
                        return None;
                    }
                    if now >= when {
                        let l = text(when, &line(&image, &container, i, &pod_name), timestamps);
                        return Some((l, i + 1));
                    }
                    tokio::time::sleep(std::time::Duration::from_secs_f64(
                        (when - now).clamp(0.05, 1.0),
                    ))
                    .await;
                }
            }
        });
        head.chain(more).boxed()
    } else {
        head.boxed()
    };
    let body = StreamBody::new(stream.map(|b| Ok::<_, std::convert::Infallible>(Frame::data(b))));
    Response::builder()
        .status(StatusCode::OK)
        .header(http::header::CONTENT_TYPE, "text/plain")
        .body(BodyExt::boxed_unsync(body))
        .unwrap_or_else(|_| Response::new(super::empty()))
}

/// A use figure that moves with the clock, the same for the same pod and moment.
fn wave(key: &str, now: f64, base: f64, spread: f64) -> f64 {
    let h = hash(key);
    let phase = (h % 628) as f64 / 100.0;
    base * (1.0 + (h % 50) as f64 / 50.0) + spread * (0.5 + 0.5 * (now / 20.0 + phase).sin())
}

/// metrics.k8s.io: every running pod's containers and every node, as metrics-server reports.
pub fn metrics(world: &Shared, t: &Target) -> Response<Body> {
    let w = lock(world);
    let now = w.clock.now();
    let stamp_now = w.clock.stamp_now();
    let items: Vec<Value> = if t.res.kind == "PodMetrics" {
        w.list(pod_index(), t.ns.as_deref())
            .into_iter()
            .filter(|p| str_at(p, "/status/phase") == "Running")
            .map(|p| {
                let key = format!("{}/{}", store::namespace(p), store::name(p));
                let containers: Vec<Value> = p
                    .pointer("/spec/containers")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(|c| {
                        let k = format!("{key}/{}", str_at(c, "/name"));
                        json!({
                            "name": str_at(c, "/name"),
                            "usage": {
                                "cpu": format!("{}n", (wave(&k, now, 2.0e6, 8.0e6)) as u64),
                                "memory": format!("{}Ki", wave(&k, now, 12_000.0, 3_000.0) as u64),
                            },
                        })
                    })
                    .collect();
                json!({
                    "kind": "PodMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
                    "metadata": {"name": store::name(p), "namespace": store::namespace(p), "creationTimestamp": stamp_now, "labels": p.pointer("/metadata/labels")},
                    "timestamp": stamp_now, "window": "15.012s", "containers": containers,
                })
            })
            .collect()
    } else {
        w.list(node_index(), None)
            .into_iter()
            .map(|n| {
                let name = store::name(n);
                json!({
                    "kind": "NodeMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
                    "metadata": {"name": name, "creationTimestamp": stamp_now, "labels": n.pointer("/metadata/labels")},
                    "timestamp": stamp_now, "window": "20.041s",
                    "usage": {
                        "cpu": format!("{}n", wave(&name, now, 1.5e8, 1.0e8) as u64),
                        "memory": format!("{}Ki", wave(&name, now, 900_000.0, 200_000.0) as u64),
                    },
                })
            })
            .collect()
    };
    let kind = if t.res.kind == "PodMetrics" {
        "PodMetricsList"
    } else {
        "NodeMetricsList"
    };
    if let Some(name) = &t.name {
        return match items
            .into_iter()
            .find(|i| str_at(i, "/metadata/name") == name)
        {
            Some(i) => full(StatusCode::OK, &i),
            None => full(
                StatusCode::NOT_FOUND,
                &Refusal::not_found(t.res, name).status(),
            ),
        };
    }
    full(
        StatusCode::OK,
        &json!({"kind": kind, "apiVersion": "metrics.k8s.io/v1beta1", "metadata": {}, "items": items}),
    )
}

/// `pods/NAME/eviction`: the pod is deleted as a delete would (with its grace period).
pub fn evict(world: &Shared, t: &Target, name: &str) -> Result<Value, Refusal> {
    let ns = t.ns.clone().unwrap_or_else(|| "default".into());
    let mut w = lock(world);
    super::make::terminate(&mut w, &ns, name)
        .ok_or_else(|| Refusal::not_found(&KINDS[pod_index()], name))?;
    Ok(json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"}))
}
