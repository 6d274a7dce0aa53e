//! The lab presets shipped in the binary: one folder per lab exercise under presets/, each a
//! `lab.yaml` and the files its stack or manifests need. Plain data, low enough for every layer:
//! `lab` reads the steps and checks, the Kubernetes backend applies a preset's manifests, the
//! grammar completes the names.

/// A preset: its name and its files.
pub struct Preset {
    pub name: &'static str,
    /// Path inside the preset folder, and content.
    pub files: &'static [(&'static str, &'static str)],
}

pub const PRESETS: &[Preset] = &[
    Preset {
        name: "semana-3",
        files: &[
            ("lab.yaml", include_str!("../presets/semana-3/lab.yaml")),
            ("stack.yml", include_str!("../presets/semana-3/stack.yml")),
            ("nginx.conf", include_str!("../presets/semana-3/nginx.conf")),
        ],
    },
    Preset {
        name: "semana-4",
        files: &[
            ("lab.yaml", include_str!("../presets/semana-4/lab.yaml")),
            ("stack.yml", include_str!("../presets/semana-4/stack.yml")),
            ("nginx.conf", include_str!("../presets/semana-4/nginx.conf")),
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
    },
];

/// The presets' names, in the order shipped.
pub fn names() -> Vec<&'static str> {
    PRESETS.iter().map(|p| p.name).collect()
}

/// The Kubernetes manifests a preset ships, if it is a Kubernetes one.
pub fn manifests(name: &str) -> Option<&'static str> {
    PRESETS
        .iter()
        .find(|p| p.name == name)?
        .files
        .iter()
        .find(|(f, _)| *f == "manifests.yaml")
        .map(|(_, t)| *t)
}
