//! Everything a report shows, gathered from the stored files, and the page assembled
//! from it section by section, in order: verdict, checkers, charts (latency, throughput),
//! latency quantiles, availability and recovery, counterexample, Byzantine nodes, files.

use super::page::{page, section};
use super::timeline::Timeline;
use super::{availability, byzantine, checkers, clocks, counterexample, latency, links, quantiles};
use super::{throughput, verdict};
use crate::faults::{self, Window};
use crate::run::FaultRecord;
use history::{Validity, Verdict};
use std::collections::HashSet;

/// A link to a stored file.
#[derive(Debug, Clone)]
pub struct Link {
    pub label: String,
    /// Relative to the report (or absolute when the file is elsewhere).
    pub href: String,
    pub bytes: Option<u64>,
}

/// What the page is made of.
#[derive(Debug, Clone)]
pub struct Report {
    /// The test's name, or the history file's.
    pub title: String,
    pub safety: Validity,
    pub liveness: Option<Validity>,
    /// Label and value of each fact shown under the verdict (values are escaped).
    pub facts: Vec<(String, String)>,
    /// Warnings shown with the verdict (interrupted, stopped early).
    pub notes: Vec<String>,
    pub checkers: Vec<Verdict>,
    /// None when the history could not be read (the charts then say why).
    pub timeline: Result<Timeline, String>,
    /// The nemesis's records.
    pub faults: Vec<FaultRecord>,
    pub links: Vec<Link>,
}

/// The whole page.
pub fn render(r: &Report) -> String {
    let end_ns = r.timeline.as_ref().map_or_else(
        |_| r.faults.iter().map(FaultRecord::time_ns).max().unwrap_or(0),
        |t| t.end_ns,
    );
    let windows: Vec<Window> = faults::of_results(&r.faults, end_ns);
    let named: HashSet<u32> = r
        .checkers
        .iter()
        .flat_map(|v| &v.anomalies)
        .flat_map(|a| &a.ops)
        .map(|o| o.line as u32)
        .collect();
    let mut body = String::new();
    let mut toc: Vec<(&str, &str)> = vec![("verdict", "Verdict"), ("checkers", "Checkers")];
    body.push_str(&section("verdict", "", &verdict::render(r)));
    body.push_str(&section(
        "checkers",
        "Checkers",
        &checkers::render(&r.checkers),
    ));
    let charts = match &r.timeline {
        Ok(t) if t.end_ns == 0 && !t.ops.is_empty() => {
            Err("the history carries no times, only the order of its ops".to_string())
        }
        Ok(t) => Ok(t),
        Err(e) => Err(e.clone()),
    };
    match charts {
        Ok(t) => {
            toc.extend([
                ("latency", "Latency"),
                ("throughput", "Throughput"),
                ("quantiles", "Quantiles"),
                ("availability", "Availability"),
            ]);
            body.push_str(&section(
                "latency",
                "Latency over time",
                &latency::render(t, &windows, &named),
            ));
            body.push_str(&section(
                "throughput",
                "Throughput over time",
                &throughput::render(t, &windows),
            ));
            body.push_str(&section(
                "quantiles",
                "Latency quantiles, healthy and under faults",
                &quantiles::render(t, &windows),
            ));
            body.push_str(&section(
                "availability",
                "Availability and recovery",
                &availability::render(t, &windows),
            ));
        }
        Err(why) => body.push_str(&section(
            "latency",
            "Charts",
            &format!(
                "<p class=\"note\">No charts: {}</p>",
                crate::escape::html(&why)
            ),
        )),
    }
    if let Some(cx) = counterexample::render(&r.checkers) {
        toc.push(("counterexample", "Counterexample"));
        body.push_str(&section("counterexample", "Counterexample", &cx));
    }
    if let Some(c) = clocks::render(&windows, end_ns) {
        toc.push(("clocks", "Clocks"));
        body.push_str(&section("clocks", "Clock offsets over time", &c));
    }
    if let Some(b) = byzantine::render(&r.faults) {
        toc.push(("byzantine", "Byzantine nodes"));
        body.push_str(&section("byzantine", "What the faulty nodes did", &b));
    }
    toc.push(("files", "Files"));
    body.push_str(&section("files", "Files", &links::render(&r.links)));
    page(&format!("{}: {}", r.title, r.safety.as_str()), &toc, &body)
}
