//! Loading compose files the way `docker stack deploy` does: parse (anchors, `<<` merges),
//! interpolate from the environment, check every key (unknown keys are errors with file, line
//! and column; keys swarm ignores give the CLI's warnings), then convert with docker's
//! conventions into Engine API specs (as JSON, in the API's own shape).

use super::interpolate::{InterpolateError, interpolate};
use super::locate::locate;
use super::objects::{objects, used_networks};
use super::service::service;
use super::spec::{At, StackError, StackSpec, valid_stack_name};
use super::values::check;
use serde_json::{Map, Value as J};
use serde_norway::Value as Y;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The unsupported service keys the docker CLI (28) warns about and ignores.
const UNSUPPORTED: &[&str] = &[
    "build",
    "cgroupns_mode",
    "cgroup_parent",
    "devices",
    "domainname",
    "external_links",
    "ipc",
    "links",
    "mac_address",
    "network_mode",
    "pid",
    "privileged",
    "restart",
    "security_opt",
    "shm_size",
    "userns_mode",
];
/// Keys the docker CLI refuses, with its reason.
const FORBIDDEN: &[(&str, &str)] = &[
    ("extends", "Support for `extends` is not implemented yet."),
    (
        "volume_driver",
        "Instead of setting the volume driver on the service, define a volume using the top-level `volumes` option and specify the driver there.",
    ),
    (
        "volumes_from",
        "To share a volume between services, define it using the top-level `volumes` option and reference it from each service that shares it using the service-level `volumes` option.",
    ),
    ("cpu_quota", "Set resource limits using deploy.resources"),
    ("cpu_shares", "Set resource limits using deploy.resources"),
    ("cpuset", "Set resource limits using deploy.resources"),
    ("mem_limit", "Set resource limits using deploy.resources"),
    (
        "memswap_limit",
        "Set resource limits using deploy.resources",
    ),
];
/// Keys of the compose schema that swarm services have no use for: the docker CLI accepts them
/// and says nothing; estiba says that it ignores them.
const IGNORED: &[&str] = &["depends_on", "tmpfs"];
const DEPRECATED: &[(&str, &str)] = &[
    (
        "container_name",
        "Setting the container name is not supported.",
    ),
    (
        "expose",
        "Exposing ports is unnecessary - services on the same network can access each other's containers on any port.",
    ),
];

const TOP: &[&str] = &[
    "version", "services", "networks", "volumes", "secrets", "configs",
];
/// The service keys of compose file format 3.13 (the newest the docker CLI knows) that
/// estiba converts, besides the unsupported, deprecated and ignored ones.
const SERVICE: &[&str] = &[
    "image",
    "command",
    "entrypoint",
    "environment",
    "env_file",
    "labels",
    "ports",
    "networks",
    "volumes",
    "secrets",
    "configs",
    "deploy",
    "healthcheck",
    "hostname",
    "user",
    "working_dir",
    "stop_grace_period",
    "stop_signal",
    "tty",
    "stdin_open",
    "read_only",
    "init",
    "dns",
    "dns_search",
    "extra_hosts",
    "logging",
    "isolation",
    "credential_spec",
    "cap_add",
    "cap_drop",
    "sysctls",
    "ulimits",
    "oom_score_adj",
];
const DEPLOY: &[&str] = &[
    "mode",
    "replicas",
    "labels",
    "resources",
    "restart_policy",
    "update_config",
    "rollback_config",
    "placement",
    "endpoint_mode",
];

/// One file's text and where it is, for error positions and relative paths.
pub struct Source {
    pub file: String,
    pub text: String,
    pub dir: PathBuf,
}

impl Source {
    /// The converters' view of this file.
    pub fn at(&self) -> At<'_> {
        At {
            file: &self.file,
            text: &self.text,
            dir: &self.dir,
        }
    }
}

struct Ctx<'a> {
    src: &'a Source,
    lookup: &'a dyn Fn(&str) -> Option<String>,
    unset: Vec<String>,
}

impl Ctx<'_> {
    fn err(&self, path: &[String], message: String) -> StackError {
        let (line, col) = locate(&self.src.text, path).unwrap_or((1, 1));
        StackError {
            file: self.src.file.clone(),
            line,
            col,
            path: path.join(".").replace(".[", "["),
            message,
        }
    }
}

fn p(base: &[String], key: &str) -> Vec<String> {
    let mut v = base.to_vec();
    v.push(key.to_string());
    v
}

/// Parses and interpolates one file into a JSON tree (keys as strings).
fn read(
    path: &Path,
    dir: &Path,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<(Source, J, Vec<String>), StackError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| StackError {
        file: file.clone(),
        line: 0,
        col: 0,
        path: String::new(),
        message: e.to_string(),
    })?;
    let src = Source {
        file,
        text,
        dir: dir.to_path_buf(),
    };
    let mut y: Y = serde_norway::from_str(&src.text).map_err(|e| {
        let (line, col) = e
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((1, 1));
        StackError {
            file: src.file.clone(),
            line,
            col,
            path: String::new(),
            message: e.to_string(),
        }
    })?;
    y.apply_merge().map_err(|e| StackError {
        file: src.file.clone(),
        line: 1,
        col: 1,
        path: String::new(),
        message: e.to_string(),
    })?;
    let mut ctx = Ctx {
        src: &src,
        lookup,
        unset: vec![],
    };
    let j = to_json(&y, &[], &mut ctx)?;
    let unset = std::mem::take(&mut ctx.unset);
    if !j.is_object() {
        return Err(ctx.err(&[], crate::tr!("stack.not_mapping")));
    }
    Ok((src, j, unset))
}

/// YAML → JSON with every string interpolated (keys are not).
fn to_json(y: &Y, path: &[String], ctx: &mut Ctx<'_>) -> Result<J, StackError> {
    Ok(match y {
        Y::Null => J::Null,
        Y::Bool(b) => J::Bool(*b),
        Y::Number(n) => serde_json::to_value(n).unwrap_or(J::Null),
        Y::String(s)
            if !s.contains('$')
                && let Some(n) = super::values::yaml11_number(s)
                && super::locate::is_plain(&ctx.src.text, path, s) =>
        {
            n
        }
        Y::String(s) => {
            let lookup = ctx.lookup;
            match interpolate(s, lookup, &mut ctx.unset) {
                Ok(v) => J::String(v),
                Err(InterpolateError::Required { var, message }) => {
                    return Err(ctx.err(
                        path,
                        crate::tr!("stack.required", var = var, message = message),
                    ));
                }
                Err(InterpolateError::Invalid { template }) => {
                    return Err(ctx.err(path, crate::tr!("stack.template", template = template)));
                }
            }
        }
        Y::Sequence(items) => J::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| to_json(v, &p(path, &format!("[{i}]")), ctx))
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                let key = match k {
                    Y::String(s) => s.clone(),
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    _ => return Err(ctx.err(path, crate::tr!("stack.key_type"))),
                };
                let child = to_json(v, &p(path, &key), ctx)?;
                out.insert(key, child);
            }
            J::Object(out)
        }
        Y::Tagged(t) => to_json(&t.value, path, ctx)?,
    })
}

/// The keys the services use that swarm ignores, does not support, or has deprecated: the
/// CLI's warnings, gathered over every service.
#[derive(Default)]
struct Ignored {
    unsupported: std::collections::BTreeSet<&'static str>,
    deprecated: BTreeMap<&'static str, &'static str>,
    ignored: std::collections::BTreeSet<&'static str>,
}

/// The files read in order: their sources, the services merged (with the index of the file
/// that first named each), and each file's top level.
pub struct Read {
    pub sources: Vec<Source>,
    pub services: BTreeMap<String, (usize, J)>,
    pub tops: Vec<J>,
}

impl Read {
    /// The top levels merged, later files winning key by key.
    pub fn top(&self) -> J {
        let mut top = J::Object(Map::new());
        for t in &self.tops {
            merge(&mut top, t);
        }
        top
    }
}

/// Loads, merges (later files override earlier ones, as the CLI merges) and converts.
pub fn load(
    files: &[PathBuf],
    stack: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<StackSpec, StackError> {
    if !valid_stack_name(stack) {
        return Err(StackError {
            file: String::new(),
            line: 0,
            col: 0,
            path: String::new(),
            message: crate::tr!("stack.bad_name", name = stack),
        });
    }
    let mut spec = StackSpec {
        name: stack.to_string(),
        ..Default::default()
    };
    let read = read_all(files, lookup, TOP, true, &mut spec.warnings)?;
    // Top-level networks, volumes, secrets, configs: later files win, key by key.
    let top = read.top();
    let last = read.sources.len() - 1;
    let ctx = Ctx {
        src: &read.sources[last],
        lookup,
        unset: vec![],
    };
    objects(&ctx_ref(&ctx), stack, &top, &mut spec)?;
    let mut ignored = Ignored::default();
    for (key, (k, s)) in &read.services {
        let ctx = Ctx {
            src: &read.sources[*k],
            lookup,
            unset: vec![],
        };
        let path = vec!["services".to_string(), key.clone()];
        check_service(&ctx, s, &path, &mut ignored)?;
        let service = service(&ctx_ref(&ctx), stack, key, s, &path, &top, lookup)?;
        spec.services.insert(key.clone(), service);
    }
    used_networks(&ctx_ref(&ctx), stack, &top, &mut spec)?;
    warn(ignored, &mut spec.warnings);
    Ok(spec)
}

/// Reads each file (interpolated, its unset variables warned of), checks its top-level keys
/// (`top`) and version, and merges its services over the earlier files'. `deploy` and
/// `compose` share it: one parser, one interpolation, one set of errors.
pub fn read_all(
    files: &[PathBuf],
    lookup: &dyn Fn(&str) -> Option<String>,
    top: &[&str],
    refuse_old_formats: bool,
    warnings: &mut Vec<String>,
) -> Result<Read, StackError> {
    // Relative paths (bind mounts, env files, secrets) are the first file's folder's, for every
    // file, as the docker CLI's working directory.
    let dir = files
        .first()
        .and_then(|f| std::path::absolute(f).ok())
        .and_then(|f| f.parent().map(Path::to_path_buf))
        .unwrap_or_default();
    let mut read = Read {
        sources: Vec::new(),
        services: BTreeMap::new(),
        tops: Vec::new(),
    };
    for (k, f) in files.iter().enumerate() {
        let (src, j, unset) = self::read(f, &dir, lookup)?;
        for v in unset {
            warnings.push(crate::tr!("stack.unset", var = v));
        }
        let ctx = Ctx {
            src: &src,
            lookup,
            unset: vec![],
        };
        check_keys(&ctx, &j, &[], top)?;
        if let Some(v) = j.get("version").and_then(J::as_str)
            && refuse_old_formats
            && !(v.starts_with('3') || v.is_empty())
        {
            return Err(ctx.err(
                &["version".into()],
                crate::tr!("stack.version", version = v),
            ));
        }
        if let Some(services) = j.get("services").and_then(J::as_object) {
            for (name, s) in services {
                match read.services.get_mut(name) {
                    Some((_, base)) => merge(base, s),
                    None => {
                        read.services.insert(name.clone(), (k, s.clone()));
                    }
                }
            }
        }
        read.sources.push(src);
        read.tops.push(j);
    }
    Ok(read)
}

/// A service's keys: refused ones are errors, ignored ones noted for the warnings.
fn check_service(
    ctx: &Ctx<'_>,
    s: &J,
    path: &[String],
    found: &mut Ignored,
) -> Result<(), StackError> {
    let Some(obj) = s.as_object() else {
        return Err(ctx.err(path, crate::tr!("stack.expected_mapping")));
    };
    for u in UNSUPPORTED.iter().filter(|u| obj.contains_key(**u)) {
        found.unsupported.insert(*u);
    }
    for (d, why) in DEPRECATED.iter().filter(|(d, _)| obj.contains_key(*d)) {
        found.deprecated.insert(*d, *why);
    }
    if let Some((k, why)) = FORBIDDEN.iter().find(|(f, _)| obj.contains_key(*f)) {
        return Err(ctx.err(
            &p(path, k),
            crate::tr!("stack.forbidden", key = k, why = why),
        ));
    }
    for i in IGNORED.iter().filter(|i| obj.contains_key(**i)) {
        found.ignored.insert(*i);
    }
    let allowed: Vec<&str> = SERVICE
        .iter()
        .chain(UNSUPPORTED)
        .chain(IGNORED)
        .chain(DEPRECATED.iter().map(|(d, _)| d))
        .copied()
        .collect();
    check_keys(ctx, s, path, &allowed)?;
    if let Some(d) = s.get("deploy") {
        check_keys(ctx, d, &p(path, "deploy"), DEPLOY)?;
    }
    Ok(())
}

/// The CLI's warnings for the keys swarm does not use, in its words and order.
fn warn(found: Ignored, warnings: &mut Vec<String>) {
    if !found.unsupported.is_empty() {
        warnings.push(format!(
            "Ignoring unsupported options: {}",
            found.unsupported.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    if !found.ignored.is_empty() {
        warnings.push(crate::tr!(
            "stack.ignored",
            keys = found.ignored.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    if !found.deprecated.is_empty() {
        let lines: Vec<String> = found
            .deprecated
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        warnings.push(format!(
            "Ignoring deprecated options:\n\n{}",
            lines.join("\n")
        ));
    }
}

fn ctx_ref<'a>(c: &'a Ctx<'_>) -> At<'a> {
    At {
        file: &c.src.file,
        text: &c.src.text,
        dir: &c.src.dir,
    }
}

fn check_keys(ctx: &Ctx<'_>, v: &J, path: &[String], allowed: &[&str]) -> Result<(), StackError> {
    check(&ctx_ref(ctx), v, path, allowed)
}

/// Merges `over` into `base` as the CLI merges compose files: mappings key by key, the rest
/// replaced.
pub fn merge(base: &mut J, over: &J) {
    match (base, over) {
        (J::Object(b), J::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(k) {
                    Some(existing) if existing.is_object() && v.is_object() => merge(existing, v),
                    _ => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, o) => *b = o.clone(),
    }
}

#[cfg(test)]
mod tests;
