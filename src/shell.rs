//! The shell around estiba: `estiba completions bash|zsh|fish` prints a script that asks
//! `estiba __complete WORDS…` for candidates (commands, flags, and the live names of services,
//! tasks, nodes and images when the engine answers within a second), and `estiba man` prints
//! the manual page (clap_mangen, with the commands grouped as in `estiba help`).

use crate::command::{ArgKind, SPECS};

const BASH: &str = r#"# estiba completion for bash: source it, or put it in /usr/share/bash-completion/completions/estiba
_estiba() {
    local IFS=$'\n'
    COMPREPLY=($(estiba __complete "${COMP_WORDS[@]:1:$COMP_CWORD}" 2>/dev/null))
}
complete -o default -F _estiba estiba
"#;

const ZSH: &str = r#"#compdef estiba
# estiba completion for zsh: put it as _estiba in a folder of your $fpath
_estiba() {
    local -a found
    found=("${(@f)$(estiba __complete "${(@)words[2,$CURRENT]}" 2>/dev/null)}")
    compadd -a found
}
if [ "$funcstack[1]" = "_estiba" ]; then
    _estiba "$@"
else
    compdef _estiba estiba
fi
"#;

const FISH: &str = r#"# estiba completion for fish: put it in ~/.config/fish/completions/estiba.fish
complete -c estiba -f -a '(estiba __complete (commandline -opc)[2..-1] (commandline -ct))'
"#;

/// The completion script for `shell`, or `None` for a shell estiba does not know.
pub fn script(shell: &str) -> Option<&'static str> {
    Some(match shell {
        "bash" => BASH,
        "zsh" => ZSH,
        "fish" => FISH,
        _ => return None,
    })
}

/// The flags a word may be completed to (`--he` → `--help`).
fn flags() -> Vec<String> {
    let cmd = crate::cli::command();
    cmd.get_arguments()
        .flat_map(|a| {
            let long = a.get_long().map(|l| format!("--{l}"));
            let short = a.get_short().map(|s| format!("-{s}"));
            long.into_iter().chain(short)
        })
        .collect()
}

/// A flag that takes the next word as its value, and the values it offers.
fn flag_values(flag: &str) -> Option<Vec<String>> {
    let of = |v: &[&str]| Some(v.iter().map(|s| s.to_string()).collect());
    match flag {
        "--lang" => of(&["es", "en"]),
        "-o" | "--output" => of(&["table", "json"]),
        "--theme" => Some(
            crate::ui::theme::names()
                .iter()
                .map(|s| s.to_string())
                .collect(),
        ),
        "--lab" => Some(crate::lab::names().iter().map(|s| s.to_string()).collect()),
        "-H" | "--host" | "--context" | "--kubeconfig" | "--config" | "--evidence-dir" => {
            Some(vec![])
        }
        _ => None,
    }
}

/// What the word being typed (the last of `words`) may become. `names` gives the live names of
/// an argument kind (asked only when one is wanted).
pub fn complete(words: &[String], names: &dyn Fn(ArgKind) -> Vec<String>) -> Vec<String> {
    let (partial, before) = match words.split_last() {
        Some((last, before)) => (last.as_str(), before),
        None => ("", &[][..]),
    };
    if let Some(values) = before.last().and_then(|f| flag_values(f)) {
        return values
            .into_iter()
            .filter(|v| v.starts_with(partial))
            .collect();
    }
    if partial.starts_with('-') {
        return flags()
            .into_iter()
            .filter(|f| f.starts_with(partial))
            .collect();
    }
    // The command's words: the flags and their values left out.
    let mut command: Vec<&str> = vec![];
    let mut skip = false;
    for w in before {
        if skip {
            skip = false;
        } else if w.starts_with('-') && command.is_empty() {
            skip = flag_values(w).is_some() && !w.contains('=');
        } else {
            command.push(w);
        }
    }
    if command.is_empty() {
        // The first word: a command the command line runs (not the console's own).
        let mut out: Vec<String> = SPECS
            .iter()
            .map(|s| s.name)
            .filter(|n| !crate::command::help::console_only(n))
            .chain(["completions", "man"])
            .filter(|n| n.starts_with(partial))
            .map(String::from)
            .collect();
        out.sort();
        return out;
    }
    if command == ["completions"] {
        return ["bash", "zsh", "fish"]
            .into_iter()
            .filter(|s| s.starts_with(partial))
            .map(String::from)
            .collect();
    }
    let line = format!("{} {partial}", command.join(" "));
    crate::command::complete(&line, names)
}

/// The manual page in roff: clap's sections, then the commands by group.
pub fn man() -> String {
    let cmd = crate::cli::command();
    let page = clap_mangen::Man::new(cmd.clone());
    let mut out = Vec::new();
    let _ = page.render_title(&mut out);
    let _ = page.render_name_section(&mut out);
    let _ = page.render_synopsis_section(&mut out);
    let _ = page.render_description_section(&mut out);
    let _ = page.render_options_section(&mut out);
    // clap_mangen writes its section names in English: the catalog's instead.
    let mut text = String::from_utf8_lossy(&out)
        .lines()
        .map(|l| match l {
            ".SH NAME" => format!(".SH {}", crate::tr!("man.name").to_uppercase()),
            ".SH SYNOPSIS" => format!(".SH {}", crate::tr!("man.synopsis").to_uppercase()),
            ".SH DESCRIPTION" => format!(".SH {}", crate::tr!("man.description").to_uppercase()),
            ".SH OPTIONS" => format!(".SH {}", crate::tr!("cli.options_heading").to_uppercase()),
            l => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    text.push('\n');
    let roff = |s: &str| s.replace('\\', "\\\\").replace('-', "\\-");
    text.push_str(&format!(
        ".SH {}\n",
        crate::tr!("man.commands").to_uppercase()
    ));
    for (group, rows) in crate::command::help::grouped() {
        text.push_str(&format!(".SS {}\n", roff(&group.title())));
        let prefix = if group == crate::command::help::Group::Console {
            ":"
        } else {
            "estiba "
        };
        for (usage, desc) in rows {
            text.push_str(&format!(
                ".TP\n\\fB{}\\fR\n{}\n",
                roff(&format!("{prefix}{usage}")),
                roff(&desc)
            ));
        }
    }
    text.push_str(&format!(
        ".SH {}\n.TP\n\\fBestiba completions bash|zsh|fish\\fR\n{}\n.TP\n\\fBestiba man\\fR\n{}\n",
        crate::tr!("man.shell").to_uppercase(),
        roff(&crate::tr!("man.completions")),
        roff(&crate::tr!("man.man"))
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(line: &str) -> Vec<String> {
        let mut words: Vec<String> = line.split(' ').map(String::from).collect();
        if line.is_empty() {
            words = vec![String::new()];
        }
        complete(&words, &|k| match k {
            ArgKind::Service | ArgKind::ServiceOrTask => vec!["gopenux_backend".into()],
            ArgKind::Node => vec!["manager1".into()],
            _ => vec![],
        })
    }

    #[test]
    fn commands_flags_values_and_live_names() {
        let first = c("");
        assert!(first.contains(&"scale".to_string()) && first.contains(&"completions".to_string()));
        assert!(
            !first.contains(&"theme".to_string()),
            "console-only offered: {first:?}"
        );
        assert_eq!(c("sc"), ["scale"]);
        assert!(c("--he").contains(&"--help".to_string()));
        assert_eq!(c("--lang e"), ["es", "en"]);
        assert_eq!(c("-o j"), ["json"]);
        assert_eq!(c("scale gop"), ["gopenux_backend"]);
        assert_eq!(c("--demo -H unix:///x scale gop"), ["gopenux_backend"]);
        assert_eq!(c("drain man"), ["manager1"]);
        assert_eq!(c("completions f"), ["fish"]);
        for sh in ["bash", "zsh", "fish"] {
            assert!(script(sh).unwrap().contains("estiba __complete"));
        }
        assert!(script("tcsh").is_none());
    }
}
