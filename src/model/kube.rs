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

/// A kind the API server serves, as its discovery says (built-in or a CRD's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiKind {
    /// `""` for the core group.
    pub group: String,
    pub version: String,
    pub kind: String,
    /// The URL's name (`deployments`).
    pub plural: String,
    pub singular: String,
    pub namespaced: bool,
    pub short_names: Vec<String>,
    pub verbs: Vec<String>,
}

impl ApiKind {
    /// Whether the user's word names it, as kubectl takes it: plural, singular, kind or a
    /// short name, alone or followed by the group (`deployments.apps`), in any case.
    pub fn answers(&self, word: &str) -> bool {
        let w = word.to_lowercase();
        let (name, group) = match w.split_once('.') {
            Some((n, g)) => (n, Some(g)),
            None => (w.as_str(), None),
        };
        if group.is_some_and(|g| g != self.group) {
            return false;
        }
        name == self.plural
            || name == self.singular
            || name == self.kind.to_lowercase()
            || self.short_names.iter().any(|s| s == name)
    }

    /// `apps/v1`, or `v1` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// The name kubectl shows for it (`deployments.apps`, `pods`).
    pub fn full_name(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// The URL of its collection, in `namespace` when it is namespaced and one is given.
    pub fn path(&self, namespace: Option<&str>) -> String {
        let base = if self.group.is_empty() {
            format!("/api/{}", self.version)
        } else {
            format!("/apis/{}/{}", self.group, self.version)
        };
        match namespace.filter(|_| self.namespaced) {
            Some(ns) => format!("{base}/namespaces/{ns}/{}", self.plural),
            None => format!("{base}/{}", self.plural),
        }
    }

    /// Whether the server takes `verb` (`list`, `watch`, `delete`, `patch`) for it.
    pub fn can(&self, verb: &str) -> bool {
        self.verbs.iter().any(|v| v == verb)
    }
}

/// The kind a word names: the first that answers, in the server's order (the core group first,
/// then the groups by priority), as kubectl picks.
pub fn resolve<'a>(kinds: &'a [ApiKind], word: &str) -> Option<&'a ApiKind> {
    kinds.iter().find(|k| k.answers(word))
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

    fn kind(group: &str, kind: &str, plural: &str, short: &[&str], namespaced: bool) -> ApiKind {
        ApiKind {
            group: group.into(),
            version: "v1".into(),
            kind: kind.into(),
            plural: plural.into(),
            singular: kind.to_lowercase(),
            namespaced,
            short_names: short.iter().map(|s| s.to_string()).collect(),
            verbs: vec!["list".into(), "watch".into()],
        }
    }

    #[test]
    fn a_word_finds_its_kind_as_kubectl_finds_it() {
        let kinds = [
            kind("", "Pod", "pods", &["po"], true),
            kind("apps", "Deployment", "deployments", &["deploy"], true),
            kind("example.com", "Widget", "widgets", &["wd"], true),
            kind(
                "apiextensions.k8s.io",
                "CustomResourceDefinition",
                "customresourcedefinitions",
                &["crd", "crds"],
                false,
            ),
        ];
        let name = |w: &str| resolve(&kinds, w).map(|k| k.full_name());
        assert_eq!(name("po").as_deref(), Some("pods"));
        assert_eq!(name("Deploy").as_deref(), Some("deployments.apps"));
        assert_eq!(name("deployment.apps").as_deref(), Some("deployments.apps"));
        assert_eq!(name("deployments.batch"), None);
        assert_eq!(name("wd").as_deref(), Some("widgets.example.com"));
        assert_eq!(
            name("crd").as_deref(),
            Some("customresourcedefinitions.apiextensions.k8s.io")
        );
        assert_eq!(
            kinds[1].path(Some("dev")),
            "/apis/apps/v1/namespaces/dev/deployments"
        );
        assert_eq!(kinds[0].path(None), "/api/v1/pods");
        assert_eq!(
            kinds[3].path(Some("dev")),
            "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
        );
        assert_eq!(kinds[1].api_version(), "apps/v1");
    }
}
