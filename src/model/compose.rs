//! What `estiba compose` is asked, backend-neutral: the verb, the project options docker compose
//! takes before it (`-f`, `-p`, `--env-file`, `--profile`), the services named after it and the
//! verb's flags; and the docker compose command line that does the same.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verb {
    Up,
    Down,
    Ps,
    Logs,
    Restart,
    Stop,
    Start,
    Build,
}

impl Verb {
    pub fn word(self) -> &'static str {
        match self {
            Verb::Up => "up",
            Verb::Down => "down",
            Verb::Ps => "ps",
            Verb::Logs => "logs",
            Verb::Restart => "restart",
            Verb::Stop => "stop",
            Verb::Start => "start",
            Verb::Build => "build",
        }
    }

    pub fn parse(w: &str) -> Option<Verb> {
        [
            Verb::Up,
            Verb::Down,
            Verb::Ps,
            Verb::Logs,
            Verb::Restart,
            Verb::Stop,
            Verb::Start,
            Verb::Build,
        ]
        .into_iter()
        .find(|v| v.word() == w)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComposeSpec {
    pub verb: Verb,
    /// `-f`, in order (none: `compose.yaml` and the other default names).
    pub files: Vec<String>,
    /// `-p`
    pub project: Option<String>,
    pub env_files: Vec<String>,
    pub profiles: Vec<String>,
    /// The services named after the verb (none: all).
    pub services: Vec<String>,
    /// `up -d`: return once the containers run (without it, `up` also waits for them).
    pub detach: bool,
    /// `up --build`: build the images of `build:` sections first.
    pub build: bool,
    /// `down -v`: remove the named volumes too.
    pub volumes: bool,
    /// `down --rmi local`: remove the images built for services without an `image:` name.
    pub rmi_local: bool,
    /// `logs -f`
    pub follow: bool,
    /// `ps -a`: stopped containers too.
    pub all: bool,
}

impl ComposeSpec {
    pub fn new(verb: Verb) -> ComposeSpec {
        ComposeSpec {
            verb,
            files: vec![],
            project: None,
            env_files: vec![],
            profiles: vec![],
            services: vec![],
            detach: false,
            build: false,
            volumes: false,
            rmi_local: false,
            follow: false,
            all: false,
        }
    }

    /// The docker compose command line that does the same.
    pub fn cli(&self) -> String {
        let mut w = vec!["docker compose".to_string()];
        w.extend(self.files.iter().map(|f| format!("-f {f}")));
        if let Some(p) = &self.project {
            w.push(format!("-p {p}"));
        }
        w.extend(self.env_files.iter().map(|f| format!("--env-file {f}")));
        w.extend(self.profiles.iter().map(|p| format!("--profile {p}")));
        w.push(self.verb.word().into());
        for (on, flag) in [
            (self.detach, "-d"),
            (self.build, "--build"),
            (self.volumes, "-v"),
            (self.rmi_local, "--rmi local"),
            (self.follow, "-f"),
            (self.all, "-a"),
        ] {
            if on {
                w.push(flag.into());
            }
        }
        w.extend(self.services.iter().cloned());
        w.join(" ")
    }
}

/// `docker container start|stop|restart|kill|rm NAME`: one plain container.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ContainerVerb {
    Start,
    Stop,
    Restart,
    Kill,
    Rm,
}

impl ContainerVerb {
    pub const ALL: [ContainerVerb; 5] = [
        ContainerVerb::Start,
        ContainerVerb::Stop,
        ContainerVerb::Restart,
        ContainerVerb::Kill,
        ContainerVerb::Rm,
    ];

    pub fn word(self) -> &'static str {
        match self {
            ContainerVerb::Start => "start",
            ContainerVerb::Stop => "stop",
            ContainerVerb::Restart => "restart",
            ContainerVerb::Kill => "kill",
            ContainerVerb::Rm => "rm",
        }
    }

    pub fn parse(w: &str) -> Option<ContainerVerb> {
        Self::ALL.into_iter().find(|v| v.word() == w)
    }
}
