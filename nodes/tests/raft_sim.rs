//! Raft in the deterministic simulator, hundreds of seeds: under message loss, partitions,
//! crashes and restarts, every history is linearizable by the project's own checker, at
//! most one leader holds any term, and the `stale-read` bug is caught.

use checkers::linearizable::{check, Options};
use history::{OpType, Validity};
use nodes::raft::{Raft, RaftBugs};
use nodes::sim::{RegisterRun, Sim, SimOptions};
use std::collections::BTreeMap;

fn sim(seed: u64, nodes: usize, bugs: RaftBugs) -> Sim {
    Sim::new(
        SimOptions {
            nodes,
            seed,
            loss: 0.05,
            latency_ms: (1, 15),
        },
        move |_| Box::new(Raft::with_bugs(bugs.clone())),
    )
}

#[test]
fn raft_histories_are_linearizable_under_loss_partitions_and_crashes() {
    let mut ok_ops = 0usize;
    for seed in 0..200 {
        let nodes = if seed % 4 == 0 { 5 } else { 3 };
        let mut s = sim(seed, nodes, RaftBugs::default());
        let h = RegisterRun::default().run(&mut s, seed);
        let v = check(&h, &Options::default()).expect("checkable").verdict;
        assert_eq!(
            v.validity,
            Validity::Valid,
            "seed {seed}: {:?}",
            v.anomalies.first().map(|a| &a.explanation)
        );
        ok_ops += h.ops().iter().filter(|o| o.kind == OpType::Ok).count();
    }
    eprintln!("{ok_ops} ok ops in 200 runs of 200");
    assert!(
        ok_ops > 200 * 75,
        "Raft made progress: {ok_ops} ok ops in 200 runs of 200"
    );
}

#[test]
fn at_most_one_leader_per_term() {
    for seed in 0..100 {
        let mut s = sim(seed, 5, RaftBugs::default());
        let mut leader_of: BTreeMap<u64, usize> = BTreeMap::new();
        for step in 0..400 {
            if step % 50 == 10 {
                s.crash((seed as usize + step) % 5);
            }
            if step % 50 == 30 {
                (0..5).for_each(|i| s.restart(i));
            }
            if step % 70 == 20 {
                s.partition(&[0, 1], &[2, 3, 4]);
            }
            if step % 70 == 60 {
                s.heal();
            }
            s.run_for_ms(10);
            for (node, term) in s.leaders() {
                let first = *leader_of.entry(term).or_insert(node);
                assert_eq!(first, node, "seed {seed}: two leaders in term {term}");
            }
        }
        assert!(
            !leader_of.is_empty(),
            "seed {seed}: some leader was elected"
        );
    }
}

#[test]
fn the_stale_read_bug_is_caught() {
    let bugs = RaftBugs {
        stale_read: true,
        ..RaftBugs::default()
    };
    let invalid = (0..100)
        .filter(|&seed| {
            let mut s = sim(seed, 3, bugs.clone());
            let h = RegisterRun {
                ops: 300,
                ..RegisterRun::default()
            }
            .run(&mut s, seed);
            check(&h, &Options::default())
                .expect("checkable")
                .verdict
                .validity
                == Validity::Invalid
        })
        .count();
    eprintln!("stale reads found in {invalid} of 100 runs");
    assert!(invalid >= 2, "stale reads found in {invalid} of 100 runs");
}
