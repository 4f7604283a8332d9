//! `lock`: a few named locks that every process acquires, holds a while and releases
//! ([`cycle`]), judged by `checkers::services::Lock` as a linearizable mutex: never two
//! holders at once, and only the holder releases.
//!
//! Its options are the spec's `lock:` section ([`options`]): how many locks, the range of
//! a hold, and the TTL of the lease a leased lock rests on. Short holds under a long lease
//! (the defaults: up to 100 ms, the client's own lease) test the lock service's mutual
//! exclusion as such. Holds longer than the lease, with pauses of the holder's node that
//! outlast it, test what a lease-based lock promises a holder that keeps its lease alive
//! (etcd's: the lease expires while the holder is cut off, another takes the lock, and the
//! first still believes it holds it; see `docs/findings.md`).
//!
//! Ops are recorded as `acquire` and `release` with the lock as key and the value null.
//! There is no final phase.

pub mod cycle;
pub mod options;

pub use cycle::LockCycle;
pub use options::LockOptions;

use crate::generator::{Generator, Once, PerProcess};
use crate::registry::{self, Setup, WorkloadDef};
use crate::Workload;
use checkers::services::Lock;

/// The `lock` workload's registry entry.
pub static LOCK: WorkloadDef = WorkloadDef {
    name: "lock",
    about: "named locks: never two holders at once (a linearizable mutex)",
    section: Some("lock"),
    ops: &["acquire", "release"],
    options: registry::filled::<LockOptions>,
    build: |s| Ok(workload(&options(s)?)),
    checkers: |s| Ok(vec![Box::new(checker(&options(s)?))]),
};

/// The section's options, with the run's checking budget.
fn options(s: &Setup) -> Result<LockOptions, String> {
    Ok(LockOptions {
        check_time_limit: s.check_time_limit,
        ..s.options()?
    })
}

fn checker(o: &LockOptions) -> Lock {
    Lock {
        time_limit: o.check_time_limit,
    }
}

/// The workload: each process its own [`LockCycle`].
pub fn workload(o: &LockOptions) -> Workload {
    let (locks, hold_ns) = (o.locks, o.hold_ns());
    Workload {
        name: LOCK.name,
        generator: Box::new(PerProcess::new(move |_| {
            Box::new(LockCycle::new(locks, hold_ns)) as Box<dyn Generator>
        })),
        final_generator: Box::new(|| Box::new(Once::new(Vec::new()))),
        checkers: vec![Box::new(checker(o))],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::Next;
    use crate::txn::testing::ask_at as ask;
    use history::rng::Rng;
    use history::{Op, OpType};

    #[test]
    fn processes_each_run_their_own_cycle() {
        let mut w = workload(&LockOptions::default());
        let mut rng = Rng::new(3);
        let Next::Op(a0) = ask(&mut w.generator, 0, 0, &mut rng) else {
            panic!()
        };
        let Next::Op(a1) = ask(&mut w.generator, 1, 0, &mut rng) else {
            panic!()
        };
        assert_eq!((a0.f.as_str(), a1.f.as_str()), ("acquire", "acquire"));
        // Process 0's acquire fails: it backs off, then tries again; process 1 is still in
        // flight.
        let mut failed = Op::client(0, OpType::Fail, "acquire", history::Value::Null);
        failed.error = Some(serde_json::json!("22: held"));
        w.generator.update(&failed);
        let Next::Wait(until) = ask(&mut w.generator, 0, 1, &mut rng) else {
            panic!()
        };
        assert!(until > 1);
        let Next::Op(again) = ask(&mut w.generator, 0, until, &mut rng) else {
            panic!()
        };
        assert_eq!(again.f, "acquire");
        assert!(matches!(
            ask(&mut w.generator, 1, 1, &mut rng),
            Next::Wait(_)
        ));
        let mut fin = (w.final_generator)();
        assert_eq!(ask(&mut fin, 0, 0, &mut rng), Next::Done);
    }

    #[test]
    fn the_section_shapes_the_holds_and_the_locks() {
        let o = LockOptions::of(&serde_json::json!({
            "locks": 1, "hold_ms_min": 2000, "hold_ms_max": 2000
        }))
        .unwrap();
        let mut w = workload(&o);
        let mut rng = Rng::new(1);
        let Next::Op(a) = ask(&mut w.generator, 0, 0, &mut rng) else {
            panic!()
        };
        assert_eq!(a.key, Some(history::Key::Int(0)), "one lock: key 0");
        let ok = Op::client(0, OpType::Ok, "acquire", history::Value::Null).with_time_ns(10);
        w.generator.update(&ok);
        assert_eq!(
            ask(&mut w.generator, 0, 10, &mut rng),
            Next::Wait(10 + 2_000_000_000)
        );
    }
}
