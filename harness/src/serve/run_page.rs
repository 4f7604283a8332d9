//! `/runs/<test>/<time>/`: the run at a glance (from `results.json`), links to every file
//! of the run, and its `report.html` in a frame when there is one, else each checker's
//! verdict and first anomalies. Also
//! `/sweeps/<time>/`: the sweep's `sweep.md` as preformatted text and its files.

use super::listing::FileEntry;
use super::page::{page, pretty_time, size, verdict_cell};
use super::paths::encode;
use reports::escape::html;
use reports::faults::FaultCounts;
use reports::run::RunResult;
use std::fmt::Write;
use std::path::Path;

/// Anomalies shown per checker on the page made from results.json.
const MAX_ANOMALIES: usize = 3;

/// The page of a run; `result` is its results.json, or why there is none.
pub fn render(
    test: &str,
    time: &str,
    dir: &Path,
    result: Result<RunResult, String>,
    files: &[FileEntry],
) -> String {
    let mut b = format!(
        "<p><a href=\"/\">← all runs</a></p>\n<h1>{} <span class=\"muted\">{}</span></h1>\n",
        html(test),
        html(&pretty_time(time))
    );
    match &result {
        Ok(r) => b.push_str(&facts(r, dir)),
        Err(why) => {
            let _ = writeln!(b, "<p class=\"muted\">{}</p>", html(why));
        }
    }
    b.push_str(&files_table(files));
    if files.iter().any(|f| f.path == ["report.html"]) {
        b.push_str(
            "<h2>Report</h2>\n<p><a href=\"report.html\">open the report alone</a></p>\n\
             <iframe src=\"report.html\" title=\"report\"></iframe>\n",
        );
    } else if let Ok(r) = &result {
        b.push_str(&checkers(r));
    }
    page(&format!("schism: {test} {time}"), &b)
}

/// The page of a sweep: its files and `sweep.md` (`md` is None when there is none).
pub fn render_sweep(time: &str, md: Option<&str>, files: &[FileEntry]) -> String {
    let mut b = format!(
        "<p><a href=\"/\">← all runs</a></p>\n<h1>Sweep <span class=\"muted\">{}</span></h1>\n",
        html(&pretty_time(time))
    );
    b.push_str(&files_table(files));
    match md {
        Some(md) => {
            let _ = writeln!(b, "<h2>sweep.md</h2>\n<pre id=\"sweep\">{}</pre>", html(md));
        }
        None => b.push_str("<p class=\"muted\">No sweep.md.</p>\n"),
    }
    page(&format!("schism sweep {time}"), &b)
}

fn files_table(files: &[FileEntry]) -> String {
    let mut t = String::from("<h2>Files</h2>\n<table id=\"files\">\n");
    for f in files {
        let name = f.path.join("/");
        let href: Vec<String> = f.path.iter().map(|p| encode(p)).collect();
        let _ = writeln!(
            t,
            "<tr><td><a href=\"{}\">{}</a></td><td class=\"n\">{}</td></tr>",
            html(&href.join("/")),
            html(&name),
            size(f.size)
        );
    }
    t.push_str("</table>\n");
    t
}

/// The run at a glance: verdicts, seed, ops, faults, and how to replay it.
fn facts(r: &RunResult, dir: &Path) -> String {
    let mut b = String::from("<table id=\"result\">\n");
    let mut row = |k: &str, v: String| {
        let _ = writeln!(b, "<tr><th>{k}</th><td>{v}</td></tr>");
    };
    row("safety", verdict_text(r.valid));
    row("liveness", r.liveness.map_or("–".into(), verdict_text));
    row(
        "system, workload",
        format!("{} / {}", html(&r.system), html(&r.workload)),
    );
    row(
        "nodes, concurrency",
        format!("{} nodes, {} workers", r.nodes, r.concurrency),
    );
    row("seed", r.seed.to_string());
    row(
        "ops",
        format!(
            "{} ok, {} fail, {} info in {:.1} s ({:.0} ops/s)",
            r.ops.ok, r.ops.fail, r.ops.info, r.duration_s, r.ops_per_s
        ),
    );
    row("faults applied", html(&FaultCounts::of(&r.faults).text()));
    if let Some(e) = &r.error {
        row("stopped early", html(e));
    }
    if r.interrupted {
        row("interrupted", "yes (Ctrl-C)".into());
    }
    row(
        "replay",
        format!(
            "<code>{}</code>",
            html(&reports::summary::replay_command(dir))
        ),
    );
    b.push_str("</table>\n");
    b
}

/// Each checker's verdict and its first anomalies (when there is no report.html).
fn checkers(r: &RunResult) -> String {
    let mut b = String::from("<h2>Checkers</h2>\n<table id=\"checkers\">\n");
    b.push_str("<tr><th>checker</th><th>verdict</th><th>anomalies</th><th>note</th></tr>\n");
    for v in &r.checkers {
        let kind = if v.liveness { " (liveness)" } else { "" };
        let _ = writeln!(
            b,
            "<tr><td>{}{kind}</td>{}<td class=\"n\">{}</td><td>{}</td></tr>",
            html(&v.checker),
            verdict_cell(Some(v.validity)),
            reports::anomalies::count(v),
            html(v.reason.as_deref().unwrap_or(""))
        );
    }
    b.push_str("</table>\n");
    for v in r.checkers.iter().filter(|v| !v.anomalies.is_empty()) {
        let _ = writeln!(b, "<h2>Anomalies: {}</h2>", html(&v.checker));
        for a in v.anomalies.iter().take(MAX_ANOMALIES) {
            let _ = writeln!(b, "<pre>{}</pre>", html(&a.explanation));
        }
        if v.anomalies.len() > MAX_ANOMALIES {
            let _ = writeln!(
                b,
                "<p class=\"muted\">{} more in results.json</p>",
                v.anomalies.len() - MAX_ANOMALIES
            );
        }
    }
    b
}

fn verdict_text(v: history::Validity) -> String {
    format!("<span class=\"{0}\">{0}</span>", v.as_str())
}
