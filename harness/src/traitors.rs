//! Protocol-aware traitors: with `om` and `eig`, `traitors` > 0 and no `byzantine`
//! nemesis, some nodes start as traitors that know the protocol (Lamport's adversary: a
//! traitor commander splits its orders, a traitor lieutenant relays the opposite; for
//! interactive consistency, a node that equivocates). Which nodes is a seeded choice, so
//! whether the commander is among them is too. The choice is recorded in the history as a
//! `traitors` nemesis op, which the checkers read to judge the loyal nodes only.

use crate::spec::TestSpec;
use history::rng::Rng;

pub use workloads::agreement::TRAITOR_STRATEGIES as STRATEGIES;

/// How the traitors behave: the option of the run's (agreement) workload.
fn strategy(spec: &TestSpec) -> String {
    workloads::agreement::traitor_strategy(&spec.workload_section())
}

/// The traitors of this run (node, how it behaves), from the spec and its seed.
pub fn choose(spec: &TestSpec, seed: u64) -> Vec<(String, &'static str)> {
    let applies = matches!(spec.system.as_str(), "om" | "eig")
        && spec.traitors > 0
        && strategy(spec) != "none"
        && !spec.nemesis.faults.iter().any(|f| f == "byzantine");
    if !applies {
        return Vec::new();
    }
    let mut rng = Rng::new(seed ^ 0x7ea5_0a11);
    let mut pool: Vec<usize> = (1..=spec.nodes).collect();
    let mut chosen = Vec::new();
    while chosen.len() < spec.traitors.min(spec.nodes) {
        chosen.push(pool.swap_remove(rng.below(pool.len() as u64) as usize));
    }
    chosen.sort();
    let silent = strategy(spec) == "silent";
    chosen
        .into_iter()
        .map(|i| {
            let how = match (spec.system.as_str(), silent, i == 1) {
                (_, true, _) => "silent",
                ("om", false, true) => "split-orders",
                ("om", false, false) => "relay-opposite",
                _ => "equivocate",
            };
            (format!("n{i}"), how)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(system: &str, nodes: usize, traitors: usize) -> TestSpec {
        TestSpec {
            system: system.into(),
            workload: "generals".into(),
            nodes,
            traitors,
            ..TestSpec::default()
        }
    }

    #[test]
    fn traitors_are_seeded_and_the_commander_is_sometimes_one() {
        let s = spec("om", 4, 1);
        assert_eq!(choose(&s, 5), choose(&s, 5));
        let commanders = (0..200)
            .filter(|seed| choose(&s, *seed)[0].0 == "n1")
            .count();
        assert!((20..90).contains(&commanders), "{commanders} of 200");
        for seed in 0..50 {
            for (n, how) in choose(&s, seed) {
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
        assert_eq!(choose(&spec("eig", 7, 2), 1).len(), 2);
    }

    #[test]
    fn no_traitors_without_a_byzantine_protocol_or_with_the_nemesis() {
        assert!(choose(&spec("raft", 4, 1), 1).is_empty());
        assert!(choose(&spec("om", 4, 0), 1).is_empty());
        let mut s = spec("om", 4, 1);
        s.nemesis.faults = vec!["byzantine".into()];
        assert!(choose(&s, 1).is_empty());
        s.nemesis.faults.clear();
        s.set_option("agreement", "traitor_strategy", "none".into());
        assert!(choose(&s, 1).is_empty());
    }
}
