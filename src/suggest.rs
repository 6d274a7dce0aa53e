//! "Did you mean ...?" for mistyped commands and names.

/// Edit distance between two strings, by characters, where swapping two neighbours counts as
/// one edit (optimal string alignment): "wbe" is one edit from "web".
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

/// The closest candidate to `word`, when it is close enough to be a likely typo
/// (or when `word` is a substring of exactly that candidate).
pub fn closest<'a, I>(word: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let w = word.to_lowercase();
    let limit = (w.chars().count() / 3).max(1) + 1;
    candidates
        .into_iter()
        .map(|c| {
            let lc = c.to_lowercase();
            let d = if lc.contains(&w) && w.len() >= 3 {
                1
            } else {
                distance(&w, &lc)
            };
            (d, c)
        })
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, c.len()))
        .map(|(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("señor", "senor"), 1);
        assert_eq!(distance("wbe", "web"), 1);
    }

    #[test]
    fn suggests_close_names_only() {
        let names = ["gopenux_backend", "gopenux_frontend", "gopenux_redis"];
        assert_eq!(
            closest("gopenux_backnd", names).as_deref(),
            Some("gopenux_backend")
        );
        assert_eq!(closest("redis", names).as_deref(), Some("gopenux_redis"));
        assert_eq!(closest("zzz", names), None);
    }
}
