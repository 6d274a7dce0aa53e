//! `docker push`, with progress. bollard's push stream does not carry the layer IDs, so progress
//! is counted in layers (as each is prepared and then pushed or found to exist) and bytes.

use super::Swarm;
use crate::backend::Error;
use crate::model::action::Outcome;
use crate::sanitize::one_line;
use crate::tr;
use bollard::query_parameters::PushImageOptions;
use futures::StreamExt;
use tokio::sync::mpsc;

/// `[█████░░░░░]` for `done` out of `total`.
pub fn bar(done: u64, total: u64, width: usize) -> String {
    let filled = (done.min(total) * width as u64)
        .checked_div(total)
        .unwrap_or(0) as usize;
    format!("[{}{}]", "█".repeat(filled), "░".repeat(width - filled))
}

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
        Error::Engine(one_line(message))
    }
}

pub async fn push(
    sw: &Swarm,
    image: &str,
    progress: &mpsc::Sender<String>,
) -> Result<Outcome, Error> {
    let registry = crate::backend::auth::registry_of(image);
    if sw.docker().inspect_image(image).await.is_err() {
        return Err(Error::NotFound {
            kind: "kind.local_image",
            name: image.to_string(),
            suggestion: sw.image_suggestion(image).await,
        });
    }
    let (repo, tag) = super::ops::split_tag(image);
    let creds = crate::backend::auth::credentials_for(image);
    let mut stream = sw.docker().push_image(
        &repo,
        Some(PushImageOptions {
            tag: Some(tag),
            platform: None,
        }),
        creds,
    );
    let (mut layers, mut finished, mut digest) = (0u64, 0u64, None);
    let mut last = String::new();
    while let Some(item) = stream.next().await {
        let info = match item {
            Ok(info) => info,
            Err(bollard::errors::Error::DockerStreamError { error }) => {
                return Err(classify(&error, &registry));
            }
            Err(e) => return Err(classify(&e.to_string(), &registry)),
        };
        if let Some(err) = info.error_detail.and_then(|e| e.message) {
            return Err(classify(&err, &registry));
        }
        let status = info.status.unwrap_or_default();
        match status.as_str() {
            "Preparing" => layers += 1,
            s if s == "Pushed" || s == "Layer already exists" || s.starts_with("Mounted from") => {
                finished += 1
            }
            s if s.contains("digest: sha256:") => {
                digest = s
                    .split_whitespace()
                    .find(|w| w.starts_with("sha256:"))
                    .map(str::to_string)
            }
            _ => {}
        }
        let bytes = info
            .progress_detail
            .and_then(|p| Some((p.current?, p.total?)))
            .filter(|(_, t)| *t > 0)
            .map(|(c, t)| {
                format!(
                    " · {}/{}",
                    crate::model::human_size(c as u64),
                    crate::model::human_size(t as u64)
                )
            })
            .unwrap_or_default();
        let line = tr!(
            "progress.push",
            image = image,
            bar = bar(finished, layers.max(1), 20),
            done = finished,
            total = layers,
            bytes = bytes
        );
        if line != last {
            let _ = progress.send(line.clone()).await;
            last = line;
        }
    }
    Ok(Outcome {
        summary: tr!("done.push", image = image, registry = registry),
        detail: digest,
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
