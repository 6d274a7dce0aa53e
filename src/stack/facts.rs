//! A stack file as a lab's checks read it: for each service, what it publishes, the named
//! volumes it mounts, its networks (and which are internal), its limits, placement, environment
//! and secrets. Taken from the deploy's own conversion ([`super::load`]), so a file the lab
//! passes is a file `deploy` takes, and a file it refuses fails with the same file:line.

use super::StackSpec;
use serde_json::Value as J;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The stack name the facts are read under (it prefixes network and volume names).
const NAME: &str = "lab";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceFacts {
    pub published: BTreeSet<u64>,
    /// Named volumes (the file's names, without the stack's prefix).
    pub volumes: BTreeSet<String>,
    /// Networks (the file's names) and whether each is internal.
    pub networks: BTreeMap<String, bool>,
    /// CPU or memory limits are set.
    pub limits: bool,
    /// Placement constraints, as written (`node.labels.app == api`).
    pub constraints: Vec<String>,
    /// Environment variable names.
    pub env: BTreeSet<String>,
    /// Secrets (the file's names).
    pub secrets: BTreeSet<String>,
}

/// Each service of the file, by its key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StackFacts {
    pub services: BTreeMap<String, ServiceFacts>,
}

fn unprefixed(name: &str) -> String {
    name.strip_prefix(&format!("{NAME}_"))
        .unwrap_or(name)
        .to_string()
}

fn strings<'a>(v: &'a J, key: &str) -> impl Iterator<Item = &'a J> + 'a {
    v[key]
        .as_array()
        .into_iter()
        .flatten()
        .chain(std::iter::empty())
}

fn service(spec: &StackSpec, s: &J) -> ServiceFacts {
    let task = &s["TaskTemplate"];
    let c = &task["ContainerSpec"];
    let limits = &task["Resources"]["Limits"];
    ServiceFacts {
        published: strings(&s["EndpointSpec"], "Ports")
            .filter_map(|p| p["PublishedPort"].as_u64())
            .collect(),
        volumes: strings(c, "Mounts")
            .filter(|m| m["Type"] == "volume")
            .filter_map(|m| m["Source"].as_str())
            .map(unprefixed)
            .collect(),
        networks: strings(task, "Networks")
            .filter_map(|n| n["Target"].as_str())
            .map(|n| {
                let internal = spec.networks.get(n).is_some_and(|d| d["Internal"] == true);
                (unprefixed(n), internal)
            })
            .collect(),
        limits: limits["NanoCPUs"].as_i64().is_some_and(|n| n > 0)
            || limits["MemoryBytes"].as_i64().is_some_and(|n| n > 0),
        constraints: strings(&task["Placement"], "Constraints")
            .filter_map(|c| c.as_str().map(str::to_string))
            .collect(),
        env: strings(c, "Env")
            .filter_map(|e| e.as_str())
            .map(|e| e.split('=').next().unwrap_or(e).to_string())
            .collect(),
        secrets: strings(c, "Secrets")
            .filter_map(|s| s["SecretName"].as_str())
            .map(unprefixed)
            .collect(),
    }
}

/// Reads `file` as `deploy` would. An unset variable reads as its name in lower case
/// (`${REGISTRY}/api` is `registry/api`), so the file's shape is checked without the student's
/// environment; other errors are the loader's, with file and line.
pub fn read(file: &Path) -> Result<StackFacts, String> {
    let lookup = |k: &str| std::env::var(k).ok().or_else(|| Some(k.to_lowercase()));
    let spec = super::load(&[file.to_path_buf()], NAME, &lookup).map_err(|e| e.to_string())?;
    Ok(StackFacts {
        services: spec
            .services
            .iter()
            .map(|(k, s)| (k.clone(), service(&spec, s)))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_semana_4_solution_reads_as_its_checks_need() {
        let d = tempfile::tempdir().unwrap();
        for (f, t) in [
            (
                "stack.yml",
                include_str!("../../presets/semana-4/solution/stack.yml"),
            ),
            ("nginx.conf", "server {}\n"),
            ("secrets/mongo_user.txt", "u\n"),
            ("secrets/mongo_password.txt", "p\n"),
            ("certs/fullchain.pem", "c\n"),
            ("certs/key.pem", "k\n"),
        ] {
            let p = d.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, t).unwrap();
        }
        let f = read(&d.path().join("stack.yml")).unwrap();
        let mongo = &f.services["mongo"];
        assert!(mongo.published.is_empty() && mongo.limits);
        assert_eq!(mongo.volumes, BTreeSet::from(["mongo_data".to_string()]));
        assert_eq!(
            mongo.networks,
            BTreeMap::from([("database".to_string(), true)])
        );
        assert_eq!(mongo.constraints, ["node.labels.app == database"]);
        assert!(mongo.env.contains("MONGO_INITDB_ROOT_PASSWORD_FILE"));
        assert!(mongo.secrets.contains("mongo_password"));
        assert_eq!(f.services["ingress"].published, BTreeSet::from([80, 443]));
        std::fs::write(
            d.path().join("stack.yml"),
            "services:\n  a:\n    imagen: x\n",
        )
        .unwrap();
        let e = read(&d.path().join("stack.yml")).unwrap_err();
        assert!(e.contains("stack.yml:3"), "{e}");
    }
}
