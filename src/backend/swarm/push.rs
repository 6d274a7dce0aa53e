//! `docker push`, with progress overall and per layer. bollard's push stream drops the layer IDs,
//! so the stream is read raw from the engine's socket; on TLS endpoints bollard's is used and
//! layers are counted rather than named.

use super::Swarm;
use crate::backend::Error;
use crate::model::action::{Outcome, Progress, bar};
use crate::sanitize::one_line;
use crate::tr;
use bollard::query_parameters::PushImageOptions;
use futures::StreamExt;
use tokio::sync::mpsc;

/// What a registry's refusal means, in words a student can act on.
fn classify(message: &str, registry: &str) -> Error {
    let m = message.to_lowercase();
    if m.contains("unauthorized")
        || m.contains("authentication required")
        || m.contains("no basic auth")
        || m.contains("denied")
    {
        Error::Refused(tr!("err.push_auth", registry = registry))
    } else if m.contains("no such host")
        || m.contains("connection refused")
        || m.contains("dial tcp")
        || m.contains("timeout")
        || m.contains("server gave http response")
    {
        Error::Refused(tr!(
            "err.push_registry",
            registry = registry,
            detail = one_line(message)
        ))
    } else {
        Error::engine(one_line(message))
    }
}

/// One message of the engine's push stream.
#[derive(Debug, Default, PartialEq)]
struct Message {
    id: Option<String>,
    status: String,
    current: Option<u64>,
    total: Option<u64>,
    error: Option<String>,
}

impl Message {
    fn from_json(v: &serde_json::Value) -> Message {
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
        let detail = |k: &str| v.get("progressDetail").and_then(|d| d.get(k)?.as_u64());
        Message {
            id: s("id"),
            status: s("status").unwrap_or_default(),
            current: detail("current"),
            total: detail("total"),
            error: v
                .get("errorDetail")
                .and_then(|e| e.get("message")?.as_str())
                .map(str::to_string)
                .or_else(|| s("error")),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Stage {
    Preparing,
    Waiting,
    Pushing,
    Retrying,
    Pushed,
    Exists,
    Mounted,
}

impl Stage {
    fn of(status: &str) -> Option<Stage> {
        Some(match status {
            "Preparing" => Stage::Preparing,
            "Waiting" => Stage::Waiting,
            "Pushing" => Stage::Pushing,
            "Pushed" => Stage::Pushed,
            "Layer already exists" => Stage::Exists,
            s if s.starts_with("Mounted from") => Stage::Mounted,
            s if s.starts_with("Retrying") => Stage::Retrying,
            _ => return None,
        })
    }

    fn finished(self) -> bool {
        matches!(self, Stage::Pushed | Stage::Exists | Stage::Mounted)
    }

    fn word(self) -> &'static str {
        crate::i18n::text(match self {
            Stage::Preparing => "push.preparing",
            Stage::Waiting => "push.waiting",
            Stage::Pushing => "push.pushing",
            Stage::Retrying => "push.retrying",
            Stage::Pushed => "push.pushed",
            Stage::Exists => "push.exists",
            Stage::Mounted => "push.mounted",
        })
    }
}

struct Layer {
    id: Option<String>,
    stage: Stage,
    current: u64,
    total: u64,
}

/// What the push stream has said so far: each layer's stage and bytes, and the digest at the end.
#[derive(Default)]
struct Tracker {
    layers: Vec<Layer>,
    digest: Option<String>,
}

impl Tracker {
    /// Takes one message; true when a layer changed stage (worth showing at once).
    fn apply(&mut self, m: &Message) -> bool {
        if let Some(d) = m
            .status
            .split_whitespace()
            .find(|w| w.starts_with("sha256:"))
        {
            self.digest = Some(d.to_string());
            return true;
        }
        let Some(stage) = Stage::of(&m.status) else {
            return false;
        };
        let index = match &m.id {
            Some(id) => self.layers.iter().position(|l| l.id.as_ref() == Some(id)),
            // Without IDs (bollard's stream) a layer is counted when it starts and when one ends.
            None if stage == Stage::Preparing => None,
            None => self.layers.iter().position(|l| !l.stage.finished()),
        };
        let (index, new) = match index {
            Some(i) => (i, false),
            None => {
                self.layers.push(Layer {
                    id: m.id.clone(),
                    stage,
                    current: 0,
                    total: 0,
                });
                (self.layers.len() - 1, true)
            }
        };
        let layer = &mut self.layers[index];
        let changed = new || layer.stage != stage;
        layer.stage = stage;
        if let (Some(c), Some(t)) = (m.current, m.total.filter(|t| *t > 0)) {
            layer.current = c;
            layer.total = t;
        }
        if stage.finished() && layer.total > 0 {
            layer.current = layer.total;
        }
        changed
    }

    /// The overall line, then a line a layer when the stream names them.
    fn render(&self, image: &str) -> String {
        let done = self.layers.iter().filter(|l| l.stage.finished()).count() as u64;
        let total = self.layers.len() as u64;
        let (cur, all) = self
            .layers
            .iter()
            .fold((0, 0), |(c, t), l| (c + l.current, t + l.total));
        let bytes = if all > 0 {
            format!(
                " · {}/{}",
                crate::model::human_size(cur),
                crate::model::human_size(all)
            )
        } else {
            String::new()
        };
        let mut out = tr!(
            "progress.push",
            image = image,
            bar = bar(done, total.max(1), 20),
            done = done,
            total = total,
            bytes = bytes
        );
        for l in &self.layers {
            let Some(id) = &l.id else { continue };
            let (c, t) = if l.stage.finished() && l.total == 0 {
                (1, 1)
            } else {
                (l.current, l.total)
            };
            let size = if l.total > 0 {
                format!(
                    " {}/{}",
                    crate::model::human_size(l.current),
                    crate::model::human_size(l.total)
                )
            } else {
                String::new()
            };
            out.push_str(&format!(
                "\n  {id:<12} {} {}{size}",
                bar(c, t, 12),
                l.stage.word()
            ));
        }
        out
    }
}

type Messages = std::pin::Pin<Box<dyn futures::Stream<Item = Result<Message, String>> + Send>>;

/// The engine's push stream as it is sent, layer IDs included. `None` on TLS endpoints.
async fn raw_stream(
    sw: &Swarm,
    repo: &str,
    tag: &str,
    creds: &Option<bollard::auth::DockerCredentials>,
) -> Option<Result<Messages, Error>> {
    use base64::Engine as _;
    let auth = serde_json::to_vec(creds.as_ref().unwrap_or(&Default::default())).ok()?;
    let auth = base64::engine::general_purpose::URL_SAFE.encode(auth);
    let path = format!("/images/{repo}/push?tag={tag}");
    let response = match super::raw::request(
        &sw.wire(),
        "POST",
        &path,
        &[("X-Registry-Auth", &auth)],
    )
    .await?
    {
        Ok(r) => r,
        Err(e) => return Some(Err(Error::engine(one_line(&e.to_string())))),
    };
    if response.status != 200 {
        let text = response.text().await.unwrap_or_default();
        let message = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v.get("message")?.as_str().map(str::to_string))
            .unwrap_or(text);
        return Some(Err(Error::engine(one_line(&message))));
    }
    let lines = futures::stream::unfold(response, |mut r| async move {
        loop {
            match r.next_line().await {
                Ok(Some(line)) if line.is_empty() => continue,
                Ok(Some(line)) => {
                    let item = serde_json::from_str::<serde_json::Value>(&line)
                        .map(|v| Message::from_json(&v))
                        .map_err(|e| e.to_string());
                    return Some((item, r));
                }
                Ok(None) => return None,
                Err(e) => return Some((Err(e.to_string()), r)),
            }
        }
    });
    Some(Ok(Box::pin(lines)))
}

/// bollard's push stream, which has no layer IDs: progress is then counted, not named.
fn bollard_stream(
    sw: &Swarm,
    repo: &str,
    tag: &str,
    creds: Option<bollard::auth::DockerCredentials>,
) -> Messages {
    let stream = sw.docker().push_image(
        repo,
        Some(PushImageOptions {
            tag: Some(tag.to_string()),
            platform: None,
        }),
        creds,
    );
    Box::pin(stream.map(|item| {
        match item {
            Ok(info) => Ok(Message {
                id: None,
                status: info.status.unwrap_or_default(),
                current: info
                    .progress_detail
                    .as_ref()
                    .and_then(|p| p.current)
                    .map(|c| c.max(0) as u64),
                total: info
                    .progress_detail
                    .as_ref()
                    .and_then(|p| p.total)
                    .map(|t| t.max(0) as u64),
                error: info.error_detail.and_then(|e| e.message),
            }),
            Err(bollard::errors::Error::DockerStreamError { error }) => Err(error),
            Err(e) => Err(e.to_string()),
        }
    }))
}

pub async fn push(
    sw: &Swarm,
    image: &str,
    progress: &mpsc::Sender<crate::model::action::Progress>,
) -> Result<Outcome, Error> {
    let registry = crate::backend::auth::registry_of(image);
    if sw.docker().inspect_image(image).await.is_err() {
        return Err(Error::NotFound {
            kind: "kind.local_image",
            name: image.to_string(),
            suggestion: sw.image_suggestion(image).await,
        });
    }
    let (repo, tag) = crate::model::reference::split_tag(image);
    let creds = crate::backend::auth::credentials_for(image);
    let mut stream = match raw_stream(sw, &repo, &tag, &creds).await {
        Some(Ok(s)) => s,
        Some(Err(Error::Engine { cause: m, .. })) => return Err(classify(&m, &registry)),
        Some(Err(e)) => return Err(e),
        None => bollard_stream(sw, &repo, &tag, creds),
    };
    let mut tracker = Tracker::default();
    let mut shown = (String::new(), std::time::Instant::now());
    while let Some(item) = stream.next().await {
        let m = item.map_err(|e| classify(&e, &registry))?;
        if let Some(e) = &m.error {
            return Err(classify(e, &registry));
        }
        let urgent = tracker.apply(&m);
        // Byte counts arrive many times a second: show them at most ten times a second.
        if urgent || shown.1.elapsed() >= std::time::Duration::from_millis(100) {
            let text = tracker.render(image);
            if text != shown.0 {
                let _ = progress
                    .send(Progress::Live {
                        text: text.clone(),
                        minor: !urgent,
                    })
                    .await;
                shown = (text, std::time::Instant::now());
            }
        }
    }
    let text = tracker.render(image);
    if text != shown.0 {
        let _ = progress
            .send(Progress::Live {
                text: text.clone(),
                minor: false,
            })
            .await;
    }
    Ok(Outcome {
        summary: tr!("done.push", image = image, registry = registry),
        detail: tracker.digest.map(crate::model::action::Detail::Text),
    })
}

/// Whether the registry holds `image`: the engine's distribution lookup, with the credentials
/// the docker config has for it.
pub async fn in_registry(sw: &Swarm, image: &str) -> Result<(), Error> {
    let registry = crate::backend::auth::registry_of(image);
    let creds = crate::backend::auth::credentials_for(image);
    sw.docker()
        .inspect_registry_image(image, creds)
        .await
        .map(|_| ())
        .map_err(|e| {
            let m = e.to_string();
            let l = m.to_lowercase();
            if l.contains("manifest unknown") || l.contains("not found") || l.contains("404") {
                Error::Refused(tr!(
                    "err.not_in_registry",
                    image = image,
                    registry = registry
                ))
            } else {
                classify(&m, &registry)
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_fill_in_proportion() {
        assert_eq!(bar(0, 4, 4), "[░░░░]");
        assert_eq!(bar(2, 4, 4), "[██░░]");
        assert_eq!(bar(9, 4, 4), "[████]");
        assert_eq!(bar(1, 0, 2), "[░░]");
    }

    fn msg(id: &str, status: &str, progress: Option<(u64, u64)>) -> Message {
        Message {
            id: (!id.is_empty()).then(|| id.to_string()),
            status: status.to_string(),
            current: progress.map(|p| p.0),
            total: progress.map(|p| p.1),
            error: None,
        }
    }

    #[test]
    fn the_raw_stream_is_read_as_the_engine_writes_it() {
        let v = serde_json::json!({"status":"Pushing","progressDetail":{"current":512,"total":2048},"progress":"[==>  ]","id":"3f2a9c1d0b7e"});
        assert_eq!(
            Message::from_json(&v),
            msg("3f2a9c1d0b7e", "Pushing", Some((512, 2048)))
        );
        let v = serde_json::json!({"errorDetail":{"message":"unauthorized: authentication required"},"error":"unauthorized"});
        assert_eq!(
            Message::from_json(&v).error.as_deref(),
            Some("unauthorized: authentication required")
        );
    }

    #[test]
    fn each_layer_gets_its_bar_and_the_total_adds_up() {
        let mut t = Tracker::default();
        assert!(!t.apply(&msg("", "The push refers to repository [r:5000/a]", None)));
        assert!(t.apply(&msg("aaaaaaaaaaaa", "Preparing", None)));
        assert!(t.apply(&msg("bbbbbbbbbbbb", "Preparing", None)));
        assert!(t.apply(&msg("aaaaaaaaaaaa", "Pushing", Some((50, 100)))));
        assert!(!t.apply(&msg("aaaaaaaaaaaa", "Pushing", Some((75, 100)))));
        assert!(t.apply(&msg("bbbbbbbbbbbb", "Layer already exists", None)));
        let text = t.render("r:5000/a:latest");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].contains("1/2"), "{text}");
        assert!(
            lines[1].contains("aaaaaaaaaaaa") && lines[1].contains("75B/100B"),
            "{text}"
        );
        assert!(lines[1].contains("pushing"), "{text}");
        assert!(
            lines[2].contains("bbbbbbbbbbbb") && lines[2].contains("[████████████]"),
            "{text}"
        );
        t.apply(&msg("aaaaaaaaaaaa", "Pushed", None));
        t.apply(&msg("", "latest: digest: sha256:abc size: 528", None));
        assert_eq!(t.digest.as_deref(), Some("sha256:abc"));
        assert!(t.render("x").lines().next().unwrap().contains("2/2"));
    }

    #[test]
    fn without_ids_layers_are_counted() {
        let mut t = Tracker::default();
        for _ in 0..3 {
            t.apply(&msg("", "Preparing", None));
        }
        t.apply(&msg("", "Pushed", None));
        t.apply(&msg("", "Layer already exists", None));
        let text = t.render("x");
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(text.contains("2/3"), "{text}");
    }

    #[test]
    fn refusals_are_explained() {
        assert!(
            matches!(classify("unauthorized: authentication required", "r:5000"), Error::Refused(m) if m.contains("r:5000"))
        );
        assert!(matches!(
            classify("dial tcp 127.0.0.1:1: connect: connection refused", "r:1"),
            Error::Refused(_)
        ));
    }
}
