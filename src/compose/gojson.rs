//! JSON written as Go's `encoding/json` writes it, for docker compose's config hashes: maps with
//! sorted keys, structs in their fields' order (built by [`Obj`]), `<`, `>` and `&` escaped as
//! `\u003c`..., durations as Go's `time.Duration` prints them.

use serde_json::Value as J;
use std::fmt::Write;

/// A JSON string as Go escapes it.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Any JSON value (objects as Go maps: keys sorted).
pub fn value(v: &J) -> String {
    match v {
        J::String(s) => string(s),
        J::Array(a) => {
            let items: Vec<String> = a.iter().map(value).collect();
            format!("[{}]", items.join(","))
        }
        J::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let items: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", string(k), value(&m[k])))
                .collect();
            format!("{{{}}}", items.join(","))
        }
        other => other.to_string(),
    }
}

/// A Go struct's JSON: fields in the order given; `None` fields (omitempty) left out.
#[derive(Default)]
pub struct Obj {
    fields: Vec<(&'static str, String)>,
}

impl Obj {
    pub fn new() -> Obj {
        Obj::default()
    }

    /// A field already written as JSON.
    pub fn raw(mut self, key: &'static str, json: Option<String>) -> Obj {
        if let Some(j) = json {
            self.fields.push((key, j));
        }
        self
    }

    /// A field from a value; null, "", false, 0, [] and {} are left out (Go's omitempty).
    pub fn omitempty(self, key: &'static str, v: Option<&J>) -> Obj {
        let json = v.filter(|v| !empty(v)).map(value);
        self.raw(key, json)
    }

    pub fn str_field(self, key: &'static str, v: &str) -> Obj {
        let json = (!v.is_empty()).then(|| string(v));
        self.raw(key, json)
    }

    pub fn flag(self, key: &'static str, v: bool) -> Obj {
        self.raw(key, v.then(|| "true".to_string()))
    }

    pub fn finish(self) -> String {
        let items: Vec<String> = self
            .fields
            .into_iter()
            .map(|(k, v)| format!("{}:{v}", string(k)))
            .collect();
        format!("{{{}}}", items.join(","))
    }
}

/// Go's omitempty: false, 0, "", null, and empty arrays and maps.
pub fn empty(v: &J) -> bool {
    match v {
        J::Null => true,
        J::Bool(b) => !b,
        J::Number(n) => n.as_f64() == Some(0.0),
        J::String(s) => s.is_empty(),
        J::Array(a) => a.is_empty(),
        J::Object(o) => o.is_empty(),
    }
}

/// Nanoseconds as Go's `time.Duration.String()`: `1m30s`, `500ms`, `1h0m0s`, `0s`.
pub fn duration(ns: i64) -> String {
    if ns == 0 {
        return "0s".into();
    }
    let neg = ns < 0;
    let u = ns.unsigned_abs();
    let sign = if neg { "-" } else { "" };
    if u < 1_000_000_000 {
        // Under a second: the largest unit that keeps a whole part, with a fraction.
        let (unit, div) = if u < 1_000 {
            ("ns", 1)
        } else if u < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        return format!("{sign}{}{unit}", fraction(u, div));
    }
    let secs = u / 1_000_000_000;
    let sub = u % 1_000_000_000;
    let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
    let sec = if sub == 0 {
        format!("{s}s")
    } else {
        format!("{}s", fraction(s * 1_000_000_000 + sub, 1_000_000_000))
    };
    if h > 0 {
        format!("{sign}{h}h{m}m{sec}")
    } else if m > 0 {
        format!("{sign}{m}m{sec}")
    } else {
        format!("{sign}{sec}")
    }
}

/// `v / div` with the fraction's trailing zeros dropped (`1.5`, `2`).
fn fraction(v: u64, div: u64) -> String {
    let whole = v / div;
    let rest = v % div;
    if rest == 0 {
        return whole.to_string();
    }
    let width = (div as f64).log10().round() as usize;
    let digits = format!("{rest:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn durations_print_as_go_prints_them() {
        let s = 1_000_000_000;
        assert_eq!(duration(90 * s), "1m30s");
        assert_eq!(duration(60 * s), "1m0s");
        assert_eq!(duration(3600 * s), "1h0m0s");
        assert_eq!(duration(5 * s), "5s");
        assert_eq!(duration(500_000_000), "500ms");
        assert_eq!(duration(1_500_000_000), "1.5s");
        assert_eq!(duration(1_500), "1.5µs");
        assert_eq!(duration(0), "0s");
    }

    #[test]
    fn strings_and_maps_are_escaped_and_sorted_as_go_does() {
        assert_eq!(
            value(&json!({"Y": "a<b&c", "A": ["x\n"]})),
            r#"{"A":["x\n"],"Y":"a\u003cb\u0026c"}"#
        );
        let o = Obj::new()
            .str_field("b", "1")
            .str_field("a", "")
            .flag("c", true)
            .finish();
        assert_eq!(o, r#"{"b":"1","c":true}"#);
    }
}
