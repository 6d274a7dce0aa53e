//! managedFields: which manager set which fields of an object, recorded on each write as the
//! API server records it (the paths as `f:` keys; a list as a whole).

use super::objects::{child, obj};
use super::store::str_at;
use serde_json::{Map, Value, json};

/// managedFields' record of the fields `v` sets: `f:` keys down the maps, a list as a whole.
fn fields_of(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, x) in m {
                out.insert(format!("f:{k}"), fields_of(x));
            }
            Value::Object(out)
        }
        _ => json!({}),
    }
}

/// Records in `v`'s managedFields that `manager` set its fields (or, with `status`, its status),
/// as the API server does on each write.
pub fn manage(v: &mut Value, manager: &str, operation: &str, status: bool, time: &str) {
    let api_version = str_at(v, "/apiVersion").to_string();
    let fields = if status {
        json!({"f:status": fields_of(v.get("status").unwrap_or(&Value::Null))})
    } else {
        let mut top = Map::new();
        for (k, x) in v.as_object().into_iter().flatten() {
            match k.as_str() {
                "apiVersion" | "kind" | "status" => {}
                "metadata" => {
                    let mut m = Map::new();
                    for part in ["labels", "annotations", "ownerReferences"] {
                        if let Some(p) = x.get(part) {
                            m.insert(format!("f:{part}"), fields_of(p));
                        }
                    }
                    if !m.is_empty() {
                        top.insert("f:metadata".into(), Value::Object(m));
                    }
                }
                _ => {
                    top.insert(format!("f:{k}"), fields_of(x));
                }
            }
        }
        Value::Object(top)
    };
    let mut entry = json!({
        "manager": manager,
        "operation": operation,
        "apiVersion": api_version,
        "time": time,
        "fieldsType": "FieldsV1",
        "fieldsV1": fields,
    });
    if status && let Some(e) = entry.as_object_mut() {
        e.insert("subresource".into(), json!("status"));
    }
    let same = |e: &Value| {
        str_at(e, "/manager") == manager
            && str_at(e, "/operation") == operation
            && (str_at(e, "/subresource") == "status") == status
    };
    let list = obj(child(v, "metadata"))
        .entry("managedFields")
        .or_insert_with(|| json!([]));
    if let Some(l) = list.as_array_mut() {
        match l.iter_mut().find(|e| same(e)) {
            Some(e) => *e = entry,
            None => l.push(entry),
        }
    }
}
