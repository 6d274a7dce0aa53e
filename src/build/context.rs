//! A build context as the docker CLI sends it: the folder's files as a tar, in name order,
//! owned by root, with their modes and modification times, less what `.dockerignore` leaves
//! out. Written to any `Write` as it walks, so a context of any size is never held in memory.

use super::ignore::Ignore;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// What went into the context.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sent {
    pub files: u64,
    pub bytes: u64,
}

/// Where the Dockerfile goes: a path inside the context, or a file outside it that is added to
/// the tar under `name` (as the docker CLI adds a `-f` from elsewhere).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DockerfileAt {
    Inside(String),
    Outside { file: PathBuf, name: String },
}

/// Writes the context under `root` to `out`, honouring `ignore`, then the Dockerfile when it
/// lives outside the context.
pub fn write<W: Write>(
    root: &Path,
    ignore: &Ignore,
    dockerfile: &DockerfileAt,
    out: W,
) -> io::Result<Sent> {
    let mut tar = tar::Builder::new(out);
    tar.follow_symlinks(false);
    let mut sent = Sent::default();
    walk(root, "", ignore, &mut tar, &mut sent)?;
    if let DockerfileAt::Outside { file, name } = dockerfile {
        let meta = std::fs::metadata(file)?;
        let mut header = header(&meta, tar::EntryType::Regular);
        let data = std::fs::File::open(file)?;
        tar.append_data(&mut header, name, data)?;
        sent.files += 1;
        sent.bytes += meta.len();
    }
    tar.into_inner()?.flush()?;
    Ok(sent)
}

fn walk<W: Write>(
    dir: &Path,
    rel: &str,
    ignore: &Ignore,
    tar: &mut tar::Builder<W>,
    sent: &mut Sent,
) -> io::Result<()> {
    let mut names: Vec<_> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<io::Result<_>>()?;
    names.sort();
    for name in names {
        let Some(name) = name.to_str().map(str::to_string) else {
            continue;
        };
        let path = dir.join(&name);
        let rel = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        let meta = std::fs::symlink_metadata(&path)?;
        let excluded = ignore.excludes(&rel);
        let kind = meta.file_type();
        if excluded {
            // Something under an excluded folder can only come back through an exception.
            if kind.is_dir() && ignore.has_exceptions() {
                walk(&path, &rel, ignore, tar, sent)?;
            }
            continue;
        }
        if kind.is_dir() {
            let mut h = header(&meta, tar::EntryType::Directory);
            tar.append_data(&mut h, format!("{rel}/"), io::empty())?;
            walk(&path, &rel, ignore, tar, sent)?;
        } else if kind.is_symlink() {
            let target = std::fs::read_link(&path)?;
            let mut h = header(&meta, tar::EntryType::Symlink);
            tar.append_link(&mut h, &rel, target)?;
        } else if kind.is_file() {
            let mut h = header(&meta, tar::EntryType::Regular);
            let data = std::fs::File::open(&path)?;
            tar.append_data(&mut h, &rel, data)?;
            sent.files += 1;
            sent.bytes += meta.len();
        }
        // Sockets, pipes and devices are left out, as the docker CLI leaves sockets out.
    }
    Ok(())
}

/// A header as the docker CLI writes one: owner 0:0, no user or group names, the file's
/// permission bits and its modification time in whole seconds.
fn header(meta: &std::fs::Metadata, kind: tar::EntryType) -> tar::Header {
    use std::os::unix::fs::MetadataExt;
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_mode(meta.mode() & 0o7777);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(meta.mtime().max(0) as u64);
    h.set_size(if kind == tar::EntryType::Regular {
        meta.len()
    } else {
        0
    });
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(root: &Path, ignore: &str) -> Vec<String> {
        let mut buf = Vec::new();
        let ignore = Ignore::parse(ignore).unwrap();
        write(
            root,
            &ignore,
            &DockerfileAt::Inside("Dockerfile".into()),
            &mut buf,
        )
        .unwrap();
        let mut archive = tar::Archive::new(buf.as_slice());
        archive
            .entries()
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                assert_eq!(e.header().uid().unwrap(), 0);
                e.path().unwrap().display().to_string()
            })
            .collect()
    }

    #[test]
    fn the_tar_follows_name_order_and_the_ignore_file() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in [
            "b.txt",
            "a/x.md",
            "a/keep.md",
            "node_modules/m/i.js",
            "Dockerfile",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, f).unwrap();
        }
        std::os::unix::fs::symlink("b.txt", root.join("link")).unwrap();
        assert_eq!(
            names(root, "node_modules\na/*.md\n!a/keep.md\n"),
            ["Dockerfile", "a/", "a/keep.md", "b.txt", "link"]
        );
        assert_eq!(
            names(root, ""),
            [
                "Dockerfile",
                "a/",
                "a/keep.md",
                "a/x.md",
                "b.txt",
                "link",
                "node_modules/",
                "node_modules/m/",
                "node_modules/m/i.js"
            ]
        );
    }
}
