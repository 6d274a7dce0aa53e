//! The command table: each command's name, Spanish aliases, usage, help and the kinds of its
//! arguments. The parser, the help and the completion read it.

use super::args::{Args, ParseError, Spec, usage};
use super::parse;
use super::{ArgKind, Command, actions, certs};
use crate::tr;

pub const SPECS: &[Spec] = &[
    Spec {
        name: "nodes",
        aliases: &["nodos", "node"],
        usage: "",
        help: "cmd.nodes",
        args: &[],
        parse: |a| a.none(Command::Nodes),
    },
    Spec {
        name: "services",
        aliases: &["servicios", "service", "svc", "ls"],
        usage: "",
        help: "cmd.services",
        args: &[],
        parse: |a| a.none(Command::Services),
    },
    Spec {
        name: "workloads",
        aliases: &["deployments", "despliegues"],
        usage: "",
        help: "cmd.workloads",
        args: &[],
        parse: |a| a.none(Command::Workloads),
    },
    Spec {
        name: "events",
        aliases: &["eventos"],
        usage: "[--since 10m|TIME] [-f]",
        help: "cmd.events",
        args: &[],
        parse: parse::events,
    },
    Spec {
        name: "network",
        aliases: &["red"],
        usage: "create NAME [--driver overlay] [--attachable] [--internal] | rm NAME",
        help: "cmd.network",
        args: &[ArgKind::Text],
        parse: actions::network_or_volume,
    },
    Spec {
        name: "volume",
        aliases: &["volumen"],
        usage: "rm NAME",
        help: "cmd.volume",
        args: &[ArgKind::Text],
        parse: actions::network_or_volume,
    },
    Spec {
        name: "networks",
        aliases: &["redes", "net"],
        usage: "",
        help: "cmd.networks",
        args: &[],
        parse: actions::view,
    },
    Spec {
        name: "volumes",
        aliases: &["volumenes", "volúmenes"],
        usage: "",
        help: "cmd.volumes",
        args: &[],
        parse: actions::view,
    },
    Spec {
        name: "secrets",
        aliases: &["secretos"],
        usage: "",
        help: "cmd.secrets",
        args: &[],
        parse: actions::view,
    },
    Spec {
        name: "configs",
        aliases: &["configuraciones", "configmaps"],
        usage: "",
        help: "cmd.configs",
        args: &[],
        parse: actions::view,
    },
    Spec {
        name: "exec",
        aliases: &["ejecutar", "shell"],
        usage: "TASK|CONTAINER|POD [-c CONTAINER] [-- CMD...]",
        help: "cmd.exec",
        args: &[ArgKind::ServiceOrTask],
        parse: parse::exec,
    },
    Spec {
        name: "stats",
        aliases: &["uso", "top"],
        usage: "[SERVICE] [--no-stream]",
        help: "cmd.stats",
        args: &[ArgKind::Service],
        parse: parse::stats,
    },
    Spec {
        name: "tasks",
        aliases: &["tareas", "ps"],
        usage: "SERVICE",
        help: "cmd.tasks",
        args: &[ArgKind::Service],
        parse: parse::tasks,
    },
    Spec {
        name: "images",
        aliases: &["imagenes", "imágenes", "image-ls"],
        usage: "",
        help: "cmd.images",
        args: &[],
        parse: |a| a.none(Command::Images),
    },
    Spec {
        name: "logs",
        aliases: &["registros", "log"],
        usage: "SERVICE|TASK [--tail N] [-f] [--since T] [--until T] [-p] [-c CONTAINER] | save FILE | filter TEXT|re:REGEX",
        help: "cmd.logs",
        args: &[ArgKind::ServiceOrTask],
        parse: parse::logs,
    },
    Spec {
        name: "inspect",
        aliases: &["inspeccionar", "describe", "describir"],
        usage: "[KIND] NAME [--show-secrets] [--out FILE]",
        help: "cmd.inspect",
        args: &[ArgKind::Text],
        parse: actions::inspect,
    },
    Spec {
        name: "filter",
        aliases: &["filtrar", "filtro"],
        usage: "TEXT",
        help: "cmd.filter",
        args: &[ArgKind::Text],
        parse: |a| Ok(Command::Filter(a.rest.join(" "))),
    },
    Spec {
        name: "theme",
        aliases: &["tema"],
        usage: "NAME",
        help: "cmd.theme",
        args: &[ArgKind::Theme],
        parse: parse::theme,
    },
    Spec {
        name: "lang",
        aliases: &["idioma", "language"],
        usage: "es|en",
        help: "cmd.lang",
        args: &[ArgKind::Lang],
        parse: parse::lang,
    },
    Spec {
        name: "help",
        aliases: &["ayuda", "?"],
        usage: "[COMMAND]",
        help: "cmd.help",
        args: &[ArgKind::Command],
        parse: help,
    },
    Spec {
        name: "quit",
        aliases: &["salir", "q", "exit"],
        usage: "",
        help: "cmd.quit",
        args: &[],
        parse: |a| a.none(Command::Quit),
    },
    Spec {
        name: "scale",
        aliases: &["escalar"],
        usage: "SERVICE N | SERVICE=N ...",
        help: "cmd.scale",
        args: &[ArgKind::Service],
        parse: actions::scale,
    },
    Spec {
        name: "image",
        aliases: &["imagen", "update-image"],
        usage: "SERVICE IMAGE [--no-resolve]",
        help: "cmd.image",
        args: &[ArgKind::Service, ArgKind::Image],
        parse: actions::image,
    },
    Spec {
        name: "rollback",
        aliases: &["revertir"],
        usage: "SERVICE",
        help: "cmd.rollback",
        args: &[ArgKind::Service],
        parse: actions::rollback,
    },
    Spec {
        name: "restart",
        aliases: &["reiniciar"],
        usage: "SERVICE",
        help: "cmd.restart",
        args: &[ArgKind::Service],
        parse: actions::restart,
    },
    Spec {
        name: "tag",
        aliases: &["etiquetar-imagen", "tagear"],
        usage: "SOURCE TARGET",
        help: "cmd.tag",
        args: &[ArgKind::Image, ArgKind::Image],
        parse: actions::tag,
    },
    Spec {
        name: "push",
        aliases: &["subir"],
        usage: "IMAGE",
        help: "cmd.push",
        args: &[ArgKind::Image],
        parse: actions::push,
    },
    Spec {
        name: "rmi",
        aliases: &["borrar-imagen"],
        usage: "IMAGE",
        help: "cmd.rmi",
        args: &[ArgKind::Image],
        parse: actions::rmi,
    },
    Spec {
        name: "label",
        aliases: &["etiquetar"],
        usage: "NODE key=value ...",
        help: "cmd.label",
        args: &[ArgKind::Node],
        parse: actions::label,
    },
    Spec {
        name: "unlabel",
        aliases: &["desetiquetar"],
        usage: "NODE KEY ...",
        help: "cmd.unlabel",
        args: &[ArgKind::Node],
        parse: actions::unlabel,
    },
    Spec {
        name: "drain",
        aliases: &["drenar"],
        usage: "NODE",
        help: "cmd.drain",
        args: &[ArgKind::Node],
        parse: actions::drain,
    },
    Spec {
        name: "activate",
        aliases: &["activar", "uncordon"],
        usage: "NODE",
        help: "cmd.activate",
        args: &[ArgKind::Node],
        parse: actions::activate,
    },
    Spec {
        name: "pause",
        aliases: &["pausar", "cordon", "acordonar"],
        usage: "NODE",
        help: "cmd.pause",
        args: &[ArgKind::Node],
        parse: actions::pause,
    },
    Spec {
        name: "promote",
        aliases: &["promover"],
        usage: "NODE",
        help: "cmd.promote",
        args: &[ArgKind::Node],
        parse: actions::promote,
    },
    Spec {
        name: "demote",
        aliases: &["degradar"],
        usage: "NODE",
        help: "cmd.demote",
        args: &[ArgKind::Node],
        parse: actions::demote,
    },
    Spec {
        name: "swarm",
        aliases: &[],
        usage: "init [--advertise-addr ADDR] | join-token worker|manager | leave [--force]",
        help: "cmd.swarm",
        args: &[ArgKind::SwarmVerb],
        parse: actions::swarm,
    },
    Spec {
        name: "build",
        aliases: &["construir"],
        usage: "[PATH] -t NAME[:TAG]... [-f FILE] [--target STAGE] [--build-arg K=V]... [--label K=V]... [--no-cache] [--pull]",
        help: "cmd.build",
        args: &[ArgKind::Text],
        parse: super::build::parse,
    },
    Spec {
        name: "compose",
        aliases: &[],
        usage: "[-f FILE]... [-p PROJECT] [--env-file FILE] [--profile P] up [-d] [--build]|down [-v] [--rmi local]|ps [-a]|logs [-f]|restart|stop|start|build [SERVICE...]",
        help: "cmd.compose",
        args: &[ArgKind::Text],
        parse: super::compose::parse,
    },
    Spec {
        name: "deploy",
        aliases: &["desplegar"],
        usage: "FILE STACK | -c FILE [-c FILE...] STACK [--prune] [--detach] [--resolve-image always|changed|never] [--timeout 3m]",
        help: "cmd.deploy",
        args: &[ArgKind::Text],
        parse: actions::deploy,
    },
    Spec {
        name: "diff",
        aliases: &["cambios", "preview"],
        usage: "FILE STACK | -c FILE [-c FILE...] STACK [--prune] [--resolve-image always|changed|never]",
        help: "cmd.diff",
        args: &[ArgKind::Text],
        parse: actions::deploy,
    },
    Spec {
        name: "stacks",
        aliases: &["stack-ls"],
        usage: "",
        help: "cmd.stacks",
        args: &[],
        parse: |a| a.none(Command::Stacks),
    },
    Spec {
        name: "rm-stack",
        aliases: &["borrar-stack", "stack-rm"],
        usage: "STACK",
        help: "cmd.rm_stack",
        args: &[ArgKind::Text],
        parse: actions::rm_stack,
    },
    Spec {
        name: "snap",
        aliases: &["captura", "evidencia"],
        usage: "[pane|screen|PANE] [NAME] [--out FILE.png|.svg|.txt] [--size WxH] [--scale N]",
        help: "cmd.snap",
        args: &[ArgKind::SnapTarget, ArgKind::Text],
        parse: parse::snap,
    },
    Spec {
        name: "certs",
        aliases: &["certificados", "cert"],
        usage: "[--domain D] [--san NAME]... [--org O] [--locality L] [--state S] [--country CC] [--key ecdsa|rsa2048|rsa4096] [--days N] [--ca-days N] [--self-signed] [--out DIR] [--force] | inspect FILE",
        help: "cmd.certs",
        args: &[ArgKind::Text],
        parse: certs::parse,
    },
    Spec {
        name: "secret",
        aliases: &["secreto"],
        usage: "create NAME FILE | create NAME --from-literal K=V --from-file F | rm NAME",
        help: "cmd.secret",
        args: &[ArgKind::Text],
        parse: actions::object,
    },
    Spec {
        name: "config",
        aliases: &[],
        usage: "create NAME FILE | rm NAME",
        help: "cmd.config_create",
        args: &[ArgKind::Text],
        parse: actions::object,
    },
    Spec {
        name: "apply",
        aliases: &["aplicar"],
        usage: "FILE|PRESET [--force-conflicts]",
        help: "cmd.apply",
        args: &[ArgKind::Text],
        parse: actions::apply,
    },
    Spec {
        name: "delete",
        aliases: &["borrar"],
        usage: "KIND/NAME",
        help: "cmd.delete",
        args: &[ArgKind::Text],
        parse: actions::delete,
    },
    Spec {
        name: "ctx",
        aliases: &["context", "contexto"],
        usage: "NAME",
        help: "cmd.ctx",
        args: &[ArgKind::Text],
        parse: actions::ctx,
    },
    Spec {
        name: "ns",
        aliases: &["namespace"],
        usage: "NAME|all",
        help: "cmd.ns",
        args: &[ArgKind::Text],
        parse: actions::ns,
    },
    Spec {
        name: "labs",
        aliases: &["laboratorios"],
        usage: "",
        help: "cmd.labs",
        args: &[],
        parse: |a| a.none(Command::Labs),
    },
    Spec {
        name: "lab",
        aliases: &["laboratorio"],
        usage: "NAME | next | prev | close | init NAME [DIR] | check [NAME] | report [NAME] [--student NAME]",
        help: "cmd.lab",
        args: &[ArgKind::Lab],
        parse: parse::lab,
    },
    Spec {
        name: "edit",
        aliases: &["editar"],
        usage: "FILE [STACK] | STACK",
        help: "cmd.edit",
        args: &[ArgKind::Text],
        parse: parse::edit,
    },
    Spec {
        name: "history",
        aliases: &["historial", "actividad"],
        usage: "",
        help: "cmd.history",
        args: &[],
        parse: |a| a.none(Command::History),
    },
];

/// Finds a command by its name or one of its aliases (case-insensitive).
pub fn spec(word: &str) -> Option<&'static Spec> {
    let w = word.to_lowercase();
    SPECS
        .iter()
        .find(|s| s.name == w || s.aliases.contains(&w.as_str()))
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

/// `help [COMMAND]`: a command named by its name or an alias.
fn help(a: &Args) -> Result<Command, ParseError> {
    match a.rest {
        [] => Ok(Command::Help(None)),
        [c] => match spec(c) {
            Some(s) => Ok(Command::Help(Some(s.name.to_string()))),
            None => Err(ParseError::Unknown {
                word: c.to_string(),
                suggestion: crate::suggest::closest(c, SPECS.iter().map(|s| s.name)),
            }),
        },
        [_, more @ ..] => Err(a.extra(more)),
    }
}
