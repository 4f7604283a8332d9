//! What one process of the `lock` workload does: acquire a random one of a few locks; if
//! that succeeds, hold it for a random time (uniform in the options' hold range), then
//! release it; then again.
//!
//! - An acquire that fails definitely (the lock is held by another, most often) makes the
//!   process back off a random short time, uniform in `5 ms..=max(5 ms, max hold / 2)`
//!   from the fail, before it acquires again (a lock picked afresh). Without it a refused
//!   worker asks again at once, and a run's history is mostly failed acquires.
//! - After an indeterminate acquire the worker goes on as a new process (see the
//!   harness), so this one never releases: it may or may not hold the lock, for ever.
//! - A release that fails with 22 (not held) or ends indeterminate is the end of that
//!   hold; one that fails otherwise (the node was unreachable, say) is retried at once,
//!   since the process still holds the lock.
//!
//! The hold and the back-off are waits of the generator, not of the client, so they work
//! with any lock client (Maelstrom's or etcd's). Both are drawn from the generator's
//! seeded random numbers: the back-off only once an acquire has failed.

use crate::generator::{Ctx, Generator, Next};
use crate::Invocation;
use history::rng::Rng;
use history::{Key, Op, OpType, Value};

/// Where a process is in its cycle. After a failed acquire it is `Refused` (at that time)
/// until next asked, when its back-off is drawn; then `BackingOff` until the back-off ends.
#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Free,
    Acquiring { key: i64, hold_ns: u64 },
    Holding { key: i64, until_ns: u64 },
    Releasing { key: i64 },
    Refused { at_ns: u64 },
    BackingOff { until_ns: u64 },
}

/// One process's lock cycle.
pub struct LockCycle {
    locks: u64,
    min_hold_ns: u64,
    max_hold_ns: u64,
    state: State,
}

/// How long to wait before asking again while an op of this process is in flight (the
/// harness does not ask then; this is only a guard).
const IN_FLIGHT_NS: u64 = 1_000_000;

/// The shortest back-off after a failed acquire.
const MIN_BACKOFF_NS: u64 = 5_000_000;

impl LockCycle {
    /// A cycle over `locks` locks, each hold uniform in `hold_ns` (from..=to; a range
    /// given backwards is read as the one point `to`).
    pub fn new(locks: u32, hold_ns: (u64, u64)) -> LockCycle {
        let (min_hold_ns, max_hold_ns) = (hold_ns.0.min(hold_ns.1), hold_ns.1);
        LockCycle {
            locks: locks.max(1) as u64,
            min_hold_ns,
            max_hold_ns,
            state: State::Free,
        }
    }

    /// How long to back off after a failed acquire: uniform in
    /// `MIN_BACKOFF_NS..=max(MIN_BACKOFF_NS, max_hold_ns / 2)`.
    fn backoff_ns(&self, rng: &mut Rng) -> u64 {
        let spread = (self.max_hold_ns / 2).saturating_sub(MIN_BACKOFF_NS);
        MIN_BACKOFF_NS + rng.below(spread + 1)
    }
}

fn inv(f: &str, key: i64) -> Invocation {
    Invocation::new(f, Some(Key::Int(key)), Value::Null)
}

/// Whether a failed release said the lock is not held (code 22).
fn not_held(op: &Op) -> bool {
    op.error
        .as_ref()
        .and_then(Value::as_str)
        .is_some_and(|e| e.starts_with("22:"))
}

impl Generator for LockCycle {
    fn next(&mut self, ctx: &mut Ctx<'_>) -> Next {
        match self.state {
            State::Refused { at_ns } => {
                let until_ns = at_ns.saturating_add(self.backoff_ns(ctx.rng));
                self.state = State::BackingOff { until_ns };
                self.next(ctx)
            }
            State::BackingOff { until_ns } if ctx.time_ns < until_ns => Next::Wait(until_ns),
            State::Free | State::BackingOff { .. } => {
                let key = ctx.rng.below(self.locks) as i64;
                let hold_ns = ctx.rng.between(self.min_hold_ns, self.max_hold_ns);
                self.state = State::Acquiring { key, hold_ns };
                Next::Op(inv("acquire", key))
            }
            State::Holding { key, until_ns } if ctx.time_ns >= until_ns => {
                self.state = State::Releasing { key };
                Next::Op(inv("release", key))
            }
            State::Holding { until_ns, .. } => Next::Wait(until_ns),
            State::Acquiring { .. } | State::Releasing { .. } => {
                Next::Wait(ctx.time_ns + IN_FLIGHT_NS)
            }
        }
    }

    fn update(&mut self, op: &Op) {
        self.state = match (self.state, op.kind) {
            (_, OpType::Invoke) => return,
            (State::Acquiring { key, hold_ns }, OpType::Ok) => State::Holding {
                key,
                until_ns: op.time_ns + hold_ns,
            },
            (State::Acquiring { .. }, OpType::Fail) => State::Refused { at_ns: op.time_ns },
            (State::Releasing { key }, OpType::Fail) if !not_held(op) => State::Holding {
                key,
                until_ns: op.time_ns,
            },
            // Done releases, and indeterminate ops (after which this process is retired
            // anyway).
            _ => State::Free,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ask(g: &mut LockCycle, t: u64, rng: &mut Rng) -> Next {
        g.next(&mut Ctx {
            time_ns: t,
            process: 0,
            rng,
        })
    }

    fn done(kind: OpType, f: &str, t: u64, error: Option<&str>) -> Op {
        let mut op = Op::client(0, kind, f, json!(null)).with_time_ns(t);
        op.error = error.map(|e| json!(e));
        op
    }

    #[test]
    fn a_process_releases_only_what_it_acquired_after_holding_it() {
        let mut rng = Rng::new(4);
        let mut g = LockCycle::new(3, (0, 1_000));
        let Next::Op(a) = ask(&mut g, 0, &mut rng) else {
            panic!()
        };
        assert_eq!(a.f, "acquire");
        let State::Acquiring { hold_ns, .. } = g.state else {
            panic!("{:?}", g.state)
        };
        g.update(&done(OpType::Ok, "acquire", 100, None));
        if hold_ns > 0 {
            assert_eq!(ask(&mut g, 100, &mut rng), Next::Wait(100 + hold_ns));
        }
        let Next::Op(r) = ask(&mut g, 100 + hold_ns, &mut rng) else {
            panic!()
        };
        assert_eq!((r.f.as_str(), r.key), ("release", a.key));
    }

    #[test]
    fn every_hold_lasts_a_seeded_time_within_the_range() {
        let (min, max) = (3_000, 8_000);
        let holds = |seed| {
            let mut rng = Rng::new(seed);
            let mut g = LockCycle::new(3, (min, max));
            let mut t = 0;
            let mut holds = Vec::new();
            for _ in 0..200 {
                let Next::Op(_) = ask(&mut g, t, &mut rng) else {
                    panic!("{:?}", g.state)
                };
                g.update(&done(OpType::Ok, "acquire", t, None));
                let Next::Wait(until) = ask(&mut g, t, &mut rng) else {
                    panic!("a hold of at least {min} ns")
                };
                holds.push(until - t);
                let Next::Op(r) = ask(&mut g, until, &mut rng) else {
                    panic!()
                };
                assert_eq!(r.f, "release");
                t = until;
                g.update(&done(OpType::Ok, "release", t, None));
            }
            holds
        };
        let got = holds(5);
        assert!(got.iter().all(|h| (min..=max).contains(h)), "{got:?}");
        assert!(got.iter().any(|h| *h < min + 1_000), "spread low: {got:?}");
        assert!(got.iter().any(|h| *h > max - 1_000), "spread high: {got:?}");
        assert_eq!(got, holds(5), "the same seed, the same holds");
        assert_ne!(got, holds(6));
    }

    #[test]
    fn a_release_refused_for_a_passing_reason_is_retried_but_not_one_not_held() {
        let mut rng = Rng::new(4);
        let mut g = LockCycle::new(1, (0, 0));
        ask(&mut g, 0, &mut rng);
        g.update(&done(OpType::Ok, "acquire", 10, None));
        ask(&mut g, 10, &mut rng);
        g.update(&done(OpType::Fail, "release", 20, Some("11: unavailable")));
        let Next::Op(again) = ask(&mut g, 20, &mut rng) else {
            panic!()
        };
        assert_eq!(again.f, "release");
        g.update(&done(OpType::Fail, "release", 30, Some("22: not held")));
        let Next::Op(next) = ask(&mut g, 30, &mut rng) else {
            panic!()
        };
        assert_eq!(next.f, "acquire");
    }

    #[test]
    fn a_failed_or_indeterminate_acquire_is_never_released() {
        for kind in [OpType::Fail, OpType::Info] {
            let mut rng = Rng::new(4);
            let mut g = LockCycle::new(2, (0, 0));
            ask(&mut g, 0, &mut rng);
            g.update(&done(kind, "acquire", 10, Some("22: held")));
            let next = match (kind, ask(&mut g, 10, &mut rng)) {
                // A fail backs off first; an indeterminate acquire retires the process.
                (OpType::Fail, Next::Wait(until)) => ask(&mut g, until, &mut rng),
                (OpType::Info, next) => next,
                (_, next) => panic!("{kind:?}: {next:?}"),
            };
            let Next::Op(next) = next else { panic!() };
            assert_eq!(next.f, "acquire", "{kind:?}");
        }
    }

    /// The back-off after each of a process's failed acquires: the waits it is told, and
    /// that it asks for nothing before each ends.
    fn backoffs(seed: u64, max_hold_ns: u64, fails: usize) -> Vec<u64> {
        let mut rng = Rng::new(seed);
        let mut g = LockCycle::new(3, (0, max_hold_ns));
        let mut t = 0;
        let mut waits = Vec::new();
        for _ in 0..fails {
            let Next::Op(a) = ask(&mut g, t, &mut rng) else {
                panic!("{:?}", g.state)
            };
            assert_eq!(a.f, "acquire");
            t += 1_000;
            g.update(&done(OpType::Fail, "acquire", t, Some("22: held")));
            let Next::Wait(until) = ask(&mut g, t, &mut rng) else {
                panic!("a failed acquire is retried at once")
            };
            assert_eq!(ask(&mut g, until - 1, &mut rng), Next::Wait(until));
            waits.push(until - t);
            t = until;
        }
        waits
    }

    #[test]
    fn a_failed_acquire_backs_off_a_seeded_random_time_before_the_next() {
        let hold = 100_000_000;
        let waits = backoffs(7, hold, 200);
        assert!(
            waits
                .iter()
                .all(|w| (MIN_BACKOFF_NS..=hold / 2).contains(w)),
            "{waits:?}"
        );
        let distinct: std::collections::BTreeSet<_> = waits.iter().collect();
        assert!(distinct.len() > 100, "random: {distinct:?}");
        assert_eq!(
            waits,
            backoffs(7, hold, 200),
            "the same seed, the same waits"
        );
        assert_ne!(waits, backoffs(8, hold, 200));
        // With holds too short to halve, the back-off is the shortest one.
        assert!(backoffs(7, 0, 20).iter().all(|w| *w == MIN_BACKOFF_NS));
    }
}
