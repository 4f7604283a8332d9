//! Raft and Multi-Paxos with a Byzantine node, in the deterministic simulator: both
//! tolerate a node that falls silent (a crash by another name), and neither tolerates a
//! leader that tells its followers different values: schism's own checker says so.

use checkers::linearizable::{check, Options};
use history::Validity;
use nodes::paxos::Paxos;
use nodes::raft::Raft;
use nodes::sim::{RegisterRun, Sim, SimOptions};
use serde_json::json;
use wire::interceptor::Rule;
use wire::Protocol;

fn rules(v: serde_json::Value) -> Vec<Rule> {
    serde_json::from_value(v).expect("valid rules")
}

/// Run `seeds` register runs of 3 nodes with faults, the node that leads after the first
/// election made Byzantine with `lie`; the verdicts and how many messages were tampered.
fn runs(
    seeds: u64,
    make: fn() -> Box<dyn Protocol>,
    lie: &serde_json::Value,
) -> (Vec<Validity>, u64) {
    let mut verdicts = Vec::new();
    let mut tampered = 0;
    for seed in 0..seeds {
        let opts = SimOptions {
            nodes: 3,
            seed,
            loss: 0.02,
            latency_ms: (1, 10),
        };
        let mut sim = Sim::new(opts, move |_| make());
        sim.run_for_ms(1_500);
        let traitor = sim.leaders().first().map_or(0, |(i, _)| *i);
        sim.set_rules(traitor, rules(lie.clone()));
        let h = RegisterRun {
            ops: 300,
            ..RegisterRun::default()
        }
        .run(&mut sim, seed);
        verdicts.push(
            check(&h, &Options::default())
                .expect("checkable")
                .verdict
                .validity,
        );
        tampered += sim.byzantine_report(traitor).expect("a traitor")["tampered"]
            .as_u64()
            .unwrap_or(0);
    }
    (verdicts, tampered)
}

fn raft() -> Box<dyn Protocol> {
    Box::new(Raft::default())
}

fn paxos() -> Box<dyn Protocol> {
    Box::new(Paxos::default())
}

fn count(v: &[Validity], which: Validity) -> usize {
    v.iter().filter(|x| **x == which).count()
}

#[test]
fn a_silent_or_omitting_node_is_tolerated() {
    for (name, make) in [("raft", raft as fn() -> _), ("paxos", paxos)] {
        for lie in [
            json!([{"action": "drop"}]),
            json!([{"action": "drop", "p": 0.5}]),
        ] {
            let (v, tampered) = runs(60, make, &lie);
            assert_eq!(count(&v, Validity::Valid), v.len(), "{name} {lie}: {v:?}");
            assert!(tampered > 0, "{name} {lie}");
        }
    }
}

#[test]
fn an_equivocating_leader_is_caught() {
    let cases = [
        (
            "raft",
            raft as fn() -> _,
            json!([{"action": "equivocate", "fields": ["entries.*.op.value", "entries.*.op.to"]}]),
        ),
        (
            "paxos",
            paxos,
            json!([{"action": "equivocate", "fields": ["value.value", "value.to"]}]),
        ),
    ];
    for (name, make, lie) in cases {
        let (v, tampered) = runs(60, make, &lie);
        let invalid = count(&v, Validity::Invalid);
        eprintln!(
            "{name}: {invalid} of {} runs invalid, {tampered} messages tampered",
            v.len()
        );
        assert!(tampered > 0, "{name}");
        // Lies show only when a liar later leads and a read meets its values (values
        // are drawn from 0..5, so some lies look true): a share of the runs, not all.
        assert!(invalid >= 5, "{name}: only {invalid} of 60 runs invalid");
    }
}
