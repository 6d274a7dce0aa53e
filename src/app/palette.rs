//! The `:` palette: editing, history, completion, and running what was typed.

use super::commands::apply;
use super::effect::Effect;
use super::state::{Input, Palette, State};
use crate::command::{self};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub(super) fn palette_key(s: &mut State, mut p: Palette, key: KeyEvent) -> Vec<Effect> {
    match key.code {
        KeyCode::Esc => {
            s.input = Input::Normal;
            return vec![];
        }
        KeyCode::Enter => {
            s.input = Input::Normal;
            let line = p.text.trim().to_string();
            if line.is_empty() {
                return vec![];
            }
            if s.history.last() != Some(&line) {
                s.history.push(line.clone());
            }
            return match command::parse_line(&line) {
                Ok(cmd) => apply(s, cmd),
                // On Kubernetes, `:KIND` shows any kind the server serves, as in k9s.
                Err(command::ParseError::Unknown { word, .. }) if s.is_kube() => apply(
                    s,
                    crate::command::Command::Get {
                        kind: word,
                        all_namespaces: line.split_whitespace().skip(1).any(|w| w == "-A"),
                    },
                ),
                Err(e) => {
                    s.toast(e.to_string(), true);
                    vec![]
                }
            };
        }
        KeyCode::Tab => {
            if p.candidate.is_none() && !p.offered {
                p.candidates = command::complete(&p.text, &|k| s.names(k));
            }
            if !p.candidates.is_empty() {
                let next = p.candidate.map_or(0, |i| (i + 1) % p.candidates.len());
                p.candidate = Some(next);
                p.text = replace_last_word(&p.text, &p.candidates[next], p.candidates.len() == 1);
                if p.candidates.len() == 1 {
                    p.candidate = None;
                    p.candidates.clear();
                }
            }
        }
        KeyCode::Up if !s.history.is_empty() => {
            let pos = p
                .history_pos
                .map_or(s.history.len() - 1, |i| i.saturating_sub(1));
            p.history_pos = Some(pos);
            p.text = s.history[pos].clone();
        }
        KeyCode::Down => {
            if let Some(i) = p.history_pos {
                if i + 1 < s.history.len() {
                    p.history_pos = Some(i + 1);
                    p.text = s.history[i + 1].clone();
                } else {
                    p.history_pos = None;
                    p.text.clear();
                }
            }
        }
        KeyCode::Backspace => {
            p.text.pop();
            p.candidate = None;
            p.offered = false;
        }
        KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => p.text.clear(),
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
            p.text.push(c);
            p.candidate = None;
            p.offered = false;
        }
        _ => {}
    }
    if p.candidate.is_none() && !p.offered {
        p.candidates = if p.text.is_empty() {
            vec![]
        } else {
            command::complete(&p.text, &|k| s.names(k))
        };
    }
    s.input = Input::Palette(p);
    vec![]
}

pub(super) fn replace_last_word(text: &str, word: &str, final_space: bool) -> String {
    let keep = if text.ends_with(char::is_whitespace) || text.is_empty() {
        text.len()
    } else {
        text.rfind(char::is_whitespace).map_or(0, |i| i + 1)
    };
    let quoted = if word.contains(char::is_whitespace) {
        format!("\"{word}\"")
    } else {
        word.to_string()
    };
    format!(
        "{}{}{}",
        &text[..keep],
        quoted,
        if final_space { " " } else { "" }
    )
}
