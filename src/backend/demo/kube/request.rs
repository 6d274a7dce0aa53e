//! One request to the demo API server, read: its method, path, query, headers and body.

use bytes::Bytes;
use http::Method;
use std::collections::HashMap;

/// One request, read.
pub struct Call {
    pub method: Method,
    pub path: String,
    pub query: HashMap<String, String>,
    pub accept: String,
    pub content_type: String,
    /// The client's User-Agent, whose first word names the field manager (`estiba/0.1`).
    pub agent: String,
    pub body: Bytes,
}

impl Call {
    pub fn q(&self, k: &str) -> Option<&str> {
        self.query
            .get(k)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub fn dry(&self) -> bool {
        self.q("dryRun") == Some("All")
    }

    /// Who writes: `fieldManager`, else the client's name, as the API server takes it.
    pub fn manager(&self) -> String {
        self.q("fieldManager")
            .map(str::to_string)
            .unwrap_or_else(|| {
                let a = self.agent.split('/').next().unwrap_or_default();
                if a.is_empty() {
                    "unknown".into()
                } else {
                    a.to_string()
                }
            })
    }

    pub fn table(&self) -> bool {
        self.accept.contains("as=Table")
    }
}
