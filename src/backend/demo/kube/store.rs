//! What the demo API server keeps: every object as JSON under its kind, namespace and name,
//! a resourceVersion counter, and the changes since start for watches to resume from.

use super::resources::{KINDS, Res};
use serde_json::{Value, json};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use tokio::sync::broadcast;

/// A kind (its index in [`KINDS`]), a namespace ("" for a cluster-wide object) and a name.
pub type Key = (usize, String, String);

/// One change, as a watch sends it.
#[derive(Debug)]
pub struct Change {
    pub rv: u64,
    pub res: usize,
    pub verb: &'static str,
    pub object: Value,
}

/// How many changes are kept for watches to resume from; an older resourceVersion is told
/// 410 Gone, as etcd's compaction tells a real server's clients.
const KEPT: usize = 5_000;

/// The cluster's time: real seconds since start, or frozen (render tests, headless snapshots).
#[derive(Clone, Copy)]
pub struct Clock {
    start: i64,
    since: Option<std::time::Instant>,
}

impl Clock {
    pub fn running(start: i64) -> Clock {
        Clock {
            start,
            since: Some(std::time::Instant::now()),
        }
    }

    pub fn frozen(start: i64) -> Clock {
        Clock { start, since: None }
    }

    pub fn live(&self) -> bool {
        self.since.is_some()
    }

    /// Seconds since the epoch, with milliseconds.
    pub fn now(&self) -> f64 {
        self.start as f64 + self.since.map(|s| s.elapsed().as_secs_f64()).unwrap_or(0.0)
    }

    /// An RFC 3339 time in seconds, as the API server writes metadata times.
    pub fn stamp(&self, at: f64) -> String {
        chrono::DateTime::from_timestamp(at as i64, 0)
            .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
            .unwrap_or_default()
    }

    pub fn stamp_now(&self) -> String {
        self.stamp(self.now())
    }
}

pub struct World {
    objects: BTreeMap<Key, Value>,
    rv: u64,
    history: VecDeque<Arc<Change>>,
    /// The resourceVersion of the last change no longer kept.
    forgotten: u64,
    tx: broadcast::Sender<Arc<Change>>,
    seed: u64,
    pub clock: Clock,
}

/// Parses a metadata time back to seconds.
pub fn seconds(stamp: &str) -> Option<f64> {
    chrono::DateTime::parse_from_rfc3339(stamp)
        .ok()
        .map(|t| t.timestamp() as f64)
}

impl World {
    pub fn new(clock: Clock) -> World {
        World {
            objects: BTreeMap::new(),
            rv: 1000,
            history: VecDeque::new(),
            forgotten: 0,
            tx: broadcast::channel(4096).0,
            seed: 0x5eed_e57b_a000_0001,
            clock,
        }
    }

    pub fn rv(&self) -> u64 {
        self.rv
    }

    /// A pseudo-random number, the same sequence every run (render tests draw the same names).
    pub fn random(&mut self) -> u64 {
        // xorshift64*
        let mut x = self.seed;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.seed = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A name's random suffix as the API server's generateName makes them.
    pub fn suffix(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
        (0..len)
            .map(|_| ALPHABET[(self.random() % ALPHABET.len() as u64) as usize] as char)
            .collect()
    }

    pub fn uid(&mut self) -> String {
        let a = self.random();
        let b = self.random();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | (b >> 48) & 0x3fff,
            b & 0xffff_ffff_ffff
        )
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Change>> {
        self.tx.subscribe()
    }

    /// The changes after `rv` of kind `res`, or `None` when they are no longer kept.
    pub fn since(&self, res: usize, rv: u64) -> Option<Vec<Arc<Change>>> {
        if rv < self.forgotten {
            return None;
        }
        Some(
            self.history
                .iter()
                .filter(|c| c.rv > rv && c.res == res)
                .cloned()
                .collect(),
        )
    }

    pub fn get(&self, res: usize, ns: &str, name: &str) -> Option<&Value> {
        self.objects.get(&(res, ns.to_string(), name.to_string()))
    }

    /// The objects of a kind, in one namespace or all, in the store's order (namespace, name).
    pub fn list(&self, res: usize, ns: Option<&str>) -> Vec<&Value> {
        self.objects
            .iter()
            .filter(|((r, n, _), _)| *r == res && ns.is_none_or(|ns| ns == n))
            .map(|(_, v)| v)
            .collect()
    }

    /// Every key of a kind.
    pub fn keys(&self, res: usize) -> Vec<Key> {
        self.objects
            .keys()
            .filter(|(r, _, _)| *r == res)
            .cloned()
            .collect()
    }

    fn record(&mut self, res: usize, verb: &'static str, object: Value) {
        let change = Arc::new(Change {
            rv: self.rv,
            res,
            verb,
            object,
        });
        self.history.push_back(change.clone());
        while self.history.len() > KEPT {
            if let Some(old) = self.history.pop_front() {
                self.forgotten = old.rv;
            }
        }
        let _ = self.tx.send(change);
    }

    /// Stores `obj` (created or changed) with a new resourceVersion; what was stored.
    pub fn put(&mut self, res: usize, mut obj: Value) -> Value {
        self.rv += 1;
        let (ns, name) = (namespace(&obj), name(&obj));
        if let Some(m) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
            m.insert("resourceVersion".into(), json!(self.rv.to_string()));
        }
        let key = (res, ns, name);
        let verb = if self.objects.contains_key(&key) {
            "MODIFIED"
        } else {
            "ADDED"
        };
        self.objects.insert(key, obj.clone());
        self.record(res, verb, obj.clone());
        obj
    }

    /// Takes an object out; what it was, with the resourceVersion of its deletion.
    pub fn remove(&mut self, res: usize, ns: &str, name: &str) -> Option<Value> {
        let mut obj = self
            .objects
            .remove(&(res, ns.to_string(), name.to_string()))?;
        self.rv += 1;
        if let Some(m) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
            m.insert("resourceVersion".into(), json!(self.rv.to_string()));
        }
        self.record(res, "DELETED", obj.clone());
        Some(obj)
    }
}

/// The index of a kind in [`KINDS`].
pub fn index(r: &Res) -> usize {
    KINDS
        .iter()
        .position(|k| std::ptr::eq(k, r))
        .unwrap_or_default()
}

pub fn name(obj: &Value) -> String {
    obj.pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

pub fn namespace(obj: &Value) -> String {
    obj.pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

pub fn str_at<'a>(obj: &'a Value, pointer: &str) -> &'a str {
    obj.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

pub fn int_at(obj: &Value, pointer: &str) -> i64 {
    obj.pointer(pointer)
        .and_then(Value::as_i64)
        .unwrap_or_default()
}

pub fn ns_index() -> usize {
    KINDS
        .iter()
        .position(|r| r.kind == "Namespace")
        .unwrap_or_default()
}

pub fn pod_index() -> usize {
    KINDS
        .iter()
        .position(|r| r.kind == "Pod")
        .unwrap_or_default()
}

pub fn node_index() -> usize {
    KINDS
        .iter()
        .position(|r| r.kind == "Node")
        .unwrap_or_default()
}

/// A number from a name, the same every run.
pub fn hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

pub fn event_index() -> usize {
    KINDS
        .iter()
        .position(|r| r.kind == "Event" && r.group.is_empty())
        .unwrap_or_default()
}

/// The index of a built-in kind by its name (metrics aside).
pub fn kind_index(kind: &str) -> usize {
    KINDS
        .iter()
        .position(|r| r.kind == kind && r.group != "metrics.k8s.io")
        .unwrap_or_default()
}

/// Whether `v` names the object of `uid` among its owners.
pub fn owned_by(v: &Value, uid: &str) -> bool {
    v.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|o| str_at(o, "/uid") == uid)
}

/// The live pods an owner has (not being deleted).
pub fn pods_of(w: &World, owner: &Value) -> Vec<Value> {
    let uid = str_at(owner, "/metadata/uid");
    w.list(pod_index(), Some(&namespace(owner)))
        .into_iter()
        .filter(|p| owned_by(p, uid) && p.pointer("/metadata/deletionTimestamp").is_none())
        .cloned()
        .collect()
}
