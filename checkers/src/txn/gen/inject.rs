//! The anomalies [`super::generate`] can inject: each a short script of transactions,
//! run once every open transaction has finished, that misbehaves in one known way.
//!
//! `x` and `y` are two keys in use (or a fresh one when only one is); `a`, `b`, ... fresh
//! values; `X` the list or value `x` holds when the script starts. `T1`, `T2`, ... run on
//! processes of the first three slots and are the script's transactions, in the order
//! [`super::Generated::injected`] lists them.

use super::{Mop, Sim};
use crate::txn::model::Model;
use crate::txn::txns::Datatype;
use history::{OpType, Value};
use serde_json::json;

/// An anomaly to inject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Inject {
    /// T1 = `[w x a] [w y b]`, T2 = `[w x c] [w y d]`, applied crossed: `x` gets a then
    /// c, `y` d then b; T3 reads both. For registers, T1 and T2 also read the key they
    /// overwrite (T1 reads c, T2 reads b), so the version orders are known.
    G0,
    /// T1 = `[w x a]` takes effect but reports `fail`; T2 reads `x`.
    G1a,
    /// T1 = `[w x a] [w x b]`; T2 reads `x` between the two writes.
    G1b,
    /// T1 = `[w x a] [r y]`, T2 = `[w y b] [r x]`, each reading the other's write.
    G1c,
    /// T1 = `[w x a] [w y b]`; then T2 reads `x` with `a` but `y` without `b`; T3 reads
    /// `y`. (Registers: T1 reads `y` before writing it, so `b` is known to follow.)
    GSingle,
    /// Write skew: T1 = `[r x] [r y] [w x a]`, T2 = `[r x] [r y] [w y b]`, both reading
    /// before either writes; T3 reads both.
    G2Item,
    /// T1 = `[w x a] [r x]`, whose read misses its own write.
    Internal,
    /// T1 appends `a` to `x`; T2 reads `x` with `a` twice. (Lists only.)
    Duplicate,
    /// T1 appends `a` to `x` and completes ok without effect; T2 reads `x`. (Lists only.)
    Lost,
    /// T1 = `[r x] [w x a]` and T2 = `[r x] [w x b]` both read `X`, then both write.
    LostUpdate,
    /// T1 reads `x` holding a value never written.
    GarbageRead,
    /// T1, T2 append `a`, `b` to `x`; T3 reads `X a b`, T4 reads `X b`. (Lists only.)
    IncompatibleOrder,
    /// T1 writes `a` to `x` (registers: after reading `X`) and completes; T2, invoked
    /// after, reads `X`; T3 reads `a`.
    StaleRealtime,
}

impl Inject {
    pub const ALL: [Inject; 13] = [
        Inject::G0,
        Inject::G1a,
        Inject::G1b,
        Inject::G1c,
        Inject::GSingle,
        Inject::G2Item,
        Inject::Internal,
        Inject::Duplicate,
        Inject::Lost,
        Inject::LostUpdate,
        Inject::GarbageRead,
        Inject::IncompatibleOrder,
        Inject::StaleRealtime,
    ];

    pub fn applies_to(self, dt: Datatype) -> bool {
        dt == Datatype::ListAppend
            || !matches!(
                self,
                Inject::Duplicate | Inject::Lost | Inject::IncompatibleOrder
            )
    }

    /// The kind of anomaly the checker must report.
    pub fn kind(self) -> &'static str {
        match self {
            Inject::G0 => "G0",
            Inject::G1a => "G1a",
            Inject::G1b => "G1b",
            Inject::G1c => "G1c",
            Inject::GSingle => "G-single",
            Inject::G2Item => "G2-item",
            Inject::Internal => "internal",
            Inject::Duplicate => "duplicate",
            Inject::Lost => "lost",
            Inject::LostUpdate => "lost-update",
            Inject::GarbageRead => "garbage-read",
            Inject::IncompatibleOrder => "incompatible-order",
            Inject::StaleRealtime => "G-single-realtime",
        }
    }

    /// Every kind the checker may report for it (the kind itself, and what necessarily
    /// comes with it).
    pub fn kinds(self, dt: Datatype) -> Vec<&'static str> {
        let mut k = vec![self.kind()];
        if self == Inject::Lost {
            // The append comes after every version read (module `unobserved`): after the
            // reader that missed it (rw) and the writer of the last value read (ww), which
            // follow it in real time (or process order): a cycle through those edges.
            k.extend([
                "G0-process",
                "G0-realtime",
                "G1c-process",
                "G1c-realtime",
                "G-single-process",
                "G-single-realtime",
            ]);
        }
        if self == Inject::LostUpdate {
            k.push(match dt {
                Datatype::ListAppend => "G-single",
                Datatype::RwRegister => "G2-item",
            });
        }
        k
    }

    /// The weakest model the history then violates.
    pub fn weakest(self) -> Model {
        crate::txn::model::weakest_ruled_out(self.kind()).expect("a known kind")
    }

    /// Run the script; the invocation indices of its transactions.
    pub(super) fn run(self, sim: &mut Sim) -> Vec<u64> {
        let x = sim.active[sim.rng.below(sim.active.len() as u64) as usize].0;
        let y = match sim.active.iter().find(|a| a.0 != x) {
            Some(a) if sim.rng.chance(0.7) => a.0,
            _ => sim.fresh_key(),
        };
        let list = sim.dt == Datatype::ListAppend;
        let mut s = Script {
            sim,
            ids: Vec::new(),
        };
        match self {
            Inject::G0 => {
                let (a, b, c, d) = (s.v(), s.v(), s.v(), s.v());
                let (t1, t2) = if list {
                    (vec![w(x, a), w(y, b)], vec![w(x, c), w(y, d)])
                } else {
                    (vec![r(x), w(x, a), w(y, b)], vec![r(y), w(y, d), w(x, c)])
                };
                s.invoke(0, &t1);
                s.invoke(1, &t2);
                let (d1, d2) = if list {
                    for (k, v) in [(x, a), (x, c), (y, d), (y, b)] {
                        s.sim.write(k, v);
                    }
                    (s.sim.sent(&t1), s.sim.sent(&t2))
                } else {
                    s.sim.write(x, c);
                    s.sim.write(y, b);
                    s.sim.write(x, a);
                    s.sim.write(y, d);
                    let dt = s.sim.dt;
                    let f = dt.write_f();
                    (
                        json!([["r", x, c], [f, x, a], [f, y, b]]),
                        json!([["r", y, b], [f, y, d], [f, x, c]]),
                    )
                };
                s.complete(0, OpType::Ok, d1);
                s.complete(1, OpType::Ok, d2);
                s.atomic(2, &[r(x), r(y)]);
            }
            Inject::G1a => {
                let a = s.v();
                s.invoke(0, &[w(x, a)]);
                let done = s.sim.execute(&[w(x, a)]);
                s.complete(0, OpType::Fail, done);
                s.atomic(1, &[r(x)]);
            }
            Inject::G1b => {
                let (a, b) = (s.v(), s.v());
                s.invoke(0, &[w(x, a), w(x, b)]);
                s.sim.write(x, a);
                s.atomic(1, &[r(x)]);
                s.sim.write(x, b);
                let done = s.sim.sent(&[w(x, a), w(x, b)]);
                s.complete(0, OpType::Ok, done);
            }
            Inject::G1c => {
                let (a, b) = (s.v(), s.v());
                s.invoke(0, &[w(x, a), r(y)]);
                s.invoke(1, &[w(y, b), r(x)]);
                s.sim.write(x, a);
                s.sim.write(y, b);
                let d1 = s.sim.execute(&[r(y)]);
                let d2 = s.sim.execute(&[r(x)]);
                let f = s.sim.dt.write_f();
                s.complete(0, OpType::Ok, json!([[f, x, a], d1[0]]));
                s.complete(1, OpType::Ok, json!([[f, y, b], d2[0]]));
            }
            Inject::GSingle => {
                let (a, b) = (s.v(), s.v());
                let stale_y = s.sim.state(y);
                if list {
                    s.atomic(0, &[w(x, a), w(y, b)]);
                } else {
                    s.atomic(0, &[w(x, a), r(y), w(y, b)]);
                }
                s.invoke(1, &[r(x), r(y)]);
                let fresh_x = s.sim.state(x);
                s.complete(1, OpType::Ok, json!([["r", x, fresh_x], ["r", y, stale_y]]));
                s.atomic(2, &[r(y)]);
            }
            Inject::G2Item => {
                let (a, b) = (s.v(), s.v());
                let t1 = [r(x), r(y), w(x, a)];
                let t2 = [r(x), r(y), w(y, b)];
                s.invoke(0, &t1);
                s.invoke(1, &t2);
                let reads = s.sim.execute(&[r(x), r(y)]);
                s.sim.write(x, a);
                s.sim.write(y, b);
                let f = s.sim.dt.write_f();
                s.complete(0, OpType::Ok, json!([reads[0], reads[1], [f, x, a]]));
                s.complete(1, OpType::Ok, json!([reads[0], reads[1], [f, y, b]]));
                s.atomic(2, &[r(x), r(y)]);
            }
            Inject::Internal => {
                let a = s.v();
                let before = s.sim.state(x);
                s.invoke(0, &[w(x, a), r(x)]);
                s.sim.write(x, a);
                let f = s.sim.dt.write_f();
                s.complete(0, OpType::Ok, json!([[f, x, a], ["r", x, before]]));
            }
            Inject::Duplicate => {
                let a = s.v();
                s.atomic(0, &[w(x, a)]);
                s.invoke(1, &[r(x)]);
                let mut l = s.sim.lists.get(&x).cloned().unwrap_or_default();
                l.push(a);
                s.complete(1, OpType::Ok, json!([["r", x, l]]));
                s.sim.retire(x);
            }
            Inject::Lost => {
                let a = s.v();
                s.invoke(0, &[w(x, a)]);
                let done = s.sim.sent(&[w(x, a)]);
                s.complete(0, OpType::Ok, done);
                s.atomic(1, &[r(x)]);
            }
            Inject::LostUpdate => {
                let (a, b) = (s.v(), s.v());
                s.invoke(0, &[r(x), w(x, a)]);
                s.invoke(1, &[r(x), w(x, b)]);
                let read = s.sim.execute(&[r(x)]);
                s.sim.write(x, a);
                s.sim.write(x, b);
                let f = s.sim.dt.write_f();
                s.complete(0, OpType::Ok, json!([read[0], [f, x, a]]));
                s.complete(1, OpType::Ok, json!([read[0], [f, x, b]]));
                s.atomic(2, &[r(x)]);
            }
            Inject::GarbageRead => {
                let g = s.v();
                s.invoke(0, &[r(x)]);
                let seen = match s.sim.state(x) {
                    Value::Array(mut l) => {
                        l.push(json!(g));
                        Value::Array(l)
                    }
                    _ => json!(g),
                };
                s.complete(0, OpType::Ok, json!([["r", x, seen]]));
                if list {
                    s.sim.retire(x);
                }
            }
            Inject::IncompatibleOrder => {
                let (a, b) = (s.v(), s.v());
                let before = s.sim.lists.get(&x).cloned().unwrap_or_default();
                s.atomic(0, &[w(x, a)]);
                s.atomic(1, &[w(x, b)]);
                s.atomic(2, &[r(x)]);
                let mut skipped = before;
                skipped.push(b);
                s.invoke(0, &[r(x)]);
                s.complete(0, OpType::Ok, json!([["r", x, skipped]]));
                s.sim.retire(x);
            }
            Inject::StaleRealtime => {
                let a = s.v();
                let stale = s.sim.state(x);
                if list {
                    s.atomic(0, &[w(x, a)]);
                } else {
                    s.atomic(0, &[r(x), w(x, a)]);
                }
                s.invoke(1, &[r(x)]);
                s.complete(1, OpType::Ok, json!([["r", x, stale]]));
                s.atomic(2, &[r(x)]);
            }
        }
        s.ids
    }
}

fn w(key: u64, v: i64) -> Mop {
    Mop {
        key,
        value: Some(v),
    }
}

fn r(key: u64) -> Mop {
    Mop { key, value: None }
}

/// A script being run on the simulation.
struct Script<'s> {
    sim: &'s mut Sim,
    ids: Vec<u64>,
}

impl Script<'_> {
    fn v(&mut self) -> i64 {
        self.sim.fresh_value()
    }

    fn invoke(&mut self, slot: usize, mops: &[Mop]) {
        let sent = self.sim.sent(mops);
        let id = self.sim.emit(slot, OpType::Invoke, sent);
        self.ids.push(id);
    }

    fn complete(&mut self, slot: usize, kind: OpType, value: Value) {
        self.sim.emit(slot, kind, value);
    }

    /// A well-behaved transaction, start to end.
    fn atomic(&mut self, slot: usize, mops: &[Mop]) {
        self.invoke(slot, mops);
        let done = self.sim.execute(mops);
        self.complete(slot, OpType::Ok, done);
    }
}
