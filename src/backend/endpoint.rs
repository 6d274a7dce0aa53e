//! Where the engine is, resolved the way the docker CLI resolves it: `--host`, then `--context`,
//! then DOCKER_HOST (with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH), then DOCKER_CONTEXT, then the
//! `currentContext` of the docker config file, then the default socket.

use super::Error;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

pub const DEFAULT_HOST: &str = "unix:///var/run/docker.sock";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tls {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Flag,
    Env,
    Context(String),
    Default,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub host: String,
    pub tls: Option<Tls>,
    pub source: Source,
}

/// Looks up an environment variable (a closure, so tests need not touch the process environment).
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

fn home_docker_dir(env: Env<'_>) -> Option<PathBuf> {
    if let Some(d) = env("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    env("HOME").map(|h| Path::new(&h).join(".docker"))
}

pub fn resolve(
    host_flag: Option<&str>,
    context_flag: Option<&str>,
    env: Env<'_>,
) -> Result<Endpoint, Error> {
    let nonempty = |k: &str| env(k).filter(|v| !v.is_empty());
    if let Some(h) = host_flag.filter(|h| !h.is_empty()) {
        return Ok(Endpoint {
            host: h.to_string(),
            tls: tls_from_env(env),
            source: Source::Flag,
        });
    }
    if let Some(c) = context_flag {
        return from_context(c, env);
    }
    if let Some(h) = nonempty("DOCKER_HOST") {
        return Ok(Endpoint {
            host: h,
            tls: tls_from_env(env),
            source: Source::Env,
        });
    }
    if let Some(c) = nonempty("DOCKER_CONTEXT") {
        return from_context(&c, env);
    }
    if let Some(dir) = home_docker_dir(env) {
        let cfg = dir.join("config.json");
        if let Ok(text) = std::fs::read_to_string(&cfg) {
            let v: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| Error::Endpoint(format!("{}: {e}", cfg.display())))?;
            if let Some(c) = v
                .get("currentContext")
                .and_then(|c| c.as_str())
                .filter(|c| !c.is_empty())
            {
                return from_context(c, env);
            }
        }
    }
    Ok(Endpoint {
        host: DEFAULT_HOST.to_string(),
        tls: None,
        source: Source::Default,
    })
}

fn tls_from_env(env: Env<'_>) -> Option<Tls> {
    env("DOCKER_TLS_VERIFY").filter(|v| !v.is_empty())?;
    let dir = env("DOCKER_CERT_PATH")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| home_docker_dir(env))?;
    Some(Tls {
        ca: dir.join("ca.pem"),
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
    })
}

fn from_context(name: &str, env: Env<'_>) -> Result<Endpoint, Error> {
    if name == "default" {
        let host = env("DOCKER_HOST")
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| DEFAULT_HOST.to_string());
        return Ok(Endpoint {
            host,
            tls: tls_from_env(env),
            source: Source::Context(name.to_string()),
        });
    }
    let dir =
        home_docker_dir(env).ok_or_else(|| Error::Endpoint(format!("context {name}: no HOME")))?;
    let digest = hex(&Sha256::digest(name.as_bytes()));
    let meta = dir
        .join("contexts")
        .join("meta")
        .join(&digest)
        .join("meta.json");
    let text = std::fs::read_to_string(&meta)
        .map_err(|e| Error::Endpoint(format!("context \"{name}\" ({}): {e}", meta.display())))?;
    let v: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Error::Endpoint(format!("{}: {e}", meta.display())))?;
    let docker = v.get("Endpoints").and_then(|e| e.get("docker"));
    let host = docker
        .and_then(|d| d.get("Host"))
        .and_then(|h| h.as_str())
        .filter(|h| !h.is_empty())
        .ok_or_else(|| Error::Endpoint(format!("{}: Endpoints.docker.Host", meta.display())))?
        .to_string();
    let tls_dir = dir
        .join("contexts")
        .join("tls")
        .join(&digest)
        .join("docker");
    let tls = tls_dir.join("ca.pem").exists().then(|| Tls {
        ca: tls_dir.join("ca.pem"),
        cert: tls_dir.join("cert.pem"),
        key: tls_dir.join("key.pem"),
    });
    Ok(Endpoint {
        host,
        tls,
        source: Source::Context(name.to_string()),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The config's `[nodes.NAME]` engines, by hostname.
pub fn of_nodes(cfg: &crate::config::Config) -> std::collections::HashMap<String, Endpoint> {
    let mut out = std::collections::HashMap::new();
    for (name, n) in cfg.nodes.iter().flatten() {
        let tls = n.tls_verify.unwrap_or(false).then(|| {
            let dir = n.cert_path.clone().unwrap_or_default();
            Tls {
                ca: dir.join("ca.pem"),
                cert: dir.join("cert.pem"),
                key: dir.join("key.pem"),
            }
        });
        out.insert(
            name.clone(),
            Endpoint {
                host: n.host.clone(),
                tls,
                source: Source::Flag,
            },
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k: &str| map.get(k).cloned()
    }

    #[test]
    fn flag_beats_env_and_env_beats_default() {
        let env = env_of(&[("DOCKER_HOST", "tcp://10.0.0.1:2375")]);
        assert_eq!(
            resolve(Some("unix:///x.sock"), None, &env).unwrap().host,
            "unix:///x.sock"
        );
        let e = resolve(None, None, &env).unwrap();
        assert_eq!(
            (e.host.as_str(), e.source),
            ("tcp://10.0.0.1:2375", Source::Env)
        );
        let none = env_of(&[("HOME", "/nonexistent")]);
        assert_eq!(resolve(None, None, &none).unwrap().host, DEFAULT_HOST);
    }

    #[test]
    fn tls_comes_from_cert_path() {
        let env = env_of(&[
            ("DOCKER_HOST", "tcp://h:2376"),
            ("DOCKER_TLS_VERIFY", "1"),
            ("DOCKER_CERT_PATH", "/c"),
        ]);
        let e = resolve(None, None, &env).unwrap();
        assert_eq!(e.tls.unwrap().ca, PathBuf::from("/c/ca.pem"));
    }

    #[test]
    fn current_context_is_read_from_the_docker_config() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("config.json"), r#"{"currentContext":"lab"}"#).unwrap();
        let digest = hex(&Sha256::digest(b"lab"));
        let meta = d.join("contexts/meta").join(&digest);
        std::fs::create_dir_all(&meta).unwrap();
        std::fs::write(
            meta.join("meta.json"),
            r#"{"Name":"lab","Metadata":{},"Endpoints":{"docker":{"Host":"tcp://192.0.2.7:2376","SkipTLSVerify":false}}}"#,
        )
        .unwrap();
        let tls = d.join("contexts/tls").join(&digest).join("docker");
        std::fs::create_dir_all(&tls).unwrap();
        std::fs::write(tls.join("ca.pem"), "x").unwrap();
        let cfg = d.to_string_lossy().to_string();
        let pairs = [("DOCKER_CONFIG", cfg.as_str())];
        let env = env_of(&pairs);
        let e = resolve(None, None, &env).unwrap();
        assert_eq!(e.host, "tcp://192.0.2.7:2376");
        assert_eq!(e.source, Source::Context("lab".into()));
        assert_eq!(e.tls.unwrap().key, tls.join("key.pem"));
        // DOCKER_HOST wins over the config's current context, as with the docker CLI.
        let pairs = [
            ("DOCKER_CONFIG", cfg.as_str()),
            ("DOCKER_HOST", "unix:///h.sock"),
        ];
        let env = env_of(&pairs);
        assert_eq!(resolve(None, None, &env).unwrap().host, "unix:///h.sock");
        // --context wins over DOCKER_HOST.
        assert_eq!(
            resolve(None, Some("lab"), &env).unwrap().host,
            "tcp://192.0.2.7:2376"
        );
        // An unknown context is a clear error naming it.
        let err = resolve(None, Some("nope"), &env).unwrap_err().to_string();
        assert!(err.contains("nope"), "{err}");
    }
}
