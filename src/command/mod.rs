//! The one command grammar. The `:` palette, the keymap and the command line all produce a
//! [`Command`] through [`parse`]; help text, completion and Spanish aliases live here too.

pub mod actions;
mod certs;

use crate::i18n::Lang;
use crate::model::action::Action;
use crate::tr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Nodes,
    /// Swarm services; on Kubernetes, Kubernetes Services.
    Services,
    /// Swarm services; on Kubernetes, Deployments.
    Workloads,
    Tasks {
        service: String,
    },
    Images,
    Logs {
        target: String,
        tail: Option<usize>,
        follow: bool,
    },
    Filter(String),
    Theme(String),
    Lang(Lang),
    Help(Option<String>),
    Quit,
    /// A command that acts on the cluster.
    Act(Action),
    /// The activity log: what was done, with the equivalent docker commands.
    History,
    /// The stacks, with their services and health.
    Stacks,
    /// The lab presets.
    Labs,
    /// Open a compose file in the editor: a file (and stack), or the file a stack was deployed from.
    Edit {
        target: String,
        stack: Option<String>,
    },
    Lab(LabCommand),
    /// Save an evidence screenshot.
    Snap(Snap),
    Certs(CertsCommand),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertsCommand {
    /// Generate; `bare` when no option was given (the console then opens its form).
    Make {
        req: crate::certs::Request,
        bare: bool,
    },
    Inspect(String),
}

/// What a snapshot shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapWhat {
    /// The focused pane (the default in the console).
    Focused,
    /// The whole screen (the default on the command line).
    Screen,
    Pane(crate::model::Pane),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snap {
    pub what: SnapWhat,
    /// The file name without extension; by default the lab step, or pane and time.
    pub name: Option<String>,
    /// One file whose extension picks the format, instead of the evidence folder.
    pub out: Option<String>,
    /// Columns and rows, for the command line (the console uses the terminal's).
    pub size: Option<(u16, u16)>,
    pub scale: Option<u32>,
}

impl SnapWhat {
    /// `pane`, `screen`, or a pane's name in English or Spanish.
    pub fn parse(word: &str) -> Option<SnapWhat> {
        use crate::model::Pane;
        Some(match word.to_lowercase().as_str() {
            "pane" | "panel" => SnapWhat::Focused,
            "screen" | "pantalla" => SnapWhat::Screen,
            "nodes" | "nodos" => SnapWhat::Pane(Pane::Nodes),
            "services" | "servicios" | "workloads" => SnapWhat::Pane(Pane::Services),
            "tasks" | "tareas" => SnapWhat::Pane(Pane::Tasks),
            "images" | "imagenes" | "imágenes" => SnapWhat::Pane(Pane::Images),
            "logs" | "registros" => SnapWhat::Pane(Pane::Logs),
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabCommand {
    Open(String),
    Next,
    Prev,
    Close,
    /// Write a preset's files into a folder (default: its name).
    Init {
        name: String,
        dir: Option<String>,
    },
}

/// What kind of value an argument takes, for completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    Service,
    ServiceOrTask,
    Theme,
    Lang,
    Command,
    Text,
    Node,
    Image,
    /// `init`, `join-token`, `leave`
    SwarmVerb,
    /// A preset name, or next/prev/close/init.
    Lab,
    /// pane, screen, or a pane's name.
    SnapTarget,
}

pub struct Spec {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    /// Usage after the name, e.g. `SERVICE [--tail N] [-f]`.
    pub usage: &'static str,
    /// Catalog key of the one-line description.
    pub help: &'static str,
    pub args: &'static [ArgKind],
}

pub const SPECS: &[Spec] = &[
    Spec {
        name: "nodes",
        aliases: &["nodos", "node"],
        usage: "",
        help: "cmd.nodes",
        args: &[],
    },
    Spec {
        name: "services",
        aliases: &["servicios", "service", "svc", "ls"],
        usage: "",
        help: "cmd.services",
        args: &[],
    },
    Spec {
        name: "workloads",
        aliases: &["deployments", "despliegues"],
        usage: "",
        help: "cmd.workloads",
        args: &[],
    },
    Spec {
        name: "secrets",
        aliases: &["secretos"],
        usage: "",
        help: "cmd.secrets",
        args: &[],
    },
    Spec {
        name: "tasks",
        aliases: &["tareas", "ps"],
        usage: "SERVICE",
        help: "cmd.tasks",
        args: &[ArgKind::Service],
    },
    Spec {
        name: "images",
        aliases: &["imagenes", "imágenes", "image-ls"],
        usage: "",
        help: "cmd.images",
        args: &[],
    },
    Spec {
        name: "logs",
        aliases: &["registros", "log"],
        usage: "SERVICE|TASK [--tail N] [--follow]",
        help: "cmd.logs",
        args: &[ArgKind::ServiceOrTask],
    },
    Spec {
        name: "filter",
        aliases: &["filtrar", "filtro"],
        usage: "TEXT",
        help: "cmd.filter",
        args: &[ArgKind::Text],
    },
    Spec {
        name: "theme",
        aliases: &["tema"],
        usage: "NAME",
        help: "cmd.theme",
        args: &[ArgKind::Theme],
    },
    Spec {
        name: "lang",
        aliases: &["idioma", "language"],
        usage: "es|en",
        help: "cmd.lang",
        args: &[ArgKind::Lang],
    },
    Spec {
        name: "help",
        aliases: &["ayuda", "?"],
        usage: "[COMMAND]",
        help: "cmd.help",
        args: &[ArgKind::Command],
    },
    Spec {
        name: "quit",
        aliases: &["salir", "q", "exit"],
        usage: "",
        help: "cmd.quit",
        args: &[],
    },
    Spec {
        name: "scale",
        aliases: &["escalar"],
        usage: "SERVICE N | SERVICE=N ...",
        help: "cmd.scale",
        args: &[ArgKind::Service],
    },
    Spec {
        name: "image",
        aliases: &["imagen", "update-image"],
        usage: "SERVICE IMAGE [--no-resolve]",
        help: "cmd.image",
        args: &[ArgKind::Service, ArgKind::Image],
    },
    Spec {
        name: "rollback",
        aliases: &["revertir"],
        usage: "SERVICE",
        help: "cmd.rollback",
        args: &[ArgKind::Service],
    },
    Spec {
        name: "restart",
        aliases: &["reiniciar"],
        usage: "SERVICE",
        help: "cmd.restart",
        args: &[ArgKind::Service],
    },
    Spec {
        name: "tag",
        aliases: &["etiquetar-imagen", "tagear"],
        usage: "SOURCE TARGET",
        help: "cmd.tag",
        args: &[ArgKind::Image, ArgKind::Image],
    },
    Spec {
        name: "push",
        aliases: &["subir"],
        usage: "IMAGE",
        help: "cmd.push",
        args: &[ArgKind::Image],
    },
    Spec {
        name: "rmi",
        aliases: &["borrar-imagen"],
        usage: "IMAGE",
        help: "cmd.rmi",
        args: &[ArgKind::Image],
    },
    Spec {
        name: "label",
        aliases: &["etiquetar"],
        usage: "NODE key=value ...",
        help: "cmd.label",
        args: &[ArgKind::Node],
    },
    Spec {
        name: "unlabel",
        aliases: &["desetiquetar"],
        usage: "NODE KEY ...",
        help: "cmd.unlabel",
        args: &[ArgKind::Node],
    },
    Spec {
        name: "drain",
        aliases: &["drenar"],
        usage: "NODE",
        help: "cmd.drain",
        args: &[ArgKind::Node],
    },
    Spec {
        name: "activate",
        aliases: &["activar", "uncordon"],
        usage: "NODE",
        help: "cmd.activate",
        args: &[ArgKind::Node],
    },
    Spec {
        name: "pause",
        aliases: &["pausar", "cordon", "acordonar"],
        usage: "NODE",
        help: "cmd.pause",
        args: &[ArgKind::Node],
    },
    Spec {
        name: "promote",
        aliases: &["promover"],
        usage: "NODE",
        help: "cmd.promote",
        args: &[ArgKind::Node],
    },
    Spec {
        name: "demote",
        aliases: &["degradar"],
        usage: "NODE",
        help: "cmd.demote",
        args: &[ArgKind::Node],
    },
    Spec {
        name: "swarm",
        aliases: &[],
        usage: "init [--advertise-addr ADDR] | join-token worker|manager | leave [--force]",
        help: "cmd.swarm",
        args: &[ArgKind::SwarmVerb],
    },
    Spec {
        name: "deploy",
        aliases: &["desplegar"],
        usage: "FILE STACK | -c FILE [-c FILE...] STACK [--prune] [--detach] [--resolve-image always|changed|never] [--timeout 3m]",
        help: "cmd.deploy",
        args: &[ArgKind::Text],
    },
    Spec {
        name: "diff",
        aliases: &["cambios", "preview"],
        usage: "FILE STACK | -c FILE [-c FILE...] STACK [--prune] [--resolve-image always|changed|never]",
        help: "cmd.diff",
        args: &[ArgKind::Text],
    },
    Spec {
        name: "stacks",
        aliases: &["stack-ls"],
        usage: "",
        help: "cmd.stacks",
        args: &[],
    },
    Spec {
        name: "rm-stack",
        aliases: &["borrar-stack", "stack-rm"],
        usage: "STACK",
        help: "cmd.rm_stack",
        args: &[ArgKind::Text],
    },
    Spec {
        name: "snap",
        aliases: &["captura", "evidencia"],
        usage: "[pane|screen|PANE] [NAME] [--out FILE.png|.svg|.txt] [--size WxH] [--scale N]",
        help: "cmd.snap",
        args: &[ArgKind::SnapTarget, ArgKind::Text],
    },
    Spec {
        name: "certs",
        aliases: &["certificados", "cert"],
        usage: "[--domain D] [--san NAME]... [--org O] [--locality L] [--state S] [--country CC] [--key ecdsa|rsa2048|rsa4096] [--days N] [--ca-days N] [--self-signed] [--out DIR] [--force] | inspect FILE",
        help: "cmd.certs",
        args: &[ArgKind::Text],
    },
    Spec {
        name: "secret",
        aliases: &["secreto"],
        usage: "create NAME FILE | create NAME --from-literal K=V --from-file F",
        help: "cmd.secret",
        args: &[ArgKind::Text],
    },
    Spec {
        name: "config",
        aliases: &[],
        usage: "create NAME FILE",
        help: "cmd.config_create",
        args: &[ArgKind::Text],
    },
    Spec {
        name: "apply",
        aliases: &["aplicar"],
        usage: "FILE|PRESET",
        help: "cmd.apply",
        args: &[ArgKind::Text],
    },
    Spec {
        name: "delete",
        aliases: &["borrar"],
        usage: "KIND/NAME",
        help: "cmd.delete",
        args: &[ArgKind::Text],
    },
    Spec {
        name: "ctx",
        aliases: &["context", "contexto"],
        usage: "NAME",
        help: "cmd.ctx",
        args: &[ArgKind::Text],
    },
    Spec {
        name: "ns",
        aliases: &["namespace"],
        usage: "NAME|all",
        help: "cmd.ns",
        args: &[ArgKind::Text],
    },
    Spec {
        name: "labs",
        aliases: &["laboratorios"],
        usage: "",
        help: "cmd.labs",
        args: &[],
    },
    Spec {
        name: "lab",
        aliases: &["laboratorio"],
        usage: "NAME | next | prev | close | init NAME [DIR]",
        help: "cmd.lab",
        args: &[ArgKind::Lab],
    },
    Spec {
        name: "edit",
        aliases: &["editar"],
        usage: "FILE [STACK] | STACK",
        help: "cmd.edit",
        args: &[ArgKind::Text],
    },
    Spec {
        name: "history",
        aliases: &["historial", "actividad"],
        usage: "",
        help: "cmd.history",
        args: &[],
    },
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("{}", tr!("parse.empty"))]
    Empty,
    #[error("{}", tr!("parse.unknown", word = .word, hint = hint(.suggestion)))]
    Unknown {
        word: String,
        suggestion: Option<String>,
    },
    #[error("{}", tr!("parse.missing", command = .command, arg = .arg, usage = .usage))]
    Missing {
        command: String,
        arg: String,
        usage: String,
    },
    #[error("{}", tr!("parse.bad_value", command = .command, arg = .arg, value = .value))]
    BadValue {
        command: String,
        arg: String,
        value: String,
    },
    #[error("{}", tr!("parse.extra", command = .command, extra = .extra, usage = .usage))]
    Extra {
        command: String,
        extra: String,
        usage: String,
    },
    #[error("{}", tr!("parse.quote"))]
    UnclosedQuote,
    #[error("{}", tr!("parse.replicas", value = .value, max = actions::MAX_REPLICAS))]
    Replicas { value: String },
    #[error("{}", tr!("parse.reference", command = .command, value = .value))]
    Reference { command: String, value: String },
    #[error("{}", tr!("parse.label_key", value = .value))]
    LabelKey { value: String },
}

fn hint(s: &Option<String>) -> String {
    s.as_ref()
        .map(|s| tr!("hint.did_you_mean", name = s))
        .unwrap_or_default()
}

/// Splits a palette line into words, honouring single and double quotes.
pub fn tokenize(line: &str) -> Result<Vec<String>, ParseError> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return Err(ParseError::UnclosedQuote);
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

/// Finds a command by its name or one of its aliases (case-insensitive).
pub fn spec(word: &str) -> Option<&'static Spec> {
    let w = word.to_lowercase();
    SPECS
        .iter()
        .find(|s| s.name == w || s.aliases.contains(&w.as_str()))
}

/// Parses a palette line.
pub fn parse_line(line: &str) -> Result<Command, ParseError> {
    parse(&tokenize(line)?)
}

/// Parses words (from the palette after [`tokenize`], or from the command line).
pub fn parse<S: AsRef<str>>(words: &[S]) -> Result<Command, ParseError> {
    let Some(first) = words.first() else {
        return Err(ParseError::Empty);
    };
    let first = first.as_ref();
    let Some(spec) = spec(first) else {
        let names = SPECS
            .iter()
            .flat_map(|s| std::iter::once(s.name).chain(s.aliases.iter().copied()));
        // Suggest the command's own name, even when the word was closest to an alias.
        let suggestion = crate::suggest::closest(first, names)
            .and_then(|n| spec(&n))
            .map(|s| s.name.to_string());
        return Err(ParseError::Unknown {
            word: first.to_string(),
            suggestion,
        });
    };
    let rest: Vec<&str> = words[1..].iter().map(AsRef::as_ref).collect();
    let name = spec.name;
    let missing = |arg: &str| ParseError::Missing {
        command: name.into(),
        arg: arg.into(),
        usage: usage(spec),
    };
    let extra = |extra: &[&str]| ParseError::Extra {
        command: name.into(),
        extra: extra.join(" "),
        usage: usage(spec),
    };
    let no_args = |cmd: Command| {
        if rest.is_empty() {
            Ok(cmd)
        } else {
            Err(extra(&rest))
        }
    };
    match name {
        "nodes" => no_args(Command::Nodes),
        "services" => no_args(Command::Services),
        "workloads" => no_args(Command::Workloads),
        "secrets" => no_args(Command::Act(Action::KubeList("secrets".into()))),
        "images" => no_args(Command::Images),
        "quit" => no_args(Command::Quit),
        "history" => no_args(Command::History),
        "stacks" => no_args(Command::Stacks),
        "labs" => no_args(Command::Labs),
        "snap" => parse_snap(&rest, &missing, &extra).map(Command::Snap),
        "certs" => certs::parse(&rest, &missing, &extra).map(Command::Certs),
        "edit" => match rest.as_slice() {
            [] => Err(missing("FILE|STACK")),
            [t] => Ok(Command::Edit {
                target: t.to_string(),
                stack: None,
            }),
            [t, st] => Ok(Command::Edit {
                target: t.to_string(),
                stack: Some(st.to_string()),
            }),
            [_, _, more @ ..] => Err(extra(more)),
        },
        "lab" => match rest.as_slice() {
            [] => Err(missing("NAME|next|prev|close|init")),
            ["next" | "siguiente"] => Ok(Command::Lab(LabCommand::Next)),
            ["prev" | "anterior"] => Ok(Command::Lab(LabCommand::Prev)),
            ["close" | "cerrar"] => Ok(Command::Lab(LabCommand::Close)),
            ["init"] => Err(missing("NAME")),
            ["init", n] => Ok(Command::Lab(LabCommand::Init {
                name: n.to_string(),
                dir: None,
            })),
            ["init", n, d] => Ok(Command::Lab(LabCommand::Init {
                name: n.to_string(),
                dir: Some(d.to_string()),
            })),
            [n] => Ok(Command::Lab(LabCommand::Open(n.to_string()))),
            [_, more @ ..] => Err(extra(more)),
        },
        "scale" | "image" | "rollback" | "restart" | "tag" | "push" | "rmi" | "label"
        | "unlabel" | "drain" | "activate" | "pause" | "promote" | "demote" | "swarm"
        | "deploy" | "diff" | "rm-stack" | "secret" | "config" | "ctx" | "ns" | "apply"
        | "delete" => actions::parse(name, &rest, &missing, &extra).map(Command::Act),
        "tasks" => match rest.as_slice() {
            [] => Err(missing("SERVICE")),
            [service] => Ok(Command::Tasks {
                service: service.to_string(),
            }),
            [_, more @ ..] => Err(extra(more)),
        },
        "logs" => parse_logs(&rest, &missing, &extra),
        "filter" => Ok(Command::Filter(rest.join(" "))),
        "theme" => match rest.as_slice() {
            [] => Err(missing("NAME")),
            [t] => Ok(Command::Theme(t.to_string())),
            [_, more @ ..] => Err(extra(more)),
        },
        "lang" => match rest.as_slice() {
            [] => Err(missing("es|en")),
            [l] => Lang::parse(l)
                .map(Command::Lang)
                .ok_or_else(|| ParseError::BadValue {
                    command: name.into(),
                    arg: "es|en".into(),
                    value: l.to_string(),
                }),
            [_, more @ ..] => Err(extra(more)),
        },
        "help" => match rest.as_slice() {
            [] => Ok(Command::Help(None)),
            [c] => match spec_name(c) {
                Some(n) => Ok(Command::Help(Some(n.to_string()))),
                None => Err(ParseError::Unknown {
                    word: c.to_string(),
                    suggestion: crate::suggest::closest(c, SPECS.iter().map(|s| s.name)),
                }),
            },
            [_, more @ ..] => Err(extra(more)),
        },
        _ => Err(ParseError::Unknown {
            word: first.to_string(),
            suggestion: None,
        }),
    }
}

fn spec_name(word: &str) -> Option<&'static str> {
    spec(word).map(|s| s.name)
}

fn parse_logs(
    rest: &[&str],
    missing: &dyn Fn(&str) -> ParseError,
    extra: &dyn Fn(&[&str]) -> ParseError,
) -> Result<Command, ParseError> {
    let mut target = None;
    let mut tail = None;
    let mut follow = false;
    let mut i = 0;
    while i < rest.len() {
        let w = rest[i];
        let tail_value = if w == "--tail" || w == "-n" {
            i += 1;
            Some(rest.get(i).copied().ok_or_else(|| missing("N"))?)
        } else {
            w.strip_prefix("--tail=")
        };
        if let Some(v) = tail_value {
            tail = Some(v.parse::<usize>().map_err(|_| ParseError::BadValue {
                command: "logs".into(),
                arg: "--tail".into(),
                value: v.to_string(),
            })?);
        } else if w == "-f" || w == "--follow" {
            follow = true;
        } else if target.is_none() && !w.starts_with('-') {
            target = Some(w.to_string());
        } else {
            return Err(extra(&rest[i..]));
        }
        i += 1;
    }
    let target = target.ok_or_else(|| missing("SERVICE|TASK"))?;
    Ok(Command::Logs {
        target,
        tail,
        follow,
    })
}

fn parse_snap(
    rest: &[&str],
    missing: &dyn Fn(&str) -> ParseError,
    extra: &dyn Fn(&[&str]) -> ParseError,
) -> Result<Snap, ParseError> {
    let bad = |arg: &str, value: &str| ParseError::BadValue {
        command: "snap".into(),
        arg: arg.into(),
        value: value.into(),
    };
    let mut snap = Snap {
        what: SnapWhat::Focused,
        name: None,
        out: None,
        size: None,
        scale: None,
    };
    let mut what_given = false;
    let mut words = Words::new(rest, missing);
    while let Some(flag) = words.next_word() {
        let w = flag;
        match flag {
            "--pane" | "-p" => {
                let v = words.value("PANE")?;
                snap.what = SnapWhat::parse(&v).ok_or_else(|| bad("--pane", &v))?;
                what_given = true;
            }
            "--out" | "-o" => snap.out = Some(words.value("FILE")?),
            "--size" => {
                let v = words.value("WxH")?;
                let size = v
                    .split_once(['x', 'X'])
                    .and_then(|(w, h)| Some((w.parse::<u16>().ok()?, h.parse::<u16>().ok()?)))
                    .filter(|(w, h)| (20..=1000).contains(w) && (5..=500).contains(h));
                snap.size = Some(size.ok_or_else(|| bad("--size", &v))?);
            }
            "--scale" => {
                let v = words.value("N")?;
                let n = v.parse::<u32>().ok().filter(|n| (1..=4).contains(n));
                snap.scale = Some(n.ok_or_else(|| bad("--scale", &v))?);
            }
            f if f.starts_with('-') && f.len() > 1 => return Err(extra(words.left())),
            _ => match SnapWhat::parse(w) {
                Some(what) if !what_given && snap.name.is_none() => {
                    snap.what = what;
                    what_given = true;
                }
                _ if snap.name.is_none() => snap.name = Some(w.to_string()),
                _ => return Err(extra(words.left())),
            },
        }
    }
    Ok(snap)
}

/// Walks the words of a command with options: `--flag value`, `--flag=value` and plain words.
pub(crate) struct Words<'a, 'm> {
    rest: &'a [&'a str],
    /// The word being looked at (one past it before the first).
    at: usize,
    inline: Option<&'a str>,
    missing: &'m dyn Fn(&str) -> ParseError,
}

impl<'a, 'm> Words<'a, 'm> {
    pub(crate) fn new(rest: &'a [&'a str], missing: &'m dyn Fn(&str) -> ParseError) -> Self {
        Words {
            rest,
            at: usize::MAX,
            inline: None,
            missing,
        }
    }

    /// The next flag (without its `=value`) or plain word.
    pub(crate) fn next_word(&mut self) -> Option<&'a str> {
        self.at = self.at.wrapping_add(1);
        let w = *self.rest.get(self.at)?;
        match w.split_once('=') {
            Some((f, v)) if f.starts_with("--") => {
                self.inline = Some(v);
                Some(f)
            }
            _ => {
                self.inline = None;
                Some(w)
            }
        }
    }

    /// The current flag's value: after its `=`, or the next word.
    pub(crate) fn value(&mut self, arg: &str) -> Result<String, ParseError> {
        if let Some(v) = self.inline.take() {
            return Ok(v.to_string());
        }
        self.at += 1;
        self.rest
            .get(self.at)
            .map(|v| v.to_string())
            .ok_or_else(|| (self.missing)(arg))
    }

    /// The words from the current one on (for "unexpected words" errors).
    pub(crate) fn left(&self) -> &'a [&'a str] {
        &self.rest[self.at.min(self.rest.len())..]
    }
}

/// `name usage`, e.g. `logs SERVICE|TASK [--tail N] [--follow]`.
pub fn usage(spec: &Spec) -> String {
    if spec.usage.is_empty() {
        spec.name.to_string()
    } else {
        format!("{} {}", spec.name, spec.usage)
    }
}

/// Help lines: every command, or one with its aliases.
pub fn help_lines(only: Option<&str>) -> Vec<(String, String)> {
    SPECS
        .iter()
        .filter(|s| only.is_none_or(|o| s.name == o))
        .map(|s| {
            let mut desc = crate::i18n::text(s.help).to_string();
            if only.is_some() && !s.aliases.is_empty() {
                desc.push_str(&format!(
                    " ({}: {})",
                    tr!("help.aliases"),
                    s.aliases.join(", ")
                ));
            }
            (usage(s), desc)
        })
        .collect()
}

/// Completion candidates for the last word of `line`. `names` supplies the values of an argument kind.
pub fn complete(line: &str, names: &dyn Fn(ArgKind) -> Vec<String>) -> Vec<String> {
    let words = tokenize(line).unwrap_or_default();
    let ends_with_space = line.ends_with(char::is_whitespace) || line.is_empty();
    let (done, partial) = if ends_with_space {
        (words.as_slice(), "")
    } else {
        match words.split_last() {
            Some((last, done)) => (done, last.as_str()),
            None => (words.as_slice(), ""),
        }
    };
    let p = partial.to_lowercase();
    let candidates: Vec<String> = if done.is_empty() {
        let mut v: Vec<String> = SPECS.iter().map(|s| s.name.to_string()).collect();
        if !p.is_empty() {
            v.extend(
                SPECS
                    .iter()
                    .flat_map(|s| s.aliases.iter().map(|a| a.to_string())),
            );
        }
        v
    } else {
        let Some(spec) = spec(&done[0]) else {
            return vec![];
        };
        let idx = done.len() - 1;
        match spec.args.get(idx) {
            Some(ArgKind::Lang) => vec!["es".into(), "en".into()],
            Some(ArgKind::SwarmVerb) => vec!["init".into(), "join-token".into(), "leave".into()],
            Some(ArgKind::Lab) => crate::lab::names()
                .iter()
                .map(|n| n.to_string())
                .chain(["next", "prev", "close", "init"].map(String::from))
                .collect(),
            Some(ArgKind::Command) => SPECS.iter().map(|s| s.name.to_string()).collect(),
            Some(ArgKind::SnapTarget) => [
                "pane", "screen", "nodes", "services", "tasks", "images", "logs",
            ]
            .map(String::from)
            .to_vec(),
            Some(ArgKind::Text) | None => vec![],
            Some(kind) => names(*kind),
        }
    };
    let mut out: Vec<String> = candidates
        .into_iter()
        .filter(|c| c.to_lowercase().starts_with(&p))
        .collect();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Command, ParseError> {
        parse_line(s)
    }

    #[test]
    fn no_word_names_two_commands() {
        let mut seen = std::collections::HashMap::new();
        for s in SPECS {
            for w in std::iter::once(&s.name).chain(s.aliases.iter()) {
                if let Some(other) = seen.insert(*w, s.name) {
                    panic!("{w} names both {other} and {}", s.name);
                }
            }
        }
        assert!(matches!(
            p("deploy a.yml web"),
            Ok(Command::Act(Action::Deploy { .. }))
        ));
    }

    #[test]
    fn deploy_takes_the_docker_clis_resolve_image_and_a_timeout() {
        use crate::model::action::ResolveImage;
        assert_eq!(
            p("deploy a.yml web --resolve-image changed --timeout 1m30s"),
            Ok(Command::Act(Action::Deploy {
                files: vec!["a.yml".into()],
                stack: "web".into(),
                prune: false,
                detach: false,
                resolve: ResolveImage::Changed,
                timeout: 90,
            }))
        );
        assert!(matches!(
            p("diff -c a.yml --resolve-image=never web"),
            Ok(Command::Act(Action::Diff {
                resolve: ResolveImage::Never,
                ..
            }))
        ));
        assert!(matches!(
            p("deploy a.yml web"),
            Ok(Command::Act(Action::Deploy {
                resolve: ResolveImage::Always,
                timeout: crate::model::action::DEPLOY_TIMEOUT_SECS,
                ..
            }))
        ));
        for bad in [
            "deploy a.yml web --resolve-image sometimes",
            "deploy a.yml web --timeout soon",
            "deploy a.yml web --timeout 0s",
            "diff a.yml web --timeout 1m",
        ] {
            assert!(p(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn read_only_commands_parse() {
        assert_eq!(p("nodes"), Ok(Command::Nodes));
        assert_eq!(p("workloads"), Ok(Command::Workloads));
        assert_eq!(p("deployments"), Ok(Command::Workloads));
        assert_eq!(p("servicios"), Ok(Command::Services));
        assert_eq!(
            p("tasks gopenux_backend"),
            Ok(Command::Tasks {
                service: "gopenux_backend".into()
            })
        );
        assert_eq!(p("IMÁGENES"), Ok(Command::Images));
        assert_eq!(
            p("logs gopenux_backend --tail 20"),
            Ok(Command::Logs {
                target: "gopenux_backend".into(),
                tail: Some(20),
                follow: false
            })
        );
        assert_eq!(
            p("logs -f web.1"),
            Ok(Command::Logs {
                target: "web.1".into(),
                tail: None,
                follow: true
            })
        );
        assert_eq!(p("filter back end"), Ok(Command::Filter("back end".into())));
        assert_eq!(p("filter 'a  b'"), Ok(Command::Filter("a  b".into())));
        assert_eq!(p("tema light"), Ok(Command::Theme("light".into())));
        assert_eq!(p("idioma es"), Ok(Command::Lang(Lang::Es)));
        assert_eq!(p("help logs"), Ok(Command::Help(Some("logs".into()))));
        assert_eq!(p("ayuda registros"), Ok(Command::Help(Some("logs".into()))));
        assert_eq!(p("salir"), Ok(Command::Quit));
    }

    #[test]
    fn mistakes_are_named() {
        assert!(matches!(p(""), Err(ParseError::Empty)));
        assert_eq!(
            p("nodez"),
            Err(ParseError::Unknown {
                word: "nodez".into(),
                suggestion: Some("nodes".into())
            })
        );
        assert!(matches!(p("tasks"), Err(ParseError::Missing { .. })));
        assert!(matches!(p("tasks a b"), Err(ParseError::Extra { extra, .. }) if extra == "b"));
        assert!(
            matches!(p("logs web --tail lots"), Err(ParseError::BadValue { value, .. }) if value == "lots")
        );
        assert!(matches!(
            p("logs web --tail"),
            Err(ParseError::Missing { .. })
        ));
        assert!(matches!(p("lang fr"), Err(ParseError::BadValue { .. })));
        assert!(matches!(p("nodes extra"), Err(ParseError::Extra { .. })));
        assert!(matches!(p("filter \"open"), Err(ParseError::UnclosedQuote)));
    }

    #[test]
    fn error_messages_name_the_problem() {
        crate::i18n::set_lang(Lang::En);
        let e = p("nodez").unwrap_err().to_string();
        assert!(e.contains("nodez") && e.contains("nodes"), "{e}");
        let e = p("logs web --tail lots").unwrap_err().to_string();
        assert!(e.contains("lots") && e.contains("--tail"), "{e}");
    }

    #[test]
    fn snap_takes_a_target_a_name_and_options() {
        use crate::model::Pane;
        let snap = |s: &str| match p(s) {
            Ok(Command::Snap(x)) => x,
            other => panic!("{s}: {other:?}"),
        };
        let s = snap("snap");
        assert_eq!((s.what, s.name), (SnapWhat::Focused, None));
        let s = snap("captura pantalla 7-escalar-backend");
        assert_eq!(s.what, SnapWhat::Screen);
        assert_eq!(s.name.as_deref(), Some("7-escalar-backend"));
        let s = snap("snap servicios");
        assert_eq!(s.what, SnapWhat::Pane(Pane::Services));
        let s = snap("snap --pane logs --out a.png --size 120x40 --scale=2");
        assert_eq!(s.what, SnapWhat::Pane(Pane::Logs));
        assert_eq!(s.out.as_deref(), Some("a.png"));
        assert_eq!((s.size, s.scale), (Some((120, 40)), Some(2)));
        // A name that is also a pane's name, after the target: a name.
        assert_eq!(snap("snap pane nodes").name.as_deref(), Some("nodes"));
        let e = p("snap --size 5x5").unwrap_err().to_string();
        assert!(e.contains("--size") && e.contains("5x5"), "{e}");
        assert!(p("snap --scale 9").is_err());
        assert!(p("snap --pane nowhere").is_err());
        assert!(p("snap a b").is_err());
        assert!(p("snap --out").is_err());
    }

    #[test]
    fn completion_offers_commands_then_names() {
        let names = |k: ArgKind| match k {
            ArgKind::Service | ArgKind::ServiceOrTask => {
                vec!["gopenux_backend".to_string(), "gopenux_frontend".into()]
            }
            ArgKind::Theme => vec!["dark".into(), "light".into()],
            _ => vec![],
        };
        assert_eq!(complete("no", &names), vec!["nodes", "nodos", "node"]);
        assert_eq!(complete("logs gopenux_b", &names), vec!["gopenux_backend"]);
        assert_eq!(complete("tasks ", &names).len(), 2);
        assert_eq!(complete("theme l", &names), vec!["light"]);
        assert_eq!(complete("lang ", &names), vec!["es", "en"]);
        assert!(complete("quit ", &names).is_empty());
        assert!(complete("", &names).contains(&"help".to_string()));
    }

    #[test]
    fn every_spec_has_help() {
        for s in SPECS {
            assert_ne!(
                crate::i18n::text(s.help),
                s.help,
                "no catalog text for {}",
                s.name
            );
        }
    }
}
