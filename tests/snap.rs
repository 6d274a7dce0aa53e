//! Evidence screenshots from the command line and from the console, with the demo cluster.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly

mod support;

use estiba::export::{CELL_H, CELL_W, cells_origin, frame_extra};
use std::path::{Path, PathBuf};
use std::process::Output;
use support::tmux::Tmux;

fn workdir() -> PathBuf {
    support::workdir("estiba-snap")
}

fn estiba(dir: &Path, args: &[&str]) -> Output {
    support::estiba_in(dir, args)
}

fn size_of(png: &Path) -> (u32, u32) {
    let dec = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png).unwrap()));
    let info = dec.read_info().unwrap();
    (info.info().width, info.info().height)
}

/// A PNG's pixels, decoded: width, height and RGB rows.
fn pixels(png: &Path) -> (u32, u32, Vec<[u8; 3]>) {
    let dec = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png).unwrap()));
    let mut reader = dec.read_info().unwrap();
    let mut data = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut data).unwrap();
    let step = info.color_type.samples();
    let px = data[..info.buffer_size()]
        .chunks(step)
        .map(|c| [c[0], c[1], c[2]])
        .collect();
    (info.width, info.height, px)
}

fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|r| {
            r.map(|e| e.unwrap().file_name().to_string_lossy().to_string())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn headless_snap_draws_a_pane_with_demo_data() {
    let dir = workdir();
    let o = estiba(
        &dir,
        &[
            "--demo",
            "snap",
            "--pane",
            "services",
            "--size",
            "100x30",
            "--out",
            "out/services.png",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (ew, eh) = frame_extra(1);
    assert_eq!(
        size_of(&dir.join("out/services.png")),
        (100 * CELL_W + ew, 30 * CELL_H + eh)
    );
    // The text of the same snapshot has the demo's services in it, and the pane's title.
    let o = estiba(
        &dir,
        &[
            "--demo",
            "snap",
            "--pane",
            "services",
            "--size",
            "100x30",
            "--out",
            "services.txt",
        ],
    );
    assert!(o.status.success());
    let txt = std::fs::read_to_string(dir.join("services.txt")).unwrap();
    assert_eq!(txt.lines().count(), 30, "{txt}");
    assert!(
        txt.contains("Services (5)") && txt.contains("gopenux_backend"),
        "{txt}"
    );
    // The picture shows what the text says, where it says it: each cell is CELL_W x CELL_H
    // pixels from the frame's origin, glyphs drawn in a foreground colour on the background.
    let (w, _, px) = pixels(&dir.join("out/services.png"));
    let at = |x: u32, y: u32| px[(y * w + x) as usize];
    let (ox, oy) = cells_origin(1);
    // The frame: the backdrop at the corner, the title bar's red dot, the window's background.
    assert_eq!(at(0, 0), [0x4a, 0x50, 0x5e], "the backdrop");
    assert_eq!(
        at(44, 24 + 17),
        [0xff, 0x5f, 0x56],
        "the title bar's first dot"
    );
    let bg = at(ox + 2, oy + 2);
    assert_eq!(
        bg,
        [0x1d, 0x1f, 0x24],
        "the dark theme's background under the first cell"
    );
    let find = |name: &str| {
        txt.lines()
            .enumerate()
            .find_map(|(r, l)| {
                l.find(name)
                    .map(|c| (r as u32, l[..c].chars().count() as u32))
            })
            .unwrap()
    };
    let cell = |c: u32, r: u32| -> Vec<[u8; 3]> {
        (0..CELL_H)
            .flat_map(|dy| (0..CELL_W).map(move |dx| (dx, dy)))
            .map(|(dx, dy)| at(ox + c * CELL_W + dx, oy + r * CELL_H + dy))
            .collect()
    };
    let ink = |cell: &[[u8; 3]], bg: [u8; 3]| {
        cell.iter()
            .filter(|p| {
                p.iter()
                    .zip(bg)
                    .map(|(a, b)| a.abs_diff(b) as u32)
                    .sum::<u32>()
                    > 200
            })
            .count()
    };
    // The selected row (gopenux_backend) sits on the theme's selection colour, cyan.
    let (row, col) = find("gopenux_backend");
    assert_eq!(
        cell(col, row)[0],
        [0x11, 0xa8, 0xcd],
        "the selection's background"
    );
    // The g of gopenux_frontend is ink, light on the dark background; a blank cell has none.
    let (row, col) = find("gopenux_frontend");
    let g = cell(col, row);
    assert_eq!(g[0], bg, "an unselected row is on the background");
    assert!(ink(&g, bg) > 8, "a glyph in the cell of 'g'");
    assert!(
        g.iter()
            .any(|p| p.iter().map(|c| u32::from(*c)).sum::<u32>() > 450),
        "the glyph is light on the dark theme"
    );
    let line: Vec<char> = txt.lines().nth(row as usize).unwrap().chars().collect();
    let blank = (col as usize..line.len())
        .find(|&c| line[c] == ' ' && line[c - 1] == ' ')
        .unwrap() as u32;
    let empty = cell(blank, row);
    assert_eq!(ink(&empty, empty[0]), 0, "a blank cell is flat");
    // In Spanish, at scale 2, as SVG.
    let o = estiba(
        &dir,
        &[
            "--demo",
            "--lang",
            "es",
            "snap",
            "nodos",
            "--scale",
            "2",
            "--out",
            "nodos.png",
        ],
    );
    assert!(o.status.success());
    let (ew, eh) = frame_extra(2);
    assert_eq!(
        size_of(&dir.join("nodos.png")),
        (120 * CELL_W * 2 + ew, 40 * CELL_H * 2 + eh)
    );
    let o = estiba(&dir, &["--demo", "snap", "screen", "--out", "screen.svg"]);
    assert!(o.status.success());
    let svg = std::fs::read_to_string(dir.join("screen.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("gopenux_backend"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn headless_snap_names_files_in_evidencias_and_never_overwrites() {
    let dir = workdir();
    for _ in 0..2 {
        let o = estiba(&dir, &["--demo", "snap", "tasks", "5-desplegar-stack"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    assert_eq!(
        files(&dir.join("evidencias")),
        [
            "5-desplegar-stack-2.png",
            "5-desplegar-stack-2.txt",
            "5-desplegar-stack.png",
            "5-desplegar-stack.txt"
        ]
    );
    // Without a name: the pane and the time. --evidence-dir and the config move the folder.
    let o = estiba(&dir, &["--demo", "snap", "nodes", "--evidence-dir", "otra"]);
    assert!(o.status.success());
    let made = files(&dir.join("otra"));
    assert!(
        made.len() == 2 && made[0].starts_with("nodes-2"),
        "{made:?}"
    );
    std::fs::create_dir_all(dir.join(".config")).unwrap();
    std::fs::write(
        dir.join(".config/config.toml"),
        "[snap]\ndir = \"fotos\"\nformats = [\"svg\"]\nframe = false\n",
    )
    .unwrap();
    let o = estiba(&dir, &["--demo", "snap", "images", "imagenes"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(files(&dir.join("fotos")), ["imagenes.svg"]);
    let svg = std::fs::read_to_string(dir.join("fotos/imagenes.svg")).unwrap();
    assert!(
        svg.contains("width=\"1200\" height=\"800\""),
        "no frame: {}",
        &svg[..200]
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn bad_snap_input_is_refused_clearly() {
    let dir = workdir();
    let o = estiba(&dir, &["--demo", "snap", "--size", "big"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--size"));
    let o = estiba(&dir, &["--demo", "snap", "--out", "x.jpg"]);
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(e.contains("x.jpg") && e.contains(".png"), "{e}");
    std::fs::write(dir.join("blocker"), "x").unwrap();
    let o = estiba(&dir, &["--demo", "snap", "--evidence-dir", "blocker/sub"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("blocker/sub"));
    assert!(!dir.join("evidencias").exists(), "nothing written");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn f2_in_the_console_saves_the_lab_step_into_evidencias() {
    support::require(&["tmux"]);
    let dir = workdir();
    let t = Tmux::in_dir(120, 40, &dir, "es_ES.UTF-8", "--demo");
    t.wait_for("gopenux_backend", 10);
    // In a lab, F2 saves at once under the step's name. (The demo is a swarm manager already:
    // step 5 passes as the lab opens, and its picture is saved by itself.)
    t.text(":lab semana-3");
    t.keys(&["Enter"]);
    t.wait_for("1-certificados", 5);
    t.wait_for("paso 5-swarm-manager hecho", 10);
    t.keys(&["F2"]);
    t.wait_for("Guardada evidencias/1-certificados.png", 5);
    assert_eq!(
        files(&dir.join("evidencias")),
        [
            "1-certificados.png",
            "1-certificados.txt",
            "5-swarm-manager.png",
            "5-swarm-manager.txt"
        ]
    );
    let txt = std::fs::read_to_string(dir.join("evidencias/1-certificados.txt")).unwrap();
    assert!(txt.contains("gopenux_backend"), "the focused pane: {txt}");
    assert!(!txt.contains("DEMO"), "the pane, not the status bar: {txt}");
    // Without a lab, F2 writes the command with a name to edit; Enter saves.
    t.text(":lab close");
    t.keys(&["Enter"]);
    t.keys(&["1"]);
    t.keys(&["F2"]);
    t.wait_for(":snap pane nodos-", 5);
    t.keys(&["C-u"]);
    t.text("snap screen 7-escalar-backend");
    t.keys(&["Enter"]);
    t.wait_for("Guardada evidencias/7-escalar-backend.png", 5);
    let txt = std::fs::read_to_string(dir.join("evidencias/7-escalar-backend.txt")).unwrap();
    assert!(
        txt.contains("DEMO") && txt.contains("manager1"),
        "the whole screen: {txt}"
    );
    assert!(!txt.contains(":snap"), "the palette had closed: {txt}");
    t.keys(&["q"]);
    t.wait_for("[exited 0]", 10);
    std::fs::remove_dir_all(dir).unwrap();
}
