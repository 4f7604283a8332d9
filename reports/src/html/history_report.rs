//! The report of a history checked by `schism check` (no run around it): the verdicts
//! given, the history for the facts and the charts, and the nemesis ops it holds.

use super::error::ReportError;
use super::load;
use super::report::{render, Link, Report};
use super::timeline::{Outcome, Timeline};
use super::units;
use crate::run::RunResult;
use history::Verdict;
use std::path::Path;

/// Render a report of `history_file` with these verdicts, to be written beside it.
pub fn render_history(history_file: &Path, verdicts: &[Verdict]) -> Result<String, ReportError> {
    render_history_at(history_file, verdicts, history_file.parent())
}

/// Render a report of `history_file` to be written in `report_dir` (the link to the
/// history is relative to it when the history lies under it).
pub fn render_history_at(
    history_file: &Path,
    verdicts: &[Verdict],
    report_dir: Option<&Path>,
) -> Result<String, ReportError> {
    let t = load::read(history_file)?;
    let (safety, liveness) = RunResult::verdicts(verdicts);
    let name = history_file.file_name().map_or_else(
        || history_file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let bytes = std::fs::metadata(history_file).ok().map(|m| m.len());
    let link = Link {
        label: name.clone(),
        href: super::links::href_to(history_file, report_dir),
        bytes,
    };
    let report = Report {
        title: name,
        safety,
        liveness,
        facts: facts(history_file, &t, verdicts),
        notes: Vec::new(),
        checkers: verdicts.to_vec(),
        faults: t.nemesis.clone(),
        timeline: Ok(t),
        links: vec![link],
    };
    Ok(render(&report))
}

fn facts(path: &Path, t: &Timeline, verdicts: &[Verdict]) -> Vec<(String, String)> {
    let count = |o: Outcome| t.ops.iter().filter(|d| d.outcome == o).count() as u64;
    let (ok, fail, info, open) = (
        count(Outcome::Ok),
        count(Outcome::Fail) + count(Outcome::CompareFailed),
        count(Outcome::Info),
        count(Outcome::Open),
    );
    let secs = t.end_ns as f64 / 1e9;
    let mut f = vec![("history".into(), path.display().to_string())];
    for key in ["model", "dialect", "format"] {
        if let Some(v) = verdicts.iter().find_map(|v| v.stats.get(key)?.as_str()) {
            f.push((key.into(), v.to_string()));
        }
    }
    if !t.nodes.is_empty() {
        f.push((
            "nodes".into(),
            format!("{} ({})", t.nodes.len(), t.nodes.join(", ")),
        ));
    }
    f.push(("duration".into(), format!("{secs:.2} s")));
    f.push((
        "ops".into(),
        format!(
            "{} ({} ok, {} fail, {} info, {} never completed)",
            units::count(t.ops.len() as u64),
            units::count(ok),
            units::count(fail),
            units::count(info),
            units::count(open)
        ),
    ));
    let rate = if secs > 0.0 {
        format!("{:.0}", (ok + fail + info) as f64 / secs)
    } else {
        "–".into()
    };
    f.push(("ops/s".into(), rate));
    f
}
