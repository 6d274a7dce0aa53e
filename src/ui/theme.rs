//! Themes: TOML files with semantic colour slots, embedded in the binary; a user file of the same
//! name in the config dir's `themes/` overrides. Panes ask for `theme.ok`, never for "green".

use ratatui::style::{Color, Modifier, Style};
use std::str::FromStr;

pub const BUILTIN: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("ssh-16", include_str!("../../themes/ssh-16.toml")),
];

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    pub fg: Color,
    pub bg: Color,
    pub accent: Color,
    pub ok: Color,
    pub warn: Color,
    pub error: Color,
    pub muted: Color,
    pub selection_fg: Color,
    pub selection_bg: Color,
    pub border: Color,
    pub border_focus: Color,
    pub header: Color,
    pub badge_fg: Color,
    pub badge_bg: Color,
    pub highlight_fg: Color,
    pub highlight_bg: Color,
    /// NO_COLOR: no colours at all; selection and emphasis by attributes only.
    pub monochrome: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ThemeError {
    #[error("{}", crate::tr!("theme.unknown", name = .name, known = .known))]
    Unknown { name: String, known: String },
    #[error("{}", crate::tr!("theme.invalid", file = .file, detail = .detail))]
    Invalid { file: String, detail: String },
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    colors: Colors,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Colors {
    fg: String,
    bg: String,
    accent: String,
    ok: String,
    warn: String,
    error: String,
    muted: String,
    selection_fg: String,
    selection_bg: String,
    border: String,
    border_focus: String,
    header: String,
    badge_fg: String,
    badge_bg: String,
    highlight_fg: String,
    highlight_bg: String,
}

impl Theme {
    /// Parses a theme file's text; `file` names it in errors.
    pub fn parse(name: &str, text: &str, file: &str) -> Result<Theme, ThemeError> {
        let invalid = |detail: String| ThemeError::Invalid {
            file: file.to_string(),
            detail,
        };
        let f: File =
            toml::from_str(text).map_err(|e| invalid(e.to_string().trim().to_string()))?;
        let c = |slot: &str, v: &str| {
            Color::from_str(v).map_err(|_| invalid(format!("colors.{slot} = \"{v}\"")))
        };
        let k = f.colors;
        Ok(Theme {
            name: name.to_string(),
            fg: c("fg", &k.fg)?,
            bg: c("bg", &k.bg)?,
            accent: c("accent", &k.accent)?,
            ok: c("ok", &k.ok)?,
            warn: c("warn", &k.warn)?,
            error: c("error", &k.error)?,
            muted: c("muted", &k.muted)?,
            selection_fg: c("selection_fg", &k.selection_fg)?,
            selection_bg: c("selection_bg", &k.selection_bg)?,
            border: c("border", &k.border)?,
            border_focus: c("border_focus", &k.border_focus)?,
            header: c("header", &k.header)?,
            badge_fg: c("badge_fg", &k.badge_fg)?,
            badge_bg: c("badge_bg", &k.badge_bg)?,
            highlight_fg: c("highlight_fg", &k.highlight_fg)?,
            highlight_bg: c("highlight_bg", &k.highlight_bg)?,
            monochrome: false,
        })
    }

    /// The built-in theme `name`, or the user's file `<config dir>/themes/<name>.toml` when it exists.
    pub fn load(name: &str, user_dir: Option<&std::path::Path>) -> Result<Theme, ThemeError> {
        if let Some(dir) = user_dir {
            let path = dir.join(format!("{name}.toml"));
            if let Ok(text) = std::fs::read_to_string(&path) {
                return Theme::parse(name, &text, &path.display().to_string());
            }
        }
        match BUILTIN.iter().find(|(n, _)| *n == name) {
            Some((n, text)) => Theme::parse(n, text, &format!("themes/{n}.toml")),
            None => Err(ThemeError::Unknown {
                name: name.to_string(),
                known: names().join(", "),
            }),
        }
    }

    pub fn default_dark() -> Theme {
        Theme::load("dark", None).unwrap_or_else(|_| Theme::monochrome_named("dark"))
    }

    fn monochrome_named(name: &str) -> Theme {
        let r = Color::Reset;
        Theme {
            name: name.to_string(),
            fg: r,
            bg: r,
            accent: r,
            ok: r,
            warn: r,
            error: r,
            muted: r,
            selection_fg: r,
            selection_bg: r,
            border: r,
            border_focus: r,
            header: r,
            badge_fg: r,
            badge_bg: r,
            highlight_fg: r,
            highlight_bg: r,
            monochrome: true,
        }
    }

    /// This theme without colours (NO_COLOR).
    pub fn without_color(&self) -> Theme {
        Theme::monochrome_named(&self.name)
    }

    pub fn base(&self) -> Style {
        Style::default().fg(self.fg).bg(self.bg)
    }

    pub fn fg(&self, c: Color) -> Style {
        Style::default().fg(c)
    }

    pub fn muted(&self) -> Style {
        if self.monochrome {
            Style::default().add_modifier(Modifier::DIM)
        } else {
            Style::default().fg(self.muted)
        }
    }

    pub fn error(&self) -> Style {
        if self.monochrome {
            Style::default().add_modifier(Modifier::BOLD)
        } else {
            Style::default().fg(self.error)
        }
    }

    pub fn selection(&self) -> Style {
        if self.monochrome {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default().fg(self.selection_fg).bg(self.selection_bg)
        }
    }

    pub fn header(&self) -> Style {
        Style::default()
            .fg(self.header)
            .add_modifier(Modifier::BOLD)
    }

    pub fn border(&self, focused: bool) -> Style {
        match (focused, self.monochrome) {
            (true, true) => Style::default().add_modifier(Modifier::BOLD),
            (true, false) => Style::default()
                .fg(self.border_focus)
                .add_modifier(Modifier::BOLD),
            (false, _) => Style::default().fg(self.border),
        }
    }

    pub fn badge(&self) -> Style {
        if self.monochrome {
            Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        } else {
            Style::default()
                .fg(self.badge_fg)
                .bg(self.badge_bg)
                .add_modifier(Modifier::BOLD)
        }
    }

    pub fn highlight(&self) -> Style {
        if self.monochrome {
            Style::default().add_modifier(Modifier::REVERSED | Modifier::UNDERLINED)
        } else {
            Style::default().fg(self.highlight_fg).bg(self.highlight_bg)
        }
    }
}

pub fn names() -> Vec<&'static str> {
    BUILTIN.iter().map(|(n, _)| *n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_theme_parses() {
        for (name, _) in BUILTIN {
            Theme::load(name, None).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn ssh_16_uses_only_the_16_ansi_colours() {
        let t = Theme::load("ssh-16", None).unwrap();
        for c in [
            t.fg,
            t.bg,
            t.accent,
            t.ok,
            t.warn,
            t.error,
            t.muted,
            t.selection_fg,
            t.selection_bg,
            t.border,
            t.border_focus,
            t.header,
            t.badge_fg,
            t.badge_bg,
            t.highlight_fg,
            t.highlight_bg,
        ] {
            assert!(!matches!(c, Color::Rgb(..) | Color::Indexed(_)), "{c:?}");
        }
    }

    #[test]
    fn a_user_file_overrides_and_a_bad_one_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let dark = BUILTIN[0]
            .1
            .replace("accent = \"cyan\"", "accent = \"#ff8800\"");
        std::fs::write(dir.path().join("dark.toml"), dark).unwrap();
        let t = Theme::load("dark", Some(dir.path())).unwrap();
        assert_eq!(t.accent, Color::Rgb(0xff, 0x88, 0));
        std::fs::write(dir.path().join("mine.toml"), "[colors]\nfg = \"blurple\"\n").unwrap();
        let e = Theme::load("mine", Some(dir.path()))
            .unwrap_err()
            .to_string();
        assert!(e.contains("mine.toml"), "{e}");
        assert!(matches!(
            Theme::load("nope", None),
            Err(ThemeError::Unknown { .. })
        ));
    }
}
