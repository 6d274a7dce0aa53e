//! `inspect` on Kubernetes: the object as the API server returns it (without managedFields, as
//! `kubectl get -o yaml` shows it), a pod's container states and events, a Secret's keys only.

use super::{Kube, kube_error};
use crate::backend::Error;
use crate::model::inspect::{Inspected, Kind, MASK, mask};
use crate::tr;
use k8s_openapi::api::core::v1::Event as KEvent;
use kube::api::{Api, DynamicObject, ListParams};
use kube::core::{ApiResource, GroupVersionKind};
use serde_json::Value;

/// The kinds looked for when only a name is given, in this order.
const ORDER: [Kind; 7] = [
    Kind::Deployment,
    Kind::Pod,
    Kind::Service,
    Kind::ConfigMap,
    Kind::Secret,
    Kind::Node,
    Kind::Namespace,
];

/// The API resource of a kind, and whether it lives in a namespace.
fn resource(kind: Kind) -> Option<(ApiResource, bool)> {
    let (g, v, k, namespaced) = match kind {
        Kind::Deployment => ("apps", "v1", "Deployment", true),
        Kind::Pod | Kind::Task => ("", "v1", "Pod", true),
        Kind::Service => ("", "v1", "Service", true),
        Kind::ConfigMap | Kind::Config => ("", "v1", "ConfigMap", true),
        Kind::Secret => ("", "v1", "Secret", true),
        Kind::Node => ("", "v1", "Node", false),
        Kind::Namespace => ("", "v1", "Namespace", false),
        Kind::Image | Kind::Network | Kind::Volume | Kind::Object => return None,
    };
    Some((
        ApiResource::from_gvk(&GroupVersionKind::gvk(g, v, k)),
        namespaced,
    ))
}

impl Kube {
    pub(super) async fn inspect(
        &self,
        kind: Option<Kind>,
        name: &str,
        show_secrets: bool,
    ) -> Result<Inspected, Error> {
        let kinds: Vec<Kind> = match kind {
            Some(Kind::Object) => return self.inspect_object(name, show_secrets).await,
            Some(k) if resource(k).is_some() => vec![k],
            Some(k) => {
                return Err(Error::Refused(tr!(
                    "inspect.kind_not_here",
                    kind = k.word()
                )));
            }
            None => ORDER.to_vec(),
        };
        // `namespace/name` names an object in another namespace than the one looked at.
        let (ns, short) = match name.split_once('/') {
            Some((ns, n)) => (ns.to_string(), n),
            None => (self.namespace_for_new(), name),
        };
        for k in kinds {
            let Some((ar, namespaced)) = resource(k) else {
                continue;
            };
            let api: Api<DynamicObject> = if namespaced {
                Api::namespaced_with(self.client(), &ns, &ar)
            } else {
                Api::all_with(self.client(), &ar)
            };
            let found = match api.get_opt(short).await {
                Ok(Some(o)) => o,
                Ok(None) => continue,
                // A kind the user may not read is not where the name is, unless it was asked.
                Err(kube::Error::Api(s)) if s.code == 403 && kind.is_none() => continue,
                Err(e) => return Err(kube_error(e)),
            };
            let kind = match ar.kind.as_str() {
                "Pod" => Kind::Pod,
                "ConfigMap" => Kind::ConfigMap,
                _ => k,
            };
            return self.shown(found, kind, &ar.kind, show_secrets).await;
        }
        Err(Error::NotFound {
            kind: kind.map(Kind::catalog_key).unwrap_or("kind.object"),
            name: name.to_string(),
            suggestion: None,
        })
    }

    /// An object as the inspect window shows it: without managedFields, a pod's state, the
    /// events about it, a Secret's keys only, secret-looking values masked unless asked.
    pub(super) async fn shown(
        &self,
        found: DynamicObject,
        kind: Kind,
        api_kind: &str,
        show_secrets: bool,
    ) -> Result<Inspected, Error> {
        let short = found.metadata.name.clone().unwrap_or_default();
        let short = short.as_str();
        // A cluster-wide object's events may be in any namespace.
        let ns = found.metadata.namespace.clone();
        let mut object = serde_json::to_value(&found).map_err(|e| Error::engine(e.to_string()))?;
        if let Some(m) = object["metadata"].as_object_mut() {
            m.remove("managedFields");
        }
        let mut out = Inspected {
            kind,
            name: short.to_string(),
            object: Value::Null,
            changes: vec![],
            status: None,
            sections: vec![],
            links: vec![],
        };
        if kind == Kind::Pod {
            out.status = Some(pod_status(&object));
        }
        if api_kind == "Secret" {
            // Keys only, whatever was asked: values through `secret show`.
            for key in ["data", "stringData"] {
                if let Some(d) = object[key].as_object_mut() {
                    for v in d.values_mut() {
                        *v = Value::String(MASK.into());
                    }
                }
            }
            if let Some(a) = object["metadata"]["annotations"].as_object_mut() {
                a.remove("kubectl.kubernetes.io/last-applied-configuration");
            }
        } else if api_kind != "Event" {
            out.sections.push((
                tr!("inspect.events"),
                self.events_of(api_kind, ns.as_deref(), short).await,
            ));
        }
        if !show_secrets {
            mask(&mut object);
        }
        out.object = object;
        Ok(out)
    }

    /// The events about one object, oldest first: `age type reason: message (×count)`.
    async fn events_of(&self, kind: &str, ns: Option<&str>, name: &str) -> Vec<String> {
        let api: Api<KEvent> = match ns {
            Some(ns) => Api::namespaced(self.client(), ns),
            None => Api::all(self.client()),
        };
        let lp = ListParams::default().fields(&format!(
            "involvedObject.kind={kind},involvedObject.name={name}"
        ));
        let Ok(list) = api.list(&lp).await else {
            return vec![];
        };
        let mut items = list.items;
        items.sort_by_key(|e| e.last_timestamp.clone().map(|t| t.0));
        items
            .iter()
            .map(|e| {
                let count = e.count.unwrap_or(1);
                crate::sanitize::one_line(&format!(
                    "{} {}: {}{}",
                    e.type_.as_deref().unwrap_or(""),
                    e.reason.as_deref().unwrap_or(""),
                    e.message.as_deref().unwrap_or(""),
                    if count > 1 {
                        format!(" (×{count})")
                    } else {
                        String::new()
                    }
                ))
            })
            .collect()
    }
}

/// A pod's phase and, per container, ready, restarts and the last termination's reason.
fn pod_status(pod: &Value) -> String {
    let st = &pod["status"];
    let mut parts = vec![st["phase"].as_str().unwrap_or("").to_string()];
    for c in st["containerStatuses"].as_array().into_iter().flatten() {
        let mut s = tr!(
            "inspect.pod_container",
            name = c["name"].as_str().unwrap_or(""),
            ready = c["ready"].as_bool().unwrap_or(false),
            restarts = c["restartCount"].as_i64().unwrap_or(0)
        );
        if let Some(w) = c["state"]["waiting"]["reason"].as_str() {
            s.push_str(&tr!("inspect.pod_waiting", reason = w));
        }
        if let Some(r) = c["lastState"]["terminated"]["reason"].as_str() {
            s.push_str(&tr!("inspect.pod_terminated", reason = r));
        }
        parts.push(s);
    }
    crate::sanitize::one_line(&parts.join(" · "))
}
