//! `config.toml` in the platform config dir (~/.config/estiba on Linux). Every field is optional;
//! a bad file gives a warning shown inside the console and the defaults.

use crate::i18n::Lang;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const DEFAULT_LOG_LINES: usize = 10_000;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Theme name: dark, light, high-contrast, ssh-16, or a file in the config dir's themes/.
    pub theme: Option<String>,
    /// es or en; otherwise from LANG.
    pub lang: Option<Lang>,
    /// Lines kept in the logs pane.
    pub log_lines: Option<usize>,
    /// Events kept in the events view (the newest).
    pub events_kept: Option<usize>,
    /// Engine address, as with `--host`.
    pub host: Option<String>,
    /// Docker context, as with `--context`.
    pub context: Option<String>,
    /// Show finished tasks in the tasks pane from the start.
    pub show_finished: Option<bool>,
    /// Show log timestamps from the start.
    pub log_timestamps: Option<bool>,
    /// Wrap long log lines from the start.
    pub log_wrap: Option<bool>,
    /// Refuse every command that changes something (as `--readonly`).
    pub readonly: Option<bool>,
    /// Capture the mouse from the start (off by default: over SSH it gets in the way of
    /// selecting text to copy; `M` turns it on and off).
    pub mouse: Option<bool>,
    /// Show live CPU, memory and network of the tasks on screen (default: on).
    pub stats: Option<bool>,
    /// Other nodes' own engines (`[nodes.worker1] host = "tcp://10.0.0.3:2376"`): exec and
    /// stats reach the tasks running there through them.
    pub nodes: Option<std::collections::BTreeMap<String, NodeConfig>>,
    /// The shells `exec` tries in a container, the first that exists (default: bash, sh).
    pub exec_command: Option<Vec<String>>,
    /// Evidence screenshots (`snap`, F2).
    pub snap: Option<SnapConfig>,
    /// Labs: evidence saved as steps pass, and the student's name for the hand-in.
    pub lab: Option<LabConfig>,
}

/// A `[nodes.NAME]` table: where that node's engine listens, with TLS as for `--host`
/// (`tls_verify`, and `cert_path` holding ca.pem, cert.pem and key.pem).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeConfig {
    pub host: String,
    pub tls_verify: Option<bool>,
    pub cert_path: Option<PathBuf>,
}

/// The formats an evidence screenshot is saved in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Png,
    Svg,
    Txt,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Png, Format::Svg, Format::Txt];

    pub fn extension(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Svg => "svg",
            Format::Txt => "txt",
        }
    }

    /// The format a file name asks for, by its extension.
    pub fn of(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Format::ALL.into_iter().find(|f| f.extension() == ext)
    }
}

/// The evidence folder, as the exercises name it.
pub const DEFAULT_DIR: &str = "evidencias";

/// The `[lab]` table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabConfig {
    /// Save `evidencias/<step>.png` when a step turns done (default: on).
    pub auto_snap: Option<bool>,
    /// The student's name, for `lab report` (asked once, then kept here).
    pub student: Option<String>,
}

/// The `[snap]` table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapConfig {
    /// Folder for evidence, relative to the working directory (default: evidencias).
    pub dir: Option<PathBuf>,
    /// Files written by each snapshot: png, svg, txt (default: png and txt).
    pub formats: Option<Vec<Format>>,
    /// The title bar with pane, cluster, lab step and time (default: on).
    pub frame: Option<bool>,
    /// Mask values whose keys look secret: PASSWORD, TOKEN, KEY... (default: on).
    pub redact: Option<bool>,
    /// Pixels: 1 is 10x20 a cell, 2 doubles it (default: 1, at most 4).
    pub scale: Option<u32>,
}

/// The snapshot settings in force: the config's, with `--evidence-dir` over them.
#[derive(Debug, Clone, PartialEq)]
pub struct SnapSettings {
    pub dir: PathBuf,
    pub formats: Vec<Format>,
    pub frame: bool,
    pub redact: bool,
    pub scale: u32,
    /// A snapshot from the command line waits for a sample of the use on screen (`stats`).
    pub stats: bool,
}

impl SnapSettings {
    pub fn new(config: &Config, evidence_dir: Option<&Path>) -> SnapSettings {
        let c = config.snap.clone().unwrap_or_default();
        SnapSettings {
            dir: evidence_dir
                .map(Path::to_path_buf)
                .or(c.dir)
                .unwrap_or_else(|| PathBuf::from(DEFAULT_DIR)),
            formats: c
                .formats
                .filter(|f| !f.is_empty())
                .unwrap_or_else(|| vec![Format::Png, Format::Txt]),
            frame: c.frame.unwrap_or(true),
            redact: c.redact.unwrap_or(true),
            scale: c.scale.unwrap_or(1),
            stats: config.stats.unwrap_or(true),
        }
    }
}

/// The platform directories estiba uses.
#[derive(Debug, Clone)]
pub struct Dirs {
    pub config: PathBuf,
    pub data: PathBuf,
}

impl Dirs {
    /// `ESTIBA_CONFIG_DIR` / `ESTIBA_DATA_DIR` override the platform's (tests, portable use).
    pub fn detect() -> Dirs {
        let pd = directories::ProjectDirs::from("", "", "estiba");
        let env_dir = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        Dirs {
            config: env_dir("ESTIBA_CONFIG_DIR")
                .or_else(|| pd.as_ref().map(|p| p.config_dir().to_path_buf()))
                .unwrap_or_else(|| PathBuf::from(".estiba")),
            data: env_dir("ESTIBA_DATA_DIR")
                .or_else(|| pd.as_ref().map(|p| p.data_dir().to_path_buf()))
                .unwrap_or_else(|| PathBuf::from(".estiba")),
        }
    }

    pub fn config_file(&self) -> PathBuf {
        self.config.join("config.toml")
    }

    pub fn themes(&self) -> PathBuf {
        self.config.join("themes")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::tr!("config.invalid", file = .file, detail = .detail))]
pub struct ConfigError {
    pub file: String,
    pub detail: String,
}

impl Config {
    pub fn parse(text: &str, file: &Path) -> Result<Config, ConfigError> {
        let c: Config = toml::from_str(text).map_err(|e| ConfigError {
            file: file.display().to_string(),
            detail: e.to_string().trim().replace('\n', " "),
        })?;
        if c.log_lines == Some(0) {
            return Err(ConfigError {
                file: file.display().to_string(),
                detail: "log_lines = 0".into(),
            });
        }
        if let Some(s) = c.snap.as_ref().and_then(|s| s.scale)
            && !(1..=4).contains(&s)
        {
            return Err(ConfigError {
                file: file.display().to_string(),
                detail: format!("snap.scale = {s} (1-4)"),
            });
        }
        Ok(c)
    }

    /// Reads the file if it exists. A missing file is the defaults; a bad one is the defaults and
    /// a warning.
    pub fn load(file: &Path) -> (Config, Option<ConfigError>) {
        match std::fs::read_to_string(file) {
            Ok(text) => match Config::parse(&text, file) {
                Ok(c) => (c, None),
                Err(e) => (Config::default(), Some(e)),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Config::default(), None),
            Err(e) => (
                Config::default(),
                Some(ConfigError {
                    file: file.display().to_string(),
                    detail: e.to_string(),
                }),
            ),
        }
    }

    /// The shells `exec` tries.
    pub fn shells(&self) -> Vec<String> {
        self.exec_command
            .clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| vec!["bash".into(), "sh".into()])
    }

    pub fn events_kept(&self) -> usize {
        self.events_kept.unwrap_or(1000).max(1)
    }

    pub fn log_lines(&self) -> usize {
        self.log_lines.unwrap_or(DEFAULT_LOG_LINES)
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }
}

/// Keeps the student's name in the config file's `[lab]` table, the rest of the file as it
/// was (comments too).
pub fn remember_student(file: &Path, name: &str) -> std::io::Result<()> {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e),
    };
    let line = format!("student = {}", toml::Value::String(name.to_string()));
    let mut out: Vec<String> = vec![];
    let (mut in_lab, mut done) = (false, false);
    for l in text.lines() {
        let t = l.trim();
        if t.starts_with('[') {
            in_lab = t == "[lab]";
            out.push(l.to_string());
            if in_lab && !done {
                out.push(line.clone());
                done = true;
            }
            continue;
        }
        if in_lab && t.split('=').next().is_some_and(|k| k.trim() == "student") {
            continue;
        }
        out.push(l.to_string());
    }
    if !done {
        if out.last().is_some_and(|l| !l.is_empty()) {
            out.push(String::new());
        }
        out.push("[lab]".into());
        out.push(line);
    }
    if let Some(d) = file.parent() {
        std::fs::create_dir_all(d)?;
    }
    std::fs::write(file, out.join("\n") + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_student_is_kept_in_the_lab_table_and_the_rest_stays() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("config.toml");
        std::fs::write(
            &f,
            "# mine\ntheme = \"light\"\n\n[lab]\nauto_snap = false\nstudent = \"x\"\n",
        )
        .unwrap();
        remember_student(&f, "Ana \"la\" Pérez").unwrap();
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(text.starts_with("# mine\n"), "{text}");
        let c = Config::parse(&text, &f).unwrap();
        let lab = c.lab.unwrap();
        assert_eq!(lab.student.as_deref(), Some("Ana \"la\" Pérez"));
        assert_eq!(lab.auto_snap, Some(false));
        assert_eq!(c.theme.as_deref(), Some("light"));
        let f2 = d.path().join("new/config.toml");
        remember_student(&f2, "Luis").unwrap();
        let c = Config::parse(&std::fs::read_to_string(&f2).unwrap(), &f2).unwrap();
        assert_eq!(c.lab.unwrap().student.as_deref(), Some("Luis"));
    }

    #[test]
    fn every_field_is_optional() {
        assert_eq!(
            Config::parse("", Path::new("c.toml")).unwrap(),
            Config::default()
        );
        let c = Config::parse(
            "theme = \"ssh-16\"\nlang = \"es\"\nlog_lines = 500\n",
            Path::new("c.toml"),
        )
        .unwrap();
        assert_eq!(c.theme.as_deref(), Some("ssh-16"));
        assert_eq!(c.lang, Some(Lang::Es));
        assert_eq!(c.log_lines(), 500);
    }

    #[test]
    fn bad_files_name_the_file_and_the_key() {
        let e = Config::parse("colour = \"red\"\n", Path::new("/x/config.toml")).unwrap_err();
        assert!(e.file.contains("/x/config.toml"));
        assert!(e.detail.contains("colour"), "{}", e.detail);
        let e = Config::parse("log_lines = \"many\"", Path::new("c.toml")).unwrap_err();
        assert!(e.detail.contains("log_lines"), "{}", e.detail);
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("config.toml");
        std::fs::write(&f, "theme = [").unwrap();
        let (c, warn) = Config::load(&f);
        assert_eq!(c, Config::default());
        assert!(warn.is_some());
        let (c, warn) = Config::load(&dir.path().join("missing.toml"));
        assert_eq!((c, warn), (Config::default(), None));
    }
}
