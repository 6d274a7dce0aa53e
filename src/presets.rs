//! The lab presets shipped in the binary: one folder per lab exercise under presets/, each a
//! `lab.yaml` and the files its stack or manifests need. Plain data, low enough for every layer:
//! `lab` reads the steps and checks, the Kubernetes backend applies a preset's manifests, the
//! grammar completes the names.

/// A preset: its name and its files.
pub struct Preset {
    pub name: &'static str,
    /// What `lab init` gives the student: path inside the preset folder, and content (the
    /// statement, the files the lab hands out, skeletons of those the student writes).
    pub files: &'static [(&'static str, &'static str)],
    /// The reference solution, for the instructor and the demo (`lab solve`): the files the
    /// student writes (Dockerfiles, the stack, manifests), under `solution/`.
    pub solution: &'static [(&'static str, &'static str)],
}

pub const PRESETS: &[Preset] = &[
    Preset {
        name: "semana-3",
        files: &[
            ("lab.yaml", include_str!("../presets/semana-3/lab.yaml")),
            ("nginx.conf", include_str!("../presets/semana-3/nginx.conf")),
            ("stack.yml", include_str!("../presets/semana-3/stack.yml")),
        ],
        solution: &[
            (
                "backend/Dockerfile",
                include_str!("../presets/semana-3/solution/backend/Dockerfile"),
            ),
            (
                "backend/app.py",
                include_str!("../presets/semana-3/solution/backend/app.py"),
            ),
            (
                "backend/requirements.txt",
                include_str!("../presets/semana-3/solution/backend/requirements.txt"),
            ),
            (
                "frontend/Dockerfile",
                include_str!("../presets/semana-3/solution/frontend/Dockerfile"),
            ),
            (
                "frontend/package.json",
                include_str!("../presets/semana-3/solution/frontend/package.json"),
            ),
            (
                "frontend/src/index.html",
                include_str!("../presets/semana-3/solution/frontend/src/index.html"),
            ),
            (
                "image-microservice/Dockerfile",
                include_str!("../presets/semana-3/solution/image-microservice/Dockerfile"),
            ),
            (
                "image-microservice/index.js",
                include_str!("../presets/semana-3/solution/image-microservice/index.js"),
            ),
            (
                "image-microservice/package.json",
                include_str!("../presets/semana-3/solution/image-microservice/package.json"),
            ),
            (
                "stack.yml",
                include_str!("../presets/semana-3/solution/stack.yml"),
            ),
        ],
    },
    Preset {
        name: "semana-4",
        files: &[
            ("lab.yaml", include_str!("../presets/semana-4/lab.yaml")),
            ("nginx.conf", include_str!("../presets/semana-4/nginx.conf")),
            ("stack.yml", include_str!("../presets/semana-4/stack.yml")),
        ],
        solution: &[
            (
                "Dockerfile",
                include_str!("../presets/semana-4/solution/Dockerfile"),
            ),
            (
                "app.py",
                include_str!("../presets/semana-4/solution/app.py"),
            ),
            (
                "requirements.txt",
                include_str!("../presets/semana-4/solution/requirements.txt"),
            ),
            (
                "secrets/mongo_password.txt",
                include_str!("../presets/semana-4/solution/secrets/mongo_password.txt"),
            ),
            (
                "secrets/mongo_user.txt",
                include_str!("../presets/semana-4/solution/secrets/mongo_user.txt"),
            ),
            (
                "stack.yml",
                include_str!("../presets/semana-4/solution/stack.yml"),
            ),
        ],
    },
    Preset {
        name: "practica-k8s",
        files: &[
            ("lab.yaml", include_str!("../presets/practica-k8s/lab.yaml")),
            (
                "manifests.yaml",
                include_str!("../presets/practica-k8s/manifests.yaml"),
            ),
        ],
        solution: &[
            (
                "creator/Dockerfile",
                include_str!("../presets/practica-k8s/solution/creator/Dockerfile"),
            ),
            (
                "creator/go.mod",
                include_str!("../presets/practica-k8s/solution/creator/go.mod"),
            ),
            (
                "creator/main.go",
                include_str!("../presets/practica-k8s/solution/creator/main.go"),
            ),
            (
                "verifier/Dockerfile",
                include_str!("../presets/practica-k8s/solution/verifier/Dockerfile"),
            ),
            (
                "verifier/app.py",
                include_str!("../presets/practica-k8s/solution/verifier/app.py"),
            ),
            (
                "verifier/requirements.txt",
                include_str!("../presets/practica-k8s/solution/verifier/requirements.txt"),
            ),
            (
                "keycreator/Dockerfile",
                include_str!("../presets/practica-k8s/solution/keycreator/Dockerfile"),
            ),
            (
                "keycreator/keycreator.sh",
                include_str!("../presets/practica-k8s/solution/keycreator/keycreator.sh"),
            ),
            (
                "compose.yaml",
                include_str!("../presets/practica-k8s/solution/compose.yaml"),
            ),
            (
                "manifests.yaml",
                include_str!("../presets/practica-k8s/solution/manifests.yaml"),
            ),
        ],
    },
    Preset {
        name: "desafio-final",
        files: &[
            (
                "lab.yaml",
                include_str!("../presets/desafio-final/lab.yaml"),
            ),
            (
                "manifests.yaml",
                include_str!("../presets/desafio-final/manifests.yaml"),
            ),
        ],
        solution: &[
            (
                "frontend/Dockerfile",
                include_str!("../presets/desafio-final/solution/frontend/Dockerfile"),
            ),
            (
                "frontend/package.json",
                include_str!("../presets/desafio-final/solution/frontend/package.json"),
            ),
            (
                "backend/Dockerfile",
                include_str!("../presets/desafio-final/solution/backend/Dockerfile"),
            ),
            (
                "backend/requirements.txt",
                include_str!("../presets/desafio-final/solution/backend/requirements.txt"),
            ),
            (
                "compose.yaml",
                include_str!("../presets/desafio-final/solution/compose.yaml"),
            ),
            (
                "manifests.yaml",
                include_str!("../presets/desafio-final/solution/manifests.yaml"),
            ),
        ],
    },
];

/// The presets' names, in the order shipped.
pub fn names() -> Vec<&'static str> {
    PRESETS.iter().map(|p| p.name).collect()
}

/// The Kubernetes manifests of a preset's solution, if it is a Kubernetes one.
pub fn manifests(name: &str) -> Option<&'static str> {
    PRESETS
        .iter()
        .find(|p| p.name == name)?
        .solution
        .iter()
        .find(|(f, _)| *f == "manifests.yaml")
        .map(|(_, t)| *t)
}

#[cfg(test)]
mod tests {
    use super::PRESETS;
    use std::path::Path;

    fn files_under(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                files_under(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap();
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }

    /// Every file a preset ships on disk is in the binary: a solution file left out would make
    /// `lab solve` write an incomplete answer.
    #[test]
    fn every_preset_file_on_disk_is_embedded() {
        for p in PRESETS {
            let root = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("presets")
                .join(p.name);
            let sol = root.join("solution");
            let mut on_disk = Vec::new();
            files_under(&sol, &sol, &mut on_disk);
            let mut embedded: Vec<String> = p.solution.iter().map(|(f, _)| f.to_string()).collect();
            on_disk.sort();
            embedded.sort();
            assert_eq!(on_disk, embedded, "{}", p.name);
            let mut given = Vec::new();
            for e in std::fs::read_dir(&root).unwrap() {
                let path = e.unwrap().path();
                if path.is_file() {
                    given.push(path.file_name().unwrap().to_string_lossy().to_string());
                }
            }
            let mut files: Vec<String> = p.files.iter().map(|(f, _)| f.to_string()).collect();
            given.sort();
            files.sort();
            assert_eq!(given, files, "{}", p.name);
        }
    }
}
