//! The search for a linearization, in the style of Wing & Gong and Lowe, over one key.
//!
//! Ops with a known result ("determinate") sit in a doubly linked list of call and return
//! entries in history order. The ops that may be linearized next are those whose call comes
//! before the first return left in the list; linearizing one lifts both its entries out.
//! The search goes depth first and backtracks when the first return left belongs to an op
//! no order could place. Indeterminate ops (`info`) have no return: they sit beside the
//! list, may be taken into effect at any point after their call, or never.
//!
//! What keeps it fast:
//! - A configuration is (state, linearized set, indeterminate ops taken, chain). The
//!   linearized set is stored as the first op not yet linearized plus a bit set of the few
//!   ops after it that are, which is all that can differ: a handful of words, not a bit per
//!   op of the history, so the cost of a step does not grow with the history's length.
//! - An op that never changes the state and is legal now (a read that sees the current
//!   value) is linearized at once without branching: placing it first never loses a
//!   solution. (Not so for a write of the current value: moved, it would overwrite later.)
//! - Among ops with the same function, arguments and result, only the one that must return
//!   first is tried: swapping two such ops never loses a solution.
//! - For models whose ops either keep the state or overwrite it (registers), an
//!   indeterminate op is only taken into effect in a chain that ends in a determinate op
//!   that is illegal without it; anywhere else it could be moved later or dropped.

use super::memo::{FiredSets, Memo};
use super::prepare::{LinOp, NEVER};
use super::spec::Spec;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Limits shared by every key of one check.
pub struct Budget {
    pub deadline: Option<Instant>,
    pub memory_limit_bytes: usize,
    pub memory_in_use: AtomicUsize,
    pub cancelled: AtomicBool,
    /// Set when a key is found not linearizable; with `stop_at_first_invalid`, the other
    /// keys' searches then stop (the verdict is invalid whatever they would find).
    pub some_key_invalid: AtomicBool,
    pub stop_at_first_invalid: bool,
}

impl Budget {
    pub fn new(time_limit: Option<Duration>, memory_limit_bytes: usize) -> Budget {
        Budget {
            deadline: time_limit.map(|t| Instant::now() + t),
            memory_limit_bytes,
            memory_in_use: AtomicUsize::new(0),
            cancelled: AtomicBool::new(false),
            some_key_invalid: AtomicBool::new(false),
            stop_at_first_invalid: false,
        }
    }
}

/// Why a search stopped without an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stopped {
    TimeLimit,
    MemoryLimit,
    Cancelled,
    /// Another key was found not linearizable first.
    OtherKeyInvalid,
}

/// How one key's search ended.
#[derive(Debug)]
pub enum Outcome {
    Linearizable,
    NotLinearizable(Failure),
    Stopped(Stopped),
}

/// Where the search got furthest before it ran out of options.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The determinate op (index into `det`) whose return no order could pass.
    pub blocking: usize,
    /// States the object could be in when that op was tried (at most [`MAX_STATES`]).
    pub states: Vec<u32>,
    /// The end of one longest linearizable prefix: ops (determinate or indeterminate).
    pub prefix: Vec<Moved>,
}

/// An op taken into a linearization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moved {
    Det(u32),
    Info(u32),
}

pub const MAX_STATES: usize = 8;
const PREFIX_LEN: usize = 12;
const NO_CHAIN: u32 = u32::MAX;

/// Counters of one search.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub steps: u64,
    pub configurations: u64,
    pub peak_memory_bytes: usize,
}

/// A move to try: the state after it is computed only when it is tried (for some models
/// a new state costs an allocation).
#[derive(Clone, Copy)]
struct Cand {
    mv: Moved,
    class: u32,
}

struct Frame {
    lo: u32,
    hi: u32,
    next: u32,
    mv: Option<Moved>,
    prev_state: u32,
    prev_chain: u32,
    prev_fired: u32,
    /// The determinate op whose return is first in the list at this configuration.
    first_ret_op: u32,
}

/// Indices of ops (in call order) sorted by return. Returns come nearly in call order
/// (out of order only among concurrent ops), so an insertion sort does little work; it
/// gives up for a general sort when the input is far from sorted.
fn by_return(ops: &[LinOp]) -> Vec<u32> {
    let mut idx: Vec<u32> = (0..ops.len() as u32).collect();
    let budget = 32 * ops.len() + 1024;
    let mut moves = 0usize;
    for i in 1..idx.len() {
        let x = idx[i];
        let mut j = i;
        while j > 0 && ops[idx[j - 1] as usize].ret > ops[x as usize].ret {
            idx[j] = idx[j - 1];
            j -= 1;
        }
        idx[j] = x;
        moves += i - j;
        if moves > budget {
            idx.sort_unstable_by_key(|&i| ops[i as usize].ret);
            break;
        }
    }
    idx
}

/// Indeterminate ops of one class, in call order.
struct InfoClass {
    class: u32,
    calls: Vec<u32>,
    ids: Vec<u32>,
}

impl InfoClass {
    /// The next op of this class to take, if any is callable before `pos`.
    fn next(&self, taken: u32, pos: u32) -> Option<u32> {
        let i = taken as usize;
        (i < self.calls.len() && self.calls[i] < pos).then(|| self.ids[i])
    }
}

pub struct Search<S: Spec> {
    spec: S,
    det: Vec<LinOp>,
    info: Vec<LinOp>,
    info_classes: Vec<InfoClass>,
    /// For each indeterminate op, its index in `info_classes`.
    info_class_of: Vec<u32>,
    next: Vec<u32>,
    prev: Vec<u32>,
    /// The history position of entry e: the call (even e) or return (odd e) of op e / 2.
    entry_pos: Vec<u32>,
    head: usize,
    call_before_ret: Vec<u32>,
    lifted: Vec<u64>,
    lazy: bool,
    class_stamp: Vec<u32>,
    class_slot: Vec<u32>,
    stamp: u32,
    key: Vec<u64>,
    memo: Memo,
    fired_sets: FiredSets,
    cands: Vec<Cand>,
    frames: Vec<Frame>,
    state: u32,
    chain: u32,
    fired: u32,
    best: Option<Failure>,
    reported_bytes: usize,
    pub stats: Stats,
}

impl<S: Spec> Search<S> {
    /// Prepare a search over one key's ops (in call order).
    pub fn new(spec: S, ops: &[LinOp]) -> Self {
        let det: Vec<LinOp> = ops.iter().copied().filter(|o| o.ret != NEVER).collect();
        let info: Vec<LinOp> = ops.iter().copied().filter(|o| o.ret == NEVER).collect();
        debug_assert!(det.windows(2).all(|w| w[0].call < w[1].call));
        let n = det.len();
        // Ops by return: nearly in call order already, so sort adaptively.
        let by_ret = by_return(&det);
        // Entries 2i (call of i) and 2i+1 (return of i), linked in position order: merge
        // the calls (in op order) with the returns (in `by_ret` order). Every call comes
        // before its own return, so the calls run out first and `by_ret[r]` is in bounds.
        let head = 2 * n;
        let mut next = vec![0u32; 2 * n + 1];
        let mut prev = vec![0u32; 2 * n + 1];
        let mut last = head;
        let (mut c, mut r) = (0usize, 0usize);
        while c < n || r < n {
            let e = if c < n && det[c].call < det[by_ret[r] as usize].ret {
                c += 1;
                2 * (c - 1) as u32
            } else {
                r += 1;
                2 * by_ret[r - 1] + 1
            };
            next[last] = e;
            prev[e as usize] = last as u32;
            last = e as usize;
        }
        next[last] = head as u32;
        prev[head] = last as u32;
        let entry_pos = (0..2 * n)
            .map(|e| {
                let op = &det[e / 2];
                if e % 2 == 0 {
                    op.call
                } else {
                    op.ret
                }
            })
            .collect();
        // For each op, how many ops are called before it returns.
        let mut call_before_ret = vec![0u32; n];
        let mut k = 0usize;
        for &i in &by_ret {
            while k < n && det[k].call < det[i as usize].ret {
                k += 1;
            }
            call_before_ret[i as usize] = k as u32;
        }
        let lazy = det
            .iter()
            .all(|o| spec.shape(o.class).stutter_or_overwrite());
        let mut info_classes: Vec<InfoClass> = Vec::new();
        let mut info_class_of = Vec::with_capacity(info.len());
        for (id, op) in info.iter().enumerate() {
            let c = match info_classes.iter().position(|c| c.class == op.class) {
                Some(c) => c,
                None => {
                    info_classes.push(InfoClass {
                        class: op.class,
                        calls: Vec::new(),
                        ids: Vec::new(),
                    });
                    info_classes.len() - 1
                }
            };
            info_classes[c].calls.push(op.call);
            info_classes[c].ids.push(id as u32);
            info_class_of.push(c as u32);
        }
        let classes = ops.iter().map(|o| o.class as usize + 1).max().unwrap_or(0);
        let n_info_classes = info_classes.len();
        let state = spec.init();
        Search {
            spec,
            lifted: vec![0; n.div_ceil(64) + 1],
            det,
            info,
            info_classes,
            info_class_of,
            next,
            prev,
            entry_pos,
            head,
            call_before_ret,
            lazy,
            class_stamp: vec![0; classes],
            class_slot: vec![0; classes],
            stamp: 0,
            key: Vec::with_capacity(8),
            memo: Memo::with_capacity(2 * n + 16),
            fired_sets: FiredSets::new(n_info_classes),
            cands: Vec::new(),
            frames: Vec::new(),
            state,
            chain: NO_CHAIN,
            fired: 0,
            best: None,
            reported_bytes: 0,
            stats: Stats::default(),
        }
    }

    pub fn det_ops(&self) -> &[LinOp] {
        &self.det
    }
    pub fn info_ops(&self) -> &[LinOp] {
        &self.info
    }
    pub fn spec(&mut self) -> &mut S {
        &mut self.spec
    }

    fn empty(&self) -> bool {
        self.next[self.head] as usize == self.head
    }

    fn lift(&mut self, op: u32) {
        for e in [2 * op as usize, 2 * op as usize + 1] {
            let (p, n) = (self.prev[e], self.next[e]);
            self.next[p as usize] = n;
            self.prev[n as usize] = p;
        }
        self.lifted[op as usize / 64] |= 1 << (op % 64);
    }

    fn unlift(&mut self, op: u32) {
        for e in [2 * op as usize + 1, 2 * op as usize] {
            let (p, n) = (self.prev[e], self.next[e]);
            self.next[p as usize] = e as u32;
            self.prev[n as usize] = e as u32;
        }
        self.lifted[op as usize / 64] &= !(1 << (op % 64));
    }

    /// The op whose return entry is the first in the list (the list must not be empty).
    fn first_ret_op(&self) -> u32 {
        let mut e = self.next[self.head];
        while e & 1 == 0 {
            e = self.next[e as usize];
        }
        e / 2
    }

    /// The configuration's words: state, chain, first unlinearized op, and the bits of the
    /// linearized ops after that first one. (The set of indeterminate ops taken is kept
    /// beside them, for dominance.)
    fn build_key(&mut self, state: u32, chain: u32, first_ret_op: u32) {
        let c = self.next[self.head] / 2;
        let hi = self.call_before_ret[first_ret_op as usize] as usize;
        self.key.clear();
        self.key.push(state as u64 | (chain as u64) << 32);
        self.key.push(c as u64);
        let mut i = c as usize + 1;
        while i < hi {
            let (w, sh) = (i / 64, i % 64);
            let mut x = self.lifted[w] >> sh;
            if sh != 0 && w + 1 < self.lifted.len() {
                x |= self.lifted[w + 1] << (64 - sh);
            }
            let take = hi - i;
            if take < 64 {
                x &= (1u64 << take) - 1;
            }
            self.key.push(x);
            i += 64;
        }
    }

    /// Push the candidates of the current configuration onto `out`.
    fn candidates(&mut self, state: u32, chain: u32, fired: u32, out: &mut Vec<Cand>) {
        let start = out.len();
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.class_stamp.fill(0);
            self.stamp = 1;
        }
        let mut e = self.next[self.head];
        while e & 1 == 0 {
            let op = e / 2;
            e = self.next[e as usize];
            let LinOp { class, ret, .. } = self.det[op as usize];
            if !self.spec.legal(state, class) {
                continue;
            }
            if chain != NO_CHAIN && self.spec.legal(chain, class) {
                // The chain of indeterminate ops before it would be useless.
                continue;
            }
            let cand = Cand {
                mv: Moved::Det(op),
                class,
            };
            if self.spec.read_only(class) {
                // A legal read: taking it now never loses a solution.
                out.truncate(start);
                out.push(cand);
                return;
            }
            let c = class as usize;
            if self.class_stamp[c] == self.stamp {
                let slot = self.class_slot[c] as usize;
                if let Moved::Det(other) = out[slot].mv {
                    if ret < self.det[other as usize].ret {
                        out[slot] = cand;
                    }
                }
                continue;
            }
            self.class_stamp[c] = self.stamp;
            self.class_slot[c] = out.len() as u32;
            out.push(cand);
        }
        let first_ret_pos = self.entry_pos[e as usize];
        for (k, ic) in self.info_classes.iter().enumerate() {
            if chain != NO_CHAIN && self.spec.blind(ic.class) {
                // A write in the middle of a chain makes what came before it useless.
                continue;
            }
            if !self.spec.legal(state, ic.class) || self.spec.read_only(ic.class) {
                continue;
            }
            if let Some(id) = ic.next(self.fired_sets.count(fired, k), first_ret_pos) {
                out.push(Cand {
                    mv: Moved::Info(id),
                    class: ic.class,
                });
            }
        }
    }

    /// Search for at most `max_steps` more steps within the budget. `None`: not finished
    /// yet; call again to go on where it stopped.
    pub fn run(&mut self, budget: &Budget, max_steps: u64) -> Option<Outcome> {
        let outcome = self.run_inner(budget, max_steps);
        if outcome.is_some() {
            self.stats.configurations = self.memo.len() as u64;
            budget
                .memory_in_use
                .fetch_sub(self.reported_bytes, Ordering::Relaxed);
            self.reported_bytes = 0;
            self.memo = Memo::default();
            self.fired_sets = FiredSets::new(0);
        }
        outcome
    }

    fn run_inner(&mut self, budget: &Budget, max_steps: u64) -> Option<Outcome> {
        if self.frames.is_empty() {
            // The first call: the root configuration.
            if self.empty() {
                return Some(Outcome::Linearizable);
            }
            let first = self.first_ret_op();
            self.build_key(self.state, self.chain, first);
            self.memo.visit(&self.key, self.fired, |_, _| true);
            let mut cands = std::mem::take(&mut self.cands);
            self.candidates(self.state, self.chain, self.fired, &mut cands);
            self.cands = cands;
            self.frames.push(Frame {
                lo: 0,
                hi: self.cands.len() as u32,
                next: 0,
                mv: None,
                prev_state: self.state,
                prev_chain: self.chain,
                prev_fired: self.fired,
                first_ret_op: first,
            });
        }
        let stop_at = self.stats.steps + max_steps;
        loop {
            self.stats.steps += 1;
            if self.stats.steps & 1023 == 0 {
                if let Some(why) = self.over_budget(budget) {
                    return Some(Outcome::Stopped(why));
                }
                if self.stats.steps >= stop_at {
                    return None;
                }
            }
            let top = self.frames.last_mut().expect("a frame while searching");
            if top.next == top.hi {
                // Every candidate failed: this configuration is a dead end.
                let frame = self.frames.pop().expect("the top frame");
                self.note_dead_end(&frame);
                self.cands.truncate(frame.lo as usize);
                match frame.mv {
                    None => {
                        budget.some_key_invalid.store(true, Ordering::Relaxed);
                        let failure = self.best.take().expect("a dead end was noted");
                        return Some(Outcome::NotLinearizable(failure));
                    }
                    Some(Moved::Det(op)) => self.unlift(op),
                    Some(Moved::Info(_)) => {}
                }
                self.state = frame.prev_state;
                self.chain = frame.prev_chain;
                self.fired = frame.prev_fired;
                continue;
            }
            let cand = self.cands[top.next as usize];
            top.next += 1;
            let next_state = match self.spec.step(self.state, cand.class) {
                // Taking an indeterminate op that changes nothing is never useful.
                Some(s) if s == self.state && matches!(cand.mv, Moved::Info(_)) => continue,
                Some(s) => s,
                None => continue,
            };
            let (prev_state, prev_chain, prev_fired) = (self.state, self.chain, self.fired);
            match cand.mv {
                Moved::Det(op) => {
                    self.lift(op);
                    self.chain = NO_CHAIN;
                }
                Moved::Info(id) => {
                    let class = self.info_class_of[id as usize] as usize;
                    self.fired = self.fired_sets.add(self.fired, class);
                    if self.lazy && self.chain == NO_CHAIN {
                        self.chain = self.state;
                    }
                }
            }
            self.state = next_state;
            if self.empty() {
                return Some(Outcome::Linearizable);
            }
            let first = self.first_ret_op();
            self.build_key(self.state, self.chain, first);
            let fired_sets = &self.fired_sets;
            if !self
                .memo
                .visit(&self.key, self.fired, |a, b| fired_sets.le(a, b))
            {
                if let Moved::Det(op) = cand.mv {
                    self.unlift(op);
                }
                self.state = prev_state;
                self.chain = prev_chain;
                self.fired = prev_fired;
                continue;
            }
            let lo = self.cands.len() as u32;
            let mut cands = std::mem::take(&mut self.cands);
            self.candidates(self.state, self.chain, self.fired, &mut cands);
            self.cands = cands;
            self.frames.push(Frame {
                lo,
                hi: self.cands.len() as u32,
                next: lo,
                mv: Some(cand.mv),
                prev_state,
                prev_chain,
                prev_fired,
                first_ret_op: first,
            });
        }
    }

    /// Account this search's memory in the shared budget, and say why to stop, if so.
    fn over_budget(&mut self, budget: &Budget) -> Option<Stopped> {
        // Tables double when they grow: count the old copy too.
        let bytes = self.memo.memory_bytes() * 3 / 2
            + self.fired_sets.memory_bytes()
            + self.spec.memory_bytes()
            + self.cands.capacity() * std::mem::size_of::<Cand>()
            + self.frames.capacity() * std::mem::size_of::<Frame>();
        self.stats.peak_memory_bytes = self.stats.peak_memory_bytes.max(bytes);
        let total = if bytes >= self.reported_bytes {
            let d = bytes - self.reported_bytes;
            budget.memory_in_use.fetch_add(d, Ordering::Relaxed) + d
        } else {
            let d = self.reported_bytes - bytes;
            budget.memory_in_use.fetch_sub(d, Ordering::Relaxed) - d
        };
        self.reported_bytes = bytes;
        if total > budget.memory_limit_bytes {
            Some(Stopped::MemoryLimit)
        } else if budget.cancelled.load(Ordering::Relaxed) {
            Some(Stopped::Cancelled)
        } else if budget.stop_at_first_invalid && budget.some_key_invalid.load(Ordering::Relaxed) {
            Some(Stopped::OtherKeyInvalid)
        } else if budget.deadline.is_some_and(|d| Instant::now() >= d) {
            Some(Stopped::TimeLimit)
        } else {
            None
        }
    }

    /// Remember the dead end that got furthest into the history.
    fn note_dead_end(&mut self, frame: &Frame) {
        let op = frame.first_ret_op as usize;
        let pos = self.det[op].ret;
        let state = self.state;
        match &mut self.best {
            Some(b) if self.det[b.blocking].ret > pos => {}
            Some(b) if self.det[b.blocking].ret == pos => {
                if b.states.len() < MAX_STATES && !b.states.contains(&state) {
                    b.states.push(state);
                }
            }
            _ => {
                // The last PREFIX_LEN moves: only the root frame has none, and it is first,
                // so the last PREFIX_LEN - 1 frames and this one hold them (a walk over every
                // frame would cost the search's depth at each new furthest dead end).
                let from = self.frames.len().saturating_sub(PREFIX_LEN - 1);
                let prefix = self.frames[from..]
                    .iter()
                    .chain(std::iter::once(frame))
                    .filter_map(|f| f.mv)
                    .collect();
                self.best = Some(Failure {
                    blocking: op,
                    states: vec![state],
                    prefix,
                });
            }
        }
    }
}
