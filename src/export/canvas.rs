//! An RGB pixel buffer with the few drawing operations the exporter needs.

pub type Rgb = [u8; 3];

pub struct Canvas {
    pub width: u32,
    pub height: u32,
    /// Rows of RGB triples, top to bottom.
    pub data: Vec<u8>,
}

impl Canvas {
    pub fn new(width: u32, height: u32, fill: Rgb) -> Canvas {
        let mut data = Vec::with_capacity(width as usize * height as usize * 3);
        for _ in 0..width as usize * height as usize {
            data.extend_from_slice(&fill);
        }
        Canvas {
            width,
            height,
            data,
        }
    }

    pub fn pixel(&self, x: u32, y: u32) -> Rgb {
        let i = (y as usize * self.width as usize + x as usize) * 3;
        match self.data.get(i..i + 3) {
            Some(p) => [p[0], p[1], p[2]],
            None => [0, 0, 0],
        }
    }

    /// Fills a rectangle, clipped to the canvas.
    pub fn fill(&mut self, x: i64, y: i64, w: i64, h: i64, c: Rgb) {
        let (x0, y0) = (x.max(0), y.max(0));
        let x1 = (x + w).min(i64::from(self.width));
        let y1 = (y + h).min(i64::from(self.height));
        if x0 >= x1 || y0 >= y1 {
            return;
        }
        let stride = self.width as usize * 3;
        for row in y0 as usize..y1 as usize {
            let start = row * stride + x0 as usize * 3;
            let end = row * stride + x1 as usize * 3;
            for px in self.data[start..end].chunks_exact_mut(3) {
                px.copy_from_slice(&c);
            }
        }
    }

    /// Lays colour `c` over one pixel with coverage `a` (0 = nothing, 255 = opaque).
    pub fn blend(&mut self, x: i64, y: i64, c: Rgb, a: u8) {
        if a == 0 || x < 0 || y < 0 || x >= i64::from(self.width) || y >= i64::from(self.height) {
            return;
        }
        let i = (y as usize * self.width as usize + x as usize) * 3;
        if a == 255 {
            self.data[i..i + 3].copy_from_slice(&c);
            return;
        }
        let a = u32::from(a);
        for (old, new) in self.data[i..i + 3].iter_mut().zip(c) {
            *old = ((u32::from(new) * a + u32::from(*old) * (255 - a) + 127) / 255) as u8;
        }
    }

    /// Blends a rectangle with constant coverage.
    pub fn blend_rect(&mut self, x: i64, y: i64, w: i64, h: i64, c: Rgb, a: u8) {
        for yy in y..y + h {
            for xx in x..x + w {
                self.blend(xx, yy, c, a);
            }
        }
    }

    /// Paints the pixels of a region by coverage: `f(px, py)` gives 0.0..=1.0 at a pixel centre.
    pub fn shade(&mut self, x: i64, y: i64, w: i64, h: i64, c: Rgb, f: impl Fn(f32, f32) -> f32) {
        for yy in y..y + h {
            for xx in x..x + w {
                let cov = f(xx as f32 + 0.5, yy as f32 + 0.5).clamp(0.0, 1.0);
                self.blend(xx, yy, c, (cov * 255.0).round() as u8);
            }
        }
    }

    /// A rounded rectangle with smooth corners.
    pub fn rounded(&mut self, x: i64, y: i64, w: i64, h: i64, r: f32, c: Rgb) {
        let ri = r.ceil() as i64;
        self.fill(x + ri, y, w - 2 * ri, h, c);
        self.fill(x, y + ri, ri, h - 2 * ri, c);
        self.fill(x + w - ri, y + ri, ri, h - 2 * ri, c);
        let corners = [
            (x, y, x as f32 + r, y as f32 + r),
            (x + w - ri, y, (x + w) as f32 - r, y as f32 + r),
            (x, y + h - ri, x as f32 + r, (y + h) as f32 - r),
            (
                x + w - ri,
                y + h - ri,
                (x + w) as f32 - r,
                (y + h) as f32 - r,
            ),
        ];
        for (cx, cy, ox, oy) in corners {
            self.shade(cx, cy, ri, ri, c, |px, py| {
                r + 0.5 - ((px - ox).powi(2) + (py - oy).powi(2)).sqrt()
            });
        }
    }

    /// A filled circle with a smooth edge.
    pub fn circle(&mut self, cx: f32, cy: f32, r: f32, c: Rgb) {
        let (x0, y0) = ((cx - r - 1.0).floor() as i64, (cy - r - 1.0).floor() as i64);
        let side = (2.0 * r + 3.0).ceil() as i64;
        self.shade(x0, y0, side, side, c, |px, py| {
            r + 0.5 - ((px - cx).powi(2) + (py - cy).powi(2)).sqrt()
        });
    }
}

/// `a` mixed with `b`: 0.0 is all `a`, 1.0 all `b`.
pub fn mix(a: Rgb, b: Rgb, t: f32) -> Rgb {
    let m = |x: u8, y: u8| (f32::from(x) + (f32::from(y) - f32::from(x)) * t).round() as u8;
    [m(a[0], b[0]), m(a[1], b[1]), m(a[2], b[2])]
}

/// Relative luminance, 0.0 (black) to 1.0 (white).
pub fn luminance(c: Rgb) -> f32 {
    (0.2126 * f32::from(c[0]) + 0.7152 * f32::from(c[1]) + 0.0722 * f32::from(c[2])) / 255.0
}
