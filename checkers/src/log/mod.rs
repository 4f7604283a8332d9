//! A Kafka-style keyed log: producers `send` values to the log of a key and are told the
//! offset each got; consumers `poll` and receive `[offset, value]` pairs from where they
//! stand in each key's log; after the faults are healed, every key's log is read once
//! more from offset 0 to its end. [`LogChecker`] (`log`) judges such a history, key by
//! key, for the anomalies of Jepsen's kafka test.
//!
//! # How ops are recorded (schism's shape)
//!
//! | f | key | invoke value | ok value |
//! |---|---|---|---|
//! | `send` | the key | the value (unique in the run) | `[offset, value]` |
//! | `poll` | null (every key the consumer reads) or one key | null | `{key: [[offset, value], ...]}` |
//! | `poll` (final) | one key, or null for every key | `{"final": true}` | `{key: [[offset, value], ...]}`, the whole log from offset 0 |
//!
//! Keys in a result are strings (JSON's maps); a key is its name, so the integer 3 and
//! `"3"` are one log. A poll may leave out keys it has nothing for. A send that did not
//! complete ok carries its value; an unsure one (`info`) may or may not be in the log, a
//! failed one (`fail`) must never be read.
//!
//! Jepsen's histories (its kafka test; Maelstrom's kafka workload records the same) are
//! read too: `send`, `poll` or `txn` ops whose value is a list of micro-ops, `[:send k v]`
//! completed as `[:send k [offset v]]` and `[:poll]` completed as
//! `[:poll {k [[offset v] ...]}]`, and `assign`/`subscribe` ops (see [`ops`]).
//!
//! # The anomalies, per key
//!
//! | kind | meaning |
//! |---|---|
//! | `lost-write` | a value known to be in the log (acknowledged, or read) is gone: never read though a later offset of its key was, or missing from a final read begun after it was known |
//! | `unexpected` | a poll returned a value no one sent to that key, or whose only send failed |
//! | `inconsistent-offsets` | two values at one offset, across every send and poll |
//! | `duplicate` | one value at two offsets |
//! | `nonmonotonic-send` | a process's successive acknowledged sends to a key got non-increasing offsets |
//! | `nonmonotonic-poll` | a consumer read an offset at or before one it had read (within one poll, or from one poll to its next) |
//! | `poll-skip` | a consumer's next offset read was not the next known to exist: it skipped offsets some op showed |
//!
//! Each anomaly names its key, the offsets and values in question and the ops that show
//! them (a poll's result cut to the pairs near those offsets); at most
//! [`check::PER_KIND`] of each kind are listed, all are counted (`stats.counts`). When
//! consumers may start over is said in [`consumers`].
//!
//! The verdict is invalid with any anomaly; else unknown when an acknowledged value was
//! never read and no final read was asked after it (it may be lost), when a final read
//! was asked and never answered, or when there is nothing to judge; else valid.
//!
//! ```
//! use checkers::{log::LogChecker, Checker};
//! use history::{Dialect, History, Key, Op, OpType, Validity};
//! use serde_json::json;
//! let send = |t, v| Op::client(0, t, "send", v).with_key(Key::Int(1));
//! let h = History::from_ops(vec![
//!     send(OpType::Invoke, json!(5)),
//!     send(OpType::Ok, json!([0, 5])),
//!     Op::client(1, OpType::Invoke, "poll", json!({"final": true})).with_key(Key::Int(1)),
//!     Op::client(1, OpType::Ok, "poll", json!({"1": []})),
//! ], Dialect::Schism).unwrap();
//! let v = LogChecker.check(&h);
//! assert_eq!(v.validity, Validity::Invalid);
//! assert_eq!(v.anomalies[0].kind, "lost-write");
//! ```

pub mod anomaly;
mod check;
pub mod consumers;
mod lost;
pub mod ops;
mod order;
mod tell;

pub use check::{LogChecker, PER_KIND};

#[cfg(test)]
mod tests;
