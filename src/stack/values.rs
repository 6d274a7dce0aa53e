//! Reading the values of a checked compose tree as the docker CLI reads them: text, numbers
//! (numbers may come as text after interpolation), booleans, lists, `k=v` mappings, Go durations
//! and sizes. Every reader names the key path of a value it cannot read.

use super::spec::{At, NAMESPACE, StackError};
use serde_json::Value as J;
use std::collections::BTreeMap;

pub type R<T> = Result<T, StackError>;

/// `base` + `key`, a key path one level down.
pub fn p(base: &[String], key: &str) -> Vec<String> {
    let mut v = base.to_vec();
    v.push(key.to_string());
    v
}

/// `base` + `[i]`, a list item's key path.
pub fn item(base: &[String], i: usize) -> Vec<String> {
    p(base, &format!("[{i}]"))
}

/// The words `bad` names what was expected with, and their catalog keys.
const WHAT: &[(&str, &str)] = &[
    ("build context or mapping", "what.build_context_or_mapping"),
    ("command", "what.command"),
    ("condition", "what.condition"),
    ("config", "what.config"),
    ("duration (like 10s or 1m30s)", "what.duration_like"),
    ("image name", "what.image_name"),
    ("image", "what.image"),
    ("list or mapping", "what.list_or_mapping"),
    ("list", "what.list"),
    ("mapping or list", "what.mapping_or_list"),
    ("mapping", "what.mapping"),
    ("number", "what.number"),
    ("port (like 8080:80 or 443)", "what.port_like"),
    ("port", "what.port"),
    ("restart policy", "what.restart_policy"),
    ("size (like 512M or 1G)", "what.size_like"),
    ("size", "what.size"),
    ("target", "what.target"),
    ("text", "what.text"),
    ("true/false", "what.true_false"),
    ("volume", "what.volume"),
    ("whole number", "what.whole_number"),
];

/// What was expected, in the user's language.
fn what_word(what: &str) -> String {
    WHAT.iter().find(|(w, _)| *w == what).map_or_else(
        || what.to_string(),
        |(_, key)| crate::i18n::text(key).to_string(),
    )
}

pub fn bad(at: &At<'_>, path: &[String], what: &str, value: &J) -> StackError {
    let shown = match value {
        J::String(s) => s.clone(),
        other => other.to_string(),
    };
    at.err(
        path,
        crate::tr!("stack.bad_value", what = what_word(what), value = shown),
    )
}

pub fn missing(at: &At<'_>, path: &[String], key: &str) -> StackError {
    at.err(path, crate::tr!("stack.missing_key", key = key))
}

/// Text, as Go's `fmt.Sprint` writes a scalar (numbers and booleans too).
pub fn string(at: &At<'_>, v: &J, path: &[String]) -> R<String> {
    match v {
        J::String(s) => Ok(s.clone()),
        J::Number(n) => Ok(n.to_string()),
        J::Bool(b) => Ok(b.to_string()),
        other => Err(bad(at, path, "text", other)),
    }
}

/// Numbers may come as strings after interpolation (`replicas: ${N}`): cast as the CLI does.
pub fn uint(at: &At<'_>, v: &J, path: &[String]) -> R<u64> {
    match v {
        J::Number(n) if n.as_u64().is_some() => Ok(n.as_u64().unwrap_or(0)),
        J::String(s) if s.trim().parse::<u64>().is_ok() => Ok(s.trim().parse().unwrap_or(0)),
        other => Err(bad(at, path, "whole number", other)),
    }
}

/// A whole number that may be negative (`oom_score_adj`).
pub fn int(at: &At<'_>, v: &J, path: &[String]) -> R<i64> {
    match v {
        J::Number(n) if n.as_i64().is_some() => Ok(n.as_i64().unwrap_or(0)),
        J::String(s) if s.trim().parse::<i64>().is_ok() => Ok(s.trim().parse().unwrap_or(0)),
        other => Err(bad(at, path, "whole number", other)),
    }
}

pub fn float(at: &At<'_>, v: &J, path: &[String]) -> R<f64> {
    match v {
        J::Number(n) => n.as_f64().ok_or_else(|| bad(at, path, "number", v)),
        J::String(s) => s.trim().parse().map_err(|_| bad(at, path, "number", v)),
        other => Err(bad(at, path, "number", other)),
    }
}

pub fn boolean(at: &At<'_>, v: &J, path: &[String]) -> R<bool> {
    match v {
        J::Bool(b) => Ok(*b),
        J::String(s) => match s.to_lowercase().as_str() {
            "true" | "yes" | "y" | "on" | "1" => Ok(true),
            "false" | "no" | "n" | "off" | "0" => Ok(false),
            _ => Err(bad(at, path, "true/false", v)),
        },
        other => Err(bad(at, path, "true/false", other)),
    }
}

/// A list of strings, or one string as a list of one.
pub fn list(at: &At<'_>, v: &J, path: &[String]) -> R<Vec<String>> {
    match v {
        J::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, x)| string(at, x, &item(path, i)))
            .collect(),
        J::String(s) => Ok(vec![s.clone()]),
        other => Err(bad(at, path, "list", other)),
    }
}

/// A mapping, or a list of `k<sep>v`, in the file's order (a mapping's keys sorted, as the CLI
/// sorts them). `None` values are keys without a value (`KEY` in a list, `KEY:` in a mapping).
pub fn pairs(
    at: &At<'_>,
    v: &J,
    path: &[String],
    seps: &[char],
) -> R<Vec<(String, Option<String>)>> {
    let mut out = Vec::new();
    match v {
        J::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            for k in keys {
                let val = match &m[k] {
                    J::Null => None,
                    other => Some(string(at, other, &p(path, k))?),
                };
                out.push((k.clone(), val));
            }
        }
        J::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                let s = string(at, x, &item(path, i))?;
                let cut = seps.iter().filter_map(|c| s.find(*c)).min();
                match cut {
                    Some(at) => out.push((s[..at].to_string(), Some(s[at + 1..].to_string()))),
                    None => out.push((s, None)),
                }
            }
        }
        J::Null => {}
        other => return Err(bad(at, path, "mapping or list", other)),
    }
    Ok(out)
}

/// A mapping, or a list of `k<sep>v` (labels, environment), by key.
pub fn kv(at: &At<'_>, v: &J, path: &[String], sep: char) -> R<BTreeMap<String, Option<String>>> {
    Ok(pairs(at, v, path, &[sep])?.into_iter().collect())
}

/// `k=v` pairs where a key without a value means the empty string (labels, options, sysctls).
pub fn string_map(at: &At<'_>, v: Option<&J>, path: &[String]) -> R<BTreeMap<String, String>> {
    Ok(match v {
        Some(v) => kv(at, v, path, '=')?
            .into_iter()
            .map(|(k, v)| (k, v.unwrap_or_default()))
            .collect(),
        None => BTreeMap::new(),
    })
}

pub fn labels(at: &At<'_>, v: Option<&J>, path: &[String]) -> R<BTreeMap<String, String>> {
    string_map(at, v, path)
}

pub fn with_stack(mut l: BTreeMap<String, String>, stack: &str) -> BTreeMap<String, String> {
    l.insert(NAMESPACE.into(), stack.into());
    l
}

/// Go durations: `1m30s`, `500ms`, `2.5s`, `1h` → nanoseconds.
pub fn duration_ns(s: &str) -> Option<i64> {
    let s = s.trim();
    if s == "0" {
        return Some(0);
    }
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let n: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let mult = match &rest[..unit_len] {
            "ns" => 1.0,
            "us" | "µs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        total += n * mult;
        rest = &rest[unit_len..];
    }
    Some(total as i64)
}

/// Sizes as docker reads them (`512M`, `1.5g`, `100k`, plain bytes), in binary units.
pub fn bytes(s: &str) -> Option<i64> {
    let s = s.trim().to_lowercase();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let n: f64 = s[..split].parse().ok()?;
    let mult = match s[split..].trim_end_matches('b').trim_end_matches('i') {
        "" => 1.0,
        "k" => 1024.0,
        "m" => 1024.0 * 1024.0,
        "g" => 1024.0 * 1024.0 * 1024.0,
        "t" => 1024f64.powi(4),
        _ => return None,
    };
    Some((n * mult) as i64)
}

pub fn dur(at: &At<'_>, v: &J, path: &[String]) -> R<i64> {
    let s = string(at, v, path)?;
    duration_ns(&s).ok_or_else(|| bad(at, path, "duration (like 10s or 1m30s)", v))
}

pub fn size(at: &At<'_>, v: &J, path: &[String]) -> R<i64> {
    match v {
        J::Number(n) => n.as_i64().ok_or_else(|| bad(at, path, "size", v)),
        _ => bytes(&string(at, v, path)?).ok_or_else(|| bad(at, path, "size (like 512M or 1G)", v)),
    }
}

/// An unknown key is an error naming it (and the closest known one); `x-` keys are extensions.
pub fn check(at: &At<'_>, v: &J, path: &[String], allowed: &[&str]) -> R<()> {
    let unknown = v.as_object().and_then(|o| {
        o.keys()
            .find(|k| !k.starts_with("x-") && !allowed.contains(&k.as_str()))
    });
    match unknown {
        Some(k) => {
            let hint = crate::suggest::closest(k, allowed.iter().copied())
                .map(|s| crate::tr!("hint.did_you_mean", name = s))
                .unwrap_or_default();
            Err(at.err(
                &p(path, k),
                crate::tr!("stack.unknown_key", key = k, hint = hint),
            ))
        }
        None => Ok(()),
    }
}

/// A plain (unquoted) YAML scalar that the docker CLI's YAML reader (gopkg.in/yaml.v3) takes
/// for a number where a YAML 1.2 reader takes text: `0400` and `-0400` are octal (0o400 = 256),
/// `1_000` is 1000, `08` is the float 8. Other numbers read the same either way.
pub fn yaml11_number(plain: &str) -> Option<J> {
    let first = plain.bytes().next()?;
    if !(first.is_ascii_digit() || first == b'+' || first == b'-') {
        return None;
    }
    let digits = plain.replace('_', "");
    let (neg, unsigned) = match digits.as_bytes().first() {
        Some(b'-') => (true, &digits[1..]),
        Some(b'+') => (false, &digits[1..]),
        _ => (false, digits.as_str()),
    };
    let as_int = |v: u64| -> Option<J> {
        if neg {
            i64::try_from(v).ok().map(|v| J::from(-v))
        } else {
            Some(J::from(v))
        }
    };
    if unsigned.len() > 1
        && unsigned.starts_with('0')
        && unsigned[1..].bytes().all(|b| b.is_ascii_digit())
    {
        // Go's base-0 rule: a leading 0 means octal; with an 8 or 9 it is a float instead.
        return match u64::from_str_radix(&unsigned[1..], 8) {
            Ok(v) => as_int(v),
            Err(_) => unsigned
                .parse::<f64>()
                .ok()
                .map(|f| J::from(if neg { -f } else { f })),
        };
    }
    if digits != plain && !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return unsigned.parse::<u64>().ok().and_then(as_int);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_sizes_and_words() {
        assert_eq!(duration_ns("1m30s"), Some(90_000_000_000));
        assert_eq!(duration_ns("500ms"), Some(500_000_000));
        assert_eq!(duration_ns("2.5s"), Some(2_500_000_000));
        assert_eq!(duration_ns("10"), None);
        assert_eq!(bytes("512M"), Some(512 * 1024 * 1024));
        assert_eq!(bytes("1.5g"), Some(1_610_612_736));
        assert_eq!(bytes("100"), Some(100));
        assert_eq!(bytes("lots"), None);
    }

    #[test]
    fn plain_scalars_read_as_the_docker_clis_yaml_reads_them() {
        assert_eq!(yaml11_number("0400"), Some(J::from(256u64)));
        assert_eq!(yaml11_number("0440"), Some(J::from(288u64)));
        assert_eq!(yaml11_number("0644"), Some(J::from(420u64)));
        assert_eq!(yaml11_number("0755"), Some(J::from(493u64)));
        assert_eq!(yaml11_number("-0400"), Some(J::from(-256i64)));
        assert_eq!(yaml11_number("00"), Some(J::from(0u64)));
        assert_eq!(yaml11_number("08"), Some(J::from(8.0)));
        assert_eq!(yaml11_number("1_000"), Some(J::from(1000u64)));
        // What YAML 1.2 already reads as numbers, or is text for both.
        assert_eq!(yaml11_number("400"), None);
        assert_eq!(yaml11_number("0"), None);
        assert_eq!(yaml11_number("v0400"), None);
        assert_eq!(yaml11_number("0400a"), None);
    }
}
