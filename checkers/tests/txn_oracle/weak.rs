//! Small transactional histories of a database with weak isolation, so that many of them
//! are not serializable.
//!
//! A seed fixes everything: 3-6 transactions of 1-3 micro-ops over 1-3 keys, run by 2-3
//! processes (or, for [`larger`], as many as asked). Most histories favour one isolation
//! level; each transaction runs under one of five:
//!
//! - `Serial`: all its micro-ops run at one moment against the committed state, and its
//!   writes are committed then;
//! - `Snapshot`: its reads see the state committed when it was invoked (and its own writes);
//!   its writes are committed when it ends, appended to whatever is committed then (no
//!   first-committer-wins: lost updates and write skew happen);
//! - `ReadCommitted`: each read sees the latest committed state (and its own writes);
//!   writes are committed when it ends;
//! - `Dirty`: its writes are visible to other dirty readers at once, committed or not, and
//!   stay visible if it fails;
//! - `Stale`: like `Snapshot`, but the snapshot is some earlier committed state (a lagging
//!   replica).
//!
//! Some histories run every transaction `Serial` (so they are strict serializable and a
//! checker must accept them). Outcomes: ok (writes committed), info (committed or not, and
//! sometimes never completed), fail (not committed, though a dirty one's writes may have been
//! read). Values are unique, so a read names its write.

use checkers::txn::Datatype;
use history::rng::Rng;
use history::{Dialect, History, Op, OpType, Value};
use serde_json::json;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Iso {
    Serial,
    Snapshot,
    ReadCommitted,
    Dirty,
    Stale,
}

/// A micro-op to run: a read (`value` None) or a write.
#[derive(Debug, Clone, Copy)]
struct Mop {
    key: usize,
    value: Option<i64>,
}

/// One transaction being run by a process.
struct Run {
    mops: Vec<Mop>,
    iso: Iso,
    outcome: OpType,
    /// Whether its writes take effect.
    commits: bool,
    /// Steps done: 0 = not invoked; 1..=mops (1 for Serial) = micro-ops; then commit, then
    /// completion.
    step: usize,
    snapshot: Vec<Vec<i64>>,
    /// Writes not yet committed: (key, value).
    own: Vec<(usize, i64)>,
    results: Vec<Value>,
    /// Never completed (info only).
    open: bool,
}

/// Every key's writes in order: a list's elements, a register's history (its value is the
/// last).
type State = Vec<Vec<i64>>;

struct Db {
    dt: Datatype,
    committed: State,
    /// What dirty readers see: the committed state plus dirty transactions' writes.
    dirty: State,
    /// Every committed state so far, oldest first.
    past: Vec<State>,
    ops: Vec<Op>,
}

impl Db {
    fn read_value(&self, rng: &mut Rng, l: &[i64]) -> Value {
        match self.dt {
            Datatype::ListAppend if l.is_empty() && rng.chance(0.3) => Value::Null,
            Datatype::ListAppend => json!(l),
            Datatype::RwRegister => json!(l.last()),
        }
    }

    fn mop_json(&self, m: &Mop, read: Option<Value>) -> Value {
        match m.value {
            Some(v) => json!([self.dt.write_f(), m.key, v]),
            None => json!(["r", m.key, read.unwrap_or(Value::Null)]),
        }
    }

    fn emit(&mut self, process: u64, kind: OpType, value: Value) {
        let t = 1_000 * (self.ops.len() as u64 + 1);
        self.ops
            .push(Op::client(process, kind, "txn", value).with_time_ns(t));
    }

    /// Run micro-op `i` of `r`.
    fn mop(&mut self, rng: &mut Rng, r: &mut Run, i: usize) {
        let m = r.mops[i];
        match m.value {
            Some(v) => match r.iso {
                Iso::Serial => {
                    if r.commits {
                        self.committed[m.key].push(v);
                        self.dirty[m.key].push(v);
                    }
                }
                Iso::Dirty => {
                    self.dirty[m.key].push(v);
                    r.own.push((m.key, v));
                }
                _ => r.own.push((m.key, v)),
            },
            None => {
                let seen: Vec<i64> = match r.iso {
                    Iso::Serial => {
                        let mut l = self.committed[m.key].clone();
                        if !r.commits {
                            // Its own writes, applied to nothing shared.
                            l.extend(
                                r.mops[..i]
                                    .iter()
                                    .filter(|o| o.key == m.key)
                                    .filter_map(|o| o.value),
                            );
                        }
                        l
                    }
                    Iso::Dirty => self.dirty[m.key].clone(),
                    Iso::Snapshot | Iso::ReadCommitted | Iso::Stale => {
                        let mut l = if r.iso != Iso::ReadCommitted {
                            r.snapshot[m.key].clone()
                        } else {
                            self.committed[m.key].clone()
                        };
                        l.extend(r.own.iter().filter(|o| o.0 == m.key).map(|o| o.1));
                        l
                    }
                };
                let v = self.read_value(rng, &seen);
                r.results[i] = v;
            }
        }
    }

    fn commit(&mut self, r: &Run) {
        if !r.commits {
            return;
        }
        for &(k, v) in &r.own {
            self.committed[k].push(v);
            if r.iso != Iso::Dirty {
                self.dirty[k].push(v);
            }
        }
        self.past.push(self.committed.clone());
    }
}

/// The history of seed `seed`.
pub fn history(dt: Datatype, seed: u64) -> History {
    let mut rng = Rng::new(seed);
    let n = rng.between(3, 6) as usize;
    let keys = [1, 1, 2, 2, 3][rng.below(5) as usize];
    let procs = rng.between(2, 3) as usize;
    run(dt, rng, n, keys, procs)
}

/// A larger history of seed `seed`: `n` transactions over `keys` keys and `procs`
/// processes, otherwise as [`history`].
pub fn larger(dt: Datatype, seed: u64, n: usize, keys: usize, procs: usize) -> History {
    run(dt, Rng::new(seed), n, keys, procs)
}

fn run(dt: Datatype, mut rng: Rng, n: usize, keys: usize, procs: usize) -> History {
    let serial_only = rng.chance(0.2);
    let max_mops = rng.between(2, 3);
    const ISOS: [Iso; 5] = [
        Iso::Serial,
        Iso::Snapshot,
        Iso::ReadCommitted,
        Iso::Dirty,
        Iso::Stale,
    ];
    let usual = ISOS[rng.between(1, 4) as usize];
    let mut next_value = 0i64;
    // Plan each process's transactions.
    let mut queues: Vec<Vec<Run>> = (0..procs).map(|_| Vec::new()).collect();
    for t in 0..n {
        let len = rng.between(1, max_mops) as usize;
        let mut mops: Vec<Mop> = Vec::with_capacity(len);
        let mut fresh = || {
            next_value += 1;
            Some(next_value)
        };
        while mops.len() < len {
            let key = rng.below(keys as u64) as usize;
            if mops.len() + 1 < len && rng.chance(0.5) {
                // Read, then write the key: where lost updates come from.
                mops.push(Mop { key, value: None });
                mops.push(Mop {
                    key,
                    value: fresh(),
                });
            } else if rng.chance(0.5) {
                mops.push(Mop {
                    key,
                    value: fresh(),
                });
            } else {
                mops.push(Mop { key, value: None });
            }
        }
        let iso = if serial_only {
            Iso::Serial
        } else if rng.chance(0.7) {
            usual
        } else {
            ISOS[rng.below(5) as usize]
        };
        let r = rng.unit();
        let (outcome, commits) = if r < 0.75 {
            (OpType::Ok, true)
        } else if r < 0.9 {
            (OpType::Info, rng.chance(0.5))
        } else {
            (OpType::Fail, false)
        };
        let open = outcome == OpType::Info && rng.chance(0.3);
        let slot = t % procs;
        queues[slot].push(Run {
            results: vec![Value::Null; mops.len()],
            mops,
            iso,
            outcome,
            commits,
            step: 0,
            snapshot: Vec::new(),
            own: Vec::new(),
            open,
        });
    }
    for q in &mut queues {
        q.reverse();
    }
    let mut db = Db {
        dt,
        committed: vec![Vec::new(); keys],
        dirty: vec![Vec::new(); keys],
        past: vec![vec![Vec::new(); keys]],
        ops: Vec::new(),
    };
    let mut process: Vec<u64> = (0..procs as u64).collect();
    loop {
        let busy: Vec<usize> = (0..procs).filter(|&p| !queues[p].is_empty()).collect();
        if busy.is_empty() {
            break;
        }
        let p = busy[rng.below(busy.len() as u64) as usize];
        let mut r = queues[p].pop().expect("busy");
        let steps = if r.iso == Iso::Serial {
            1
        } else {
            r.mops.len()
        };
        if r.step == 0 {
            r.snapshot = match r.iso {
                Iso::Stale => db.past[rng.below(db.past.len() as u64) as usize].clone(),
                _ => db.committed.clone(),
            };
            let sent = Value::Array(r.mops.iter().map(|m| db.mop_json(m, None)).collect());
            db.emit(process[p], OpType::Invoke, sent);
        } else if r.step <= steps {
            if r.iso == Iso::Serial {
                for i in 0..r.mops.len() {
                    db.mop(&mut rng, &mut r, i);
                }
            } else {
                let i = r.step - 1;
                db.mop(&mut rng, &mut r, i);
            }
        } else if r.step == steps + 1 {
            db.commit(&r);
        } else {
            if r.open {
                // Never completes: the process is gone.
                queues[p].clear();
                continue;
            }
            let value = if r.outcome == OpType::Ok {
                Value::Array(
                    r.mops
                        .iter()
                        .enumerate()
                        .map(|(i, m)| db.mop_json(m, Some(r.results[i].clone())))
                        .collect(),
                )
            } else {
                Value::Array(r.mops.iter().map(|m| db.mop_json(m, None)).collect())
            };
            db.emit(process[p], r.outcome, value);
            if r.outcome == OpType::Info {
                process[p] += procs as u64;
            }
            continue;
        }
        r.step += 1;
        queues[p].push(r);
    }
    History::from_ops(db.ops, Dialect::Schism).expect("a well-formed history")
}
