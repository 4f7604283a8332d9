//! Benchmarks of runs: what `schism bench` measures and writes, from stored data alone.
//!
//! [`measure`] reads one history (throughput and latency quantiles of the main phase,
//! healthy and under faults, with [`quantiles`] and the fault windows of
//! [`crate::faults`]); [`model`] is `bench.json` (points of concurrency, each the runs of
//! several seeds summed up); [`compare`] is the gate against a baseline; [`html`] (with
//! [`charts`], drawn with [`crate::svg`]) is `bench.html`; [`text`] is the terminal's
//! table; [`files`] writes both files.
//!
//! ```
//! use history::{Op, OpType};
//! use serde_json::json;
//! let ms = |t: u64| t * 1_000_000;
//! let ops = vec![
//!     Op::client(0, OpType::Invoke, "read", json!(null)).with_time_ns(0),
//!     Op::client(0, OpType::Ok, "read", json!(null)).with_time_ns(ms(4)),
//!     Op::client(0, OpType::Invoke, "read", json!(null)).with_time_ns(ms(500)),
//!     Op::client(0, OpType::Ok, "read", json!(null)).with_time_ns(ms(502)),
//! ];
//! let f = reports::bench::measure::measure(&ops, Some(ms(1000)));
//! assert_eq!(f.ok_ops, 2);
//! assert_eq!(f.latency_ms.unwrap().max, 4.0);
//! ```

pub mod charts;
pub mod compare;
pub mod files;
pub mod html;
pub mod measure;
pub mod model;
pub mod quantiles;
pub mod text;
