//! A Dockerfile read as the builder reads it, enough to say where things are: its instructions
//! with their line numbers (continuations joined, comments dropped, the `escape` directive
//! honoured), its stages, and the steps the classic builder numbers ("Step 3/7"). The engine's
//! builder does the building; this tells a failing step's line, checks `--target` before
//! anything is sent, and answers the lab's questions (stages, bases, `USER`, `EXPOSE`).

/// The instructions the builder knows.
const KNOWN: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// A Dockerfile the builder would refuse, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", if *.line == 0 {
    crate::tr!("stack.error_file", file = .file, message = .message)
} else {
    crate::tr!("build.dockerfile_error", file = .file, line = .line, message = .message)
})]
pub struct DockerfileError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// The line the instruction starts on (1-based).
    pub line: usize,
    /// Upper case: `RUN`.
    pub keyword: String,
    /// What follows the keyword, continuations joined with a space.
    pub args: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// `AS name`, lower case as the builder compares it.
    pub name: Option<String>,
    /// The image (or earlier stage) it starts from.
    pub base: String,
    /// Index of its `FROM` in [`Dockerfile::instructions`].
    pub from: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Dockerfile {
    pub file: String,
    pub instructions: Vec<Instruction>,
    pub stages: Vec<Stage>,
}

impl Dockerfile {
    /// Reads `text`; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Dockerfile, DockerfileError> {
        let err = |line: usize, message: String| DockerfileError {
            file: file.to_string(),
            line,
            message,
        };
        let lines: Vec<&str> = text.lines().collect();
        let (escape, first) = directives(&lines);
        let mut instructions = Vec::new();
        let mut i = first;
        while i < lines.len() {
            let t = lines[i].trim();
            if t.is_empty() || t.starts_with('#') {
                i += 1;
                continue;
            }
            let start = i;
            let mut joined = String::new();
            let mut more = true;
            while more && i < lines.len() {
                let line = lines[i].trim_end_matches('\r');
                i += 1;
                let trimmed = line.trim_start();
                if trimmed.starts_with('#') || (trimmed.is_empty() && !joined.is_empty()) {
                    continue;
                }
                let body = line.trim_end();
                match body.strip_suffix(escape) {
                    Some(head) => joined.push_str(head),
                    None => {
                        joined.push_str(body);
                        more = false;
                    }
                }
                joined.push(' ');
            }
            let joined = joined.trim();
            if joined.is_empty() {
                continue;
            }
            let (word, args) = joined
                .split_once(char::is_whitespace)
                .unwrap_or((joined, ""));
            let keyword = word.to_ascii_uppercase();
            if !KNOWN.contains(&keyword.as_str()) {
                return Err(err(
                    start + 1,
                    crate::tr!("build.unknown_instruction", word = word),
                ));
            }
            instructions.push(Instruction {
                line: start + 1,
                keyword,
                args: args.trim().to_string(),
            });
        }
        let stages = stages(&instructions).map_err(|(line, m)| err(line, m))?;
        Ok(Dockerfile {
            file: file.to_string(),
            instructions,
            stages,
        })
    }

    /// The instructions the classic builder runs, in its order, for a build up to `target`
    /// (all stages when `None`): its "Step N/M" is the N-th of these.
    pub fn steps(&self, target: Option<&str>) -> Result<&[Instruction], DockerfileError> {
        let Some(t) = target else {
            return Ok(&self.instructions);
        };
        let t = t.to_ascii_lowercase();
        let Some(at) = self
            .stages
            .iter()
            .position(|s| s.name.as_deref() == Some(t.as_str()))
        else {
            let names: Vec<&str> = self
                .stages
                .iter()
                .filter_map(|s| s.name.as_deref())
                .collect();
            return Err(DockerfileError {
                file: self.file.clone(),
                line: 0,
                message: crate::tr!("build.no_target", target = t, stages = names.join(", ")),
            });
        };
        let end = self
            .stages
            .get(at + 1)
            .map(|s| s.from)
            .unwrap_or(self.instructions.len());
        Ok(&self.instructions[..end])
    }

    /// Instructions of one stage (its `FROM` first).
    pub fn stage(&self, index: usize) -> &[Instruction] {
        let Some(s) = self.stages.get(index) else {
            return &[];
        };
        let end = self
            .stages
            .get(index + 1)
            .map(|n| n.from)
            .unwrap_or(self.instructions.len());
        &self.instructions[s.from..end]
    }

    /// The last `USER` of the final stage, if any.
    pub fn user(&self) -> Option<&str> {
        self.stage(self.stages.len().saturating_sub(1))
            .iter()
            .rev()
            .find(|i| i.keyword == "USER")
            .map(|i| i.args.as_str())
    }

    /// The ports the final stage's `EXPOSE` lines name (`8080/tcp` as written).
    pub fn exposes(&self) -> Vec<String> {
        self.stage(self.stages.len().saturating_sub(1))
            .iter()
            .filter(|i| i.keyword == "EXPOSE")
            .flat_map(|i| i.args.split_whitespace().map(str::to_string))
            .collect()
    }
}

/// The escape character and the first line after the parser directives (`# escape=`,
/// `# syntax=`), which only count at the very top.
fn directives(lines: &[&str]) -> (char, usize) {
    let mut escape = '\\';
    for (i, line) in lines.iter().enumerate() {
        let Some(rest) = line.trim().strip_prefix('#') else {
            return (escape, i);
        };
        let Some((key, value)) = rest.split_once('=') else {
            return (escape, i);
        };
        match key.trim().to_ascii_lowercase().as_str() {
            "escape" => {
                if let Some(c) = value.trim().chars().next() {
                    escape = c;
                }
            }
            "syntax" | "check" => {}
            _ => return (escape, i),
        }
    }
    (escape, lines.len())
}

fn stages(instructions: &[Instruction]) -> Result<Vec<Stage>, (usize, String)> {
    let mut stages = Vec::new();
    for (at, i) in instructions.iter().enumerate() {
        if i.keyword == "FROM" {
            let words: Vec<&str> = i
                .args
                .split_whitespace()
                .filter(|w| !w.starts_with("--"))
                .collect();
            let (base, name) = match words.as_slice() {
                [base] => (*base, None),
                [base, as_, name] if as_.eq_ignore_ascii_case("as") => {
                    (*base, Some(name.to_ascii_lowercase()))
                }
                _ => return Err((i.line, crate::tr!("build.bad_from", args = i.args))),
            };
            stages.push(Stage {
                name,
                base: base.to_string(),
                from: at,
            });
        } else if stages.is_empty() && i.keyword != "ARG" {
            return Err((i.line, crate::tr!("build.from_first", word = i.keyword)));
        }
    }
    if stages.is_empty() {
        return Err((
            instructions.first().map_or(1, |i| i.line),
            crate::tr!("build.no_from"),
        ));
    }
    Ok(stages)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MULTI: &str = "# syntax=docker/dockerfile:1\nARG BASE=busybox\n\n# the build\nFROM $BASE AS build\nRUN echo a \\\n    && echo b\nCOPY . /src\n\nfrom scratch as Final\nCOPY --from=build /src /app\nUSER 1000\nEXPOSE 8080 9090/udp\n";

    #[test]
    fn instructions_carry_their_first_line_and_continuations_are_joined() {
        let d = Dockerfile::parse("Dockerfile", MULTI).unwrap();
        let seen: Vec<(usize, &str)> = d
            .instructions
            .iter()
            .map(|i| (i.line, i.keyword.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                (2, "ARG"),
                (5, "FROM"),
                (6, "RUN"),
                (8, "COPY"),
                (10, "FROM"),
                (11, "COPY"),
                (12, "USER"),
                (13, "EXPOSE")
            ]
        );
        assert_eq!(d.instructions[2].args, "echo a      && echo b");
        assert_eq!(d.stages.len(), 2);
        assert_eq!(d.stages[1].name.as_deref(), Some("final"));
        assert_eq!(d.stages[0].base, "$BASE");
        assert_eq!(d.user(), Some("1000"));
        assert_eq!(d.exposes(), ["8080", "9090/udp"]);
    }

    #[test]
    fn a_target_cuts_the_steps_after_its_stage() {
        let d = Dockerfile::parse("Dockerfile", MULTI).unwrap();
        assert_eq!(d.steps(Some("build")).unwrap().len(), 4);
        assert_eq!(d.steps(Some("FINAL")).unwrap().len(), 8);
        let e = d.steps(Some("test")).unwrap_err();
        assert!(
            e.message.contains("test") && e.message.contains("build, final"),
            "{e}"
        );
    }

    #[test]
    fn errors_name_the_line() {
        let e = Dockerfile::parse("web/Dockerfile", "FROM a\n\nRUNN x\n").unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("web/Dockerfile", 3));
        assert!(e.to_string().starts_with("web/Dockerfile:3: "), "{e}");
        assert!(e.message.contains("RUNN"));
        assert_eq!(Dockerfile::parse("D", "RUN x\n").unwrap_err().line, 1);
        assert_eq!(Dockerfile::parse("D", "# only\n").unwrap_err().line, 1);
        assert_eq!(Dockerfile::parse("D", "FROM a b c\n").unwrap_err().line, 1);
    }

    #[test]
    fn the_escape_directive_changes_the_continuation() {
        let d = Dockerfile::parse("D", "# escape=`\nFROM a\nRUN dir c:\\ `\n  /b\n").unwrap();
        assert_eq!(d.instructions[1].args, "dir c:\\    /b");
        assert_eq!(d.instructions[1].line, 3);
    }
}
