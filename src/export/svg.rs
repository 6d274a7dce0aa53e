//! The Buffer as SVG: a rectangle per run of background, a `<text>` per run of same-styled
//! characters, each pinned to its cells. Same geometry as the PNG at scale 1.

use super::raster::{CELL_H, CELL_W, Palette, frame_extra, rgb};
use ratatui::buffer::Buffer;
use ratatui::style::Modifier;
use std::fmt::Write as _;
use unicode_width::UnicodeWidthStr;

fn hex(c: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A cell's colours and the attributes the SVG shows.
fn style(cell: &ratatui::buffer::Cell, pal: &Palette) -> ([u8; 3], [u8; 3], Modifier) {
    let mut fg = rgb(cell.fg, pal.fg, false);
    let mut bg = rgb(cell.bg, pal.bg, true);
    if cell.modifier.contains(Modifier::REVERSED) {
        std::mem::swap(&mut fg, &mut bg);
    }
    if cell.modifier.contains(Modifier::DIM) {
        fg = super::canvas::mix(bg, fg, 0.55);
    }
    let m = cell.modifier & (Modifier::BOLD | Modifier::UNDERLINED | Modifier::ITALIC);
    (fg, bg, m)
}

pub fn render(buf: &Buffer, pal: &Palette, title: Option<&str>) -> String {
    let (cw, ch) = (CELL_W as i64, CELL_H as i64);
    let area = buf.area;
    let (gw, gh) = (i64::from(area.width) * cw, i64::from(area.height) * ch);
    let (ew, eh) = if title.is_some() {
        frame_extra(1)
    } else {
        (0, 0)
    };
    let (w, h) = (gw + i64::from(ew), gh + i64::from(eh));
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
         font-family=\"'DejaVu Sans Mono', Menlo, Consolas, monospace\" font-size=\"16.6\">"
    );
    let (ox, oy) = frame(&mut out, pal, title, (w, h));
    // Backgrounds that differ from the screen's, a rectangle per run.
    for y in area.top()..area.bottom() {
        let mut x = area.left();
        while x < area.right() {
            let (_, bg, _) = style(&buf[(x, y)], pal);
            let start = x;
            while x < area.right() && style(&buf[(x, y)], pal).1 == bg {
                x += 1;
            }
            if bg != pal.bg {
                let _ = writeln!(
                    out,
                    "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{ch}\" fill=\"{}\"/>",
                    ox + i64::from(start - area.x) * cw,
                    oy + i64::from(y - area.y) * ch,
                    i64::from(x - start) * cw,
                    hex(bg)
                );
            }
        }
    }
    text(&mut out, buf, pal, (ox, oy));
    out.push_str("</svg>\n");
    out
}

/// The window frame around the cells (a title bar with its three dots), or the plain
/// background; returns where the cells start.
fn frame(out: &mut String, pal: &Palette, title: Option<&str>, (w, h): (i64, i64)) -> (i64, i64) {
    match title {
        Some(t) => {
            let dark = pal.dark();
            let backdrop = if dark {
                [0x4a, 0x50, 0x5e]
            } else {
                [0xc3, 0xc9, 0xd3]
            };
            let bar = super::canvas::mix(pal.bg, pal.fg, if dark { 0.09 } else { 0.06 });
            let _ = writeln!(
                out,
                "<rect width=\"{w}\" height=\"{h}\" fill=\"{}\"/>\n\
                 <rect x=\"24\" y=\"24\" width=\"{}\" height=\"{}\" rx=\"10\" fill=\"{}\"/>\n\
                 <path d=\"M24 58 V34 a10 10 0 0 1 10 -10 H{} a10 10 0 0 1 10 10 V58 Z\" fill=\"{}\"/>",
                hex(backdrop),
                w - 48,
                h - 48,
                hex(pal.bg),
                w - 34,
                hex(bar)
            );
            for (i, dot) in ["#ff5f56", "#ffbd2e", "#27c93f"].iter().enumerate() {
                let _ = writeln!(
                    out,
                    "<circle cx=\"{}\" cy=\"41\" r=\"6\" fill=\"{dot}\"/>",
                    44 + i * 20
                );
            }
            let _ = writeln!(
                out,
                "<text x=\"108\" y=\"46\" fill=\"{}\" xml:space=\"preserve\">{}</text>",
                hex(super::canvas::mix(bar, pal.fg, 0.75)),
                escape(t)
            );
            (38, 64)
        }
        None => {
            let _ = writeln!(
                out,
                "<rect width=\"{w}\" height=\"{h}\" fill=\"{}\"/>",
                hex(pal.bg)
            );
            (0, 0)
        }
    }
}

/// The text, a run per style; each run stretched to its cells so columns stay aligned.
fn text(out: &mut String, buf: &Buffer, pal: &Palette, (ox, oy): (i64, i64)) {
    let (cw, ch) = (CELL_W as i64, CELL_H as i64);
    let area = buf.area;
    for y in area.top()..area.bottom() {
        let mut x = area.left();
        while x < area.right() {
            let (fg, _, m) = style(&buf[(x, y)], pal);
            let start = x;
            let mut run = String::new();
            while x < area.right() {
                let cell = &buf[(x, y)];
                let (f, _, mm) = style(cell, pal);
                if (f, mm) != (fg, m) {
                    break;
                }
                run.push_str(cell.symbol());
                x += UnicodeWidthStr::width(cell.symbol()).max(1) as u16;
            }
            let trimmed = run.trim_end();
            if trimmed.trim_start().is_empty() {
                continue;
            }
            let cells = UnicodeWidthStr::width(trimmed) as i64;
            let mut attrs = String::new();
            if m.contains(Modifier::BOLD) {
                attrs.push_str(" font-weight=\"bold\"");
            }
            if m.contains(Modifier::ITALIC) {
                attrs.push_str(" font-style=\"italic\"");
            }
            if m.contains(Modifier::UNDERLINED) {
                attrs.push_str(" text-decoration=\"underline\"");
            }
            let _ = writeln!(
                out,
                "<text x=\"{}\" y=\"{}\" fill=\"{}\"{attrs} textLength=\"{}\" lengthAdjust=\"spacingAndGlyphs\" xml:space=\"preserve\">{}</text>",
                ox + i64::from(start - area.x) * cw,
                oy + i64::from(y - area.y) * ch + 15,
                hex(fg),
                cells * cw,
                escape(trimmed)
            );
        }
    }
}
