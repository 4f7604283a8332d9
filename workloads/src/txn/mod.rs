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
//! more. The clients that speak transactions to a system are the `systems` crate's
//! (Maelstrom's `txn` message, served by the `raft` and `paxos` nodes as one log entry per
//! transaction; etcd's transactions, optimistic: a snapshot, then a commit that compares
//! revisions); what the micro-ops mean ([`apply`]) and how an unsure transaction completes
//! ([`unsure`]) are the workload's, here.

mod apply;
pub mod bank;
mod generate;
mod outcome;
pub mod set;
#[cfg(test)]
pub(crate) mod testing;

pub use apply::apply;
pub use generate::{final_reads, TxnGen, TxnKind, TxnShape};
pub use outcome::{read_only, unsure};

use crate::generator::Once;
use crate::registry::{self, Setup, WorkloadDef, WorkloadOptions};
use crate::{Client, Workload};
use checkers::txn::{ListAppend, Model, RwRegister};
use checkers::Checker;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

/// The final read of `bank` and `set` is asked again until it is ok: at most this many
/// times,
pub const FINAL_ATTEMPTS: u32 = 20;
/// this long apart (a leader may be being elected just after the heal).
pub const FINAL_PAUSE_NS: u64 = 250_000_000;

/// The transactional workloads: those any transaction client serves.
pub const NAMES: [&str; 4] = ["list-append", "rw-register", bank::NAME, set::NAME];

/// `list-append`; its options are the spec's `txn:` section.
pub static LIST_APPEND: WorkloadDef = WorkloadDef {
    name: "list-append",
    about:
        "transactions of appends and reads of lists; Elle-style dependency cycles against txn.model",
    section: Some("txn"),
    ops: &["txn"],
    options: registry::filled::<TxnOptions>,
    build: |s| build(TxnKind::ListAppend, s),
    checkers: |s| checkers(TxnKind::ListAppend, s, false),
};

/// `rw-register`; its options are the spec's `txn:` section.
pub static RW_REGISTER: WorkloadDef = WorkloadDef {
    name: "rw-register",
    about: "transactions of writes and reads of registers; Elle-style dependency cycles against txn.model",
    section: Some("txn"),
    ops: &["txn"],
    options: registry::filled::<TxnOptions>,
    build: |s| build(TxnKind::RwRegister, s),
    checkers: |s| checkers(TxnKind::RwRegister, s, false),
};

/// The transactional workloads' options (the spec's `txn:` section).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TxnOptions {
    /// Keys in use at once.
    pub active_keys: u32,
    /// Micro-ops per transaction, at most.
    pub max_len: usize,
    /// Writes a key takes before a fresh key replaces it.
    pub writes_per_key: u32,
    /// The share of reads among micro-ops.
    pub read_fraction: f64,
    /// The consistency model the history is judged against (read-committed,
    /// snapshot-isolation, serializable, strict-serializable). Unset: strict-serializable
    /// in a run (schism knows real time), serializable in `schism check`. Every model the
    /// history rules out is reported either way.
    pub model: Option<String>,
}

impl Default for TxnOptions {
    fn default() -> Self {
        let d = TxnShape::default();
        TxnOptions {
            active_keys: d.active_keys,
            max_len: d.max_len,
            writes_per_key: d.writes_per_key,
            read_fraction: d.read_fraction,
            model: None,
        }
    }
}

impl WorkloadOptions for TxnOptions {
    fn validate(&self) -> Result<(), String> {
        registry::positive("txn.active_keys", u64::from(self.active_keys))?;
        registry::positive("txn.max_len", self.max_len as u64)?;
        registry::positive("txn.writes_per_key", u64::from(self.writes_per_key))?;
        registry::fraction("txn.read_fraction", self.read_fraction)?;
        self.model(false).map(|_| ())
    }
}

impl TxnOptions {
    /// The model to judge against (`run`: in a run, where real time is known).
    pub fn model(&self, run: bool) -> Result<Model, String> {
        match &self.model {
            None if run => Ok(Model::StrictSerializable),
            None => Ok(Model::default()),
            Some(m) => Model::parse(m).ok_or_else(|| {
                format!(
                    "txn.model {m:?} is not a consistency model; known: {}",
                    Model::names()
                )
            }),
        }
    }

    pub fn shape(&self) -> TxnShape {
        TxnShape {
            active_keys: self.active_keys.max(1),
            max_len: self.max_len.max(1),
            writes_per_key: self.writes_per_key.max(1),
            read_fraction: self.read_fraction.clamp(0.0, 1.0),
        }
    }
}

fn checkers(kind: TxnKind, s: &Setup, run: bool) -> Result<Vec<Box<dyn Checker>>, String> {
    let model = s.options::<TxnOptions>()?.model(run)?;
    let time_limit = s.check_time_limit;
    Ok(vec![match kind {
        TxnKind::ListAppend => Box::new(ListAppend { model, time_limit }),
        TxnKind::RwRegister => Box::new(RwRegister { model, time_limit }),
    }])
}

fn build(kind: TxnKind, s: &Setup) -> Result<Workload, String> {
    let shape = s.options::<TxnOptions>()?.shape();
    Ok(workload(kind, shape, checkers(kind, s, true)?))
}

/// The client of the transactional workload `name` over a transaction client (`bank` and
/// `set` translate their ops into transactions; the others send theirs as they are).
/// `options` is the workload's section of the spec (the bank's accounts).
pub fn client_over(
    name: &str,
    txn: Box<dyn Client>,
    options: &serde_json::Value,
) -> Box<dyn Client> {
    match name {
        bank::NAME => {
            let shape = registry::options::<bank::BankShape>(options).unwrap_or_default();
            Box::new(bank::BankClient::new(txn, &shape.clamped()))
        }
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
