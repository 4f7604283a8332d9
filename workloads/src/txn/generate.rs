//! Transactions for `list-append` and `rw-register`, in Elle's manner: micro-ops over a
//! small window of active keys, every value written to a key unique (so a read names its
//! writer), and a key retired once it has had `writes_per_key` writes, so lists stay short
//! and the checker's work per key small. Keys retired or not, each is read once more in
//! the final phase.

use crate::generator::{Ctx, Generator, Next};
use crate::Invocation;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

/// Which kind of transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxnKind {
    /// `append k v` and `r k` (reads return the whole list).
    ListAppend,
    /// `w k v` and `r k`.
    RwRegister,
}

impl TxnKind {
    pub fn parse(name: &str) -> Option<TxnKind> {
        match name {
            "list-append" => Some(TxnKind::ListAppend),
            "rw-register" => Some(TxnKind::RwRegister),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            TxnKind::ListAppend => "list-append",
            TxnKind::RwRegister => "rw-register",
        }
    }
    fn write_f(self) -> &'static str {
        match self {
            TxnKind::ListAppend => "append",
            TxnKind::RwRegister => "w",
        }
    }
}

/// How transactions are drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct TxnShape {
    /// Keys in use at once.
    pub active_keys: u32,
    /// Micro-ops per transaction: 1..=max_len.
    pub max_len: usize,
    /// Writes a key takes before it is retired for a fresh one.
    pub writes_per_key: u32,
    /// The share of reads among micro-ops.
    pub read_fraction: f64,
}

impl Default for TxnShape {
    fn default() -> Self {
        TxnShape {
            active_keys: 8,
            max_len: 4,
            writes_per_key: 64,
            read_fraction: 0.5,
        }
    }
}

/// The main phase's transactions. Every key it touches is noted in `used`.
pub struct TxnGen {
    kind: TxnKind,
    shape: TxnShape,
    /// (key, writes so far) of the active keys.
    active: Vec<(u64, u32)>,
    next_key: u64,
    used: Arc<Mutex<BTreeSet<u64>>>,
}

impl TxnGen {
    pub fn new(kind: TxnKind, shape: TxnShape, used: Arc<Mutex<BTreeSet<u64>>>) -> TxnGen {
        let n = shape.active_keys.max(1) as u64;
        TxnGen {
            kind,
            active: (0..n).map(|k| (k, 0)).collect(),
            next_key: n,
            shape,
            used,
        }
    }

    fn micro_op(&mut self, ctx: &mut Ctx<'_>) -> Value {
        let slot = ctx.rng.below(self.active.len() as u64) as usize;
        let (key, writes) = self.active[slot];
        if let Ok(mut used) = self.used.lock() {
            used.insert(key);
        }
        if ctx.rng.unit() < self.shape.read_fraction {
            return json!(["r", key, null]);
        }
        // Values start at 1, so that no write looks like the initial state.
        let value = writes + 1;
        if value >= self.shape.writes_per_key.max(1) {
            self.active[slot] = (self.next_key, 0);
            self.next_key += 1;
        } else {
            self.active[slot].1 = value;
        }
        json!([self.kind.write_f(), key, value])
    }
}

impl Generator for TxnGen {
    fn next(&mut self, ctx: &mut Ctx<'_>) -> Next {
        let len = 1 + ctx.rng.below(self.shape.max_len.max(1) as u64) as usize;
        let txn: Vec<Value> = (0..len).map(|_| self.micro_op(ctx)).collect();
        Next::Op(Invocation::new("txn", None, Value::Array(txn)))
    }
}

/// The final phase: one read-only transaction per key used.
pub fn final_reads(used: &BTreeSet<u64>) -> Vec<Invocation> {
    used.iter()
        .map(|k| Invocation::new("txn", None, json!([["r", k, null]])))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use history::rng::Rng;

    #[test]
    fn values_are_unique_per_key_and_keys_retire() {
        let used = Arc::new(Mutex::new(BTreeSet::new()));
        let shape = TxnShape {
            active_keys: 2,
            writes_per_key: 3,
            ..TxnShape::default()
        };
        let mut g = TxnGen::new(TxnKind::ListAppend, shape, used.clone());
        let mut rng = Rng::new(4);
        let mut seen = BTreeSet::new();
        for _ in 0..200 {
            let Next::Op(inv) = g.next(&mut Ctx {
                time_ns: 0,
                process: 0,
                rng: &mut rng,
            }) else {
                panic!("always an op");
            };
            let txn = inv.value.as_array().unwrap().clone();
            assert!((1..=4).contains(&txn.len()));
            for m in txn {
                if m[0] == "append" {
                    let (k, v) = (m[1].as_u64().unwrap(), m[2].as_u64().unwrap());
                    assert!((1..=3).contains(&v), "{m}");
                    assert!(seen.insert((k, v)), "{k} got {v} twice");
                } else {
                    assert_eq!((m[0].as_str(), &m[2]), (Some("r"), &Value::Null));
                }
            }
        }
        let used = used.lock().unwrap();
        assert!(used.len() > 10, "keys retire and fresh ones come: {used:?}");
        assert_eq!(final_reads(&used).len(), used.len());
    }
}
