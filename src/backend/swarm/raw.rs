//! Plain HTTP/1.0 to the engine, for the two places where bollard's types lose what estiba needs:
//! a service's `Healthcheck` (bollard reads `HealthCheck`) and the layer IDs of a push stream.
//! Works on unix sockets and plain `tcp://` endpoints; on TLS endpoints callers fall back to bollard.

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};

pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// A connection to the engine, or `None` when the endpoint needs TLS (or cannot be reached).
async fn connect(endpoint: &str) -> Option<Box<dyn Io>> {
    if let Some(path) = endpoint.strip_prefix("unix://") {
        return Some(Box::new(tokio::net::UnixStream::connect(path).await.ok()?));
    }
    let addr = endpoint
        .strip_prefix("tcp://")
        .or_else(|| endpoint.strip_prefix("http://"))?;
    Some(Box::new(
        tokio::net::TcpStream::connect(addr.trim_end_matches('/'))
            .await
            .ok()?,
    ))
}

/// A response whose body is still to be read, line by line.
pub struct Response {
    pub status: u16,
    pub body: BufReader<Box<dyn Io>>,
}

/// Sends one request and reads the status line and headers. `None` when the endpoint cannot be
/// used this way; `Some(Err)` when it could but the exchange failed.
pub async fn request(
    endpoint: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> Option<std::io::Result<Response>> {
    let mut io = connect(endpoint).await?;
    Some(
        async {
            let mut head = format!("{method} {path} HTTP/1.0\r\nHost: docker\r\n");
            for (k, v) in headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str("Content-Length: 0\r\n\r\n");
            io.write_all(head.as_bytes()).await?;
            let mut body = BufReader::new(io);
            let mut line = String::new();
            body.read_line(&mut line).await?;
            let status = line
                .split_whitespace()
                .nth(1)
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
            loop {
                line.clear();
                if body.read_line(&mut line).await? == 0 || line.trim_end().is_empty() {
                    break;
                }
            }
            Ok(Response { status, body })
        }
        .await,
    )
}

impl Response {
    /// The next line of the body, without its line ending; `None` at the end.
    pub async fn next_line(&mut self) -> std::io::Result<Option<String>> {
        let mut line = String::new();
        if self.body.read_line(&mut line).await? == 0 {
            return Ok(None);
        }
        Ok(Some(line.trim_end().to_string()))
    }

    /// The whole remaining body.
    pub async fn text(mut self) -> std::io::Result<String> {
        let mut out = String::new();
        tokio::io::AsyncReadExt::read_to_string(&mut self.body, &mut out).await?;
        Ok(out)
    }
}

/// GET returning JSON, within ten seconds.
pub async fn get_json(endpoint: &str, path: &str) -> Option<serde_json::Value> {
    let fetch = async {
        let r = request(endpoint, "GET", path, &[]).await?.ok()?;
        (r.status == 200).then_some(())?;
        serde_json::from_str(&r.text().await.ok()?).ok()
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), fetch)
        .await
        .ok()?
}
