//! The certificates form: `certs` in the console with no options. Every field is prefilled with
//! the lab's values; Enter makes them, and the equivalent command line is shown as it changes.

use crate::certs::{KeyKind, Request};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A form field: its catalog key and whether it is a choice (cycled) or text (typed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Domain,
    Names,
    Org,
    Locality,
    State,
    Country,
    Key,
    Days,
    Mode,
    Folder,
    Replace,
}

impl Field {
    pub const ALL: [Field; 11] = [
        Field::Domain,
        Field::Names,
        Field::Org,
        Field::Locality,
        Field::State,
        Field::Country,
        Field::Key,
        Field::Days,
        Field::Mode,
        Field::Folder,
        Field::Replace,
    ];

    pub fn label_key(self) -> &'static str {
        match self {
            Field::Domain => "certs.f_domain",
            Field::Names => "certs.f_names",
            Field::Org => "certs.f_org",
            Field::Locality => "certs.f_locality",
            Field::State => "certs.f_state",
            Field::Country => "certs.f_country",
            Field::Key => "certs.f_key",
            Field::Days => "certs.f_days",
            Field::Mode => "certs.f_mode",
            Field::Folder => "certs.f_folder",
            Field::Replace => "certs.f_replace",
        }
    }

    pub fn is_choice(self) -> bool {
        matches!(self, Field::Key | Field::Mode | Field::Replace)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertsForm {
    /// The text of each text field, in `Field::ALL` order (choices keep theirs below).
    pub text: Vec<String>,
    pub key: KeyKind,
    pub self_signed: bool,
    pub replace: bool,
    pub selected: usize,
    /// Why the last Enter did not make anything.
    pub error: Option<String>,
}

impl CertsForm {
    pub fn new(req: &Request) -> CertsForm {
        let text = Field::ALL
            .iter()
            .map(|f| match f {
                Field::Domain => req.domain.clone(),
                Field::Names => req.names().join(", "),
                Field::Org => req.org.clone(),
                Field::Locality => req.locality.clone(),
                Field::State => req.state.clone(),
                Field::Country => req.country.clone(),
                Field::Days => req.days.to_string(),
                Field::Folder => req.dir.display().to_string(),
                Field::Key | Field::Mode | Field::Replace => String::new(),
            })
            .collect();
        CertsForm {
            text,
            key: req.key,
            self_signed: req.self_signed,
            replace: req.force,
            selected: 0,
            error: None,
        }
    }

    pub fn field(&self) -> Field {
        Field::ALL[self.selected.min(Field::ALL.len() - 1)]
    }

    /// The value shown for a field.
    pub fn value(&self, f: Field) -> String {
        let i = Field::ALL.iter().position(|x| *x == f).unwrap_or(0);
        match f {
            Field::Key => match self.key {
                KeyKind::EcdsaP256 => "ECDSA P-256".into(),
                KeyKind::Rsa2048 => "RSA 2048".into(),
                KeyKind::Rsa4096 => "RSA 4096".into(),
            },
            Field::Mode if self.self_signed => crate::tr!("certs.mode_self"),
            Field::Mode => crate::tr!("certs.mode_ca"),
            Field::Replace if self.replace => crate::tr!("certs.yes"),
            Field::Replace => crate::tr!("certs.no"),
            _ => self.text.get(i).cloned().unwrap_or_default(),
        }
    }

    /// The request the fields describe. The names field lists every name; the domain and its
    /// wildcard are implied, so only the others become `--san`.
    pub fn request(&self) -> Result<Request, String> {
        let t = |f: Field| self.value(f).trim().to_string();
        let days = t(Field::Days);
        let mut req = Request {
            domain: t(Field::Domain),
            org: t(Field::Org),
            locality: t(Field::Locality),
            state: t(Field::State),
            country: t(Field::Country),
            key: self.key,
            days: days
                .parse()
                .map_err(|_| crate::tr!("certs.err_days", flag = "--days", value = days.clone()))?,
            self_signed: self.self_signed,
            dir: t(Field::Folder).into(),
            force: self.replace,
            ..Request::default()
        };
        let implied = req.names();
        req.sans = t(Field::Names)
            .split([',', ' '])
            .map(str::trim)
            .filter(|n| !n.is_empty() && !implied.iter().any(|i| i == n))
            .map(str::to_string)
            .collect();
        req.validate().map_err(|e| e.to_string())?;
        Ok(req)
    }

    /// A key in the form; `Some(request)` when Enter asks to make the certificates.
    pub fn key(&mut self, key: KeyEvent) -> Option<Request> {
        let n = Field::ALL.len();
        let field = self.field();
        match key.code {
            KeyCode::Up | KeyCode::BackTab => self.selected = (self.selected + n - 1) % n,
            KeyCode::Down | KeyCode::Tab => self.selected = (self.selected + 1) % n,
            KeyCode::Enter => match self.request() {
                Ok(req) => {
                    self.error = None;
                    return Some(req);
                }
                Err(e) => self.error = Some(e),
            },
            KeyCode::Left | KeyCode::Right | KeyCode::Char(' ') if field.is_choice() => {
                let back = key.code == KeyCode::Left;
                match field {
                    Field::Key => {
                        let all = [KeyKind::EcdsaP256, KeyKind::Rsa2048, KeyKind::Rsa4096];
                        let i = all.iter().position(|k| *k == self.key).unwrap_or(0);
                        self.key = all[if back { (i + 2) % 3 } else { (i + 1) % 3 }];
                    }
                    Field::Mode => self.self_signed = !self.self_signed,
                    _ => self.replace = !self.replace,
                }
            }
            KeyCode::Backspace if !field.is_choice() => {
                if let Some(t) = self.text.get_mut(self.selected) {
                    t.pop();
                }
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                if let Some(t) = self.text.get_mut(self.selected) {
                    t.clear();
                }
            }
            KeyCode::Char(c)
                if !field.is_choice() && !key.modifiers.contains(KeyModifiers::CONTROL) =>
            {
                if let Some(t) = self.text.get_mut(self.selected) {
                    t.push(c);
                }
            }
            _ => {}
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(f: &mut CertsForm, code: KeyCode) -> Option<Request> {
        f.key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    #[test]
    fn enter_on_the_prefilled_form_is_the_lab_default() {
        let mut f = CertsForm::new(&Request::default());
        assert_eq!(f.value(Field::Names), "developers.lan, *.developers.lan");
        assert_eq!(press(&mut f, KeyCode::Enter), Some(Request::default()));
    }

    #[test]
    fn fields_are_typed_and_choices_cycle() {
        let mut f = CertsForm::new(&Request::default());
        // Names: add an IP.
        press(&mut f, KeyCode::Down);
        for c in ", 127.0.0.1".chars() {
            press(&mut f, KeyCode::Char(c));
        }
        // Key: RSA 2048; mode: self-signed.
        for _ in 0..5 {
            press(&mut f, KeyCode::Down);
        }
        assert_eq!(f.field(), Field::Key);
        press(&mut f, KeyCode::Right);
        press(&mut f, KeyCode::Down);
        press(&mut f, KeyCode::Down);
        press(&mut f, KeyCode::Char(' '));
        let req = press(&mut f, KeyCode::Enter).unwrap();
        assert_eq!(req.sans, ["127.0.0.1"]);
        assert_eq!(req.key, KeyKind::Rsa2048);
        assert!(req.self_signed);
        assert_eq!(
            req.command_line(),
            "certs --key rsa2048 --san 127.0.0.1 --self-signed"
        );
    }

    #[test]
    fn a_bad_field_keeps_the_form_open_with_the_reason() {
        let mut f = CertsForm::new(&Request::default());
        f.selected = 5;
        press(&mut f, KeyCode::Backspace);
        assert_eq!(press(&mut f, KeyCode::Enter), None);
        assert!(f.error.as_deref().unwrap_or_default().contains("\"C\""));
    }
}
