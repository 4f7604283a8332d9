//! Kafka-style logs on Raft and Paxos in the deterministic simulator: under message loss,
//! partitions, crashes and restarts, concurrent sends and whole-log reads leave histories
//! the log checker finds nothing wrong with (no acknowledged value lost, one value per
//! offset, none at two); Paxos's `accept-any` bug (two leaders choosing one slot) is
//! caught as offsets that disagree or values lost.

use checkers::log::LogChecker;
use checkers::Checker;
use history::Validity;
use nodes::paxos::{Paxos, PaxosBugs};
use nodes::raft::Raft;
use nodes::sim::{LogRun, Sim, SimOptions};
use nodes::Protocol;

fn sim(seed: u64, make: impl Fn() -> Box<dyn Protocol> + 'static) -> Sim {
    Sim::new(
        SimOptions {
            nodes: 3,
            seed,
            loss: 0.05,
            latency_ms: (1, 15),
        },
        move |_| make(),
    )
}

fn paxos(accept_any: bool) -> impl Fn() -> Box<dyn Protocol> + Clone {
    move || {
        Box::new(Paxos::with_bugs(PaxosBugs {
            accept_any,
            ..PaxosBugs::default()
        }))
    }
}

/// Over a few seeds: never invalid, mostly valid (an acknowledged value that no read
/// after it answered, the cluster being cut off at the end, is unknown, not wrong).
fn never_wrong(make: impl Fn() -> Box<dyn Protocol> + Clone + 'static) {
    let mut valid = 0;
    for seed in 1..=6 {
        let h = LogRun::default().run(&mut sim(seed, make.clone()), seed);
        let v = LogChecker.check(&h);
        assert_ne!(
            v.validity,
            Validity::Invalid,
            "seed {seed}: {:#?}",
            v.anomalies
        );
        assert!(v.malformed.is_none(), "seed {seed}: {:?}", v.malformed);
        assert!(
            v.stats["ok_sends"].as_u64().unwrap() > 50,
            "seed {seed}: {:?}",
            v.stats
        );
        assert!(
            v.stats["final_reads"].as_u64().unwrap() > 50,
            "seed {seed}: {:?}",
            v.stats
        );
        valid += usize::from(v.validity == Validity::Valid);
    }
    assert!(valid >= 4, "{valid} of 6 valid");
}

#[test]
fn raft_keeps_every_acknowledged_value_at_one_offset() {
    never_wrong(|| Box::new(Raft::default()) as Box<dyn Protocol>);
}

#[test]
fn paxos_keeps_every_acknowledged_value_at_one_offset() {
    never_wrong(paxos(false));
}

#[test]
fn paxos_accepting_any_ballot_is_caught() {
    let caught = (1..=20).find_map(|seed| {
        let h = LogRun {
            ops: 600,
            timeout_ms: 300,
            ..LogRun::default()
        }
        .run(&mut sim(seed, paxos(true)), seed);
        let v = LogChecker.check(&h);
        (v.validity == Validity::Invalid).then_some(v)
    });
    let v = caught.expect("the bug caught within 20 seeds");
    assert!(
        v.anomalies.iter().any(|a| {
            ["inconsistent-offsets", "lost-write", "duplicate"].contains(&a.kind.as_str())
        }),
        "{:#?}",
        v.anomalies
    );
}
