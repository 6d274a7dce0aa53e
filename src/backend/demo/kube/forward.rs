//! `pods/NAME/portforward` in the demo: the WebSocket a real API server upgrades to (the
//! `v4.channel.k8s.io` framing: per port a data channel and an error channel, each opened with
//! its port number), and a pod that answers what it is sent with a small HTTP response naming
//! itself, so a forwarded address can be opened in a browser or with curl in class.

use super::store::{pod_index, str_at};
use super::{Body, Shared, empty, lock};
use futures::{SinkExt, StreamExt};
use http::{Response, StatusCode};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::{Message, Role};

const PROTOCOL: &str = "v4.channel.k8s.io";

/// Whether a request asks to upgrade to a WebSocket.
pub fn wants_upgrade(req: &http::Request<Incoming>) -> bool {
    req.headers()
        .get(http::header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

fn refused(code: StatusCode, message: &str) -> Response<Body> {
    super::full(
        code,
        &serde_json::json!({
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": "BadRequest", "code": code.as_u16(),
        }),
    )
}

/// Answers an upgrade: a port-forward to a running pod is accepted; anything else (exec,
/// attach) is refused as the demo's pods have no processes.
pub fn upgrade(world: &Shared, mut req: http::Request<Incoming>) -> Response<Body> {
    let path = req.uri().path().to_string();
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (ns, pod) = match parts.as_slice() {
        ["api", "v1", "namespaces", ns, "pods", pod, "portforward"] => (*ns, *pod),
        _ => {
            return refused(
                StatusCode::BAD_REQUEST,
                "the demo cluster's pods are simulated: they run no processes to attach to",
            );
        }
    };
    let port: u16 = form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "ports")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let running = lock(world)
        .get(pod_index(), ns, pod)
        .is_some_and(|p| str_at(p, "/status/phase") == "Running");
    if !running {
        return refused(
            StatusCode::BAD_REQUEST,
            &format!("unable to upgrade connection: pod {pod} is not running"),
        );
    }
    let offered = req
        .headers()
        .get(http::header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    if !offered.split(',').any(|p| p.trim() == PROTOCOL) {
        return refused(
            StatusCode::BAD_REQUEST,
            "no supported WebSocket subprotocol",
        );
    }
    let Some(key) = req.headers().get(http::header::SEC_WEBSOCKET_KEY).cloned() else {
        return refused(StatusCode::BAD_REQUEST, "missing Sec-WebSocket-Key");
    };
    let accept = tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes());
    let on_upgrade = hyper::upgrade::on(&mut req);
    let pod = pod.to_string();
    tokio::spawn(async move {
        if let Ok(io) = on_upgrade.await {
            let ws = WebSocketStream::from_raw_socket(TokioIo::new(io), Role::Server, None).await;
            serve(ws, port, &pod).await;
        }
    });
    Response::builder()
        .status(StatusCode::SWITCHING_PROTOCOLS)
        .header(http::header::UPGRADE, "websocket")
        .header(http::header::CONNECTION, "Upgrade")
        .header(http::header::SEC_WEBSOCKET_ACCEPT, accept)
        .header(http::header::SEC_WEBSOCKET_PROTOCOL, PROTOCOL)
        .body(empty())
        .unwrap_or_else(|_| Response::new(empty()))
}

/// What the pod says to whatever it is sent on `port`.
fn answer(pod: &str, port: u16) -> Vec<u8> {
    let text = format!("estiba demo: {pod} answers on port {port} (a simulated pod)\n");
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n\r\n{text}",
        text.len()
    )
    .into_bytes()
}

async fn serve<S>(mut ws: WebSocketStream<S>, port: u16, pod: &str)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let [lo, hi] = port.to_le_bytes();
    for channel in [0u8, 1] {
        if ws
            .send(Message::Binary(vec![channel, lo, hi].into()))
            .await
            .is_err()
        {
            return;
        }
    }
    let mut seen = Vec::new();
    while let Some(Ok(msg)) = ws.next().await {
        match msg {
            Message::Binary(b) if b.first() == Some(&0) && b.len() > 1 => {
                seen.extend_from_slice(&b[1..]);
                // A request's head is in: the pod answers it.
                if seen.windows(4).any(|w| w == b"\r\n\r\n") || !seen.starts_with(b"GET") {
                    seen.clear();
                    let mut out = vec![0u8];
                    out.extend(answer(pod, port));
                    if ws.send(Message::Binary(out.into())).await.is_err() {
                        return;
                    }
                }
            }
            Message::Close(_) => return,
            _ => {}
        }
    }
}
