//! The classic builder's stream ("Step 2/5 : RUN …", " ---> Using cache", the command's output,
//! " ---> 3f2a…") read into steps: each with its Dockerfile line, whether it came from the cache,
//! the time it took and its last lines of output, so progress reads as people expect and a
//! failure names the Dockerfile's file:line with what the command printed last.

use super::context::Sent;
use super::dockerfile::Instruction;
use crate::model::action::{BuildSpec, Detail, Outcome, Progress};
use crate::model::human_size;
use crate::sanitize::one_line;
use crate::tr;
use std::collections::VecDeque;

/// Lines of a step's output kept for the failure message.
const TAIL: usize = 10;

/// One step as it went.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// "2/5"
    pub number: String,
    /// The Dockerfile line, when the step is one of the file's instructions.
    pub line: Option<usize>,
    /// As the builder echoes it: `RUN pip install -r requirements.txt`.
    pub text: String,
    pub cached: bool,
    /// Seconds, once done.
    pub secs: Option<f64>,
}

/// Reads the builder's stream as it comes.
#[derive(Debug, Default)]
pub struct Steps {
    file: String,
    plan: Vec<Instruction>,
    pub done: Vec<Step>,
    current: Option<(Step, f64)>,
    output: VecDeque<String>,
    partial: String,
    /// `Successfully built ID` (or the aux message's ID).
    pub image: Option<String>,
}

impl Steps {
    /// `file` names the Dockerfile in messages; `plan` are the instructions the builder counts.
    pub fn new(file: &str, plan: Vec<Instruction>) -> Steps {
        Steps {
            file: file.to_string(),
            plan,
            ..Default::default()
        }
    }

    /// A piece of the stream's text, `now` in seconds (any origin): the progress to show.
    pub fn feed(&mut self, text: &str, now: f64) -> Vec<Progress> {
        self.partial.push_str(text);
        let mut shown = Vec::new();
        while let Some(at) = self.partial.find('\n') {
            let line: String = self.partial.drain(..=at).collect();
            let line = line.trim_end_matches(['\n', '\r']);
            if let Some(p) = self.line(line, now) {
                shown.push(p);
            }
        }
        shown
    }

    fn line(&mut self, line: &str, now: f64) -> Option<Progress> {
        if let Some(rest) = line.strip_prefix("Step ") {
            let (number, text) = rest.split_once(" : ").unwrap_or((rest, ""));
            let index = number
                .split('/')
                .next()
                .and_then(|n| n.parse::<usize>().ok());
            let line_no = index
                .and_then(|n| self.plan.get(n.checked_sub(1)?))
                .map(|i| i.line);
            self.finish(now);
            self.output.clear();
            let step = Step {
                number: number.to_string(),
                line: line_no,
                text: one_line(text),
                cached: false,
                secs: None,
            };
            let shown = match line_no {
                Some(l) => tr!(
                    "build.step",
                    number = number,
                    file = self.file,
                    line = l,
                    text = step.text
                ),
                None => tr!("build.step_plain", number = number, text = step.text),
            };
            self.current = Some((step, now));
            return Some(Progress::Step(shown));
        }
        if let Some(rest) = line.strip_prefix(" ---> ") {
            if rest == "Using cache" {
                if let Some((s, _)) = &mut self.current {
                    s.cached = true;
                }
                return Some(Progress::Step(tr!("build.cached")));
            }
            if rest.starts_with("Running in ") {
                return None;
            }
            // The ID of the layer the step made: the step is done.
            let secs = self.finish(now)?;
            let cached = self.done.last().is_some_and(|s| s.cached);
            return (!cached)
                .then(|| Progress::Step(tr!("build.step_done", secs = format!("{secs:.1}"))));
        }
        if let Some(id) = line.strip_prefix("Successfully built ") {
            self.finish(now);
            self.image = Some(id.trim().to_string());
            return None;
        }
        if line.starts_with("Successfully tagged ")
            || line.starts_with("Removing intermediate container ")
        {
            return None;
        }
        if line.trim().is_empty() {
            return None;
        }
        let clean = one_line(line);
        if self.output.len() == TAIL {
            self.output.pop_front();
        }
        self.output.push_back(clean.clone());
        Some(Progress::Step(format!("  │ {clean}")))
    }

    /// Closes the step under way, if any; its time.
    fn finish(&mut self, now: f64) -> Option<f64> {
        let (mut s, started) = self.current.take()?;
        let secs = (now - started).max(0.0);
        s.secs = Some(secs);
        self.done.push(s);
        Some(secs)
    }

    /// The failure as a student reads it: where in the Dockerfile, which step, what the engine
    /// said, and the command's last lines.
    pub fn failure(&self, engine: &str) -> String {
        let engine = one_line(engine);
        let mut out = match &self.current {
            Some((s, _)) => match s.line {
                Some(l) => tr!(
                    "build.failed_at",
                    file = self.file,
                    line = l,
                    number = s.number,
                    text = s.text,
                    message = engine
                ),
                None => tr!(
                    "build.failed_step",
                    number = s.number,
                    text = s.text,
                    message = engine
                ),
            },
            None => tr!("build.failed", message = engine),
        };
        if !self.output.is_empty() {
            out.push('\n');
            out.push_str(&tr!("build.last_output"));
            for l in &self.output {
                out.push_str("\n  │ ");
                out.push_str(l);
            }
        }
        out
    }

    /// The summary and, as detail, each step with its time.
    pub fn outcome(&self, spec: &BuildSpec, id: &str, sent: Sent, secs: f64) -> Outcome {
        let steps = self;
        let short = id
            .trim_start_matches("sha256:")
            .chars()
            .take(12)
            .collect::<String>();
        let secs = format!("{secs:.1}");
        let summary = match spec.tags.first() {
            Some(image) => tr!(
                "build.built",
                image = image,
                id = short,
                secs = secs,
                steps = steps.done.len(),
                cached = steps.cached()
            ),
            None => tr!(
                "build.built_untagged",
                id = short,
                secs = secs,
                steps = steps.done.len(),
                cached = steps.cached()
            ),
        };
        let mut lines = vec![tr!(
            "build.sent",
            files = sent.files,
            size = human_size(sent.bytes)
        )];
        for s in &steps.done {
            let took = if s.cached {
                tr!("build.cached").trim().to_string()
            } else {
                format!("{:.1} s", s.secs.unwrap_or(0.0))
            };
            lines.push(format!("{:>5}  {:<12}  {}", s.number, took, s.text));
        }
        Outcome {
            summary,
            detail: Some(Detail::Text(lines.join("\n"))),
        }
    }

    /// How many finished steps came from the cache.
    pub fn cached(&self) -> usize {
        self.done.iter().filter(|s| s.cached).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::dockerfile::Dockerfile;

    #[test]
    fn the_stream_becomes_steps_with_lines_cache_marks_and_times() {
        crate::i18n::set_lang(crate::i18n::Lang::En);
        let d = Dockerfile::parse(
            "Dockerfile",
            "FROM base\n\nCOPY . /app\nRUN make \\\n  all\n",
        )
        .unwrap();
        let mut s = Steps::new("Dockerfile", d.instructions.clone());
        let mut shown = Vec::new();
        shown.extend(s.feed("Step 1/3 : FROM base\n ---> 11aa\n", 0.0));
        shown.extend(s.feed(
            "Step 2/3 : COPY . /app\n ---> Using cache\n ---> 22bb\n",
            0.5,
        ));
        shown.extend(s.feed("Step 3/3 : RUN make   all\n ---> Running in 99\nbuil", 1.0));
        shown.extend(s.feed("ding\n", 2.0));
        shown.extend(s.feed("Removing intermediate container 99\n ---> 33cc\n", 3.5));
        shown.extend(s.feed("Successfully built 33cc\nSuccessfully tagged x:1\n", 3.5));
        let text: Vec<&str> = shown.iter().map(Progress::text).collect();
        assert_eq!(
            text,
            [
                "Step 1/3 · Dockerfile:1 · FROM base",
                "  done in 0.0 s",
                "Step 2/3 · Dockerfile:3 · COPY . /app",
                "  from the cache",
                "Step 3/3 · Dockerfile:4 · RUN make   all",
                "  │ building",
                "  done in 2.5 s",
            ]
        );
        assert_eq!(s.image.as_deref(), Some("33cc"));
        assert_eq!(s.done.len(), 3);
        assert_eq!(s.cached(), 1);
        assert_eq!(s.done[2].secs, Some(2.5));
    }

    #[test]
    fn a_failure_names_the_line_and_the_last_output() {
        crate::i18n::set_lang(crate::i18n::Lang::En);
        let d = Dockerfile::parse("api/Dockerfile", "FROM base\nRUN false\n").unwrap();
        let mut s = Steps::new("api/Dockerfile", d.instructions.clone());
        s.feed(
            "Step 1/2 : FROM base\n ---> 11\nStep 2/2 : RUN false\n ---> Running in 9\noops\n",
            0.0,
        );
        let f = s.failure("The command '/bin/sh -c false' returned a non-zero code: 1");
        assert!(
            f.starts_with("api/Dockerfile:2: step 2/2 RUN false failed: The command"),
            "{f}"
        );
        assert!(f.ends_with("  │ oops"), "{f}");
    }
}
