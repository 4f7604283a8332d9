//! Generators: what to invoke next, and when. Pure and seeded: given the same answers and
//! the same seed, a generator asks for the same ops.
//!
//! A worker with a free process asks [`Generator::next`]; the answer is an op to invoke
//! now, a time to ask again, or the end. Combinators build a schedule from small pieces:
//! [`Mix`] (random choice), [`Limit`] (at most n ops), [`TimeLimit`], [`Stagger`] (a rate),
//! [`Phases`] (one after another), [`PerProcess`] (each process its own), [`Repeat`],
//! [`Once`] and [`UntilOk`] (again until it is ok).

use crate::Invocation;
use history::rng::Rng;
use history::Op;

/// What a generator is asked with.
pub struct Ctx<'a> {
    /// Nanoseconds since the test began.
    pub time_ns: u64,
    /// The process that would invoke the op.
    pub process: u64,
    pub rng: &'a mut Rng,
}

/// A generator's answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    /// Invoke this now.
    Op(Invocation),
    /// Nothing now; ask again at this time (nanoseconds since the test began).
    Wait(u64),
    /// Nothing more, ever.
    Done,
}

/// What to invoke next, and when.
///
/// Contract: once `next` has answered `Done` it always does; `update` is told of every
/// completion of an op this generator produced (so it can adapt), in real-time order.
pub trait Generator: Send {
    fn next(&mut self, ctx: &mut Ctx<'_>) -> Next;
    fn update(&mut self, _op: &Op) {}
}

impl Generator for Box<dyn Generator> {
    fn next(&mut self, ctx: &mut Ctx<'_>) -> Next {
        (**self).next(ctx)
    }
    fn update(&mut self, op: &Op) {
        (**self).update(op)
    }
}

/// The same invocation, forever.
pub struct Repeat(Invocation);

impl Repeat {
    pub fn new(inv: Invocation) -> Self {
        Repeat(inv)
    }
}

impl Generator for Repeat {
    fn next(&mut self, _ctx: &mut Ctx<'_>) -> Next {
        Next::Op(self.0.clone())
    }
}

/// These invocations, once each, in order.
pub struct Once(std::collections::VecDeque<Invocation>);

impl Once {
    pub fn new(invs: impl IntoIterator<Item = Invocation>) -> Self {
        Once(invs.into_iter().collect())
    }
}

impl Generator for Once {
    fn next(&mut self, _ctx: &mut Ctx<'_>) -> Next {
        self.0.pop_front().map_or(Next::Done, Next::Op)
    }
}

/// One invocation until it is `ok`: asked again (after `pause_ns`) when it fails or its
/// outcome is unknown, at most `attempts` times in all; one at a time.
pub struct UntilOk {
    inv: Invocation,
    attempts: u32,
    pause_ns: u64,
    in_flight: bool,
    /// The last attempt ended without `ok`: pause before the next.
    pause_next: bool,
    again_at_ns: u64,
    done: bool,
}

impl UntilOk {
    pub fn new(inv: Invocation, attempts: u32, pause_ns: u64) -> Self {
        UntilOk {
            inv,
            attempts,
            pause_ns,
            in_flight: false,
            pause_next: false,
            again_at_ns: 0,
            done: false,
        }
    }
}

impl Generator for UntilOk {
    fn next(&mut self, ctx: &mut Ctx<'_>) -> Next {
        if self.done || (self.attempts == 0 && !self.in_flight) {
            return Next::Done;
        }
        if std::mem::take(&mut self.pause_next) {
            self.again_at_ns = ctx.time_ns + self.pause_ns;
        }
        if self.in_flight {
            return Next::Wait(ctx.time_ns + self.pause_ns.max(1_000_000));
        }
        if ctx.time_ns < self.again_at_ns {
            return Next::Wait(self.again_at_ns);
        }
        self.attempts -= 1;
        self.in_flight = true;
        Next::Op(self.inv.clone())
    }
    fn update(&mut self, op: &Op) {
        if op.kind.is_completion() && op.f == self.inv.f {
            self.in_flight = false;
            self.done |= op.kind == history::OpType::Ok;
            self.pause_next = !self.done;
        }
    }
}

/// An op from a random one of several generators (those not done yet).
pub struct Mix(Vec<Box<dyn Generator>>);

impl Mix {
    pub fn new(gens: Vec<Box<dyn Generator>>) -> Self {
        Mix(gens)
    }
}

impl Generator for Mix {
    fn next(&mut self, ctx: &mut Ctx<'_>) -> Next {
        let mut earliest: Option<u64> = None;
        while !self.0.is_empty() {
            let i = ctx.rng.below(self.0.len() as u64) as usize;
            match self.0[i].next(ctx) {
                Next::Op(inv) => return Next::Op(inv),
                Next::Done => {
                    self.0.swap_remove(i);
                }
                Next::Wait(t) => {
                    earliest = Some(earliest.map_or(t, |e| e.min(t)));
                    // Another one may have an op now; a waiting one is asked again later.
                    if self.0.len() == 1 {
                        break;
                    }
                    let j = (i + 1) % self.0.len();
                    if let Next::Op(inv) = self.0[j].next(ctx) {
                        return Next::Op(inv);
                    }
                    break;
                }
            }
        }
        match earliest {
            Some(t) => Next::Wait(t),
            None => Next::Done,
        }
    }
    fn update(&mut self, op: &Op) {
        for g in &mut self.0 {
            g.update(op);
        }
    }
}

/// At most `n` ops of the inner generator.
pub struct Limit<G> {
    left: usize,
    inner: G,
}

impl<G: Generator> Limit<G> {
    pub fn new(n: usize, inner: G) -> Self {
        Limit { left: n, inner }
    }
}

impl<G: Generator> Generator for Limit<G> {
    fn next(&mut self, ctx: &mut Ctx<'_>) -> Next {
        if self.left == 0 {
            return Next::Done;
        }
        let n = self.inner.next(ctx);
        if matches!(n, Next::Op(_)) {
            self.left -= 1;
        }
        n
    }
    fn update(&mut self, op: &Op) {
        self.inner.update(op)
    }
}

/// The inner generator until `duration_ns` after it is first asked.
pub struct TimeLimit<G> {
    duration_ns: u64,
    until_ns: Option<u64>,
    inner: G,
}

impl<G: Generator> TimeLimit<G> {
    pub fn new(duration_ns: u64, inner: G) -> Self {
        TimeLimit {
            duration_ns,
            until_ns: None,
            inner,
        }
    }
}

impl<G: Generator> Generator for TimeLimit<G> {
    fn next(&mut self, ctx: &mut Ctx<'_>) -> Next {
        let until = *self.until_ns.get_or_insert(ctx.time_ns + self.duration_ns);
        if ctx.time_ns >= until {
            // Done for good, even if asked with an earlier time later.
            self.until_ns = Some(0);
            return Next::Done;
        }
        match self.inner.next(ctx) {
            Next::Wait(t) => Next::Wait(t.min(until)),
            n => n,
        }
    }
    fn update(&mut self, op: &Op) {
        self.inner.update(op)
    }
}

/// The inner generator at `rate_hz` ops per second in all: each op is due a random time
/// between 0 and twice the mean gap after the previous one was *due* (not after it was
/// handed out: a worker woken a little late must not push every later op back, or the
/// rate undershoots). When the workers fall behind (a slow system, every worker busy),
/// at most [`MAX_BACKLOG_NS`] of ops are owed: the rest is dropped rather than sent in
/// one burst.
pub struct Stagger<G> {
    mean_gap_ns: u64,
    /// When the next op is due (None: at the first ask).
    next_at_ns: Option<u64>,
    inner: G,
}

/// The most a [`Stagger`] catches up after falling behind.
pub const MAX_BACKLOG_NS: u64 = 100_000_000;

impl<G: Generator> Stagger<G> {
    pub fn new(rate_hz: f64, inner: G) -> Self {
        let mean_gap_ns = if rate_hz > 0.0 {
            (1e9 / rate_hz).round() as u64
        } else {
            0
        };
        Stagger {
            mean_gap_ns,
            next_at_ns: None,
            inner,
        }
    }
}

impl<G: Generator> Generator for Stagger<G> {
    fn next(&mut self, ctx: &mut Ctx<'_>) -> Next {
        let due = *self.next_at_ns.get_or_insert(ctx.time_ns);
        if ctx.time_ns < due {
            return Next::Wait(due);
        }
        let n = self.inner.next(ctx);
        if matches!(n, Next::Op(_)) && self.mean_gap_ns > 0 {
            let gap = ctx.rng.below(2 * self.mean_gap_ns + 1);
            let floor = ctx.time_ns.saturating_sub(MAX_BACKLOG_NS);
            self.next_at_ns = Some(due.max(floor) + gap);
        }
        n
    }
    fn update(&mut self, op: &Op) {
        self.inner.update(op)
    }
}

/// Each generator in turn, the next when the one before is done.
pub struct Phases(std::collections::VecDeque<Box<dyn Generator>>);

impl Phases {
    pub fn new(gens: Vec<Box<dyn Generator>>) -> Self {
        Phases(gens.into())
    }
}

impl Generator for Phases {
    fn next(&mut self, ctx: &mut Ctx<'_>) -> Next {
        while let Some(g) = self.0.front_mut() {
            match g.next(ctx) {
                Next::Done => {
                    self.0.pop_front();
                }
                n => return n,
            }
        }
        Next::Done
    }
    fn update(&mut self, op: &Op) {
        if let Some(g) = self.0.front_mut() {
            g.update(op);
        }
    }
}

/// Each process its own generator, made on first use.
pub struct PerProcess<F> {
    make: F,
    gens: std::collections::BTreeMap<u64, Box<dyn Generator>>,
}

impl<F: FnMut(u64) -> Box<dyn Generator> + Send> PerProcess<F> {
    pub fn new(make: F) -> Self {
        PerProcess {
            make,
            gens: Default::default(),
        }
    }
}

impl<F: FnMut(u64) -> Box<dyn Generator> + Send> Generator for PerProcess<F> {
    fn next(&mut self, ctx: &mut Ctx<'_>) -> Next {
        let make = &mut self.make;
        let g = self
            .gens
            .entry(ctx.process)
            .or_insert_with(|| make(ctx.process));
        g.next(ctx)
    }
    fn update(&mut self, op: &Op) {
        if let history::Process::Client(p) = op.process {
            if let Some(g) = self.gens.get_mut(&p) {
                g.update(op);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn inv(f: &str) -> Invocation {
        Invocation::new(f, None, json!(null))
    }

    fn drain(g: &mut dyn Generator, times: &[u64]) -> Vec<Next> {
        let mut rng = Rng::new(3);
        times
            .iter()
            .map(|&t| {
                g.next(&mut Ctx {
                    time_ns: t,
                    process: 0,
                    rng: &mut rng,
                })
            })
            .collect()
    }

    #[test]
    fn until_ok_asks_again_after_a_pause_until_ok_or_out_of_attempts() {
        let read = inv("read");
        let mut rng = Rng::new(1);
        let mut at = |g: &mut UntilOk, t: u64| {
            g.next(&mut Ctx {
                time_ns: t,
                process: 0,
                rng: &mut rng,
            })
        };
        let mut g = UntilOk::new(read.clone(), 3, 100);
        assert_eq!(at(&mut g, 0), Next::Op(read.clone()));
        assert!(matches!(at(&mut g, 5), Next::Wait(_)), "one at a time");
        let done = |kind| Op::client(0, kind, "read", json!(null));
        g.update(&done(history::OpType::Fail));
        assert_eq!(at(&mut g, 10), Next::Wait(110));
        assert_eq!(at(&mut g, 110), Next::Op(read.clone()));
        g.update(&done(history::OpType::Info));
        assert_eq!(at(&mut g, 200), Next::Wait(300));
        assert_eq!(at(&mut g, 300), Next::Op(read.clone()));
        g.update(&done(history::OpType::Fail));
        assert_eq!(at(&mut g, 400), Next::Done, "three attempts in all");
        let mut g = UntilOk::new(read.clone(), 3, 100);
        assert_eq!(at(&mut g, 0), Next::Op(read));
        g.update(&done(history::OpType::Ok));
        assert_eq!(at(&mut g, 1), Next::Done);
    }

    #[test]
    fn limit_once_and_phases_end_in_order() {
        let mut g = Phases::new(vec![
            Box::new(Limit::new(2, Repeat::new(inv("a")))),
            Box::new(Once::new([inv("b")])),
        ]);
        let got = drain(&mut g, &[0, 0, 0, 0, 0]);
        assert_eq!(
            got,
            vec![
                Next::Op(inv("a")),
                Next::Op(inv("a")),
                Next::Op(inv("b")),
                Next::Done,
                Next::Done
            ]
        );
    }

    #[test]
    fn time_limit_ends_after_its_duration_from_first_use() {
        let mut g = TimeLimit::new(100, Repeat::new(inv("a")));
        let got = drain(&mut g, &[50, 149, 150, 10]);
        assert_eq!(
            got,
            vec![
                Next::Op(inv("a")),
                Next::Op(inv("a")),
                Next::Done,
                Next::Done
            ]
        );
    }

    #[test]
    fn stagger_keeps_the_mean_rate() {
        let mut g = Stagger::new(1000.0, Repeat::new(inv("a")));
        let mut rng = Rng::new(5);
        let mut t = 0u64;
        let mut ops = 0;
        while t < 1_000_000_000 {
            match g.next(&mut Ctx {
                time_ns: t,
                process: 0,
                rng: &mut rng,
            }) {
                Next::Op(_) => ops += 1,
                Next::Wait(w) => t = w,
                Next::Done => break,
            }
        }
        assert!(
            (900..1100).contains(&ops),
            "{ops} ops in a second at 1000 Hz"
        );
    }

    #[test]
    fn stagger_schedules_from_when_ops_were_due_not_from_late_wake_ups() {
        // Every wake-up is 1 ms late: the rate must not drop for it.
        let mut g = Stagger::new(2000.0, Repeat::new(inv("a")));
        let mut rng = Rng::new(7);
        let (mut t, mut ops) = (0u64, 0);
        while t < 1_000_000_000 {
            let mut ctx = Ctx {
                time_ns: t,
                process: 0,
                rng: &mut rng,
            };
            match g.next(&mut ctx) {
                Next::Op(_) => ops += 1,
                Next::Wait(w) => t = w + 1_000_000,
                Next::Done => break,
            }
        }
        assert!(
            (1900..2100).contains(&ops),
            "{ops} ops in a second at 2000 Hz"
        );
        // After a stall of 5 s, at most 100 ms of ops are owed, not 5 s.
        let mut burst = 0;
        loop {
            let mut ctx = Ctx {
                time_ns: t + 5_000_000_000,
                process: 0,
                rng: &mut rng,
            };
            match g.next(&mut ctx) {
                Next::Op(_) => burst += 1,
                _ => break,
            }
        }
        assert!(
            (150..260).contains(&burst),
            "{burst} ops owed after a stall"
        );
    }

    #[test]
    fn mix_draws_from_each_until_all_are_done() {
        let mut g = Mix::new(vec![
            Box::new(Limit::new(50, Repeat::new(inv("a")))),
            Box::new(Limit::new(50, Repeat::new(inv("b")))),
        ]);
        let got = drain(&mut g, &[0; 101]);
        let a = got.iter().filter(|n| **n == Next::Op(inv("a"))).count();
        let b = got.iter().filter(|n| **n == Next::Op(inv("b"))).count();
        assert_eq!((a, b), (50, 50));
        assert_eq!(got[100], Next::Done);
    }

    #[test]
    fn per_process_gives_each_process_its_own() {
        let mut g =
            PerProcess::new(|p| Box::new(Once::new([inv(&format!("p{p}"))])) as Box<dyn Generator>);
        let mut rng = Rng::new(1);
        let mut ask = |p| {
            g.next(&mut Ctx {
                time_ns: 0,
                process: p,
                rng: &mut rng,
            })
        };
        assert_eq!(ask(1), Next::Op(inv("p1")));
        assert_eq!(ask(2), Next::Op(inv("p2")));
        assert_eq!(ask(1), Next::Done);
    }
}
