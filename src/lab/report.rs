//! The hand-in: `evidencias/index.html` and `evidencias/README.md`, written by `lab report`.
//! The page has its styles inline and links its pictures relatively (it sits beside them), so
//! it opens in any browser with no network and prints one step per block.

use super::{Status, StepReport};
use crate::tr;

/// What the report's heading says.
pub struct Heading<'a> {
    pub title: &'a str,
    pub student: &'a str,
    pub date: &'a str,
    /// Where the checks were run.
    pub checked: &'a super::Checked,
}

/// Where the lab was checked, in one line: the cluster's name, its ID, engine and nodes.
pub fn checked_line(c: &super::Checked) -> String {
    let mut line = tr!(
        "lab.checked_on_full",
        cluster = c.name,
        id = c.id,
        engine = c.engine,
        nodes = c.nodes.join(", ")
    );
    if c.demo {
        line = format!("{} — {}", tr!("lab.demo_mark"), line);
    }
    line
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The status in words, with its mark.
pub fn status_word(r: &StepReport) -> String {
    match r.status {
        Status::Done => format!("✓ {}", tr!("lab.status_done")),
        Status::NotYet => format!("✗ {}", tr!("lab.status_not_yet")),
        Status::NotCheckable => format!("· {}", tr!("lab.status_unchecked")),
    }
}

/// The notes under a step: why it is not done, or that the cluster no longer shows it.
pub fn notes(r: &StepReport) -> Vec<String> {
    let mut out = vec![];
    if let Some(at) = r.passed_at {
        out.push(tr!("lab.passed_at", at = crate::time::format_local(at)));
    }
    if r.no_longer_shown {
        out.push(tr!("lab.no_longer_shown"));
    }
    out.extend(r.reasons.iter().cloned());
    if r.evidence_foreign {
        out.push(tr!("lab.evidence_foreign"));
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1b1f24;background:#fff}
h1{font-size:1.6rem;margin:0 0 .3rem}
.meta{color:#57606a;margin:0 0 1.5rem}
.sum{font-weight:600;margin:0 0 1.5rem}
section{border:1px solid #d0d7de;border-radius:8px;padding:1rem 1.2rem;margin:0 0 1.2rem;break-inside:avoid;page-break-inside:avoid}
h2{font-size:1.1rem;margin:0 0 .4rem}
.st{display:inline-block;font-size:.9rem;font-weight:600;padding:.1rem .6rem;border-radius:1rem;margin-left:.5rem;vertical-align:middle}
.done{background:#dafbe1;color:#116329}.not_yet{background:#ffebe9;color:#a40e26}.not_checkable{background:#eaeef2;color:#57606a}
ul{margin:.4rem 0;padding-left:1.2rem;color:#57606a}
img{display:block;max-width:100%;margin-top:.6rem;border:1px solid #d0d7de;border-radius:4px}
.none{color:#57606a;font-style:italic}
.demo{background:#fff8c5;border:2px solid #9a6700;color:#6b4a00;font-weight:700;padding:.5rem .8rem;border-radius:6px;margin:0 0 1rem}
.demo-mark{display:inline-block;font-size:.8rem;font-weight:700;color:#6b4a00;background:#fff8c5;border:1px solid #9a6700;border-radius:1rem;padding:0 .5rem;margin-left:.5rem;vertical-align:middle}
.seen{font-size:.8rem;color:#57606a;font-family:ui-monospace,monospace;margin:.3rem 0 0;padding-left:1.2rem}
@media print{body{margin:0;max-width:none}section{border-color:#999}}";

/// The HTML page.
pub fn html(h: &Heading, steps: &[StepReport], lang: crate::i18n::Lang) -> String {
    let done = steps.iter().filter(|s| s.status == Status::Done).count();
    let checkable = steps
        .iter()
        .filter(|s| s.status != Status::NotCheckable)
        .count();
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n{}<h1>{}</h1>\n<p class=\"meta\">{} · {}<br>{}</p>\n<p class=\"sum\">{}</p>\n",
        lang.code(),
        esc(h.title),
        demo_banner(h),
        esc(h.title),
        esc(&tr!("lab.student", name = h.student)),
        esc(h.date),
        esc(&checked_line(h.checked)),
        esc(&tr!("lab.summary", done = done, total = checkable)),
    );
    let mark = if h.checked.demo {
        format!(
            "<span class=\"demo-mark\">{}</span>",
            esc(&tr!("lab.demo_mark"))
        )
    } else {
        String::new()
    };
    for (i, s) in steps.iter().enumerate() {
        let class = match s.status {
            Status::Done => "done",
            Status::NotYet => "not_yet",
            Status::NotCheckable => "not_checkable",
        };
        out.push_str(&format!(
            "<section id=\"{}\">\n<h2>{}. {}<span class=\"st {class}\">{}</span>{mark}</h2>\n<p>{}</p>\n",
            esc(&s.name),
            i + 1,
            esc(&s.name),
            esc(&status_word(s)),
            esc(&s.text)
        ));
        let notes = notes(s);
        if !notes.is_empty() {
            out.push_str("<ul>\n");
            for n in notes {
                out.push_str(&format!("<li>{}</li>\n", esc(&n)));
            }
            out.push_str("</ul>\n");
        }
        if !s.observed.is_empty() {
            out.push_str(&format!(
                "<p class=\"seen\">{}<br>{}</p>\n",
                esc(&tr!("lab.observed")),
                s.observed
                    .iter()
                    .map(|o| esc(o))
                    .collect::<Vec<_>>()
                    .join("<br>")
            ));
        }
        match &s.evidence {
            Some(file) => out.push_str(&format!(
                "<img src=\"{}\" alt=\"{}\">\n",
                esc(file),
                esc(&tr!("lab.evidence_of", step = s.name))
            )),
            None => out.push_str(&format!(
                "<p class=\"none\">{}</p>\n",
                esc(&tr!("lab.no_evidence"))
            )),
        }
        out.push_str("</section>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn demo_banner(h: &Heading) -> String {
    if h.checked.demo {
        format!("<p class=\"demo\">{}</p>\n", esc(&tr!("lab.demo_banner")))
    } else {
        String::new()
    }
}

/// The same in Markdown, for the repository's `evidencias/README.md`.
pub fn markdown(h: &Heading, steps: &[StepReport]) -> String {
    let done = steps.iter().filter(|s| s.status == Status::Done).count();
    let checkable = steps
        .iter()
        .filter(|s| s.status != Status::NotCheckable)
        .count();
    let one = |s: &str| s.replace(['\n', '\r'], " ");
    let banner = if h.checked.demo {
        format!("> **{}**\n\n", one(&tr!("lab.demo_banner")))
    } else {
        String::new()
    };
    let mark = if h.checked.demo {
        format!(" ({})", tr!("lab.demo_mark"))
    } else {
        String::new()
    };
    let mut out = format!(
        "{banner}# {}\n\n{} · {}  \n{}\n\n**{}**\n",
        one(h.title),
        one(&tr!("lab.student", name = h.student)),
        h.date,
        one(&checked_line(h.checked)),
        tr!("lab.summary", done = done, total = checkable),
    );
    for (i, s) in steps.iter().enumerate() {
        out.push_str(&format!(
            "\n## {}. {} — {}{mark}\n\n{}\n",
            i + 1,
            s.name,
            status_word(s),
            one(&s.text)
        ));
        let notes = notes(s);
        if !notes.is_empty() {
            out.push('\n');
            for n in notes {
                out.push_str(&format!("- {}\n", one(&n)));
            }
        }
        match &s.evidence {
            Some(file) => out.push_str(&format!("\n![{}]({})\n", s.name, file)),
            None => out.push_str(&format!("\n_{}_\n", tr!("lab.no_evidence"))),
        }
    }
    out
}

/// Writes `index.html` and `README.md` into the evidence folder; returns their paths.
pub fn write(
    dir: &std::path::Path,
    h: &Heading,
    steps: &[StepReport],
    lang: crate::i18n::Lang,
) -> Result<Vec<std::path::PathBuf>, super::LabError> {
    let err = |file: &std::path::Path, e: std::io::Error| super::LabError::Write {
        file: file.display().to_string(),
        error: e.to_string(),
    };
    std::fs::create_dir_all(dir).map_err(|e| err(dir, e))?;
    let html_file = dir.join("index.html");
    let md_file = dir.join("README.md");
    std::fs::write(&html_file, html(h, steps, lang)).map_err(|e| err(&html_file, e))?;
    std::fs::write(&md_file, markdown(h, steps)).map_err(|e| err(&md_file, e))?;
    Ok(vec![html_file, md_file])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(name: &str, status: Status, evidence: Option<&str>) -> StepReport {
        StepReport {
            name: name.into(),
            text: "Desplegar <el> stack & \"gopenux\"".into(),
            status,
            reasons: if status == Status::NotYet {
                vec!["no hay stack gopenux".into()]
            } else {
                vec![]
            },
            passed_at: (status == Status::Done).then_some(1_764_700_000),
            no_longer_shown: false,
            not_observed: false,
            passed_elsewhere: None,
            observed: vec!["service gopenux_backend 3kx9 api:latest".into()],
            evidence: evidence.map(str::to_string),
            evidence_edited: false,
            evidence_foreign: false,
            hint: None,
        }
    }

    #[test]
    fn the_page_escapes_text_links_pictures_relatively_and_needs_no_network() {
        let checked = crate::lab::Checked {
            name: "manager1".into(),
            id: "ENGINE-ID-1".into(),
            engine: "27.3.1".into(),
            nodes: vec!["manager1".into()],
            ..Default::default()
        };
        let h = Heading {
            title: "Semana 3",
            student: "Ana <b>",
            date: "2026-12-03",
            checked: &checked,
        };
        let steps = [
            step(
                "6-desplegar-stack",
                Status::Done,
                Some("6-desplegar-stack.png"),
            ),
            step("7-escalar-backend", Status::NotYet, None),
            step("2-dockerfiles", Status::NotCheckable, None),
        ];
        let page = html(&h, &steps, crate::i18n::Lang::Es);
        assert!(page.contains("Ana &lt;b&gt;"), "{page}");
        assert!(page.contains("Desplegar &lt;el&gt; stack &amp; &quot;gopenux&quot;"));
        assert!(page.contains("<img src=\"6-desplegar-stack.png\""));
        assert!(!page.contains("http://") && !page.contains("https://"));
        assert!(!page.contains("<link") && !page.contains("<script"));
        assert_eq!(page.matches("<section").count(), 3);
        let md = markdown(&h, &steps);
        assert!(md.contains("![6-desplegar-stack](6-desplegar-stack.png)"));
        assert!(md.contains("- no hay stack gopenux"));
        assert!(page.contains("ENGINE-ID-1") && !page.contains("class=\"demo"));
    }

    #[test]
    fn a_demo_hand_in_says_so_at_the_top_and_on_every_step() {
        let checked = crate::lab::Checked {
            name: "manager1".into(),
            id: "demo".into(),
            demo: true,
            ..Default::default()
        };
        let h = Heading {
            title: "Semana 3",
            student: "Ana",
            date: "2026-12-03",
            checked: &checked,
        };
        let steps = [
            step("6-desplegar-stack", Status::Done, None),
            step("7-escalar-backend", Status::NotYet, None),
        ];
        let page = html(&h, &steps, crate::i18n::Lang::Es);
        assert_eq!(page.matches("<p class=\"demo\">").count(), 1, "{page}");
        assert_eq!(page.matches("class=\"demo-mark\"").count(), 2);
        let md = markdown(&h, &steps);
        assert_eq!(md.matches(&tr!("lab.demo_mark")).count(), 3, "{md}");
    }
}
