//! Building images as `docker build` does, before and around the engine's builder: the context
//! folder and its `.dockerignore`, the Dockerfile read for its lines and stages, and the builder's
//! stream turned into steps people read. Everything here is checked before a byte is sent, so a
//! bad context, Dockerfile or target changes nothing.

pub mod context;
pub mod dockerfile;
pub mod ignore;
pub mod steps;

use crate::model::action::BuildSpec;
use crate::tr;
use context::DockerfileAt;
use dockerfile::{Dockerfile, DockerfileError, Instruction};
use ignore::{Ignore, IgnoreError};
use std::path::{Path, PathBuf};

/// Why a build did not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    #[error("{}", tr!("build.no_context", path = .0))]
    NoContext(String),
    #[error("{}", tr!("build.no_dockerfile", path = .0))]
    NoDockerfile(String),
    #[error("{0}")]
    Dockerfile(#[from] DockerfileError),
    #[error("{}: {}", .file, .error)]
    Ignore { file: String, error: IgnoreError },
}

/// A build checked and ready to send.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub root: PathBuf,
    pub dockerfile: Dockerfile,
    /// Where the Dockerfile goes in the context, and the name the builder is told.
    pub at: DockerfileAt,
    pub ignore: Ignore,
    /// The instructions the builder's "Step N/M" count.
    pub steps: Vec<Instruction>,
}

impl Prepared {
    /// The Dockerfile's name inside the context, for the builder's `dockerfile` parameter.
    pub fn dockerfile_name(&self) -> &str {
        match &self.at {
            DockerfileAt::Inside(n) | DockerfileAt::Outside { name: n, .. } => n,
        }
    }
}

/// Checks what `spec` names, as the docker CLI does before it sends anything: the context is a
/// folder; the Dockerfile (`-f`, relative to the current folder, else `CONTEXT/Dockerfile`)
/// exists and parses; `--target` is one of its stages; `.dockerignore` is valid.
pub fn prepare(spec: &BuildSpec) -> Result<Prepared, BuildError> {
    let context = if spec.context.is_empty() {
        "."
    } else {
        &spec.context
    };
    let root = std::path::absolute(context)
        .ok()
        .filter(|p| p.is_dir())
        .ok_or_else(|| BuildError::NoContext(context.to_string()))?;
    let file = match &spec.dockerfile {
        Some(f) => std::path::absolute(f).unwrap_or_else(|_| PathBuf::from(f)),
        None => {
            let upper = root.join("Dockerfile");
            let lower = root.join("dockerfile");
            if !upper.exists() && lower.exists() {
                lower
            } else {
                upper
            }
        }
    };
    let shown = spec.dockerfile.clone().unwrap_or_else(|| {
        Path::new(context)
            .join(file.file_name().unwrap_or_default())
            .display()
            .to_string()
    });
    let text = std::fs::read_to_string(&file)
        .ok()
        .filter(|_| file.is_file())
        .ok_or_else(|| BuildError::NoDockerfile(shown.clone()))?;
    let dockerfile = Dockerfile::parse(&shown, &text)?;
    let steps = dockerfile.steps(spec.target.as_deref())?.to_vec();
    let at = match file.strip_prefix(&root) {
        Ok(rel) => DockerfileAt::Inside(rel.display().to_string()),
        Err(_) => DockerfileAt::Outside {
            file: file.clone(),
            name: format!(".dockerfile.{}", outside_name(&text)),
        },
    };
    let ignore_file = root.join(".dockerignore");
    let mut ignore = match std::fs::read_to_string(&ignore_file) {
        Ok(t) => Ignore::parse(&t).map_err(|error| BuildError::Ignore {
            file: Path::new(context)
                .join(".dockerignore")
                .display()
                .to_string(),
            error,
        })?,
        Err(_) => Ignore::default(),
    };
    if let DockerfileAt::Inside(name) = &at {
        ignore.keep(name);
    }
    ignore.keep(".dockerignore");
    Ok(Prepared {
        root,
        dockerfile,
        at,
        ignore,
        steps,
    })
}

/// A name for a Dockerfile from outside the context, from its contents (the docker CLI picks a
/// random one; any name the context does not hold will do).
fn outside_name(text: &str) -> String {
    use sha2::Digest;
    let hash = sha2::Sha256::digest(text.as_bytes());
    hash.iter().take(10).map(|b| format!("{b:02x}")).collect()
}

/// The build last run from the current folder (`builds.json` in the data dir, by folder), as
/// the palette command `B` writes; a first one builds `.` as `FOLDER:latest`.
pub fn remembered_line(data_dir: Option<&Path>) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    let remembered = data_dir
        .and_then(|d| std::fs::read_to_string(d.join("builds.json")).ok())
        .and_then(|t| serde_json::from_str::<std::collections::BTreeMap<String, String>>(&t).ok())
        .and_then(|m| m.get(&cwd.display().to_string()).cloned());
    remembered.unwrap_or_else(|| {
        // A repository name: lowercase letters, digits, `.`, `_` and `-`.
        let name: String = cwd
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default()
            .chars()
            .filter(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')
            })
            .collect();
        let name = name.trim_matches(['.', '_', '-']);
        let name = if name.is_empty() { "image" } else { name };
        format!("build . -t {name}:latest")
    })
}

/// Remembers a build's palette command for the current folder.
pub fn remember_line(data_dir: &Path, line: &str) {
    let cwd = std::env::current_dir().unwrap_or_default();
    let path = data_dir.join("builds.json");
    let mut all: std::collections::BTreeMap<String, String> = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    all.insert(cwd.display().to_string(), line.to_string());
    let _ = std::fs::create_dir_all(data_dir);
    let _ = std::fs::write(
        &path,
        serde_json::to_string_pretty(&all).unwrap_or_default(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(context: &str) -> BuildSpec {
        BuildSpec {
            context: context.into(),
            tags: vec!["x:1".into()],
            ..Default::default()
        }
    }

    #[test]
    fn what_is_missing_is_named_before_anything_is_sent() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = dir.path().join("app");
        let c = ctx.display().to_string();
        assert_eq!(
            prepare(&spec(&c)).unwrap_err(),
            BuildError::NoContext(c.clone())
        );
        std::fs::create_dir(&ctx).unwrap();
        assert!(
            matches!(prepare(&spec(&c)).unwrap_err(), BuildError::NoDockerfile(p) if p.ends_with("app/Dockerfile"))
        );
        std::fs::write(ctx.join("Dockerfile"), "FROM a AS one\nRUN x\n").unwrap();
        std::fs::write(ctx.join(".dockerignore"), "ok\n[bad\n").unwrap();
        let e = prepare(&spec(&c)).unwrap_err();
        assert!(
            e.to_string().contains(".dockerignore") && e.to_string().contains('2'),
            "{e}"
        );
        std::fs::write(ctx.join(".dockerignore"), "*\n").unwrap();
        let mut s = spec(&c);
        s.target = Some("two".into());
        assert!(prepare(&s).unwrap_err().to_string().contains("one"));
        s.target = Some("one".into());
        let p = prepare(&s).unwrap();
        assert_eq!(p.dockerfile_name(), "Dockerfile");
        assert!(!p.ignore.excludes("Dockerfile") && !p.ignore.excludes(".dockerignore"));
        assert!(p.ignore.excludes("app.py"));
    }

    #[test]
    fn a_dockerfile_from_elsewhere_is_added_under_a_name_of_its_own() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("ctx")).unwrap();
        let f = dir.path().join("web.Dockerfile");
        std::fs::write(&f, "FROM a\n").unwrap();
        let mut s = spec(&dir.path().join("ctx").display().to_string());
        s.dockerfile = Some(f.display().to_string());
        let p = prepare(&s).unwrap();
        assert!(p.dockerfile_name().starts_with(".dockerfile."));
        assert!(matches!(p.at, DockerfileAt::Outside { .. }));
    }
}
