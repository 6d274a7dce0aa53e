//! `:ns` and `:ctx`: the namespace or context the console looks at, switched (the watchers are
//! made again for it), each context keeping the namespace chosen in it; the demo's one context.

use super::{Conn, DEMO_CONTEXT, Kube, client_for, unreachable};
use crate::backend::Error;
use crate::tr;
use k8s_openapi::api::core::v1::Namespace;

impl Kube {
    /// Switches the namespace (`None`: all), checking that it exists.
    pub(super) async fn set_namespace(&self, ns: Option<String>) -> Result<(), Error> {
        for n in ns.iter().flat_map(|n| n.split(',')) {
            self.require_cluster_object::<Namespace>(n, "kind.namespace")
                .await?;
        }
        // Kept for this context: back to it, the console looks where it looked.
        let context = self.scope().context;
        if let Ok(mut m) = self.namespaces.lock() {
            m.insert(context, ns.clone());
        }
        // The watchers follow the namespace: they are made again for it.
        let generation = match self.conn.write() {
            Ok(mut c) => {
                c.scope.namespace = ns;
                c.store = None;
                c.generation += 1;
                c.generation
            }
            Err(_) => 0,
        };
        let _ = self.switched.send(generation);
        Ok(())
    }

    /// Switches to another context of the kubeconfig, checking that its server answers.
    pub(super) async fn set_context(&self, name: &str) -> Result<(), Error> {
        if self.is_demo() {
            if name == DEMO_CONTEXT {
                return Ok(());
            }
            return Err(Error::NotFound {
                kind: "kind.context",
                name: name.to_string(),
                suggestion: Some(DEMO_CONTEXT.to_string()),
            });
        }
        let Some(kc) = &self.kubeconfig else {
            return Err(Error::Refused(tr!("kube.in_cluster")));
        };
        let (client, url, mut scope) = client_for(kc, Some(name)).await?;
        if let Some(ns) = self
            .namespaces
            .lock()
            .ok()
            .and_then(|m| m.get(name).cloned())
        {
            scope.namespace = ns;
        }
        client
            .apiserver_version()
            .await
            .map_err(|e| unreachable(&url, e))?;
        let generation = match self.conn.write() {
            Ok(mut c) => {
                c.generation += 1;
                *c = Conn {
                    client,
                    url,
                    scope,
                    generation: c.generation,
                    store: None,
                    kinds: None,
                };
                c.generation
            }
            Err(_) => 0,
        };
        let _ = self.switched.send(generation);
        Ok(())
    }

    /// The contexts of the kubeconfig, for completion and messages.
    pub fn contexts(&self) -> Vec<String> {
        if self.is_demo() {
            return vec![DEMO_CONTEXT.to_string()];
        }
        self.kubeconfig
            .as_ref()
            .map(|k| k.contexts.iter().map(|c| c.name.clone()).collect())
            .unwrap_or_default()
    }
}
