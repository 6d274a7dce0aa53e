use super::*;
use ratatui::style::{Color, Modifier, Style};

fn look(title: Option<&str>, scale: u32) -> Look {
    Look {
        palette: Palette {
            fg: [0xe5, 0xe5, 0xe5],
            bg: [0x1d, 0x1f, 0x24],
        },
        title: title.map(str::to_string),
        scale,
    }
}

fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let dec = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = dec.read_info().unwrap();
    let mut data = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut data).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    data.truncate(info.buffer_size());
    (info.width, info.height, data)
}

fn pixel(data: &[u8], width: u32, x: u32, y: u32) -> [u8; 3] {
    let i = ((y * width + x) * 3) as usize;
    [data[i], data[i + 1], data[i + 2]]
}

#[test]
fn the_png_is_cells_times_cell_size_plus_the_frame() {
    let buf = Buffer::empty(Rect::new(0, 0, 30, 7));
    let (w, h, _) = decode(&encode(&buf, &look(None, 1), Format::Png).unwrap());
    assert_eq!((w, h), (30 * CELL_W, 7 * CELL_H));
    let (w, h, _) = decode(&encode(&buf, &look(None, 2), Format::Png).unwrap());
    assert_eq!((w, h), (30 * CELL_W * 2, 7 * CELL_H * 2));
    let (ew, eh) = frame_extra(1);
    let (w, h, _) = decode(&encode(&buf, &look(Some("Servicios · demo"), 1), Format::Png).unwrap());
    assert_eq!((w, h), (30 * CELL_W + ew, 7 * CELL_H + eh));
}

#[test]
fn a_cell_background_is_its_colour_at_the_centre() {
    let mut buf = Buffer::empty(Rect::new(0, 0, 10, 3));
    buf.set_string(2, 1, "x", Style::default().bg(Color::Rgb(200, 10, 30)));
    buf.set_string(4, 1, " ", Style::default().bg(Color::Red));
    let (w, _, data) = decode(&encode(&buf, &look(None, 1), Format::Png).unwrap());
    let centre = |cx: u32, cy: u32| pixel(&data, w, cx * CELL_W + 1, cy * CELL_H + CELL_H / 2);
    assert_eq!(centre(2, 1), [200, 10, 30], "beside the glyph");
    assert_eq!(
        pixel(&data, w, 4 * CELL_W + 5, CELL_H + 10),
        [0xcd, 0x31, 0x31]
    );
    assert_eq!(
        pixel(&data, w, 5, 5),
        [0x1d, 0x1f, 0x24],
        "Reset is the screen's"
    );
    // Reversed swaps the colours.
    let mut buf = Buffer::empty(Rect::new(0, 0, 1, 1));
    buf.set_string(
        0,
        0,
        " ",
        Style::default()
            .fg(Color::Rgb(1, 2, 3))
            .add_modifier(Modifier::REVERSED),
    );
    let (w, _, data) = decode(&encode(&buf, &look(None, 1), Format::Png).unwrap());
    assert_eq!(pixel(&data, w, 5, 10), [1, 2, 3]);
}

/// How much foreground a picture has: the sum of its brightness.
fn ink(buf: &Buffer) -> u64 {
    let (_, _, data) = decode(&encode(buf, &look(None, 1), Format::Png).unwrap());
    data.iter().map(|v| u64::from(*v)).sum()
}

#[test]
fn bold_has_more_ink_and_accents_and_marks_render() {
    let mut regular = Buffer::empty(Rect::new(0, 0, 12, 1));
    let style = Style::default().fg(Color::White).bg(Color::Black);
    regular.set_string(0, 0, "Cúcuta ✓ ✗ ñ", style);
    let mut bold = regular.clone();
    bold.set_style(bold.area, Style::default().add_modifier(Modifier::BOLD));
    let empty = {
        let mut b = Buffer::empty(Rect::new(0, 0, 12, 1));
        b.set_style(b.area, style);
        b
    };
    assert!(ink(&bold) > ink(&regular), "bold is heavier");
    assert!(ink(&regular) > ink(&empty), "glyphs were drawn");
    // Each of ú, ✓, ✗ and ñ leaves ink in its own cell.
    let (w, _, data) = decode(&encode(&regular, &look(None, 1), Format::Png).unwrap());
    let bg = pixel(&data, w, 0, 0);
    for col in [2u32, 7, 9, 11] {
        let lit =
            (0..CELL_H).any(|y| (0..CELL_W).any(|x| pixel(&data, w, col * CELL_W + x, y) != bg));
        assert!(lit, "column {col} has a glyph");
    }
}

#[test]
fn borders_join_without_seams() {
    let mut buf = Buffer::empty(Rect::new(0, 0, 6, 3));
    let block = ratatui::widgets::Block::bordered();
    ratatui::widgets::Widget::render(block, buf.area, &mut buf);
    let (w, _, data) = decode(&encode(&buf, &look(None, 1), Format::Png).unwrap());
    let fg = pixel(&data, w, CELL_W * 2, CELL_H / 2);
    // Along the top border's centre line every pixel is ink, from the corner to the far corner.
    for x in CELL_W / 2 + 1..CELL_W * 6 - CELL_W / 2 {
        assert_eq!(pixel(&data, w, x, CELL_H / 2), fg, "gap at x={x}");
    }
}

#[test]
fn txt_is_the_buffer_text_and_svg_has_the_cells() {
    let mut buf = Buffer::empty(Rect::new(0, 0, 20, 2));
    buf.set_string(0, 0, "Nodos <3> & más", Style::default().fg(Color::Green));
    buf.set_string(0, 1, "│ok", Style::default().add_modifier(Modifier::BOLD));
    let txt = String::from_utf8(encode(&buf, &look(None, 1), Format::Txt).unwrap()).unwrap();
    assert_eq!(txt, text(&buf));
    assert_eq!(txt, "Nodos <3> & más\n│ok\n");
    let svg = String::from_utf8(encode(&buf, &look(Some("t"), 1), Format::Svg).unwrap()).unwrap();
    assert!(svg.starts_with("<svg"), "{svg}");
    assert!(svg.contains("Nodos &lt;3&gt; &amp; más"), "{svg}");
    assert!(svg.contains("fill=\"#0dbc79\""), "green text: {svg}");
    assert!(svg.contains("font-weight=\"bold\""), "{svg}");
    let (ew, eh) = frame_extra(1);
    assert!(
        svg.contains(&format!("width=\"{}\" height=\"{}\"", 200 + ew, 40 + eh)),
        "{svg}"
    );
}

#[test]
fn crop_takes_the_cells_of_an_area() {
    let mut buf = Buffer::empty(Rect::new(0, 0, 10, 4));
    buf.set_string(3, 2, "abc", Style::default());
    let c = crop(&buf, Rect::new(2, 1, 5, 2));
    assert_eq!(c.area, Rect::new(0, 0, 5, 2));
    assert_eq!(text(&c), "\n abc\n");
    assert_eq!(
        crop(&buf, Rect::new(8, 3, 10, 10)).area,
        Rect::new(0, 0, 2, 1)
    );
}

#[test]
fn secrets_are_masked_and_the_rest_is_kept() {
    let rows = [
        "MONGO_INITDB_ROOT_PASSWORD=s3cret user=bob",
        "  api_key: abc123  │ next",
        "db.token = xyz   Keys: help",
        "docker swarm join --token SWMTKN-1-abc 10.0.0.1:2377",
        "monkey=banana app=api",
    ];
    let mut buf = Buffer::empty(Rect::new(0, 0, 60, rows.len() as u16));
    for (y, r) in rows.iter().enumerate() {
        buf.set_string(0, y as u16, r, Style::default());
    }
    assert_eq!(redact(&mut buf), 4);
    let t = text(&buf);
    let lines: Vec<&str> = t.lines().collect();
    assert_eq!(lines[0], "MONGO_INITDB_ROOT_PASSWORD=•••••• user=bob");
    assert_eq!(lines[1], "  api_key: ••••••  │ next");
    assert_eq!(lines[2], "db.token = •••   Keys: help");
    assert_eq!(
        lines[3],
        "docker swarm join --token ••••••       10.0.0.1:2377"
    );
    assert_eq!(lines[4], "monkey=banana app=api");
}

#[test]
fn names_are_safe_and_never_overwrite() {
    assert_eq!(safe_name("7-escalar-backend"), "7-escalar-backend");
    assert_eq!(safe_name("../etc/passwd"), "etc-passwd");
    assert_eq!(safe_name("Paso 3: réplicas ñ"), "Paso-3-réplicas-ñ");
    assert_eq!(safe_name("a\\b|c?"), "a-b-c");
    assert_eq!(safe_name("  ...  "), "evidencia");
    let dir = tempfile::tempdir().unwrap();
    let buf = Buffer::empty(Rect::new(0, 0, 4, 2));
    let l = look(None, 1);
    let first = save(
        &buf,
        &l,
        &dir.path().join("evidencias"),
        "1-swarm",
        &[Format::Png, Format::Txt],
    )
    .unwrap();
    let names = |v: &[PathBuf]| {
        v.iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&first), ["1-swarm.png", "1-swarm.txt"]);
    let before = std::fs::read(&first[0]).unwrap();
    let second = save(
        &buf,
        &l,
        &dir.path().join("evidencias"),
        "1-swarm",
        &[Format::Png, Format::Txt],
    )
    .unwrap();
    assert_eq!(names(&second), ["1-swarm-2.png", "1-swarm-2.txt"]);
    // A name taken in any format is skipped in all of them.
    std::fs::write(dir.path().join("evidencias/1-swarm-3.svg"), "x").unwrap();
    let third = save(
        &buf,
        &l,
        &dir.path().join("evidencias"),
        "1-swarm",
        &[Format::Png, Format::Svg],
    )
    .unwrap();
    assert_eq!(names(&third), ["1-swarm-4.png", "1-swarm-4.svg"]);
    assert_eq!(std::fs::read(&first[0]).unwrap(), before, "untouched");
    // A folder that cannot be made is a clear error.
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "x").unwrap();
    let e = save(&buf, &l, &blocker.join("sub"), "x", &[Format::Png]).unwrap_err();
    assert!(matches!(e, SnapError::Dir { .. }), "{e}");
}
