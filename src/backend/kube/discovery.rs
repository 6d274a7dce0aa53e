//! Which kinds the API server serves, CRDs included: its aggregated discovery (two requests,
//! `/api` and `/apis`), kept per context and asked again when a word names no kind (a CRD made
//! since), as kubectl refreshes its cache.

use super::{Kube, kube_error};
use crate::backend::Error;
use crate::model::kube::{ApiKind, resolve};
use std::sync::Arc;

impl Kube {
    /// The kinds the server serves: the core group first, then the groups in the server's order,
    /// each at its preferred version. Subresources are left out.
    pub async fn kinds(&self) -> Result<Arc<Vec<ApiKind>>, Error> {
        if let Some(k) = self.read(|c| c.kinds.clone()) {
            return Ok(k);
        }
        self.discover().await
    }

    async fn discover(&self) -> Result<Arc<Vec<ApiKind>>, Error> {
        let client = self.client();
        let core = client
            .list_core_api_versions_aggregated()
            .await
            .map_err(kube_error)?;
        let groups = client
            .list_api_groups_aggregated()
            .await
            .map_err(kube_error)?;
        let mut kinds = Vec::new();
        for group in core.items.iter().chain(&groups.items) {
            let name = group
                .metadata
                .as_ref()
                .and_then(|m| m.name.clone())
                .unwrap_or_default();
            // The first version is the preferred one.
            let Some(version) = group.versions.first() else {
                continue;
            };
            for r in &version.resources {
                let (Some(plural), Some(kind)) = (
                    &r.resource,
                    r.response_kind.as_ref().and_then(|k| k.kind.clone()),
                ) else {
                    continue;
                };
                kinds.push(ApiKind {
                    group: name.clone(),
                    version: version.version.clone().unwrap_or_default(),
                    kind: kind.clone(),
                    plural: plural.clone(),
                    singular: r
                        .singular_resource
                        .clone()
                        .unwrap_or_else(|| kind.to_lowercase()),
                    namespaced: r.scope.as_deref() == Some("Namespaced"),
                    short_names: r.short_names.clone(),
                    verbs: r.verbs.clone(),
                });
            }
        }
        let kinds = Arc::new(kinds);
        if let Ok(mut c) = self.conn.write() {
            c.kinds = Some(kinds.clone());
        }
        Ok(kinds)
    }

    /// The kind `word` names (`deploy`, `crd`, `widgets.example.com`); when none does, the
    /// server is asked again once, then the closest name is suggested.
    pub async fn kind_named(&self, word: &str) -> Result<ApiKind, Error> {
        if let Some(k) = resolve(&self.kinds().await?, word) {
            return Ok(k.clone());
        }
        let kinds = self.discover().await?;
        if let Some(k) = resolve(&kinds, word) {
            return Ok(k.clone());
        }
        let names = kinds.iter().flat_map(|k| {
            std::iter::once(k.plural.as_str()).chain(k.short_names.iter().map(String::as_str))
        });
        Err(Error::NotFound {
            kind: "kind.resource",
            name: word.to_string(),
            suggestion: crate::suggest::closest(word, names),
        })
    }
}
