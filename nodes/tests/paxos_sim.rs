//! Multi-Paxos in the deterministic simulator: linearizable under loss, partitions,
//! crashes and restarts over hundreds of seeds; its `accept-any` bug caught.

use checkers::linearizable::{check, Options};
use history::{OpType, Validity};
use nodes::paxos::{Paxos, PaxosBugs};
use nodes::sim::{RegisterRun, Sim, SimOptions};

fn sim(seed: u64, nodes: usize, bugs: PaxosBugs) -> Sim {
    Sim::new(
        SimOptions {
            nodes,
            seed,
            loss: 0.05,
            latency_ms: (1, 15),
        },
        move |_| Box::new(Paxos::with_bugs(bugs.clone())),
    )
}

#[test]
fn paxos_histories_are_linearizable_under_loss_partitions_and_crashes() {
    let mut ok_ops = 0usize;
    for seed in 0..200 {
        let nodes = if seed % 4 == 0 { 5 } else { 3 };
        let mut s = sim(seed, nodes, PaxosBugs::default());
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
        "Paxos made progress: {ok_ops} ok ops in 200 runs of 200"
    );
}

#[test]
fn the_accept_any_bug_is_caught() {
    let bugs = PaxosBugs {
        accept_any: true,
        ..PaxosBugs::default()
    };
    let invalid = (0..200)
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
    // The bug makes replicas diverge often, but a client sees it only when it reads from
    // a diverged replica that leads later: rarely, with these clients (see the note).
    eprintln!("accept-any caught in {invalid} of 200 runs");
    assert!(invalid >= 1, "accept-any caught in {invalid} of 200 runs");
}
