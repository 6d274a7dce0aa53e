//! Actions run headless: asked first when disruptive (or `--yes`), progress on stderr (a live
//! block on a terminal, changed lines elsewhere), then the result and the docker command that
//! does the same.

use super::{Output, Permissions, RunError};
use crate::backend::Backend;
use crate::model::action::Progress;
use crate::tr;
use std::io::Write;

/// Prints progress messages. On a terminal a live block (a bar per layer) is redrawn in place;
/// elsewhere (logs, pipes) only its lines that changed stage are printed, as `docker push` does.
struct LiveBlock {
    terminal: bool,
    /// Lines of the live block on screen (terminal) or already printed (elsewhere).
    lines: Vec<String>,
}

impl LiveBlock {
    fn new(terminal: bool) -> LiveBlock {
        LiveBlock {
            terminal,
            lines: Vec::new(),
        }
    }

    fn show(&mut self, out: &mut impl Write, p: &Progress) -> std::io::Result<()> {
        let (body, live) = match p {
            Progress::Step(t) => (t.as_str(), None),
            Progress::Live { text, minor } => (text.as_str(), Some(*minor)),
        };
        match (live, self.terminal) {
            (None, _) => {
                self.lines.clear();
                writeln!(out, "{body}")
            }
            (Some(_), true) => {
                if !self.lines.is_empty() {
                    // Back to the block's first line, and clear to the end of the screen.
                    write!(out, "\x1b[{}F\x1b[J", self.lines.len())?;
                }
                writeln!(out, "{body}")?;
                self.lines = body.lines().map(str::to_string).collect();
                Ok(())
            }
            (Some(true), false) => Ok(()),
            (Some(false), false) => {
                for line in body.lines() {
                    if !self.lines.iter().any(|l| l == line) {
                        writeln!(out, "{line}")?;
                        self.lines.push(line.to_string());
                    }
                }
                Ok(())
            }
        }
    }
}

/// Runs an action: asks first when it is disruptive (or needs `--yes` without a terminal),
/// prints progress on stderr, then the result and the equivalent docker command.
pub(super) async fn act(
    backend: &Backend,
    action: crate::model::action::Action,
    output: Output,
    perms: Permissions,
) -> Result<(), RunError> {
    use std::io::IsTerminal;
    // On the command line a deploy goes ahead like `docker stack deploy` (`estiba diff` previews).
    let confirm = if matches!(action, crate::model::action::Action::Deploy { .. }) {
        None
    } else {
        action.confirmation()
    };
    if let Some(question) = confirm.filter(|_| !(perms.yes || (perms.readonly && action.mutates())))
    {
        if !std::io::stdin().is_terminal() {
            return Err(RunError::NeedsYes(action.cli(backend.is_kube())));
        }
        eprint!(
            "{} {}  {} ",
            crate::i18n::text(question),
            action.cli(backend.is_kube()),
            tr!("confirm.keys")
        );
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "s" | "S" | "yes" | "si" | "sí") {
            return Err(RunError::Cancelled);
        }
    }
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Progress>(32);
    // Followed logs are the output itself: on stdout, line by line, for a pipe to read.
    let follows = matches!(&action, crate::model::action::Action::Compose(c) if c.follow);
    let show = async move {
        let mut shown = LiveBlock::new(std::io::stderr().is_terminal());
        while let Some(text) = rx.recv().await {
            if follows {
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{}", text.text());
                let _ = out.flush();
            } else {
                let _ = shown.show(&mut std::io::stderr(), &text);
            }
        }
    };
    let (result, ()) = tokio::join!(
        async {
            let work = crate::backend::perform(backend, &action, perms.readonly, &tx);
            // Ctrl-C while a deploy waits for its stack stops the waiting, not the stack.
            let r = match &action {
                crate::model::action::Action::Deploy { stack, .. } => tokio::select! {
                    r = work => r.map_err(RunError::from),
                    _ = tokio::signal::ctrl_c() => Err(RunError::Interrupted(tr!("deploy.interrupted", stack = stack))),
                },
                // Ctrl-C ends followed logs, as it ends `docker compose logs -f`.
                crate::model::action::Action::Compose(c) if c.follow => tokio::select! {
                    r = work => r.map_err(RunError::from),
                    _ = tokio::signal::ctrl_c() => Ok(crate::model::action::Outcome {
                        summary: tr!("compose.logs_stopped"),
                        detail: None,
                    }),
                },
                // Ctrl-C drops the build's request: the engine stops it and tags nothing.
                crate::model::action::Action::Build(_) => tokio::select! {
                    r = work => r.map_err(RunError::from),
                    _ = tokio::signal::ctrl_c() => Err(RunError::Interrupted(tr!("build.cancelled"))),
                },
                _ => work.await.map_err(RunError::from),
            };
            drop(tx);
            r
        },
        show
    );
    let outcome = result?;
    if let (crate::model::action::Action::Deploy { stack, files, .. }, Some(d)) =
        (&action, &perms.data_dir)
    {
        crate::stack::remember(d, stack, files);
    }
    let mut out = std::io::stdout().lock();
    match output {
        Output::Json => {
            let v = serde_json::json!({ "summary": outcome.summary, "detail": outcome.detail, "docker": action.cli(backend.is_kube()) });
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&v).unwrap_or_default()
            )?;
        }
        Output::Table => {
            writeln!(out, "{}", outcome.summary)?;
            if let Some(d) = outcome.detail {
                writeln!(out, "{}", d.to_text().trim_end())?;
            }
            writeln!(
                out,
                "{} {}",
                tr!("toast.equivalent"),
                action.cli(backend.is_kube())
            )?;
        }
    }
    Ok(())
}

/// `compose up` without `-d`, as docker compose runs it in front: the project brought up (and
/// healthy), then its logs followed until Ctrl-C (or until every container has ended), and then
/// its containers stopped.
pub(super) async fn compose_foreground(
    backend: &Backend,
    spec: crate::model::compose::ComposeSpec,
    perms: Permissions,
) -> Result<(), RunError> {
    use crate::model::action::Action;
    use crate::model::compose::Verb;
    act(
        backend,
        Action::Compose(spec.clone()),
        Output::Table,
        perms.clone(),
    )
    .await?;
    let mut logs = spec.clone();
    logs.verb = Verb::Logs;
    logs.follow = true;
    act(backend, Action::Compose(logs), Output::Table, perms.clone()).await?;
    let mut stop = spec;
    stop.verb = Verb::Stop;
    act(backend, Action::Compose(stop), Output::Table, perms).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(terminal: bool, messages: &[Progress]) -> String {
        let mut live = LiveBlock::new(terminal);
        let mut out = Vec::new();
        for m in messages {
            live.show(&mut out, m).unwrap();
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn live_blocks_redraw_on_a_terminal_and_print_changes_elsewhere() {
        let live = |text: &str, minor: bool| Progress::Live {
            text: text.into(),
            minor,
        };
        let messages = [
            Progress::Step("Preparing".into()),
            live("all 0/1\n  aaa preparing", false),
            live("all 0/1\n  aaa pushing 10B", true),
            live("all 1/1\n  aaa pushed", false),
        ];
        assert_eq!(
            shown(true, &messages),
            "Preparing\nall 0/1\n  aaa preparing\n\x1b[2F\x1b[Jall 0/1\n  aaa pushing 10B\n\
             \x1b[2F\x1b[Jall 1/1\n  aaa pushed\n"
        );
        assert_eq!(
            shown(false, &messages),
            "Preparing\nall 0/1\n  aaa preparing\nall 1/1\n  aaa pushed\n"
        );
    }
}
