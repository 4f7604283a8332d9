//! # history: what happened, as data
//!
//! A test run is a stream of events: clients invoke operations on the system under test and
//! later learn whether each one happened (`ok`), definitely did not (`fail`) or may have
//! (`info`); the nemesis records the faults it injects. This crate holds those events as a
//! [`History`] in real-time order, reads and writes them in schism's native JSONL, reads
//! Jepsen's EDN histories and Porcupine's logs so other tools' histories can be checked too,
//! and defines the [`Verdict`] a checker gives. Every reader refuses a history that is not
//! well formed and names the file and line.
//!
//! ```
//! use history::{format, Dialect, OpType};
//! let text = "{\"time\":1,\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":3}\n\
//!             {\"time\":2,\"process\":0,\"type\":\"ok\",\"f\":\"write\",\"value\":3}\n";
//! let (h, fmt) = format::parse(text, None, None).unwrap();
//! assert_eq!(fmt, format::Format::Jsonl);
//! assert_eq!(h.dialect, Dialect::Schism);
//! assert_eq!(h.ops()[1].kind, OpType::Ok);
//! assert_eq!(h.partner(0), Some(1));
//! ```
//!
//! Pure data: no I/O beyond reading and writing files, no async, no Docker.

pub mod edn;
pub mod error;
pub mod fault;
pub mod format;
pub mod fuzzing;
mod history;
pub mod input;
pub mod instant;
pub mod jepsen;
pub mod jsonl;
pub mod numbers;
mod op;
pub mod porcupine;
pub mod recorder;
pub mod rng;
pub mod synth;
mod verdict;

pub use error::{ErrorKind, HistoryError};
pub use format::Format;
pub use history::{
    Dialect, History, HistoryBuilder, TimeInversions, COMPARE_FAILED, MAX_TIME_INVERSION_NS,
    NO_PARTNER,
};
pub use op::{Key, Op, OpType, Process, Value};
pub use verdict::{Anomaly, Composed, Malformed, OpSpan, Validity, Verdict};
