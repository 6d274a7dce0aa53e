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

impl Kube {
    /// `edit KIND/NAME`. With no YAML, the object to edit (without managedFields). With YAML,
    /// the object put back whole, its resourceVersion kept (a change made meanwhile is a
    /// conflict, said as such); with `dry_run`, what the server would keep beside the live one.
    pub(super) async fn edit(
        &self,
        target: &str,
        yaml: &str,
        dry_run: bool,
    ) -> Result<Outcome, Error> {
        use crate::model::action::Detail;
        let (kind, live) = self.any_object(target).await?;
        if yaml.is_empty() {
            return Ok(Outcome {
                summary: target.to_string(),
                detail: Some(Detail::Text(super::apply::shown_yaml(&live))),
            });
        }
        let value: serde_json::Value = serde_norway::from_str(yaml).map_err(|e| {
            let at = match e.location() {
                Some(l) => format!("{target}:{}", l.line()),
                None => target.to_string(),
            };
            Error::Refused(tr!("kube.bad_manifest", at = at, detail = e.to_string()))
        })?;
        let edited: DynamicObject = serde_json::from_value(value)
            .map_err(|e| Error::Refused(tr!("kube.bad_manifest", at = target, detail = e)))?;
        let rest = target.split_once('/').map(|(_, r)| r).unwrap_or(target);
        let (api, short) = self.object_api(&kind, rest);
        let params = kube::api::PostParams {
            dry_run,
            field_manager: Some("estiba".into()),
        };
        let after = match api.replace(short, &params, &edited).await {
            Ok(o) => o,
            Err(kube::Error::Api(s)) if s.code == 409 => {
                return Err(Error::Refused(tr!("kube.edit_conflict", what = target)));
            }
            Err(e) => return Err(kube_error(e)),
        };
        if !dry_run {
            return done(tr!("kube.edited", what = target));
        }
        let before = super::apply::shown_yaml(&live);
        let (lines, at) =
            super::diff::lines(target, Some(&before), &super::apply::shown_yaml(&after));
        let mut counts = [0usize; 3];
        counts[at] = 1;
        Ok(Outcome {
            summary: tr!(
                "kube.preview",
                create = counts[0],
                change = counts[1],
                same = counts[2]
            ),
            detail: Some(Detail::Text(lines.join("\n"))),
        })
    }
}
