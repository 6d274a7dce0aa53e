//! `estiba class FILE`: every student of a class looked at, each on their own (a student who
//! does not answer is said so and never holds up the others), as a table, JSON or one HTML
//! page. The console's class screen (`runtime::class`) takes its looks from here.

use super::{Output, RunError, h, json};
use crate::backend::{Backend, endpoint};
use crate::lab::Opened;
use crate::lab::class::{self, ClassFile, Look, Student};
use crate::tr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a look at one student may take.
const LOOK_TIMEOUT: Duration = Duration::from_secs(15);

/// Connects to the student's cluster, when the class file gives one.
async fn connect(s: &Student) -> Option<Result<Backend, crate::backend::Error>> {
    if let Some(k) = &s.kubeconfig {
        let b = crate::backend::kube::Kube::connect(Some(Path::new(k)), s.context.as_deref()).await;
        return Some(b.map(|k| Backend::Kube(Box::new(k))));
    }
    let ep = match (&s.host, &s.context) {
        (Some(host), _) => endpoint::Endpoint {
            host: host.clone(),
            tls: s.tls.as_ref().map(|d| {
                let d = PathBuf::from(d);
                endpoint::Tls {
                    ca: d.join("ca.pem"),
                    cert: d.join("cert.pem"),
                    key: d.join("key.pem"),
                }
            }),
            source: endpoint::Source::Flag,
        },
        (None, Some(c)) => {
            let env = |k: &str| std::env::var(k).ok();
            match endpoint::resolve(None, Some(c), &env) {
                Ok(ep) => ep,
                Err(e) => return Some(Err(e)),
            }
        }
        (None, None) => return None,
    };
    let b = crate::backend::swarm::Swarm::connect(&ep).await;
    Some(b.map(Backend::Swarm))
}

/// The lab as the student has it: their folder's `lab.yaml`, else the preset.
fn opened(s: &Student, lab: &str) -> Result<Opened, crate::lab::LabError> {
    match class::folder(s) {
        Some(d) if d.join("lab.yaml").is_file() => Ok(Opened {
            lab: crate::lab::load_file(&d.join("lab.yaml"))?,
            dir: Some(d),
        }),
        dir => Ok(Opened {
            lab: crate::lab::load(lab)?,
            dir,
        }),
    }
}

async fn look_inner(s: &Student, lab: &str, now: i64) -> Result<Look, String> {
    if let Some(d) = class::folder(s).filter(|d| !d.is_dir()) {
        return Err(tr!("class.no_folder", dir = d.display()));
    }
    let o = opened(s, lab).map_err(|e| e.to_string())?;
    let evidence = o
        .dir
        .as_ref()
        .map(|d| d.join("evidencias"))
        .unwrap_or_default();
    let a = match connect(s).await {
        Some(Ok(b)) => crate::lab::assess_with(&b, &o, &evidence, now, false)
            .await
            .map_err(|e| e.to_string())?,
        Some(Err(e)) => return Err(e.to_string()),
        None => crate::lab::recorded(&o, &evidence),
    };
    Ok(Look {
        name: s.name.clone(),
        endpoint: s.endpoint(),
        reachable: true,
        error: None,
        checked: (s.has_endpoint() || !a.checked.id.is_empty()).then_some(a.checked),
        steps: a.steps,
        edited: a.edited,
        at: now,
        same_cluster_as: vec![],
    })
}

/// One look at one student: what their cluster (or folder) shows now, or why it could not be
/// seen, within [`LOOK_TIMEOUT`].
pub async fn look(s: &Student, lab: &str, now: i64) -> Look {
    let failed = |error: String| Look {
        name: s.name.clone(),
        endpoint: s.endpoint(),
        reachable: false,
        error: Some(error),
        checked: None,
        steps: vec![],
        edited: false,
        at: now,
        same_cluster_as: vec![],
    };
    match tokio::time::timeout(LOOK_TIMEOUT, look_inner(s, lab, now)).await {
        Ok(Ok(l)) => l,
        Ok(Err(e)) => failed(e),
        Err(_) => failed(tr!("class.timeout", secs = LOOK_TIMEOUT.as_secs())),
    }
}

/// Every student, looked at side by side.
pub async fn look_all(c: &ClassFile, now: i64) -> Vec<Look> {
    let looks = c.students.iter().map(|s| look(s, &c.lab, now));
    let mut looks: Vec<Option<Look>> = futures::future::join_all(looks)
        .await
        .into_iter()
        .map(Some)
        .collect();
    class::mark_shared(&mut looks);
    looks.into_iter().flatten().collect()
}

fn table(c: &ClassFile, looks: &[Look]) -> String {
    let lab = crate::lab::load(&c.lab).ok();
    let steps: Vec<String> = lab
        .iter()
        .flat_map(|l| l.steps.iter())
        .map(|s| s.name.split('-').next().unwrap_or(&s.name).to_string())
        .collect();
    let mut header = h(&["col.student"]);
    header.extend(steps.iter().cloned());
    header.extend(h(&["col.done", "col.where"]));
    let rows: Vec<Vec<String>> = looks
        .iter()
        .map(|l| {
            let mut row = vec![l.name.clone()];
            row.extend((0..steps.len()).map(|i| class::mark(l, i).to_string()));
            row.push(if l.reachable {
                l.done().to_string()
            } else {
                "?".into()
            });
            row.push(where_(l));
            row
        })
        .collect();
    super::table(&header, &rows)
}

/// Where a student was looked at, or why not, in a few words.
pub fn where_(l: &Look) -> String {
    let demo = |c: &crate::lab::Checked, text: String| {
        if c.demo {
            format!("{text} · {}", tr!("lab.demo_mark"))
        } else {
            text
        }
    };
    let text = match (&l.error, &l.checked) {
        (Some(e), _) => tr!("class.unreachable", error = e),
        (None, Some(c)) if c.name.is_empty() => demo(c, tr!("class.folder_only")),
        (None, Some(c)) => demo(c, c.name.clone()),
        (None, None) => tr!("class.folder_only"),
    };
    if l.same_cluster_as.is_empty() {
        text
    } else {
        let others = l.same_cluster_as.join(", ");
        format!("{text} · {}", tr!("class.shared_cluster", other = others))
    }
}

/// `class FILE` (a table or JSON) and `class report FILE [--out FILE]`.
pub async fn run(
    file: &str,
    report: bool,
    out: Option<&str>,
    output: Output,
    now: i64,
) -> Result<String, RunError> {
    let c = class::read(Path::new(file)).map_err(|e| RunError::Lab(e.to_string()))?;
    let looks = look_all(&c, now).await;
    if report {
        let page = super::class_page::html(&c, &looks, now);
        let target = match out {
            Some(o) => PathBuf::from(o),
            None => Path::new(file)
                .parent()
                .unwrap_or(Path::new("."))
                .join("class.html"),
        };
        std::fs::write(&target, page)?;
        return Ok(format!("{}\n", target.display()));
    }
    Ok(match output {
        Output::Json => json(&serde_json::json!({ "lab": c.lab, "students": looks })),
        Output::Table => table(&c, &looks),
    })
}
