//! What one process of the `lock` workload does: acquire a random one of a few locks; if
//! that succeeds, hold it for a random short time, then release it; then again.
//!
//! - An acquire that fails definitely (the lock is held by another) leaves the process
//!   free to try again.
//! - After an indeterminate acquire the worker goes on as a new process (see the
//!   harness), so this one never releases: it may or may not hold the lock, for ever.
//! - A release that fails with 22 (not held) or ends indeterminate is the end of that
//!   hold; one that fails otherwise (the node was unreachable, say) is retried at once,
//!   since the process still holds the lock.
//!
//! The hold is a wait of the generator, not of the client, so it works with any lock
//! client (Maelstrom's or etcd's).

use crate::generator::{Ctx, Generator, Next};
use crate::Invocation;
use history::{Key, Op, OpType, Value};

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Free,
    Acquiring { key: i64, hold_ns: u64 },
    Holding { key: i64, until_ns: u64 },
    Releasing { key: i64 },
}

/// One process's lock cycle.
pub struct LockCycle {
    locks: u64,
    max_hold_ns: u64,
    state: State,
}

/// How long to wait before asking again while an op of this process is in flight (the
/// harness does not ask then; this is only a guard).
const IN_FLIGHT_NS: u64 = 1_000_000;

impl LockCycle {
    pub fn new(locks: u32, max_hold_ns: u64) -> LockCycle {
        LockCycle {
            locks: locks.max(1) as u64,
            max_hold_ns,
            state: State::Free,
        }
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
            State::Free => {
                let key = ctx.rng.below(self.locks) as i64;
                let hold_ns = ctx.rng.below(self.max_hold_ns + 1);
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
            (State::Releasing { key }, OpType::Fail) if !not_held(op) => State::Holding {
                key,
                until_ns: op.time_ns,
            },
            // Failed acquires, done releases, and indeterminate ops (after which this
            // process is retired anyway).
            _ => State::Free,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use history::rng::Rng;
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
        let mut g = LockCycle::new(3, 1_000);
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
    fn a_release_refused_for_a_passing_reason_is_retried_but_not_one_not_held() {
        let mut rng = Rng::new(4);
        let mut g = LockCycle::new(1, 0);
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
            let mut g = LockCycle::new(2, 0);
            ask(&mut g, 0, &mut rng);
            g.update(&done(kind, "acquire", 10, Some("22: held")));
            let Next::Op(next) = ask(&mut g, 10, &mut rng) else {
                panic!()
            };
            assert_eq!(next.f, "acquire", "{kind:?}");
        }
    }
}
