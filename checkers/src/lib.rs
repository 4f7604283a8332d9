//! # checkers: from a history to a verdict
//!
//! A run of schism ends with a history; a checker decides whether the system kept its
//! promises in it. Every checker answers `valid`, `invalid` or `unknown` (it did not finish,
//! or could not decide: never dressed up as `valid`), and explains each anomaly so a person
//! can follow it. Checkers are pure functions of the history: no async runtime, no Docker.
//!
//! ```
//! use checkers::{linearizable::Linearizable, Checker};
//! use history::{format, Validity};
//! // Process 0 writes 1; later, process 1 reads nil: stale.
//! let text = "INFO  jepsen.util - 0 :invoke :write 1\n\
//!             INFO  jepsen.util - 0 :ok :write 1\n\
//!             INFO  jepsen.util - 1 :invoke :read nil\n\
//!             INFO  jepsen.util - 1 :ok :read nil\n";
//! let (h, _) = format::parse(text, None, None).unwrap();
//! let verdict = Linearizable::default().check(&h);
//! assert_eq!(verdict.validity, Validity::Invalid);
//! assert!(verdict.anomalies[0].explanation.contains("read -> nil"));
//! ```

pub mod bank;
pub mod compose;
pub mod consensus;
pub mod linearizable;
pub mod log;
mod report;
pub mod services;
pub mod txn;
pub mod values;

use history::{History, Verdict};

/// Decides one property of a history.
///
/// Contract: a pure function of the history; never panics on any well-formed history;
/// answers `unknown` (with a reason) when it cannot finish, never `valid`.
pub trait Checker: Send + Sync {
    fn name(&self) -> &str;
    fn check(&self, history: &History) -> Verdict;
}
