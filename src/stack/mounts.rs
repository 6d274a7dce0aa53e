//! A service's `volumes:` as the docker CLI turns them into mounts: the short syntax read as its
//! `ParseVolume` reads it, bind sources resolved against the compose file's folder (and `~`
//! against `HOME`), named volumes to the stack's volumes with their labels and driver.

use super::objects::object_name;
use super::spec::{At, StackError};
use super::values::{
    R, bad, boolean, check, item, labels, missing, p, size, string, string_map, with_stack,
};
use serde_json::{Value as J, json};
use std::path::{Component, Path, PathBuf};

/// One entry as the CLI's `ServiceVolumeConfig` holds it.
#[derive(Debug, Default)]
struct Volume {
    typ: String,
    source: String,
    target: String,
    read_only: bool,
    consistency: String,
    propagation: Option<String>,
    nocopy: Option<bool>,
    tmpfs_size: Option<i64>,
}

const PROPAGATIONS: &[&str] = &[
    "rprivate", "private", "rshared", "shared", "rslave", "slave",
];

/// `[source:]target[:options]`, as the CLI's `ParseVolume` reads it.
fn parse_short(spec: &str) -> Result<Volume, String> {
    let mut v = Volume::default();
    if spec.is_empty() {
        return Err("invalid empty volume spec".into());
    }
    if spec.chars().count() <= 2 {
        v.target = spec.to_string();
        v.typ = "volume".into();
        return Ok(v);
    }
    let parts: Vec<&str> = spec.split(':').collect();
    let n = parts.len();
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == n;
        if part.is_empty() {
            return Err(format!(
                "invalid spec: {spec}: empty section between colons"
            ));
        }
        if v.source.is_empty() && last && v.target.is_empty() {
            v.target = part.to_string();
        } else if v.source.is_empty() {
            v.source = part.to_string();
        } else if v.target.is_empty() {
            v.target = part.to_string();
        } else if !last {
            return Err(format!("invalid spec: {spec}: too many colons"));
        } else {
            for option in part.split(',') {
                match option {
                    "ro" => v.read_only = true,
                    "rw" => v.read_only = false,
                    "nocopy" => v.nocopy = Some(true),
                    o if PROPAGATIONS.contains(&o) => v.propagation = Some(o.to_string()),
                    _ => {}
                }
            }
        }
    }
    v.typ = if v.source.is_empty() {
        "volume".into()
    } else if v.source.starts_with(['.', '/', '~']) {
        "bind".into()
    } else {
        "volume".into()
    };
    Ok(v)
}

fn parse_long(at: &At<'_>, entry: &J, ip: &[String]) -> R<Volume> {
    check(
        at,
        entry,
        ip,
        &[
            "type",
            "source",
            "target",
            "read_only",
            "consistency",
            "bind",
            "volume",
            "tmpfs",
        ],
    )?;
    let field = |k: &str| -> R<String> {
        entry
            .get(k)
            .map(|x| string(at, x, &p(ip, k)))
            .transpose()
            .map(Option::unwrap_or_default)
    };
    let mut v = Volume {
        typ: field("type")?,
        source: field("source")?,
        target: field("target")?,
        consistency: field("consistency")?,
        ..Default::default()
    };
    if v.typ.is_empty() {
        return Err(missing(at, ip, "type"));
    }
    if let Some(ro) = entry.get("read_only") {
        v.read_only = boolean(at, ro, &p(ip, "read_only"))?;
    }
    if let Some(b) = entry.get("bind") {
        check(at, b, &p(ip, "bind"), &["propagation"])?;
        v.propagation = Some(
            b.get("propagation")
                .map(|x| string(at, x, &p(&p(ip, "bind"), "propagation")))
                .transpose()?
                .unwrap_or_default(),
        );
    }
    if let Some(vo) = entry.get("volume") {
        check(at, vo, &p(ip, "volume"), &["nocopy"])?;
        v.nocopy = Some(
            vo.get("nocopy")
                .map(|x| boolean(at, x, &p(&p(ip, "volume"), "nocopy")))
                .transpose()?
                .unwrap_or(false),
        );
    }
    if let Some(t) = entry.get("tmpfs") {
        check(at, t, &p(ip, "tmpfs"), &["size"])?;
        v.tmpfs_size = Some(
            t.get("size")
                .map(|x| size(at, x, &p(&p(ip, "tmpfs"), "size")))
                .transpose()?
                .unwrap_or(0),
        );
    }
    Ok(v)
}

/// `path` joined to `base` and made clean, as Go's `filepath.Join` does (`.` and `..` resolved
/// by their names, no file system access).
pub fn join_clean(base: &Path, path: &str) -> PathBuf {
    let mut out = PathBuf::new();
    for c in base.join(path).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// The mounts of one service.
pub fn mounts(
    at: &At<'_>,
    stack: &str,
    v: &J,
    path: &[String],
    volumes: &J,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> R<Vec<J>> {
    let Some(items) = v.as_array() else {
        return Err(bad(at, path, "list", v));
    };
    let mut out = Vec::new();
    for (i, entry) in items.iter().enumerate() {
        let ip = item(path, i);
        let vol = if entry.is_object() {
            parse_long(at, entry, &ip)?
        } else {
            let s = string(at, entry, &ip)?;
            parse_short(&s).map_err(|e| at.err(&ip, e))?
        };
        let mut m = json!({ "Type": vol.typ, "Target": vol.target });
        if !vol.source.is_empty() {
            m["Source"] = J::String(vol.source.clone());
        }
        if vol.read_only {
            m["ReadOnly"] = J::Bool(true);
        }
        if !vol.consistency.is_empty() {
            m["Consistency"] = J::String(vol.consistency.clone());
        }
        match vol.typ.as_str() {
            "bind" => bind(at, &vol, &ip, lookup, &mut m)?,
            "volume" => volume(at, stack, &vol, entry.is_object(), &ip, volumes, &mut m)?,
            "tmpfs" => {
                if !vol.source.is_empty() {
                    return Err(at.err(&ip, crate::tr!("stack.tmpfs_source")));
                }
                if vol.nocopy.is_some() {
                    return Err(incompatible(at, &vol, &ip, "volume"));
                }
                if vol.propagation.is_some() {
                    return Err(incompatible(at, &vol, &ip, "bind"));
                }
                if let Some(sz) = vol.tmpfs_size {
                    m["TmpfsOptions"] = json!({ "SizeBytes": sz });
                }
            }
            "npipe" => {
                if vol.source.is_empty() {
                    return Err(missing(at, &ip, "source"));
                }
                if let Some(prop) = vol.propagation {
                    m["BindOptions"] = json!({ "Propagation": prop });
                }
            }
            other => {
                return Err(bad(
                    at,
                    &p(&ip, "type"),
                    "mount type (volume, bind, tmpfs, npipe)",
                    &J::String(other.into()),
                ));
            }
        }
        out.push(m);
    }
    Ok(out)
}

/// A bind mount: the source made absolute (`~` is HOME, relative paths the compose file's).
fn bind(
    at: &At<'_>,
    vol: &Volume,
    ip: &[String],
    lookup: &dyn Fn(&str) -> Option<String>,
    m: &mut J,
) -> R<()> {
    if vol.nocopy.is_some() {
        return Err(incompatible(at, vol, ip, "volume"));
    }
    if vol.tmpfs_size.is_some() {
        return Err(incompatible(at, vol, ip, "tmpfs"));
    }
    if vol.source.is_empty() {
        return Err(missing(at, ip, "source"));
    }
    // `~` is the HOME of the environment; relative paths are the compose file's.
    let mut src = vol.source.clone();
    if src.starts_with('~')
        && let Some(home) = lookup("HOME")
    {
        src = src.replacen('~', &home, 1);
    }
    if !src.starts_with('/') {
        src = join_clean(at.dir, &src).display().to_string();
    }
    m["Source"] = J::String(src);
    if let Some(prop) = &vol.propagation {
        m["BindOptions"] = json!({ "Propagation": prop });
    }
    Ok(())
}

/// A volume mount: an anonymous one as it is, a named one by its stack name, with the volume's
/// labels and driver unless it is external.
fn volume(
    at: &At<'_>,
    stack: &str,
    vol: &Volume,
    long: bool,
    ip: &[String],
    volumes: &J,
    m: &mut J,
) -> R<()> {
    if vol.tmpfs_size.is_some() {
        return Err(incompatible(at, vol, ip, "tmpfs"));
    }
    if vol.propagation.is_some() && long {
        return Err(incompatible(at, vol, ip, "bind"));
    }
    if vol.source.is_empty() {
        return Ok(());
    }
    let Some(def) = volumes.get(&vol.source) else {
        return Err(at.err(ip, crate::tr!("stack.undefined_volume", name = vol.source)));
    };
    let def = Some(def).filter(|d| !d.is_null());
    let (name, external) = object_name(stack, &vol.source, def);
    m["Source"] = J::String(name);
    let mut opts = json!({});
    if let Some(nc) = vol.nocopy {
        opts["NoCopy"] = J::Bool(nc);
    }
    if !external {
        let vp = vec!["volumes".to_string(), vol.source.clone()];
        let l = labels(at, def.and_then(|d| d.get("labels")), &p(&vp, "labels"))?;
        opts["Labels"] = json!(with_stack(l, stack));
        let driver = def
            .and_then(|d| d.get("driver"))
            .map(|d| string(at, d, &p(&vp, "driver")))
            .transpose()?
            .unwrap_or_default();
        let driver_opts = def.and_then(|d| d.get("driver_opts"));
        if !driver.is_empty() || driver_opts.is_some() {
            let o = string_map(at, driver_opts, &p(&vp, "driver_opts"))?;
            let mut dc = json!({ "Options": o });
            if !driver.is_empty() {
                dc["Name"] = J::String(driver);
            }
            opts["DriverConfig"] = dc;
        }
    }
    m["VolumeOptions"] = opts;
    Ok(())
}

/// Options of another mount type on this one.
fn incompatible(at: &At<'_>, vol: &Volume, ip: &[String], what: &str) -> StackError {
    at.err(
        ip,
        crate::tr!(
            "stack.mount_options",
            options = what,
            kind = vol.typ.as_str()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_volumes_read_as_the_cli_reads_them() {
        let v = parse_short("./static:/var/www/html:ro,rshared").unwrap();
        assert_eq!(
            (v.typ.as_str(), v.source.as_str(), v.target.as_str()),
            ("bind", "./static", "/var/www/html")
        );
        assert!(v.read_only);
        assert_eq!(v.propagation.as_deref(), Some("rshared"));
        let v = parse_short("data:/data:nocopy").unwrap();
        assert_eq!((v.typ.as_str(), v.nocopy), ("volume", Some(true)));
        let v = parse_short("/data").unwrap();
        assert_eq!(
            (v.typ.as_str(), v.source.as_str(), v.target.as_str()),
            ("volume", "", "/data")
        );
        assert!(
            parse_short("a:b:c:d")
                .unwrap_err()
                .contains("too many colons")
        );
        assert!(parse_short("a::b").unwrap_err().contains("empty section"));
    }

    #[test]
    fn relative_paths_join_the_compose_files_folder() {
        let base = Path::new("/labs/semana-3");
        assert_eq!(join_clean(base, "."), PathBuf::from("/labs/semana-3"));
        assert_eq!(
            join_clean(base, "./static"),
            PathBuf::from("/labs/semana-3/static")
        );
        assert_eq!(
            join_clean(base, "../shared/x"),
            PathBuf::from("/labs/shared/x")
        );
        assert_eq!(join_clean(base, "/etc/nginx"), PathBuf::from("/etc/nginx"));
    }
}
