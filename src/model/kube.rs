//! The Kubernetes kinds the console deletes or lists by name, as kubectl names them
//! (`deployment`, `deploy`, `svc`...), with where each lives in the API.

use serde::Serialize;

/// A Kubernetes resource kind, parsed from what a user types after `delete` (`deploy/creator`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum KubeKind {
    Deployment,
    ReplicaSet,
    StatefulSet,
    DaemonSet,
    Service,
    Secret,
    ConfigMap,
    Pod,
    Namespace,
    Job,
    Ingress,
}

/// Where a kind lives in the API: group, version, kind, and whether it is namespaced.
pub struct ApiPlace {
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    pub namespaced: bool,
}

impl KubeKind {
    /// kubectl's names for it: singular, plural and short (case-insensitive).
    pub fn parse(word: &str) -> Option<KubeKind> {
        Some(match word.to_lowercase().as_str() {
            "deployment" | "deployments" | "deploy" => KubeKind::Deployment,
            "replicaset" | "replicasets" | "rs" => KubeKind::ReplicaSet,
            "statefulset" | "statefulsets" | "sts" => KubeKind::StatefulSet,
            "daemonset" | "daemonsets" | "ds" => KubeKind::DaemonSet,
            "service" | "services" | "svc" => KubeKind::Service,
            "secret" | "secrets" => KubeKind::Secret,
            "configmap" | "configmaps" | "cm" => KubeKind::ConfigMap,
            "pod" | "pods" | "po" => KubeKind::Pod,
            "namespace" | "namespaces" | "ns" => KubeKind::Namespace,
            "job" | "jobs" => KubeKind::Job,
            "ingress" | "ingresses" | "ing" => KubeKind::Ingress,
            _ => return None,
        })
    }

    pub fn api(self) -> ApiPlace {
        let (group, version, kind, namespaced) = match self {
            KubeKind::Deployment => ("apps", "v1", "Deployment", true),
            KubeKind::ReplicaSet => ("apps", "v1", "ReplicaSet", true),
            KubeKind::StatefulSet => ("apps", "v1", "StatefulSet", true),
            KubeKind::DaemonSet => ("apps", "v1", "DaemonSet", true),
            KubeKind::Service => ("", "v1", "Service", true),
            KubeKind::Secret => ("", "v1", "Secret", true),
            KubeKind::ConfigMap => ("", "v1", "ConfigMap", true),
            KubeKind::Pod => ("", "v1", "Pod", true),
            KubeKind::Namespace => ("", "v1", "Namespace", false),
            KubeKind::Job => ("batch", "v1", "Job", true),
            KubeKind::Ingress => ("networking.k8s.io", "v1", "Ingress", true),
        };
        ApiPlace {
            group,
            version,
            kind,
            namespaced,
        }
    }

    /// The singular name kubectl prints (`deployment`).
    pub fn word(self) -> String {
        self.api().kind.to_lowercase()
    }

    /// The plural (`kubectl get services`).
    pub fn plural(self) -> String {
        match self {
            KubeKind::Ingress => "ingresses".into(),
            k => format!("{}s", k.word()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubectls_names_parse_and_print_back() {
        assert_eq!(KubeKind::parse("deploy"), Some(KubeKind::Deployment));
        assert_eq!(KubeKind::parse("SVC"), Some(KubeKind::Service));
        assert_eq!(KubeKind::parse("gadget"), None);
        assert_eq!(KubeKind::Deployment.word(), "deployment");
        assert_eq!(KubeKind::Service.plural(), "services");
        assert_eq!(KubeKind::Ingress.plural(), "ingresses");
        assert!(!KubeKind::Namespace.api().namespaced);
    }
}
