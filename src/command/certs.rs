//! `certs [options] | certs inspect FILE`.

use super::{CertsCommand, ParseError};
use crate::certs::{KeyKind, Request};

pub fn parse(
    rest: &[&str],
    missing: &dyn Fn(&str) -> ParseError,
    extra: &dyn Fn(&[&str]) -> ParseError,
) -> Result<CertsCommand, ParseError> {
    if let Some(first @ ("inspect" | "ver")) = rest.first().copied() {
        let _ = first;
        return match &rest[1..] {
            [] => Err(missing("FILE")),
            [f] => Ok(CertsCommand::Inspect(f.to_string())),
            [_, more @ ..] => Err(extra(more)),
        };
    }
    let bad = |arg: &str, value: &str| ParseError::BadValue {
        command: "certs".into(),
        arg: arg.into(),
        value: value.into(),
    };
    let mut req = Request::default();
    let mut i = 0;
    while i < rest.len() {
        let w = rest[i];
        let (flag, inline) = match w.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v)),
            _ => (w, None),
        };
        let mut value = |arg: &str| -> Result<String, ParseError> {
            if let Some(v) = inline {
                return Ok(v.to_string());
            }
            i += 1;
            rest.get(i)
                .map(|v| v.to_string())
                .ok_or_else(|| missing(arg))
        };
        let days = |flag: &str, v: String| -> Result<i64, ParseError> {
            v.parse::<i64>().map_err(|_| bad(flag, &v))
        };
        match flag {
            "--domain" | "-d" => req.domain = value("DOMAIN")?,
            "--san" => req.sans.push(value("NAME")?),
            "--org" | "-O" => req.org = value("ORG")?,
            "--locality" | "-L" => req.locality = value("LOCALITY")?,
            "--state" | "-S" => req.state = value("STATE")?,
            "--country" | "-C" => req.country = value("CC")?,
            "--key" => {
                let v = value("ecdsa|rsa2048|rsa4096")?;
                req.key = KeyKind::parse(&v).ok_or_else(|| bad("--key", &v))?;
            }
            "--days" => req.days = days("--days", value("N")?)?,
            "--ca-days" => req.ca_days = days("--ca-days", value("N")?)?,
            "--out" | "-o" => req.dir = value("DIR")?.into(),
            "--self-signed" | "--autofirmado" => req.self_signed = true,
            "--force" | "-f" => req.force = true,
            _ => return Err(extra(&rest[i..])),
        }
        i += 1;
    }
    Ok(CertsCommand::Make {
        req,
        bare: rest.is_empty(),
    })
}

#[cfg(test)]
mod tests {
    use super::super::{Command, parse_line};
    use super::*;

    fn make(s: &str) -> (Request, bool) {
        match parse_line(s) {
            Ok(Command::Certs(CertsCommand::Make { req, bare })) => (req, bare),
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn options_fill_the_request() {
        let (r, bare) = make("certs");
        assert!(bare);
        assert_eq!(r, Request::default());
        let (r, bare) = make(
            "certificados --domain lab.lan --san 10.0.0.5 --san api.lab.lan --state \"Valle del Cauca\" --key rsa4096 --days=30 --self-signed --out /tmp/c --force",
        );
        assert!(!bare);
        assert_eq!(r.domain, "lab.lan");
        assert_eq!(r.sans, ["10.0.0.5", "api.lab.lan"]);
        assert_eq!(r.state, "Valle del Cauca");
        assert_eq!((r.key, r.days), (KeyKind::Rsa4096, 30));
        assert!(r.self_signed && r.force);
        assert_eq!(r.dir, std::path::PathBuf::from("/tmp/c"));
        assert_eq!(
            parse_line("certs inspect certs/ca.pem").unwrap(),
            Command::Certs(CertsCommand::Inspect("certs/ca.pem".into()))
        );
    }

    #[test]
    fn bad_options_are_parse_errors() {
        for (line, word) in [
            ("certs --key dsa", "dsa"),
            ("certs --days many", "many"),
            ("certs --domain", "DOMAIN"),
            ("certs --colour red", "--colour"),
            ("certs inspect", "FILE"),
        ] {
            let e = parse_line(line).unwrap_err().to_string();
            assert!(e.contains(word), "{line}: {e}");
        }
    }
}
