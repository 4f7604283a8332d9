//! Protocol-aware traitors: with `om` and `eig`, `traitors` > 0 and no `byzantine`
//! nemesis, some nodes start as traitors that know the protocol (Lamport's adversary: a
//! traitor commander splits its orders, a traitor lieutenant relays the opposite; for
//! interactive consistency, a node that equivocates; which kinds each protocol has is
//! `nodes::facts`). Which nodes is a seeded choice, so whether the commander is among them
//! is too. The harness records the choice in the history as a `traitors` nemesis op, which
//! the checkers read to judge the loyal nodes only.

use crate::Setup;
use history::rng::Rng;

pub use workloads::agreement::TRAITOR_STRATEGIES as STRATEGIES;

/// The traitors of this run (node, how it behaves), from the setup and its seed.
pub fn choose(setup: &Setup) -> Vec<(String, &'static str)> {
    let Some((commander, others)) = nodes::facts::of(&setup.system).and_then(|f| f.lamport) else {
        return Vec::new();
    };
    // How the traitors behave: the option of the run's (agreement) workload.
    let strategy = workloads::agreement::traitor_strategy(&setup.workload_options);
    let applies =
        setup.traitors > 0 && strategy != "none" && !setup.faults.iter().any(|f| f == "byzantine");
    if !applies {
        return Vec::new();
    }
    let mut rng = Rng::new(setup.seed ^ 0x7ea5_0a11);
    let mut pool: Vec<usize> = (1..=setup.nodes).collect();
    let mut chosen = Vec::new();
    while chosen.len() < setup.traitors.min(setup.nodes) {
        chosen.push(pool.swap_remove(rng.below(pool.len() as u64) as usize));
    }
    chosen.sort();
    chosen
        .into_iter()
        .map(|i| {
            let how = match (strategy == "silent", i == 1) {
                (true, _) => "silent",
                (false, true) => commander,
                (false, false) => others,
            };
            (format!("n{i}"), how)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup(system: &str, nodes: usize, traitors: usize) -> Setup {
        Setup {
            workload: "generals".into(),
            traitors,
            ..Setup::new(system, nodes)
        }
    }

    fn seeded(s: &Setup, seed: u64) -> Vec<(String, &'static str)> {
        choose(&Setup { seed, ..s.clone() })
    }

    #[test]
    fn traitors_are_seeded_and_the_commander_is_sometimes_one() {
        let s = setup("om", 4, 1);
        assert_eq!(seeded(&s, 5), seeded(&s, 5));
        let commanders = (0..200)
            .filter(|seed| seeded(&s, *seed)[0].0 == "n1")
            .count();
        assert!((20..90).contains(&commanders), "{commanders} of 200");
        for seed in 0..50 {
            for (n, how) in seeded(&s, seed) {
                assert_eq!(
                    how,
                    if n == "n1" {
                        "split-orders"
                    } else {
                        "relay-opposite"
                    }
                );
            }
        }
        assert_eq!(seeded(&setup("eig", 7, 2), 1).len(), 2);
        assert!(seeded(&setup("eig", 7, 2), 1)
            .iter()
            .all(|(_, how)| *how == "equivocate"));
    }

    #[test]
    fn no_traitors_without_a_byzantine_protocol_or_with_the_nemesis() {
        assert!(seeded(&setup("raft", 4, 1), 1).is_empty());
        assert!(seeded(&setup("om", 4, 0), 1).is_empty());
        let mut s = setup("om", 4, 1);
        s.faults = vec!["byzantine".into()];
        assert!(seeded(&s, 1).is_empty());
        s.faults.clear();
        s.workload_options = serde_json::json!({"traitor_strategy": "none"});
        assert!(seeded(&s, 1).is_empty());
        s.workload_options = serde_json::json!({"traitor_strategy": "silent"});
        assert!(seeded(&s, 1).iter().all(|(_, how)| *how == "silent"));
    }
}
