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
        solution: &[(
            "manifests.yaml",
            include_str!("../presets/practica-k8s/solution/manifests.yaml"),
        )],
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
        solution: &[(
            "manifests.yaml",
            include_str!("../presets/desafio-final/solution/manifests.yaml"),
        )],
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
