//! # reports: what a check or a run leaves behind
//!
//! A verdict is only useful if a person and a CI system can both read it. This crate turns
//! checker verdicts into `results.json` (for tools) and short text lines (for a terminal),
//! a run into a self-contained `report.html` with its charts ([`html`]), and a benchmark
//! into `bench.json` and `bench.html` with a regression gate ([`bench`](mod@bench)). It
//! renders from stored data alone, so an old result can be shown again. For CI, a run's
//! result also becomes `junit.xml` ([`junit`]) and a Markdown step summary ([`summary`]).
//!
//! Shared by them all: the faults of a run, counted and as time windows ([`faults`]); one
//! SVG kit for every chart ([`svg`]); one escaper for every format ([`escape`]); one page
//! shell for every HTML page ([`shell`]).
//!
//! ```
//! use reports::results::{FileResult, Results};
//! use history::Validity;
//! let r = FileResult::new("h.jsonl", Validity::Valid);
//! let all = Results::new(vec![r]);
//! assert_eq!(all.valid, Validity::Valid);
//! assert!(reports::results::text_line(&all.files[0]).starts_with("valid"));
//! ```

pub mod anomalies;
pub mod bench;
pub mod escape;
pub mod faults;
#[cfg(test)]
mod fixtures;
pub mod html;
pub mod junit;
pub mod results;
pub mod run;
pub mod shell;
pub mod summary;
pub mod svg;
