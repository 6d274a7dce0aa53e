//! The demo Kubernetes cluster (`estiba --demo --kube`): an API server simulated in-process,
//! spoken to over HTTP as a real one is, so the Kubernetes backend drives it with the same
//! requests, watches and `Op`s as a real cluster. Objects are kept as JSON (`store`), the kinds
//! and discovery are a v1.34 server's (`resources`), the requests are served in `api`
//! (lists and watches in `watch`, tables in `tables`, logs and metrics in `pods`, a
//! port-forward's WebSocket in `forward`), and the
//! controllers (`controllers`, `status`) and the nodes (`lifecycle`) make Deployments roll
//! out with plausible delays and events. It is a demo, never a stand-in for testing against
//! a real API server.

mod api;
mod controllers;
mod events;
mod forward;
mod gc;
mod jobs;
mod lifecycle;
mod make;
mod managed;
mod objects;
mod pods;
mod request;
mod resources;
mod seed;
mod select;
mod status;
mod store;
mod tables;
mod watch;

use bytes::Bytes;
use http::{Response, StatusCode};
use http_body_util::{BodyExt, Full, combinators::UnsyncBoxBody};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use std::convert::Infallible;
use std::sync::{Arc, Mutex, MutexGuard};
use store::{Clock, World};

type Shared = Arc<Mutex<World>>;
type Body = UnsyncBoxBody<Bytes, Infallible>;

fn lock(w: &Shared) -> MutexGuard<'_, World> {
    match w.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

fn empty() -> Body {
    Full::new(Bytes::new()).boxed_unsync()
}

fn full(code: StatusCode, v: &Value) -> Response<Body> {
    let bytes = serde_json::to_vec(v).unwrap_or_default();
    Response::builder()
        .status(code)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(bytes)).boxed_unsync())
        .unwrap_or_else(|_| Response::new(empty()))
}

/// How long the base cluster has been up when the demo starts, and the labs' applications.
const CLUSTER_AGE: i64 = 3 * 86_400;
const APPS_AGE: i64 = 2 * 3_600;

/// The controllers' rounds until nothing changes (a frozen clock needs no waiting).
fn settle(w: &mut World) {
    for _ in 0..200 {
        if !controllers::reconcile(w) {
            break;
        }
    }
}

/// The demo Kubernetes cluster: its state, shared by the API server's connections and the
/// controllers' task.
#[derive(Clone)]
pub struct Cluster {
    world: Shared,
}

impl Cluster {
    fn build(now: i64, lab: Option<&str>, live: bool) -> Cluster {
        let mut w = World::new(Clock::frozen(now - CLUSTER_AGE));
        seed::base(&mut w);
        settle(&mut w);
        if lab.is_none_or(|l| !seed::is_kube_lab(l)) {
            w.clock = Clock::frozen(now - APPS_AGE);
            seed::labs(&mut w);
            settle(&mut w);
        }
        w.clock = if live {
            Clock::running(now)
        } else {
            Clock::frozen(now)
        };
        Cluster {
            world: Arc::new(Mutex::new(w)),
        }
    }

    /// The cluster for the console: its clock runs and its controllers work in a task of
    /// their own (from the runtime this is called in). With a Kubernetes lab, none of the
    /// lab's objects are there yet.
    pub fn live(now: i64, lab: Option<&str>) -> Cluster {
        let c = Cluster::build(now, lab, true);
        c.run_controllers();
        c
    }

    /// The cluster as it stands at `now`, every pod running, its clock stopped (render tests,
    /// snapshots); its controllers still answer changes, with no delays.
    pub fn at(now: i64, lab: Option<&str>) -> Cluster {
        let c = Cluster::build(now, lab, false);
        c.run_controllers();
        c
    }

    fn run_controllers(&self) {
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let weak = Arc::downgrade(&self.world);
        rt.spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_millis(200));
            loop {
                tick.tick().await;
                let Some(world) = weak.upgrade() else {
                    break;
                };
                let mut w = lock(&world);
                for _ in 0..20 {
                    if !controllers::reconcile(&mut w) {
                        break;
                    }
                }
            }
        });
    }

    /// A client of this cluster's API server: each connection is a pipe to the server in
    /// this process, spoken HTTP/1.1 (upgrades too) as to a real one.
    pub fn client(&self) -> kube::Client {
        let world = self.world.clone();
        let connect = tower::service_fn(move |req: http::Request<kube::client::Body>| {
            let world = world.clone();
            async move {
                let (near, far) = tokio::io::duplex(1 << 16);
                tokio::spawn(serve_connection(world, far));
                let (mut sender, conn) =
                    hyper::client::conn::http1::handshake(TokioIo::new(near)).await?;
                tokio::spawn(conn.with_upgrades());
                sender.send_request(req).await
            }
        });
        kube::Client::new(connect, "default")
    }
}

async fn serve_connection(world: Shared, io: tokio::io::DuplexStream) {
    let service = hyper::service::service_fn(move |req: http::Request<Incoming>| {
        let world = world.clone();
        async move { Ok::<_, Infallible>(handle(&world, req).await) }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(io), service)
        .with_upgrades()
        .await;
}

async fn handle(world: &Shared, req: http::Request<Incoming>) -> Response<Body> {
    if forward::wants_upgrade(&req) {
        return forward::upgrade(world, req);
    }
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let header = |h: http::header::HeaderName| {
        parts
            .headers
            .get(h)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let call = request::Call {
        method: parts.method.clone(),
        path: parts.uri.path().to_string(),
        query: form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect(),
        accept: header(http::header::ACCEPT),
        content_type: header(http::header::CONTENT_TYPE),
        agent: header(http::header::USER_AGENT),
        body,
    };
    api::serve(world, call).await
}

#[cfg(test)]
mod tests;
