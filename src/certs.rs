//! TLS certificates for the labs, with rcgen: a local CA and a leaf certificate for a domain and
//! its subdomains (or one self-signed certificate), subject fields in UTF-8, written as PEM files
//! that nginx reads. Also: what any PEM certificate says (`certs inspect`).

use crate::tr;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, DnValue,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, SerialNumber,
};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    EcdsaP256,
    Rsa2048,
    Rsa4096,
}

impl KeyKind {
    pub fn parse(s: &str) -> Option<KeyKind> {
        Some(match s.to_lowercase().replace(['-', '_'], "").as_str() {
            "ecdsa" | "ec" | "p256" | "ecdsap256" => KeyKind::EcdsaP256,
            "rsa" | "rsa2048" => KeyKind::Rsa2048,
            "rsa4096" => KeyKind::Rsa4096,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            KeyKind::EcdsaP256 => "ecdsa",
            KeyKind::Rsa2048 => "rsa2048",
            KeyKind::Rsa4096 => "rsa4096",
        }
    }
}

/// What to generate. The defaults are the lab's: GopenuxLab in Cúcuta, *.developers.lan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub domain: String,
    /// Names besides the domain and its wildcard (DNS names or IP addresses).
    pub sans: Vec<String>,
    pub org: String,
    pub locality: String,
    pub state: String,
    pub country: String,
    pub key: KeyKind,
    /// Validity of the certificate, and of the CA.
    pub days: i64,
    pub ca_days: i64,
    /// One self-signed certificate instead of a CA and a certificate signed by it.
    pub self_signed: bool,
    pub dir: PathBuf,
    pub force: bool,
}

impl Default for Request {
    fn default() -> Request {
        Request {
            domain: "developers.lan".into(),
            sans: vec![],
            org: "GopenuxLab".into(),
            locality: "Cúcuta".into(),
            state: "Norte de Santander".into(),
            country: "CO".into(),
            key: KeyKind::EcdsaP256,
            days: 825,
            ca_days: 3650,
            self_signed: false,
            dir: PathBuf::from("certs"),
            force: false,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CertError {
    #[error("{}", tr!("certs.err_domain"))]
    EmptyDomain,
    #[error("{}", tr!("certs.err_name", name = .0))]
    BadName(String),
    #[error("{}", tr!("certs.err_country", value = .0))]
    BadCountry(String),
    #[error("{}", tr!("certs.err_days", flag = .flag, value = .value))]
    BadDays { flag: &'static str, value: i64 },
    #[error("{}", tr!("certs.err_field", field = .0))]
    EmptyField(&'static str),
    #[error("{}", tr!("certs.err_exists", files = .0))]
    Exists(String),
    #[error("{}", tr!("certs.err_dir", dir = .dir, detail = .detail))]
    Dir { dir: String, detail: String },
    #[error("{}", tr!("certs.err_write", file = .file, detail = .detail))]
    Write { file: String, detail: String },
    #[error("{}", tr!("certs.err_generate", detail = .0))]
    Generate(String),
    #[error("{}", tr!("certs.err_read", file = .file, detail = .detail))]
    Read { file: String, detail: String },
    #[error("{}", tr!("certs.err_not_pem", file = .0))]
    NotPem(String),
}

fn generate_error(e: impl std::fmt::Display) -> CertError {
    CertError::Generate(e.to_string())
}

/// Whether `name` may be a DNS name in a certificate: letters, digits and hyphens in labels,
/// optionally `*.` in front.
fn valid_dns(name: &str) -> bool {
    let rest = name.strip_prefix("*.").unwrap_or(name);
    !rest.is_empty()
        && rest.len() <= 253
        && rest.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

impl Request {
    /// The names the certificate covers: the domain, its subdomains, then the extra ones.
    pub fn names(&self) -> Vec<String> {
        let mut v = vec![self.domain.clone()];
        if !self.domain.starts_with("*.") && self.domain.parse::<std::net::IpAddr>().is_err() {
            v.push(format!("*.{}", self.domain));
        }
        for s in &self.sans {
            if !v.contains(s) {
                v.push(s.clone());
            }
        }
        v
    }

    /// Checks every field, naming the first that is wrong; nothing is written before this passes.
    pub fn validate(&self) -> Result<(), CertError> {
        if self.domain.trim().is_empty() {
            return Err(CertError::EmptyDomain);
        }
        for name in self.names() {
            if name.parse::<std::net::IpAddr>().is_err() && !valid_dns(&name) {
                return Err(CertError::BadName(name));
            }
        }
        if self.country.len() != 2 || !self.country.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(CertError::BadCountry(self.country.clone()));
        }
        for (field, value) in [
            ("--org", &self.org),
            ("--locality", &self.locality),
            ("--state", &self.state),
        ] {
            if value.trim().is_empty() {
                return Err(CertError::EmptyField(field));
            }
        }
        for (flag, value) in [("--days", self.days), ("--ca-days", self.ca_days)] {
            if !(1..=36_500).contains(&value) {
                return Err(CertError::BadDays { flag, value });
            }
        }
        Ok(())
    }

    /// The files this request writes, in order.
    pub fn files(&self) -> Vec<PathBuf> {
        let mut names = vec!["cert.pem", "key.pem", "fullchain.pem"];
        if !self.self_signed {
            names.extend(["ca.pem", "ca-key.pem"]);
        }
        names.into_iter().map(|n| self.dir.join(n)).collect()
    }

    /// The equivalent command line, for the console to show.
    pub fn command_line(&self) -> String {
        let d = Request::default();
        let quote = |s: &str| {
            if s.contains(char::is_whitespace) || s.is_empty() {
                format!("\"{s}\"")
            } else {
                s.to_string()
            }
        };
        let mut out = String::from("certs");
        let mut flag = |name: &str, value: &str, default: &str| {
            if value != default {
                out.push_str(&format!(" {name} {}", quote(value)));
            }
        };
        flag("--domain", &self.domain, &d.domain);
        flag("--org", &self.org, &d.org);
        flag("--locality", &self.locality, &d.locality);
        flag("--state", &self.state, &d.state);
        flag("--country", &self.country, &d.country);
        flag("--key", self.key.name(), d.key.name());
        flag("--days", &self.days.to_string(), &d.days.to_string());
        flag(
            "--ca-days",
            &self.ca_days.to_string(),
            &d.ca_days.to_string(),
        );
        flag(
            "--out",
            &self.dir.display().to_string(),
            &d.dir.display().to_string(),
        );
        for s in &self.sans {
            out.push_str(&format!(" --san {}", quote(s)));
        }
        if self.self_signed {
            out.push_str(" --self-signed");
        }
        if self.force {
            out.push_str(" --force");
        }
        out
    }
}

/// What a certificate says, as `certs` and `certs inspect` print it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub subject: String,
    pub issuer: String,
    pub names: Vec<String>,
    pub sha256: String,
    pub not_before: String,
    pub not_after: String,
    pub key: String,
    pub ca: bool,
}

impl Summary {
    /// Reads one DER certificate.
    pub fn of_der(der: &[u8]) -> Result<Summary, String> {
        use sha2::Digest;
        use x509_parser::prelude::*;
        let (_, cert) = X509Certificate::from_der(der).map_err(|e| e.to_string())?;
        let names = match cert.subject_alternative_name() {
            Ok(Some(ext)) => ext
                .value
                .general_names
                .iter()
                .map(|g| match g {
                    GeneralName::DNSName(d) => d.to_string(),
                    GeneralName::IPAddress(b) => match b.len() {
                        4 => std::net::Ipv4Addr::new(b[0], b[1], b[2], b[3]).to_string(),
                        16 => <[u8; 16]>::try_from(*b)
                            .map(|a| std::net::Ipv6Addr::from(a).to_string())
                            .unwrap_or_default(),
                        _ => String::new(),
                    },
                    other => other.to_string(),
                })
                .collect(),
            _ => vec![],
        };
        let key = match cert.public_key().parsed() {
            Ok(x509_parser::public_key::PublicKey::RSA(k)) => format!("RSA {}", k.key_size()),
            Ok(x509_parser::public_key::PublicKey::EC(p)) if p.key_size() == 256 => {
                "ECDSA P-256".into()
            }
            Ok(x509_parser::public_key::PublicKey::EC(p)) => format!("ECDSA {}", p.key_size()),
            _ => "?".into(),
        };
        let digest = sha2::Sha256::digest(der);
        let sha256 = digest
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<Vec<_>>()
            .join(":");
        let when = |t: &ASN1Time| {
            chrono::DateTime::from_timestamp(t.timestamp(), 0)
                .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
                .unwrap_or_default()
        };
        Ok(Summary {
            subject: cert.subject().to_string(),
            issuer: cert.issuer().to_string(),
            names,
            sha256,
            not_before: when(&cert.validity().not_before),
            not_after: when(&cert.validity().not_after),
            key,
            ca: cert.is_ca(),
        })
    }

    /// Lines for a person: subject, names, fingerprint, validity.
    pub fn describe(&self) -> String {
        let mut out = format!("{}: {}\n", tr!("certs.subject"), self.subject);
        if self.issuer != self.subject {
            out.push_str(&format!("{}: {}\n", tr!("certs.issuer"), self.issuer));
        } else {
            out.push_str(&format!("{}: {}\n", tr!("certs.issuer"), tr!("certs.self")));
        }
        if !self.names.is_empty() {
            out.push_str(&format!(
                "{}: {}\n",
                tr!("certs.names"),
                self.names.join(", ")
            ));
        }
        out.push_str(&format!(
            "{}: {}{}\n",
            tr!("certs.key"),
            self.key,
            if self.ca { " · CA" } else { "" }
        ));
        out.push_str(&format!(
            "{}: {} → {}\n",
            tr!("certs.valid"),
            self.not_before,
            self.not_after
        ));
        out.push_str(&format!("SHA-256: {}\n", self.sha256));
        out
    }
}

/// Whether the first certificate of `cert` is signed by the first certificate of `ca`: the
/// error says which file could not be read, or that the signature does not verify.
pub fn verify(cert: &Path, ca: &Path) -> Result<(), String> {
    use x509_parser::prelude::*;
    let first = |path: &Path| -> Result<Vec<u8>, String> {
        let bytes = std::fs::read(path)
            .map_err(|e| tr!("certs.err_read", file = path.display(), detail = e))?;
        x509_parser::pem::Pem::iter_from_buffer(&bytes)
            .filter_map(Result::ok)
            .find(|p| p.label == "CERTIFICATE")
            .map(|p| p.contents)
            .ok_or_else(|| tr!("certs.err_not_pem", file = path.display()))
    };
    let (site, authority) = (first(cert)?, first(ca)?);
    let bad = |e: X509Error| e.to_string();
    let (_, site) = X509Certificate::from_der(&site).map_err(|e| e.to_string())?;
    let (_, authority) = X509Certificate::from_der(&authority).map_err(|e| e.to_string())?;
    site.verify_signature(Some(authority.public_key()))
        .map_err(bad)
        .map_err(|_| tr!("certs.not_signed_by", ca = ca.display()))
}

/// Every certificate in a PEM file (a fullchain has several).
pub fn inspect(path: &Path) -> Result<Vec<Summary>, CertError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| CertError::Read {
        file: file.clone(),
        detail: e.to_string(),
    })?;
    let mut out = Vec::new();
    for pem in x509_parser::pem::Pem::iter_from_buffer(&bytes) {
        let Ok(pem) = pem else { break };
        if pem.label != "CERTIFICATE" {
            continue;
        }
        out.push(
            Summary::of_der(&pem.contents).map_err(|detail| CertError::Read {
                file: file.clone(),
                detail,
            })?,
        );
    }
    if out.is_empty() {
        return Err(CertError::NotPem(file));
    }
    Ok(out)
}

/// What `generate` made.
#[derive(Debug)]
pub struct Generated {
    pub files: Vec<PathBuf>,
    pub cert: Summary,
    pub ca: Option<Summary>,
}

fn key_pair(kind: KeyKind) -> Result<KeyPair, CertError> {
    let bits = match kind {
        KeyKind::EcdsaP256 => return KeyPair::generate().map_err(generate_error),
        KeyKind::Rsa2048 => 2048,
        KeyKind::Rsa4096 => 4096,
    };
    // ring (rcgen's backend) signs with RSA keys but does not make them: the rsa crate does.
    use rsa::pkcs8::EncodePrivateKey;
    let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, bits).map_err(generate_error)?;
    let pem = key
        .to_pkcs8_pem(rsa::pkcs8::LineEnding::LF)
        .map_err(generate_error)?;
    KeyPair::from_pkcs8_pem_and_sign_algo(&pem, &rcgen::PKCS_RSA_SHA256).map_err(generate_error)
}

fn serial() -> SerialNumber {
    use rsa::rand_core::RngCore;
    let mut bytes = [0u8; 16];
    rsa::rand_core::OsRng.fill_bytes(&mut bytes);
    bytes[0] &= 0x7f;
    SerialNumber::from_slice(&bytes)
}

fn subject(req: &Request, common_name: &str) -> Result<DistinguishedName, CertError> {
    let mut dn = DistinguishedName::new();
    let country = rcgen::string::PrintableString::try_from(req.country.as_str())
        .map_err(|_| CertError::BadCountry(req.country.clone()))?;
    dn.push(DnType::CountryName, DnValue::PrintableString(country));
    dn.push(DnType::StateOrProvinceName, req.state.as_str());
    dn.push(DnType::LocalityName, req.locality.as_str());
    dn.push(DnType::OrganizationName, req.org.as_str());
    dn.push(DnType::CommonName, common_name);
    Ok(dn)
}

fn validity(params: &mut CertificateParams, days: i64) {
    let now = time::OffsetDateTime::now_utc();
    // A minute back, for clocks that are slightly behind.
    params.not_before = now - time::Duration::minutes(1);
    params.not_after = now + time::Duration::days(days);
}

/// Makes the keys and certificates and writes them; refuses to replace files without `force`.
pub fn generate(req: &Request) -> Result<Generated, CertError> {
    req.validate()?;
    let files = req.files();
    if !req.force {
        let existing: Vec<String> = files
            .iter()
            .filter(|f| f.exists())
            .map(|f| f.display().to_string())
            .collect();
        if !existing.is_empty() {
            return Err(CertError::Exists(existing.join(", ")));
        }
    }
    let leaf_key = key_pair(req.key)?;
    let mut leaf = CertificateParams::new(req.names()).map_err(generate_error)?;
    leaf.distinguished_name = subject(req, &req.domain)?;
    leaf.serial_number = Some(serial());
    leaf.is_ca = IsCa::ExplicitNoCa;
    let mut usages = vec![KeyUsagePurpose::DigitalSignature];
    if req.key != KeyKind::EcdsaP256 {
        usages.push(KeyUsagePurpose::KeyEncipherment);
    }
    leaf.key_usages = usages;
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    validity(&mut leaf, req.days);

    let (cert_pem, ca) = if req.self_signed {
        let cert = leaf.self_signed(&leaf_key).map_err(generate_error)?;
        (cert.pem(), None)
    } else {
        let ca_key = key_pair(req.key)?;
        let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(generate_error)?;
        ca.distinguished_name = subject(req, &format!("{} Root CA", req.org))?;
        ca.serial_number = Some(serial());
        ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        validity(&mut ca, req.ca_days);
        let ca_cert = ca.self_signed(&ca_key).map_err(generate_error)?;
        let issuer = Issuer::new(ca, ca_key);
        leaf.use_authority_key_identifier_extension = true;
        let cert = leaf.signed_by(&leaf_key, &issuer).map_err(generate_error)?;
        let ca_summary = Summary::of_der(ca_cert.der()).map_err(CertError::Generate)?;
        (
            cert.pem(),
            Some((ca_cert.pem(), issuer.key().serialize_pem(), ca_summary)),
        )
    };
    let der = pem_der(&cert_pem)?;
    let summary = Summary::of_der(&der).map_err(CertError::Generate)?;
    // cert, key, fullchain (the certificate, then the CA), then ca and ca-key.
    let mut contents: Vec<(String, bool)> =
        vec![(cert_pem.clone(), false), (leaf_key.serialize_pem(), true)];
    match &ca {
        Some((ca_pem, ca_key_pem, _)) => {
            contents.push((format!("{cert_pem}{ca_pem}"), false));
            contents.push((ca_pem.clone(), false));
            contents.push((ca_key_pem.clone(), true));
        }
        None => contents.push((cert_pem.clone(), false)),
    }
    write_all(&req.dir, &files, &contents)?;
    Ok(Generated {
        files,
        cert: summary,
        ca: ca.map(|(_, _, s)| s),
    })
}

fn pem_der(pem: &str) -> Result<Vec<u8>, CertError> {
    let (_, p) = x509_parser::pem::parse_x509_pem(pem.as_bytes())
        .map_err(|e| CertError::Generate(e.to_string()))?;
    Ok(p.contents)
}

/// Writes every file under a temporary name first, then renames them all: a failure leaves no
/// half-made set behind. Private keys are readable by their owner only (0600).
fn write_all(dir: &Path, files: &[PathBuf], contents: &[(String, bool)]) -> Result<(), CertError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::create_dir_all(dir).map_err(|e| CertError::Dir {
        dir: dir.display().to_string(),
        detail: e.to_string(),
    })?;
    let mut temps = Vec::new();
    let result = (|| {
        for (path, (text, private)) in files.iter().zip(contents) {
            let name = path.file_name().map(|n| n.to_string_lossy().to_string());
            let temp = dir.join(format!(".{}.tmp", name.unwrap_or_default()));
            let err = |e: std::io::Error| CertError::Write {
                file: path.display().to_string(),
                detail: e.to_string(),
            };
            let _ = std::fs::remove_file(&temp);
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(if *private { 0o600 } else { 0o644 })
                .open(&temp)
                .map_err(err)?;
            temps.push(temp.clone());
            f.write_all(text.as_bytes()).map_err(err)?;
            f.sync_all().map_err(err)?;
        }
        for (temp, path) in temps.iter().zip(files) {
            std::fs::rename(temp, path).map_err(|e| CertError::Write {
                file: path.display().to_string(),
                detail: e.to_string(),
            })?;
        }
        Ok(())
    })();
    if result.is_err() {
        for t in &temps {
            let _ = std::fs::remove_file(t);
        }
    }
    result
}

/// What `certs` prints after writing: the files, then the certificate and the CA.
pub fn report(g: &Generated) -> String {
    let mut out = String::new();
    for f in &g.files {
        out.push_str(&format!("{} {}\n", tr!("certs.wrote"), f.display()));
    }
    out.push('\n');
    out.push_str(&g.cert.describe());
    if let Some(ca) = &g.ca {
        out.push_str(&format!("\n{}\n", tr!("certs.ca_title")));
        out.push_str(&ca.describe());
    }
    out
}

#[cfg(test)]
mod tests;
