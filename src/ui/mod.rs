//! Pure renderers: `draw(state, theme, area, buf)` and nothing else. The same Buffer goes to the
//! terminal, to snapshot tests and to the screenshot exporter.

pub mod panes;
pub mod theme;
pub mod widgets;

use crate::app::state::{Input, Overlay, Pane, State};
use crate::backend::ConnState;
use crate::model::SwarmRole;
use crate::tr;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};
use theme::Theme;

pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 15;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayoutKind {
    TooSmall,
    /// One pane at a time with a tab strip (80x24).
    Single,
    /// A list pane on the left, tasks and logs on the right (about 100x30).
    TwoColumns,
    /// Every pane at once.
    Wide,
}

pub fn layout_kind(area: Rect) -> LayoutKind {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        LayoutKind::TooSmall
    } else if area.width >= 150 && area.height >= 40 {
        LayoutKind::Wide
    } else if area.width >= 100 && area.height >= 28 {
        LayoutKind::TwoColumns
    } else {
        LayoutKind::Single
    }
}

/// Where each visible pane is drawn, for a screen of `area`.
pub fn pane_areas(state: &State, area: Rect) -> Vec<(Pane, Rect)> {
    match layout_kind(area) {
        LayoutKind::TooSmall => vec![],
        LayoutKind::Single => vec![(state.focus, area)],
        LayoutKind::TwoColumns => {
            let [left, right] =
                Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                    .areas(area);
            let [top, bottom] =
                Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)])
                    .areas(right);
            let list = match state.focus {
                p @ (Pane::Nodes | Pane::Services | Pane::Images) => p,
                _ => Pane::Services,
            };
            vec![(list, left), (Pane::Tasks, top), (Pane::Logs, bottom)]
        }
        LayoutKind::Wide => {
            let [top, mid, bottom] = Layout::vertical([
                Constraint::Percentage(24),
                Constraint::Percentage(40),
                Constraint::Percentage(36),
            ])
            .areas(area);
            let [nodes, images] =
                Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                    .areas(top);
            let [services, tasks] =
                Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                    .areas(mid);
            vec![
                (Pane::Nodes, nodes),
                (Pane::Images, images),
                (Pane::Services, services),
                (Pane::Tasks, tasks),
                (Pane::Logs, bottom),
            ]
        }
    }
}

/// Where each part of the screen goes. Empty rectangles for parts not shown.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Regions {
    pub tabs: Rect,
    /// Everything between the tab strip and the prompt line.
    pub body: Rect,
    /// The body without the lab's side pane.
    pub main: Rect,
    pub lab: Option<Rect>,
    pub prompt: Rect,
    pub status: Rect,
    /// The panes drawn (none while the editor is open).
    pub panes: Vec<(Pane, Rect)>,
}

pub fn regions(state: &State, area: Rect) -> Regions {
    let kind = layout_kind(area);
    if kind == LayoutKind::TooSmall {
        return Regions::default();
    }
    let prompt = !matches!(state.input, Input::Normal) || !state.running.is_empty();
    let tabs = kind != LayoutKind::Wide;
    let rows = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Length(u16::from(tabs)),
            Constraint::Min(3),
            Constraint::Length(u16::from(prompt)),
            Constraint::Length(1),
        ])
        .split(area);
    let (mut main, mut lab) = (rows[1], None);
    if state.lab.is_some() && main.width >= 110 {
        let [left, right] =
            Layout::horizontal([Constraint::Min(60), Constraint::Length(34)]).areas(main);
        main = left;
        lab = Some(right);
    }
    let panes = if state.editor.is_some() {
        vec![]
    } else {
        pane_areas(state, main)
    };
    Regions {
        tabs: rows[0],
        body: rows[1],
        main,
        lab,
        prompt: rows[2],
        status: rows[3],
        panes,
    }
}

/// One pane into `rect`.
pub fn draw_pane(
    state: &State,
    theme: &Theme,
    pane: Pane,
    rect: Rect,
    buf: &mut Buffer,
    focused: bool,
) {
    match pane {
        Pane::Nodes => panes::nodes::render(state, theme, rect, buf, focused),
        Pane::Services => panes::services::render(state, theme, rect, buf, focused),
        Pane::Tasks => panes::tasks::render(state, theme, rect, buf, focused),
        Pane::Images => panes::images::render(state, theme, rect, buf, focused),
        Pane::Logs => panes::logs::render(state, theme, rect, buf, focused),
    }
}

pub fn draw(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    buf.set_style(area, theme.base());
    let kind = layout_kind(area);
    if kind == LayoutKind::TooSmall {
        let text = tr!(
            "ui.too_small",
            w = MIN_WIDTH,
            h = MIN_HEIGHT,
            cw = area.width,
            ch = area.height
        );
        Paragraph::new(text)
            .wrap(Wrap { trim: true })
            .style(theme.fg(theme.warn))
            .render(area, buf);
        return;
    }
    let regions = regions(state, area);
    let rows = [regions.tabs, regions.body, regions.prompt, regions.status];
    if regions.tabs.height > 0 {
        tab_strip(state, theme, rows[0], buf);
    }
    let prompt = regions.prompt.height > 0;
    // An open lab: its steps beside the panes when there is room, else the step in the tab strip.
    let main = regions.main;
    if let Some((lab, step)) = &state.lab {
        if let Some(right) = regions.lab {
            lab_pane(lab, *step, theme, right, buf);
        } else if let Some(s) = lab.steps.get(*step) {
            let text = format!(
                "{} {}",
                tr!("lab.step", n = step + 1, total = lab.steps.len()),
                s.name
            );
            let w = (text.chars().count() as u16 + 1).min(rows[0].width);
            let r = Rect {
                x: rows[0].x + rows[0].width - w,
                width: w,
                ..rows[0]
            };
            Line::from(Span::styled(
                text,
                theme.fg(theme.accent).add_modifier(Modifier::BOLD),
            ))
            .render(r, buf);
        }
    }
    if let Some(ed) = &state.editor {
        editor(ed, theme, main, buf);
    }
    for (pane, rect) in regions.panes {
        draw_pane(state, theme, pane, rect, buf, pane == state.focus);
    }
    if prompt {
        prompt_line(state, theme, rows[2], buf);
    }
    if matches!(state.input, Input::Normal) {
        live_panel(state, theme, rows[1], buf);
    }
    status_bar(state, theme, rows[3], buf);
    if let Some(t) = &state.toast {
        toast(t, theme, rows[1], buf);
    }
    match &state.overlay {
        Overlay::Help { pane, only, scroll } => {
            help(*pane, only.as_deref(), *scroll, theme, rows[1], buf)
        }
        Overlay::History { scroll } => history(state, *scroll, theme, rows[1], buf),
        Overlay::Text { title, body } => text_box(title, body, theme, rows[1], buf),
        Overlay::Labels { node_id, selected } => {
            labels_box(state, node_id, *selected, theme, rows[1], buf)
        }
        Overlay::Certs(form) => certs_box(form, theme, rows[1], buf),
        Overlay::None => {}
    }
}

/// The compose file being edited: line numbers, keys and comments coloured, the error line
/// marked, and a footer with the keys, the search being typed, or the error.
fn editor(ed: &crate::app::editor::Editor, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let modified = if ed.dirty() {
        format!(" · {}", tr!("editor.modified"))
    } else {
        String::new()
    };
    let title = format!(
        " {}{modified} ",
        tr!("editor.title", file = ed.path.display(), stack = ed.stack)
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
            let style = match spans.get(i) {
                Some(Yaml::Key) => theme.fg(theme.accent).add_modifier(Modifier::BOLD),
                Some(Yaml::Comment) => theme.muted(),
                Some(Yaml::Dash) => theme.fg(theme.warn),
                _ => continue,
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
        (Some(q), _) => Line::from(vec![
            Span::styled(
                format!("{} /", tr!("prompt.search")),
                theme.fg(theme.accent),
            ),
            Span::raw(q.clone()),
            Span::styled("█", theme.fg(theme.accent)),
        ]),
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

/// The lab's steps, the current one marked and described.
fn lab_pane(lab: &crate::lab::Lab, step: usize, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let lang = crate::i18n::lang();
    let mut lines = vec![
        Line::from(Span::styled(
            lab.title.get(lang).to_string(),
            theme.header(),
        )),
        Line::default(),
    ];
    for (i, s) in lab.steps.iter().enumerate() {
        if i == step {
            lines.push(Line::from(Span::styled(
                format!("▶ {}", s.name),
                theme.selection().add_modifier(Modifier::BOLD),
            )));
            lines.push(Line::from(Span::styled(
                format!("  {}", s.text(lang)),
                theme.fg(theme.fg),
            )));
        } else {
            let style = if i < step {
                theme.muted()
            } else {
                theme.base()
            };
            lines.push(Line::from(Span::styled(format!("  {}", s.name), style)));
        }
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(ratatui::widgets::BorderType::Rounded)
        .border_style(theme.border(false))
        .title(Line::from(Span::styled(
            format!(
                " {} · {} ",
                crate::i18n::text("pane.lab"),
                tr!("lab.step", n = step + 1, total = lab.steps.len())
            ),
            theme.fg(theme.accent),
        )));
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(block)
        .render(area, buf);
}

fn tab_strip(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let mut spans = Vec::new();
    for p in Pane::ALL {
        let label = format!(" {} {} ", p.number(), state.pane_title(p));
        let style = if p == state.focus {
            theme.selection().add_modifier(Modifier::BOLD)
        } else {
            theme.muted()
        };
        spans.push(Span::styled(label, style));
        spans.push(Span::raw(" "));
    }
    Line::from(spans).render(area, buf);
}

fn prompt_line(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let line = match &state.input {
        Input::Palette(p) => {
            let mut spans = vec![
                Span::styled(":", theme.fg(theme.accent).add_modifier(Modifier::BOLD)),
                Span::raw(p.text.clone()),
                Span::styled("█", theme.fg(theme.accent)),
            ];
            if !p.candidates.is_empty() {
                let shown: Vec<String> = p.candidates.iter().take(8).cloned().collect();
                let more = if p.candidates.len() > 8 { " …" } else { "" };
                spans.push(Span::styled(
                    format!("   {}{more}", shown.join("  ")),
                    theme.muted(),
                ));
            }
            Line::from(spans)
        }
        Input::Filter => {
            let f = &state.view(state.focus).filter;
            Line::from(vec![
                Span::styled(
                    format!("{} /", tr!("prompt.filter")),
                    theme.fg(theme.accent),
                ),
                Span::raw(f.clone()),
                Span::styled("█", theme.fg(theme.accent)),
            ])
        }
        Input::Search => Line::from(vec![
            Span::styled(
                format!("{} /", tr!("prompt.search")),
                theme.fg(theme.accent),
            ),
            Span::raw(state.logs.search.clone()),
            Span::styled("█", theme.fg(theme.accent)),
        ]),
        Input::Confirm(action) => Line::from(vec![
            Span::styled(
                format!(
                    "{} ",
                    crate::i18n::text(action.confirmation().unwrap_or("confirm.generic"))
                ),
                theme.fg(theme.warn).add_modifier(Modifier::BOLD),
            ),
            Span::raw(action.cli(state.is_kube())),
            Span::styled(format!("  {}", tr!("confirm.keys")), theme.fg(theme.accent)),
        ]),
        Input::Normal => match state.running.values().next_back() {
            Some((_, progress)) => Line::from(vec![
                Span::styled("↻ ", theme.fg(theme.accent)),
                Span::styled(
                    progress.lines().next().unwrap_or_default().to_string(),
                    theme.fg(theme.fg),
                ),
            ]),
            None => Line::default(),
        },
    };
    line.render(area, buf);
}

/// The lines after the first of the newest action's progress (a push's bar per layer), in a box
/// at the bottom of the panes, above the prompt line that shows the first.
fn live_panel(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let Some((_, progress)) = state.running.values().next_back() else {
        return;
    };
    let lines: Vec<Line> = progress
        .lines()
        .skip(1)
        .map(|l| Line::from(Span::styled(l.to_string(), theme.fg(theme.fg))))
        .collect();
    if lines.is_empty() || area.height < 6 {
        return;
    }
    let height = (lines.len() as u16 + 2).min(area.height / 2);
    let rect = Rect {
        y: area.y + area.height - height,
        height,
        ..area
    };
    Clear.render(rect, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true));
    // The newest lines matter most when they do not all fit.
    let skip = lines.len().saturating_sub(usize::from(height - 2));
    Paragraph::new(lines.into_iter().skip(skip).collect::<Vec<_>>())
        .style(theme.base())
        .block(block)
        .render(rect, buf);
}

fn status_bar(state: &State, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let mut left = Vec::new();
    match &state.conn {
        ConnState::Demo => left.push(Span::styled(
            format!(" {} ", tr!("status.demo")),
            theme.badge(),
        )),
        ConnState::Connected => left.push(Span::styled(
            format!("● {}", tr!("status.connected")),
            theme.fg(theme.ok),
        )),
        ConnState::Connecting => left.push(Span::styled(
            format!("○ {}", tr!("status.connecting")),
            theme.fg(theme.warn),
        )),
        ConnState::Reconnecting { retry_in, .. } => left.push(Span::styled(
            format!(
                "○ {}",
                tr!(
                    "status.reconnecting",
                    secs = state
                        .retry_at
                        .map_or(*retry_in as i64, |t| (t - state.now).max(0))
                )
            ),
            theme.fg(theme.warn),
        )),
    }
    left.push(Span::raw(" "));
    left.push(Span::styled(state.endpoint.clone(), theme.fg(theme.fg)));
    if let Some(k) = state.info.as_ref().and_then(|i| i.kube.as_ref()) {
        let ns = k
            .namespace
            .clone()
            .unwrap_or_else(|| tr!("kube.all_namespaces"));
        left.push(Span::styled(
            format!(" · ⎈ {} · ns {ns}", k.context),
            theme.fg(theme.accent),
        ));
    } else if let Some(info) = &state.info {
        let role = match info.swarm {
            SwarmRole::Manager => tr!("status.manager"),
            SwarmRole::Worker => tr!("status.worker"),
            SwarmRole::None => tr!("status.no_swarm"),
        };
        left.push(Span::styled(format!(" · {role}"), theme.muted()));
        if !info.hostname.is_empty() {
            left.push(Span::styled(format!(" · {}", info.hostname), theme.muted()));
        }
    }
    if let Some(e) = &state.last_error {
        left.push(Span::styled(format!(" · {e}"), theme.error()));
    }
    let hint = tr!("status.hint");
    let hint_w = hint.chars().count() as u16 + 1;
    let left_area = Rect {
        width: area.width.saturating_sub(hint_w),
        ..area
    };
    Line::from(left).render(left_area, buf);
    if area.width > hint_w + 20 {
        let r = Rect {
            x: area.x + area.width - hint_w,
            width: hint_w,
            ..area
        };
        Line::from(Span::styled(hint, theme.muted())).render(r, buf);
    }
}

fn toast(t: &crate::app::state::Toast, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let width = (t.text.chars().count() as u16 + 4)
        .min(area.width.saturating_sub(2))
        .max(10);
    let lines = (t.text.chars().count() as u16 / width.saturating_sub(4).max(1)) + 1;
    let height = (lines + 2).min(area.height);
    let rect = Rect {
        x: area.x + area.width.saturating_sub(width + 1),
        y: area.y + area.height.saturating_sub(height),
        width,
        height,
    };
    Clear.render(rect, buf);
    let style = if t.error {
        theme.error()
    } else {
        theme.fg(theme.ok)
    };
    Paragraph::new(t.text.clone())
        .wrap(Wrap { trim: true })
        .style(theme.base())
        .block(Block::default().borders(Borders::ALL).border_style(style))
        .render(rect, buf);
}

fn help(
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
        for b in crate::app::keymap::for_pane(pane) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<12}", b.keys), theme.fg(theme.accent)),
                Span::raw(crate::i18n::text(b.help)),
            ]));
        }
        lines.push(Line::default());
    }
    lines.push(Line::from(Span::styled(
        tr!("help.commands"),
        theme.header(),
    )));
    for (usage, desc) in crate::command::help_lines(only) {
        lines.push(Line::from(vec![
            Span::styled(format!("  :{usage:<34}"), theme.fg(theme.accent)),
            Span::raw(desc),
        ]));
    }
    popup(tr!("help.title"), lines, scroll, None, theme, area, buf);
}

/// A centred box with a border, cleared, for overlays.
/// A box over the middle of `area`; `footer` replaces the usual "Esc closes" line.
fn popup<'a>(
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
fn history(state: &State, scroll: usize, theme: &Theme, area: Rect, buf: &mut Buffer) {
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

/// The label editor of a node: its labels, the selected one highlighted, and the keys.
/// The certificates form: a line a field, the selected one highlighted (choices between ‹ ›),
/// then the command line the fields make, and the last error.
fn certs_box(
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

fn labels_box(
    state: &State,
    node_id: &str,
    selected: usize,
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    let Some(node) = state.nodes.iter().find(|n| n.id == node_id) else {
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

fn text_box(title: &str, body: &str, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let lines = body.lines().map(|l| Line::from(l.to_string())).collect();
    popup(title.to_string(), lines, 0, None, theme, area, buf);
}

/// The screen's text, row by row (for tests and the text export).
pub fn buffer_text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in area.y..area.y + area.height {
        let mut row = String::new();
        let mut skip = 0;
        for x in area.x..area.x + area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            row.push_str(sym);
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
        }
        out.push_str(row.trim_end());
        out.push('\n');
    }
    out
}
