//! Finding an object by what a user types: a name, an ID, or a unique ID prefix, as the docker
//! CLI finds them; with the closest name when there is none.

use super::Error;

/// Exact name, then exact ID, then a unique ID prefix, as the docker CLI resolves names.
pub fn find_by_name<T>(
    items: Vec<T>,
    name: &str,
    kind: &'static str,
    key: impl Fn(&T) -> (&String, &String),
) -> Result<T, Error> {
    let mut items = items;
    if let Some(i) = items
        .iter()
        .position(|t| key(t).0 == name || key(t).1 == name)
    {
        return Ok(items.swap_remove(i));
    }
    let prefixed: Vec<usize> = items
        .iter()
        .enumerate()
        .filter(|(_, t)| name.len() >= 3 && key(t).1.starts_with(name))
        .map(|(i, _)| i)
        .collect();
    match prefixed.as_slice() {
        [one] => Ok(items.swap_remove(*one)),
        [] => {
            let suggestion = crate::suggest::closest(name, items.iter().map(|t| key(t).0.as_str()));
            Err(Error::NotFound {
                kind,
                name: name.to_string(),
                suggestion,
            })
        }
        many => Err(Error::Ambiguous {
            name: name.to_string(),
            matches: many.iter().map(|i| key(&items[*i]).0.clone()).collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct T(String, String);

    fn items() -> Vec<T> {
        vec![
            T("web".into(), "abc123".into()),
            T("api".into(), "abd999".into()),
            T("db".into(), "zzz000".into()),
        ]
    }

    #[test]
    fn names_resolve_like_the_docker_cli() {
        fn k(t: &T) -> (&String, &String) {
            (&t.0, &t.1)
        }
        assert_eq!(
            find_by_name(items(), "web", "kind.service", k).unwrap().0,
            "web"
        );
        assert_eq!(
            find_by_name(items(), "zzz000", "kind.service", k)
                .unwrap()
                .0,
            "db"
        );
        assert_eq!(
            find_by_name(items(), "abd", "kind.service", k).unwrap().0,
            "api"
        );
        assert!(matches!(
            find_by_name(items(), "ab1", "kind.service", k),
            Err(Error::NotFound { .. })
        ));
        assert!(matches!(
            find_by_name(items(), "abx", "kind.service", k),
            Err(Error::NotFound { .. })
        ));
        match find_by_name(items(), "wbe", "kind.service", k) {
            Err(Error::NotFound { suggestion, .. }) => {
                assert_eq!(suggestion.as_deref(), Some("web"))
            }
            other => panic!("{other:?}"),
        }
        let mut two = items();
        two.push(T("x".into(), "abc777".into()));
        assert!(matches!(
            find_by_name(two, "abc", "kind.service", k),
            Err(Error::Ambiguous { .. })
        ));
    }
}
