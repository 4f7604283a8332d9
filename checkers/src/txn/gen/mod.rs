//! Histories of a serial database, for tests and benchmarks (shared by both so they judge
//! the same thing).
//!
//! Processes invoke transactions concurrently, but the simulated database applies each
//! one atomically at a single moment between its invocation and its completion: so every
//! history it produces is strict serializable, whatever the interleaving. Some
//! transactions fail (and take no effect); some end `info` (they take effect now, later
//! or never; after one, the process is replaced by a fresh one, as in Jepsen) and a few
//! are left open at the end. Keys are drawn from a window of active keys; a key that has
//! had `writes_per_key` writes is retired for a fresh one, so lists stay short. Every value
//! written is unique.
//!
//! [`generate`] can also inject one anomaly ([`Inject`]) at a random point: it lets every
//! open transaction finish, runs a short script of transactions that misbehave in a known
//! way, then carries on.

mod inject;

pub use inject::Inject;

use super::txns::Datatype;
use history::rng::Rng;
use history::{Dialect, History, Op, OpType, Value};
use rustc_hash::FxHashMap;
use serde_json::json;

/// The shape of a generated history.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    pub datatype: Datatype,
    /// Transactions invoked.
    pub txns: usize,
    /// Concurrent processes.
    pub processes: u32,
    /// Keys in use at once.
    pub keys: u32,
    /// Writes a key takes before it is retired.
    pub writes_per_key: u32,
    /// Micro-ops per transaction: 1..=max_len.
    pub max_len: u32,
    /// The share of reads among micro-ops.
    pub read_fraction: f64,
    /// The share of transactions that fail, and that end indeterminate.
    pub fail: f64,
    pub info: f64,
    pub seed: u64,
}

impl Spec {
    /// A small history of a shape drawn from `seed`: a few keys, so transactions collide.
    pub fn small(datatype: Datatype, seed: u64) -> Spec {
        let mut r = Rng::new(seed ^ 0x5eed);
        Spec {
            datatype,
            txns: r.between(10, 120) as usize,
            processes: r.between(3, 6) as u32,
            keys: r.between(1, 5) as u32,
            writes_per_key: r.between(2, 12) as u32,
            max_len: r.between(1, 5) as u32,
            read_fraction: 0.3 + 0.4 * r.unit(),
            fail: 0.15 * r.unit(),
            info: 0.15 * r.unit(),
            seed,
        }
    }

    /// A benchmark history: `txns` transactions, 10 processes, 1,000 active keys, up to 4
    /// micro-ops each, 32 writes per key, a few failures and indeterminate outcomes.
    pub fn large(datatype: Datatype, txns: usize, seed: u64) -> Spec {
        Spec {
            datatype,
            txns,
            processes: 10,
            keys: 1000,
            writes_per_key: 32,
            max_len: 4,
            read_fraction: 0.5,
            fail: 0.02,
            info: 0.01,
            seed,
        }
    }
}

/// A generated history, and the invocation indices of the injected script's
/// transactions, in script order (empty when nothing was injected).
#[derive(Debug, Clone)]
pub struct Generated {
    pub history: History,
    pub injected: Vec<u64>,
}

/// One micro-op to run: a read (`value` None) or a write.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Mop {
    key: u64,
    value: Option<i64>,
}

struct Open {
    mops: Vec<Mop>,
    outcome: OpType,
    /// The completion's value, once the database has dealt with the transaction.
    result: Option<Value>,
}

struct Slot {
    process: u64,
    open: Option<Open>,
}

/// The simulated database and its clients.
struct Sim {
    dt: Datatype,
    rng: Rng,
    ops: Vec<Op>,
    slots: Vec<Slot>,
    /// Active keys and their writes so far.
    active: Vec<(u64, u32)>,
    next_key: u64,
    next_value: i64,
    writes_per_key: u32,
    lists: FxHashMap<u64, Vec<i64>>,
    regs: FxHashMap<u64, i64>,
    /// Indeterminate transactions still to take effect.
    late: Vec<Vec<Mop>>,
}

impl Sim {
    fn emit(&mut self, slot: usize, kind: OpType, value: Value) -> u64 {
        let index = self.ops.len() as u64;
        let op = Op::client(self.slots[slot].process, kind, "txn", value)
            .with_time_ns(1_000 * (index + 1));
        self.ops.push(op);
        index
    }

    /// The micro-ops as sent: reads with a null value.
    fn sent(&self, mops: &[Mop]) -> Value {
        Value::Array(
            mops.iter()
                .map(|m| match m.value {
                    Some(v) => json!([self.dt.write_f(), m.key, v]),
                    None => json!(["r", m.key, null]),
                })
                .collect(),
        )
    }

    /// What the key holds now, as a read returns it.
    fn state(&self, key: u64) -> Value {
        match self.dt {
            Datatype::ListAppend => json!(self.lists.get(&key).cloned().unwrap_or_default()),
            Datatype::RwRegister => json!(self.regs.get(&key)),
        }
    }

    fn write(&mut self, key: u64, value: i64) {
        match self.dt {
            Datatype::ListAppend => self.lists.entry(key).or_default().push(value),
            Datatype::RwRegister => {
                self.regs.insert(key, value);
            }
        }
    }

    /// Apply the micro-ops atomically; the completion's value.
    fn execute(&mut self, mops: &[Mop]) -> Value {
        let mut out = Vec::with_capacity(mops.len());
        for m in mops {
            match m.value {
                Some(v) => {
                    self.write(m.key, v);
                    out.push(json!([self.dt.write_f(), m.key, v]));
                }
                None => out.push(json!(["r", m.key, self.state(m.key)])),
            }
        }
        Value::Array(out)
    }

    fn fresh_value(&mut self) -> i64 {
        self.next_value += 1;
        self.next_value
    }

    /// A fresh key, never used before.
    fn fresh_key(&mut self) -> u64 {
        self.next_key += 1;
        self.next_key - 1
    }

    /// Retire `key` from the active window, if it is there.
    fn retire(&mut self, key: u64) {
        if let Some(i) = self.active.iter().position(|a| a.0 == key) {
            let k = self.fresh_key();
            self.active[i] = (k, 0);
        }
    }

    fn random_txn(&mut self, max_len: u32, read_fraction: f64) -> Vec<Mop> {
        let len = self.rng.between(1, max_len.max(1) as u64) as usize;
        let mut mops = Vec::with_capacity(len);
        for _ in 0..len {
            let slot = self.rng.below(self.active.len() as u64) as usize;
            let (key, writes) = self.active[slot];
            if self.rng.chance(read_fraction) {
                mops.push(Mop { key, value: None });
                continue;
            }
            let value = self.fresh_value();
            mops.push(Mop {
                key,
                value: Some(value),
            });
            if writes + 1 >= self.writes_per_key {
                let k = self.fresh_key();
                self.active[slot] = (k, 0);
            } else {
                self.active[slot].1 = writes + 1;
            }
        }
        mops
    }

    /// The database deals with slot `i`'s transaction.
    fn apply(&mut self, i: usize) {
        let Some(open) = self.slots[i].open.take() else {
            return;
        };
        let result = match open.outcome {
            OpType::Ok => self.execute(&open.mops),
            OpType::Info => {
                match self.rng.below(4) {
                    0 | 1 => {
                        self.execute(&open.mops);
                    }
                    2 => self.late.push(open.mops.clone()),
                    _ => {}
                }
                self.sent(&open.mops)
            }
            _ => self.sent(&open.mops),
        };
        self.slots[i].open = Some(Open {
            result: Some(result),
            ..open
        });
    }

    /// Slot `i`'s transaction completes.
    fn complete(&mut self, i: usize) {
        let Some(open) = self.slots[i].open.take() else {
            return;
        };
        let value = open.result.unwrap_or(Value::Null);
        self.emit(i, open.outcome, value);
        if open.outcome == OpType::Info {
            self.slots[i].process += self.slots.len() as u64;
        }
    }

    /// Let every open transaction finish; indeterminate ones stay open if `leave_info`.
    fn drain(&mut self, leave_info: bool) {
        for i in 0..self.slots.len() {
            let Some(open) = &self.slots[i].open else {
                continue;
            };
            if open.result.is_none() {
                self.apply(i);
            }
            let info = self.slots[i]
                .open
                .as_ref()
                .is_some_and(|o| o.outcome == OpType::Info);
            if !(leave_info && info) {
                self.complete(i);
            }
        }
    }
}

/// A history of `spec`, with `inject` injected (if it applies to the data type) at a
/// random point.
pub fn generate(spec: &Spec, inject: Option<Inject>) -> Generated {
    let mut rng = Rng::new(spec.seed);
    let keys = spec.keys.max(1) as u64;
    let mut sim = Sim {
        dt: spec.datatype,
        rng: Rng::new(rng.next_u64()),
        ops: Vec::with_capacity(spec.txns * 2 + 16),
        slots: (0..spec.processes.max(3) as u64)
            .map(|p| Slot {
                process: p,
                open: None,
            })
            .collect(),
        active: (0..keys).map(|k| (k, 0)).collect(),
        next_key: keys,
        next_value: 0,
        writes_per_key: spec.writes_per_key.max(1),
        lists: FxHashMap::default(),
        regs: FxHashMap::default(),
        late: Vec::new(),
    };
    let inject = inject.filter(|i| i.applies_to(spec.datatype));
    let inject_at = rng.below(spec.txns as u64 + 1) as usize;
    let mut injected = Vec::new();
    let mut invoked = 0usize;
    let mut candidates: Vec<usize> = Vec::with_capacity(sim.slots.len());
    loop {
        if let Some(i) = inject.filter(|_| injected.is_empty() && invoked >= inject_at) {
            sim.drain(false);
            injected = i.run(&mut sim);
        }
        candidates.clear();
        candidates.extend(
            (0..sim.slots.len()).filter(|&i| sim.slots[i].open.is_some() || invoked < spec.txns),
        );
        if candidates.is_empty() {
            break;
        }
        if !sim.late.is_empty() && sim.rng.chance(0.05) {
            let j = sim.rng.below(sim.late.len() as u64) as usize;
            let mops = sim.late.swap_remove(j);
            sim.execute(&mops);
        }
        let i = candidates[sim.rng.below(candidates.len() as u64) as usize];
        match &sim.slots[i].open {
            None => {
                let mops = sim.random_txn(spec.max_len, spec.read_fraction);
                let r = sim.rng.unit();
                let outcome = if r < spec.fail {
                    OpType::Fail
                } else if r < spec.fail + spec.info {
                    OpType::Info
                } else {
                    OpType::Ok
                };
                let sent = sim.sent(&mops);
                sim.emit(i, OpType::Invoke, sent);
                sim.slots[i].open = Some(Open {
                    mops,
                    outcome,
                    result: None,
                });
                invoked += 1;
            }
            Some(open) if open.result.is_none() => sim.apply(i),
            Some(_) => sim.complete(i),
        }
        if invoked == spec.txns && sim.slots.iter().all(|s| s.open.is_none()) {
            if let Some(i) = inject.filter(|_| injected.is_empty()) {
                injected = i.run(&mut sim);
            }
            break;
        }
    }
    sim.drain(true);
    let history = History::from_ops(sim.ops, Dialect::Schism).expect("a well-formed history");
    Generated { history, injected }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histories_are_well_formed_reproducible_and_varied() {
        for dt in [Datatype::ListAppend, Datatype::RwRegister] {
            let spec = Spec::small(dt, 7);
            let a = generate(&spec, None);
            let b = generate(&spec, None);
            assert_eq!(a.history.ops(), b.history.ops());
            let kinds: Vec<OpType> = a.history.ops().iter().map(|o| o.kind).collect();
            assert!(kinds.contains(&OpType::Ok));
            let invokes = kinds.iter().filter(|k| **k == OpType::Invoke).count();
            assert_eq!(invokes, spec.txns);
        }
        let spec = Spec {
            fail: 0.3,
            info: 0.3,
            ..Spec::small(Datatype::ListAppend, 3)
        };
        let h = generate(&spec, None).history;
        for k in [OpType::Fail, OpType::Info] {
            assert!(h.ops().iter().any(|o| o.kind == k), "{k:?}");
        }
    }

    #[test]
    fn an_injection_runs_its_script() {
        let spec = Spec::small(Datatype::ListAppend, 11);
        let g = generate(&spec, Some(Inject::G0));
        assert_eq!(g.injected.len(), 3);
        let ops = g.history.ops();
        let t1 = &ops[g.injected[0] as usize];
        assert_eq!(t1.kind, OpType::Invoke);
        assert_eq!(t1.value.as_array().map(|a| a.len()), Some(2));
        let invokes = ops.iter().filter(|o| o.kind == OpType::Invoke).count();
        assert_eq!(invokes, spec.txns + 3);
    }
}
