//! Command-line flags. The words after the flags are a command of the one grammar
//! (`estiba scale gopenux_backend 5`): they are parsed by `command::parse`, not by clap.

use clap::{Arg, ArgAction, CommandFactory, FromArgMatches, Parser};
use std::path::PathBuf;

pub use crate::output::Output;

/// The flags' help is the catalog's (`flag.*`), in the user's language; these doc comments are
/// for the code only.
#[derive(Debug, Parser, Default)]
#[command(name = "estiba", version)]
pub struct Cli {
    /// Engine address (unix:///path, tcp://host:port or ssh://[user@]host[:port]), as docker -H
    #[arg(short = 'H', long)]
    pub host: Option<String>,
    /// Docker context (or, with --kube, Kubernetes context) to use
    #[arg(long)]
    pub context: Option<String>,
    /// Open a Kubernetes cluster (KUBECONFIG, ~/.kube/config, or in-cluster) instead of Docker
    #[arg(long)]
    pub kube: bool,
    /// The kubeconfig file to use (implies --kube)
    #[arg(long)]
    pub kubeconfig: Option<PathBuf>,
    /// Use the embedded demo cluster
    #[arg(long)]
    pub demo: bool,
    /// Colour theme: dark, light, high-contrast, ssh-16 (or a file in the config dir's themes/)
    #[arg(long)]
    pub theme: Option<String>,
    /// Interface language: es or en
    #[arg(long)]
    pub lang: Option<String>,
    /// How headless commands print their result
    #[arg(short = 'o', long, value_enum)]
    pub output: Option<Output>,
    /// Config file (default: config.toml in the platform config dir)
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Print the effective configuration and exit
    #[arg(long)]
    pub print_config: bool,
    /// Answer yes to confirmations (drain, demote, rmi, swarm leave, scale to 0)
    #[arg(short = 'y', long)]
    pub yes: bool,
    /// Refuse every command that changes something
    #[arg(long)]
    pub readonly: bool,
    /// Folder for evidence screenshots (default: evidencias)
    #[arg(long)]
    pub evidence_dir: Option<PathBuf>,
    /// Open the console with a lab beside the panes (a preset's name or a lab folder); with
    /// --demo, the demo cluster starts where the lab starts
    #[arg(long)]
    pub lab: Option<String>,
    /// A command to run headless (see `estiba help`); without one the console opens
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    pub command: Vec<String>,
}

/// Each flag's catalog key, by its id.
const FLAG_HELP: &[(&str, &str)] = &[
    ("host", "flag.host"),
    ("context", "flag.context"),
    ("kube", "flag.kube"),
    ("kubeconfig", "flag.kubeconfig"),
    ("demo", "flag.demo"),
    ("theme", "flag.theme"),
    ("lang", "flag.lang"),
    ("output", "flag.output"),
    ("config", "flag.config"),
    ("print_config", "flag.print_config"),
    ("yes", "flag.yes"),
    ("readonly", "flag.readonly"),
    ("evidence_dir", "flag.evidence_dir"),
    ("lab", "flag.lab"),
];

/// The language help is written in before the config is read: `--lang`, else the config
/// file's (`--config` or the usual one), else the environment's.
pub fn help_lang(args: &[String]) -> crate::i18n::Lang {
    let value = |flag: &str| {
        args.iter().enumerate().find_map(|(i, a)| {
            a.strip_prefix(&format!("{flag}="))
                .map(str::to_string)
                .or_else(|| (a == flag).then(|| args.get(i + 1).cloned()).flatten())
        })
    };
    if let Some(l) = value("--lang").and_then(|l| crate::i18n::Lang::parse(&l)) {
        return l;
    }
    let file = value("--config")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| crate::config::Dirs::detect().config_file());
    crate::config::Config::load(&file, false)
        .0
        .lang
        .unwrap_or_else(crate::i18n::Lang::from_env)
}

/// clap's command with every text from the catalog: the flags, the headings, and after the
/// options the commands grouped as the README groups them.
pub fn command() -> clap::Command {
    use crate::tr;
    let mut cmd = Cli::command()
        .disable_help_flag(true)
        .disable_version_flag(true)
        .about(tr!("cli.about"))
        .override_usage(tr!("cli.usage"))
        .help_template(format!(
            "{{about}}\n\n{}: {{usage}}\n\n{}:\n{{options}}{{after-help}}",
            tr!("cli.usage_heading"),
            tr!("cli.options_heading")
        ))
        .term_width(crate::output::help_width())
        .after_help(
            crate::output::commands_text(crate::output::help_width())
                .trim_start()
                .to_string(),
        )
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help(tr!("flag.help")),
        )
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help(tr!("flag.version")),
        )
        .mut_arg("command", |a| a.hide(true))
        // The flag's own text names its values in the user's language (clap's note is English).
        .mut_arg("output", |a| a.hide_possible_values(true));
    for (id, key) in FLAG_HELP {
        cmd = cmd.mut_arg(*id, |a| a.help(crate::i18n::text(key)));
    }
    cmd
}

/// clap's refusals in the user's language: a value it does not take or none given, a flag it
/// does not know, a flag given twice or with a value it takes none of, words that are not
/// UTF-8. `None` for help and version, which clap prints itself.
pub fn refusal(e: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let text = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join(", "),
        _ => String::new(),
    };
    let args: Vec<String> = std::env::args().collect();
    crate::i18n::set_lang(help_lang(&args));
    // clap names a flag with its placeholder ("--theme <THEME>"): the flag is what the user wrote.
    let flag = text(ContextKind::InvalidArg)
        .split(' ')
        .next()
        .unwrap_or_default()
        .to_string();
    Some(match e.kind() {
        ErrorKind::InvalidValue if text(ContextKind::InvalidValue).is_empty() => {
            crate::tr!("cli.flag_needs_value", flag = flag)
        }
        ErrorKind::InvalidValue => crate::tr!(
            "cli.bad_flag_value",
            flag = flag,
            value = text(ContextKind::InvalidValue),
            valid = text(ContextKind::ValidValue)
        ),
        ErrorKind::UnknownArgument => crate::tr!("cli.unknown_flag", flag = flag),
        ErrorKind::ArgumentConflict
            if text(ContextKind::PriorArg) == text(ContextKind::InvalidArg) =>
        {
            crate::tr!("cli.flag_twice", flag = flag)
        }
        ErrorKind::TooManyValues => crate::tr!(
            "cli.flag_takes_no_value",
            flag = flag,
            value = text(ContextKind::InvalidValue)
        ),
        ErrorKind::InvalidUtf8 => crate::tr!("cli.not_utf8"),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => return None,
        _ => crate::tr!("cli.refused"),
    })
}

impl Cli {
    /// Parses the process arguments. Global flags written after the command words
    /// (`estiba nodes --output json`) are taken out of the command and applied too.
    pub fn parse_args() -> Result<Cli, clap::Error> {
        Cli::from_words(
            std::env::args_os()
                .map(|a| a.to_string_lossy().to_string())
                .collect(),
        )
    }

    pub fn from_words(args: Vec<String>) -> Result<Cli, clap::Error> {
        let mut cli = if args.iter().any(|a| a == "--help" || a == "-h") {
            crate::i18n::set_lang(help_lang(&args));
            let matches = command().try_get_matches_from(&args)?;
            Cli::from_arg_matches(&matches)?
        } else {
            Cli::try_parse_from(&args)?
        };
        if cli.command.is_empty() {
            return Ok(cli);
        }
        let words = std::mem::take(&mut cli.command);
        let mut rest = Vec::new();
        let mut globals = vec![args.first().cloned().unwrap_or_else(|| "estiba".into())];
        let mut i = 0;
        while i < words.len() {
            let w = &words[i];
            let name = w.split('=').next().unwrap_or(w);
            let takes_value = matches!(
                name,
                "-H" | "--host"
                    | "--context"
                    | "--theme"
                    | "--lang"
                    | "-o"
                    | "--output"
                    | "--config"
                    | "--evidence-dir"
                    | "--kubeconfig"
                    | "--lab"
            );
            let flag = matches!(
                name,
                "--demo" | "--print-config" | "--yes" | "-y" | "--readonly" | "--kube"
            );
            if takes_value {
                globals.push(w.clone());
                if !w.contains('=') && i + 1 < words.len() {
                    i += 1;
                    globals.push(words[i].clone());
                }
            } else if flag {
                globals.push(w.clone());
            } else {
                rest.push(w.clone());
            }
            i += 1;
        }
        let extra = Cli::try_parse_from(&globals)?;
        cli.host = extra.host.or(cli.host);
        cli.context = extra.context.or(cli.context);
        cli.demo |= extra.demo;
        cli.print_config |= extra.print_config;
        cli.yes |= extra.yes;
        cli.readonly |= extra.readonly;
        cli.kube |= extra.kube;
        cli.kubeconfig = extra.kubeconfig.or(cli.kubeconfig);
        cli.theme = extra.theme.or(cli.theme);
        cli.lang = extra.lang.or(cli.lang);
        cli.output = extra.output.or(cli.output);
        cli.config = extra.config.or(cli.config);
        cli.evidence_dir = extra.evidence_dir.or(cli.evidence_dir);
        cli.lab = extra.lab.or(cli.lab);
        cli.command = rest;
        Ok(cli)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Cli {
        Cli::from_words(s.split_whitespace().map(String::from).collect()).unwrap()
    }

    #[test]
    fn flags_may_come_before_or_after_the_command() {
        let c = p("estiba nodes --output json");
        assert_eq!(c.command, ["nodes"]);
        assert_eq!(c.output, Some(Output::Json));
        let c = p("estiba --demo logs gopenux_backend --tail 20");
        assert!(c.demo);
        assert_eq!(c.command, ["logs", "gopenux_backend", "--tail", "20"]);
        let c = p("estiba tasks web -H unix:///tmp/x.sock");
        assert_eq!(c.host.as_deref(), Some("unix:///tmp/x.sock"));
        assert_eq!(c.command, ["tasks", "web"]);
        let c = p("estiba");
        assert!(c.command.is_empty());
    }

    #[test]
    fn bad_flag_values_are_clap_errors() {
        assert!(
            Cli::from_words(vec![
                "estiba".into(),
                "nodes".into(),
                "--output".into(),
                "yaml".into()
            ])
            .is_err()
        );
    }
}
