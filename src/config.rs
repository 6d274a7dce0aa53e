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

/// One thing wrong in a config file: where (file, line, key) and what. The rest of the file
/// still applies.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::tr!("config.invalid", place = self.place(), detail = .detail))]
pub struct ConfigError {
    pub file: String,
    /// 1-based; 0 when the place is not known.
    pub line: usize,
    /// `theme`, `snap.scale`, `nodes.worker1.host`; "" for the file as a whole.
    pub key: String,
    pub detail: String,
}

impl ConfigError {
    /// `FILE, line 3, key snap.scale`, as much of it as is known.
    fn place(&self) -> String {
        let mut out = self.file.clone();
        if self.line > 0 {
            out.push_str(&crate::tr!("config.at_line", line = self.line));
        }
        if !self.key.is_empty() {
            out.push_str(&crate::tr!("config.at_key", key = self.key));
        }
        out
    }
}

/// The keys each table takes, for "did you mean".
const TOP: &[&str] = &[
    "theme",
    "lang",
    "log_lines",
    "events_kept",
    "host",
    "context",
    "show_finished",
    "log_timestamps",
    "log_wrap",
    "readonly",
    "mouse",
    "stats",
    "nodes",
    "exec_command",
    "snap",
    "lab",
];
const SNAP: &[&str] = &["dir", "formats", "frame", "redact", "scale"];
const LAB: &[&str] = &["auto_snap", "student"];
const NODE: &[&str] = &["host", "tls_verify", "cert_path"];

/// The line where `key` is set in `table` of the file (for errors found after reading, such as
/// a theme that does not exist); 0 when it cannot be read.
pub fn line_in_file(file: &Path, table: &str, key: &str) -> usize {
    std::fs::read_to_string(file).map_or(0, |t| line_of(&t, table, key))
}

/// The line (1-based) where `key` is set in `table` (`[snap]`, `[nodes.w1]`; "" for the top).
fn line_of(text: &str, table: &str, key: &str) -> usize {
    let mut current = String::new();
    let mut header_line = 0;
    for (i, l) in text.lines().enumerate() {
        let t = l.trim();
        if let Some(h) = t.strip_prefix('[').and_then(|h| h.split(']').next()) {
            current = h.trim().trim_matches('[').replace(['"', ' '], "");
            if current == table {
                header_line = i + 1;
            }
            continue;
        }
        let k = t.split('=').next().unwrap_or("").trim().trim_matches('"');
        if current == table && !key.is_empty() && k == key && t.contains('=') {
            return i + 1;
        }
    }
    header_line
}

/// What serde said of a value, without the file's excerpt the toml crate adds.
fn said(e: &toml::de::Error) -> String {
    e.message().trim().replace('\n', " ")
}

/// "unknown key", and the known key it is closest to.
fn unknown(key: &str, known: &[&str]) -> String {
    let hint = crate::suggest::closest(key, known.iter().copied())
        .map(|s| crate::tr!("config.did_you_mean", key = s))
        .unwrap_or_default();
    format!("{}{hint}", crate::tr!("config.unknown_key"))
}

/// A part of the config (`{key = value}`, `{snap = {scale = 2}}`) read on its own.
fn typed(part: toml::Table) -> Result<(), String> {
    toml::Value::Table(part)
        .try_into::<Config>()
        .map(|_| ())
        .map_err(|e| said(&e))
}

fn one(key: &str, value: toml::Value) -> toml::Table {
    toml::Table::from_iter([(key.to_string(), value)])
}

impl Config {
    /// Reads a config file's text. Every key is checked on its own: one that is unknown or
    /// wrong is left out and named (with its line and, when close to a known one, "did you
    /// mean"); the rest applies. A file that is not TOML at all is the defaults and one error.
    pub fn parse(text: &str, file: &Path) -> (Config, Vec<ConfigError>) {
        let shown = file.display().to_string();
        let err = |line: usize, key: String, detail: String| ConfigError {
            file: shown.clone(),
            line,
            key,
            detail,
        };
        let table: toml::Table = match toml::from_str(text) {
            Ok(t) => t,
            Err(e) => {
                let line = e.span().map_or(0, |s| {
                    text[..s.start.min(text.len())].lines().count().max(1)
                });
                return (Config::default(), vec![err(line, String::new(), said(&e))]);
            }
        };
        let mut errors = Vec::new();
        let mut kept = toml::Table::new();
        for (key, value) in table {
            if !TOP.contains(&key.as_str()) {
                errors.push(err(
                    line_of(text, "", &key),
                    key.clone(),
                    unknown(&key, TOP),
                ));
                continue;
            }
            let value = match (key.as_str(), value) {
                ("snap" | "lab", toml::Value::Table(inner)) => {
                    let known = if key == "snap" { SNAP } else { LAB };
                    let mut ok = toml::Table::new();
                    for (k, v) in inner {
                        let place = (line_of(text, &key, &k), format!("{key}.{k}"));
                        let checked = if known.contains(&k.as_str()) {
                            typed(one(&key, toml::Value::Table(one(&k, v.clone()))))
                        } else {
                            Err(unknown(&k, known))
                        };
                        match checked {
                            Ok(()) => {
                                ok.insert(k, v);
                            }
                            Err(d) => errors.push(err(place.0, place.1, d)),
                        }
                    }
                    toml::Value::Table(ok)
                }
                ("nodes", toml::Value::Table(inner)) => {
                    let mut ok = toml::Table::new();
                    for (name, mut node) in inner {
                        let table_name = format!("nodes.{name}");
                        if let toml::Value::Table(t) = &mut node {
                            let strange: Vec<String> = t
                                .keys()
                                .filter(|k| !NODE.contains(&k.as_str()))
                                .cloned()
                                .collect();
                            for k in strange {
                                t.remove(&k);
                                let line = line_of(text, &table_name, &k);
                                errors.push(err(
                                    line,
                                    format!("{table_name}.{k}"),
                                    unknown(&k, NODE),
                                ));
                            }
                        }
                        let part = one("nodes", toml::Value::Table(one(&name, node.clone())));
                        match typed(part) {
                            Ok(()) => {
                                ok.insert(name, node);
                            }
                            Err(d) => {
                                errors.push(err(line_of(text, &table_name, ""), table_name, d))
                            }
                        }
                    }
                    toml::Value::Table(ok)
                }
                (_, value) => match typed(one(&key, value.clone())) {
                    Ok(()) => value,
                    Err(d) => {
                        errors.push(err(line_of(text, "", &key), key, d));
                        continue;
                    }
                },
            };
            kept.insert(key, value);
        }
        let mut c: Config = toml::Value::Table(kept).try_into().unwrap_or_default();
        if c.log_lines == Some(0) {
            c.log_lines = None;
            errors.push(err(
                line_of(text, "", "log_lines"),
                "log_lines".into(),
                crate::tr!("config.at_least_one"),
            ));
        }
        if let Some(snap) = c.snap.as_mut()
            && let Some(s) = snap.scale
            && !(1..=4).contains(&s)
        {
            snap.scale = None;
            errors.push(err(
                line_of(text, "snap", "scale"),
                "snap.scale".into(),
                crate::tr!("config.scale_range"),
            ));
        }
        (c, errors)
    }

    /// Reads the file. A missing file is the defaults, unless it was named (`--config`): then it
    /// is an error. A file that cannot be read is the defaults and the error.
    pub fn load(file: &Path, named: bool) -> (Config, Vec<ConfigError>) {
        let whole = |detail: String| ConfigError {
            file: file.display().to_string(),
            line: 0,
            key: String::new(),
            detail,
        };
        match std::fs::read_to_string(file) {
            Ok(text) => Config::parse(&text, file),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !named => {
                (Config::default(), vec![])
            }
            Err(e) => (
                Config::default(),
                vec![whole(crate::sanitize::error_chain(&e))],
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
        let c = Config::parse(&text, &f).0;
        let lab = c.lab.unwrap();
        assert_eq!(lab.student.as_deref(), Some("Ana \"la\" Pérez"));
        assert_eq!(lab.auto_snap, Some(false));
        assert_eq!(c.theme.as_deref(), Some("light"));
        let f2 = d.path().join("new/config.toml");
        remember_student(&f2, "Luis").unwrap();
        let c = Config::parse(&std::fs::read_to_string(&f2).unwrap(), &f2).0;
        assert_eq!(c.lab.unwrap().student.as_deref(), Some("Luis"));
    }

    #[test]
    fn every_field_is_optional() {
        assert_eq!(
            Config::parse("", Path::new("c.toml")),
            (Config::default(), vec![])
        );
        let c = Config::parse(
            "theme = \"ssh-16\"\nlang = \"es\"\nlog_lines = 500\n",
            Path::new("c.toml"),
        )
        .0;
        assert_eq!(c.theme.as_deref(), Some("ssh-16"));
        assert_eq!(c.lang, Some(Lang::Es));
        assert_eq!(c.log_lines(), 500);
    }

    #[test]
    fn bad_keys_are_named_with_their_line_and_the_rest_applies() {
        let text = "theme = \"light\"\ncolour = \"red\"\nlog_lines = \"many\"\n\n[snap]\nscale = 9\ndirr = \"x\"\nframe = false\n\n[nodes.w1]\nhost = \"ssh://w1\"\ntls = true\n";
        let (c, errors) = Config::parse(text, Path::new("/x/config.toml"));
        assert_eq!(c.theme.as_deref(), Some("light"));
        assert_eq!(c.snap.as_ref().and_then(|s| s.frame), Some(false));
        assert_eq!(c.snap.as_ref().and_then(|s| s.scale), None);
        assert_eq!(
            c.nodes.as_ref().map(|n| n["w1"].host.as_str()),
            Some("ssh://w1")
        );
        let seen: Vec<(usize, &str)> = errors.iter().map(|e| (e.line, e.key.as_str())).collect();
        for want in [
            (2, "colour"),
            (3, "log_lines"),
            (6, "snap.scale"),
            (7, "snap.dirr"),
            (12, "nodes.w1.tls"),
        ] {
            assert!(seen.contains(&want), "{want:?} not in {seen:?}");
        }
        let dirr = errors
            .iter()
            .find(|e| e.key == "snap.dirr")
            .unwrap()
            .to_string();
        assert!(
            dirr.contains("/x/config.toml, line 7") && dirr.contains("did you mean dir?"),
            "{dirr}"
        );
        let tls = errors
            .iter()
            .find(|e| e.key == "nodes.w1.tls")
            .unwrap()
            .to_string();
        assert!(tls.contains("did you mean tls_verify?"), "{tls}");
        // Not TOML at all: the defaults, and where it broke.
        let (c, errors) = Config::parse("theme = \"dark\"\ntheme = [", Path::new("c.toml"));
        assert_eq!(c, Config::default());
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 2, "{}", errors[0]);
        let dir = tempfile::tempdir().unwrap();
        let (c, warn) = Config::load(&dir.path().join("missing.toml"), false);
        assert_eq!((c, warn), (Config::default(), vec![]));
        let (_, warn) = Config::load(&dir.path().join("missing.toml"), true);
        assert_eq!(warn.len(), 1);
    }
}
