//! The build form: `B` on the images. Three fields — the context folder, the Dockerfile, the
//! tags — prefilled with the last build run from this folder; Enter builds, and the command line
//! the fields make is shown as they change, so the student learns `estiba build` / `docker build`.

use crate::model::action::{Action, BuildSpec};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Context,
    Dockerfile,
    Tags,
}

impl Field {
    pub const ALL: [Field; 3] = [Field::Context, Field::Dockerfile, Field::Tags];

    pub fn label_key(self) -> &'static str {
        match self {
            Field::Context => "build.f_context",
            Field::Dockerfile => "build.f_dockerfile",
            Field::Tags => "build.f_tags",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildForm {
    /// The text of each field, in `Field::ALL` order.
    pub text: [String; 3],
    pub selected: usize,
    /// The build's other flags (build args, labels, target...) kept from the remembered line.
    rest: BuildSpec,
    /// Why the last Enter did not build.
    pub error: Option<String>,
}

impl BuildForm {
    /// The form for a palette line (`build . -t web:latest -f web/Dockerfile`); a line that
    /// does not read as a build leaves the fields at `.`, empty and empty.
    pub fn from_line(line: &str) -> BuildForm {
        let spec = match crate::command::parse_line(line) {
            Ok(crate::command::Command::Act(Action::Build(b))) => b,
            _ => BuildSpec {
                context: ".".into(),
                ..Default::default()
            },
        };
        BuildForm {
            text: [
                spec.context.clone(),
                spec.dockerfile.clone().unwrap_or_default(),
                spec.tags.join(" "),
            ],
            selected: 2,
            rest: spec,
            error: None,
        }
    }

    /// The build the fields make, checked as the palette checks a typed `build`.
    pub fn spec(&self) -> Result<BuildSpec, String> {
        let [context, dockerfile, tags] = &self.text;
        let mut spec = BuildSpec {
            context: Some(context.trim())
                .filter(|c| !c.is_empty())
                .unwrap_or(".")
                .to_string(),
            dockerfile: Some(dockerfile.trim().to_string()).filter(|d| !d.is_empty()),
            tags: tags
                .split([' ', ','])
                .filter(|t| !t.is_empty())
                .map(String::from)
                .collect(),
            ..self.rest.clone()
        };
        if spec.tags.is_empty() {
            return Err(crate::tr!("build.form_no_tag"));
        }
        // The palette's own checks (a tag that is not a valid reference...).
        match crate::command::parse_line(&spec.palette_line()) {
            Ok(crate::command::Command::Act(Action::Build(b))) => {
                spec.tags = b.tags;
                Ok(spec)
            }
            Ok(_) => Err(crate::tr!("build.form_no_tag")),
            Err(e) => Err(e.to_string()),
        }
    }

    /// A key typed in the form; `Some` when Enter asks for a build the fields allow.
    pub fn key(&mut self, key: KeyEvent) -> Option<BuildSpec> {
        let n = Field::ALL.len();
        let text = &mut self.text[self.selected];
        match key.code {
            KeyCode::Up | KeyCode::BackTab => self.selected = (self.selected + n - 1) % n,
            KeyCode::Down | KeyCode::Tab => self.selected = (self.selected + 1) % n,
            KeyCode::Enter => match self.spec() {
                Ok(spec) => {
                    self.error = None;
                    return Some(spec);
                }
                Err(e) => self.error = Some(e),
            },
            KeyCode::Backspace => {
                text.pop();
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => text.clear(),
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => text.push(c),
            _ => {}
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn the_form_keeps_a_remembered_build_and_checks_its_tags() {
        let mut f =
            BuildForm::from_line("build web -f web/Dockerfile.prod -t web:1 --build-arg V=2");
        assert_eq!(f.text, ["web", "web/Dockerfile.prod", "web:1"]);
        // Another tag typed after the first.
        f.key(k(KeyCode::Char(' ')));
        for c in "web:test".chars() {
            f.key(k(KeyCode::Char(c)));
        }
        let spec = f.key(k(KeyCode::Enter)).unwrap();
        assert_eq!(spec.tags, ["web:1", "web:test"]);
        assert_eq!(spec.build_args, [("V".to_string(), "2".to_string())]);
        assert_eq!(spec.dockerfile.as_deref(), Some("web/Dockerfile.prod"));
        // No tag: said, and nothing built.
        f.key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
        assert_eq!(f.key(k(KeyCode::Enter)), None);
        assert!(f.error.is_some());
        // A tag that is not a reference.
        for c in "Web:Bad Tag!".chars() {
            f.key(k(KeyCode::Char(c)));
        }
        assert_eq!(f.key(k(KeyCode::Enter)), None);
        // Up from the tags is the Dockerfile.
        f.key(k(KeyCode::Up));
        assert_eq!(f.selected, 1);
    }
}
