//! The transactional workloads, judged in Elle's manner (`checkers::txn`):
//!
//! - `list-append`: transactions of `append k v` and `r k` micro-ops; a read returns the
//!   whole list, so the order of a key's versions can be read off the longest list;
//! - `rw-register`: transactions of `w k v` and `r k`.
//!
//! A transaction is one op, `f = "txn"`, its value the micro-ops as sent (`[["r", 3,
//! null], ["append", 3, 7]]`) and, once answered, with the reads filled in (`[["r", 3,
//! [1, 4]], ["append", 3, 7]]`). After the faults are healed, every key used is read once
//! more. Clients: Maelstrom's `txn` message ([`MaelstromTxnClient`], served by the `raft`
//! and `paxos` nodes as one log entry per transaction) and etcd's transactions
//! ([`EtcdTxnClient`], optimistic: a snapshot, then a commit that compares revisions).

mod client;
mod etcd;
mod generate;

pub use client::{read_only, unsure, MaelstromTxnClient};
pub use etcd::EtcdTxnClient;
pub use generate::{final_reads, TxnGen, TxnKind, TxnShape};

use crate::generator::Once;
use crate::Workload;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

/// The transactional workloads.
pub const NAMES: [&str; 2] = ["list-append", "rw-register"];

/// The workload of this kind; `checkers` judge it (from `checkers::txn`, with the model
/// and time budget the run asks for).
pub fn workload(
    kind: TxnKind,
    shape: TxnShape,
    checkers: Vec<Box<dyn checkers::Checker>>,
) -> Workload {
    let used = Arc::new(Mutex::new(BTreeSet::new()));
    let final_used = used.clone();
    Workload {
        name: kind.name(),
        generator: Box::new(TxnGen::new(kind, shape, used)),
        final_generator: Box::new(move || {
            let keys = final_used.lock().map(|k| k.clone()).unwrap_or_default();
            Box::new(Once::new(final_reads(&keys)))
        }),
        checkers,
    }
}
