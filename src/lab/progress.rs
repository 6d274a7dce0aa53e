//! The passes of a lab, recorded beside its `lab.yaml` in `lab-progress.json`: a step that
//! passed stays passed, with the time it passed, even when a later step changes the cluster.
//!
//! Each record (a pass, with where it was observed and what was seen; an evidence picture,
//! with its SHA-256) is sealed: an HMAC-SHA-256, under a key built into estiba, of the record
//! and of the seal before it. A record added, edited or moved by hand no longer matches its
//! seal or breaks the next one's link, and the file's head seals how many records there are,
//! so one removed from the end shows too. Such a step is "not observed by estiba". This stops
//! hand edits and tells a folder copied from another cluster (each pass names its cluster); a
//! student who rebuilds estiba with its key can still forge one, so the proof stays the
//! instructor's own `lab check` against the student's cluster.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

pub const FILE: &str = "lab-progress.json";
const FORMAT: u32 = 2;
const KEY: &[u8] = b"estiba lab progress v2: passes observed by estiba itself";

/// Where a pass was observed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    /// The cluster's identity (`ClusterInfo::id`); empty for steps only files tell.
    pub cluster: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub swarm: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub engine: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<String>,
    #[serde(default)]
    pub demo: bool,
}

/// One record of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Record {
    /// The step's checks held, here, and these objects were what they saw.
    Pass {
        step: String,
        at: i64,
        place: Place,
        observed: Vec<String>,
    },
    /// estiba wrote this picture for the step.
    Evidence {
        step: String,
        at: i64,
        file: String,
        sha256: String,
    },
    /// The file was found edited by hand (records missing from its end, a damaged or an older
    /// unsealed file), and these steps' records were not estiba's; said once, sealed, so a
    /// later save cannot hide it.
    Edited { at: i64, steps: Vec<String> },
}

impl Record {
    fn step(&self) -> Option<&str> {
        match self {
            Record::Pass { step, .. } | Record::Evidence { step, .. } => Some(step),
            Record::Edited { .. } => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    #[serde(flatten)]
    pub record: Record,
    /// The seal of the record before it (empty for the first).
    pub prev: String,
    pub seal: String,
}

/// The file as written.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Stored {
    lab: String,
    #[serde(default)]
    format: u32,
    #[serde(default)]
    entries: Vec<Entry>,
    #[serde(default)]
    head: String,
    /// Format 1 (no seals): its steps are not observed by estiba.
    #[serde(default, skip_serializing)]
    passed: BTreeMap<String, serde_json::Value>,
}

/// A pass estiba sealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Passed {
    /// When estiba first saw the step done (Unix seconds).
    pub at: i64,
    pub place: Place,
    pub observed: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    /// The lab these passes are of.
    pub lab: String,
    /// The sealed passes, by step.
    pub passed: BTreeMap<String, Passed>,
    /// The pictures estiba wrote, by step: the file and its SHA-256.
    pub evidence: BTreeMap<String, (String, String)>,
    /// Steps with a record estiba did not seal (written or edited by hand, or an older format).
    pub forged: BTreeSet<String>,
    /// The file was edited in a way no step names (records removed from its end, a damaged file).
    pub tampered: bool,
    /// Records made here and not written yet.
    pending: Vec<Record>,
}

pub fn path(dir: &Path) -> PathBuf {
    dir.join(FILE)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn mac(parts: &[&[u8]]) -> String {
    let Ok(mut m) = Hmac::<Sha256>::new_from_slice(KEY) else {
        return String::new();
    };
    for p in parts {
        m.update(&(p.len() as u64).to_be_bytes());
        m.update(p);
    }
    hex(&m.finalize().into_bytes())
}

fn seal(lab: &str, prev: &str, record: &Record) -> String {
    let body = serde_json::to_vec(record).unwrap_or_default();
    mac(&[b"record", lab.as_bytes(), prev.as_bytes(), &body])
}

fn head(lab: &str, count: usize, last: &str) -> String {
    mac(&[
        b"head",
        lab.as_bytes(),
        count.to_string().as_bytes(),
        last.as_bytes(),
    ])
}

/// The SHA-256 of a file, in hex.
pub fn sha256_file(file: &Path) -> std::io::Result<String> {
    use sha2::Digest;
    Ok(hex(&Sha256::digest(std::fs::read(file)?)))
}

impl Stored {
    fn read(dir: &Path) -> Option<Stored> {
        let text = std::fs::read_to_string(path(dir)).ok()?;
        Some(
            serde_json::from_str::<Stored>(&text).unwrap_or_else(|_| Stored {
                // Not even JSON: a damaged or hand-made file. It says nothing, and that shows.
                format: 0,
                head: "damaged".into(),
                ..Default::default()
            }),
        )
    }
}

impl Progress {
    pub fn new(lab: &str) -> Progress {
        Progress {
            lab: lab.to_string(),
            ..Default::default()
        }
    }

    /// The passes recorded in `dir` for `lab`, each seal checked (none when there is no file,
    /// or it is another lab's).
    pub fn load(dir: &Path, lab: &str) -> Progress {
        let mut p = Progress::new(lab);
        let Some(stored) = Stored::read(dir) else {
            return p;
        };
        if stored.format == 0 && stored.head == "damaged" {
            p.tampered = true;
            return p;
        }
        if stored.lab != lab {
            return p;
        }
        p.forged.extend(stored.passed.into_keys());
        let mut prev = String::new();
        for e in &stored.entries {
            if e.prev == prev && e.seal == seal(lab, &e.prev, &e.record) {
                p.take(&e.record);
            } else if let Some(step) = e.record.step() {
                p.forged.insert(step.to_string());
            } else {
                p.tampered = true;
            }
            prev.clone_from(&e.seal);
        }
        if stored.head != head(lab, stored.entries.len(), &prev) {
            p.tampered = true;
        }
        p
    }

    /// Takes a sealed record in.
    fn take(&mut self, r: &Record) {
        match r {
            Record::Pass {
                step,
                at,
                place,
                observed,
            } => {
                self.passed.entry(step.clone()).or_insert_with(|| Passed {
                    at: *at,
                    place: place.clone(),
                    observed: observed.clone(),
                });
            }
            Record::Evidence {
                step, file, sha256, ..
            } => {
                self.evidence
                    .insert(step.clone(), (file.clone(), sha256.clone()));
            }
            Record::Edited { steps, .. } => {
                self.tampered = true;
                self.forged.extend(steps.iter().cloned());
            }
        }
    }

    /// Whether a step's only records are ones estiba did not seal.
    pub fn not_observed(&self, step: &str) -> bool {
        self.forged.contains(step) && !self.passed.contains_key(step)
    }

    /// Whether the file shows any hand edit.
    pub fn edited(&self) -> bool {
        self.tampered || !self.forged.is_empty()
    }

    /// Writes the records made here after those on disk (another estiba — a headless command,
    /// another console — may have recorded meanwhile; a pass already there is not repeated).
    pub fn save(&mut self, dir: &Path) -> std::io::Result<()> {
        let (mut stored, rebuilt) = match Stored::read(dir) {
            Some(s) if s.lab == self.lab && s.format == FORMAT => (s, false),
            _ => (
                Stored {
                    lab: self.lab.clone(),
                    ..Default::default()
                },
                true,
            ),
        };
        stored.format = FORMAT;
        let on_disk = Progress::load(dir, &self.lab);
        let mut last = stored
            .entries
            .last()
            .map(|e| e.seal.clone())
            .unwrap_or_default();
        let mut records = std::mem::take(&mut self.pending);
        // What a hand edit did stays said: an unsealed file is replaced by a sealed one that
        // names its steps; records removed are said once.
        if (rebuilt && on_disk.edited()) || (on_disk.tampered && !tampered_said(&stored)) {
            let at = now_of(&records);
            let steps = on_disk.forged.iter().cloned().collect();
            records.insert(0, Record::Edited { at, steps });
        }
        for r in records {
            let repeated = match &r {
                Record::Pass { step, .. } => on_disk.passed.contains_key(step),
                Record::Evidence { step, sha256, .. } => {
                    on_disk.evidence.get(step).is_some_and(|(_, s)| s == sha256)
                }
                Record::Edited { .. } => false,
            };
            if repeated {
                continue;
            }
            let s = seal(&self.lab, &last, &r);
            stored.entries.push(Entry {
                record: r,
                prev: std::mem::replace(&mut last, s.clone()),
                seal: s,
            });
        }
        stored.head = head(&self.lab, stored.entries.len(), &last);
        let text = serde_json::to_string_pretty(&stored).map_err(std::io::Error::other)?;
        let tmp = dir.join(format!(".{FILE}.tmp"));
        std::fs::write(&tmp, text + "\n")?;
        std::fs::rename(tmp, path(dir))?;
        let fresh = Progress::load(dir, &self.lab);
        self.passed = fresh.passed;
        self.evidence = fresh.evidence;
        self.forged = fresh.forged;
        self.tampered = fresh.tampered;
        Ok(())
    }

    /// Records the steps that hold now and had not passed before; returns their names.
    /// `observed` gives, for a step, what its checks looked at (IDs, digests, names).
    pub fn record(
        &mut self,
        lab: &super::Lab,
        now: &[Option<super::Now>],
        at: i64,
        place: &Place,
        observed: impl Fn(usize) -> Vec<String>,
    ) -> Vec<String> {
        let mut new = vec![];
        for (i, (step, n)) in lab.steps.iter().zip(now).enumerate() {
            if n.as_ref().is_some_and(|n| n.holds && n.looked)
                && !self.passed.contains_key(&step.name)
            {
                let local = step.checks.iter().all(super::check::Check::is_local);
                let place = if local {
                    Place::default()
                } else {
                    place.clone()
                };
                let r = Record::Pass {
                    step: step.name.clone(),
                    at,
                    place,
                    observed: observed(i),
                };
                self.take(&r);
                self.pending.push(r);
                new.push(step.name.clone());
            }
        }
        new
    }

    /// Records that estiba wrote `file` (relative to the lab's folder) as a step's evidence.
    pub fn record_evidence(&mut self, step: &str, file: &str, sha256: &str, at: i64) {
        let r = Record::Evidence {
            step: step.to_string(),
            at,
            file: file.to_string(),
            sha256: sha256.to_string(),
        };
        self.take(&r);
        self.pending.push(r);
    }
}

/// Whether the file already says, sealed, that records were missing.
fn tampered_said(stored: &Stored) -> bool {
    stored
        .entries
        .iter()
        .any(|e| matches!(e.record, Record::Edited { .. }))
}

fn now_of(records: &[Record]) -> i64 {
    records
        .first()
        .map(|r| match r {
            Record::Pass { at, .. } | Record::Evidence { at, .. } | Record::Edited { at, .. } => {
                *at
            }
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
