//! Image references as Docker reads them (`[host[:port]/]path[:tag][@digest]`): checking one,
//! splitting off its tag or digest, and the normal forms the docker client sends to the engine
//! (`redis` → `redis:latest`, `redis:latest@sha256:…`). Every layer may use these.

/// The registry Docker assumes when a reference names none.
const DEFAULT_DOMAIN: &str = "docker.io";

/// An image reference as Docker accepts it: `[host[:port]/]path[:tag][@digest]`, path components
/// lowercase letters, digits and separators, a tag of at most 128 word characters, dots and dashes.
pub fn valid(r: &str) -> bool {
    let (rest, digest) = match r.split_once('@') {
        Some((a, d)) => (a, Some(d)),
        None => (r, None),
    };
    if let Some(d) = digest
        && !(d.starts_with("sha256:")
            && d.len() == 71
            && d[7..].bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return false;
    }
    let (name, tag) = split_name_tag(rest);
    if let Some(t) = tag {
        let ok_first = t
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok_first
            || t.len() > 128
            || !t
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
        {
            return false;
        }
    }
    let mut parts: Vec<&str> = name.split('/').collect();
    if parts.len() > 1 && is_domain(parts[0]) {
        let host = parts.remove(0);
        let (h, port) = host.split_once(':').unwrap_or((host, ""));
        if h.is_empty()
            || !h
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-".contains(c))
            || !port.chars().all(|c| c.is_ascii_digit())
        {
            return false;
        }
    }
    !parts.is_empty()
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
                && p.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
                && p.chars().last().is_some_and(|c| c.is_ascii_alphanumeric())
        })
}

/// Whether the first path component names a registry (it has a dot or a port, or is localhost),
/// as Docker decides it.
fn is_domain(first: &str) -> bool {
    first.contains('.')
        || first.contains(':')
        || first == "localhost"
        || first.to_lowercase() != first
}

/// `name[:tag]` (no digest) → (name, tag); a colon inside the host's port is not a tag.
fn split_name_tag(r: &str) -> (&str, Option<&str>) {
    match r.rfind(':') {
        Some(p) if !r[p..].contains('/') => (&r[..p], Some(&r[p + 1..])),
        _ => (r, None),
    }
}

/// `repo:tag` of an image reference, with any `@sha256:...` digest removed.
pub fn strip_digest(image: &str) -> &str {
    image.split('@').next().unwrap_or(image)
}

/// The digest of a pinned reference (`…@sha256:…`), if it has one.
pub fn digest(image: &str) -> Option<&str> {
    image.split_once('@').map(|(_, d)| d)
}

/// `repo[:tag]` → (repo, tag), `latest` when no tag is written.
pub fn split_tag(reference: &str) -> (String, String) {
    let (name, tag) = split_name_tag(strip_digest(reference));
    (name.to_string(), tag.unwrap_or("latest").to_string())
}

/// The reference in Docker's short ("familiar") form with a tag, as the docker client sends a
/// service's image: `redis` → `redis:latest`, `docker.io/library/redis` → `redis:latest`,
/// `index.docker.io/me/app` → `me/app:latest`. A reference with a digest keeps it (and gets no
/// tag of its own). `None` when the reference is not valid: the client then sends it unchanged.
pub fn familiar_tagged(image: &str) -> Option<String> {
    if !valid(image) || (image.len() == 64 && image.bytes().all(|b| b.is_ascii_hexdigit())) {
        return None;
    }
    let (rest, digest) = match image.split_once('@') {
        Some((a, d)) => (a, Some(d)),
        None => (image, None),
    };
    let (name, tag) = split_name_tag(rest);
    let (domain, path) = match name.split_once('/') {
        Some((first, path)) if is_domain(first) => (first, path),
        _ => (DEFAULT_DOMAIN, name),
    };
    let domain = if domain == "index.docker.io" {
        DEFAULT_DOMAIN
    } else {
        domain
    };
    let familiar = if domain == DEFAULT_DOMAIN {
        match path.strip_prefix("library/") {
            Some(official) if !official.contains('/') => official.to_string(),
            _ => path.to_string(),
        }
    } else {
        format!("{domain}/{path}")
    };
    Some(match (tag, digest) {
        (Some(t), Some(d)) => format!("{familiar}:{t}@{d}"),
        (None, Some(d)) => format!("{familiar}@{d}"),
        (Some(t), None) => format!("{familiar}:{t}"),
        (None, None) => format!("{familiar}:latest"),
    })
}

/// `image` pinned to `digest` as the docker client pins it (`redis:latest@sha256:…`); a
/// reference that already has a digest, or is not valid, stays as it is.
pub fn with_digest(image: &str, digest: &str) -> String {
    match familiar_tagged(image) {
        Some(tagged) if !tagged.contains('@') => format!("{tagged}@{digest}"),
        _ => image.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_take_the_docker_clients_normal_form() {
        for (given, sent) in [
            ("redis", "redis:latest"),
            ("redis:7.2-alpine", "redis:7.2-alpine"),
            ("docker.io/library/redis", "redis:latest"),
            ("index.docker.io/library/redis:7", "redis:7"),
            ("docker.io/me/app", "me/app:latest"),
            ("docker.io/library/a/b", "library/a/b:latest"),
            ("127.0.0.1:5000/lab/api", "127.0.0.1:5000/lab/api:latest"),
            ("localhost/api:test", "localhost/api:test"),
            (
                "registry.developers.lan/api-semana-3:test",
                "registry.developers.lan/api-semana-3:test",
            ),
        ] {
            assert_eq!(familiar_tagged(given).as_deref(), Some(sent), "{given}");
        }
        let d = format!("sha256:{}", "a".repeat(64));
        assert_eq!(
            familiar_tagged(&format!("redis@{d}")),
            Some(format!("redis@{d}"))
        );
        assert_eq!(familiar_tagged("Redis"), None);
        assert_eq!(familiar_tagged(&"a".repeat(64)), None);
        assert_eq!(with_digest("redis", &d), format!("redis:latest@{d}"));
        assert_eq!(
            with_digest(&format!("redis:7@{d}"), "sha256:other"),
            format!("redis:7@{d}")
        );
        assert_eq!(digest(&format!("redis:7@{d}")), Some(d.as_str()));
        assert_eq!(
            split_tag("127.0.0.1:5000/api"),
            ("127.0.0.1:5000/api".into(), "latest".into())
        );
    }
}
