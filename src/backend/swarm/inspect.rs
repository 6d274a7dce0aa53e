//! `inspect`: one object as the engine returned it, the same JSON `docker inspect` prints. On
//! sockets and plain TCP the engine's own bytes are read (bollard's types drop fields they do
//! not know); on TLS endpoints bollard's types stand in.

use super::{Swarm, engine_error};
use crate::backend::{Error, find_by_name};
use crate::model::inspect::{Inspected, Kind, changes, mask};
use crate::tr;
use serde_json::Value;

/// The kinds a swarm has, in the order a bare name is looked for (as `docker inspect` does,
/// services before tasks before nodes...).
const ORDER: [Kind; 8] = [
    Kind::Service,
    Kind::Task,
    Kind::Node,
    Kind::Network,
    Kind::Volume,
    Kind::Secret,
    Kind::Config,
    Kind::Image,
];

/// The engine's path for an object (`docker service inspect` asks for the defaults filled in).
fn path(kind: Kind, id: &str) -> Option<String> {
    Some(match kind {
        Kind::Service => format!("/services/{id}?insertDefaults=true"),
        Kind::Task => format!("/tasks/{id}"),
        Kind::Node => format!("/nodes/{id}"),
        Kind::Image => format!("/images/{id}/json"),
        Kind::Network => format!("/networks/{id}"),
        Kind::Volume => format!("/volumes/{id}"),
        Kind::Secret => format!("/secrets/{id}"),
        Kind::Config => format!("/configs/{id}"),
        _ => return None,
    })
}

impl Swarm {
    pub(super) async fn inspect(
        &self,
        kind: Option<Kind>,
        name: &str,
        show_secrets: bool,
    ) -> Result<Inspected, Error> {
        let kinds: Vec<Kind> = match kind {
            Some(k) if path(k, name).is_some() => vec![k],
            Some(k) => {
                let word = match k {
                    Kind::Object => name.split('/').next().unwrap_or(name),
                    k => k.word(),
                };
                return Err(Error::Refused(tr!("inspect.kind_not_here", kind = word)));
            }
            None => ORDER.to_vec(),
        };
        for k in kinds {
            // Tasks are known to the engine by ID only: `gopenux_backend.1` is looked up first.
            let id = if k == Kind::Task {
                match find_by_name(self.instances().await?, name, "kind.task", |i| {
                    (&i.name, &i.id)
                }) {
                    Ok(t) => t.id,
                    Err(Error::NotFound { .. }) => continue,
                    Err(e) => return Err(e),
                }
            } else {
                name.to_string()
            };
            if let Some(object) = self.fetch(k, &id).await? {
                return self.describe(k, name, object, show_secrets).await;
            }
        }
        Err(Error::NotFound {
            kind: kind.map(Kind::catalog_key).unwrap_or("kind.object"),
            name: name.to_string(),
            suggestion: None,
        })
    }

    /// The object, or `None` when the engine has none by that name (404).
    pub(super) async fn fetch(&self, kind: Kind, id: &str) -> Result<Option<Value>, Error> {
        let Some(p) = path(kind, id) else {
            return Ok(None);
        };
        if id.contains('/') && kind != Kind::Image || id.contains(['?', '#', ' ']) {
            return Ok(None);
        }
        if let Some(r) = super::raw::request(&self.wire(), "GET", &p, &[]).await {
            let r = r.map_err(|e| Error::engine(e.to_string()))?;
            let status = r.status;
            let text = r.text().await.map_err(|e| Error::engine(e.to_string()))?;
            return match status {
                200 => serde_json::from_str(&text)
                    .map(Some)
                    .map_err(|e| Error::engine(e.to_string())),
                404 => Ok(None),
                _ => Err(Error::engine(crate::sanitize::one_line(
                    serde_json::from_str::<Value>(&text)
                        .ok()
                        .and_then(|v| v["message"].as_str().map(str::to_string))
                        .as_deref()
                        .unwrap_or(&text),
                ))),
            };
        }
        // TLS: through bollard's types.
        let d = self.docker();
        let typed = match kind {
            Kind::Service => {
                let o = bollard::query_parameters::InspectServiceOptions {
                    insert_defaults: true,
                };
                d.inspect_service(id, Some(o))
                    .await
                    .map(serde_json::to_value)
            }
            Kind::Task => d.inspect_task(id).await.map(serde_json::to_value),
            Kind::Node => d.inspect_node(id).await.map(serde_json::to_value),
            Kind::Image => d.inspect_image(id).await.map(serde_json::to_value),
            Kind::Network => d.inspect_network(id, None).await.map(serde_json::to_value),
            Kind::Volume => d.inspect_volume(id).await.map(serde_json::to_value),
            Kind::Secret => d.inspect_secret(id).await.map(serde_json::to_value),
            Kind::Config => d.inspect_config(id).await.map(serde_json::to_value),
            _ => return Ok(None),
        };
        match typed {
            Ok(v) => v.map(Some).map_err(|e| Error::engine(e.to_string())),
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            }) => Ok(None),
            Err(e) => Err(engine_error(e)),
        }
    }

    /// The last hour's events about one object, oldest first, as lines.
    async fn recent_events(&self, what: &str, id: &str) -> Vec<String> {
        let (tx, mut rx) = tokio::sync::mpsc::channel(16);
        let since = crate::time::now() - 3600;
        let collect = async move {
            let mut lines = Vec::new();
            while let Some(batch) = rx.recv().await {
                let batch: Vec<crate::model::events::ClusterEvent> = batch;
                for e in batch {
                    lines.push(e.line(&crate::time::format_clock(e.time)));
                }
            }
            lines
        };
        let (r, lines) = tokio::join!(self.events(since, false, Some((what, id)), tx), collect);
        if let Err(e) = r {
            tracing::debug!(error = %e, "no events for inspect");
        }
        lines
    }

    /// A service without the defaults filled in.
    async fn service_as_sent(&self, id: &str) -> Result<Value, Error> {
        if let Some(v) = super::raw::get_json(&self.wire(), &format!("/services/{id}")).await {
            return Ok(v);
        }
        let o = bollard::query_parameters::InspectServiceOptions {
            insert_defaults: false,
        };
        let s = self
            .docker()
            .inspect_service(id, Some(o))
            .await
            .map_err(engine_error)?;
        serde_json::to_value(s).map_err(|e| Error::engine(e.to_string()))
    }

    /// What helps to read the object: a service's last update, an image's layers, a config's
    /// content, the names of what a service uses.
    async fn describe(
        &self,
        kind: Kind,
        asked: &str,
        mut object: Value,
        show_secrets: bool,
    ) -> Result<Inspected, Error> {
        let mut found = Inspected {
            kind,
            name: object_name(kind, &object).unwrap_or_else(|| asked.to_string()),
            object: Value::Null,
            changes: vec![],
            status: None,
            sections: vec![],
            links: vec![],
        };
        match kind {
            Kind::Service => {
                // What changed, from the specs as they were sent: the defaults `docker service
                // inspect` fills in are in Spec but not in PreviousSpec.
                let id = object["ID"].as_str().unwrap_or(asked).to_string();
                let plain = self.service_as_sent(&id).await?;
                if let Some(prev) = plain.get("PreviousSpec") {
                    found.changes = changes(prev, &plain["Spec"]);
                }
                if let Some(u) = object.get("UpdateStatus") {
                    let state = u["State"].as_str().unwrap_or("");
                    let msg = u["Message"].as_str().unwrap_or("");
                    found.status = Some(crate::sanitize::one_line(format!("{state} {msg}").trim()));
                }
                // Networks are named by ID in the spec: by their names here.
                let mut links = service_links(&object["Spec"]);
                for (kind, name) in links.iter_mut() {
                    if *kind == Kind::Network
                        && let Ok(Some(n)) = self.fetch(Kind::Network, name).await
                        && let Some(real) = n["Name"].as_str()
                    {
                        *name = crate::sanitize::one_line(real);
                    }
                }
                found.links = links;
            }
            Kind::Task => {
                let st = &object["Status"];
                let mut s = format!(
                    "{} ({})",
                    st["State"].as_str().unwrap_or(""),
                    st["Message"].as_str().unwrap_or("")
                );
                if let Some(e) = st["Err"].as_str() {
                    s.push_str(&format!(": {e}"));
                }
                if let Some(code) = st["ContainerStatus"]["ExitCode"].as_i64() {
                    s.push_str(&format!(" · {}", tr!("inspect.exit", code = code)));
                }
                // The node by its name, not only its ID.
                if let Some(node) = object["NodeID"].as_str()
                    && let Ok(Some(n)) = self.fetch(Kind::Node, node).await
                    && let Some(host) = n["Description"]["Hostname"].as_str()
                {
                    s.push_str(&format!(" · {} {host}", tr!("inspect.on_node")));
                }
                found.status = Some(crate::sanitize::one_line(&s));
            }
            Kind::Image => {
                let id = object["Id"].as_str().unwrap_or(asked).to_string();
                if let Ok(layers) = self.docker().image_history(&id).await {
                    let lines = layers
                        .iter()
                        .map(|l| {
                            format!(
                                "{:>10}  {}",
                                crate::model::human_size(l.size.max(0) as u64),
                                crate::sanitize::one_line(&l.created_by)
                            )
                        })
                        .collect();
                    found.sections.push((tr!("inspect.layers"), lines));
                }
            }
            Kind::Config => {
                if let Some(text) = object["Spec"]["Data"]
                    .as_str()
                    .and_then(|d| {
                        use base64::Engine as _;
                        base64::engine::general_purpose::STANDARD.decode(d).ok()
                    })
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                {
                    found.sections.push((
                        tr!("inspect.content"),
                        text.lines().map(crate::sanitize::one_line).collect(),
                    ));
                }
            }
            _ => {}
        }
        // What the engine remembers happening to it in the last hour.
        let about = match kind {
            Kind::Service => Some(("service", object["ID"].as_str())),
            Kind::Node => Some(("node", object["ID"].as_str())),
            Kind::Task => Some(("container", object["ID"].as_str())),
            Kind::Network => Some(("network", object["Id"].as_str())),
            _ => None,
        };
        if let Some((what, Some(id))) = about {
            found
                .sections
                .push((tr!("inspect.events"), self.recent_events(what, id).await));
        }
        if !show_secrets {
            mask(&mut object);
        }
        found.object = object;
        Ok(found)
    }
}

/// The name an object goes by, from the engine's JSON.
fn object_name(kind: Kind, v: &Value) -> Option<String> {
    let s = match kind {
        Kind::Service | Kind::Secret | Kind::Config => v["Spec"]["Name"].as_str(),
        Kind::Node => v["Description"]["Hostname"].as_str(),
        Kind::Image => v["RepoTags"][0].as_str().or(v["Id"].as_str()),
        Kind::Network | Kind::Volume => v["Name"].as_str(),
        Kind::Task => v["ID"].as_str(),
        _ => None,
    }?;
    Some(crate::sanitize::one_line(s))
}

/// The networks, secrets and configs a service spec names.
fn service_links(spec: &Value) -> Vec<(Kind, String)> {
    let mut out = Vec::new();
    let t = &spec["TaskTemplate"];
    for n in t["Networks"].as_array().into_iter().flatten() {
        if let Some(id) = n["Target"].as_str() {
            out.push((Kind::Network, id.to_string()));
        }
    }
    for (key, kind, field) in [
        ("Secrets", Kind::Secret, "SecretName"),
        ("Configs", Kind::Config, "ConfigName"),
    ] {
        for s in t["ContainerSpec"][key].as_array().into_iter().flatten() {
            if let Some(name) = s[field].as_str() {
                out.push((kind, name.to_string()));
            }
        }
    }
    out
}
