//! Box-drawing lines, block elements and braille, drawn by code so that borders join without seams
//! and bars have no gaps (font glyphs for these rarely fill the cell exactly).

use super::canvas::{Canvas, Rgb};

/// A cell's rectangle in pixels.
#[derive(Debug, Clone, Copy)]
pub struct Cell {
    pub x: i64,
    pub y: i64,
    pub w: i64,
    pub h: i64,
}

/// Draws `c` when it is one of the characters drawn by code; false otherwise.
pub fn draw(canvas: &mut Canvas, cell: Cell, c: char, fg: Rgb) -> bool {
    let code = u32::from(c);
    match code {
        0x2500..=0x257F => lines(canvas, cell, code, fg),
        0x2580..=0x259F => blocks(canvas, cell, code, fg),
        0x2800..=0x28FF => braille(canvas, cell, code - 0x2800, fg),
        _ => return false,
    }
    true
}

/// The weight of each arm (up, right, down, left) of U+2500..=U+254B and U+2550..=U+256C and
/// U+2574..=U+257F: 0 none, 1 light, 2 heavy, 3 double.
const ARMS: &[(u32, [u8; 4])] = &[
    (0x2500, [0, 1, 0, 1]),
    (0x2501, [0, 2, 0, 2]),
    (0x2502, [1, 0, 1, 0]),
    (0x2503, [2, 0, 2, 0]),
    (0x250C, [0, 1, 1, 0]),
    (0x250D, [0, 2, 1, 0]),
    (0x250E, [0, 1, 2, 0]),
    (0x250F, [0, 2, 2, 0]),
    (0x2510, [0, 0, 1, 1]),
    (0x2511, [0, 0, 1, 2]),
    (0x2512, [0, 0, 2, 1]),
    (0x2513, [0, 0, 2, 2]),
    (0x2514, [1, 1, 0, 0]),
    (0x2515, [1, 2, 0, 0]),
    (0x2516, [2, 1, 0, 0]),
    (0x2517, [2, 2, 0, 0]),
    (0x2518, [1, 0, 0, 1]),
    (0x2519, [1, 0, 0, 2]),
    (0x251A, [2, 0, 0, 1]),
    (0x251B, [2, 0, 0, 2]),
    (0x251C, [1, 1, 1, 0]),
    (0x251D, [1, 2, 1, 0]),
    (0x251E, [2, 1, 1, 0]),
    (0x251F, [1, 1, 2, 0]),
    (0x2520, [2, 1, 2, 0]),
    (0x2521, [2, 2, 1, 0]),
    (0x2522, [1, 2, 2, 0]),
    (0x2523, [2, 2, 2, 0]),
    (0x2524, [1, 0, 1, 1]),
    (0x2525, [1, 0, 1, 2]),
    (0x2526, [2, 0, 1, 1]),
    (0x2527, [1, 0, 2, 1]),
    (0x2528, [2, 0, 2, 1]),
    (0x2529, [2, 0, 1, 2]),
    (0x252A, [1, 0, 2, 2]),
    (0x252B, [2, 0, 2, 2]),
    (0x252C, [0, 1, 1, 1]),
    (0x252D, [0, 1, 1, 2]),
    (0x252E, [0, 2, 1, 1]),
    (0x252F, [0, 2, 1, 2]),
    (0x2530, [0, 1, 2, 1]),
    (0x2531, [0, 1, 2, 2]),
    (0x2532, [0, 2, 2, 1]),
    (0x2533, [0, 2, 2, 2]),
    (0x2534, [1, 1, 0, 1]),
    (0x2535, [1, 1, 0, 2]),
    (0x2536, [1, 2, 0, 1]),
    (0x2537, [1, 2, 0, 2]),
    (0x2538, [2, 1, 0, 1]),
    (0x2539, [2, 1, 0, 2]),
    (0x253A, [2, 2, 0, 1]),
    (0x253B, [2, 2, 0, 2]),
    (0x253C, [1, 1, 1, 1]),
    (0x253D, [1, 1, 1, 2]),
    (0x253E, [1, 2, 1, 1]),
    (0x253F, [1, 2, 1, 2]),
    (0x2540, [2, 1, 1, 1]),
    (0x2541, [1, 1, 2, 1]),
    (0x2542, [2, 1, 2, 1]),
    (0x2543, [2, 1, 1, 2]),
    (0x2544, [2, 2, 1, 1]),
    (0x2545, [1, 1, 2, 2]),
    (0x2546, [1, 2, 2, 1]),
    (0x2547, [2, 2, 1, 2]),
    (0x2548, [1, 2, 2, 2]),
    (0x2549, [2, 1, 2, 2]),
    (0x254A, [2, 2, 2, 1]),
    (0x254B, [2, 2, 2, 2]),
    (0x2550, [0, 3, 0, 3]),
    (0x2551, [3, 0, 3, 0]),
    (0x2552, [0, 3, 1, 0]),
    (0x2553, [0, 1, 3, 0]),
    (0x2554, [0, 3, 3, 0]),
    (0x2555, [0, 0, 1, 3]),
    (0x2556, [0, 0, 3, 1]),
    (0x2557, [0, 0, 3, 3]),
    (0x2558, [1, 3, 0, 0]),
    (0x2559, [3, 1, 0, 0]),
    (0x255A, [3, 3, 0, 0]),
    (0x255B, [1, 0, 0, 3]),
    (0x255C, [3, 0, 0, 1]),
    (0x255D, [3, 0, 0, 3]),
    (0x255E, [1, 3, 1, 0]),
    (0x255F, [3, 1, 3, 0]),
    (0x2560, [3, 3, 3, 0]),
    (0x2561, [1, 0, 1, 3]),
    (0x2562, [3, 0, 3, 1]),
    (0x2563, [3, 0, 3, 3]),
    (0x2564, [0, 3, 1, 3]),
    (0x2565, [0, 1, 3, 1]),
    (0x2566, [0, 3, 3, 3]),
    (0x2567, [1, 3, 0, 3]),
    (0x2568, [3, 1, 0, 1]),
    (0x2569, [3, 3, 0, 3]),
    (0x256A, [1, 3, 1, 3]),
    (0x256B, [3, 1, 3, 1]),
    (0x256C, [3, 3, 3, 3]),
    (0x2574, [0, 0, 0, 1]),
    (0x2575, [1, 0, 0, 0]),
    (0x2576, [0, 1, 0, 0]),
    (0x2577, [0, 0, 1, 0]),
    (0x2578, [0, 0, 0, 2]),
    (0x2579, [2, 0, 0, 0]),
    (0x257A, [0, 2, 0, 0]),
    (0x257B, [0, 0, 2, 0]),
    (0x257C, [0, 2, 0, 1]),
    (0x257D, [1, 0, 2, 0]),
    (0x257E, [0, 1, 0, 2]),
    (0x257F, [2, 0, 1, 0]),
];

/// Line thicknesses for a cell: light and heavy.
fn thickness(cell: Cell) -> (i64, i64) {
    let light = (cell.w / 8).max(1);
    (light, light * 2 + 1)
}

/// Box-drawing lines, by their kind.
fn lines(canvas: &mut Canvas, cell: Cell, code: u32, fg: Rgb) {
    match code {
        0x2504..=0x250B | 0x254C..=0x254F => dashed(canvas, cell, code, fg),
        0x256D..=0x2570 => rounded(canvas, cell, code, fg),
        0x2571..=0x2573 => diagonal(canvas, cell, code, fg),
        _ => straight(canvas, cell, code, fg),
    }
}

/// Diagonals: rising, falling, or both crossed.
fn diagonal(canvas: &mut Canvas, cell: Cell, code: u32, fg: Rgb) {
    let (light, _) = thickness(cell);
    let Cell { x, y, w, h } = cell;
    let (x0, y0, x1, y1) = (x as f32, y as f32, (x + w) as f32, (y + h) as f32);
    let half = light as f32 / 2.0 + 0.25;
    let seg = |px: f32, py: f32, ax: f32, ay: f32, bx: f32, by: f32| {
        let (dx, dy) = (bx - ax, by - ay);
        ((px - ax) * dy - (py - ay) * dx).abs() / (dx * dx + dy * dy).sqrt()
    };
    canvas.shade(x, y, w, h, fg, |px, py| {
        let rising = half + 0.5 - seg(px, py, x0, y1, x1, y0);
        let falling = half + 0.5 - seg(px, py, x0, y0, x1, y1);
        match code {
            0x2571 => rising,
            0x2572 => falling,
            _ => rising.max(falling),
        }
    });
}

/// Dashed lines: 2, 3 or 4 dashes, light or heavy.
fn dashed(canvas: &mut Canvas, cell: Cell, code: u32, fg: Rgb) {
    let (light, heavy) = thickness(cell);
    let Cell { x, y, w, h } = cell;
    // The centre lines: a line of thickness t starts t/2 before the centre.
    let (cx, cy) = (x + w / 2, y + h / 2);
    let (n, heavy_line, vertical) = match code {
        0x2504 => (3, false, false),
        0x2505 => (3, true, false),
        0x2506 => (3, false, true),
        0x2507 => (3, true, true),
        0x2508 => (4, false, false),
        0x2509 => (4, true, false),
        0x250A => (4, false, true),
        0x250B => (4, true, true),
        0x254C => (2, false, false),
        0x254D => (2, true, false),
        0x254E => (2, false, true),
        _ => (2, true, true),
    };
    let t = if heavy_line { heavy } else { light };
    let len = if vertical { h } else { w };
    for i in 0..n {
        let start = i * len / n;
        let dash = ((len / n) * 2 / 3).max(1);
        if vertical {
            canvas.fill(cx - t / 2, y + start, t, dash, fg);
        } else {
            canvas.fill(x + start, cy - t / 2, dash, t, fg);
        }
    }
}

/// Rounded corners: a quarter circle, then straight on to the two edges.
fn rounded(canvas: &mut Canvas, cell: Cell, code: u32, fg: Rgb) {
    let (light, _) = thickness(cell);
    let Cell { x, y, w, h } = cell;
    // The centre lines: a line of thickness t starts t/2 before the centre.
    let (cx, cy) = (x + w / 2, y + h / 2);
    let (fx, fy) = (
        (cx - light / 2) as f32 + light as f32 / 2.0,
        (cy - light / 2) as f32 + light as f32 / 2.0,
    );
    let r = (fx - x as f32).min((x + w) as f32 - fx).max(1.0);
    // (horizontal direction, vertical direction) of the two arms.
    let (sx, sy) = match code {
        0x256D => (1.0, 1.0),
        0x256E => (-1.0, 1.0),
        0x256F => (-1.0, -1.0),
        _ => (1.0, -1.0),
    };
    let (ox, oy) = (fx + sx * r, fy + sy * r);
    let half = light as f32 / 2.0;
    canvas.shade(x, y, w, h, fg, |px, py| {
        // Only the quarter of the circle that faces the cell's centre.
        if (px - ox) * sx > 0.0 || (py - oy) * sy > 0.0 {
            return 0.0;
        }
        let d = ((px - ox).powi(2) + (py - oy).powi(2)).sqrt();
        half + 0.5 - (d - r).abs()
    });
    let ey = oy.round() as i64;
    if sy > 0.0 {
        canvas.fill(cx - light / 2, ey, light, y + h - ey, fg);
    } else {
        canvas.fill(cx - light / 2, y, light, ey - y, fg);
    }
    let ex = ox.round() as i64;
    if sx > 0.0 {
        canvas.fill(ex, cy - light / 2, x + w - ex, light, fg);
    } else {
        canvas.fill(x, cy - light / 2, ex - x, light, fg);
    }
}

/// Straight lines and their joins, light, heavy or double, from the arms table.
fn straight(canvas: &mut Canvas, cell: Cell, code: u32, fg: Rgb) {
    let (light, heavy) = thickness(cell);
    let Cell { x, y, w, h } = cell;
    // The centre lines: a line of thickness t starts t/2 before the centre.
    let (cx, cy) = (x + w / 2, y + h / 2);
    let Some((_, arms)) = ARMS.iter().find(|(c, _)| *c == code) else {
        return;
    };
    let [up, right, down, left] = *arms;
    let t = |k: u8| match k {
        2 => heavy,
        _ => light,
    };
    let gap = light + 1;
    // Arms reach past the centre by half the widest crossing line, so joins are solid.
    let reach_v = [left, right].iter().map(|k| t(*k)).max().unwrap_or(0) / 2
        + if left == 3 || right == 3 { gap } else { 0 };
    let reach_h = [up, down].iter().map(|k| t(*k)).max().unwrap_or(0) / 2
        + if up == 3 || down == 3 { gap } else { 0 };
    let vertical = |canvas: &mut Canvas, k: u8, from: i64, to: i64| {
        let offsets: &[i64] = if k == 3 { &[-gap, gap] } else { &[0] };
        for o in offsets {
            canvas.fill(cx + o - t(k) / 2, from, t(k), to - from, fg);
        }
    };
    let horizontal = |canvas: &mut Canvas, k: u8, from: i64, to: i64| {
        let offsets: &[i64] = if k == 3 { &[-gap, gap] } else { &[0] };
        for o in offsets {
            canvas.fill(from, cy + o - t(k) / 2, to - from, t(k), fg);
        }
    };
    if up > 0 {
        vertical(canvas, up, y, cy + reach_v + 1);
    }
    if down > 0 {
        vertical(canvas, down, cy - reach_v, y + h);
    }
    if left > 0 {
        horizontal(canvas, left, x, cx + reach_h + 1);
    }
    if right > 0 {
        horizontal(canvas, right, cx - reach_h, x + w);
    }
}

fn blocks(canvas: &mut Canvas, cell: Cell, code: u32, fg: Rgb) {
    let Cell { x, y, w, h } = cell;
    let eighths_h = |k: i64| (h * k + 4) / 8;
    let eighths_w = |k: i64| (w * k + 4) / 8;
    match code {
        0x2580 => canvas.fill(x, y, w, h / 2, fg),
        // The partial lower blocks are a sparkline's bars: a column of the cell is left between
        // them, or side by side in a picture they merge into one blob.
        0x2581..=0x2587 => {
            let k = i64::from(code - 0x2580);
            let hh = eighths_h(k);
            let gap = (w / 5).max(1);
            canvas.fill(x, y + h - hh, w - gap, hh, fg);
        }
        0x2588 => canvas.fill(x, y, w, h, fg),
        0x2589..=0x258F => {
            let k = 8 - i64::from(code - 0x2588);
            canvas.fill(x, y, eighths_w(k), h, fg);
        }
        0x2590 => canvas.fill(x + w / 2, y, w - w / 2, h, fg),
        0x2591..=0x2593 => {
            let a = [64u8, 128, 192][(code - 0x2591) as usize];
            canvas.blend_rect(x, y, w, h, fg, a);
        }
        0x2594 => canvas.fill(x, y, w, eighths_h(1), fg),
        0x2595 => {
            let ww = eighths_w(1);
            canvas.fill(x + w - ww, y, ww, h, fg);
        }
        _ => {
            // Quadrants: bits upper-left 1, upper-right 2, lower-left 4, lower-right 8.
            let bits = [4u8, 8, 1, 13, 9, 7, 11, 2, 6, 14][(code - 0x2596) as usize];
            let (hw, hh) = (w / 2, h / 2);
            let quads = [
                (1, x, y, hw, hh),
                (2, x + hw, y, w - hw, hh),
                (4, x, y + hh, hw, h - hh),
                (8, x + hw, y + hh, w - hw, h - hh),
            ];
            for (bit, qx, qy, qw, qh) in quads {
                if bits & bit != 0 {
                    canvas.fill(qx, qy, qw, qh, fg);
                }
            }
        }
    }
}

fn braille(canvas: &mut Canvas, cell: Cell, dots: u32, fg: Rgb) {
    // Dots 1-3 and 7 in the left column (bits 0, 1, 2, 6), 4-6 and 8 in the right (3, 4, 5, 7).
    const POS: [(u32, u32); 8] = [
        (0, 0),
        (0, 1),
        (0, 2),
        (1, 0),
        (1, 1),
        (1, 2),
        (0, 3),
        (1, 3),
    ];
    let (dw, dh) = (cell.w as f32 / 2.0, cell.h as f32 / 4.0);
    let r = dw.min(dh) * 0.32;
    for (bit, (col, row)) in POS.iter().enumerate() {
        if dots & (1 << bit) != 0 {
            canvas.circle(
                cell.x as f32 + (*col as f32 + 0.5) * dw,
                cell.y as f32 + (*row as f32 + 0.5) * dh,
                r,
                fg,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BG: Rgb = [0, 0, 0];
    const FG: Rgb = [255, 255, 255];

    fn one(c: char) -> Canvas {
        let mut canvas = Canvas::new(10, 20, BG);
        assert!(draw(
            &mut canvas,
            Cell {
                x: 0,
                y: 0,
                w: 10,
                h: 20
            },
            c,
            FG
        ));
        canvas
    }

    #[test]
    fn lines_reach_the_edges_they_name_so_borders_join() {
        let c = one('─');
        assert_eq!(c.pixel(0, 10), FG);
        assert_eq!(c.pixel(9, 10), FG);
        assert_eq!(c.pixel(5, 0), BG);
        let c = one('┏');
        assert_eq!(c.pixel(9, 10), FG, "right arm");
        assert_eq!(c.pixel(5, 19), FG, "down arm");
        assert_eq!(c.pixel(0, 10), BG, "no left arm");
        assert_eq!(c.pixel(5, 0), BG, "no up arm");
        let c = one('╭');
        assert_eq!(c.pixel(5, 19), FG);
        assert!(c.pixel(9, 10)[0] > 240, "the arc meets the right edge");
        assert_eq!(c.pixel(0, 0), BG);
    }

    #[test]
    fn blocks_fill_exactly_and_shades_blend() {
        let c = one('█');
        assert!(c.data.chunks(3).all(|p| p == FG));
        let c = one('▄');
        assert_eq!(c.pixel(3, 9), BG);
        assert_eq!(c.pixel(3, 10), FG);
        let c = one('░');
        assert_eq!(c.pixel(3, 3), [64, 64, 64]);
        // A sparkline's bar keeps a column free, so that bars side by side stay apart.
        let c = one('▅');
        assert_eq!(c.pixel(0, 19), FG);
        assert_eq!(c.pixel(8, 19), BG);
        assert!(!draw(
            &mut Canvas::new(1, 1, BG),
            Cell {
                x: 0,
                y: 0,
                w: 1,
                h: 1
            },
            'a',
            FG
        ));
    }

    #[test]
    fn braille_dots_land_in_their_places() {
        // ⠁ is dot 1 only: upper left.
        let c = one('⠁');
        assert_eq!(c.pixel(2, 2), FG);
        assert_eq!(c.pixel(7, 2), BG);
        assert_eq!(c.pixel(2, 17), BG);
    }
}
