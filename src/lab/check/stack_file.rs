//! The stack file a student writes (SEMANA 3 step 4, SEMANA 4 step 5), read as `deploy` reads
//! it: services, published ports, named volumes, internal and separate networks, limits,
//! placement by label, the variables a database needs. Each miss is named with its service.

use super::*;
use crate::stack::facts::{ServiceFacts, StackFacts};
use crate::tr;

/// The verdict on a stack file: every miss, in words, or a pass.
pub fn stack_file(c: &StackFileCheck, probed: Option<&Probed>) -> Verdict {
    let facts = match probed.map(|p| p.stacks.get(&c.file)) {
        None | Some(None) => return not_probed(),
        Some(Some(Err(e))) => return Verdict::Fail(e.clone()),
        Some(Some(Ok(f))) => f,
    };
    let misses = misses(c, facts);
    if misses.is_empty() {
        Verdict::Pass
    } else {
        Verdict::Fail(misses.join("; "))
    }
}

fn misses(c: &StackFileCheck, facts: &StackFacts) -> Vec<String> {
    let file = &c.file;
    let mut out = vec![];
    let get = |s: &str| facts.services.get(s);
    for s in &c.services {
        if get(s).is_none() {
            out.push(tr!("check.sf_no_service", file = file, service = s));
        }
    }
    for (s, ports) in &c.publish {
        let Some(f) = get(s) else { continue };
        for p in ports.iter().filter(|p| !f.published.contains(p)) {
            out.push(tr!("check.sf_publish", file = file, service = s, port = p));
        }
    }
    if let Some(only) = &c.only_published {
        for (s, f) in &facts.services {
            if !f.published.is_empty() && !only.contains(s) {
                let ports: Vec<String> = f.published.iter().map(u64::to_string).collect();
                out.push(tr!(
                    "check.sf_publishes",
                    file = file,
                    service = s,
                    ports = ports.join(", ")
                ));
            }
        }
    }
    for s in &c.volumes {
        if get(s).is_some_and(|f| f.volumes.is_empty()) {
            out.push(tr!("check.sf_volume", file = file, service = s));
        }
    }
    for s in &c.internal {
        if let Some(f) = get(s)
            && (f.networks.is_empty() || f.networks.values().any(|i| !i))
        {
            out.push(tr!("check.sf_internal", file = file, service = s));
        }
    }
    for (a, b) in &c.apart {
        if let (Some(x), Some(y)) = (get(a), get(b)) {
            let shared = shared(x, y);
            if !shared.is_empty() {
                out.push(tr!(
                    "check.sf_apart",
                    file = file,
                    a = a,
                    b = b,
                    network = shared.join(", ")
                ));
            }
        }
    }
    if c.limits {
        for s in facts
            .services
            .iter()
            .filter(|(_, f)| !f.limits)
            .map(|(s, _)| s)
        {
            out.push(tr!("check.sf_limits", file = file, service = s));
        }
    }
    for (s, label) in &c.placement {
        let (k, v) = label.split_once('=').unwrap_or((label, ""));
        if get(s).is_some_and(|f| !placed(f, k, v)) {
            out.push(tr!(
                "check.sf_placement",
                file = file,
                service = s,
                label = label
            ));
        }
    }
    for (s, vars) in &c.env {
        let Some(f) = get(s) else { continue };
        for v in vars {
            if !f.env.contains(v) && !f.env.contains(&format!("{v}_FILE")) {
                out.push(tr!("check.sf_env", file = file, service = s, var = v));
            }
        }
    }
    out
}

/// The networks two services share (the default network counts: services with no networks
/// are on it together).
fn shared(x: &ServiceFacts, y: &ServiceFacts) -> Vec<String> {
    if x.networks.is_empty() && y.networks.is_empty() {
        return vec!["default".into()];
    }
    x.networks
        .keys()
        .filter(|n| y.networks.contains_key(*n))
        .cloned()
        .collect()
}

/// Whether a constraint places the service on nodes labelled `key=value`.
fn placed(f: &ServiceFacts, key: &str, value: &str) -> bool {
    f.constraints.iter().any(|c| {
        let c: String = c.chars().filter(|ch| !ch.is_whitespace()).collect();
        c == format!("node.labels.{key}=={value}")
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    fn svc(published: &[u64], nets: &[(&str, bool)], limits: bool) -> ServiceFacts {
        ServiceFacts {
            published: published.iter().copied().collect(),
            networks: nets.iter().map(|(n, i)| (n.to_string(), *i)).collect(),
            limits,
            ..Default::default()
        }
    }

    #[test]
    fn each_miss_names_the_file_and_the_service() {
        let mut mongo = svc(&[27017], &[("web", false)], false);
        mongo.constraints = vec!["node.labels.app==database".into()];
        mongo.env = BTreeSet::from(["MONGO_INITDB_ROOT_USERNAME_FILE".to_string()]);
        let facts = StackFacts {
            services: BTreeMap::from([
                ("frontend".to_string(), svc(&[80], &[("web", false)], true)),
                ("mongo".to_string(), mongo),
            ]),
        };
        let c = StackFileCheck {
            file: "stack.yml".into(),
            services: vec!["frontend".into(), "mongo".into(), "redis".into()],
            publish: BTreeMap::from([("frontend".to_string(), vec![80, 443])]),
            only_published: Some(vec!["frontend".into()]),
            volumes: vec!["mongo".into()],
            internal: vec!["mongo".into()],
            apart: vec![("frontend".into(), "mongo".into())],
            limits: true,
            placement: BTreeMap::from([("mongo".to_string(), "app=database".to_string())]),
            env: BTreeMap::from([(
                "mongo".to_string(),
                vec![
                    "MONGO_INITDB_ROOT_USERNAME".to_string(),
                    "MONGO_INITDB_ROOT_PASSWORD".to_string(),
                ],
            )]),
        };
        let m = misses(&c, &facts);
        assert_eq!(m.len(), 8, "{m:#?}");
        let all = m.join("\n");
        for word in [
            "redis",
            "443",
            "mongo publishes 27017",
            "named volume",
            "internal",
            "web",
            "limits",
            "MONGO_INITDB_ROOT_PASSWORD",
        ] {
            assert!(all.contains(word), "{word}: {all}");
        }
        assert!(m.iter().all(|l| l.starts_with("stack.yml")), "{m:?}");
    }
}
