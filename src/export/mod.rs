//! Evidence screenshots: the exact cells the console draws (a ratatui Buffer) saved as PNG, SVG
//! and text, named after the lab step, never overwriting, with secrets masked.

pub mod canvas;
mod glyphs;
pub mod raster;
mod svg;

use crate::tr;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::path::{Path, PathBuf};

pub use crate::config::{DEFAULT_DIR, Format};
pub use crate::sanitize::safe_name;
pub use raster::{CELL_H, CELL_W, Palette, cells_origin, frame_extra};

/// How a snapshot is drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Look {
    pub palette: Palette,
    /// The frame's title; `None` draws no frame.
    pub title: Option<String>,
    pub scale: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum SnapError {
    #[error("{}", tr!("snap.err_dir", dir = .dir, detail = .detail))]
    Dir { dir: String, detail: String },
    #[error("{}", tr!("snap.err_write", file = .file, detail = .detail))]
    Write { file: String, detail: String },
    #[error("{}", tr!("snap.err_format", file = .file))]
    Format { file: String },
    #[error("{}", tr!("snap.err_font"))]
    Font,
}

/// The cells of `area` (clipped to the buffer) as a buffer of their own, at the origin.
pub fn crop(buf: &Buffer, area: Rect) -> Buffer {
    let area = area.intersection(buf.area);
    let mut out = Buffer::empty(Rect::new(0, 0, area.width, area.height));
    for y in 0..area.height {
        for x in 0..area.width {
            out[(x, y)] = buf[(area.x + x, area.y + y)].clone();
        }
    }
    out
}

/// The text of the cells, a line a row, trailing spaces trimmed (a wide character's second
/// cell is skipped).
pub fn text(buf: &Buffer) -> String {
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

pub use crate::model::inspect::secret_key;

/// Masks values whose keys look secret, wherever they are on screen: `KEY=value`, `key: value`,
/// `key = value` and `--token value`. Returns how many values were masked.
pub fn redact(buf: &mut Buffer) -> usize {
    let area = buf.area;
    let mut masked = 0;
    for y in area.top()..area.bottom() {
        // The row's characters with their columns (wide characters take one entry).
        let mut row: Vec<(u16, char)> = Vec::new();
        let mut x = area.left();
        while x < area.right() {
            let sym = buf[(x, y)].symbol();
            row.push((x, sym.chars().next().unwrap_or(' ')));
            x += unicode_width::UnicodeWidthStr::width(sym).max(1) as u16;
        }
        let word = |c: char| c.is_alphanumeric() || matches!(c, '_' | '.' | '-');
        let stop = |c: char| c.is_whitespace() || ('\u{2500}'..='\u{259f}').contains(&c);
        let mut i = 0;
        while i < row.len() {
            if !word(row[i].1) || (i > 0 && word(row[i - 1].1)) {
                i += 1;
                continue;
            }
            let start = i;
            while i < row.len() && word(row[i].1) {
                i += 1;
            }
            let key: String = row[start..i].iter().map(|(_, c)| *c).collect();
            if !secret_key(&key) {
                continue;
            }
            let rest: String = row[i..].iter().map(|(_, c)| *c).take(3).collect();
            let skip = if rest.starts_with('=') {
                1
            } else if rest.starts_with(": ") {
                2
            } else if rest.starts_with(" = ") {
                3
            } else if key.starts_with("--") && rest.starts_with(' ') {
                1
            } else {
                continue;
            };
            let mut v = i + skip;
            while v < row.len() && row[v].1 == ' ' && skip > 1 {
                v += 1;
            }
            let value_start = v;
            while v < row.len() && !stop(row[v].1) {
                v += 1;
            }
            if v == value_start {
                continue;
            }
            for (n, (x, _)) in row[value_start..v].iter().enumerate() {
                buf[(*x, y)].set_symbol(if n < 6 { "•" } else { " " });
            }
            masked += 1;
            i = v;
        }
    }
    masked
}

/// `stem`, or `stem-2`, `stem-3`... the first for which no file of any of `formats` exists.
pub fn free_stem(dir: &Path, stem: &str, formats: &[Format]) -> String {
    let taken = |s: &str| {
        formats
            .iter()
            .any(|f| dir.join(format!("{s}.{}", f.extension())).exists())
    };
    if !taken(stem) {
        return stem.to_string();
    }
    (2..)
        .map(|n| format!("{stem}-{n}"))
        .find(|s| !taken(s))
        .unwrap_or_else(|| stem.to_string())
}

/// The bytes of one format.
pub fn encode(buf: &Buffer, look: &Look, format: Format) -> Result<Vec<u8>, SnapError> {
    let title = look.title.as_deref();
    Ok(match format {
        Format::Txt => text(buf).into_bytes(),
        Format::Svg => svg::render(buf, &look.palette, title).into_bytes(),
        Format::Png => {
            let canvas =
                raster::render(buf, &look.palette, title, look.scale).ok_or(SnapError::Font)?;
            raster::encode_png(&canvas, title.unwrap_or_default()).map_err(|e| {
                SnapError::Write {
                    file: "png".into(),
                    detail: e.to_string(),
                }
            })?
        }
    })
}

/// Saves `buf` into `dir` (created when missing) as `NAME.png`, `NAME.txt`... under the first
/// free name: nothing is ever overwritten. Returns the files written.
pub fn save(
    buf: &Buffer,
    look: &Look,
    dir: &Path,
    name: &str,
    formats: &[Format],
) -> Result<Vec<PathBuf>, SnapError> {
    std::fs::create_dir_all(dir).map_err(|e| SnapError::Dir {
        dir: dir.display().to_string(),
        detail: e.to_string(),
    })?;
    let formats: Vec<Format> = if formats.is_empty() {
        vec![Format::Png]
    } else {
        formats.to_vec()
    };
    let stem = free_stem(dir, &safe_name(name), &formats);
    let mut written = Vec::new();
    for f in formats {
        let path = dir.join(format!("{stem}.{}", f.extension()));
        let bytes = encode(buf, look, f)?;
        write_new(&path, &bytes)?;
        written.push(path);
    }
    Ok(written)
}

/// Writes a file that must not exist yet.
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), SnapError> {
    use std::io::Write;
    let err = |e: std::io::Error| SnapError::Write {
        file: path.display().to_string(),
        detail: e.to_string(),
    };
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(err)?;
    f.write_all(bytes).map_err(err)
}

/// Writes one file whose format is its extension (`--out`); replaces it if it exists.
pub fn write_to(buf: &Buffer, look: &Look, path: &Path) -> Result<(), SnapError> {
    let format = Format::of(path).ok_or_else(|| SnapError::Format {
        file: path.display().to_string(),
    })?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| SnapError::Dir {
            dir: parent.display().to_string(),
            detail: e.to_string(),
        })?;
    }
    let bytes = encode(buf, look, format)?;
    std::fs::write(path, bytes).map_err(|e| SnapError::Write {
        file: path.display().to_string(),
        detail: e.to_string(),
    })
}

/// The frame's title: what the picture shows, where, at which step, and when. When it does not
/// fit in `room` characters the cluster goes first, then what, then the time: the step stays.
pub fn caption(what: &str, cluster: &str, step: Option<&str>, when: &str, room: usize) -> String {
    let join = |parts: &[&str]| {
        parts
            .iter()
            .filter(|p| !p.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join("  ·  ")
    };
    let step = step.unwrap_or_default();
    let tries = [
        join(&[what, cluster, step, when]),
        join(&[what, step, when]),
        join(&[step, when]),
    ];
    let fits = |s: &&String| unicode_width::UnicodeWidthStr::width(s.as_str()) <= room;
    tries
        .iter()
        .find(fits)
        .cloned()
        .unwrap_or_else(|| join(&[if step.is_empty() { what } else { step }]))
}

/// How many characters the frame's title has room for over `cols` columns.
pub fn title_room(cols: u16) -> usize {
    raster::title_room(cols)
}

#[cfg(test)]
mod tests;
