//! The en/es catalog. Every user-facing string goes through [`tr!`](crate::tr).
//!
//! The catalogs are TOML files under `assets/i18n/`, embedded in the binary. A key missing from a
//! catalog shows as the key itself; a test checks that every key used in the code is in both.

use std::collections::HashMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    En,
    Es,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" | "english" | "inglés" | "ingles" => Some(Lang::En),
            "es" | "spanish" | "español" | "espanol" => Some(Lang::Es),
            _ => None,
        }
    }

    /// The language the environment asks for (LC_ALL, then LC_MESSAGES, then LANG), English otherwise.
    pub fn from_env() -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|v| std::env::var(v).ok())
            .find(|v| !v.is_empty())
            .map(|v| {
                if v.starts_with("es") {
                    Lang::Es
                } else {
                    Lang::En
                }
            })
            .unwrap_or(Lang::En)
    }
}

static CURRENT: AtomicU8 = AtomicU8::new(0);

pub fn set_lang(lang: Lang) {
    CURRENT.store(lang as u8, Ordering::Relaxed);
}

pub fn lang() -> Lang {
    if CURRENT.load(Ordering::Relaxed) == Lang::Es as u8 {
        Lang::Es
    } else {
        Lang::En
    }
}

const EN: &str = include_str!("../assets/i18n/en.toml");
const ES: &str = include_str!("../assets/i18n/es.toml");

fn load(src: &str) -> HashMap<String, String> {
    match toml::from_str::<toml::Table>(src) {
        Ok(table) => table
            .into_iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_string())))
            .collect(),
        Err(_) => HashMap::new(),
    }
}

fn catalog(lang: Lang) -> &'static HashMap<String, String> {
    static EN_MAP: OnceLock<HashMap<String, String>> = OnceLock::new();
    static ES_MAP: OnceLock<HashMap<String, String>> = OnceLock::new();
    match lang {
        Lang::En => EN_MAP.get_or_init(|| load(EN)),
        Lang::Es => ES_MAP.get_or_init(|| load(ES)),
    }
}

/// The text of `key` in the current language.
pub fn text(key: &'static str) -> &'static str {
    text_in(lang(), key)
}

pub fn text_in(lang: Lang, key: &'static str) -> &'static str {
    catalog(lang)
        .get(key)
        .or_else(|| catalog(Lang::En).get(key))
        .map(String::as_str)
        .unwrap_or(key)
}

/// The text of `key` with each `{name}` replaced by its value.
pub fn format(key: &'static str, args: &[(&str, String)]) -> String {
    let mut out = text(key).to_string();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// An error of the operating system in the current language: the common ones worded by the
/// catalog (with the OS's number, which searches well), the rest as the OS says them.
pub fn os_error(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    let key = match e.kind() {
        K::ConnectionRefused => "os.refused",
        K::NotFound => "os.not_found",
        K::PermissionDenied => "os.denied",
        K::TimedOut => "os.timed_out",
        K::ConnectionReset => "os.reset",
        K::ConnectionAborted => "os.aborted",
        K::BrokenPipe => "os.broken_pipe",
        K::AddrInUse => "os.addr_in_use",
        K::AddrNotAvailable => "os.addr_not_available",
        K::AlreadyExists => "os.exists",
        K::HostUnreachable => "os.host_unreachable",
        K::NetworkUnreachable => "os.network_unreachable",
        K::NotADirectory => "os.not_a_directory",
        K::IsADirectory => "os.is_a_directory",
        K::StorageFull => "os.storage_full",
        K::ReadOnlyFilesystem => "os.read_only",
        _ => return e.to_string().replace(['\n', '\r'], " "),
    };
    match e.raw_os_error() {
        Some(n) => format!("{} (os error {n})", text(key)),
        None => text(key).to_string(),
    }
}

/// `tr!("key")` or `tr!("key", name = value, ...)`: a localized String.
#[macro_export]
macro_rules! tr {
    ($key:literal) => {
        $crate::i18n::text($key).to_string()
    };
    ($key:literal, $($name:ident = $val:expr),+ $(,)?) => {
        $crate::i18n::format($key, &[$((stringify!($name), ($val).to_string())),+])
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(src: &str) -> BTreeSet<String> {
        load(src).into_keys().collect()
    }

    #[test]
    fn both_catalogs_parse_and_have_the_same_keys() {
        let en = keys(EN);
        let es = keys(ES);
        assert!(en.len() > 50, "the English catalog did not parse");
        let only_en: Vec<_> = en.difference(&es).collect();
        let only_es: Vec<_> = es.difference(&en).collect();
        assert!(only_en.is_empty(), "missing in es.toml: {only_en:?}");
        assert!(only_es.is_empty(), "missing in en.toml: {only_es:?}");
    }

    #[test]
    fn every_key_used_in_the_code_is_in_the_catalog() {
        let en = keys(EN);
        let mut missing = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let src = std::fs::read_to_string(&path).unwrap();
                for marker in ["tr!(\"", "text(\"", "text_in(lang, \""] {
                    for (i, _) in src.match_indices(marker) {
                        let before = src[..i].chars().next_back();
                        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                            continue;
                        }
                        let rest = &src[i + marker.len()..];
                        let key = &rest[..rest.find('"').unwrap()];
                        if key != "key" && !en.contains(key) {
                            missing.push(format!("{}: {key}", path.display()));
                        }
                    }
                }
            }
        }
        assert!(missing.is_empty(), "keys not in the catalog: {missing:#?}");
    }

    #[test]
    fn placeholders_are_filled() {
        set_lang(Lang::En);
        let s = crate::tr!("err.not_found", kind = "service", name = "web", hint = "");
        assert!(s.contains("web"), "{s}");
        assert!(!s.contains('{'), "{s}");
    }

    #[test]
    fn language_names_parse() {
        assert_eq!(Lang::parse("ES"), Some(Lang::Es));
        assert_eq!(Lang::parse("español"), Some(Lang::Es));
        assert_eq!(Lang::parse("fr"), None);
    }
}
