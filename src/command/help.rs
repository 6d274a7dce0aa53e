//! The help the command table gives: commands grouped as the README groups them, the ones that
//! work in the console only set apart, and usage and description laid in two columns that never
//! touch (a long usage puts its description on the lines below; a long description wraps in its
//! own column).

use super::args::localized;
use super::table::SPECS;
use super::{Spec, usage};
use crate::tr;
use unicode_width::UnicodeWidthStr;

/// The README's groups of commands, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Look,
    Change,
    Build,
    Stacks,
    Kube,
    Evidence,
    Labs,
    /// Commands that change the console itself: `:theme`, `:lang`, `:filter`...
    Console,
}

impl Group {
    pub const ALL: [Group; 8] = [
        Group::Look,
        Group::Change,
        Group::Build,
        Group::Stacks,
        Group::Kube,
        Group::Evidence,
        Group::Labs,
        Group::Console,
    ];

    pub fn title(self) -> String {
        crate::i18n::text(match self {
            Group::Look => "help.group_look",
            Group::Change => "help.group_change",
            Group::Build => "help.group_build",
            Group::Stacks => "help.group_stacks",
            Group::Kube => "help.group_kube",
            Group::Evidence => "help.group_evidence",
            Group::Labs => "help.group_labs",
            Group::Console => "help.group_console",
        })
        .to_string()
    }
}

/// The group a command belongs to.
pub fn group(name: &str) -> Group {
    match name {
        "network" | "volume" | "scale" | "image" | "rollback" | "restart" | "tag" | "push"
        | "rmi" | "label" | "unlabel" | "drain" | "activate" | "pause" | "promote" | "demote"
        | "swarm" | "secret" | "config" | "container" | "prune" => Group::Change,
        "build" | "compose" => Group::Build,
        "deploy" | "diff" | "stacks" | "rm-stack" => Group::Stacks,
        "apply" | "delete" | "ctx" | "port-forward" | "tree" | "trigger" | "get" | "ns" => {
            Group::Kube
        }
        "snap" | "certs" => Group::Evidence,
        "labs" | "class" | "lab" => Group::Labs,
        n if console_only(n) => Group::Console,
        _ => Group::Look,
    }
}

/// Whether a command works in the console only (it changes the console, not the cluster).
pub fn console_only(name: &str) -> bool {
    matches!(
        name,
        "filter" | "theme" | "lang" | "quit" | "edit" | "history"
    )
}

fn describe(s: &Spec, with_aliases: bool) -> String {
    let mut desc = crate::i18n::text(s.help).to_string();
    if with_aliases && !s.aliases.is_empty() {
        desc.push_str(&format!(
            " ({}: {})",
            tr!("help.aliases"),
            s.aliases.join(", ")
        ));
    }
    desc
}

/// In Spanish the list names each command's Spanish aliases too (`escalar`, `registros`...).
fn spanish() -> bool {
    crate::i18n::lang() == crate::i18n::Lang::Es
}

/// Help lines: every command, or one with its aliases.
pub fn help_lines(only: Option<&str>) -> Vec<(String, String)> {
    SPECS
        .iter()
        .filter(|s| only.is_none_or(|o| s.name == o))
        .map(|s| (localized(&usage(s)), describe(s, only.is_some())))
        .collect()
}

/// Every command by group, in the README's order: (group, [(usage, description)]).
pub fn grouped() -> Vec<(Group, Vec<(String, String)>)> {
    Group::ALL
        .iter()
        .map(|&g| {
            let rows = SPECS
                .iter()
                .filter(|s| group(s.name) == g)
                .map(|s| (localized(&usage(s)), describe(s, spanish())))
                .collect();
            (g, rows)
        })
        .collect()
}

/// `text` cut into lines of at most `width` columns, at spaces where it can.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(8);
    let mut lines = vec![];
    let mut line = String::new();
    for word in text.split_whitespace() {
        let needed = if line.is_empty() {
            word.width()
        } else {
            line.width() + 1 + word.width()
        };
        if needed > width && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        while line.width() > width {
            let cut: String = line
                .chars()
                .scan(0, |w, c| {
                    *w += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
                    (*w <= width).then_some(c)
                })
                .collect();
            let rest = line[cut.len()..].to_string();
            lines.push(cut);
            line = rest;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Rows of (left, right) laid in two columns in `width`: the left `left` columns wide, two
/// spaces, then the right wrapped in what is left. A left cell that does not fit takes a line of
/// its own and its right text starts on the next. Each returned line is (left cell, right text).
pub fn two_columns(rows: &[(String, String)], left: usize, width: usize) -> Vec<(String, String)> {
    let right_width = width.saturating_sub(left + 2).max(20);
    let mut out = vec![];
    for (l, r) in rows {
        let wrapped = wrap(r, right_width);
        let fits = l.width() <= left;
        let mut first = true;
        if !fits {
            for part in wrap(l, width.max(left)) {
                out.push((part, String::new()));
            }
        }
        for part in wrapped {
            let cell = if fits && first {
                format!("{l}{}", " ".repeat(left - l.width()))
            } else {
                " ".repeat(left)
            };
            out.push((cell, format!("  {part}")));
            first = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_never_touch() {
        let rows = vec![
            ("rm NAME".to_string(), "Create a network".to_string()),
            (
                "logs SERVICE [--tail N] [-f] | filter TEXT|re:REGEX".to_string(),
                "Follow the logs of a service or task, with a long description".to_string(),
            ),
        ];
        let lines = two_columns(&rows, 20, 50);
        assert_eq!(lines[0].0, format!("rm NAME{}", " ".repeat(13)));
        assert_eq!(lines[0].1, "  Create a network");
        // The long usage stands alone; its description starts below, in its column.
        assert_eq!(lines[1].1, "");
        // (wrapped itself, being wider than the whole).
        assert_eq!(lines[2], ("TEXT|re:REGEX".to_string(), String::new()));
        let desc: Vec<_> = lines.iter().skip(3).collect();
        assert_eq!(desc.len(), 3);
        assert!(
            desc.iter()
                .all(|(l, r)| l.trim().is_empty() && r.starts_with("  "))
        );
        assert!(
            lines
                .iter()
                .all(|(l, r)| l.width() + r.width() <= 50 || r.is_empty())
        );
    }

    #[test]
    fn every_command_is_in_a_group_and_the_console_ones_apart() {
        let all: usize = grouped().iter().map(|(_, rows)| rows.len()).sum();
        assert_eq!(all, SPECS.len());
        let console = grouped()
            .into_iter()
            .find(|(g, _)| *g == Group::Console)
            .unwrap()
            .1;
        let names: Vec<&str> = console
            .iter()
            .map(|(u, _)| u.split(' ').next().unwrap())
            .collect();
        assert_eq!(
            names,
            ["filter", "theme", "lang", "quit", "edit", "history"]
        );
    }
}
