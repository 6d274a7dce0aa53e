//! Variable interpolation in compose files, as the docker CLI does it: `$V`, `${V}`, `${V:-d}`,
//! `${V-d}`, `${V:?msg}`, `${V?msg}`, and `$$` for a literal `$`. Unset variables become empty
//! strings (with a warning, as the CLI gives).

/// Why a value could not be interpolated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InterpolateError {
    /// `${V:?msg}` or `${V?msg}` with V missing: the message the file gives.
    Required { var: String, message: String },
    /// `${` without its `}`, or an empty or bad variable name.
    Invalid { template: String },
}

/// Interpolates one string. `lookup` reads the environment; `unset` collects the names of
/// variables that were not set (and defaulted to "").
pub fn interpolate(
    input: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    unset: &mut Vec<String>,
) -> Result<String, InterpolateError> {
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        if let Some(r) = after.strip_prefix('$') {
            out.push('$');
            rest = r;
        } else if let Some(r) = after.strip_prefix('{') {
            let end = closing_brace(r).ok_or_else(|| InterpolateError::Invalid {
                template: input.to_string(),
            })?;
            out.push_str(&braced(&r[..end], input, lookup, unset)?);
            rest = &r[end + 1..];
        } else {
            let len = after
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                .count();
            if len == 0 {
                // A lone `$` stays as it is.
                out.push('$');
                rest = after;
                continue;
            }
            let name = &after[..len];
            out.push_str(&value(name, lookup, unset));
            rest = &after[len..];
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// The `}` that closes a `${`, allowing nested `${...}` in defaults.
fn closing_brace(s: &str) -> Option<usize> {
    let mut depth = 0;
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'$' if b.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

fn value(name: &str, lookup: &dyn Fn(&str) -> Option<String>, unset: &mut Vec<String>) -> String {
    match lookup(name) {
        Some(v) => v,
        None => {
            if !unset.iter().any(|u| u == name) {
                unset.push(name.to_string());
            }
            String::new()
        }
    }
}

fn braced(
    inner: &str,
    whole: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    unset: &mut Vec<String>,
) -> Result<String, InterpolateError> {
    let name_len = inner
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    let (name, op) = inner.split_at(name_len);
    if name.is_empty() || name.as_bytes()[0].is_ascii_digit() {
        return Err(InterpolateError::Invalid {
            template: whole.to_string(),
        });
    }
    let found = lookup(name);
    let set_nonempty = found.as_deref().is_some_and(|v| !v.is_empty());
    let (kind, arg) = if let Some(a) = op.strip_prefix(":-") {
        ("default_empty", a)
    } else if let Some(a) = op.strip_prefix('-') {
        ("default_unset", a)
    } else if let Some(a) = op.strip_prefix(":?") {
        ("require_empty", a)
    } else if let Some(a) = op.strip_prefix('?') {
        ("require_unset", a)
    } else if op.is_empty() {
        return Ok(value(name, lookup, unset));
    } else {
        return Err(InterpolateError::Invalid {
            template: whole.to_string(),
        });
    };
    match kind {
        "default_empty" if !set_nonempty => interpolate(arg, lookup, unset),
        "default_unset" if found.is_none() => interpolate(arg, lookup, unset),
        "require_empty" if !set_nonempty => Err(InterpolateError::Required {
            var: name.into(),
            message: arg.into(),
        }),
        "require_unset" if found.is_none() => Err(InterpolateError::Required {
            var: name.into(),
            message: arg.into(),
        }),
        _ => Ok(found.unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(k: &str) -> Option<String> {
        match k {
            "TAG" => Some("test".into()),
            "EMPTY" => Some(String::new()),
            "REGISTRY" => Some("127.0.0.1:5000".into()),
            _ => None,
        }
    }

    fn i(s: &str) -> Result<String, InterpolateError> {
        interpolate(s, &env, &mut vec![])
    }

    #[test]
    fn every_form_of_the_cli() {
        assert_eq!(
            i("${REGISTRY}/api-semana-3:$TAG").unwrap(),
            "127.0.0.1:5000/api-semana-3:test"
        );
        assert_eq!(i("price: $$5").unwrap(), "price: $5");
        assert_eq!(
            i("${MISSING:-d}|${EMPTY:-d}|${MISSING-d}|${EMPTY-d}").unwrap(),
            "d|d|d|"
        );
        assert_eq!(i("${MISSING:-${TAG}}").unwrap(), "test");
        assert_eq!(i("a $ b").unwrap(), "a $ b");
        assert_eq!(i("${EMPTY?x}").unwrap(), "");
        assert_eq!(
            i("${MISSING:?set MISSING first}"),
            Err(InterpolateError::Required {
                var: "MISSING".into(),
                message: "set MISSING first".into()
            })
        );
        assert!(matches!(
            i("${EMPTY:?no}"),
            Err(InterpolateError::Required { .. })
        ));
        assert!(matches!(
            i("${MISSING?}"),
            Err(InterpolateError::Required { .. })
        ));
        assert!(matches!(i("${TAG"), Err(InterpolateError::Invalid { .. })));
        assert!(matches!(i("${}"), Err(InterpolateError::Invalid { .. })));
        assert!(matches!(
            i("${TAG!x}"),
            Err(InterpolateError::Invalid { .. })
        ));
    }

    #[test]
    fn unset_variables_are_collected_once() {
        let mut unset = vec![];
        assert_eq!(interpolate("$A-$A-${B}", &env, &mut unset).unwrap(), "--");
        assert_eq!(unset, ["A", "B"]);
    }
}
