//! The package operators install on a manager: `scripts/deb` builds a .deb with the binary, the
//! manual page (English and Spanish) and the completions; dpkg installs it (into a root of the
//! test's own) and what it installed runs, shows its page and completes in bash.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly

mod support;

use std::path::Path;
use std::process::Command;
use support::Engine;

fn ok(c: &mut Command) -> String {
    let o = c.output().unwrap();
    assert!(
        o.status.success(),
        "{:?}: {}",
        c,
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).to_string()
}

#[test]
fn the_package_installs_the_binary_its_manual_and_completions() {
    support::require(&["dpkg-deb", "dpkg", "groff", "bash"]);
    let dir = support::workdir("estiba-deb");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The tests' binary, packaged as the release one is (uncompressed: it is large unstripped).
    let deb = ok(Command::new("bash")
        .arg(repo.join("scripts/deb"))
        .arg(dir.join("out"))
        .env("ESTIBA_BIN", Engine::estiba())
        .env("ESTIBA_DEB_Z", "none"));
    let deb = deb.trim();
    assert!(deb.ends_with(".deb") && Path::new(deb).exists(), "{deb}");
    let fields = ok(Command::new("dpkg-deb").args(["-f", deb, "Package", "Version", "Depends"]));
    assert!(
        fields.contains("Package: estiba") && fields.contains("Depends: libc6"),
        "{fields}"
    );
    let version = env!("CARGO_PKG_VERSION");
    assert!(fields.contains(&format!("Version: {version}")), "{fields}");

    // Installed by dpkg into a root of its own, as `apt install ./estiba_*.deb` would.
    let root = dir.join("root");
    for d in [
        "var/lib/dpkg/updates",
        "var/lib/dpkg/info",
        "var/lib/dpkg/triggers",
    ] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    std::fs::write(root.join("var/lib/dpkg/status"), "").unwrap();
    ok(Command::new("dpkg")
        .arg(format!("--root={}", root.display()))
        .args([
            "--force-depends",
            "--force-not-root",
            "--force-script-chrootless",
            "-i",
            deb,
        ]));
    let listed = ok(Command::new("dpkg")
        .arg(format!("--root={}", root.display()))
        .args(["-L", "estiba"]));
    for f in [
        "/usr/bin/estiba",
        "/usr/share/man/man1/estiba.1.gz",
        "/usr/share/man/es/man1/estiba.1.gz",
        "/usr/share/bash-completion/completions/estiba",
        "/usr/share/zsh/vendor-completions/_estiba",
        "/usr/share/fish/vendor_completions.d/estiba.fish",
    ] {
        assert!(listed.lines().any(|l| l == f), "{f} not in\n{listed}");
    }
    let bin = root.join("usr/bin/estiba");
    let v = ok(Command::new(&bin).arg("--version"));
    assert_eq!(v.trim(), format!("estiba {version}"));
    // The Spanish page, as man shows it.
    let page = ok(Command::new("sh").arg("-c").arg(format!(
        "zcat {} | groff -k -man -Tutf8 -P -cbou",
        root.join("usr/share/man/es/man1/estiba.1.gz").display()
    )));
    assert!(
        page.contains("Cambiar el clúster") && page.contains("SERVICIO"),
        "{page}"
    );
    // Its bash completion, with the installed binary first on PATH.
    let sh = format!(
        "source {}; COMP_WORDS=(estiba dep); COMP_CWORD=1; _estiba; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        root.join("usr/share/bash-completion/completions/estiba")
            .display()
    );
    let got = ok(Command::new("bash").args(["-c", &sh]).env(
        "PATH",
        format!("{}:/usr/bin:/bin", bin.parent().unwrap().display()),
    ));
    assert_eq!(got.trim(), "deploy");
}
