//! Command-line flags. The words after the flags are a command of the one grammar
//! (`estiba scale gopenux_backend 5`): they are parsed by `command::parse`, not by clap.

use clap::Parser;
use std::path::PathBuf;

pub use crate::output::Output;

#[derive(Debug, Parser, Default)]
#[command(
    name = "estiba",
    version,
    about = "A terminal console for Docker Swarm, made for DevOps labs. Without COMMAND it opens the console.",
    after_help = "Commands: estiba help (nodes, services, tasks SERVICE, images, logs SERVICE|TASK [--tail N] [-f] ...)"
)]
pub struct Cli {
    /// Engine address (unix:///path or tcp://host:port), as docker -H
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
        let mut cli = Cli::try_parse_from(&args)?;
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
