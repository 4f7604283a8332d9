//! Lamport's oral-messages algorithm OM(m) in the deterministic simulator, hundreds of
//! seeds: with n > 3m and at most m traitors, loyal lieutenants agree (IC1) and obey a
//! loyal commander (IC2), also under loss, healed partitions and restarts; with n = 3 and
//! m = 1 a lying lieutenant makes a loyal one disobey; the `trust-commander` bug lets a
//! commander that splits its orders divide the loyal lieutenants.

use history::rng::Rng;
use nodes::om::{Om, OmBugs, OmOptions, OmTraitor};
use nodes::sim::{Sim, SimOptions};
use serde_json::{json, Value};
use std::time::Instant;
use wire::Body;

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

    /// What every node says it decided for an instance (checked against its state).
    fn decisions(&mut self, instance: &Value) -> Vec<Option<Value>> {
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
                assert_eq!(a["decided"], !a["value"].is_null());
                let key = instance.as_str().map_or(instance.to_string(), String::from);
                assert_eq!(
                    s["decisions"].get(&key),
                    a.get("value").filter(|v| !v.is_null())
                );
                a.get("value").filter(|v| !v.is_null()).cloned()
            })
            .collect()
    }
}

/// IC1: every loyal lieutenant decided, and all decided alike.
fn ic1(decided: &[Option<Value>], loyal_lieutenants: &[usize]) -> bool {
    let vs: Vec<&Option<Value>> = loyal_lieutenants.iter().map(|&i| &decided[i]).collect();
    vs.iter().all(|v| v.is_some()) && vs.windows(2).all(|w| w[0] == w[1])
}

/// IC2: when the commander is loyal, every loyal lieutenant decided its order.
fn ic2(
    decided: &[Option<Value>],
    loyal_lieutenants: &[usize],
    commander_loyal: bool,
    order: &Value,
) -> bool {
    !commander_loyal
        || loyal_lieutenants
            .iter()
            .all(|&i| decided[i].as_ref() == Some(order))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Verdict {
    ic1: bool,
    ic2: bool,
}

/// One seeded run: orders for several instances, then the verdict on each.
#[derive(Clone)]
struct Scenario {
    n: usize,
    m: Option<usize>,
    seed: u64,
    commander: usize,
    loss: f64,
    /// A partition healed before the first order.
    partition_first: bool,
    /// Crash and restart a lieutenant once everyone decided: decisions must survive.
    restart_after: bool,
    traitor: Option<(usize, OmTraitor)>,
    bugs: OmBugs,
    orders: Vec<Value>,
}

impl Scenario {
    fn new(n: usize, seed: u64) -> Scenario {
        Scenario {
            n,
            m: None,
            seed,
            commander: 0,
            loss: 0.0,
            partition_first: false,
            restart_after: false,
            traitor: None,
            bugs: OmBugs::default(),
            orders: vec![json!("attack"), json!("retreat"), json!("attack"), json!(7)],
        }
    }

    fn run(&self) -> Vec<Verdict> {
        let s = self.clone();
        let commander = format!("n{}", s.commander + 1);
        let make = move |i: usize| -> Box<dyn nodes::Protocol> {
            Box::new(Om::new(OmOptions {
                commander: Some(commander.clone()),
                m: s.m,
                bugs: s.bugs.clone(),
                traitor: s.traitor.filter(|(t, _)| *t == i).map(|(_, k)| k),
                ..OmOptions::default()
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
        let mut rng = Rng::new(self.seed ^ 0x0e11);
        if self.partition_first {
            let (a, b): (Vec<usize>, Vec<usize>) = (0..self.n).partition(|_| rng.chance(0.5));
            c.sim.partition(&a, &b);
            c.sim.run_for_ms(200);
            c.sim.heal();
        }
        let instances: Vec<Value> = (0..self.orders.len())
            .map(|k| {
                if k % 2 == 0 {
                    json!(k)
                } else {
                    json!(format!("i{k}"))
                }
            })
            .collect();
        let reqs: Vec<_> = (instances.iter().zip(&self.orders))
            .map(|(i, v)| {
                (
                    self.commander,
                    json!({"type": "order", "instance": i, "value": v}),
                )
            })
            .collect();
        for a in c.ask(&reqs, 30) {
            assert_eq!(a.expect("the commander answers").kind(), "order_ok");
        }
        let m = self.m.unwrap_or((self.n - 1) / 3) as u64;
        c.sim.run_for_ms((m + 1) * 100 + 100);
        let mut decided: Vec<Vec<Option<Value>>> =
            instances.iter().map(|i| c.decisions(i)).collect();
        if self.restart_after {
            let r = (self.commander + 1 + rng.below(self.n as u64 - 1) as usize) % self.n;
            c.sim.crash(r);
            c.sim.run_for_ms(50);
            c.sim.restart(r);
            for (i, before) in instances.iter().zip(&mut decided) {
                let after = c.decisions(i);
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
        let loyal: Vec<usize> = (0..self.n)
            .filter(|&i| i != self.commander && Some(i) != traitor)
            .collect();
        let commander_loyal = traitor != Some(self.commander);
        (decided.iter().zip(&self.orders))
            .map(|(d, order)| Verdict {
                ic1: ic1(d, &loyal),
                ic2: ic2(d, &loyal, commander_loyal, order),
            })
            .collect()
    }
}

const HOLDS: Verdict = Verdict {
    ic1: true,
    ic2: true,
};

#[test]
fn the_predicates_judge_decisions() {
    let (a, r) = (Some(json!("attack")), Some(json!("retreat")));
    let d = [None, a.clone(), a.clone(), r.clone()];
    assert!(ic1(&d, &[1, 2]) && ic2(&d, &[1, 2], true, &json!("attack")));
    assert!(!ic1(&d, &[1, 2, 3]) && !ic2(&d, &[1, 2, 3], true, &json!("attack")));
    assert!(
        ic2(&d, &[1, 2, 3], false, &json!("attack")),
        "vacuous for a traitor"
    );
    assert!(
        !ic1(&[None, a, None], &[1, 2]),
        "an undecided lieutenant breaks IC1"
    );
}

#[test]
fn orders_go_to_the_commander_once() {
    let opts = SimOptions {
        nodes: 4,
        ..SimOptions::default()
    };
    let mut c = Cluster {
        sim: Sim::new(opts, |_| Box::new(Om::new(OmOptions::default()))),
        next_id: 1,
    };
    let order = json!({"type": "order", "instance": 1, "value": "attack"});
    let a = c.ask(&[(0, order.clone()), (1, order.clone())], 30);
    assert_eq!(a[0].as_ref().unwrap().kind(), "order_ok");
    assert_eq!(
        a[1].as_ref().unwrap()["code"],
        10,
        "a lieutenant is not the commander"
    );
    let again = c.ask(&[(0, order)], 30);
    assert_eq!(
        again[0].as_ref().unwrap()["code"],
        22,
        "instance 1 was ordered"
    );
    // Asked while its rounds run, a lieutenant answers when they end.
    let during = json!({"type": "decision", "instance": 1});
    assert!(c.ask(&[(2, during.clone())], 30)[0].is_none(), "not yet");
    let answered = c.ask(&[(2, during)], 300);
    let answer = answered[0].as_ref().expect("an answer when the rounds end");
    assert_eq!(
        (&answer["decided"], &answer["value"]),
        (&json!(true), &json!("attack"))
    );
    // One that never heard of an instance starts its rounds and decides the default.
    let unheard = c.ask(&[(3, json!({"type": "decision", "instance": 9}))], 300);
    assert_eq!(unheard[0].as_ref().unwrap()["value"], "retreat");
    c.sim.run_for_ms(300);
    assert_eq!(c.decisions(&json!(1)), vec![Some(json!("attack")); 4]);
    assert_eq!(c.sim.states()[0]["role"], "commander");
    assert_eq!(c.sim.states()[1]["m"], 1);
}

#[test]
fn loyal_lieutenants_obey_a_loyal_commander() {
    let t = Instant::now();
    for n in [4, 7] {
        for seed in 0..100 {
            let s = Scenario {
                commander: seed as usize % n,
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
fn loyal_lieutenants_obey_under_loss_healed_partitions_and_restarts() {
    let t = Instant::now();
    for n in [4, 7] {
        for seed in 0..100 {
            let s = Scenario {
                loss: 0.1,
                partition_first: true,
                restart_after: true,
                commander: seed as usize % n,
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
fn one_traitor_among_four_breaks_neither_ic1_nor_ic2() {
    let t = Instant::now();
    for seed in 0..120 {
        let lieutenant = 1 + seed as usize % 3;
        for traitor in [
            (lieutenant, OmTraitor::RelayOpposite),
            (lieutenant, OmTraitor::Silent),
            (0, OmTraitor::SplitOrders),
        ] {
            let s = Scenario {
                traitor: Some(traitor),
                ..Scenario::new(4, seed)
            };
            for v in s.run() {
                assert_eq!(v, HOLDS, "seed {seed}, traitor {traitor:?}");
            }
        }
    }
    eprintln!("360 runs in {:?}", t.elapsed());
}

#[test]
fn a_lying_lieutenant_among_three_makes_a_loyal_one_disobey() {
    let mut violated = 0;
    for seed in 0..100 {
        let s = Scenario {
            m: Some(1),
            traitor: Some((1 + seed as usize % 2, OmTraitor::RelayOpposite)),
            orders: vec![json!("attack")],
            ..Scenario::new(3, seed)
        };
        let v = s.run()[0];
        assert!(v.ic1, "one loyal lieutenant agrees with itself");
        violated += usize::from(!v.ic2);
    }
    eprintln!("IC2 violated in {violated} of 100 runs");
    assert_eq!(
        violated, 100,
        "OM(1) with 3 generals: the loyal lieutenant hears attack and retreat, and retreats"
    );
}

#[test]
fn the_trust_commander_bug_is_caught() {
    let mut found = 0;
    for seed in 0..100 {
        let s = Scenario {
            traitor: Some((0, OmTraitor::SplitOrders)),
            bugs: OmBugs {
                trust_commander: true,
            },
            ..Scenario::new(4, seed)
        };
        let verdicts = s.run();
        assert!(
            verdicts.iter().all(|v| v.ic2),
            "IC2 says nothing of a traitor commander"
        );
        found += usize::from(verdicts.iter().any(|v| !v.ic1));
    }
    eprintln!("trust-commander: IC1 violated in {found} of 100 runs");
    assert_eq!(found, 100, "loyal lieutenants follow split orders apart");
}

#[test]
fn lieutenants_asked_about_an_order_that_never_comes_decide_the_default() {
    // A silent commander: the order is given, but no lieutenant hears it. Asking them
    // starts their clocks, so they still terminate, and agree on the default.
    let opts = SimOptions {
        nodes: 4,
        ..SimOptions::default()
    };
    let make = |i: usize| -> Box<dyn nodes::Protocol> {
        Box::new(Om::new(OmOptions {
            traitor: (i == 0).then_some(OmTraitor::Silent),
            ..OmOptions::default()
        }))
    };
    let mut c = Cluster {
        sim: Sim::new(opts, make),
        next_id: 1,
    };
    let order = json!({"type": "order", "instance": 7, "value": "attack"});
    assert_eq!(
        c.ask(&[(0, order)], 30)[0].as_ref().unwrap().kind(),
        "order_ok"
    );
    let first = c.decisions(&json!(7));
    assert_eq!(first[1..], [None, None, None], "nothing heard yet");
    c.sim.run_for_ms(300);
    let d = c.decisions(&json!(7));
    assert_eq!(d[1..], vec![Some(json!("retreat")); 3], "{d:?}");
}
