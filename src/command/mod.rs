//! The one command grammar. The `:` palette, the keymap and the command line all produce a
//! [`Command`] through [`parse`]; help text, completion and Spanish aliases live here too.

pub mod actions;
mod args;
mod build;
mod certs;
mod complete;
mod compose;
mod grammar;
pub mod help;
mod kube;
mod parse;
mod table;

pub use args::{Args, ParseError, Parser, Spec, Words, usage};
pub use complete::complete;
pub use grammar::{parse, parse_line, tokenize};
pub use help::help_lines;
pub use table::{SPECS, spec};

use crate::i18n::Lang;
use crate::model::action::Action;

/// What `pf` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forward {
    Start(crate::model::forward::ForwardSpec),
    List,
    /// One (by its number), or all.
    Stop(Option<u64>),
}

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
    /// Every task or pod of the scope (`pods`), of every namespace with `-A`.
    Pods {
        all_namespaces: bool,
    },
    /// Port-forwards (`pf pod/web 8080:8000`, `pf` lists them, `pf stop [N]`).
    Forward(Forward),
    /// Any Kubernetes kind the server serves, as it prints it (`get crd`, or `:crd` in the
    /// console), of every namespace with `-A`.
    Get {
        kind: String,
        all_namespaces: bool,
    },
    Images,
    Logs {
        target: String,
        req: LogRequest,
    },
    /// A shell (or a command) in a task's container, in this terminal.
    Exec {
        /// The task or container; none: the selected one.
        target: Option<String>,
        /// Which of a pod's containers (`-c`).
        container: Option<String>,
        cmd: Vec<String>,
    },
    /// Live CPU, memory, network and block I/O of a service's running tasks (all services'
    /// without one), as `docker stats`; `no_stream`: one sample and done.
    Stats {
        service: Option<String>,
        no_stream: bool,
    },
    /// `logs save FILE`: what the logs pane holds, as text.
    LogsSave(String),
    /// `logs filter TEXT|re:REGEX`: only the lines that match (empty: all).
    LogsFilter(String),
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
    /// The cluster's events since a moment; `follow` keeps printing (console: the events view).
    Events {
        since: crate::model::events::Since,
        follow: bool,
    },
    /// A view in a pane's place: networks, volumes, secrets or configs.
    View(crate::model::listing::ViewKind),
    /// Look at one object; `out` also writes it to a file.
    Inspect {
        kind: Option<crate::model::inspect::Kind>,
        name: String,
        show_secrets: bool,
        out: Option<String>,
    },
    /// The lab presets.
    Labs,
    /// Open a compose file in the editor: a file (and stack), or the file a stack was deployed from.
    Edit {
        target: String,
        stack: Option<String>,
    },
    Lab(LabCommand),
    /// The students of a class file, one row each: on screen, as a table, or (`report`) one
    /// HTML page (`out`, else `class.html` beside the class file).
    Class {
        file: String,
        report: bool,
        out: Option<String>,
    },
    /// Save an evidence screenshot.
    Snap(Snap),
    Certs(CertsCommand),
}

/// `logs` flags, as the docker CLI and kubectl take them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogRequest {
    pub tail: Option<usize>,
    pub follow: bool,
    pub since: Option<crate::model::events::Since>,
    pub until: Option<crate::model::events::Since>,
    /// Kubernetes: the previous container's logs.
    pub previous: bool,
    /// Kubernetes: which container of the pod.
    pub container: Option<String>,
    /// Kubernetes: every container (`--all-containers`).
    pub all_containers: bool,
}

impl LogRequest {
    /// The options for the backend, times made absolute at `now`; `tail` when none was given.
    pub fn options(&self, now: i64, tail: usize) -> crate::model::LogOptions {
        crate::model::LogOptions {
            tail: self.tail.unwrap_or(tail),
            // Logs up to a past moment have an end: nothing to follow.
            follow: self.follow && self.until.is_none(),
            since: self.since.map(|s| s.at(now)),
            until: self.until.map(|s| s.at(now)),
            previous: self.previous,
            all_containers: self.all_containers,
            container: self.container.clone(),
        }
    }
}

impl Command {
    /// The word a command that works only in the console is named by, `None` for the rest.
    pub fn console_only(&self) -> Option<&'static str> {
        Some(match self {
            Command::LogsSave(_) | Command::LogsFilter(_) => "logs save/filter",
            Command::Filter(_) => "filter",
            Command::Theme(_) => "theme",
            Command::Lang(_) => "lang",
            Command::Quit => "quit",
            Command::History => "history",
            Command::Edit { .. } => "edit",
            Command::Lab(LabCommand::Next | LabCommand::Prev | LabCommand::Close) => {
                "lab next/prev/close"
            }
            _ => return None,
        })
    }

    /// `lab check` and `lab report`: lab commands that look at the cluster.
    pub fn is_lab_assessment(&self) -> bool {
        matches!(
            self,
            Command::Lab(LabCommand::Check(_) | LabCommand::Report { .. } | LabCommand::Solve(_))
        )
    }
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
    /// Check every step against the cluster (default: the lab in this folder).
    Check(Option<String>),
    /// Write the hand-in: evidencias/index.html and README.md.
    Report {
        name: Option<String>,
        student: Option<String>,
    },
    /// Carry out the reference solution: one step, or every step not done yet.
    Solve(Option<String>),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Command, ParseError> {
        parse_line(s)
    }

    #[test]
    fn exec_and_stats_take_their_words() {
        assert_eq!(
            p("exec web-1 -c sidecar -- sh -c true"),
            Ok(Command::Exec {
                target: Some("web-1".into()),
                container: Some("sidecar".into()),
                cmd: vec!["sh".into(), "-c".into(), "true".into()],
            })
        );
        assert!(matches!(
            p("exec web-1 -c"),
            Err(ParseError::Missing { .. })
        ));
        assert_eq!(
            p("stats api --no-stream"),
            Ok(Command::Stats {
                service: Some("api".into()),
                no_stream: true
            })
        );
        assert!(matches!(p("stats a b"), Err(ParseError::Extra { .. })));
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
                req: LogRequest {
                    tail: Some(20),
                    ..Default::default()
                }
            })
        );
        assert_eq!(
            p("logs -f web.1"),
            Ok(Command::Logs {
                target: "web.1".into(),
                req: LogRequest {
                    follow: true,
                    ..Default::default()
                }
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

    #[test]
    fn every_row_parses_its_own_name_and_aliases() {
        for s in SPECS {
            for word in std::iter::once(s.name).chain(s.aliases.iter().copied()) {
                let parsed = parse(&[word]);
                assert!(
                    !matches!(parsed, Err(ParseError::Unknown { .. })),
                    "{word}: {parsed:?}"
                );
                // Errors name the command by its own name, whatever word was typed.
                for words in [vec![word], vec![word, "x", "y", "z", "w"]] {
                    if let Err(
                        ParseError::Missing { command, .. } | ParseError::Extra { command, .. },
                    ) = parse(&words)
                    {
                        assert_eq!(command, s.name, "{words:?}");
                    }
                }
            }
        }
    }
}
