//! Registry credentials as the docker CLI keeps them: `auths` in DOCKER_CONFIG/config.json (or
//! ~/.docker/config.json), and credential helpers (`credsStore`, `credHelpers`).

use base64::Engine as _;
use bollard::auth::DockerCredentials;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The registry an image reference lives in: its host, or Docker Hub.
pub fn registry_of(image: &str) -> String {
    match image.split_once('/') {
        Some((host, _)) if host.contains('.') || host.contains(':') || host == "localhost" => {
            host.to_string()
        }
        _ => "docker.io".to_string(),
    }
}

fn config_dir() -> Option<PathBuf> {
    std::env::var_os("DOCKER_CONFIG")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker")))
}

/// The keys a registry may be stored under in `auths`.
fn keys(registry: &str) -> Vec<String> {
    if registry == "docker.io" {
        vec![
            "https://index.docker.io/v1/".into(),
            "index.docker.io".into(),
            "docker.io".into(),
        ]
    } else {
        vec![
            registry.to_string(),
            format!("https://{registry}"),
            format!("http://{registry}"),
        ]
    }
}

/// Credentials for the registry of `image`, if the docker config has some.
pub fn credentials_for(image: &str) -> Option<DockerCredentials> {
    let registry = registry_of(image);
    let text = std::fs::read_to_string(config_dir()?.join("config.json")).ok()?;
    credentials_in(&text, &registry, &|helper, server| {
        run_helper(helper, server)
    })
}

type Helper<'a> = &'a dyn Fn(&str, &str) -> Option<(String, String)>;

fn credentials_in(config: &str, registry: &str, helper: Helper<'_>) -> Option<DockerCredentials> {
    let v: serde_json::Value = serde_json::from_str(config).ok()?;
    let server = keys(registry).remove(0);
    let named_helper = v
        .get("credHelpers")
        .and_then(|h| h.get(registry))
        .and_then(|h| h.as_str());
    if let Some(h) = named_helper.or_else(|| v.get("credsStore").and_then(|s| s.as_str()))
        && let Some((user, secret)) = helper(h, &server)
    {
        return Some(creds(user, secret, &server));
    }
    let auths = v.get("auths")?;
    let entry = keys(registry).into_iter().find_map(|k| auths.get(&k))?;
    let encoded = entry.get("auth")?.as_str()?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, pass) = text.split_once(':')?;
    Some(creds(user.to_string(), pass.to_string(), &server))
}

fn creds(user: String, secret: String, server: &str) -> DockerCredentials {
    DockerCredentials {
        username: Some(user),
        password: Some(secret),
        serveraddress: Some(server.to_string()),
        ..Default::default()
    }
}

/// `docker-credential-<helper> get`, as the docker CLI calls it.
fn run_helper(helper: &str, server: &str) -> Option<(String, String)> {
    let mut child = Command::new(format!("docker-credential-{helper}"))
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(server.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    Some((
        v.get("Username")?.as_str()?.to_string(),
        v.get("Secret")?.as_str()?.to_string(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registries_are_read_off_the_reference() {
        assert_eq!(registry_of("127.0.0.1:5000/lab/api:test"), "127.0.0.1:5000");
        assert_eq!(
            registry_of("registry.developers.lan/api"),
            "registry.developers.lan"
        );
        assert_eq!(registry_of("gopenux/api-semana-3"), "docker.io");
        assert_eq!(registry_of("nginx"), "docker.io");
    }

    #[test]
    fn auths_and_helpers_are_used_as_the_cli_does() {
        let none: Helper<'_> = &|_, _| None;
        let cfg = r#"{"auths":{"127.0.0.1:5000":{"auth":"c3R1ZGVudDpzM2NyZXQ="}}}"#;
        let c = credentials_in(cfg, "127.0.0.1:5000", none).unwrap();
        assert_eq!(
            (c.username.as_deref(), c.password.as_deref()),
            (Some("student"), Some("s3cret"))
        );
        assert!(credentials_in(cfg, "other:5000", none).is_none());
        let hub = r#"{"auths":{"https://index.docker.io/v1/":{"auth":"YTpi"}}}"#;
        assert_eq!(
            credentials_in(hub, "docker.io", none)
                .unwrap()
                .username
                .as_deref(),
            Some("a")
        );
        let helper: Helper<'_> = &|h, s| {
            (h == "pass" && s == "127.0.0.1:5000").then(|| ("u".to_string(), "p".to_string()))
        };
        let cfg = r#"{"credHelpers":{"127.0.0.1:5000":"pass"},"auths":{}}"#;
        assert_eq!(
            credentials_in(cfg, "127.0.0.1:5000", helper)
                .unwrap()
                .password
                .as_deref(),
            Some("p")
        );
    }
}
