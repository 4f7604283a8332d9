//! # Transactional checking, in the manner of Elle
//!
//! The `list-append` and `rw-register` workloads run transactions; this module decides
//! which consistency models the history they left allows: it infers from what the reads
//! returned which transaction must precede which, and looks for cycles in that *dependency
//! graph* (Adya's approach, as Elle applies it to black-box histories). For serializable
//! and strict serializable, a history the graph does not rule out is valid only with a
//! *witness*: a serial order that explains every read (module `witness`).
//!
//! ## The history
//!
//! A transaction is an op with `f = "txn"` whose value is its micro-ops `[f, key, value]`
//! (module `txns` has the details):
//!
//! - list-append: `["append", k, v]`, and `["r", k, null]` which an ok completion fills
//!   with the list read (`[1, 2, 3]`; `null` or `[]` when empty);
//! - rw-register: `["w", k, v]`, and `["r", k, null]` filled with the value (null: never
//!   written).
//!
//! Keys and values are integers or strings; Clojure keywords (`":append"`) are accepted,
//! so Jepsen EDN histories read through `history::format::parse` check as they are. The
//! values written to a key must be unique: that is what lets a read name its write. `ok`
//! transactions happened; `fail` ones did not (reading their writes is `G1a`); `info` ones
//! may have, at any time after their invocation. Op indices give real-time order.
//!
//! ## What is inferred
//!
//! - Version orders and the anomalies visible without cycles: see module `append` for lists
//!   (the longest read orders each key; appends no read shows come after it, module
//!   `unobserved`) and module `register` for registers (only where writes follow reads).
//! - The dependency graph (`graph`): `ww`, `wr`, `rw` edges from the data, `process`
//!   and `realtime` edges from the history's order (`order`).
//! - Cycles (`scc`, `search`): each strongly connected component is named by the most
//!   severe class of cycle it holds, with a shortest cycle of that class, told edge by
//!   edge (`explain`).
//! - For serializable and strict serializable, when nothing above rules the model out: a
//!   serial order found by a bounded search (module `serial`), or the anomaly
//!   `no-serial-order`, or an unknown verdict if the search gave up (module `witness`).
//!
//! ## Anomaly kinds and models
//!
//! The `kind` of each anomaly, and the weakest model it rules out (it rules out every
//! stronger one too; see [`model`]):
//!
//! | kind | meaning | rules out from |
//! |---|---|---|
//! | `G0` | cycle of ww edges | read-committed |
//! | `G1a` | read of a failed transaction's write | read-committed |
//! | `G1b` | read of a write its transaction later overwrote | read-committed |
//! | `G1c` | cycle of ww and wr edges, one wr at least | read-committed |
//! | `incompatible-order` | two reads of a list, neither a prefix of the other | read-committed |
//! | `duplicate` | a list read holds a value twice | read-committed |
//! | `garbage-read` | a read of a value never written | read-committed |
//! | `internal` | a read that contradicts its own transaction | snapshot-isolation |
//! | `lost-update` | two transactions read one version and both wrote the key | snapshot-isolation |
//! | `G-single` | cycle with exactly one rw edge | snapshot-isolation |
//! | `G-nonadjacent` | cycle with rw edges, no two adjacent | snapshot-isolation |
//! | `G2-item` | cycle with two or more rw edges | serializable |
//! | `no-serial-order` | no serial order explains the reads, though the graph has no cycle | serializable |
//! | `lost` | an ok append never read, though a later transaction read the key | strict-serializable |
//! | `<cycle kind>-process` | a cycle that needs process order | strict-serializable |
//! | `<cycle kind>-realtime` | a cycle that needs real-time order | strict-serializable |
//! | `no-serial-order-realtime` | no serial order that respects real time explains the reads | strict-serializable |
//!
//! A checker judges one [`Model`] (default: serializable): its verdict is invalid when some
//! anomaly rules that model out, and lists those anomalies; the stats name every model the
//! history rules out (`ruled_out`, `models`) and count every kind found (`anomaly_kinds`).
//! It is unknown, never valid, when it could not finish or could not read everything (see module
//! `check`). `checkers/tests/txn_oracle.rs` holds the checkers to a brute-force oracle.
//!
//! ```
//! use checkers::txn::{ListAppend, Model};
//! use checkers::Checker;
//! use history::{Dialect, History, Op, OpType, Validity};
//! use serde_json::json;
//! // T1 appends 1 to key 1 and 2 to key 2; T2 reads key 1 = [1] but key 2 = []:
//! // it saw half of T1 (read skew, G-single).
//! let t1 = json!([["append", 1, 1], ["append", 2, 2]]);
//! let ops = vec![
//!     Op::client(0, OpType::Invoke, "txn", t1.clone()),
//!     Op::client(1, OpType::Invoke, "txn", json!([["r", 1, null], ["r", 2, null]])),
//!     Op::client(0, OpType::Ok, "txn", t1),
//!     Op::client(1, OpType::Ok, "txn", json!([["r", 1, [1]], ["r", 2, []]])),
//!     Op::client(0, OpType::Invoke, "txn", json!([["r", 2, null]])),
//!     Op::client(0, OpType::Ok, "txn", json!([["r", 2, [2]]])),
//! ];
//! let h = History::from_ops(ops, Dialect::Schism).unwrap();
//! let v = ListAppend::default().check(&h);
//! assert_eq!(v.validity, Validity::Invalid);
//! assert_eq!(v.anomalies[0].kind, "G-single");
//! assert!(v.anomalies[0].explanation.contains("T2 read key 2 = [] without 2, which T1 appended first"));
//! // Read committed allows it.
//! let rc = ListAppend { model: Model::ReadCommitted, ..ListAppend::default() };
//! assert_eq!(rc.check(&h).validity, Validity::Valid);
//! ```

mod append;
mod budget;
mod check;
mod explain;
mod found;
#[doc(hidden)]
pub mod gen;
mod graph;
pub mod model;
mod order;
mod register;
mod scc;
mod search;
mod serial;
mod txns;
mod unobserved;
mod witness;
mod writes;

pub use model::Model;
pub use txns::Datatype;

use crate::Checker;
use history::{History, Verdict};
use std::time::Duration;

/// The default time limit of a check.
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(60);

/// The list-append checker (`list-append`).
#[derive(Debug, Clone, PartialEq)]
pub struct ListAppend {
    /// The model judged; every model ruled out is reported in the stats either way.
    pub model: Model,
    /// None: no limit. Past it the verdict is unknown (or invalid, if something was
    /// found), never valid.
    pub time_limit: Option<Duration>,
}

impl Default for ListAppend {
    fn default() -> Self {
        ListAppend {
            model: Model::default(),
            time_limit: Some(DEFAULT_TIME_LIMIT),
        }
    }
}

impl Checker for ListAppend {
    fn name(&self) -> &str {
        "list-append"
    }
    fn check(&self, history: &History) -> Verdict {
        check::check(history, Datatype::ListAppend, self.model, self.time_limit)
    }
}

/// The rw-register checker (`rw-register`).
#[derive(Debug, Clone, PartialEq)]
pub struct RwRegister {
    pub model: Model,
    pub time_limit: Option<Duration>,
}

impl Default for RwRegister {
    fn default() -> Self {
        RwRegister {
            model: Model::default(),
            time_limit: Some(DEFAULT_TIME_LIMIT),
        }
    }
}

impl Checker for RwRegister {
    fn name(&self) -> &str {
        "rw-register"
    }
    fn check(&self, history: &History) -> Verdict {
        check::check(history, Datatype::RwRegister, self.model, self.time_limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use history::{Dialect, Key, Op, OpType, Validity};
    use serde_json::json;

    /// No checker panics on odd values, and a history with nothing committed is unknown.
    #[test]
    fn odd_values_never_panic_and_nothing_committed_is_unknown() {
        let odd = [
            json!(null),
            json!(3),
            json!([]),
            json!([["r"]]),
            json!([["r", 1, 2]]),
            json!([["r", 1, [1, [2]]]]),
            json!([["append", null, 1]]),
            json!([["append", 1, 1.5]]),
            json!([["w", "k", "v"], ["r", "k", "v"]]),
            json!([["x", 1, 1]]),
            json!({"a": 1}),
        ];
        let mut ops = Vec::new();
        for (i, v) in odd.iter().enumerate() {
            let kind = [OpType::Ok, OpType::Fail, OpType::Info][i % 3];
            let mut inv = Op::client(i as u64, OpType::Invoke, "txn", v.clone());
            inv.key = (i % 2 == 0).then_some(Key::Int(1));
            ops.push(inv);
            ops.push(Op::client(
                i as u64,
                kind,
                "txn",
                odd[(i + 4) % odd.len()].clone(),
            ));
        }
        ops.push(Op::client(99, OpType::Invoke, "read", json!(null)));
        let h = History::from_ops(ops, Dialect::Schism).unwrap();
        let empty = History::from_ops(Vec::new(), Dialect::Schism).unwrap();
        let every: [Box<dyn Checker>; 2] = [
            Box::new(ListAppend::default()),
            Box::new(RwRegister::default()),
        ];
        for c in every {
            let w = c.name().to_string();
            {
                let v = c.check(&h);
                assert_eq!(v.checker, c.name());
                assert_ne!(v.validity, Validity::Valid, "{w}: malformed txns");
                let v = c.check(&empty);
                assert_eq!(v.validity, Validity::Unknown, "{w}");
                assert!(v.reason.unwrap().contains("no transaction completed ok"));
            }
        }
    }

    #[test]
    fn a_time_limit_of_zero_is_unknown_never_valid() {
        let mut ops = Vec::new();
        for i in 0..10_000u64 {
            let v = json!([["append", i % 7, i], ["r", i % 5, null]]);
            ops.push(Op::client(0, OpType::Invoke, "txn", v.clone()));
            ops.push(Op::client(0, OpType::Fail, "txn", v));
        }
        let h = History::from_ops(ops, Dialect::Schism).unwrap();
        let c = ListAppend {
            time_limit: Some(Duration::ZERO),
            ..ListAppend::default()
        };
        let v = c.check(&h);
        assert_eq!(v.validity, Validity::Unknown);
        assert!(v.reason.unwrap().contains("time limit"));
    }
}
