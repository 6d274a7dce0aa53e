//! Windows that float above the panes: the YAML editor, help, the activity log, forms (labels,
//! certificates) and text boxes.

use super::*;

/// The compose file being edited: line numbers, keys and comments coloured, the error line
/// marked, and a footer with the keys, the search being typed, or the error.
pub(super) fn editor(ed: &crate::app::editor::Editor, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let modified = if ed.dirty() {
        format!(" · {}", tr!("editor.modified"))
    } else {
        String::new()
    };
    let title = format!(
        " {}{modified} ",
        match &ed.object {
            Some(target) => tr!("editor.object_title", target = target),
            None => tr!("editor.title", file = ed.path.display(), stack = ed.stack),
        }
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(ratatui::widgets::BorderType::Thick)
        .border_style(theme.border(true))
        .title(Line::from(Span::styled(title, theme.header())));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height < 2 {
        return;
    }
    let text_area = Rect {
        height: inner.height - 1,
        ..inner
    };
    (&ed.area).render(text_area, buf);
    // Colour what the widget drew plainly: keys, list dashes, comments.
    let (top, left) = ed.area.scroll_offset();
    let lnw = ed.area.line_number_width();
    let lines = ed.area.lines();
    for r in 0..text_area.height {
        let row = top as usize + r as usize;
        let Some(line) = lines.get(row) else { break };
        let y = text_area.y + r;
        if ed.error.as_ref().is_some_and(|(l, _)| *l == row + 1) {
            for x in text_area.x..(text_area.x + lnw).min(text_area.x + text_area.width) {
                buf[(x, y)].set_style(theme.error().add_modifier(Modifier::REVERSED));
            }
        }
        let spans = yaml_styles(line);
        for (i, _) in line.chars().enumerate().skip(left as usize) {
            let x = text_area.x + lnw + (i - left as usize) as u16;
            if x >= text_area.x + text_area.width {
                break;
            }
            let Some(style) = spans.get(i).and_then(|k| yaml_style(*k, theme)) else {
                continue;
            };
            let cell = &mut buf[(x, y)];
            if let Some(fg) = style.fg {
                cell.set_fg(fg);
            }
            cell.modifier |= style.add_modifier;
        }
    }
    let footer = Rect {
        y: inner.y + inner.height - 1,
        height: 1,
        ..inner
    };
    let line = match (&ed.searching, &ed.error) {
        (Some(q), _) => search_prompt(q, theme),
        (None, Some((_, msg))) => Line::from(Span::styled(msg.clone(), theme.error())),
        (None, None) => Line::from(Span::styled(tr!("editor.keys"), theme.muted())),
    };
    line.render(footer, buf);
}

#[derive(Clone, Copy, PartialEq)]
enum Yaml {
    Plain,
    Key,
    Dash,
    Comment,
}

/// The colour of a YAML key, comment or list dash; `None` for plain text.
fn yaml_style(kind: Yaml, theme: &Theme) -> Option<ratatui::style::Style> {
    match kind {
        Yaml::Key => Some(theme.fg(theme.accent).add_modifier(Modifier::BOLD)),
        Yaml::Comment => Some(theme.muted()),
        Yaml::Dash => Some(theme.fg(theme.warn)),
        Yaml::Plain => None,
    }
}

/// The search being typed after `/`, with its cursor, as a footer.
fn search_prompt<'a>(q: &str, theme: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(
            format!("{} /", tr!("prompt.search")),
            theme.fg(theme.accent),
        ),
        Span::raw(q.to_string()),
        Span::styled("█", theme.fg(theme.accent)),
    ])
}

/// What each character of a YAML line is, for colouring: keys (`image:`), list dashes, comments.
fn yaml_styles(line: &str) -> Vec<Yaml> {
    let chars: Vec<char> = line.chars().collect();
    let mut out = vec![Yaml::Plain; chars.len()];
    let mut i = chars.iter().take_while(|c| c.is_whitespace()).count();
    while i + 1 < chars.len() && chars[i] == '-' && chars[i + 1] == ' ' {
        out[i] = Yaml::Dash;
        i += 2;
    }
    // The key: up to a ':' followed by a space or the end, outside quotes.
    let mut quote = None;
    let start = i;
    let mut k = i;
    while k < chars.len() {
        match (quote, chars[k]) {
            (None, '"' | '\'') => quote = Some(chars[k]),
            (Some(q), c) if c == q => quote = None,
            (None, ':') if chars.get(k + 1).is_none_or(|c| c.is_whitespace()) => {
                if k > start {
                    out[start..k].iter_mut().for_each(|s| *s = Yaml::Key);
                }
                break;
            }
            (None, '#') if k == start || chars[k - 1].is_whitespace() => break,
            _ => {}
        }
        k += 1;
    }
    // A comment: from a '#' at the start or after a space, outside quotes, to the end.
    let mut quote = None;
    for (j, c) in chars.iter().enumerate() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(*c),
            (Some(q), c) if *c == q => quote = None,
            (None, '#') if j == 0 || chars[j - 1].is_whitespace() => {
                out[j..].iter_mut().for_each(|s| *s = Yaml::Comment);
                break;
            }
            _ => {}
        }
    }
    out
}

pub(super) fn help(
    pane: Pane,
    only: Option<&str>,
    scroll: usize,
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    let mut lines = Vec::new();
    if only.is_none() {
        lines.push(Line::from(Span::styled(
            tr!("help.keys", pane = crate::i18n::text(pane.title_key())),
            theme.header(),
        )));
        let keys: Vec<(String, String)> = crate::app::keymap::for_pane(pane)
            .iter()
            .map(|b| (b.keys.to_string(), crate::i18n::text(b.help).to_string()))
            .collect();
        let inner = usize::from(area.width - area.width / 5).saturating_sub(5);
        for (k, text) in crate::command::help::two_columns(&keys, 12, inner) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {k}"), theme.fg(theme.accent)),
                Span::raw(text),
            ]));
        }
        lines.push(Line::default());
    }
    lines.push(Line::from(Span::styled(
        tr!("help.commands"),
        theme.header(),
    )));
    // The popup's inside: what `popup` leaves of the area, less the border.
    let inner = usize::from(area.width - area.width / 5).saturating_sub(2);
    let left = (inner / 3).clamp(12, 34);
    let rows: Vec<(String, String)> = crate::command::help_lines(only)
        .into_iter()
        .map(|(u, d)| (format!(":{u}"), d))
        .collect();
    for (usage, desc) in crate::command::help::two_columns(&rows, left, inner.saturating_sub(3)) {
        lines.push(Line::from(vec![
            Span::styled(format!("  {usage}"), theme.fg(theme.accent)),
            Span::raw(desc),
        ]));
    }
    popup(tr!("help.title"), lines, scroll, None, theme, area, buf);
}

/// A centred box with a border, cleared, for overlays.
/// A box over the middle of `area`; `footer` replaces the usual "Esc closes" line.
pub(super) fn popup<'a>(
    title: String,
    lines: Vec<Line<'a>>,
    scroll: usize,
    footer: Option<String>,
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    let rect = Rect {
        x: area.x + area.width / 10,
        y: area.y + area.height / 10,
        width: area.width - area.width / 5,
        height: area.height - area.height / 5,
    };
    Clear.render(rect, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Line::from(Span::styled(
            format!(" {title} "),
            theme.header(),
        )))
        .title_bottom(Line::from(Span::styled(
            format!(" {} ", footer.unwrap_or_else(|| tr!("help.close"))),
            theme.muted(),
        )));
    Paragraph::new(lines)
        .style(theme.base())
        .scroll((scroll.min(u16::MAX as usize) as u16, 0))
        .wrap(Wrap { trim: false })
        .block(block)
        .render(rect, buf);
}

/// The activity log: newest first, each with the docker command that does the same.
pub(super) fn history(state: &State, scroll: usize, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let mut lines = Vec::new();
    if state.activity.is_empty() {
        lines.push(Line::from(Span::styled(
            tr!("history.empty"),
            theme.muted(),
        )));
    }
    for a in state.activity.iter().rev() {
        let (mark, style) = if a.ok {
            ("✓", theme.fg(theme.ok))
        } else {
            ("✗", theme.error())
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!("{} {mark} ", crate::time::format_clock(a.at)),
                style,
            ),
            Span::styled(a.cli.clone(), theme.fg(theme.accent)),
        ]));
        lines.push(Line::from(Span::styled(
            format!("           {}", a.text),
            if a.ok { theme.base() } else { theme.error() },
        )));
    }
    popup(tr!("history.title"), lines, scroll, None, theme, area, buf);
}

/// `c` / `:lab check`: every step with its state, when it passed and why it is not done.
pub(super) fn lab_check(state: &State, scroll: usize, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let Some(l) = &state.lab else {
        return;
    };
    let here = state.cluster.info.as_ref().map(|i| i.id.as_str());
    let reports = l.reports(here, |_| None);
    let mut lines = vec![Line::from(Span::styled(
        tr!(
            "lab.summary",
            done = reports
                .iter()
                .filter(|r| r.status == crate::lab::Status::Done)
                .count(),
            total = reports
                .iter()
                .filter(|r| r.status != crate::lab::Status::NotCheckable)
                .count()
        ),
        theme.header(),
    ))];
    for r in &reports {
        let style = match r.status {
            crate::lab::Status::Done => theme.fg(theme.ok),
            crate::lab::Status::NotYet => theme.error(),
            crate::lab::Status::NotCheckable => theme.muted(),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{} ", crate::lab::report::status_word(r)), style),
            Span::styled(r.name.clone(), theme.fg(theme.accent)),
        ]));
        for n in crate::lab::report::notes(r) {
            lines.push(Line::from(Span::styled(format!("    {n}"), theme.base())));
        }
    }
    popup(
        l.lab.title.get(crate::i18n::lang()).to_string(),
        lines,
        scroll,
        None,
        theme,
        area,
        buf,
    );
}

/// The label editor of a node: its labels, the selected one highlighted, and the keys.
/// The certificates form: a line a field, the selected one highlighted (choices between ‹ ›),
/// then the command line the fields make, and the last error.
pub(super) fn certs_box(
    form: &crate::app::certs_form::CertsForm,
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    use crate::app::certs_form::Field;
    let width = Field::ALL
        .iter()
        .map(|f| crate::i18n::text(f.label_key()).chars().count())
        .max()
        .unwrap_or(10);
    let mut lines = Vec::new();
    for (i, f) in Field::ALL.iter().enumerate() {
        let selected = i == form.selected;
        let value = form.value(*f);
        let shown = match (f.is_choice(), selected) {
            (true, true) => format!("‹ {value} ›"),
            (false, true) => format!("{value}▏"),
            _ => value,
        };
        let style = if selected {
            theme.selection()
        } else {
            theme.base()
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!(" {:<width$}  ", crate::i18n::text(f.label_key())),
                theme.fg(theme.header),
            ),
            Span::styled(format!(" {shown} "), style),
        ]));
    }
    lines.push(Line::default());
    if let Ok(req) = form.request() {
        lines.push(Line::from(Span::styled(
            format!(" estiba {}", req.command_line()),
            theme.muted(),
        )));
    }
    if let Some(e) = &form.error {
        lines.push(Line::from(Span::styled(
            format!(" {e}"),
            theme.fg(theme.error),
        )));
    }
    popup(
        tr!("certs.form_title"),
        lines,
        0,
        Some(tr!("certs.keys")),
        theme,
        area,
        buf,
    );
}

/// The build form: a line a field, the selected one highlighted, then the command line the
/// fields make (the docker command too), and the last error.
pub(super) fn build_box(
    form: &crate::app::build_form::BuildForm,
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    use crate::app::build_form::Field;
    let width = Field::ALL
        .iter()
        .map(|f| crate::i18n::text(f.label_key()).chars().count())
        .max()
        .unwrap_or(10);
    let mut lines = Vec::new();
    for (i, f) in Field::ALL.iter().enumerate() {
        let selected = i == form.selected;
        let value = &form.text[i];
        let shown = if selected {
            format!("{value}▏")
        } else {
            value.clone()
        };
        let style = if selected {
            theme.selection()
        } else {
            theme.base()
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!(" {:<width$}  ", crate::i18n::text(f.label_key())),
                theme.fg(theme.header),
            ),
            Span::styled(format!(" {shown} "), style),
        ]));
    }
    lines.push(Line::from(Span::styled(
        format!(" {}", tr!("build.form_hint")),
        theme.muted(),
    )));
    lines.push(Line::default());
    if let Ok(spec) = form.spec() {
        lines.push(Line::from(Span::styled(
            format!(" estiba {}", spec.palette_line()),
            theme.muted(),
        )));
    }
    if let Some(e) = &form.error {
        lines.push(Line::from(Span::styled(
            format!(" {e}"),
            theme.fg(theme.error),
        )));
    }
    popup(
        tr!("build.form_title"),
        lines,
        0,
        Some(tr!("build.form_keys")),
        theme,
        area,
        buf,
    );
}

pub(super) fn labels_box(
    state: &State,
    node_id: &str,
    selected: usize,
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    let Some(node) = state.cluster.nodes.iter().find(|n| n.id == node_id) else {
        return;
    };
    let mut lines = Vec::new();
    if node.labels.is_empty() {
        lines.push(Line::from(Span::styled(tr!("labels.none"), theme.muted())));
    }
    let sel = selected.min(node.labels.len().saturating_sub(1));
    for (i, (k, v)) in node.labels.iter().enumerate() {
        let style = if i == sel {
            theme.selection()
        } else {
            theme.base()
        };
        lines.push(Line::from(vec![
            Span::styled(format!(" {k}"), style.add_modifier(Modifier::BOLD)),
            Span::styled(format!(" = {v} "), style),
        ]));
    }
    popup(
        tr!("labels.title", node = node.hostname),
        lines,
        0,
        Some(tr!("labels.keys")),
        theme,
        area,
        buf,
    );
}

pub(super) fn text_box(title: &str, body: &str, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let lines = body.lines().map(|l| Line::from(l.to_string())).collect();
    popup(title.to_string(), lines, 0, None, theme, area, buf);
}

/// The inspect window: the object as YAML over the whole main area, keys and comments
/// coloured, the lines that hold the search marked, and a footer with the keys, the search
/// being typed, or what happened.
pub(super) fn inspect_window(
    w: &crate::app::inspect::InspectWindow,
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    Clear.render(area, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(ratatui::widgets::BorderType::Thick)
        .border_style(theme.border(true))
        .title(Line::from(Span::styled(
            format!(" {} ", w.title),
            theme.header(),
        )));
    let inner = block.inner(area);
    block.style(theme.base()).render(area, buf);
    if inner.height < 2 || inner.width < 4 {
        return;
    }
    let body = Rect {
        height: inner.height - 1,
        ..inner
    };
    let matches = w.matches();
    for (r, line) in w
        .lines
        .iter()
        .skip(w.scroll)
        .take(body.height as usize)
        .enumerate()
    {
        let y = body.y + r as u16;
        let kinds = yaml_styles(line);
        let hit = matches.contains(&(w.scroll + r));
        let mut x = body.x;
        for (i, c) in line.chars().enumerate() {
            let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0) as u16;
            if cw == 0 {
                continue;
            }
            if x + cw > body.x + body.width {
                buf[(body.x + body.width - 1, y)]
                    .set_symbol("…")
                    .set_style(theme.muted());
                break;
            }
            let mut style = kinds
                .get(i)
                .and_then(|k| yaml_style(*k, theme))
                .unwrap_or_else(|| theme.base());
            if hit {
                style = style.add_modifier(Modifier::REVERSED);
            }
            buf[(x, y)].set_char(c).set_style(style);
            x += cw;
        }
    }
    let footer = Rect {
        y: inner.y + inner.height - 1,
        height: 1,
        ..inner
    };
    let line = match (&w.typing, &w.note) {
        (Some(q), _) => search_prompt(q, theme),
        (None, Some(n)) => Line::from(Span::styled(n.clone(), theme.fg(theme.warn))),
        (None, None) => Line::from(Span::styled(
            format!(
                "{}/{} · {}",
                (w.scroll + 1).min(w.lines.len()),
                w.lines.len(),
                tr!("inspect.keys")
            ),
            theme.muted(),
        )),
    };
    line.render(footer, buf);
}
