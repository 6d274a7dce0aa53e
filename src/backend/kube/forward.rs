//! `kubectl port-forward`: a local port whose connections reach a pod's port through the API
//! server (a websocket per connection, as kubectl opens a stream per connection). A Service or
//! a Deployment is forwarded to one of its running pods, its port mapped as kubectl maps it.

use super::{Kube, convert, kube_error};
use crate::backend::Error;
use crate::model::forward::ForwardSpec;
use crate::tr;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::api::{Api, ListParams};
use tokio::sync::mpsc;

/// A container port of the pod, by number or by name.
fn pod_port(pod: &Pod, port: &str) -> Option<u16> {
    if let Ok(n) = port.parse::<u16>() {
        return Some(n);
    }
    pod.spec
        .as_ref()?
        .containers
        .iter()
        .flat_map(|c| c.ports.iter().flatten())
        .find(|p| p.name.as_deref() == Some(port))
        .and_then(|p| u16::try_from(p.container_port).ok())
}

impl Kube {
    /// A running pod matching `selector` in `ns`.
    async fn running_pod(&self, ns: &str, selector: &str, what: &str) -> Result<Pod, Error> {
        let api: Api<Pod> = Api::namespaced(self.client(), ns);
        let pods = api
            .list(&ListParams::default().labels(selector))
            .await
            .map_err(kube_error)?;
        pods.items
            .into_iter()
            .find(|p| {
                p.metadata.deletion_timestamp.is_none()
                    && p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running")
            })
            .ok_or_else(|| Error::Refused(tr!("pf.no_pod", what = what)))
    }

    /// The pod and its port a forward reaches.
    async fn forward_end(&self, spec: &ForwardSpec) -> Result<(String, String, u16), Error> {
        let (word, rest) = match spec.target.split_once('/') {
            Some((w, r)) if !["pod", "pods", "po"].contains(&w) => (w.to_lowercase(), r),
            Some((_, r)) => ("pod".to_string(), r),
            None => ("pod".to_string(), spec.target.as_str()),
        };
        let (ns, name) = match rest.split_once('/') {
            Some((ns, n)) => (ns.to_string(), n),
            None => (self.namespace_for_new(), rest),
        };
        let missing = |kind: &'static str| Error::NotFound {
            kind,
            name: name.to_string(),
            suggestion: None,
        };
        let (pod, remote) = match word.as_str() {
            "pod" => {
                let api: Api<Pod> = Api::namespaced(self.client(), &ns);
                let pod = api
                    .get_opt(name)
                    .await
                    .map_err(kube_error)?
                    .ok_or_else(|| missing("kind.pod"))?;
                (pod, spec.remote.clone())
            }
            "svc" | "service" | "services" => {
                let api: Api<Service> = Api::namespaced(self.client(), &ns);
                let svc = api
                    .get_opt(name)
                    .await
                    .map_err(kube_error)?
                    .ok_or_else(|| missing("kind.service"))?;
                let s = svc.spec.unwrap_or_default();
                let port = s
                    .ports
                    .unwrap_or_default()
                    .into_iter()
                    .find(|p| {
                        p.port.to_string() == spec.remote || p.name.as_deref() == Some(&spec.remote)
                    })
                    .ok_or_else(|| {
                        Error::Refused(tr!("pf.no_port", what = spec.target, port = spec.remote))
                    })?;
                let selector = s
                    .selector
                    .unwrap_or_default()
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(",");
                let pod = self.running_pod(&ns, &selector, &spec.target).await?;
                let remote = match port.target_port {
                    Some(IntOrString::Int(n)) => n.to_string(),
                    Some(IntOrString::String(s)) => s,
                    None => port.port.to_string(),
                };
                (pod, remote)
            }
            "deploy" | "deployment" | "deployments" => {
                let api: Api<Deployment> = Api::namespaced(self.client(), &ns);
                let d = api
                    .get_opt(name)
                    .await
                    .map_err(kube_error)?
                    .ok_or_else(|| missing("kind.deployment"))?;
                let selector = convert::selector(&d.spec.selector);
                let pod = self.running_pod(&ns, &selector, &spec.target).await?;
                (pod, spec.remote.clone())
            }
            _ => return Err(Error::Refused(tr!("pf.kind", what = spec.target))),
        };
        let port = pod_port(&pod, &remote)
            .ok_or_else(|| Error::Refused(tr!("pf.no_port", what = spec.target, port = remote)))?;
        Ok((ns, pod.metadata.name.unwrap_or_default(), port))
    }

    /// Listens on 127.0.0.1 (the port asked, or any free one), says the address on `bound`,
    /// then carries each connection to the pod's port until the future is dropped.
    pub async fn forward(
        &self,
        spec: &ForwardSpec,
        bound: mpsc::Sender<String>,
    ) -> Result<(), Error> {
        let (ns, pod, port) = self.forward_end(spec).await?;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", spec.local))
            .await
            .map_err(|e| Error::Refused(tr!("pf.bind", port = spec.local, detail = e)))?;
        let address = listener
            .local_addr()
            .map(|a| a.to_string())
            .map_err(|e| Error::engine(e.to_string()))?;
        let _ = bound.send(address).await;
        let api: Api<Pod> = Api::namespaced(self.client(), &ns);
        loop {
            let (mut conn, _) = listener
                .accept()
                .await
                .map_err(|e| Error::engine(e.to_string()))?;
            let api = api.clone();
            let pod = pod.clone();
            tokio::spawn(async move {
                let mut forwarder = match api.portforward(&pod, &[port]).await {
                    Ok(f) => f,
                    Err(e) => {
                        tracing::warn!(error = %e, pod, port, "port-forward refused");
                        return;
                    }
                };
                if let Some(mut upstream) = forwarder.take_stream(port) {
                    let _ = tokio::io::copy_bidirectional(&mut conn, &mut upstream).await;
                    drop(upstream);
                }
                let _ = forwarder.join().await;
            });
        }
    }
}
