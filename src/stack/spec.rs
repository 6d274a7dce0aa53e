//! What a compose file becomes before any API call (`StackSpec`), where an error in it is
//! (`StackError`, `At`), and the names every part of the loader shares.

use super::locate::locate;
use serde_json::Value as J;
use std::collections::BTreeMap;
use std::path::Path;

/// The label that ties an object to its stack, as the docker CLI sets it.
pub const NAMESPACE: &str = "com.docker.stack.namespace";

/// An error in a compose file, pointing at where it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", if *.line == 0 {
    crate::tr!("stack.error_file", file = .file, message = .message)
} else if .path.is_empty() {
    crate::tr!("stack.error_at", file = .file, line = .line, col = .col, message = .message)
} else {
    crate::tr!("stack.error", file = .file, line = .line, col = .col, path = .path, message = .message)
})]
pub struct StackError {
    pub file: String,
    pub line: usize,
    pub col: usize,
    /// The key path, e.g. `services.web.deploy.replicas`.
    pub path: String,
    pub message: String,
}

/// What a deploy creates or updates, converted and checked, before any API call.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StackSpec {
    pub name: String,
    /// Service key → ServiceSpec (JSON, Engine API shape). Network targets are network names.
    pub services: BTreeMap<String, J>,
    /// Network name → NetworkCreateRequest (JSON) for the networks to create.
    pub networks: BTreeMap<String, J>,
    /// Names of external networks that must exist.
    pub external_networks: Vec<String>,
    /// Secret name → what to create.
    pub secrets: BTreeMap<String, FileObject>,
    pub configs: BTreeMap<String, FileObject>,
    /// Warnings as the docker CLI prints them.
    pub warnings: Vec<String>,
}

/// A secret or config the stack creates: its labels and content (or a secret driver), and the
/// template driver that expands it, if any.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileObject {
    pub labels: BTreeMap<String, String>,
    pub data: Vec<u8>,
    pub templating: Option<String>,
    /// A secret driver (name, options): the engine fetches the value; `data` is empty.
    pub driver: Option<(String, BTreeMap<String, String>)>,
}

/// A view of the context for the converter.
pub struct At<'a> {
    pub file: &'a str,
    pub text: &'a str,
    pub dir: &'a Path,
}

impl At<'_> {
    pub fn err(&self, path: &[String], message: String) -> StackError {
        let (line, col) = locate(self.text, path).unwrap_or((1, 1));
        StackError {
            file: self.file.to_string(),
            line,
            col,
            path: path.join(".").replace(".[", "["),
            message,
        }
    }
}

/// Stack names as the docker CLI accepts them: lowercase letters, digits, `_` and `-`.
pub fn valid_stack_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}
