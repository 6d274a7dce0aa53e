//! Images on the engine: tag and remove (push is in `push.rs`).

use super::ops::done;
use super::{Swarm, engine_error};
use crate::backend::Error;
use crate::model::action::Outcome;
use crate::model::reference::split_tag;
use crate::tr;
use bollard::query_parameters::{RemoveImageOptions, TagImageOptions};

impl Swarm {
    pub(super) async fn tag(&self, source: &String, target: &str) -> Result<Outcome, Error> {
        if self.docker().inspect_image(source).await.is_err() {
            return Err(Error::NotFound {
                kind: "kind.image",
                name: source.clone(),
                suggestion: self.image_suggestion(source).await,
            });
        }
        let (repo, tag) = split_tag(target);
        self.docker()
            .tag_image(
                source,
                Some(TagImageOptions {
                    repo: Some(repo),
                    tag: Some(tag),
                }),
            )
            .await
            .map_err(engine_error)?;
        done(tr!("done.tag", source = source, target = target))
    }

    pub(super) async fn rmi(&self, image: &String) -> Result<Outcome, Error> {
        self.docker()
            .inspect_image(image)
            .await
            .map_err(|_| Error::NotFound {
                kind: "kind.image",
                name: image.clone(),
                suggestion: None,
            })?;
        self.docker()
            .remove_image(
                image,
                Some(RemoveImageOptions {
                    force: false,
                    noprune: false,
                    platforms: None,
                }),
                None,
            )
            .await
            .map_err(engine_error)?;
        done(tr!("done.rmi", image = image))
    }

    pub(super) async fn image_suggestion(&self, name: &str) -> Option<String> {
        let images = self.images().await.ok()?;
        let refs: Vec<String> = images
            .iter()
            .map(|i| format!("{}:{}", i.repo, i.tag))
            .collect();
        crate::suggest::closest(name, refs.iter().map(String::as_str))
    }
}
