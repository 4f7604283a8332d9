//! The search for a serial order: depth first, one transaction placed at a time, with the
//! pruning described in the parent module, and an explicit stack (orders are as long as
//! the history).
//!
//! Each *node* is a state: the transactions placed so far and the database they left. At a
//! node the transactions that may go next (all their predecessors placed) are tried in
//! order: read-only ones first, then writers by urgency. The first that fits is placed; if
//! it was read-only, the node has no other choice to try (see the parent module). A node
//! where nothing fits is dead: the search backtracks to the last writer placed by choice and
//! tries the next writer there. Dead nodes are remembered by a 128-bit hash of the placed
//! set and the database.

use super::state::{toggle, Misread, State};
use super::Problem;
use crate::txn::budget::{Clock, TimeUp};
use crate::txn::txns::{Datatype, KeyId, Mop, Status, TxnId, Txns};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::BTreeSet;
use std::ops::Bound::{Excluded, Unbounded};

/// Dead nodes remembered at most (16 bytes each, and the set's overhead).
const MAX_DEAD: usize = 4_000_000;
/// Transactions named in a [`Stuck`].
const SHOWN: usize = 6;

/// How a search ended.
#[derive(Debug)]
pub enum Outcome {
    /// An order explains every read.
    Found { steps: u64 },
    /// No order does: every one the edges allow was tried (or pruned). `stuck` is the
    /// furthest the search got.
    Impossible { steps: u64, stuck: Stuck },
    /// The budget ran out first; `stuck` is the furthest the search got.
    GaveUp { steps: u64, stuck: Stuck },
}

/// The furthest the search got: where it had placed the most transactions, none of the
/// rest could go next.
#[derive(Debug, Default)]
pub struct Stuck {
    /// How many transactions were placed, of how many.
    pub placed: u32,
    pub members: u32,
    /// The last of them, in order (at most a few).
    pub last: Vec<TxnId>,
    /// Why each transaction that could otherwise have gone next could not (the first few).
    pub blocked: Vec<Blocked>,
    /// How many could go next in all.
    pub ready: u32,
    /// How many others were left, still waiting for a predecessor.
    pub waiting: u32,
}

impl Stuck {
    /// The transactions it names: those that could not go next, and the readers they
    /// waited for.
    pub fn involved(&self) -> Vec<TxnId> {
        let mut out = Vec::new();
        for b in &self.blocked {
            match b {
                Blocked::Misread { t, .. } => out.push(*t),
                Blocked::Overwrites { t, reader, .. } => {
                    out.push(*t);
                    out.extend(*reader);
                }
            }
        }
        out
    }
}

/// Why transaction `t` could not go next.
#[derive(Debug)]
pub enum Blocked {
    /// Its micro-op `mop` (from 0) read something else than the database held: `now`.
    Misread { t: TxnId, mop: u32, now: String },
    /// It writes `key`, whose version `now` transaction `reader` (not yet placed) still
    /// has to read.
    Overwrites {
        t: TxnId,
        key: KeyId,
        now: String,
        reader: Option<TxnId>,
    },
}

/// Why a transaction does not fit: a misread, or the key and version it would overwrite.
enum Misfit {
    Misread(Misread),
    Overwrites(KeyId, u32),
}

/// Why a search stopped early.
enum Halt {
    Time,
    Budget,
}

/// A transaction that may go next, in the order they are tried: (writes, whether some
/// preferred predecessor is not placed yet, urgency, id).
type Entry = (bool, bool, u32, TxnId);

/// A transaction placed: what to undo, and the node it was placed at.
struct Frame {
    entry: Entry,
    /// Read-only: the node had no other choice.
    forced: bool,
    mark: usize,
    node: u128,
}

pub struct Search<'p, 'a> {
    p: &'p Problem<'a>,
    state: State,
    /// (key, version) -> how many members not yet placed observed it.
    need: FxHashMap<u64, u32>,
    /// Required predecessors not yet placed, per transaction.
    preds: Vec<u32>,
    /// Preferred predecessors not yet placed, per transaction.
    soft: Vec<u32>,
    ready: BTreeSet<Entry>,
    placed: Vec<bool>,
    count: u32,
    set: u64,
    stack: Vec<Frame>,
    dead: FxHashSet<u128>,
    steps: u64,
    budget: u64,
    stuck: Stuck,
    /// Whether `stuck` holds anything yet.
    noted: bool,
    /// (key, version) -> the members that observed it; built when first needed.
    observers: Option<FxHashMap<u64, Vec<TxnId>>>,
    /// Whether each transaction writes.
    writes: Vec<bool>,
    /// Keys written by the transaction being tried, with their versions before it.
    before: Vec<(KeyId, u32)>,
}

fn writes(mops: &[Mop]) -> bool {
    mops.iter().any(|m| matches!(m, Mop::Write { .. }))
}

impl<'p, 'a> Search<'p, 'a> {
    /// A search of at most `budget` steps.
    pub fn new(p: &'p Problem<'a>, budget: u64) -> Search<'p, 'a> {
        let txns = p.txns;
        let mut need: FxHashMap<u64, u32> =
            FxHashMap::with_capacity_and_hasher(p.obs.len(), Default::default());
        for &(k, v) in &p.obs {
            *need.entry(Txns::kv(k, v)).or_insert(0) += 1;
        }
        let mut s = Search {
            p,
            state: State::new(p.dt, txns.keys.len()),
            need,
            preds: (0..txns.len()).map(|t| p.required_preds(t)).collect(),
            soft: p.soft.preds.clone(),
            ready: BTreeSet::new(),
            placed: vec![false; txns.len()],
            count: 0,
            set: 0,
            stack: Vec::new(),
            dead: FxHashSet::default(),
            steps: 0,
            budget,
            stuck: Stuck::default(),
            noted: false,
            observers: None,
            before: Vec::new(),
            writes: txns.list.iter().map(|t| writes(&t.mops)).collect(),
        };
        for t in 0..txns.len() as TxnId {
            if p.member[t as usize] && p.required_preds(t as usize) == 0 {
                let e = s.entry(t);
                s.ready.insert(e);
            }
        }
        s
    }

    fn entry(&self, t: TxnId) -> Entry {
        (
            self.writes[t as usize],
            self.soft[t as usize] > 0,
            self.p.urgency[t as usize],
            t,
        )
    }

    fn node(&self) -> u128 {
        (self.set as u128) << 64 | self.state.hash() as u128
    }

    /// Search; the outcome, or the time limit.
    pub fn run(mut self, clock: &mut Clock) -> Result<Outcome, TimeUp> {
        match self.explore(clock) {
            Ok(o) => Ok(o),
            Err(Halt::Time) => Err(TimeUp),
            Err(Halt::Budget) => Ok(Outcome::GaveUp {
                steps: self.steps,
                stuck: std::mem::take(&mut self.stuck),
            }),
        }
    }

    fn explore(&mut self, clock: &mut Clock) -> Result<Outcome, Halt> {
        loop {
            if self.count == self.p.members {
                return Ok(Outcome::Found { steps: self.steps });
            }
            let node = self.node();
            let known_dead = self.dead.contains(&node);
            let next = if known_dead {
                None
            } else {
                self.next(None, clock)?
            };
            if let Some((entry, mark)) = next {
                self.stack.push(Frame {
                    entry,
                    forced: !entry.0,
                    mark,
                    node,
                });
                continue;
            }
            if !known_dead {
                self.note_stuck();
                self.remember(node);
            }
            // Back to the last choice with an alternative left.
            loop {
                let Some(f) = self.stack.pop() else {
                    return Ok(Outcome::Impossible {
                        steps: self.steps,
                        stuck: std::mem::take(&mut self.stuck),
                    });
                };
                self.unplace(f.entry.3, f.mark);
                if !f.forced {
                    if let Some((entry, mark)) = self.next(Some(f.entry), clock)? {
                        self.stack.push(Frame {
                            entry,
                            forced: false,
                            mark,
                            node: f.node,
                        });
                        break;
                    }
                }
                self.remember(f.node);
            }
        }
    }

    fn remember(&mut self, node: u128) {
        if self.dead.len() < MAX_DEAD {
            self.dead.insert(node);
        }
    }

    /// Place the first transaction after `after` (in the order tried) that fits; it, and
    /// the undo mark before it.
    fn next(
        &mut self,
        after: Option<Entry>,
        clock: &mut Clock,
    ) -> Result<Option<(Entry, usize)>, Halt> {
        let mut cur = after;
        loop {
            let e = match cur {
                None => self.ready.iter().next(),
                Some(a) => self.ready.range((Excluded(a), Unbounded)).next(),
            };
            let Some(&e) = e else {
                return Ok(None);
            };
            self.steps += 1;
            if self.steps > self.budget {
                return Err(Halt::Budget);
            }
            clock.tick().map_err(|_| Halt::Time)?;
            let mark = self.state.mark();
            if self.place(e.3).is_ok() {
                return Ok(Some((e, mark)));
            }
            cur = Some(e);
        }
    }

    /// Place `t` next if it fits.
    fn place(&mut self, t: TxnId) -> Result<(), Misfit> {
        let p = self.p;
        let txn = &p.txns.list[t as usize];
        self.before.clear();
        for m in txn.mops.iter() {
            if let Mop::Write { key, .. } = m {
                if !self.before.iter().any(|b| b.0 == *key) {
                    self.before.push((*key, self.state.version(*key)));
                }
            }
        }
        let mark = self.state.mark();
        self.state
            .run(&txn.mops, txn.status == Status::Ok)
            .map_err(Misfit::Misread)?;
        for &(k, v) in &self.before {
            let waiting = self.need.get(&Txns::kv(k, v)).copied().unwrap_or(0);
            let own = p.obs(t).contains(&(k, v)) as u32;
            if waiting > own {
                self.state.roll_back(mark);
                return Err(Misfit::Overwrites(k, v));
            }
        }
        for &(k, v) in p.obs(t) {
            if let Some(n) = self.need.get_mut(&Txns::kv(k, v)) {
                *n -= 1;
            }
        }
        self.placed[t as usize] = true;
        self.count += 1;
        self.set = toggle(self.set, t);
        let e = self.entry(t);
        self.ready.remove(&e);
        for s in p.required(t) {
            let left = &mut self.preds[s as usize];
            *left -= 1;
            if *left == 0 {
                let e = self.entry(s);
                self.ready.insert(e);
            }
        }
        for &s in p.soft.of(t) {
            self.soften(s, -1);
        }
        Ok(())
    }

    /// Undo placing `t`, whose writes began at undo mark `mark`.
    fn unplace(&mut self, t: TxnId, mark: usize) {
        let p = self.p;
        for &s in p.soft.of(t) {
            self.soften(s, 1);
        }
        for s in p.required(t) {
            if self.preds[s as usize] == 0 {
                let e = self.entry(s);
                self.ready.remove(&e);
            }
            self.preds[s as usize] += 1;
        }
        let e = self.entry(t);
        self.ready.insert(e);
        self.placed[t as usize] = false;
        self.count -= 1;
        self.set = toggle(self.set, t);
        for &(k, v) in p.obs(t) {
            *self.need.entry(Txns::kv(k, v)).or_insert(0) += 1;
        }
        self.state.roll_back(mark);
    }

    /// Change `s`'s count of preferred predecessors not placed by `by`, keeping its place
    /// among the ready transactions right.
    fn soften(&mut self, s: TxnId, by: i32) {
        let su = s as usize;
        let was = self.soft[su] > 0;
        let ready = self.preds[su] == 0 && !self.placed[su];
        let e = self.entry(s);
        self.soft[su] = self.soft[su].wrapping_add_signed(by);
        if ready && was != (self.soft[su] > 0) {
            self.ready.remove(&e);
            let e = self.entry(s);
            self.ready.insert(e);
        }
    }

    /// Keep what this dead node shows, if the search never got this far before.
    fn note_stuck(&mut self) {
        if self.noted && self.count <= self.stuck.placed {
            return;
        }
        self.noted = true;
        let last = self.stack[self.stack.len().saturating_sub(SHOWN)..]
            .iter()
            .map(|f| f.entry.3)
            .collect();
        let candidates: Vec<TxnId> = self.ready.iter().take(SHOWN).map(|e| e.3).collect();
        let mut blocked = Vec::with_capacity(candidates.len());
        for t in candidates {
            let mark = self.state.mark();
            match self.place(t) {
                Ok(()) => self.unplace(t, mark),
                Err(Misfit::Misread(m)) => {
                    let now = self.held(t, m.mop);
                    blocked.push(Blocked::Misread { t, mop: m.mop, now });
                }
                Err(Misfit::Overwrites(key, v)) => {
                    let reader = self.reader(t, key, v);
                    let now = self.version_name(key, v);
                    blocked.push(Blocked::Overwrites {
                        t,
                        key,
                        now,
                        reader,
                    });
                }
            }
        }
        let ready = self.ready.len() as u32;
        self.stuck = Stuck {
            placed: self.count,
            last,
            blocked,
            ready,
            members: self.p.members,
            waiting: self.p.members - self.count - ready,
        };
    }

    /// What `t`'s micro-op `mop` would have read, as text.
    fn held(&mut self, t: TxnId, mop: u32) -> String {
        let txns = self.p.txns;
        let mops = &txns.list[t as usize].mops;
        let mark = self.state.mark();
        let _ = self.state.run(&mops[..mop as usize], false);
        let key = mops[mop as usize].key();
        let v = self.state.version(key);
        let now = self.version_name(key, v);
        self.state.roll_back(mark);
        now
    }

    /// Key `k` at version `v` (its current one), as text.
    fn version_name(&self, k: KeyId, v: u32) -> String {
        let txns = self.p.txns;
        match self.p.dt {
            Datatype::ListAppend => txns.list_name(self.state.list(k)),
            Datatype::RwRegister => txns.reg_name((v != super::state::NIL).then_some(v)),
        }
    }

    /// A member other than `t`, not yet placed, that observed version `v` of `key`.
    fn reader(&mut self, t: TxnId, key: KeyId, v: u32) -> Option<TxnId> {
        let p = self.p;
        let observers = self.observers.get_or_insert_with(|| {
            let mut m: FxHashMap<u64, Vec<TxnId>> = FxHashMap::default();
            for r in 0..p.txns.len() as TxnId {
                for &(k, v) in p.obs(r) {
                    m.entry(Txns::kv(k, v)).or_default().push(r);
                }
            }
            m
        });
        observers
            .get(&Txns::kv(key, v))?
            .iter()
            .copied()
            .find(|&r| r != t && !self.placed[r as usize])
    }
}
