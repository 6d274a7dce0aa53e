//! Drives the real estiba binary in a private tmux server, as a person at a terminal would.
#![allow(dead_code)]

use std::process::Command;
use std::time::Duration;

pub struct Tmux {
    socket: String,
    pub session: String,
}

impl Tmux {
    /// estiba with `args`, run from `dir` with its data and config kept there, in `lang`.
    pub fn in_dir(w: u16, h: u16, dir: &std::path::Path, lang: &str, args: &str) -> Tmux {
        Tmux::start(
            w,
            h,
            &[
                ("LANG", lang),
                ("ESTIBA_DATA_DIR", &dir.join(".data").display().to_string()),
                (
                    "ESTIBA_CONFIG_DIR",
                    &dir.join(".config").display().to_string(),
                ),
                ("TERM", "xterm-256color"),
            ],
            &format!(
                "cd {} && {} {args}",
                dir.display(),
                env!("CARGO_BIN_EXE_estiba")
            ),
        )
    }

    /// Starts `command` in a new `w`x`h` session; when it ends the pane prints `[exited N]` and stays.
    pub fn start(w: u16, h: u16, env: &[(&str, &str)], command: &str) -> Tmux {
        let socket = super::unique("estiba-tmux");
        let session = "e2e".to_string();
        let exports: String = env
            .iter()
            .map(|(k, v)| format!("export {k}='{v}'; "))
            .collect();
        let script = format!("{exports}{command}; echo \"[exited $?]\"; sleep 600");
        let st = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                &session,
                "-x",
                &w.to_string(),
                "-y",
                &h.to_string(),
            ])
            .arg(script)
            .env_remove("TMUX")
            .status()
            .expect("tmux runs");
        assert!(st.success(), "tmux new-session failed");
        Tmux { socket, session }
    }

    /// Runs a tmux command on this session's server (`set -g set-clipboard on`, `show-buffer`).
    pub fn run(&self, args: &[&str]) -> String {
        self.tmux(args)
    }

    fn tmux(&self, args: &[&str]) -> String {
        let o = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&o.stdout).to_string()
    }

    /// What the screen shows now.
    pub fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", &self.session])
    }

    /// Types keys (tmux key names: Enter, Escape, C-c, Tab ...). After an Escape it waits a
    /// moment, as a person does: a key that follows Esc at once reads as Alt+key in a terminal.
    pub fn keys(&self, keys: &[&str]) {
        for group in keys.split_inclusive(|k| *k == "Escape") {
            let mut args = vec!["send-keys", "-t", &self.session];
            args.extend_from_slice(group);
            self.tmux(&args);
            if group.last() == Some(&"Escape") {
                std::thread::sleep(std::time::Duration::from_millis(300));
            }
        }
    }

    /// Types text literally.
    pub fn text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", &self.session, "-l", text]);
    }

    /// Waits until the screen contains `needle`, and returns the screen.
    pub fn wait_for(&self, needle: &str, secs: u64) -> String {
        self.wait_until(&format!("{needle:?}"), secs, |s| s.contains(needle))
    }

    /// Waits until the screen satisfies `what` (described as `said`), and returns the screen.
    pub fn wait_until(&self, said: &str, secs: u64, what: impl Fn(&str) -> bool) -> String {
        let mut last = String::new();
        let found = (0..secs * 10).any(|_| {
            last = self.screen();
            if what(&last) {
                // A frame can be caught half written (it is written top to bottom): the screen
                // returned is taken again a moment later, when the rest of the frame is in.
                std::thread::sleep(Duration::from_millis(60));
                let settled = self.screen();
                if what(&settled) {
                    last = settled;
                    return true;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
            false
        });
        assert!(
            found,
            "{said} did not appear within {secs} s; the screen:\n{last}"
        );
        last
    }

    /// Whether the program still has the alternate screen on.
    pub fn alternate_on(&self) -> bool {
        self.tmux(&[
            "display-message",
            "-p",
            "-t",
            &self.session,
            "#{alternate_on}",
        ])
        .trim()
            == "1"
    }

    /// The process ID of the program the pane's shell started (estiba).
    pub fn program_pid(&self) -> Option<u32> {
        let shell = self.tmux(&["display-message", "-p", "-t", &self.session, "#{pane_pid}"]);
        let o = Command::new("pgrep")
            .args(["-P", shell.trim()])
            .output()
            .ok()?;
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .next()?
            .trim()
            .parse()
            .ok()
    }

    /// Appends everything the program writes to the terminal to `path`.
    pub fn record_output(&self, path: &str) {
        self.tmux(&[
            "pipe-pane",
            "-o",
            "-t",
            &self.session,
            &format!("cat >> {path}"),
        ]);
    }

    pub fn resize(&self, w: u16, h: u16) {
        self.tmux(&[
            "resize-window",
            "-t",
            &self.session,
            "-x",
            &w.to_string(),
            "-y",
            &h.to_string(),
        ]);
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}
