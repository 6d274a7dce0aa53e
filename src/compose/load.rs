//! A compose project from its files, as `docker compose` finds and reads it: the default file
//! names, the project name (`-p`, `COMPOSE_PROJECT_NAME`, `name:`, the folder), the `.env` file
//! (or `--env-file`) under the shell's environment, profiles, the services asked for with their
//! dependencies, and the networks and volumes they use.

use super::service::{self, KEYS, UNSUPPORTED};
use super::{NamedVolume, Network, Project, normalize_name, valid_name};
use crate::stack::load::{Read, read_all};
use crate::stack::spec::{At, StackError};
use crate::stack::values::{R, boolean, check, p, string, string_map};
use serde_json::Value as J;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The file names `docker compose` looks for, in its order.
pub const DEFAULT_FILES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
];

const TOP: &[&str] = &["version", "name", "services", "networks", "volumes"];
const TOP_UNSUPPORTED: &[&str] = &["secrets", "configs", "include", "models"];

/// What `docker compose` takes before its command: `-f`, `-p`, `--env-file`, `--profile`, and
/// the services named after it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    pub files: Vec<String>,
    pub project: Option<String>,
    pub env_files: Vec<String>,
    pub profiles: Vec<String>,
    pub services: Vec<String>,
}

fn file_error(file: &str, message: String) -> StackError {
    StackError {
        file: file.to_string(),
        line: 0,
        col: 0,
        path: String::new(),
        message,
    }
}

/// The files to read: `-f` ones, else the first default name found in `cwd`.
fn files(opts: &Options, cwd: &Path) -> R<Vec<PathBuf>> {
    if !opts.files.is_empty() {
        return Ok(opts.files.iter().map(|f| cwd.join(f)).collect());
    }
    DEFAULT_FILES
        .iter()
        .map(|f| cwd.join(f))
        .find(|f| f.is_file())
        .map(|f| vec![f])
        .ok_or_else(|| {
            file_error(
                &cwd.display().to_string(),
                crate::tr!("compose.no_file", names = DEFAULT_FILES.join(", ")),
            )
        })
}

/// The project's environment: the shell's, over the `.env` file (or the `--env-file` ones).
fn environment(
    opts: &Options,
    dir: &Path,
    cwd: &Path,
    shell: &dyn Fn(&str) -> Option<String>,
) -> R<(BTreeMap<String, String>, Vec<String>)> {
    let (paths, named): (Vec<PathBuf>, bool) = if opts.env_files.is_empty() {
        (vec![dir.join(".env")], false)
    } else {
        (opts.env_files.iter().map(|f| cwd.join(f)).collect(), true)
    };
    let mut vars = BTreeMap::new();
    let mut used = Vec::new();
    for path in paths {
        let shown = path.display().to_string();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(_) if !named => continue,
            Err(e) => {
                return Err(file_error(
                    &shown,
                    crate::tr!("stack.read_file", file = shown, error = e),
                ));
            }
        };
        let lookup = |k: &str| shell(k).or_else(|| vars.get(k).cloned());
        let parsed =
            super::dotenv::parse_with(&text, &shown, &lookup).map_err(|m| file_error(&shown, m))?;
        vars.extend(parsed);
        if named {
            used.push(
                std::path::absolute(&path)
                    .unwrap_or(path)
                    .display()
                    .to_string(),
            );
        }
    }
    Ok((vars, used))
}

/// The project a `compose` command names, read from the current folder with the process's
/// environment, as `docker compose` reads it.
pub fn from_spec(spec: &crate::model::compose::ComposeSpec) -> R<Project> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let opts = Options {
        files: spec.files.clone(),
        project: spec.project.clone(),
        env_files: spec.env_files.clone(),
        profiles: spec.profiles.clone(),
        services: spec.services.clone(),
    };
    load(&opts, &cwd, &|k| std::env::var(k).ok())
}

/// Reads and checks a project. `cwd` resolves relative `-f` and `--env-file` paths; `shell` is
/// the process environment.
pub fn load(opts: &Options, cwd: &Path, shell: &dyn Fn(&str) -> Option<String>) -> R<Project> {
    let files = files(opts, cwd)?;
    let first = files.first().cloned().unwrap_or_default();
    let dir = std::path::absolute(&first)
        .ok()
        .and_then(|f| f.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| cwd.to_path_buf());
    let (dotenv, env_files) = environment(opts, &dir, cwd, shell)?;
    let lookup = |k: &str| shell(k).or_else(|| dotenv.get(k).cloned());
    let mut warnings = Vec::new();
    let all: Vec<&str> = TOP.iter().chain(TOP_UNSUPPORTED).copied().collect();
    let read = read_all(&files, &lookup, &all, false, &mut warnings)?;
    let top = read.top();
    let last = &read.sources[read.sources.len() - 1];
    if let Some(k) = TOP_UNSUPPORTED.iter().find(|k| top.get(**k).is_some()) {
        return Err(last.at().err(
            &[k.to_string()],
            crate::tr!("compose.unsupported_key", key = k),
        ));
    }
    let name = project_name(opts, &top, &dir, &lookup, &last.at())?;
    let active: Vec<String> = if opts.profiles.is_empty() {
        lookup("COMPOSE_PROFILES")
            .map(|p| p.split(',').map(str::trim).map(String::from).collect())
            .unwrap_or_default()
    } else {
        opts.profiles.clone()
    };
    let mut services = BTreeMap::new();
    for (key, (k, s)) in &read.services {
        let at = read.sources[*k].at();
        let path = vec!["services".to_string(), key.clone()];
        check_service(&at, s, &path)?;
        let svc = service::read(&at, key, s, &path, &lookup)?;
        let enabled = svc.profiles.is_empty()
            || svc.profiles.iter().any(|p| active.contains(p) || p == "*")
            || active.iter().any(|a| a == "*")
            || opts.services.contains(key);
        if enabled {
            services.insert(key.clone(), svc);
        }
    }
    select(&read, opts, &mut services)?;
    let mut project = Project {
        name,
        working_dir: dir.display().to_string(),
        config_files: files
            .iter()
            .map(|f| {
                std::path::absolute(f)
                    .unwrap_or(f.clone())
                    .display()
                    .to_string()
            })
            .collect(),
        env_files,
        services,
        warnings,
        ..Default::default()
    };
    objects(&read, &top, &mut project)?;
    Ok(project)
}

fn check_service(at: &At<'_>, s: &J, path: &[String]) -> R<()> {
    let Some(obj) = s.as_object() else {
        return Err(at.err(path, crate::tr!("stack.expected_mapping")));
    };
    if let Some(k) = obj.keys().find(|k| UNSUPPORTED.contains(&k.as_str())) {
        return Err(at.err(&p(path, k), crate::tr!("compose.unsupported_key", key = k)));
    }
    check(at, s, path, KEYS)
}

fn project_name(
    opts: &Options,
    top: &J,
    dir: &Path,
    lookup: &dyn Fn(&str) -> Option<String>,
    at: &At<'_>,
) -> R<String> {
    let from_file = top.get("name").map(|n| string(at, n, &["name".into()]));
    let name = match (&opts.project, lookup("COMPOSE_PROJECT_NAME")) {
        (Some(p), _) => p.clone(),
        (None, Some(env)) if !env.is_empty() => env,
        _ => match from_file.transpose()? {
            Some(n) => normalize_name(&n),
            None => normalize_name(
                &dir.file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default(),
            ),
        },
    };
    if !valid_name(&name) {
        return Err(file_error(
            at.file,
            crate::tr!("compose.bad_project", name = name),
        ));
    }
    Ok(name)
}

/// Keeps the services asked for (and what they depend on); checks every dependency exists and
/// that none depends on itself through others.
fn select(read: &Read, opts: &Options, services: &mut BTreeMap<String, service::Service>) -> R<()> {
    let at_of = |name: &str| {
        read.services
            .get(name)
            .map(|(k, _)| read.sources[*k].at())
            .unwrap_or_else(|| read.sources[0].at())
    };
    for s in &opts.services {
        if !services.contains_key(s) {
            return Err(file_error(
                &read.sources[0].file,
                crate::tr!("compose.no_service", name = s),
            ));
        }
    }
    for s in services.values() {
        for d in &s.depends_on {
            if d.required && !services.contains_key(&d.service) {
                let path = vec!["services".into(), s.name.clone(), "depends_on".into()];
                return Err(at_of(&s.name).err(
                    &path,
                    crate::tr!("compose.missing_dep", service = s.name, dep = d.service),
                ));
            }
        }
    }
    if let Some(cycle) = find_cycle(services) {
        let first = cycle.first().cloned().unwrap_or_default();
        let path = vec!["services".into(), first.clone(), "depends_on".into()];
        return Err(at_of(&first).err(
            &path,
            crate::tr!("compose.cycle", services = cycle.join(" → ")),
        ));
    }
    if !opts.services.is_empty() {
        let mut keep: BTreeSet<String> = BTreeSet::new();
        let mut todo: Vec<String> = opts.services.clone();
        while let Some(s) = todo.pop() {
            if keep.insert(s.clone())
                && let Some(svc) = services.get(&s)
            {
                todo.extend(svc.depends_on.iter().map(|d| d.service.clone()));
            }
        }
        services.retain(|k, _| keep.contains(k));
    }
    Ok(())
}

/// A dependency loop, as the services along it (the first repeated at the end).
fn find_cycle(services: &BTreeMap<String, service::Service>) -> Option<Vec<String>> {
    fn visit(
        name: &str,
        services: &BTreeMap<String, service::Service>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = stack.iter().position(|s| s == name) {
            let mut cycle = stack[i..].to_vec();
            cycle.push(name.to_string());
            return Some(cycle);
        }
        if done.contains(name) {
            return None;
        }
        stack.push(name.to_string());
        for d in services
            .get(name)
            .map(|s| s.depends_on.as_slice())
            .unwrap_or(&[])
        {
            if let Some(c) = visit(&d.service, services, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(name.to_string());
        None
    }
    let mut done = BTreeSet::new();
    services
        .keys()
        .find_map(|k| visit(k, services, &mut Vec::new(), &mut done))
}

/// The networks and named volumes the services use, from the top-level definitions.
fn objects(read: &Read, top: &J, project: &mut Project) -> R<()> {
    let last = &read.sources[read.sources.len() - 1];
    let at = last.at();
    for s in project.services.values() {
        let sp = |k: &str| vec!["services".to_string(), s.name.clone(), k.to_string()];
        for key in s.networks.keys() {
            if project.networks.contains_key(key) {
                continue;
            }
            let def = top.get("networks").and_then(|n| n.get(key));
            if def.is_none() && key != "default" {
                return Err(at.err(
                    &sp("networks"),
                    crate::tr!("compose.undefined_network", service = s.name, name = key),
                ));
            }
            let n = network(&at, &project.name, key, def)?;
            project.networks.insert(key.clone(), n);
        }
        for v in s.volumes.iter().filter(|v| v.typ == "volume") {
            if v.source.is_empty() || project.volumes.contains_key(&v.source) {
                continue;
            }
            let Some(def) = top.get("volumes").and_then(|n| n.get(&v.source)) else {
                return Err(at.err(
                    &sp("volumes"),
                    crate::tr!(
                        "compose.undefined_volume",
                        service = s.name,
                        name = v.source
                    ),
                ));
            };
            let vol = named_volume(&at, &project.name, &v.source, def)?;
            project.volumes.insert(v.source.clone(), vol);
        }
    }
    Ok(())
}

fn external(at: &At<'_>, def: &J, path: &[String]) -> R<bool> {
    def.get("external")
        .map(|e| boolean(at, e, &p(path, "external")))
        .transpose()
        .map(|e| e.unwrap_or(false))
}

fn network(at: &At<'_>, project: &str, key: &str, def: Option<&J>) -> R<Network> {
    let path = vec!["networks".to_string(), key.to_string()];
    let def = def.cloned().unwrap_or(J::Null);
    if !def.is_null() {
        check(
            at,
            &def,
            &path,
            &[
                "name",
                "driver",
                "driver_opts",
                "internal",
                "attachable",
                "labels",
                "external",
                "ipam",
            ],
        )?;
    }
    let field = |k: &str| service::opt_string(at, &def, &path, k);
    let flag = |k: &str| -> R<bool> {
        def.get(k)
            .map(|v| boolean(at, v, &p(&path, k)))
            .transpose()
            .map(|b| b.unwrap_or(false))
    };
    let is_external = external(at, &def, &path)?;
    let name = field("name")?;
    let mut n = Network {
        key: key.to_string(),
        name: match (name.is_empty(), is_external) {
            (false, _) => name,
            (true, true) => key.to_string(),
            (true, false) => format!("{project}_{key}"),
        },
        external: is_external,
        driver: field("driver")?,
        driver_opts: string_map(at, def.get("driver_opts"), &p(&path, "driver_opts"))?,
        internal: flag("internal")?,
        attachable: flag("attachable")?,
        labels: string_map(at, def.get("labels"), &p(&path, "labels"))?,
        ..Default::default()
    };
    if let Some(ipam) = def.get("ipam") {
        let ip = p(&path, "ipam");
        check(at, ipam, &ip, &["driver", "config"])?;
        n.ipam_driver = ipam
            .get("driver")
            .map(|d| string(at, d, &p(&ip, "driver")))
            .transpose()?
            .unwrap_or_default();
        for (i, c) in ipam
            .get("config")
            .and_then(J::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let cp = crate::stack::values::item(&p(&ip, "config"), i);
            check(at, c, &cp, &["subnet", "gateway"])?;
            let get = |k: &str| -> R<String> {
                c.get(k)
                    .map(|v| string(at, v, &p(&cp, k)))
                    .transpose()
                    .map(Option::unwrap_or_default)
            };
            n.ipam_config.push((get("subnet")?, get("gateway")?));
        }
    }
    Ok(n)
}

fn named_volume(at: &At<'_>, project: &str, key: &str, def: &J) -> R<NamedVolume> {
    let path = vec!["volumes".to_string(), key.to_string()];
    if def.is_null() {
        return Ok(NamedVolume {
            key: key.into(),
            name: format!("{project}_{key}"),
            ..Default::default()
        });
    }
    check(
        at,
        def,
        &path,
        &["name", "driver", "driver_opts", "labels", "external"],
    )?;
    let field = |k: &str| service::opt_string(at, def, &path, k);
    let is_external = external(at, def, &path)?;
    let name = field("name")?;
    Ok(NamedVolume {
        key: key.into(),
        name: match (name.is_empty(), is_external) {
            (false, _) => name,
            (true, true) => key.to_string(),
            (true, false) => format!("{project}_{key}"),
        },
        external: is_external,
        driver: field("driver")?,
        driver_opts: string_map(at, def.get("driver_opts"), &p(&path, "driver_opts"))?,
        labels: string_map(at, def.get("labels"), &p(&path, "labels"))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(files: &[(&str, &str)], opts: Options) -> R<Project> {
        let dir = std::env::temp_dir().join(format!(
            "estiba-compose-{}-{}",
            std::process::id(),
            files[0].1.len()
        ));
        let dir = dir.join("p1");
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in files {
            std::fs::write(dir.join(name), text).unwrap();
        }
        let r = load(&opts, &dir, &|_| None);
        std::fs::remove_dir_all(dir.parent().unwrap()).unwrap();
        r
    }

    const P1: &str = "services:\n  web:\n    image: estiba-test/busybox:latest\n    command: sh -c \"httpd -f -p 8080\"\n    environment:\n      A: \"1\"\n      B:\n    ports:\n      - \"18080:8080\"\n    volumes:\n      - data:/data\n    networks:\n      front:\n        aliases: [www]\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n      interval: 5s\n    restart: unless-stopped\n    labels:\n      team: ops\n    depends_on:\n      db:\n        condition: service_started\n  db:\n    image: estiba-test/busybox:latest\n    command: [\"sleep\", \"1000\"]\n    deploy:\n      replicas: 2\nvolumes:\n  data:\nnetworks:\n  front:\n";

    /// The hashes docker compose v5.6.0 stamped on this project (`tests/compose.rs` checks the
    /// whole containers against the real thing; these keep the model honest without an engine).
    #[test]
    fn hashes_are_docker_composes() {
        let p = project(&[("compose.yaml", P1)], Options::default()).unwrap();
        assert_eq!(p.name, "p1");
        assert_eq!(
            super::super::hash::service(&p.services["db"]),
            "7865439c83a993851d467d2f1775f0f846c31822293bf7472b07b69c5729daca"
        );
        assert_eq!(p.services["db"].replicas(), 2);
        assert_eq!(
            super::super::hash::network(&p.networks["default"]),
            "a269f79b885737ba9d363e096b178f9ff899b76b38ce24bb5ba4aaf48d7a9cab"
        );
        assert_eq!(
            super::super::hash::network(&p.networks["front"]),
            "b8aa5bf0008c4bf44d9a10bdfd99556f739b58032e167d314d56ff206801664c"
        );
        assert_eq!(
            super::super::hash::volume(&p.volumes["data"]),
            "3bc4623c1b89b8c38ed5766bf5190ce58547bf3b97ad78014292f8b328cb786e"
        );
        let order: Vec<&str> = p.start_order().iter().map(|s| s.name.as_str()).collect();
        assert_eq!(order, ["db", "web"]);
    }

    #[test]
    fn bad_projects_are_refused_with_where() {
        let cycle = "services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on: [a]\n";
        let e = project(&[("compose.yaml", cycle)], Options::default()).unwrap_err();
        assert!(e.message.contains("a → b → a"), "{e}");
        assert_eq!(e.line, 4);
        let unknown = "services:\n  a:\n    image: x\n    imagen: y\n";
        let e = project(&[("compose.yaml", unknown)], Options::default()).unwrap_err();
        assert_eq!((e.line, e.path.as_str()), (4, "services.a.imagen"));
        let unsupported = "services:\n  a:\n    image: x\n    links: [b]\n";
        let e = project(&[("compose.yaml", unsupported)], Options::default()).unwrap_err();
        assert!(e.message.contains("links"), "{e}");
        let net = "services:\n  a:\n    image: x\n    networks: [back]\n";
        let e = project(&[("compose.yaml", net)], Options::default()).unwrap_err();
        assert!(e.message.contains("back"), "{e}");
        let e = project(&[("other.yaml", "services: {}\n")], Options::default()).unwrap_err();
        assert!(e.message.contains("compose.yaml"), "{e}");
    }

    #[test]
    fn names_env_and_profiles_follow_compose() {
        let text = "name: Explicit\nservices:\n  a:\n    image: busybox:${TAG}\n  dbg:\n    image: x\n    profiles: [debug]\n";
        let p = project(
            &[("compose.yaml", text), (".env", "TAG=1.2\n")],
            Options::default(),
        )
        .unwrap();
        assert_eq!(p.name, "explicit");
        assert_eq!(p.services["a"].image, "busybox:1.2");
        assert!(!p.services.contains_key("dbg"));
        let p = project(
            &[
                ("compose.yaml", text),
                (".env", "COMPOSE_PROJECT_NAME=fromenv\n"),
            ],
            Options {
                profiles: vec!["debug".into()],
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(p.name, "fromenv");
        assert!(p.services.contains_key("dbg"));
        let p = project(
            &[("compose.yaml", text)],
            Options {
                project: Some("given".into()),
                services: vec!["a".into()],
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(p.name, "given");
        assert_eq!(p.services.keys().collect::<Vec<_>>(), ["a"]);
    }
}
