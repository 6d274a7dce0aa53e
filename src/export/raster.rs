//! The Buffer as pixels: each cell's background, then its glyph from the embedded DejaVu Sans Mono
//! (regular or bold), or drawn by code for lines, blocks and braille. Optional freeze-style frame.

use super::canvas::{Canvas, Rgb, luminance, mix};
use super::glyphs::{self, Cell};
use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use std::collections::HashMap;
use unicode_width::UnicodeWidthStr;

const REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSansMono.ttf");
const BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSansMono-Bold.ttf");

/// Cell size at scale 1, in pixels.
pub const CELL_W: u32 = 10;
pub const CELL_H: u32 = 20;

/// The frame around the cells, at scale 1: margin outside the window, the title bar, and the
/// padding between the window's edge and the cells.
const MARGIN: u32 = 24;
const BAR: u32 = 34;
const PAD: u32 = 14;
const PAD_TOP: u32 = 6;

/// Where the first cell starts in a framed picture, in pixels from its top left corner.
pub fn cells_origin(scale: u32) -> (u32, u32) {
    ((MARGIN + PAD) * scale, (MARGIN + BAR + PAD_TOP) * scale)
}

/// Characters that fit in the title bar over `cols` columns (the dots take the start).
pub fn title_room(cols: u16) -> usize {
    ((u32::from(cols) * CELL_W + 2 * PAD).saturating_sub(84 + 14) / CELL_W) as usize
}

/// What the frame adds to the cells' width and height.
pub fn frame_extra(scale: u32) -> (u32, u32) {
    (
        2 * (MARGIN + PAD) * scale,
        (2 * MARGIN + BAR + PAD_TOP + PAD) * scale,
    )
}

struct Fonts {
    regular: FontRef<'static>,
    bold: FontRef<'static>,
}

/// Parsed at the first snapshot, not at start.
fn fonts() -> Option<&'static Fonts> {
    static FONTS: std::sync::OnceLock<Option<Fonts>> = std::sync::OnceLock::new();
    FONTS
        .get_or_init(|| {
            Some(Fonts {
                regular: FontRef::try_from_slice(REGULAR).ok()?,
                bold: FontRef::try_from_slice(BOLD).ok()?,
            })
        })
        .as_ref()
}

/// A glyph's coverage, placed relative to the cell's top-left corner.
struct Mask {
    left: i64,
    top: i64,
    width: usize,
    cov: Vec<u8>,
}

/// Glyph masks for one size, made once each.
struct Glyphs {
    fonts: &'static Fonts,
    px: f32,
    baseline: f32,
    cache: HashMap<(char, bool), Option<Mask>>,
}

impl Glyphs {
    fn new(scale: u32) -> Option<Glyphs> {
        let fonts = fonts()?;
        let cw = (CELL_W * scale) as f32;
        let ch = (CELL_H * scale) as f32;
        let unit = fonts.regular.as_scaled(PxScale::from(1.0));
        let advance = unit.h_advance(fonts.regular.glyph_id('M')).max(0.1);
        let px = cw / advance;
        let scaled = fonts.regular.as_scaled(PxScale::from(px));
        let height = scaled.ascent() - scaled.descent();
        let baseline = ((ch - height) / 2.0 + scaled.ascent()).round();
        Some(Glyphs {
            fonts,
            px,
            baseline,
            cache: HashMap::new(),
        })
    }

    fn mask(&mut self, c: char, bold: bool) -> Option<&Mask> {
        let (fonts, px, baseline) = (self.fonts, self.px, self.baseline);
        self.cache
            .entry((c, bold))
            .or_insert_with(|| {
                let font = if bold { &fonts.bold } else { &fonts.regular };
                let id = font.glyph_id(c);
                if id.0 == 0 {
                    return None;
                }
                let glyph = id.with_scale_and_position(PxScale::from(px), point(0.0, baseline));
                let outline = font.outline_glyph(glyph)?;
                let b = outline.px_bounds();
                let width = b.width().max(0.0) as usize;
                let mut cov = vec![0u8; width * b.height().max(0.0) as usize];
                outline.draw(|x, y, v| {
                    if let Some(p) = cov.get_mut(y as usize * width + x as usize) {
                        *p = (v.clamp(0.0, 1.0) * 255.0).round() as u8;
                    }
                });
                Some(Mask {
                    left: b.min.x as i64,
                    top: b.min.y as i64,
                    width,
                    cov,
                })
            })
            .as_ref()
    }

    /// Draws `c` with its top-left cell corner at (x, y); a box when the font lacks it.
    fn draw(&mut self, canvas: &mut Canvas, cell: Cell, c: char, bold: bool, fg: Rgb) {
        match self.mask(c, bold) {
            Some(m) => {
                for (i, a) in m.cov.iter().enumerate() {
                    let (gx, gy) = ((i % m.width) as i64, (i / m.width) as i64);
                    canvas.blend(cell.x + m.left + gx, cell.y + m.top + gy, fg, *a);
                }
            }
            None if u32::from(c) < 0x300 || c.is_whitespace() => {}
            None => {
                // The font has no glyph: an outlined box, as terminals draw one.
                let (mx, my) = (cell.w / 5, cell.h / 5);
                let (x0, y0, w, h) = (cell.x + mx, cell.y + my, cell.w - 2 * mx, cell.h - 2 * my);
                canvas.fill(x0, y0, w, 1, fg);
                canvas.fill(x0, y0 + h - 1, w, 1, fg);
                canvas.fill(x0, y0, 1, h, fg);
                canvas.fill(x0 + w - 1, y0, 1, h, fg);
            }
        }
    }
}

/// The screen's default colours, for cells that keep the terminal's own (`Color::Reset`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Palette {
    pub fg: Rgb,
    pub bg: Rgb,
}

impl Palette {
    /// A theme's foreground and background; where the theme keeps the terminal's, a dark or a
    /// light screen to suit its foreground.
    pub fn of(fg: ratatui::style::Color, bg: ratatui::style::Color) -> Palette {
        let fg = rgb(fg, [0xe5, 0xe5, 0xe5], false);
        let dark = luminance(fg) >= 0.5;
        let default_bg = if dark {
            [0x1d, 0x1f, 0x24]
        } else {
            [0xfa, 0xfa, 0xfa]
        };
        Palette {
            fg,
            bg: rgb(bg, default_bg, true),
        }
    }

    pub fn dark(&self) -> bool {
        luminance(self.bg) < 0.5
    }
}

/// The 16 ANSI colours as a modern terminal shows them.
const ANSI: [Rgb; 16] = [
    [0x1d, 0x1f, 0x24],
    [0xcd, 0x31, 0x31],
    [0x0d, 0xbc, 0x79],
    [0xe5, 0xc0, 0x10],
    [0x24, 0x72, 0xc8],
    [0xbc, 0x3f, 0xbc],
    [0x11, 0xa8, 0xcd],
    [0xcc, 0xcc, 0xcc],
    [0x76, 0x76, 0x76],
    [0xf1, 0x4c, 0x4c],
    [0x23, 0xd1, 0x8b],
    [0xf5, 0xf5, 0x43],
    [0x3b, 0x8e, 0xea],
    [0xd6, 0x70, 0xd6],
    [0x29, 0xb8, 0xdb],
    [0xf2, 0xf2, 0xf2],
];

/// A ratatui colour in RGB; `Reset` is `default`.
pub fn rgb(c: Color, default: Rgb, _background: bool) -> Rgb {
    match c {
        Color::Reset => default,
        Color::Black => ANSI[0],
        Color::Red => ANSI[1],
        Color::Green => ANSI[2],
        Color::Yellow => ANSI[3],
        Color::Blue => ANSI[4],
        Color::Magenta => ANSI[5],
        Color::Cyan => ANSI[6],
        Color::Gray => ANSI[7],
        Color::DarkGray => ANSI[8],
        Color::LightRed => ANSI[9],
        Color::LightGreen => ANSI[10],
        Color::LightYellow => ANSI[11],
        Color::LightBlue => ANSI[12],
        Color::LightMagenta => ANSI[13],
        Color::LightCyan => ANSI[14],
        Color::White => ANSI[15],
        Color::Rgb(r, g, b) => [r, g, b],
        Color::Indexed(i) => indexed(i),
    }
}

fn indexed(i: u8) -> Rgb {
    match i {
        0..=15 => ANSI[usize::from(i)],
        16..=231 => {
            let i = i - 16;
            let level = |v: u8| if v == 0 { 0 } else { 55 + v * 40 };
            [level(i / 36), level((i / 6) % 6), level(i % 6)]
        }
        _ => {
            let v = 8 + (i - 232) * 10;
            [v, v, v]
        }
    }
}

/// A cell's colours after reverse, dim and hidden.
fn cell_colours(cell: &ratatui::buffer::Cell, pal: &Palette) -> (Rgb, Rgb) {
    let m = cell.modifier;
    let mut fg = rgb(cell.fg, pal.fg, false);
    let mut bg = rgb(cell.bg, pal.bg, true);
    if m.contains(Modifier::REVERSED) {
        std::mem::swap(&mut fg, &mut bg);
    }
    if m.contains(Modifier::DIM) {
        fg = mix(bg, fg, 0.55);
    }
    (fg, bg)
}

/// Draws every cell of `buf` with its top-left corner at (ox, oy).
fn cells(
    canvas: &mut Canvas,
    glyphs: &mut Glyphs,
    buf: &Buffer,
    pal: &Palette,
    scale: u32,
    ox: i64,
    oy: i64,
) {
    let (cw, ch) = (i64::from(CELL_W * scale), i64::from(CELL_H * scale));
    let area = buf.area;
    let at = |x: u16, y: u16| Cell {
        x: ox + i64::from(x - area.x) * cw,
        y: oy + i64::from(y - area.y) * ch,
        w: cw,
        h: ch,
    };
    // Backgrounds first: a wide glyph may reach over the next cell.
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            let (_, bg) = cell_colours(&buf[(x, y)], pal);
            let c = at(x, y);
            canvas.fill(c.x, c.y, c.w, c.h, bg);
        }
    }
    let line = (ch / 20).max(1);
    for y in area.top()..area.bottom() {
        let mut x = area.left();
        while x < area.right() {
            let cell = &buf[(x, y)];
            let sym = cell.symbol();
            let width = UnicodeWidthStr::width(sym).max(1) as u16;
            let (fg, _) = cell_colours(cell, pal);
            let mut c = at(x, y);
            c.w *= i64::from(width);
            let m = cell.modifier;
            if !m.contains(Modifier::HIDDEN) {
                let bold = m.contains(Modifier::BOLD);
                let mut chars = sym.chars();
                if let Some(first) = chars.next()
                    && !glyphs::draw(canvas, at(x, y), first, fg)
                {
                    glyphs.draw(canvas, c, first, bold, fg);
                    // Combining marks are drawn over the same cell.
                    for mark in chars {
                        glyphs.draw(canvas, c, mark, bold, fg);
                    }
                }
                if m.contains(Modifier::UNDERLINED) {
                    let under = match cell.underline_color {
                        Color::Reset => fg,
                        u => rgb(u, fg, false),
                    };
                    let base = glyphs.baseline as i64;
                    canvas.fill(c.x, c.y + base + line * 2, c.w, line, under);
                }
                if m.contains(Modifier::CROSSED_OUT) {
                    canvas.fill(c.x, c.y + ch / 2, c.w, line, fg);
                }
            }
            x += width;
        }
    }
}

/// Draws a line of text (the frame's title) from the cell `first` on, cut with "…" to `max_w`
/// pixels.
fn text(canvas: &mut Canvas, glyphs: &mut Glyphs, s: &str, first: Cell, max_w: i64, fg: Rgb) {
    let Cell { x, y, w: cw, h: ch } = first;
    let room = (max_w / cw).max(0) as usize;
    let chars: Vec<char> = s.chars().collect();
    let shown: Vec<char> = if chars.len() > room {
        chars[..room.saturating_sub(1)]
            .iter()
            .copied()
            .chain(std::iter::once('…'))
            .collect()
    } else {
        chars
    };
    for (i, c) in shown.into_iter().enumerate() {
        let cell = Cell {
            x: x + i as i64 * cw,
            y,
            w: cw,
            h: ch,
        };
        if !glyphs::draw(canvas, cell, c, fg) {
            glyphs.draw(canvas, cell, c, false, fg);
        }
    }
}

/// The picture of `buf`: its cells, and with `title` a window frame around them.
pub fn render(buf: &Buffer, pal: &Palette, title: Option<&str>, scale: u32) -> Option<Canvas> {
    let scale = scale.clamp(1, 4);
    let mut glyphs = Glyphs::new(scale)?;
    let (cw, ch) = (CELL_W * scale, CELL_H * scale);
    let (gw, gh) = (
        u32::from(buf.area.width) * cw,
        u32::from(buf.area.height) * ch,
    );
    let Some(title) = title else {
        let mut canvas = Canvas::new(gw, gh, pal.bg);
        cells(&mut canvas, &mut glyphs, buf, pal, scale, 0, 0);
        return Some(canvas);
    };
    let (ew, eh) = frame_extra(scale);
    let s = i64::from(scale);
    let dark = pal.dark();
    let backdrop = if dark {
        [0x4a, 0x50, 0x5e]
    } else {
        [0xc3, 0xc9, 0xd3]
    };
    let mut canvas = Canvas::new(gw + ew, gh + eh, backdrop);
    let m = i64::from(MARGIN) * s;
    let (ww, wh) = (i64::from(gw + ew) - 2 * m, i64::from(gh + eh) - 2 * m);
    let radius = 10.0 * scale as f32;
    // A hairline around the window, then the window, then its title bar.
    canvas.rounded(
        m - 1,
        m - 1,
        ww + 2,
        wh + 2,
        radius + 1.0,
        mix(backdrop, pal.fg, 0.25),
    );
    canvas.rounded(m, m, ww, wh, radius, pal.bg);
    let bar = mix(pal.bg, pal.fg, if dark { 0.09 } else { 0.06 });
    let bar_h = i64::from(BAR) * s;
    canvas.rounded(m, m, ww, bar_h, radius, bar);
    canvas.fill(
        m,
        m + bar_h - radius.ceil() as i64,
        ww,
        radius.ceil() as i64,
        bar,
    );
    let cy = (m + bar_h / 2) as f32;
    for (i, dot) in [[0xff, 0x5f, 0x56], [0xff, 0xbd, 0x2e], [0x27, 0xc9, 0x3f]]
        .into_iter()
        .enumerate()
    {
        canvas.circle(
            (m + 20 * s + i as i64 * 20 * s) as f32,
            cy,
            6.0 * scale as f32,
            dot,
        );
    }
    let tx = m + 84 * s;
    text(
        &mut canvas,
        &mut glyphs,
        title,
        Cell {
            x: tx,
            y: m + (bar_h - i64::from(ch)) / 2,
            w: i64::from(cw),
            h: i64::from(ch),
        },
        m + ww - tx - 14 * s,
        mix(bar, pal.fg, 0.75),
    );
    let (ox, oy) = (m + i64::from(PAD) * s, m + bar_h + i64::from(PAD_TOP) * s);
    cells(&mut canvas, &mut glyphs, buf, pal, scale, ox, oy);
    Some(canvas)
}

/// PNG bytes of a canvas, with the title as its description.
pub fn encode_png(canvas: &Canvas, title: &str) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, canvas.width, canvas.height);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        enc.add_text_chunk("Software".into(), "estiba".into())?;
        if !title.is_empty() && title.is_ascii() {
            enc.add_text_chunk("Title".into(), title.into())?;
        } else if !title.is_empty() {
            enc.add_itxt_chunk("Title".into(), title.into())?;
        }
        let mut w = enc.write_header()?;
        w.write_image_data(&canvas.data)?;
        w.finish()?;
    }
    Ok(out)
}
