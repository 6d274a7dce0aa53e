//! Any kind the server serves, by the word the user gave it (`widgets`, `crd`, `sts`): its
//! objects inspected, deleted, edited. Names come as `NAME` (the namespace looked at) or
//! `NAMESPACE/NAME` (a row of every namespace).

use super::ops::done;
use super::{Kube, kube_error};
use crate::backend::Error;
use crate::model::action::Outcome;
use crate::model::inspect::{Inspected, Kind};
use crate::model::kube::ApiKind;
use crate::tr;
use kube::api::{Api, DeleteParams, DynamicObject};
use kube::core::ApiResource;

/// kube's description of a discovered kind.
pub(super) fn resource_of(kind: &ApiKind) -> ApiResource {
    ApiResource {
        group: kind.group.clone(),
        version: kind.version.clone(),
        api_version: kind.api_version(),
        kind: kind.kind.clone(),
        plural: kind.plural.clone(),
    }
}

impl Kube {
    /// The API of `kind`'s objects in the namespace `name` names (`dev/w1`), else the one
    /// looked at; the name without its namespace.
    pub(super) fn object_api<'n>(
        &self,
        kind: &ApiKind,
        name: &'n str,
    ) -> (Api<DynamicObject>, &'n str) {
        let ar = resource_of(kind);
        if !kind.namespaced {
            return (Api::all_with(self.client(), &ar), name);
        }
        let (ns, short) = match name.split_once('/') {
            Some((ns, n)) => (ns.to_string(), n),
            None => (self.namespace_for_new(), name),
        };
        (Api::namespaced_with(self.client(), &ns, &ar), short)
    }

    /// One object of any kind, read: `KIND/NAME` or `KIND/NAMESPACE/NAME`.
    pub(super) async fn any_object(&self, target: &str) -> Result<(ApiKind, DynamicObject), Error> {
        let (word, name) = target
            .split_once('/')
            .ok_or_else(|| Error::Refused(tr!("kube.kind_name", target = target)))?;
        let kind = self.kind_named(word).await?;
        let (api, short) = self.object_api(&kind, name);
        match api.get_opt(short).await {
            Ok(Some(o)) => Ok((kind, o)),
            Ok(None) => Err(Error::NotFound {
                kind: "kind.object",
                name: format!("{}/{name}", kind.singular),
                suggestion: None,
            }),
            Err(e) => Err(kube_error(e)),
        }
    }

    /// `inspect KIND NAME` for a kind found through discovery.
    pub(super) async fn inspect_object(
        &self,
        target: &str,
        show_secrets: bool,
    ) -> Result<Inspected, Error> {
        let (kind, found) = self.any_object(target).await?;
        let mut out = self
            .shown(found, Kind::Object, &kind.kind, show_secrets)
            .await?;
        out.name = format!("{}/{}", kind.singular, out.name);
        Ok(out)
    }

    /// `delete KIND/NAME` for any kind (namespaces and other cluster-wide kinds included).
    pub(super) async fn delete(&self, word: &str, name: &str) -> Result<Outcome, Error> {
        let kind = self.kind_named(word).await?;
        let (api, short) = self.object_api(&kind, name);
        match api.delete(short, &DeleteParams::default()).await {
            Ok(_) => done(tr!("kube.deleted", kind = kind.singular, name = short)),
            Err(kube::Error::Api(s)) if s.code == 404 => Err(Error::NotFound {
                kind: "kind.object",
                name: format!("{}/{name}", kind.singular),
                suggestion: None,
            }),
            Err(e) => Err(kube_error(e)),
        }
    }
}
