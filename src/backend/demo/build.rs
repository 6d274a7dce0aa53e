//! Building in the demo: the student's real context and Dockerfile are checked as for an engine
//! (`build::prepare`: a missing folder, a bad line or target is the same error), then each step
//! runs for a plausible while, a step built before comes from the cache, a `RUN false` (or
//! `exit N`) fails as the builder fails, and the image appears in the Images pane.

use super::Demo;
use crate::backend::Error;
use crate::build::{self, steps::Steps};
use crate::model::Image;
use crate::model::action::{BuildSpec, Outcome, Progress};
use crate::model::reference::split_tag;
use sha2::{Digest, Sha256};
use std::time::Duration;
use tokio::sync::mpsc;

/// The exit code a `RUN` asks for on purpose (`false`, `exit 3`), as a shell would give it.
fn fails(keyword: &str, args: &str) -> Option<i32> {
    if keyword != "RUN" {
        return None;
    }
    let last = args.split("&&").last()?.trim();
    match last.split_whitespace().collect::<Vec<_>>().as_slice() {
        ["false"] => Some(1),
        ["exit", n] => n.parse().ok().filter(|n| *n != 0),
        _ => None,
    }
}

impl Demo {
    pub(super) async fn build(
        &self,
        spec: &BuildSpec,
        progress: &mpsc::Sender<Progress>,
    ) -> Result<Outcome, Error> {
        let prepared = build::prepare(spec).map_err(|e| Error::Refused(e.to_string()))?;
        let started = std::time::Instant::now();
        let total = prepared.steps.len();
        let mut steps = Steps::new(&prepared.dockerfile.file, prepared.steps.clone());
        let mut chain = Sha256::new();
        for (n, step) in prepared.steps.iter().enumerate() {
            chain.update(format!("{} {}\n", step.keyword, step.args));
            let key = format!("{:x}", chain.clone().finalize());
            let cached = !spec.no_cache && self.with(|s| s.built.contains(&key)).unwrap_or(false);
            let mut text = format!("Step {}/{total} : {} {}\n", n + 1, step.keyword, step.args);
            if step.keyword == "FROM" || cached {
                text.push_str(if cached && step.keyword != "FROM" {
                    " ---> Using cache\n"
                } else {
                    ""
                });
            } else {
                text.push_str(" ---> Running in 4f3c2a1b9d8e\n");
            }
            self.send(&mut steps, &text, started, progress).await;
            if !cached && step.keyword != "FROM" {
                let pause = 150 + (key.as_bytes()[0] as u64 % 5) * 100;
                tokio::time::sleep(Duration::from_millis(pause)).await;
            }
            if let Some(code) = fails(&step.keyword, &step.args) {
                return Err(Error::Refused(steps.failure(&format!(
                    "The command '/bin/sh -c {}' returned a non-zero code: {code}",
                    step.args
                ))));
            }
            self.with(|s| s.built.insert(key.clone()));
            let id = &key[..12];
            self.send(&mut steps, &format!(" ---> {id}\n"), started, progress)
                .await;
        }
        let id = format!("sha256:{:x}", chain.finalize());
        self.send(
            &mut steps,
            &format!("Successfully built {}\n", &id[7..19]),
            started,
            progress,
        )
        .await;
        let now = crate::time::now();
        let layers = history(&prepared.steps);
        self.with(|s| {
            s.histories.insert(id.clone(), layers);
            for t in &spec.tags {
                let (repo, tag) = split_tag(t);
                s.images.retain(|i| !(i.repo == repo && i.tag == tag));
                s.images.push(Image {
                    id: id.clone(),
                    repo,
                    tag,
                    size: 12_000_000 + total as u64 * 3_100_000,
                    created: now,
                });
            }
            s.images
                .sort_by(|a, b| (&a.repo, &a.tag).cmp(&(&b.repo, &b.tag)));
        });
        let (root, ignore, at) = (prepared.root, prepared.ignore, prepared.at);
        let sent = tokio::task::spawn_blocking(move || {
            build::context::write(&root, &ignore, &at, std::io::sink())
        })
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or_default();
        Ok(steps.outcome(spec, &id, sent, started.elapsed().as_secs_f64()))
    }

    /// What made each layer of a local image, oldest first, as the engine's history says it.
    pub(crate) fn image_history(&self, image: &str) -> Result<Vec<String>, Error> {
        let (repo, tag) = split_tag(image);
        self.with(|s| {
            let i = s.images.iter().find(|i| i.repo == repo && i.tag == tag)?;
            Some(s.histories.get(&i.id).cloned().unwrap_or_else(base_layers))
        })
        .flatten()
        .ok_or_else(|| Error::Refused(crate::tr!("err.no_such_image", image = image)))
    }

    async fn send(
        &self,
        steps: &mut Steps,
        text: &str,
        started: std::time::Instant,
        progress: &mpsc::Sender<Progress>,
    ) {
        for p in steps.feed(text, started.elapsed().as_secs_f64()) {
            let _ = progress.send(p).await;
        }
    }
}

/// The layers of a base image the demo did not build (a busybox-like root).
fn base_layers() -> Vec<String> {
    vec![
        "/bin/sh -c #(nop) ADD file:7e9002edaafd4e4579b65c8f0aaabde1aeb7fd3f8d95579f7d65c6f1a5a3b5d4 in / "
            .to_string(),
        "/bin/sh -c #(nop)  CMD [\"sh\"]".to_string(),
    ]
}

/// The history the classic builder writes for a build's last stage, over its base's layers.
fn history(steps: &[crate::build::dockerfile::Instruction]) -> Vec<String> {
    let last = steps
        .iter()
        .rposition(|i| i.keyword == "FROM")
        .map_or(0, |f| f + 1);
    let mut layers = base_layers();
    for i in &steps[last..] {
        layers.push(match i.keyword.as_str() {
            "RUN" => format!("/bin/sh -c {}", i.args),
            "COPY" | "ADD" => {
                let dest = i.args.split_whitespace().last().unwrap_or("/");
                let sum = Sha256::digest(i.args.as_bytes());
                format!("/bin/sh -c #(nop) {} file:{sum:x} in {dest} ", i.keyword)
            }
            k => format!("/bin/sh -c #(nop)  {k} {}", i.args),
        });
    }
    layers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_that_asks_to_fail_fails() {
        assert_eq!(fails("RUN", "false"), Some(1));
        assert_eq!(fails("RUN", "make && exit 3"), Some(3));
        assert_eq!(fails("RUN", "exit 0"), None);
        assert_eq!(fails("CMD", "false"), None);
        assert_eq!(fails("RUN", "pip install flask"), None);
    }
}
