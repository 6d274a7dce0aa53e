//! The stack's own objects, as `docker stack deploy` makes them: secrets and configs read from
//! their files (or a secret driver), and the networks its services use, named `<stack>_<key>`
//! unless `name:` is set; external ones must exist.

use super::spec::{At, FileObject, StackSpec};
use super::values::{R, bad, boolean, check, kv, labels, p, string, string_map, with_stack};
use serde_json::{Map, Value as J, json};
use std::collections::BTreeMap;

/// An object's name (`name:`, the deprecated `external.name`, or `<stack>_<key>`) and whether
/// it is external.
pub fn object_name(stack: &str, key: &str, def: Option<&J>) -> (String, bool) {
    let external = def
        .and_then(|d| d.get("external"))
        .is_some_and(|e| e.as_bool().unwrap_or(false) || e.is_object());
    let explicit = def
        .and_then(|d| d.get("name"))
        .and_then(J::as_str)
        .map(str::to_string);
    let ext_name = def
        .and_then(|d| d.get("external"))
        .and_then(|e| e.get("name"))
        .and_then(J::as_str)
        .map(str::to_string);
    match (external, explicit.or(ext_name)) {
        (_, Some(n)) => (n, external),
        (true, None) => (key.to_string(), true),
        (false, None) => (format!("{stack}_{key}"), false),
    }
}

/// The CLI's warning for `external: {name: …}` (compose 3.5 and later): `name:` replaced it.
fn external_name_warning(kind: &str, key: &str, def: &J, version: &str, spec: &mut StackSpec) {
    let deprecated = def.get("external").and_then(|e| e.get("name")).is_some();
    if deprecated && version_at_least(version, 3, 5) {
        spec.warnings.push(format!(
            "{kind} {key}: {kind}.external.name is deprecated in favor of {kind}.name"
        ));
    }
}

/// Whether a compose `version` (empty: the newest, 3.13) is at least `major.minor`.
fn version_at_least(version: &str, major: u32, minor: u32) -> bool {
    if version.is_empty() || version == "3" || version == "3.x" {
        return true;
    }
    let mut parts = version.split('.').map(|n| n.parse::<u32>().unwrap_or(0));
    let v = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    v >= (major, minor)
}

/// Secrets and configs the stack creates (external ones must exist and are not read).
pub fn objects(at: &At<'_>, stack: &str, top: &J, spec: &mut StackSpec) -> R<()> {
    let version = top
        .get("version")
        .and_then(J::as_str)
        .unwrap_or("")
        .to_string();
    for (section, secret) in [("secrets", true), ("configs", false)] {
        let Some(m) = top.get(section).and_then(J::as_object) else {
            continue;
        };
        let kind = if secret { "secret" } else { "config" };
        for (key, def) in m {
            let path = vec![section.to_string(), key.clone()];
            let allowed: &[&str] = if secret {
                &[
                    "file",
                    "external",
                    "labels",
                    "name",
                    "template_driver",
                    "driver",
                    "driver_opts",
                ]
            } else {
                &["file", "external", "labels", "name", "template_driver"]
            };
            check(at, def, &path, allowed)?;
            external_name_warning(kind, key, def, &version, spec);
            let (name, external) = object_name(stack, key, Some(def));
            if external {
                continue;
            }
            let object = file_object(at, stack, kind, section, key, def, &path)?;
            if secret {
                spec.secrets.insert(name, object);
            } else {
                spec.configs.insert(name, object);
            }
        }
    }
    for (section, allowed) in [
        (
            "networks",
            &[
                "driver",
                "driver_opts",
                "ipam",
                "external",
                "internal",
                "attachable",
                "labels",
                "name",
            ][..],
        ),
        (
            "volumes",
            &[
                "driver",
                "driver_opts",
                "external",
                "labels",
                "name",
                "x-cluster-spec",
            ][..],
        ),
    ] {
        if let Some(m) = top.get(section).and_then(J::as_object) {
            for (key, def) in m {
                check(at, def, &[section.into(), key.clone()], allowed)?;
                let kind = &section[..section.len() - 1];
                external_name_warning(kind, key, def, &version, spec);
            }
        }
    }
    Ok(())
}

/// A secret or config the stack creates: its labels, template driver, and content read from
/// its file (or a secret driver with its options).
fn file_object(
    at: &At<'_>,
    stack: &str,
    kind: &str,
    section: &str,
    key: &str,
    def: &J,
    path: &[String],
) -> R<FileObject> {
    let l = with_stack(labels(at, def.get("labels"), &p(path, "labels"))?, stack);
    let templating = def
        .get("template_driver")
        .map(|t| string(at, t, &p(path, "template_driver")))
        .transpose()?
        .filter(|t| !t.is_empty());
    let driver = def
        .get("driver")
        .map(|d| string(at, d, &p(path, "driver")))
        .transpose()?
        .filter(|d| !d.is_empty());
    Ok(match driver {
        Some(driver) => {
            if def.get("file").is_some() {
                return Err(at.err(
                    &p(path, "driver"),
                    crate::tr!("stack.driver_and_file", kind = kind, name = key),
                ));
            }
            let opts = string_map(at, def.get("driver_opts"), &p(path, "driver_opts"))?;
            FileObject {
                labels: l,
                data: Vec::new(),
                templating,
                driver: Some((driver, opts)),
            }
        }
        None => {
            let Some(file) = def.get("file") else {
                return Err(at.err(path, crate::tr!("stack.needs_file", kind = section)));
            };
            let file = string(at, file, &p(path, "file"))?;
            let full = at.dir.join(&file);
            let data = std::fs::read(&full).map_err(|e| {
                at.err(
                    &p(path, "file"),
                    crate::tr!("stack.read_file", file = full.display(), error = e),
                )
            })?;
            FileObject {
                labels: l,
                data,
                templating,
                driver: None,
            }
        }
    })
}

fn network_request(at: &At<'_>, stack: &str, name: &str, def: Option<&J>, path: &[String]) -> R<J> {
    let mut n = json!({ "Name": name, "Driver": "overlay", "Scope": "swarm" });
    let mut l = BTreeMap::new();
    if let Some(d) = def {
        if let Some(driver) = d.get("driver") {
            let driver = string(at, driver, &p(path, "driver"))?;
            if !driver.is_empty() {
                n["Driver"] = J::String(driver);
            }
        }
        if let Some(o) = d.get("driver_opts") {
            let opts: BTreeMap<String, String> = kv(at, o, &p(path, "driver_opts"), '=')?
                .into_iter()
                .map(|(k, v)| (k, v.unwrap_or_default()))
                .collect();
            n["Options"] = json!(opts);
        }
        for (flag, key) in [("internal", "Internal"), ("attachable", "Attachable")] {
            if let Some(v) = d.get(flag) {
                n[key] = J::Bool(boolean(at, v, &p(path, flag))?);
            }
        }
        if let Some(ipam) = d.get("ipam") {
            let ip = p(path, "ipam");
            check(at, ipam, &ip, &["driver", "config"])?;
            let mut out = Map::new();
            if let Some(drv) = ipam.get("driver") {
                out.insert(
                    "Driver".into(),
                    J::String(string(at, drv, &p(&ip, "driver"))?),
                );
            }
            if let Some(cfg) = ipam.get("config") {
                let items = cfg
                    .as_array()
                    .ok_or_else(|| bad(at, &p(&ip, "config"), "list", cfg))?;
                let mut configs = Vec::new();
                for (i, c) in items.iter().enumerate() {
                    let cp = p(&p(&ip, "config"), &format!("[{i}]"));
                    check(at, c, &cp, &["subnet"])?;
                    if let Some(s) = c.get("subnet") {
                        configs.push(json!({ "Subnet": string(at, s, &p(&cp, "subnet"))? }));
                    }
                }
                if !configs.is_empty() {
                    out.insert("Config".into(), J::Array(configs));
                }
            }
            if !out.is_empty() {
                n["IPAM"] = J::Object(out);
            }
        }
        l = labels(at, d.get("labels"), &p(path, "labels"))?;
    }
    n["Labels"] = json!(with_stack(l, stack));
    Ok(n)
}

/// The networks the services use, to create (the stack's own) or require (external ones).
pub fn used_networks(at: &At<'_>, stack: &str, top: &J, spec: &mut StackSpec) -> R<()> {
    let networks = top.get("networks").cloned().unwrap_or(J::Null);
    let mut used: Vec<String> = Vec::new();
    for svc in spec.services.values() {
        for n in svc["TaskTemplate"]["Networks"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if let Some(t) = n["Target"].as_str() {
                used.push(t.to_string());
            }
        }
    }
    let keys: Vec<String> = networks
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    for key in keys
        .iter()
        .map(String::as_str)
        .chain(std::iter::once("default"))
    {
        let def = networks.get(key).filter(|d| !d.is_null());
        let (name, external) = object_name(stack, key, def);
        if !used.contains(&name) {
            continue;
        }
        if external {
            if !spec.external_networks.contains(&name) {
                spec.external_networks.push(name);
            }
        } else if let std::collections::btree_map::Entry::Vacant(slot) =
            spec.networks.entry(name.clone())
        {
            slot.insert(network_request(
                at,
                stack,
                &name,
                def,
                &["networks".into(), key.into()],
            )?);
        }
    }
    Ok(())
}

/// Networks that are not user-defined (`host`, `bridge`, `none`, `container:…`) take no aliases.
pub fn user_defined(network: &str) -> bool {
    !matches!(network, "default" | "bridge" | "host" | "none") && !network.starts_with("container:")
}
