use super::*;

fn in_dir(dir: &Path) -> Request {
    Request {
        dir: dir.to_path_buf(),
        ..Request::default()
    }
}

#[test]
fn the_lab_defaults_make_a_ca_and_a_certificate_for_the_domain() {
    let tmp = tempfile::tempdir().unwrap();
    let g = generate(&in_dir(&tmp.path().join("certs"))).unwrap();
    assert_eq!(g.files.len(), 5);
    assert_eq!(g.cert.names, ["developers.lan", "*.developers.lan"]);
    assert!(g.cert.subject.contains("L=Cúcuta"), "{}", g.cert.subject);
    assert!(g.cert.subject.contains("ST=Norte de Santander"));
    assert!(g.cert.subject.contains("C=CO") && g.cert.subject.contains("O=GopenuxLab"));
    assert!(
        g.cert.issuer.contains("CN=GopenuxLab Root CA"),
        "{}",
        g.cert.issuer
    );
    assert_eq!(g.cert.key, "ECDSA P-256");
    assert!(!g.cert.ca);
    assert!(g.ca.as_ref().unwrap().ca);
    let chain = inspect(&tmp.path().join("certs/fullchain.pem")).unwrap();
    assert_eq!(chain.len(), 2);
    assert_eq!(chain[0], g.cert);
}

#[test]
fn bad_fields_are_named_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("c");
    type Change = fn(&mut Request);
    let cases: [(Change, &str); 6] = [
        (|r| r.domain = " ".into(), "domain"),
        (|r| r.country = "Colombia".into(), "Colombia"),
        (|r| r.country = "co".into(), "co"),
        (|r| r.days = 0, "--days"),
        (|r| r.ca_days = -5, "--ca-days"),
        (|r| r.sans = vec!["bad name".into()], "bad name"),
    ];
    for (change, word) in cases {
        let mut r = in_dir(&dir);
        change(&mut r);
        let e = generate(&r).unwrap_err().to_string();
        assert!(e.contains(word), "{word}: {e}");
        assert!(!dir.exists(), "nothing written for {word}");
    }
}

#[test]
fn command_lines_name_only_what_differs() {
    let mut r = Request::default();
    assert_eq!(r.command_line(), "certs");
    r.state = "Valle del Cauca".into();
    r.self_signed = true;
    r.sans = vec!["127.0.0.1".into()];
    assert_eq!(
        r.command_line(),
        "certs --state \"Valle del Cauca\" --san 127.0.0.1 --self-signed"
    );
}
