//! Port-forwards (`pf pod/web 8080:8000`, `kubectl port-forward`): what is asked, and what the
//! console lists while one runs.

/// A forward asked for: the object (`pod/NAME`, `svc/NAME`, `deploy/NAME`, or a pod's name), the
/// local port (0: any free one) and the remote port (a number or a port's name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardSpec {
    pub target: String,
    pub local: u16,
    pub remote: String,
}

impl ForwardSpec {
    /// kubectl's words: `8080:8000`, `8000` (the same port here), `:8000` (any free port).
    pub fn parse(target: &str, ports: &str) -> Option<ForwardSpec> {
        let (local, remote) = match ports.split_once(':') {
            Some(("", r)) => (0, r),
            Some((l, r)) => (l.parse().ok()?, r),
            None => (ports.parse().unwrap_or(0), ports),
        };
        (!remote.is_empty() && !target.is_empty()).then(|| ForwardSpec {
            target: target.to_string(),
            local,
            remote: remote.to_string(),
        })
    }

    /// `kubectl port-forward TARGET LOCAL:REMOTE`.
    pub fn kubectl(&self) -> String {
        let local = if self.local == 0 {
            String::new()
        } else {
            self.local.to_string()
        };
        format!(
            "kubectl port-forward {} {local}:{}",
            self.target, self.remote
        )
    }
}

/// A forward the console runs: its number, what it reaches, and the local address once bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forwarding {
    pub id: u64,
    pub spec: ForwardSpec,
    pub address: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_as_kubectl_takes_them() {
        let f = ForwardSpec::parse("pod/web", "8080:8000").unwrap();
        assert_eq!((f.local, f.remote.as_str()), (8080, "8000"));
        let f = ForwardSpec::parse("svc/web", "8000").unwrap();
        assert_eq!((f.local, f.remote.as_str()), (8000, "8000"));
        let f = ForwardSpec::parse("web", ":http").unwrap();
        assert_eq!((f.local, f.remote.as_str()), (0, "http"));
        assert_eq!(f.kubectl(), "kubectl port-forward web :http");
        assert!(ForwardSpec::parse("web", "x:80").is_none());
        assert!(ForwardSpec::parse("web", "80:").is_none());
    }
}
