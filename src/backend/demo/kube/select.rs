//! Label and field selectors as the API server reads them (`app=creator,tier!=db`,
//! `env in (dev,prd)`, `spec.nodeName=minikube`).

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
enum Req {
    Eq(String, String),
    Ne(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    Absent(String),
}

/// A label selector and a field selector; empty ones match everything.
#[derive(Debug, Clone, Default)]
pub struct Selector {
    labels: Vec<Req>,
    fields: Vec<Req>,
}

/// Splits at commas outside parentheses.
fn parts(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    out
}

fn set(s: &str) -> Vec<String> {
    s.trim()
        .trim_start_matches('(')
        .trim_end_matches(')')
        .split(',')
        .map(|v| v.trim().to_string())
        .collect()
}

fn requirement(p: &str) -> Result<Req, String> {
    let p = p.trim();
    if let Some((k, v)) = p.split_once("!=") {
        return Ok(Req::Ne(k.trim().into(), v.trim().into()));
    }
    if let Some((k, v)) = p.split_once("==").or_else(|| p.split_once('=')) {
        return Ok(Req::Eq(k.trim().into(), v.trim().into()));
    }
    if let Some((k, v)) = p.split_once(" notin ") {
        return Ok(Req::NotIn(k.trim().into(), set(v)));
    }
    if let Some((k, v)) = p.split_once(" in ") {
        return Ok(Req::In(k.trim().into(), set(v)));
    }
    if let Some(k) = p.strip_prefix('!') {
        return Ok(Req::Absent(k.trim().into()));
    }
    if p.is_empty() || p.contains(' ') {
        return Err(format!("unable to parse requirement: {p:?}"));
    }
    Ok(Req::Exists(p.into()))
}

impl Selector {
    pub fn parse(labels: Option<&str>, fields: Option<&str>) -> Result<Selector, String> {
        let read = |s: Option<&str>| -> Result<Vec<Req>, String> {
            parts(s.unwrap_or_default())
                .iter()
                .map(|p| requirement(p))
                .collect()
        };
        Ok(Selector {
            labels: read(labels)?,
            fields: read(fields)?,
        })
    }

    pub fn matches(&self, obj: &Value) -> bool {
        let label = |k: &str| {
            obj.pointer("/metadata/labels")
                .and_then(|l| l.get(k))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let field = |k: &str| {
            let pointer = format!("/{}", k.replace('.', "/"));
            Some(
                obj.pointer(&pointer)
                    .map(|v| match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .unwrap_or_default(),
            )
        };
        self.labels.iter().all(|r| holds(r, &label)) && self.fields.iter().all(|r| holds(r, &field))
    }
}

fn holds(r: &Req, get: &dyn Fn(&str) -> Option<String>) -> bool {
    match r {
        Req::Eq(k, v) => get(k).as_deref() == Some(v.as_str()),
        Req::Ne(k, v) => get(k).as_deref() != Some(v.as_str()),
        Req::In(k, vs) => get(k).is_some_and(|x| vs.contains(&x)),
        Req::NotIn(k, vs) => get(k).is_none_or(|x| !vs.contains(&x)),
        Req::Exists(k) => get(k).is_some(),
        Req::Absent(k) => get(k).is_none(),
    }
}

/// `app=creator,tier=web`: matchLabels as a Scale's status writes them.
pub fn label_text(sel: &Value) -> String {
    sel.get("matchLabels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selectors_as_the_server_reads_them() {
        let pod = json!({"metadata": {"name": "a", "labels": {"app": "creator", "env": "dev"}}, "spec": {"nodeName": "minikube"}});
        let m = |l: &str, f: &str| Selector::parse(Some(l), Some(f)).unwrap().matches(&pod);
        assert!(m("app=creator", ""));
        assert!(m("app==creator,env in (dev,prd)", "spec.nodeName=minikube"));
        assert!(!m("app!=creator", ""));
        assert!(m("!tier", "metadata.name=a"));
        assert!(!m("env notin (dev)", ""));
        assert!(!m("", "spec.nodeName=other"));
        assert!(Selector::parse(Some("a b"), None).is_err());
    }
}
