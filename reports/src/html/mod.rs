//! `report.html`: one self-contained page per run (or per checked history), rendered from
//! the stored files alone: inline CSS and inline SVG, no script, no external asset, so it
//! opens from a CI artifact, an e-mail or a file share exactly as it was written.
//!
//! In order: the verdict (safety and liveness, what ran); one section per checker with its
//! anomalies; latency over time (every op a point, sampled to at most 20,000, fault windows
//! shaded and labelled across every chart); throughput per function; latency quantiles
//! healthy and under faults; availability per time bin and time to recover after each
//! heal; an invalid linearizability verdict's counterexample as a timeline; what each
//! Byzantine node did; links to the stored files. Every string from the system under test
//! or the history is escaped.
//!
//! ```no_run
//! let html = reports::html::render_run(std::path::Path::new("store/latest")).unwrap();
//! assert!(html.starts_with("<!DOCTYPE html>"));
//! ```

mod availability;
mod bins;
mod byzantine;
mod checkers;
mod clocks;
mod counterexample;
mod error;
mod history_report;
mod latency;
mod links;
mod load;
mod page;
mod quantiles;
mod report;
mod run_report;
mod sample;
mod throughput;
mod timeline;
pub(crate) mod units;
mod verdict;

#[cfg(test)]
mod tests;

pub use error::ReportError;
pub use history_report::{render_history, render_history_at};
pub use latency::MAX_POINTS;
pub use run_report::{render_run, render_run_at};

/// The report's file name in a run directory.
pub const REPORT_FILE: &str = "report.html";
