//! A FAKE Kubernetes API server, for tests only: no Kubernetes API server can be installed on
//! these machines. It is not Kubernetes; it serves, over real HTTP, the parts of the API that
//! estiba's kube client uses, with their real shapes:
//!
//! - list with `resourceVersion`, label and field selectors; watch streams (ADDED, MODIFIED,
//!   DELETED, BOOKMARK), replayed from a resourceVersion, and `410 Gone` for one that is too old
//!   (after [`FakeKube::compact`]), which makes clients list again;
//! - get, create, replace (with resourceVersion conflicts: 409), patch (merge, strategic merge
//!   taken as merge, server-side apply taken as merge with its field manager), delete;
//! - the Deployment `scale` subresource, pod `log` (with follow, tailLines, timestamps) and
//!   `eviction`;
//! - a controller that turns Deployments into ReplicaSets (one per pod template, numbered by the
//!   revision annotation) and ReplicaSets into Pods on the schedulable nodes, at once. An image
//!   whose name contains `missing` never pulls: its pods wait in ImagePullBackOff.
//!
//! The kube client code under test is the real one, talking HTTP to this. `FAKE_KUBE_TRACE=1`
//! prints each request it gets, and why a watch was refused.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

/// One stored change, for watches that start from a resourceVersion.
#[derive(Clone, Debug)]
struct Change {
    rv: u64,
    kind: &'static str,
    plural: String,
    namespace: Option<String>,
    object: Value,
}

#[derive(Default)]
struct Store {
    /// (plural, namespace, name) → object.
    objects: BTreeMap<(String, Option<String>, String), Value>,
    rv: u64,
    log: Vec<Change>,
    /// Watches from before this resourceVersion get 410 Gone.
    compacted: u64,
    uid: u64,
}

pub struct FakeKube {
    pub url: String,
    store: Arc<Mutex<Store>>,
    changes: broadcast::Sender<Change>,
    _thread: std::thread::JoinHandle<()>,
}

/// What the API calls each resource: (plural, group/version, kind, namespaced).
const RESOURCES: &[(&str, &str, &str, bool)] = &[
    ("nodes", "v1", "Node", false),
    ("namespaces", "v1", "Namespace", false),
    ("pods", "v1", "Pod", true),
    ("services", "v1", "Service", true),
    ("secrets", "v1", "Secret", true),
    ("configmaps", "v1", "ConfigMap", true),
    ("deployments", "apps/v1", "Deployment", true),
    ("replicasets", "apps/v1", "ReplicaSet", true),
    // Stored and listed, but no controller makes their pods: tests put those in.
    ("statefulsets", "apps/v1", "StatefulSet", true),
    ("daemonsets", "apps/v1", "DaemonSet", true),
];

fn resource(plural: &str) -> Option<(&'static str, &'static str, &'static str, bool)> {
    RESOURCES.iter().find(|r| r.0 == plural).copied()
}

fn status(code: u16, reason: &str, message: &str) -> Response {
    let body = json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": message, "reason": reason, "code": code
    });
    (
        StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn ok_json(v: &Value) -> Response {
    ([("content-type", "application/json")], v.to_string()).into_response()
}

/// RFC 7386: objects merge, `null` removes, anything else replaces.
pub fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn query(uri: &Uri) -> BTreeMap<String, String> {
    uri.query()
        .unwrap_or_default()
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), decode(v)))
        .collect()
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).to_string()
}

/// `a=b,c=d` (labels) or `spec.nodeName=x` (fields) against an object.
fn selected(obj: &Value, labels: Option<&String>, fields: Option<&String>) -> bool {
    let pairs = |s: &String| -> Vec<(String, String)> {
        s.split(',')
            .filter(|p| !p.is_empty())
            .filter_map(|p| {
                p.split_once('=')
                    .map(|(k, v)| (k.trim_end_matches('=').to_string(), v.to_string()))
            })
            .collect()
    };
    let label_ok = labels.is_none_or(|l| {
        pairs(l)
            .iter()
            .all(|(k, v)| obj["metadata"]["labels"][k].as_str() == Some(v))
    });
    let field_ok = fields.is_none_or(|f| {
        pairs(f).iter().all(|(k, v)| {
            let mut cur = obj;
            for part in k.split('.') {
                cur = &cur[part];
            }
            cur.as_str() == Some(v)
        })
    });
    label_ok && field_ok
}

impl Store {
    fn bump(&mut self) -> u64 {
        self.rv += 1;
        self.rv
    }

    fn key(plural: &str, ns: Option<&str>, name: &str) -> (String, Option<String>, String) {
        (plural.to_string(), ns.map(str::to_string), name.to_string())
    }

    /// Stores an object (new or changed) and records the change.
    fn put(
        &mut self,
        plural: &str,
        ns: Option<&str>,
        mut obj: Value,
        tx: &broadcast::Sender<Change>,
    ) -> Value {
        let Some((_, gv, kind, _)) = resource(plural) else {
            return obj;
        };
        let name = obj["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let key = Store::key(plural, ns, &name);
        let existed = self.objects.contains_key(&key);
        let rv = self.bump();
        obj["apiVersion"] = json!(gv);
        obj["kind"] = json!(kind);
        if !existed {
            self.uid += 1;
            obj["metadata"]["uid"] = json!(format!("fake-{:08x}-{}", self.uid, name));
            obj["metadata"]["creationTimestamp"] = json!(now());
            if obj["metadata"]["generation"].is_null() {
                obj["metadata"]["generation"] = json!(1);
            }
        }
        if let Some(n) = ns {
            obj["metadata"]["namespace"] = json!(n);
        }
        obj["metadata"]["resourceVersion"] = json!(rv.to_string());
        self.objects.insert(key, obj.clone());
        let change = Change {
            rv,
            kind: if existed { "MODIFIED" } else { "ADDED" },
            plural: plural.to_string(),
            namespace: ns.map(str::to_string),
            object: obj.clone(),
        };
        self.log.push(change.clone());
        let _ = tx.send(change);
        obj
    }

    fn remove(
        &mut self,
        plural: &str,
        ns: Option<&str>,
        name: &str,
        tx: &broadcast::Sender<Change>,
    ) -> Option<Value> {
        let mut obj = self.objects.remove(&Store::key(plural, ns, name))?;
        let rv = self.bump();
        obj["metadata"]["resourceVersion"] = json!(rv.to_string());
        let change = Change {
            rv,
            kind: "DELETED",
            plural: plural.to_string(),
            namespace: ns.map(str::to_string),
            object: obj.clone(),
        };
        self.log.push(change.clone());
        let _ = tx.send(change);
        Some(obj)
    }

    fn list(&self, plural: &str, ns: Option<&str>) -> Vec<Value> {
        self.objects
            .iter()
            .filter(|((p, n, _), _)| p == plural && (ns.is_none() || n.as_deref() == ns))
            .map(|(_, v)| v.clone())
            .collect()
    }

    fn get(&self, plural: &str, ns: Option<&str>, name: &str) -> Option<Value> {
        self.objects.get(&Store::key(plural, ns, name)).cloned()
    }

    /// Deployments → ReplicaSets → Pods, until nothing changes.
    fn reconcile(&mut self, tx: &broadcast::Sender<Change>) {
        for _ in 0..6 {
            let before = self.rv;
            self.deployments(tx);
            self.services(tx);
            self.replicasets(tx);
            self.statuses(tx);
            if self.rv == before {
                return;
            }
        }
    }

    fn owned_by<'a>(items: &'a [Value], uid: &str) -> Vec<&'a Value> {
        items
            .iter()
            .filter(|o| {
                o["metadata"]["ownerReferences"]
                    .as_array()
                    .is_some_and(|r| r.iter().any(|r| r["uid"].as_str() == Some(uid)))
            })
            .collect()
    }

    fn deployments(&mut self, tx: &broadcast::Sender<Change>) {
        for d in self.list("deployments", None) {
            let ns = d["metadata"]["namespace"]
                .as_str()
                .unwrap_or("default")
                .to_string();
            let name = d["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let uid = d["metadata"]["uid"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let mut template = d["spec"]["template"].clone();
            if let Some(a) = template["metadata"]["annotations"].as_object_mut() {
                a.remove("deployment.kubernetes.io/revision");
            }
            let hash = {
                use std::hash::{Hash, Hasher};
                let mut h = std::collections::hash_map::DefaultHasher::new();
                template.to_string().hash(&mut h);
                format!("{:x}", h.finish())[..10].to_string()
            };
            let sets = self.list("replicasets", Some(&ns));
            let mine = Store::owned_by(&sets, &uid);
            let revision = |rs: &Value| {
                rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
                    .as_str()
                    .and_then(|r| r.parse::<u64>().ok())
                    .unwrap_or(0)
            };
            let top = mine.iter().map(|rs| revision(rs)).max().unwrap_or(0);
            let want = d["spec"]["replicas"].as_u64().unwrap_or(1);
            let current = mine
                .iter()
                .find(|rs| rs["metadata"]["labels"]["pod-template-hash"].as_str() == Some(&hash))
                .map(|rs| (*rs).clone());
            let current_name = format!("{name}-{hash}");
            match current {
                None => {
                    let mut t = template.clone();
                    t["metadata"]["labels"]["pod-template-hash"] = json!(hash);
                    let mut selector = d["spec"]["selector"].clone();
                    selector["matchLabels"]["pod-template-hash"] = json!(hash);
                    let rs = json!({
                        "metadata": {
                            "name": current_name,
                            "labels": t["metadata"]["labels"].clone(),
                            "annotations": {"deployment.kubernetes.io/revision": (top + 1).to_string()},
                            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": name, "uid": uid, "controller": true}]
                        },
                        "spec": {"replicas": want, "selector": selector, "template": t}
                    });
                    self.put("replicasets", Some(&ns), rs, tx);
                }
                Some(mut rs) => {
                    let mut changed = false;
                    if revision(&rs) < top {
                        // Back to an old template (a rollback): it becomes the newest revision.
                        rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] =
                            json!((top + 1).to_string());
                        changed = true;
                    }
                    if rs["spec"]["replicas"].as_u64() != Some(want) {
                        rs["spec"]["replicas"] = json!(want);
                        changed = true;
                    }
                    if changed {
                        self.put("replicasets", Some(&ns), rs, tx);
                    }
                }
            }
            for rs in mine {
                let rs_name = rs["metadata"]["name"].as_str().unwrap_or_default();
                if rs_name != current_name && rs["spec"]["replicas"].as_u64() != Some(0) {
                    let mut rs = rs.clone();
                    rs["spec"]["replicas"] = json!(0);
                    self.put("replicasets", Some(&ns), rs, tx);
                }
            }
        }
        // ReplicaSets whose Deployment is gone go too.
        let deployments: Vec<String> = self
            .list("deployments", None)
            .iter()
            .filter_map(|d| d["metadata"]["uid"].as_str().map(str::to_string))
            .collect();
        for rs in self.list("replicasets", None) {
            let owner = rs["metadata"]["ownerReferences"][0]["uid"]
                .as_str()
                .unwrap_or_default();
            if !owner.is_empty() && !deployments.iter().any(|d| d == owner) {
                let ns = rs["metadata"]["namespace"].as_str().map(str::to_string);
                let name = rs["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                self.remove("replicasets", ns.as_deref(), &name, tx);
            }
        }
    }

    /// Services get a cluster IP, and NodePort ones a port from 30000 up, as the API server gives.
    fn services(&mut self, tx: &broadcast::Sender<Change>) {
        for mut s in self.list("services", None) {
            let mut changed = false;
            if s["spec"]["clusterIP"].is_null() {
                self.uid += 1;
                s["spec"]["clusterIP"] = json!(format!("10.96.0.{}", self.uid % 250 + 2));
                changed = true;
            }
            let node_port = s["spec"]["type"] == "NodePort";
            if let Some(ports) = s["spec"]["ports"].as_array_mut() {
                for p in ports {
                    if node_port && p["nodePort"].is_null() {
                        self.uid += 1;
                        p["nodePort"] = json!(30000 + self.uid % 2767);
                        changed = true;
                    }
                }
            }
            if changed {
                let ns = s["metadata"]["namespace"].as_str().map(str::to_string);
                self.put("services", ns.as_deref(), s, tx);
            }
        }
    }

    fn replicasets(&mut self, tx: &broadcast::Sender<Change>) {
        let nodes: Vec<String> = self
            .list("nodes", None)
            .iter()
            .filter(|n| n["spec"]["unschedulable"].as_bool() != Some(true))
            .filter_map(|n| n["metadata"]["name"].as_str().map(str::to_string))
            .collect();
        let sets = self.list("replicasets", None);
        for rs in &sets {
            let ns = rs["metadata"]["namespace"]
                .as_str()
                .unwrap_or("default")
                .to_string();
            let name = rs["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let uid = rs["metadata"]["uid"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let want = rs["spec"]["replicas"].as_u64().unwrap_or(0) as usize;
            let pods = self.list("pods", Some(&ns));
            let mine: Vec<Value> = Store::owned_by(&pods, &uid).into_iter().cloned().collect();
            if mine.len() > want {
                for p in mine.iter().rev().take(mine.len() - want) {
                    let pname = p["metadata"]["name"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string();
                    self.remove("pods", Some(&ns), &pname, tx);
                }
            }
            for i in mine.len()..want {
                let spec = rs["spec"]["template"]["spec"].clone();
                let image = spec["containers"][0]["image"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                let container = spec["containers"][0]["name"]
                    .as_str()
                    .unwrap_or("main")
                    .to_string();
                let pulls = !image.contains("missing");
                let node = if nodes.is_empty() {
                    None
                } else {
                    Some(nodes[(self.uid as usize + i) % nodes.len()].clone())
                };
                let state = match (&node, pulls) {
                    (Some(_), true) => json!({"running": {"startedAt": now()}}),
                    (Some(_), false) => {
                        json!({"waiting": {"reason": "ImagePullBackOff", "message": format!("Back-off pulling image \"{image}\"")}})
                    }
                    (None, _) => json!({"waiting": {"reason": "ContainerCreating"}}),
                };
                let ready = node.is_some() && pulls;
                let mut spec = spec.clone();
                if let Some(n) = &node {
                    spec["nodeName"] = json!(n);
                }
                self.uid += 1;
                let pod = json!({
                    "metadata": {
                        "name": format!("{name}-{:05x}", (self.uid * 7919) % 0xfffff),
                        "labels": rs["spec"]["template"]["metadata"]["labels"].clone(),
                        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": name, "uid": uid, "controller": true}]
                    },
                    "spec": spec,
                    "status": {
                        "phase": if node.is_some() { "Running" } else { "Pending" },
                        "startTime": now(),
                        "containerStatuses": [{"name": container, "image": image, "imageID": "", "ready": ready, "restartCount": 0, "state": state}]
                    }
                });
                self.put("pods", Some(&ns), pod, tx);
            }
        }
        // Pods whose ReplicaSet is gone go too.
        let live: Vec<String> = sets
            .iter()
            .filter_map(|r| r["metadata"]["uid"].as_str().map(str::to_string))
            .collect();
        for p in self.list("pods", None) {
            let owner = &p["metadata"]["ownerReferences"][0];
            let uid = owner["uid"].as_str().unwrap_or_default();
            if owner["kind"] == "ReplicaSet" && !live.iter().any(|u| u == uid) {
                let ns = p["metadata"]["namespace"].as_str().map(str::to_string);
                let name = p["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                self.remove("pods", ns.as_deref(), &name, tx);
            }
        }
    }

    fn statuses(&mut self, tx: &broadcast::Sender<Change>) {
        let pods = self.list("pods", None);
        let ready =
            |p: &&&Value| p["status"]["containerStatuses"][0]["ready"].as_bool() == Some(true);
        for rs in self.list("replicasets", None) {
            let uid = rs["metadata"]["uid"].as_str().unwrap_or_default();
            let mine = Store::owned_by(&pods, uid);
            let status = json!({"replicas": mine.len(), "readyReplicas": mine.iter().filter(ready).count(), "observedGeneration": rs["metadata"]["generation"]});
            if rs["status"] != status {
                let mut rs = rs.clone();
                rs["status"] = status;
                let ns = rs["metadata"]["namespace"].as_str().map(str::to_string);
                self.put("replicasets", ns.as_deref(), rs, tx);
            }
        }
        let sets = self.list("replicasets", None);
        for d in self.list("deployments", None) {
            let uid = d["metadata"]["uid"].as_str().unwrap_or_default();
            let mine = Store::owned_by(&sets, uid);
            let newest = mine.iter().max_by_key(|rs| {
                rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
                    .as_str()
                    .and_then(|r| r.parse::<u64>().ok())
                    .unwrap_or(0)
            });
            let all: Vec<&Value> = mine
                .iter()
                .flat_map(|rs| {
                    Store::owned_by(&pods, rs["metadata"]["uid"].as_str().unwrap_or_default())
                })
                .collect();
            let updated: Vec<&Value> = newest
                .map(|rs| {
                    Store::owned_by(&pods, rs["metadata"]["uid"].as_str().unwrap_or_default())
                })
                .unwrap_or_default();
            let n_ready = updated.iter().filter(ready).count();
            let status = json!({
                "observedGeneration": d["metadata"]["generation"],
                "replicas": all.len(),
                "updatedReplicas": updated.len(),
                "readyReplicas": n_ready,
                "availableReplicas": n_ready,
                "conditions": [{"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}]
            });
            if d["status"] != status {
                let mut d = d.clone();
                d["status"] = status;
                let ns = d["metadata"]["namespace"].as_str().map(str::to_string);
                self.put("deployments", ns.as_deref(), d, tx);
            }
        }
    }
}

impl FakeKube {
    /// Starts the server on a free port of 127.0.0.1, with namespaces default and kube-system and
    /// the given nodes (the first is the control plane).
    pub fn start(nodes: &[&str]) -> FakeKube {
        let store = Arc::new(Mutex::new(Store::default()));
        let (changes, _) = broadcast::channel(4096);
        let listener =
            std::net::TcpListener::bind("127.0.0.1:0").expect("a port for the fake API server");
        listener.set_nonblocking(true).expect("nonblocking");
        let url = format!("http://{}", listener.local_addr().expect("its address"));
        let server = Arc::new(Server {
            store: store.clone(),
            changes: changes.clone(),
        });
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("a runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                let app = axum::Router::new().fallback(handle).with_state(server);
                let _ = axum::serve(listener, app).await;
            });
        });
        let fake = FakeKube {
            url,
            store,
            changes,
            _thread: thread,
        };
        for ns in ["default", "kube-system"] {
            fake.create(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}));
        }
        for (i, n) in nodes.iter().enumerate() {
            let mut labels = json!({"kubernetes.io/hostname": n});
            if i == 0 {
                labels["node-role.kubernetes.io/control-plane"] = json!("");
            }
            fake.create(json!({
                "apiVersion": "v1", "kind": "Node",
                "metadata": {"name": n, "labels": labels},
                "spec": {},
                "status": {
                    "conditions": [{"type": "Ready", "status": "True"}],
                    "addresses": [{"type": "InternalIP", "address": format!("192.168.49.{}", i + 2)}],
                    "nodeInfo": {"kubeletVersion": "v1.31.0", "architecture": "amd64", "bootID": "", "containerRuntimeVersion": "fake://1", "kernelVersion": "", "kubeProxyVersion": "", "machineID": "", "operatingSystem": "linux", "osImage": "", "systemUUID": ""}
                }
            }));
        }
        fake
    }

    /// Puts an object in as a client's create would (and lets the controller act on it).
    pub fn create(&self, obj: Value) -> Value {
        let plural = RESOURCES
            .iter()
            .find(|r| Some(r.2) == obj["kind"].as_str())
            .map(|r| (r.0, r.3));
        let Some((plural, namespaced)) = plural else {
            panic!("the fake does not serve {}", obj["kind"])
        };
        let ns = namespaced.then(|| {
            obj["metadata"]["namespace"]
                .as_str()
                .unwrap_or("default")
                .to_string()
        });
        let mut s = self.store.lock().unwrap();
        let out = s.put(plural, ns.as_deref(), obj, &self.changes);
        s.reconcile(&self.changes);
        out
    }

    /// What the server has now (for assertions): a copy of an object.
    pub fn get(&self, plural: &str, ns: Option<&str>, name: &str) -> Option<Value> {
        self.store.lock().unwrap().get(plural, ns, name)
    }

    pub fn list(&self, plural: &str, ns: Option<&str>) -> Vec<Value> {
        self.store.lock().unwrap().list(plural, ns)
    }

    /// Forgets the change history: watches from an older resourceVersion get 410 Gone.
    pub fn compact(&self) {
        let mut s = self.store.lock().unwrap();
        // A list now returns this resourceVersion, and a watch from it is fine; older are gone.
        s.compacted = s.rv;
        s.log.clear();
        // Open watches are told too, as an API server does after compaction.
        let _ = self.changes.send(Change {
            rv: 0,
            kind: "ERROR",
            plural: String::new(),
            namespace: None,
            object: Value::Null,
        });
    }

    /// A kubeconfig with contexts `fake` (namespace default), `fake-dev` (namespace
    /// challenge-dev) and `gone` (a server that does not answer).
    pub fn kubeconfig(&self, path: &std::path::Path) {
        let text = format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: fake\nclusters:\n- name: fake\n  cluster:\n    server: {url}\n- name: gone\n  cluster:\n    server: http://127.0.0.1:9\ncontexts:\n- name: fake\n  context:\n    cluster: fake\n    user: student\n    namespace: default\n- name: fake-dev\n  context:\n    cluster: fake\n    user: student\n    namespace: challenge-dev\n- name: gone\n  context:\n    cluster: gone\n    user: student\nusers:\n- name: student\n  user: {{}}\n",
            url = self.url
        );
        std::fs::write(path, text).expect("the kubeconfig");
    }
}

struct Server {
    store: Arc<Mutex<Store>>,
    changes: broadcast::Sender<Change>,
}

async fn handle(
    axum::extract::State(srv): axum::extract::State<Arc<Server>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    if std::env::var_os("FAKE_KUBE_TRACE").is_some() {
        eprintln!(
            "fake-kube: {method} {uri} {}",
            String::from_utf8_lossy(&body)
        );
    }
    if path == "/version" {
        return ok_json(
            &json!({"major": "1", "minor": "31", "gitVersion": "v1.31.0-fake", "gitCommit": "", "gitTreeState": "", "buildDate": "", "goVersion": "", "compiler": "", "platform": "linux/amd64"}),
        );
    }
    let rest = path
        .strip_prefix("/api/v1/")
        .or_else(|| path.strip_prefix("/apis/apps/v1/"));
    let Some(rest) = rest else {
        return status(404, "NotFound", &format!("the fake does not serve {path}"));
    };
    let seg: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    // (plural, namespace, name, subresource)
    let (plural, ns, name, sub) = match seg.as_slice() {
        [p] => (*p, None, None, None),
        ["namespaces", n, p] => (*p, Some(*n), None, None),
        ["namespaces", n, p, name] => (*p, Some(*n), Some(*name), None),
        ["namespaces", n, p, name, sub] => (*p, Some(*n), Some(*name), Some(*sub)),
        [p, name] => (*p, None, Some(*name), None),
        _ => return status(404, "NotFound", &format!("the fake does not serve {path}")),
    };
    let Some((_, gv, kind, namespaced)) = resource(plural) else {
        return status(
            404,
            "NotFound",
            &format!("the server could not find the requested resource ({plural})"),
        );
    };
    let q = query(&uri);
    let ns = if namespaced { ns } else { None };
    if namespaced
        && let Some(n) = ns
        && method != Method::GET
        && srv
            .store
            .lock()
            .unwrap()
            .get("namespaces", None, n)
            .is_none()
    {
        return status(404, "NotFound", &format!("namespaces \"{n}\" not found"));
    }
    match (method.clone(), name, sub) {
        (Method::GET, None, None)
            if matches!(q.get("watch").map(String::as_str), Some("true" | "1")) =>
        {
            watch(&srv, plural, ns, &q)
        }
        (Method::GET, None, None) => {
            let s = srv.store.lock().unwrap();
            let items: Vec<Value> = s
                .list(plural, ns)
                .into_iter()
                .filter(|o| selected(o, q.get("labelSelector"), q.get("fieldSelector")))
                .collect();
            ok_json(
                &json!({"apiVersion": gv, "kind": format!("{kind}List"), "metadata": {"resourceVersion": s.rv.to_string()}, "items": items}),
            )
        }
        (Method::GET, Some(n), None) => match srv.store.lock().unwrap().get(plural, ns, n) {
            Some(o) => ok_json(&o),
            None => status(404, "NotFound", &format!("{plural} \"{n}\" not found")),
        },
        (Method::POST, None, None) => {
            let Ok(mut obj) = serde_json::from_slice::<Value>(&body) else {
                return status(400, "BadRequest", "the body is not JSON");
            };
            let n = obj["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let mut s = srv.store.lock().unwrap();
            if s.get(plural, ns, &n).is_some() {
                return status(
                    409,
                    "AlreadyExists",
                    &format!("{plural} \"{n}\" already exists"),
                );
            }
            obj["metadata"]
                .as_object_mut()
                .map(|m| m.remove("resourceVersion"));
            let out = s.put(plural, ns, obj, &srv.changes);
            s.reconcile(&srv.changes);
            (
                StatusCode::CREATED,
                [("content-type", "application/json")],
                out.to_string(),
            )
                .into_response()
        }
        (Method::PUT, Some(n), None) => {
            let Ok(mut obj) = serde_json::from_slice::<Value>(&body) else {
                return status(400, "BadRequest", "the body is not JSON");
            };
            let mut s = srv.store.lock().unwrap();
            let Some(cur) = s.get(plural, ns, n) else {
                return status(404, "NotFound", &format!("{plural} \"{n}\" not found"));
            };
            if obj["metadata"]["resourceVersion"] != cur["metadata"]["resourceVersion"] {
                return status(
                    409,
                    "Conflict",
                    &format!(
                        "Operation cannot be fulfilled on {plural} \"{n}\": the object has been modified; please apply your changes to the latest version and try again"
                    ),
                );
            }
            // Status is a subresource: a replace keeps the server's.
            obj["status"] = cur["status"].clone();
            obj["metadata"]["uid"] = cur["metadata"]["uid"].clone();
            obj["metadata"]["creationTimestamp"] = cur["metadata"]["creationTimestamp"].clone();
            let generation = cur["metadata"]["generation"].as_u64().unwrap_or(1);
            obj["metadata"]["generation"] = json!(if obj["spec"] != cur["spec"] {
                generation + 1
            } else {
                generation
            });
            let out = s.put(plural, ns, obj, &srv.changes);
            s.reconcile(&srv.changes);
            ok_json(&out)
        }
        (Method::PATCH, Some(n), sub @ (None | Some("scale"))) => {
            let ctype = headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            let patch: Value = if ctype.contains("apply-patch+yaml") {
                match serde_norway::from_slice(&body) {
                    Ok(v) => v,
                    Err(e) => return status(400, "BadRequest", &format!("bad YAML: {e}")),
                }
            } else if ctype.contains("merge-patch") {
                match serde_json::from_slice(&body) {
                    Ok(v) => v,
                    Err(_) => return status(400, "BadRequest", "the body is not JSON"),
                }
            } else {
                return status(
                    415,
                    "UnsupportedMediaType",
                    &format!("the fake takes merge and apply patches, not {ctype}"),
                );
            };
            let mut s = srv.store.lock().unwrap();
            let cur = s.get(plural, ns, n);
            let mut obj = match (cur, ctype.contains("apply-patch")) {
                (Some(c), _) => c,
                (None, true) => json!({"metadata": {"name": n}}),
                (None, false) => {
                    return status(404, "NotFound", &format!("{plural} \"{n}\" not found"));
                }
            };
            let before = obj["spec"].clone();
            if sub == Some("scale") {
                if let Some(r) = patch["spec"]["replicas"].as_u64() {
                    obj["spec"]["replicas"] = json!(r);
                }
            } else {
                let mut p = patch.clone();
                if let Some(m) = p.get_mut("metadata").and_then(|m| m.as_object_mut()) {
                    m.remove("resourceVersion");
                }
                merge(&mut obj, &p);
                if let Some(manager) = q.get("fieldManager") {
                    obj["metadata"]["managedFields"] =
                        json!([{"manager": manager, "operation": "Apply"}]);
                }
            }
            if obj["spec"] != before {
                let g = obj["metadata"]["generation"].as_u64().unwrap_or(1);
                obj["metadata"]["generation"] = json!(g + 1);
            }
            let out = s.put(plural, ns, obj, &srv.changes);
            s.reconcile(&srv.changes);
            let out = s.get(plural, ns, n).unwrap_or(out);
            if sub == Some("scale") {
                return ok_json(&scale_of(&out));
            }
            ok_json(&out)
        }
        (Method::GET, Some(n), Some("scale")) => match srv.store.lock().unwrap().get(plural, ns, n)
        {
            Some(o) => ok_json(&scale_of(&o)),
            None => status(404, "NotFound", &format!("{plural} \"{n}\" not found")),
        },
        (Method::DELETE, Some(n), None) => {
            let mut s = srv.store.lock().unwrap();
            match s.remove(plural, ns, n, &srv.changes) {
                Some(o) => {
                    s.reconcile(&srv.changes);
                    ok_json(&o)
                }
                None => status(404, "NotFound", &format!("{plural} \"{n}\" not found")),
            }
        }
        (Method::POST, Some(n), Some("eviction")) => {
            let mut s = srv.store.lock().unwrap();
            match s.remove("pods", ns, n, &srv.changes) {
                Some(_) => {
                    s.reconcile(&srv.changes);
                    (StatusCode::CREATED, [("content-type", "application/json")], json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"}).to_string()).into_response()
                }
                None => status(404, "NotFound", &format!("pods \"{n}\" not found")),
            }
        }
        (Method::GET, Some(n), Some("log")) => logs(&srv, ns.unwrap_or("default"), n, &q),
        _ => status(
            405,
            "MethodNotAllowed",
            &format!("the fake does not serve {method} {path}"),
        ),
    }
}

fn scale_of(d: &Value) -> Value {
    json!({
        "apiVersion": "autoscaling/v1", "kind": "Scale",
        "metadata": {"name": d["metadata"]["name"], "namespace": d["metadata"]["namespace"], "resourceVersion": d["metadata"]["resourceVersion"]},
        "spec": {"replicas": d["spec"]["replicas"]},
        "status": {"replicas": d["status"]["replicas"].as_u64().unwrap_or(0)}
    })
}

fn watch(
    srv: &Arc<Server>,
    plural: &str,
    ns: Option<&str>,
    q: &BTreeMap<String, String>,
) -> Response {
    let from: u64 = q
        .get("resourceVersion")
        .and_then(|r| r.parse().ok())
        .unwrap_or(0);
    let labels = q.get("labelSelector").cloned();
    let fields = q.get("fieldSelector").cloned();
    let bookmarks = q.get("allowWatchBookmarks").is_some_and(|v| v == "true");
    let (gv, kind) = resource(plural).map(|r| (r.1, r.2)).unwrap_or(("v1", ""));
    let (replay, rx, gone, rv_now) = {
        let s = srv.store.lock().unwrap();
        let gone = from != 0 && from < s.compacted;
        let replay: Vec<Change> = if from == 0 {
            s.list(plural, ns)
                .into_iter()
                .map(|o| Change {
                    rv: 0,
                    kind: "ADDED",
                    plural: plural.to_string(),
                    namespace: None,
                    object: o,
                })
                .collect()
        } else {
            s.log
                .iter()
                .filter(|c| {
                    c.rv > from
                        && c.plural == plural
                        && (ns.is_none() || c.namespace.as_deref() == ns)
                })
                .cloned()
                .collect()
        };
        (replay, srv.changes.subscribe(), gone, s.rv)
    };
    fn line(t: &str, o: &Value) -> String {
        format!("{}\n", json!({"type": t, "object": o}))
    }
    let expired = || {
        line(
            "ERROR",
            &json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": "too old resource version", "reason": "Expired", "code": 410}),
        )
    };
    if gone {
        if std::env::var_os("FAKE_KUBE_TRACE").is_some() {
            eprintln!("fake-kube: gone {from}");
        }
        return ([("content-type", "application/json")], expired()).into_response();
    }
    let mut first: Vec<String> = replay
        .iter()
        .filter(|c| selected(&c.object, labels.as_ref(), fields.as_ref()))
        .map(|c| line(c.kind, &c.object))
        .collect();
    if bookmarks {
        first.push(line("BOOKMARK", &json!({"apiVersion": gv, "kind": kind, "metadata": {"resourceVersion": rv_now.to_string()}})));
    }
    let plural = plural.to_string();
    let ns = ns.map(str::to_string);
    let stream =
        futures::stream::iter(first.into_iter().map(Ok::<_, std::convert::Infallible>)).chain(
            futures::stream::unfold((rx, false), move |(mut rx, done)| {
                let (plural, ns, labels, fields) =
                    (plural.clone(), ns.clone(), labels.clone(), fields.clone());
                async move {
                    if done {
                        return None;
                    }
                    loop {
                        match rx.recv().await {
                            Ok(c) if c.kind == "ERROR" => {
                                if std::env::var_os("FAKE_KUBE_TRACE").is_some() {
                                    eprintln!("fake-kube: sentinel 410");
                                }
                                return Some((Ok(expired()), (rx, true)));
                            }
                            Ok(c)
                                if c.plural == plural
                                    && (ns.is_none() || c.namespace == ns)
                                    && selected(&c.object, labels.as_ref(), fields.as_ref()) =>
                            {
                                return Some((Ok(line(c.kind, &c.object)), (rx, false)));
                            }
                            Ok(_) => continue,
                            Err(broadcast::error::RecvError::Lagged(n)) => {
                                if std::env::var_os("FAKE_KUBE_TRACE").is_some() {
                                    eprintln!("fake-kube: lagged {n}");
                                }
                                return Some((Ok(expired()), (rx, true)));
                            }
                            Err(broadcast::error::RecvError::Closed) => return None,
                        }
                    }
                }
            }),
        );
    use futures::StreamExt;
    (
        [("content-type", "application/json")],
        Body::from_stream(stream),
    )
        .into_response()
}

/// Each pod says who it is, a line every 200 ms; `tailLines` of its history first.
fn logs(srv: &Arc<Server>, ns: &str, name: &str, q: &BTreeMap<String, String>) -> Response {
    let Some(pod) = srv.store.lock().unwrap().get("pods", Some(ns), name) else {
        return status(404, "NotFound", &format!("pods \"{name}\" not found"));
    };
    let containers: Vec<String> = pod["spec"]["containers"]
        .as_array()
        .map(|c| {
            c.iter()
                .filter_map(|c| c["name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if let Some(c) = q.get("container")
        && !containers.contains(c)
    {
        return status(
            400,
            "BadRequest",
            &format!("container {c} is not valid for pod {name}"),
        );
    }
    if q.get("container").is_none() && containers.len() > 1 {
        return status(
            400,
            "BadRequest",
            &format!(
                "a container name must be specified for pod {name}, choose one of: [{}]",
                containers.join(" ")
            ),
        );
    }
    let tail: usize = q
        .get("tailLines")
        .and_then(|t| t.parse().ok())
        .unwrap_or(10);
    let follow = q.get("follow").is_some_and(|f| f == "true");
    let stamps = q.get("timestamps").is_some_and(|f| f == "true");
    let name = name.to_string();
    let text = move |i: usize| {
        let stamp = if stamps {
            format!(
                "{} ",
                chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
            )
        } else {
            String::new()
        };
        format!("{stamp}{name} says hello {i}\n")
    };
    let history: Vec<String> = (1..=tail.min(10)).map(&text).collect();
    use futures::StreamExt;
    let live = futures::stream::unfold(11usize, move |i| {
        let text = text.clone();
        async move {
            if !follow {
                return None;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            Some((text(i), i + 1))
        }
    });
    let stream = futures::stream::iter(history)
        .chain(live)
        .map(Ok::<_, std::convert::Infallible>);
    ([("content-type", "text/plain")], Body::from_stream(stream)).into_response()
}
