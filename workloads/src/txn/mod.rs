//! The transactional workloads, judged in Elle's manner (`checkers::txn`):
//!
//! - `list-append`: transactions of `append k v` and `r k` micro-ops; a read returns the
//!   whole list, so the order of a key's versions can be read off the longest list;
//! - `rw-register`: transactions of `w k v` and `r k`;
//! - [`bank`]: transfers between accounts and reads of every balance, over registers;
//! - [`set`]: adds to one set (a list) and reads of it.
//!
//! A transaction is one op, `f = "txn"`, its value the micro-ops as sent (`[["r", 3,
//! null], ["append", 3, 7]]`) and, once answered, with the reads filled in (`[["r", 3,
//! [1, 4]], ["append", 3, 7]]`). After the faults are healed, every key used is read once
//! more. Clients: Maelstrom's `txn` message ([`MaelstromTxnClient`], served by the `raft`
//! and `paxos` nodes as one log entry per transaction) and etcd's transactions
//! ([`EtcdTxnClient`], optimistic: a snapshot, then a commit that compares revisions).

pub mod bank;
mod client;
mod etcd;
mod generate;
pub mod set;
#[cfg(test)]
mod testing;

pub use client::{read_only, unsure, MaelstromTxnClient};
pub use etcd::EtcdTxnClient;
pub use generate::{final_reads, TxnGen, TxnKind, TxnShape};

use crate::generator::Once;
use crate::{Client, Workload};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

/// The final read of `bank` and `set` is asked again until it is ok: at most this many
/// times,
pub const FINAL_ATTEMPTS: u32 = 20;
/// this long apart (a leader may be being elected just after the heal).
pub const FINAL_PAUSE_NS: u64 = 250_000_000;

/// The transactional workloads: those any transaction client serves.
pub const NAMES: [&str; 4] = ["list-append", "rw-register", bank::NAME, set::NAME];

/// The client of the transactional workload `name` over a transaction client (`bank` and
/// `set` translate their ops into transactions; the others send theirs as they are).
pub fn client_over(name: &str, txn: Box<dyn Client>, bank: &bank::BankShape) -> Box<dyn Client> {
    match name {
        bank::NAME => Box::new(bank::BankClient::new(txn, bank)),
        set::NAME => Box::new(set::SetClient::new(txn)),
        _ => txn,
    }
}

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
