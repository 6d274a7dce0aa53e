//! `estiba certs`: checked with openssl, served by a real nginx, put into the swarm as secrets.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::Engine;

fn workdir() -> PathBuf {
    support::workdir("estiba-certs")
}

fn estiba(dir: &Path, args: &[&str]) -> Output {
    support::estiba_in(dir, args)
}

use support::ok;

fn openssl(dir: &Path, args: &[&str]) -> String {
    let o = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_ca_and_a_certificate_for_the_lab_that_openssl_accepts() {
    let dir = workdir();
    let out = ok(&estiba(&dir, &["certs"]));
    for f in [
        "cert.pem",
        "key.pem",
        "ca.pem",
        "ca-key.pem",
        "fullchain.pem",
    ] {
        assert!(out.contains(&format!("certs/{f}")), "{f}: {out}");
    }
    assert!(out.contains("developers.lan, *.developers.lan"), "{out}");
    assert!(out.contains("SHA-256: "), "{out}");
    let certs = dir.join("certs");
    assert_eq!(mode(&certs.join("key.pem")), 0o600);
    assert_eq!(mode(&certs.join("ca-key.pem")), 0o600);
    assert_eq!(mode(&certs.join("cert.pem")), 0o644);
    // The subject in UTF-8, exactly: Cúcuta survives the round trip through openssl.
    let subject = openssl(
        &certs,
        &[
            "x509",
            "-noout",
            "-subject",
            "-nameopt",
            "utf8,sep_comma_plus",
            "-in",
            "cert.pem",
        ],
    );
    assert_eq!(
        subject.trim(),
        "subject=C=CO,ST=Norte de Santander,L=Cúcuta,O=GopenuxLab,CN=developers.lan"
    );
    let text = openssl(&certs, &["x509", "-noout", "-text", "-in", "cert.pem"]);
    for want in [
        "DNS:developers.lan, DNS:*.developers.lan",
        "TLS Web Server Authentication",
        "Digital Signature",
        "CA:FALSE",
        "prime256v1",
        // openssl's default escapes non-ASCII: ú as its two UTF-8 bytes.
        "Issuer: C = CO, ST = Norte de Santander, L = C\\C3\\BAcuta, O = GopenuxLab, CN = GopenuxLab Root CA",
    ] {
        assert!(text.contains(want), "{want}:\n{text}");
    }
    let ca = openssl(&certs, &["x509", "-noout", "-text", "-in", "ca.pem"]);
    assert!(
        ca.contains("CA:TRUE") && ca.contains("Certificate Sign"),
        "{ca}"
    );
    let verify = openssl(&certs, &["verify", "-CAfile", "ca.pem", "cert.pem"]);
    assert_eq!(verify.trim(), "cert.pem: OK");
    // The private key matches the certificate.
    let a = openssl(&certs, &["x509", "-noout", "-pubkey", "-in", "cert.pem"]);
    let b = openssl(&certs, &["pkey", "-pubout", "-in", "key.pem"]);
    assert_eq!(a, b);
    // fullchain: the certificate, then the CA.
    let chain = std::fs::read_to_string(certs.join("fullchain.pem")).unwrap();
    let cert = std::fs::read_to_string(certs.join("cert.pem")).unwrap();
    let ca_pem = std::fs::read_to_string(certs.join("ca.pem")).unwrap();
    assert_eq!(chain, format!("{cert}{ca_pem}"));
    // inspect says the same as openssl about any PEM file.
    let shown = ok(&estiba(&dir, &["certs", "inspect", "certs/fullchain.pem"]));
    assert!(
        shown.contains("L=Cúcuta") && shown.contains("CN=GopenuxLab Root CA"),
        "{shown}"
    );
    let fp = openssl(
        &certs,
        &[
            "x509",
            "-noout",
            "-fingerprint",
            "-sha256",
            "-in",
            "cert.pem",
        ],
    );
    let fp = fp.trim().split('=').nth(1).unwrap();
    assert!(shown.contains(fp), "{fp} in {shown}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn existing_files_are_left_alone_without_force() {
    let dir = workdir();
    ok(&estiba(&dir, &["certs"]));
    let before = std::fs::read(dir.join("certs/cert.pem")).unwrap();
    let o = estiba(&dir, &["certs", "--domain", "other.lan"]);
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("certs/cert.pem") && e.contains("--force"), "{e}");
    assert_eq!(std::fs::read(dir.join("certs/cert.pem")).unwrap(), before);
    ok(&estiba(
        &dir,
        &["certs", "--domain", "other.lan", "--force"],
    ));
    let text = openssl(
        &dir.join("certs"),
        &[
            "x509",
            "-noout",
            "-ext",
            "subjectAltName",
            "-in",
            "cert.pem",
        ],
    );
    assert!(text.contains("DNS:*.other.lan"), "{text}");
    assert_eq!(mode(&dir.join("certs/key.pem")), 0o600);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn self_signed_and_rsa_on_request() {
    let dir = workdir();
    let out = ok(&estiba(
        &dir,
        &[
            "certs",
            "--self-signed",
            "--key",
            "rsa2048",
            "--san",
            "127.0.0.1",
            "--out",
            "ss",
            "--days",
            "30",
        ],
    ));
    assert!(out.contains("127.0.0.1"), "{out}");
    let ss = dir.join("ss");
    assert!(!ss.join("ca.pem").exists() && ss.join("fullchain.pem").exists());
    let text = openssl(&ss, &["x509", "-noout", "-text", "-in", "cert.pem"]);
    assert!(text.contains("Public-Key: (2048 bit)"), "{text}");
    assert!(text.contains("IP Address:127.0.0.1"), "{text}");
    assert!(text.contains("Key Encipherment"), "{text}");
    let verify = openssl(&ss, &["verify", "-CAfile", "cert.pem", "cert.pem"]);
    assert_eq!(verify.trim(), "cert.pem: OK");
    // --days 30: valid from now for thirty days, as openssl reads the dates.
    let dates = openssl(&ss, &["x509", "-noout", "-dates", "-in", "cert.pem"]);
    let date = |key: &str| {
        let v = dates
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .unwrap_or_else(|| panic!("{key} in {dates}"));
        chrono::NaiveDateTime::parse_from_str(
            v.trim_end_matches(" GMT").trim(),
            "%b %e %H:%M:%S %Y",
        )
        .unwrap_or_else(|e| panic!("{v}: {e}"))
    };
    let (from, to) = (date("notBefore="), date("notAfter="));
    assert_eq!((to - from).num_days(), 30, "{dates}");
    let now = chrono::Utc::now().naive_utc();
    assert!(
        (now - from).num_minutes().abs() < 10,
        "valid from now: {dates}"
    );
    ok(&estiba(
        &dir,
        &[
            "certs", "--key", "rsa4096", "--out", "big", "--org", "Lab Org",
        ],
    ));
    let text = openssl(
        &dir.join("big"),
        &["x509", "-noout", "-text", "-in", "cert.pem"],
    );
    assert!(text.contains("Public-Key: (4096 bit)"), "{text}");
    let issuer = openssl(
        &dir.join("big"),
        &["x509", "-noout", "-issuer", "-in", "cert.pem"],
    );
    assert!(issuer.contains("Lab Org Root CA"), "{issuer}");
    assert_eq!(
        openssl(
            &dir.join("big"),
            &["verify", "-CAfile", "ca.pem", "cert.pem"]
        )
        .trim(),
        "cert.pem: OK"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn bad_input_says_what_and_writes_nothing() {
    let dir = workdir();
    std::fs::write(dir.join("blocker"), "x").unwrap();
    for (args, code, word) in [
        (vec!["certs", "--domain", ""], 1, "domain"),
        (vec!["certs", "--country", "Colombia"], 1, "Colombia"),
        (vec!["certs", "--days", "0"], 1, "--days"),
        (vec!["certs", "--days", "-3"], 1, "-3"),
        (vec!["certs", "--days", "soon"], 2, "soon"),
        (vec!["certs", "--key", "dsa"], 2, "dsa"),
        (vec!["certs", "--san", "bad_name!"], 1, "bad_name!"),
        (vec!["certs", "--out", "blocker/certs"], 1, "blocker/certs"),
        (vec!["certs", "inspect", "blocker"], 1, "blocker"),
    ] {
        let o = estiba(&dir, &args);
        assert_eq!(o.status.code(), Some(code), "{args:?}");
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(e.contains(word), "{args:?}: {e}");
        assert!(!dir.join("certs").exists(), "{args:?} wrote nothing");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

fn free_port() -> u16 {
    support::free_port()
}

/// The semana-3 preset's nginx configuration, on 127.0.0.1 high ports, with the files of
/// `estiba certs` where the stack mounts its secrets.
#[test]
fn nginx_serves_https_with_them_and_redirects_http() {
    if Command::new("nginx").arg("-v").output().is_err() {
        panic!("nginx is missing: bash scripts/test installs it");
    }
    let dir = workdir();
    ok(&estiba(&dir, &["lab", "init", "semana-3", "lab"]));
    let lab = dir.join("lab");
    ok(&estiba(&lab, &["certs"]));
    let (http, https) = (free_port(), free_port());
    let site = std::fs::read_to_string(lab.join("nginx.conf")).unwrap();
    let html = dir.join("html");
    std::fs::create_dir_all(&html).unwrap();
    std::fs::write(html.join("index.html"), "gopenux frontend\n").unwrap();
    let site = site
        .replace("listen 80;", &format!("listen 127.0.0.1:{http};"))
        .replace("listen 443 ssl;", &format!("listen 127.0.0.1:{https} ssl;"))
        .replace(
            "/run/secrets/site.crt",
            &lab.join("certs/fullchain.pem").display().to_string(),
        )
        .replace(
            "/run/secrets/site.key",
            &lab.join("certs/key.pem").display().to_string(),
        )
        .replace("/usr/share/nginx/html", &html.display().to_string());
    assert!(site.contains(&format!("127.0.0.1:{https} ssl")), "{site}");
    let conf = format!(
        "daemon off;\nmaster_process off;\nerror_log {d}/error.log;\npid {d}/nginx.pid;\n\
         events {{}}\nhttp {{\n access_log off;\n client_body_temp_path {d}/body;\n\
         proxy_temp_path {d}/proxy;\n fastcgi_temp_path {d}/fastcgi;\n uwsgi_temp_path {d}/uwsgi;\n\
         scgi_temp_path {d}/scgi;\n{site}\n}}\n",
        d = dir.display()
    );
    std::fs::write(dir.join("nginx.conf"), conf).unwrap();
    let mut nginx = Command::new("nginx")
        .args([
            "-p",
            dir.to_str().unwrap(),
            "-c",
            dir.join("nginx.conf").to_str().unwrap(),
        ])
        .spawn()
        .unwrap();
    let curl = |args: &[&str]| {
        Command::new("curl")
            .args(["-sS", "--max-time", "5"])
            .args(args)
            .output()
            .unwrap()
    };
    let url = format!("https://app.developers.lan:{https}/");
    let resolve = format!("app.developers.lan:{https}:127.0.0.1");
    let ca = dir.join("lab/certs/ca.pem").display().to_string();
    support::wait_for(
        "nginx to answer",
        std::time::Duration::from_secs(10),
        || {
            let o = curl(&[
                "-o",
                "/dev/null",
                "--cacert",
                &ca,
                "--resolve",
                &resolve,
                &url,
            ]);
            o.status.success().then_some(())
        },
    );
    let o = Command::new("curl")
        .current_dir(&dir)
        .args([
            "-sS",
            "--max-time",
            "5",
            "-w",
            "\n%{http_code}",
            "--cacert",
            "lab/certs/ca.pem",
            "--resolve",
            &resolve,
            &url,
        ])
        .output()
        .unwrap();
    let body = String::from_utf8_lossy(&o.stdout).to_string();
    let log = std::fs::read_to_string(dir.join("error.log")).unwrap_or_default();
    assert!(
        body.ends_with("\n200"),
        "{body}\n{}\nnginx: {log}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(body.starts_with("gopenux frontend"), "{body}");
    // Without the CA, curl refuses: the certificate is really checked.
    let o = curl(&["-o", "/dev/null", "--resolve", &resolve, &url]);
    assert!(!o.status.success());
    // http answers 301 to https.
    let o = curl(&[
        "-o",
        "/dev/null",
        "-w",
        "%{http_code} %{redirect_url}",
        "--resolve",
        &format!("app.developers.lan:{http}:127.0.0.1"),
        &format!("http://app.developers.lan:{http}/panel"),
    ]);
    let answer = String::from_utf8_lossy(&o.stdout).to_string();
    assert_eq!(answer, "301 https://app.developers.lan/panel", "{answer}");
    let _ = nginx.kill();
    let _ = nginx.wait();
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn secrets_and_configs_go_into_the_swarm() {
    let Some(e) = Engine::shared() else { return };
    let dir = workdir();
    ok(&estiba(&dir, &["certs"]));
    let (cert, key) = (support::unique("site_cert"), support::unique("site_key"));
    let cert_file = dir.join("certs/fullchain.pem");
    let out = ok(&e.estiba_cmd(&["config", "create", &cert, cert_file.to_str().unwrap()]));
    assert!(
        out.contains(&format!("docker config create {cert}")),
        "{out}"
    );
    let data = e.docker_ok(&[
        "config",
        "inspect",
        &cert,
        "--format",
        "{{json .Spec.Data}}",
    ]);
    use base64::Engine as _;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(data.trim().trim_matches('"'))
        .unwrap();
    assert_eq!(decoded, std::fs::read(&cert_file).unwrap());
    let key_file = dir.join("certs/key.pem");
    ok(&e.estiba_cmd(&["secret", "create", &key, key_file.to_str().unwrap()]));
    assert_eq!(
        e.docker_ok(&["secret", "inspect", &key, "--format", "{{.Spec.Name}}"])
            .trim(),
        key
    );
    // Again: swarm cannot change a secret, and says so; a missing file is named.
    let o = e.estiba_cmd(&["secret", "create", &key, key_file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("exists already"));
    let o = e.estiba_cmd(&["secret", "create", &support::unique("x"), "/nope/key.pem"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("/nope/key.pem"));
    let o = e.estiba_cmd(&["secret", "create", "bad name!", key_file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    e.docker_ok(&["secret", "rm", &key]);
    e.docker_ok(&["config", "rm", &cert]);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_console_form_is_prefilled_and_makes_them() {
    support::require(&["tmux"]);
    let dir = workdir();
    let t = support::tmux::Tmux::in_dir(110, 32, &dir, "es_ES.UTF-8", "--demo");
    t.wait_for("gopenux_backend", 10);
    t.text(":certs");
    t.keys(&["Enter"]);
    let screen = t.wait_for("Certificados TLS", 5);
    for want in [
        "developers.lan, *.developers.lan",
        "GopenuxLab",
        "Cúcuta",
        "Norte de Santander",
        "Localidad (L)",
    ] {
        assert!(screen.contains(want), "{want}:\n{screen}");
    }
    // The folder: the tenth field. Clear it, type another, and make them.
    for _ in 0..9 {
        t.keys(&["Down"]);
    }
    t.keys(&["C-u"]);
    t.text("lab-certs");
    let screen = t.wait_for("estiba certs --out lab-certs", 5);
    assert!(screen.contains("lab-certs▏"), "{screen}");
    t.keys(&["Enter"]);
    let screen = t.wait_for("Certificados en lab-certs", 10);
    assert!(screen.contains("L=Cúcuta"), "{screen}");
    assert!(dir.join("lab-certs/fullchain.pem").exists());
    assert_eq!(mode(&dir.join("lab-certs/key.pem")), 0o600);
    t.keys(&["Escape"]);
    // Again into the same folder: the form stays open and says why.
    t.text(":certs --out lab-certs");
    t.keys(&["Enter"]);
    t.wait_for("--force", 5);
    t.text(":certs");
    t.keys(&["Enter"]);
    t.wait_for("Certificados TLS", 5);
    t.keys(&["Escape"]);
    t.keys(&["q"]);
    t.wait_for("[exited 0]", 10);
    std::fs::remove_dir_all(dir).unwrap();
}
