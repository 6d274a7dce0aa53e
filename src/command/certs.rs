//! `certs [options] | certs inspect FILE`.

use super::{Args, CertsCommand, Command, ParseError};
use crate::certs::{KeyKind, Request};

pub(super) fn parse(a: &Args) -> Result<Command, ParseError> {
    if let Some("inspect" | "ver") = a.rest.first().copied() {
        return match &a.rest[1..] {
            [] => Err(a.missing("FILE")),
            [f] => Ok(Command::Certs(CertsCommand::Inspect(f.to_string()))),
            [_, more @ ..] => Err(a.extra(more)),
        };
    }
    let bad = |arg: &str, value: &str| a.bad(arg, value);
    let mut req = Request::default();
    let mut words = a.words();
    while let Some(flag) = words.next_word() {
        let days = |flag: &str, v: String| -> Result<i64, ParseError> {
            v.parse::<i64>().map_err(|_| bad(flag, &v))
        };
        match flag {
            "--domain" | "-d" => req.domain = words.value("DOMAIN")?,
            "--san" => req.sans.push(words.value("NAME")?),
            "--org" | "-O" => req.org = words.value("ORG")?,
            "--locality" | "-L" => req.locality = words.value("LOCALITY")?,
            "--state" | "-S" => req.state = words.value("STATE")?,
            "--country" | "-C" => req.country = words.value("CC")?,
            "--key" => {
                let v = words.value("ecdsa|rsa2048|rsa4096")?;
                req.key = KeyKind::parse(&v).ok_or_else(|| bad("--key", &v))?;
            }
            "--days" => req.days = days("--days", words.value("N")?)?,
            "--ca-days" => req.ca_days = days("--ca-days", words.value("N")?)?,
            "--out" | "-o" => req.dir = words.value("DIR")?.into(),
            "--self-signed" | "--autofirmado" => req.self_signed = true,
            "--force" | "-f" => req.force = true,
            _ => return Err(a.extra(words.left())),
        }
    }
    Ok(Command::Certs(CertsCommand::Make {
        req,
        bare: a.rest.is_empty(),
    }))
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
