//! `ports:` and `volumes:` of a compose service as compose-go reads them: the short syntax made
//! long (`127.0.0.1:8080:80/udp`, `3000-3001:3000-3001`, `./site:/site:ro`, `data:/data:nocopy`),
//! long entries checked key by key.

use super::types::{Port, Volume};
use crate::stack::spec::At;
use crate::stack::values::{R, bad, boolean, check, item, missing, p, size, string, uint};
use serde_json::Value as J;

/// `a-b` or `a` as a range of ports.
fn range(s: &str) -> Option<(u32, u32)> {
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    let (a, b) = (a.parse::<u32>().ok()?, b.parse::<u32>().ok()?);
    (a <= b && b <= 65_535).then_some((a, b))
}

/// `[[ip:]published:]target[/proto]`, as Docker's `nat.ParsePortSpecs` reads it.
fn short(spec: &str) -> Option<Vec<Port>> {
    let (rest, proto) = spec.rsplit_once('/').unwrap_or((spec, "tcp"));
    if proto.is_empty() {
        return None;
    }
    // An IPv6 host address comes in brackets: `[::1]:80:80`.
    let (ip, rest) = match rest.strip_prefix('[') {
        Some(r) => {
            let (ip, r) = r.split_once("]:")?;
            (ip.to_string(), r.to_string())
        }
        None => {
            let parts: Vec<&str> = rest.split(':').collect();
            match parts.len() {
                1 | 2 => (String::new(), rest.to_string()),
                3 => (parts[0].to_string(), format!("{}:{}", parts[1], parts[2])),
                _ => return None,
            }
        }
    };
    let (published, target) = match rest.split_once(':') {
        Some((p, t)) => (p.to_string(), t.to_string()),
        None => (String::new(), rest.clone()),
    };
    let (t0, t1) = range(&target)?;
    let host = if published.is_empty() {
        None
    } else {
        Some(range(&published)?)
    };
    let mut out = Vec::new();
    for (i, t) in (t0..=t1).enumerate() {
        let published = match host {
            None => String::new(),
            // One host port per container port when both are ranges of one length; a host range
            // for one container port is kept whole (the engine picks one).
            Some((h0, h1)) if t0 == t1 && h0 != h1 => format!("{h0}-{h1}"),
            Some((h0, h1)) => {
                if h1 - h0 != t1 - t0 {
                    return None;
                }
                (h0 + i as u32).to_string()
            }
        };
        out.push(Port {
            mode: "ingress".into(),
            host_ip: ip.clone(),
            target: t,
            published,
            protocol: proto.to_string(),
            ..Default::default()
        });
    }
    Some(out)
}

pub fn read(at: &At<'_>, v: &J, path: &[String]) -> R<Vec<Port>> {
    let items = v.as_array().ok_or_else(|| bad(at, path, "list", v))?;
    let mut out = Vec::new();
    for (i, entry) in items.iter().enumerate() {
        let ip = item(path, i);
        match entry {
            J::Object(_) => {
                check(
                    at,
                    entry,
                    &ip,
                    &[
                        "name",
                        "mode",
                        "host_ip",
                        "target",
                        "published",
                        "protocol",
                        "app_protocol",
                    ],
                )?;
                let s = |k: &str| -> R<String> {
                    entry
                        .get(k)
                        .map(|x| string(at, x, &p(&ip, k)))
                        .transpose()
                        .map(Option::unwrap_or_default)
                };
                let target = entry
                    .get("target")
                    .ok_or_else(|| missing(at, &ip, "target"))?;
                let target = uint(at, target, &p(&ip, "target"))?;
                let port = Port {
                    name: s("name")?,
                    mode: Some(s("mode")?)
                        .filter(|m| !m.is_empty())
                        .unwrap_or_else(|| "ingress".into()),
                    host_ip: s("host_ip")?,
                    target: u32::try_from(target)
                        .map_err(|_| bad(at, &p(&ip, "target"), "port", &entry["target"]))?,
                    published: s("published")?,
                    protocol: Some(s("protocol")?)
                        .filter(|m| !m.is_empty())
                        .unwrap_or_else(|| "tcp".into()),
                    app_protocol: s("app_protocol")?,
                };
                out.push(port);
            }
            other => {
                let spec = string(at, other, &ip)?;
                out.extend(short(&spec).ok_or_else(|| bad(at, &ip, "port", other))?);
            }
        }
    }
    Ok(out)
}

/// A bind source as compose-go resolves it: `~` is the home folder, a relative path is the
/// project folder's.
fn bind_source(at: &At<'_>, source: &str) -> String {
    if let Some(rest) = source.strip_prefix('~')
        && (rest.is_empty() || rest.starts_with('/'))
        && let Some(home) = std::env::var_os("HOME")
    {
        return format!("{}{rest}", std::path::Path::new(&home).display());
    }
    crate::stack::mounts::join_clean(at.dir, source)
        .display()
        .to_string()
}

/// A path as Go's `path.Clean` writes it (a relative one stays relative).
fn clean(target: &str) -> String {
    let rooted = crate::stack::mounts::join_clean(std::path::Path::new("/"), target)
        .display()
        .to_string();
    if target.starts_with('/') {
        rooted
    } else {
        rooted.trim_start_matches('/').to_string()
    }
}

const PROPAGATIONS: &[&str] = &[
    "rprivate", "private", "rshared", "shared", "rslave", "slave",
];

/// `[source:]target[:options]`, as compose-go's `ParseVolume` reads it.
fn short_volume(spec: &str) -> Option<Volume> {
    let parts: Vec<&str> = spec.split(':').collect();
    if parts.iter().any(|s| s.is_empty()) || parts.len() > 3 {
        return None;
    }
    let mut v = Volume::default();
    let options = match parts.as_slice() {
        [t] => {
            v.target = t.to_string();
            ""
        }
        [s, t] => {
            v.source = s.to_string();
            v.target = t.to_string();
            ""
        }
        [s, t, o] => {
            v.source = s.to_string();
            v.target = t.to_string();
            o
        }
        _ => return None,
    };
    let mut bind: Option<(bool, String, String)> = None;
    for o in options.split(',').filter(|o| !o.is_empty()) {
        match o {
            "ro" => v.read_only = true,
            "rw" => v.read_only = false,
            "nocopy" => v.volume = Some((true, String::new())),
            "z" | "Z" => bind.get_or_insert_default().2 = o.to_string(),
            o if PROPAGATIONS.contains(&o) => bind.get_or_insert_default().1 = o.to_string(),
            _ => {}
        }
    }
    if v.source.starts_with(['.', '/', '~']) {
        v.typ = "bind".into();
        let mut b = bind.unwrap_or_default();
        // The short syntax creates a missing host folder, as docker-compose always did.
        b.0 = true;
        v.bind = Some(b);
    } else {
        v.typ = "volume".into();
        v.volume.get_or_insert_default();
    }
    Some(v)
}

fn long_volume(at: &At<'_>, entry: &J, ip: &[String]) -> R<Volume> {
    check(
        at,
        entry,
        ip,
        &[
            "type",
            "source",
            "target",
            "read_only",
            "bind",
            "volume",
            "tmpfs",
        ],
    )?;
    let s = |k: &str| -> R<String> {
        entry
            .get(k)
            .map(|x| string(at, x, &p(ip, k)))
            .transpose()
            .map(Option::unwrap_or_default)
    };
    let mut v = Volume {
        typ: s("type")?,
        source: s("source")?,
        target: s("target")?,
        ..Default::default()
    };
    if v.typ.is_empty() {
        return Err(missing(at, ip, "type"));
    }
    if let Some(ro) = entry.get("read_only") {
        v.read_only = boolean(at, ro, &p(ip, "read_only"))?;
    }
    if let Some(b) = entry.get("bind") {
        let bp = p(ip, "bind");
        check(at, b, &bp, &["propagation", "create_host_path", "selinux"])?;
        let get = |k: &str| -> R<String> {
            b.get(k)
                .map(|x| string(at, x, &p(&bp, k)))
                .transpose()
                .map(Option::unwrap_or_default)
        };
        let create = b
            .get("create_host_path")
            .map(|x| boolean(at, x, &p(&bp, "create_host_path")))
            .transpose()?
            .unwrap_or(true);
        v.bind = Some((create, get("propagation")?, get("selinux")?));
    }
    if let Some(vo) = entry.get("volume") {
        let vp = p(ip, "volume");
        check(at, vo, &vp, &["nocopy", "subpath"])?;
        let nocopy = vo
            .get("nocopy")
            .map(|x| boolean(at, x, &p(&vp, "nocopy")))
            .transpose()?
            .unwrap_or(false);
        let subpath = vo
            .get("subpath")
            .map(|x| string(at, x, &p(&vp, "subpath")))
            .transpose()?
            .unwrap_or_default();
        v.volume = Some((nocopy, subpath));
    }
    if let Some(t) = entry.get("tmpfs") {
        let tp = p(ip, "tmpfs");
        check(at, t, &tp, &["size", "mode"])?;
        let sz = t
            .get("size")
            .map(|x| size(at, x, &p(&tp, "size")))
            .transpose()?
            .unwrap_or(0);
        let mode = t
            .get("mode")
            .map(|x| uint(at, x, &p(&tp, "mode")))
            .transpose()?
            .unwrap_or(0);
        v.tmpfs = Some((sz, mode as u32));
    }
    Ok(v)
}

pub fn volumes(at: &At<'_>, v: &J, path: &[String]) -> R<Vec<Volume>> {
    let items = v.as_array().ok_or_else(|| bad(at, path, "list", v))?;
    let mut out = Vec::new();
    for (i, entry) in items.iter().enumerate() {
        let ip = item(path, i);
        let mut vol = match entry {
            J::Object(_) => long_volume(at, entry, &ip)?,
            other => {
                let spec = string(at, other, &ip)?;
                short_volume(&spec).ok_or_else(|| bad(at, &ip, "volume", other))?
            }
        };
        if vol.target.is_empty() {
            return Err(missing(at, &ip, "target"));
        }
        vol.target = clean(&vol.target);
        if vol.typ == "bind" {
            if vol.source.is_empty() {
                return Err(missing(at, &ip, "source"));
            }
            vol.source = bind_source(at, &vol.source);
        }
        out.push(vol);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ports_read_as_docker_reads_them() {
        let p = short("127.0.0.1:9000:9000/udp").unwrap();
        assert_eq!(
            (p[0].host_ip.as_str(), p[0].target, p[0].published.as_str()),
            ("127.0.0.1", 9000, "9000")
        );
        assert_eq!(p[0].protocol, "udp");
        let p = short("7000").unwrap();
        assert_eq!((p[0].target, p[0].published.as_str()), (7000, ""));
        let p = short("3000-3001:4000-4001").unwrap();
        assert_eq!(
            p.iter()
                .map(|x| (x.target, x.published.clone()))
                .collect::<Vec<_>>(),
            vec![(4000, "3000".to_string()), (4001, "3001".to_string())]
        );
        assert!(short("1:2:3:4").is_none());
        assert!(short("80:abc").is_none());
    }

    #[test]
    fn short_volumes_read_as_compose_reads_them() {
        let v = short_volume("./site:/site:ro").unwrap();
        assert_eq!(v.typ, "bind");
        assert!(v.read_only);
        assert_eq!(v.bind, Some((true, String::new(), String::new())));
        let v = short_volume("data:/data:nocopy").unwrap();
        assert_eq!(
            (v.typ.as_str(), v.volume),
            ("volume", Some((true, String::new())))
        );
        let v = short_volume("/anon").unwrap();
        assert_eq!((v.typ.as_str(), v.source.as_str()), ("volume", ""));
        assert_eq!(clean("/a/../b/"), "/b");
    }
}
