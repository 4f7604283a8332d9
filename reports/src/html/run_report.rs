//! The report of a stored run: `results.json` for the verdicts and the facts, the history
//! for the charts, the run directory's files for the links.

use super::error::ReportError;
use super::load;
use super::report::{render, Link, Report};
use super::timeline::Timeline;
use super::units;
use crate::run::RunResult;
use std::path::Path;

/// Render `report.html` for the run stored in `dir`, from its files alone.
pub fn render_run(dir: &Path) -> Result<String, ReportError> {
    render_run_at(dir, Some(dir))
}

/// Render the report of the run stored in `dir`, to be written in `report_dir` (the
/// links to the run's files are relative to it).
pub fn render_run_at(dir: &Path, report_dir: Option<&Path>) -> Result<String, ReportError> {
    let results = dir.join("results.json");
    let text = std::fs::read_to_string(&results)
        .map_err(|e| ReportError::new(&results, format!("cannot read: {e}")))?;
    let r: RunResult = serde_json::from_str(&text)
        .map_err(|e| ReportError::new(&results, format!("not a run's results: {e}")))?;
    let history_name = Path::new(&r.history).file_name().map_or_else(
        || "history.jsonl".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    let timeline = load::read(&dir.join(&history_name)).map_err(|e| e.to_string());
    let report = Report {
        title: r.test.clone(),
        safety: r.valid,
        liveness: r.liveness,
        facts: facts(&r, dir, timeline.as_ref().ok()),
        notes: notes(&r),
        checkers: r.checkers.clone(),
        timeline,
        faults: r.faults.clone(),
        links: links(dir, &history_name, report_dir),
    };
    Ok(render(&report))
}

fn facts(r: &RunResult, dir: &Path, t: Option<&Timeline>) -> Vec<(String, String)> {
    let mut names = node_logs(dir);
    if names.is_empty() {
        names = t.map(|t| t.nodes.clone()).unwrap_or_default();
        names.sort_by(|a, b| (a.len(), a).cmp(&(b.len(), b)));
    }
    let nodes = if names.is_empty() {
        r.nodes.to_string()
    } else {
        format!("{} ({})", r.nodes, names.join(", "))
    };
    let total = r.ops.ok + r.ops.fail + r.ops.info;
    vec![
        ("test".into(), r.test.clone()),
        ("system".into(), r.system.clone()),
        ("workload".into(), r.workload.clone()),
        ("nodes".into(), nodes),
        ("concurrency".into(), r.concurrency.to_string()),
        ("seed".into(), r.seed.to_string()),
        ("started".into(), r.started.clone()),
        ("duration".into(), format!("{:.2} s", r.duration_s)),
        (
            "ops".into(),
            format!(
                "{} ({} ok, {} fail, {} info)",
                units::count(total),
                units::count(r.ops.ok),
                units::count(r.ops.fail),
                units::count(r.ops.info)
            ),
        ),
        ("ops/s".into(), format!("{:.0}", r.ops_per_s)),
        (
            "first anomaly".into(),
            r.first_anomaly_s
                .map_or("none".into(), |t| format!("at {t:.3} s")),
        ),
        (
            "cluster ready".into(),
            units::duration((r.cluster_ready_ms * 1e6) as u64),
        ),
        ("run id".into(), r.run_id.clone()),
    ]
}

fn notes(r: &RunResult) -> Vec<String> {
    let mut n = Vec::new();
    if r.interrupted {
        n.push("Interrupted (Ctrl-C): what was recorded was checked.".into());
    }
    if let Some(e) = &r.error {
        n.push(format!("The run stopped early: {e}"));
    }
    n
}

/// The node names of `nodes/<node>.log`, sorted (n2 before n10).
fn node_logs(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir.join("nodes"))
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    name.strip_suffix(".log").map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort_by(|a, b| (a.len(), a).cmp(&(b.len(), b)));
    v
}

fn links(dir: &Path, history: &str, report_dir: Option<&Path>) -> Vec<Link> {
    let mut files: Vec<String> = [history, "results.json", "spec.yaml", "schism.log"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    files.extend(node_logs(dir).iter().map(|n| format!("nodes/{n}.log")));
    files
        .into_iter()
        .filter_map(|rel| {
            let path = dir.join(&rel);
            let meta = std::fs::metadata(&path).ok()?;
            Some(Link {
                href: super::links::href_to(&path, report_dir),
                label: rel,
                bytes: Some(meta.len()),
            })
        })
        .collect()
}
