//! `class report`: the whole class on one page — one row per student, one column per step,
//! each cell's reason on hover and under the grid — with no network needed (styles inline).

use crate::lab::class::{self, ClassFile, Look};
use crate::lab::report::checked_line;
use crate::tr;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1f24}
h1{font-size:1.5rem;margin:0 0 .3rem}.meta{color:#57606a;margin:0 0 1rem}
table{border-collapse:collapse;margin:0 0 1.5rem}th,td{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:center}
th.s,td.s{text-align:left}td.done{background:#dafbe1;color:#116329}td.not_yet{background:#ffebe9;color:#a40e26}
td.unknown,td.not_checkable{background:#eaeef2;color:#57606a}.off{color:#a40e26}
section{margin:0 0 1rem}h2{font-size:1.1rem;margin:0 0 .3rem}ul{margin:.2rem 0;color:#57606a}
.demo{font-weight:700;color:#6b4a00}";

fn class_of(mark: &str) -> &'static str {
    match mark {
        "✓" => "done",
        "✗" => "not_yet",
        "·" => "not_checkable",
        _ => "unknown",
    }
}

/// The page.
pub fn html(c: &ClassFile, looks: &[Look], now: i64) -> String {
    let steps: Vec<String> = crate::lab::load(&c.lab)
        .map(|l| l.steps.iter().map(|s| s.name.clone()).collect())
        .unwrap_or_default();
    let title = tr!("class.title", lab = c.lab, count = looks.len());
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n<h1>{}</h1>\n<p class=\"meta\">{}</p>\n<table>\n<tr><th class=\"s\">{}</th>",
        crate::i18n::lang().code(),
        esc(&title),
        esc(&title),
        esc(&crate::time::format_local(now)),
        esc(&tr!("col.student")),
    );
    for s in &steps {
        out.push_str(&format!(
            "<th title=\"{}\">{}</th>",
            esc(s),
            esc(s.split('-').next().unwrap_or(s))
        ));
    }
    out.push_str(&format!("<th>{}</th></tr>\n", esc(&tr!("col.done"))));
    for l in looks {
        out.push_str(&format!("<tr><td class=\"s\">{}</td>", esc(&l.name)));
        for i in 0..steps.len() {
            let m = class::mark(l, i);
            let why = l
                .steps
                .get(i)
                .map(|s| s.reasons.join("; "))
                .unwrap_or_default();
            out.push_str(&format!(
                "<td class=\"{}\" title=\"{}\">{m}</td>",
                class_of(m),
                esc(&why)
            ));
        }
        let done = if l.reachable {
            l.done().to_string()
        } else {
            "?".into()
        };
        out.push_str(&format!("<td>{done}</td></tr>\n"));
    }
    out.push_str("</table>\n");
    for l in looks {
        out.push_str(&format!("<section>\n<h2>{}</h2>\n", esc(&l.name)));
        let place = match (&l.error, &l.checked) {
            (Some(e), _) => format!(
                "<p class=\"off\">{}</p>",
                esc(&tr!("class.unreachable", error = e))
            ),
            (None, Some(c)) if c.demo => format!("<p class=\"demo\">{}</p>", esc(&checked_line(c))),
            (None, Some(c)) => format!("<p>{}</p>", esc(&checked_line(c))),
            (None, None) => format!("<p>{}</p>", esc(&tr!("class.folder_only"))),
        };
        out.push_str(&place);
        if !l.same_cluster_as.is_empty() {
            let other = l.same_cluster_as.join(", ");
            out.push_str(&format!(
                "<p class=\"off\">{}</p>",
                esc(&tr!("class.shared_cluster", other = other))
            ));
        }
        if l.edited {
            out.push_str(&format!(
                "<p class=\"off\">{}</p>",
                esc(&tr!("lab.progress_edited"))
            ));
        }
        let notes: Vec<String> = l
            .steps
            .iter()
            .filter(|s| !s.reasons.is_empty())
            .map(|s| format!("<li>{}: {}</li>", esc(&s.name), esc(&s.reasons.join("; "))))
            .collect();
        if !notes.is_empty() {
            out.push_str(&format!("<ul>\n{}\n</ul>\n", notes.join("\n")));
        }
        out.push_str("</section>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}
