//! Interactive consistency (OM(m) once per component) in the deterministic simulator,
//! hundreds of seeds: with n > 3m and at most m traitors, correct nodes decide the same
//! vector, holding every correct node's proposal, also under loss, healed partitions and
//! restarts; the `trust-direct` bug lets an equivocating node split them; with n = 3 a
//! traitor breaks agreement or validity.

use history::rng::Rng;
use nodes::eig::{Eig, EigBugs, EigOptions, EigTraitor};
use nodes::sim::{Sim, SimOptions};
use serde_json::{json, Value};
use std::time::Instant;
use wire::Body;

/// A vector decided by a node (None: undecided or unanswered).
type Vector = Option<Vec<Value>>;

/// A simulated cluster and a client that asks it things.
struct Cluster {
    sim: Sim,
    next_id: u64,
}

impl Cluster {
    /// Send each request to its node, let the network run, and return the answers (None
    /// when a node did not answer).
    fn ask(&mut self, reqs: &[(usize, Value)], wait_ms: u64) -> Vec<Option<Body>> {
        let answers = self.sim.ask(reqs, self.next_id, wait_ms);
        self.next_id += reqs.len() as u64;
        answers
    }

    /// The vector every node says it decided for an instance (checked against its state).
    fn vectors(&mut self, instance: &Value) -> Vec<Vector> {
        let n = self.sim.names().len();
        let reqs: Vec<_> = (0..n)
            .map(|i| (i, json!({"type": "decision", "instance": instance})))
            .collect();
        let answers = self.ask(&reqs, 30);
        let states = self.sim.states();
        answers
            .into_iter()
            .zip(states)
            .map(|(a, s)| {
                let a = a?;
                assert_eq!(a.kind(), "decision_ok");
                assert_eq!(a["decided"], !a["vector"].is_null());
                let key = instance.as_str().map_or(instance.to_string(), String::from);
                assert_eq!(
                    s["decisions"].get(&key),
                    a.get("vector").filter(|v| !v.is_null())
                );
                a["vector"].as_array().cloned()
            })
            .collect()
    }
}

/// Agreement: every correct node decided, and all decided the same vector.
fn agreement(vectors: &[Vector], correct: &[usize]) -> bool {
    let vs: Vec<&Vector> = correct.iter().map(|&i| &vectors[i]).collect();
    vs.iter().all(|v| v.is_some()) && vs.windows(2).all(|w| w[0] == w[1])
}

/// Validity: in every correct node's vector, each correct node's component is its proposal.
fn validity(vectors: &[Vector], correct: &[usize], proposals: &[Value]) -> bool {
    correct.iter().all(|&i| {
        vectors[i]
            .as_ref()
            .is_some_and(|v| correct.iter().all(|&j| v.get(j) == Some(&proposals[j])))
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Verdict {
    agreement: bool,
    validity: bool,
}

const HOLDS: Verdict = Verdict {
    agreement: true,
    validity: true,
};

/// One seeded run: every node proposes in several instances, then the verdict on each.
#[derive(Clone)]
struct Scenario {
    n: usize,
    m: Option<usize>,
    seed: u64,
    loss: f64,
    /// A partition healed before the proposals.
    partition_first: bool,
    /// Crash and restart a node once everyone decided: decisions must survive.
    restart_after: bool,
    traitor: Option<(usize, EigTraitor)>,
    bugs: EigBugs,
    instances: usize,
}

impl Scenario {
    fn new(n: usize, seed: u64) -> Scenario {
        Scenario {
            n,
            m: None,
            seed,
            loss: 0.0,
            partition_first: false,
            restart_after: false,
            traitor: None,
            bugs: EigBugs::default(),
            instances: 3,
        }
    }

    /// Node i's proposal in instance k: a number, a string or an object.
    fn proposal(i: usize, k: usize) -> Value {
        match k % 3 {
            0 => json!(10 * i + k),
            1 => json!(format!("v{i}")),
            _ => json!({"node": i, "instance": k}),
        }
    }

    fn run(&self) -> Vec<Verdict> {
        let s = self.clone();
        let make = move |i: usize| -> Box<dyn nodes::Protocol> {
            Box::new(Eig::new(EigOptions {
                m: s.m,
                bugs: s.bugs.clone(),
                traitor: s.traitor.filter(|(t, _)| *t == i).map(|(_, k)| k),
                ..EigOptions::default()
            }))
        };
        let opts = SimOptions {
            nodes: self.n,
            seed: self.seed,
            loss: self.loss,
            latency_ms: (1, 10),
        };
        let mut c = Cluster {
            sim: Sim::new(opts, make),
            next_id: 1,
        };
        let mut rng = Rng::new(self.seed ^ 0xe16);
        if self.partition_first {
            let (a, b): (Vec<usize>, Vec<usize>) = (0..self.n).partition(|_| rng.chance(0.5));
            c.sim.partition(&a, &b);
            c.sim.run_for_ms(200);
            c.sim.heal();
        }
        let instances: Vec<Value> = (0..self.instances)
            .map(|k| {
                if k % 2 == 0 {
                    json!(k)
                } else {
                    json!(format!("i{k}"))
                }
            })
            .collect();
        let mut reqs = Vec::new();
        for (k, inst) in instances.iter().enumerate() {
            for i in 0..self.n {
                let v = Self::proposal(i, k);
                reqs.push((i, json!({"type": "propose", "instance": inst, "value": v})));
            }
        }
        for a in c.ask(&reqs, 30) {
            assert_eq!(a.expect("every node answers").kind(), "propose_ok");
        }
        let m = self.m.unwrap_or((self.n - 1) / 3) as u64;
        c.sim.run_for_ms((m + 1) * 100 + 100);
        let mut vectors: Vec<Vec<Vector>> = instances.iter().map(|i| c.vectors(i)).collect();
        if self.restart_after {
            let r = rng.below(self.n as u64) as usize;
            c.sim.crash(r);
            c.sim.run_for_ms(50);
            c.sim.restart(r);
            for (i, before) in instances.iter().zip(&mut vectors) {
                let after = c.vectors(i);
                assert_eq!(
                    after[r],
                    before[r],
                    "seed {}: n{} forgot instance {i}",
                    self.seed,
                    r + 1
                );
                *before = after;
            }
        }
        let traitor = self.traitor.map(|(t, _)| t);
        let correct: Vec<usize> = (0..self.n).filter(|&i| Some(i) != traitor).collect();
        (vectors.iter().enumerate())
            .map(|(k, vs)| {
                let proposals: Vec<Value> = (0..self.n).map(|i| Self::proposal(i, k)).collect();
                Verdict {
                    agreement: agreement(vs, &correct),
                    validity: validity(vs, &correct, &proposals),
                }
            })
            .collect()
    }
}

#[test]
fn the_predicates_judge_vectors() {
    let p = [json!(1), json!(2), json!(3)];
    let good = Some(p.to_vec());
    let lied = Some(vec![json!(1), json!(2), json!(9)]);
    let d = [good.clone(), good.clone(), lied];
    assert!(agreement(&d, &[0, 1]) && validity(&d, &[0, 1], &p));
    assert!(!agreement(&d, &[0, 1, 2]) && !validity(&d, &[0, 1, 2], &p));
    assert!(
        !agreement(&[good.clone(), None], &[0, 1]),
        "an undecided node breaks agreement"
    );
    let wrong = Some(vec![json!(0), json!(2), json!(3)]);
    assert!(
        !validity(&[wrong.clone(), wrong], &[0, 1], &p),
        "agreeing on a wrong value"
    );
}

#[test]
fn proposals_are_taken_once() {
    let opts = SimOptions {
        nodes: 4,
        ..SimOptions::default()
    };
    let mut c = Cluster {
        sim: Sim::new(opts, |_| Box::new(Eig::new(EigOptions::default()))),
        next_id: 1,
    };
    let propose = json!({"type": "propose", "instance": "a", "value": 5});
    let a = c.ask(&[(0, propose.clone())], 30);
    assert_eq!(a[0].as_ref().unwrap().kind(), "propose_ok");
    let again = c.ask(&[(0, propose)], 30);
    assert_eq!(again[0].as_ref().unwrap()["code"], 22, "n1 proposed for a");
    c.sim.run_for_ms(300);
    let v = Some(vec![json!(5), json!(null), json!(null), json!(null)]);
    assert_eq!(c.vectors(&json!("a")), vec![v; 4], "only n1 proposed");
    assert_eq!(c.sim.states()[2]["protocol"], "eig");
}

#[test]
fn honest_nodes_agree_on_every_proposal() {
    let t = Instant::now();
    for n in [4, 7] {
        for seed in 0..100 {
            let faults = seed % 2 == 1;
            let s = Scenario {
                loss: if faults { 0.1 } else { 0.0 },
                partition_first: faults,
                restart_after: faults,
                ..Scenario::new(n, seed)
            };
            for v in s.run() {
                assert_eq!(v, HOLDS, "n={n} seed {seed}");
            }
        }
    }
    eprintln!("200 runs in {:?}", t.elapsed());
}

#[test]
fn one_traitor_among_four_is_outvoted() {
    let t = Instant::now();
    let kinds = [
        EigTraitor::Equivocate,
        EigTraitor::RelayOpposite,
        EigTraitor::RelayCorrupt,
        EigTraitor::Silent,
    ];
    for seed in 0..100 {
        for kind in kinds {
            let traitor = (seed as usize % 4, kind);
            let s = Scenario {
                traitor: Some(traitor),
                ..Scenario::new(4, seed)
            };
            for v in s.run() {
                assert_eq!(v, HOLDS, "seed {seed}, traitor {traitor:?}");
            }
        }
    }
    eprintln!("400 runs in {:?}", t.elapsed());
}

#[test]
fn the_trust_direct_bug_is_caught() {
    let mut found = 0;
    for seed in 0..100 {
        let s = Scenario {
            traitor: Some((seed as usize % 4, EigTraitor::Equivocate)),
            bugs: EigBugs { trust_direct: true },
            ..Scenario::new(4, seed)
        };
        let verdicts = s.run();
        assert!(
            verdicts.iter().all(|v| v.validity),
            "correct components come direct"
        );
        found += usize::from(verdicts.iter().any(|v| !v.agreement));
    }
    eprintln!("trust-direct: vectors differ in {found} of 100 runs");
    assert_eq!(found, 100, "correct nodes take an equivocator's word apart");
}

#[test]
fn three_nodes_cannot_tolerate_a_traitor() {
    let kinds = [
        EigTraitor::Equivocate,
        EigTraitor::RelayOpposite,
        EigTraitor::RelayCorrupt,
        EigTraitor::Silent,
    ];
    let mut found = [0usize; 4];
    for seed in 0..100 {
        for (k, kind) in kinds.into_iter().enumerate() {
            let s = Scenario {
                m: Some(1),
                traitor: Some((seed as usize % 3, kind)),
                ..Scenario::new(3, seed)
            };
            found[k] += usize::from(s.run().iter().any(|v| *v != HOLDS));
        }
    }
    eprintln!(
        "n=3, violations in 100 runs: {:?}",
        kinds.iter().zip(found).collect::<Vec<_>>()
    );
    assert!(
        found.iter().sum::<usize>() >= 1,
        "n = 3 does not tolerate a traitor"
    );
    assert_eq!(
        found[1], 100,
        "a relayed lie ties the vote on a correct node's component"
    );
}
