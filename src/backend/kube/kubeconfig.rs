//! Reading the kubeconfig: `--kubeconfig FILE`, else the files KUBECONFIG lists (merged, as
//! kubectl merges them), else `~/.kube/config`. Each file is checked first so that an error
//! names the file, where it came from, and the line and column of a YAML mistake; no message
//! quotes the file's contents, which hold tokens and keys.

use super::Error;
use crate::tr;
use kube::config::Kubeconfig;
use std::path::{Path, PathBuf};

/// Where the kubeconfig's name came from, for the error that says it does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Flag,
    Env,
    Default,
}

/// The files to read, and where their names came from.
fn files(path: Option<&Path>) -> Result<(Vec<PathBuf>, Origin), Error> {
    if let Some(p) = path {
        return Ok((vec![p.to_path_buf()], Origin::Flag));
    }
    if let Some(v) = std::env::var_os("KUBECONFIG") {
        let listed: Vec<PathBuf> = std::env::split_paths(&v)
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        if !listed.is_empty() {
            return Ok((listed, Origin::Env));
        }
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .ok_or_else(|| Error::Setup(tr!("kube.config_no_home")))?;
    Ok((vec![home.join(".kube").join("config")], Origin::Default))
}

/// A parser's message without the values it may quote ("invalid type: string \"…\"") and
/// without the excerpt of the file some parsers add after "-->".
fn unquoted(msg: &str) -> String {
    let msg = msg.split(" -->").next().unwrap_or(msg);
    let mut out = String::new();
    let mut inside: Option<char> = None;
    for c in msg.chars() {
        match (inside, c) {
            (Some(q), c) if c == q => {
                inside = None;
                out.extend([q, '…', q]);
            }
            (None, '"' | '`' | '\'') => inside = Some(c),
            (None, c) => out.push(c),
            _ => {}
        }
    }
    crate::sanitize::one_line(out.lines().next().unwrap_or(""))
}

/// One file checked: it exists, can be read, and is YAML.
fn check(file: &Path, origin: Origin) -> Result<(), Error> {
    let shown = file.display().to_string();
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = match origin {
                Origin::Flag => "kube.config_missing_flag",
                Origin::Env => "kube.config_missing_env",
                Origin::Default => "kube.config_missing_default",
            };
            return Err(Error::Setup(crate::i18n::format(key, &[("file", shown)])));
        }
        Err(e) => {
            let detail = crate::sanitize::error_chain(&e);
            return Err(Error::Setup(tr!(
                "kube.config_unreadable",
                file = shown,
                detail = detail
            )));
        }
    };
    let at = |e: &serde_norway::Error| {
        let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
        let detail = e.to_string();
        let detail = detail
            .split(" at line ")
            .next()
            .unwrap_or(&detail)
            .to_string();
        (line, column, unquoted(&detail))
    };
    use serde::Deserialize;
    for doc in serde_norway::Deserializer::from_str(&text) {
        if let Err(e) = serde_norway::Value::deserialize(doc) {
            let (line, column, detail) = at(&e);
            return Err(Error::Setup(tr!(
                "kube.config_yaml",
                file = shown,
                line = line,
                column = column,
                detail = detail
            )));
        }
    }
    for doc in serde_norway::Deserializer::from_str(&text) {
        if let Err(e) = Kubeconfig::deserialize(doc) {
            let (line, column, detail) = at(&e);
            return Err(Error::Setup(tr!(
                "kube.config_shape",
                file = shown,
                line = line,
                column = column,
                detail = detail
            )));
        }
    }
    Ok(())
}

/// Reads the kubeconfig, every file checked first.
pub fn read(path: Option<&Path>) -> Result<Kubeconfig, Error> {
    let (files, origin) = files(path)?;
    for f in &files {
        check(f, origin)?;
    }
    let read = match origin {
        Origin::Flag | Origin::Default => Kubeconfig::read_from(&files[0]),
        Origin::Env => Kubeconfig::read(),
    };
    read.map_err(|e| {
        Error::Setup(tr!(
            "kube.config_unusable",
            file = files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(":"),
            detail = unquoted(&crate::sanitize::error_chain(&e))
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_file_is_named_with_its_line_and_never_quoted() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("kc");
        std::fs::write(
            &f,
            "apiVersion: v1\nusers:\n- name: a\n  user: {token: s3cr3t: x}\n",
        )
        .unwrap();
        let e = read(Some(&f)).unwrap_err().to_string();
        assert!(
            e.contains(&f.display().to_string()) && e.contains("line 4"),
            "{e}"
        );
        assert!(!e.contains("s3cr3t"), "{e}");
        std::fs::write(&f, "apiVersion: v1\nclusters: \"s3cr3t\"\n").unwrap();
        let e = read(Some(&f)).unwrap_err().to_string();
        assert!(
            e.contains("is not a kubeconfig") && !e.contains("s3cr3t"),
            "{e}"
        );
        let e = read(Some(&dir.path().join("nope")))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("does not exist") && e.contains("--kubeconfig"),
            "{e}"
        );
        assert!(!e.contains("'\""), "{e}");
    }

    #[test]
    fn quoted_values_are_left_out() {
        assert_eq!(
            unquoted("invalid type: string \"tok\", expected a sequence"),
            "invalid type: string \"…\", expected a sequence"
        );
    }
}
