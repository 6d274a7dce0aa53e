//! The backend's one error type: typed, owned, worded through the catalog when shown (an
//! engine's error carries its cause and the object it was about).

use crate::tr;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("{}", tr!("err.unreachable", endpoint = .endpoint, reason = .reason))]
    Unreachable { endpoint: String, reason: String },
    #[error("{}", tr!("err.not_manager"))]
    NotManager,
    #[error("{}", tr!("err.not_found", kind = crate::i18n::text(.kind), name = .name, hint = hint(.suggestion)))]
    NotFound {
        kind: &'static str,
        name: String,
        suggestion: Option<String>,
    },
    #[error("{}", tr!("err.ambiguous", name = .name, matches = .matches.join(", ")))]
    Ambiguous { name: String, matches: Vec<String> },
    #[error("{}", tr!("err.endpoint", detail = .0))]
    Endpoint(String),
    /// What the user named to reach the cluster cannot be used (a kubeconfig that does not
    /// exist or does not parse): said whole, with the file and the place.
    #[error("{0}")]
    Setup(String),
    /// The engine (or the API server) refused or failed: its words, and what it was about
    /// when an action names it (a service, a node, an image...).
    #[error("{}", engine_words(.cause, .object.as_ref()))]
    Engine {
        cause: String,
        object: Option<Object>,
    },
    /// Refused before anything changed (global service, no previous spec, bad credentials...).
    #[error("{0}")]
    Refused(String),
    /// The API server's RBAC said no: the user, the verb and the resource are in its words.
    #[error("{}", tr!("err.forbidden", detail = .0))]
    Forbidden(String),
    #[error("{}", tr!("err.readonly", command = .0))]
    ReadOnly(String),
    /// An action asked for while the engine is away (reconnecting).
    #[error("{}", tr!("err.not_connected"))]
    NotConnected,
    /// The change was made, but the cluster has not reached it (a deploy that does not
    /// converge): what is missing and why.
    #[error("{0}")]
    NotConverged(String),
}

/// The object an error is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    pub kind: crate::model::inspect::Kind,
    pub name: String,
}

fn engine_words(cause: &str, object: Option<&Object>) -> String {
    match object {
        Some(o) => tr!(
            "err.engine_on",
            kind = crate::i18n::text(o.kind.catalog_key()),
            name = o.name,
            detail = cause
        ),
        None => tr!("err.engine", detail = cause),
    }
}

impl Error {
    /// The engine's own words, about no object in particular (yet).
    pub fn engine(cause: impl Into<String>) -> Error {
        Error::Engine {
            cause: cause.into(),
            object: None,
        }
    }

    /// The same error, about this object when it says nothing of one.
    pub fn about(self, kind: crate::model::inspect::Kind, name: &str) -> Error {
        match self {
            Error::Engine {
                cause,
                object: None,
            } => Error::Engine {
                cause,
                object: Some(Object {
                    kind,
                    name: name.to_string(),
                }),
            },
            other => other,
        }
    }
}

fn hint(s: &Option<String>) -> String {
    s.as_ref()
        .map(|s| tr!("hint.did_you_mean", name = s))
        .unwrap_or_default()
}
