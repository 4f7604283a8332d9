//! Transactions on Raft and Paxos in the deterministic simulator: Maelstrom's `txn` message
//! answered as specified; under message loss, partitions, crashes and restarts, concurrent
//! list-append transactions leave histories consistent with a serial order that respects
//! real time (checked directly, see `list_append`); and the `txn-early-read` bug of each
//! protocol is caught, both as transactions not serialized where they read and as reads
//! missing appends acknowledged before they were invoked.

mod list_append;

use history::{History, OpType};
use nodes::paxos::{Paxos, PaxosBugs};
use nodes::raft::{Raft, RaftBugs};
use nodes::sim::{ListAppendRun, Sim, SimOptions};
use nodes::Protocol;
use serde_json::{json, Value};

fn sim(seed: u64, nodes: usize, make: impl Fn() -> Box<dyn Protocol> + 'static) -> Sim {
    Sim::new(
        SimOptions {
            nodes,
            seed,
            loss: 0.05,
            latency_ms: (1, 15),
        },
        move |_| make(),
    )
}

fn raft(early: bool) -> impl Fn() -> Box<dyn Protocol> {
    move || {
        Box::new(Raft::with_bugs(RaftBugs {
            txn_early_read: early,
            ..RaftBugs::default()
        }))
    }
}

fn paxos(early: bool) -> impl Fn() -> Box<dyn Protocol> {
    move || {
        Box::new(Paxos::with_bugs(PaxosBugs {
            txn_early_read: early,
            ..PaxosBugs::default()
        }))
    }
}

/// The leader of a quiet cluster, once there is one.
fn leader(s: &mut Sim) -> usize {
    for _ in 0..50 {
        s.run_for_ms(100);
        if let [(i, _)] = s.leaders()[..] {
            return i;
        }
    }
    panic!("no single leader: {:?}", s.states());
}

/// The messages of the `txn` mode, on a fault-free cluster.
fn answers_transactions(make: impl Fn() -> Box<dyn Protocol> + 'static) {
    let mut s = sim(1, 3, make);
    let l = leader(&mut s);
    let follower = (l + 1) % 3;
    let txn = |ops: Value| json!({"type": "txn", "txn": ops});
    let r = s.ask(
        &[(
            l,
            txn(json!([["append", 1, 1], ["append", 1, 2], ["w", 2, 5]])),
        )],
        1,
        500,
    );
    assert_eq!(r[0].as_ref().map(|b| b.kind()), Some("txn_ok"), "{r:?}");
    let r = s.ask(
        &[(
            l,
            txn(json!([
                ["r", 1, null],
                ["append", 1, 3],
                ["w", 2, 6],
                ["r", 2, null],
                ["r", 9, null]
            ])),
        )],
        2,
        500,
    );
    let b = r[0].clone().expect("an answer");
    assert_eq!(
        b["txn"],
        json!([
            ["r", 1, [1, 2]],
            ["append", 1, 3],
            ["w", 2, 6],
            ["r", 2, 6],
            ["r", 9, null]
        ]),
        "{b:?}"
    );
    assert_eq!(b.kind(), "txn_ok");
    // A type clash: definite, nothing applied.
    let r = s.ask(
        &[(l, txn(json!([["append", 3, 1], ["append", 2, 7]])))],
        3,
        500,
    );
    assert_eq!(r[0].as_ref().map(|b| b["code"].clone()), Some(json!(12)));
    // Malformed: refused by any node, definite.
    let r = s.ask(&[(follower, txn(json!([["cas", 1, 2]])))], 4, 500);
    assert_eq!(r[0].as_ref().map(|b| b["code"].clone()), Some(json!(12)));
    // A follower refuses and names the leader.
    let r = s.ask(&[(follower, txn(json!([["r", 1, null]])))], 5, 500);
    let b = r[0].clone().expect("an answer");
    assert_eq!(b["code"], 11);
    let named = format!("the leader is {}", s.names()[l]);
    assert!(
        b["text"].as_str().is_some_and(|t| t.ends_with(&named)),
        "{b:?}"
    );
    let r = s.ask(&[(l, txn(json!([["r", 1, null], ["r", 3, null]])))], 6, 500);
    assert_eq!(
        r[0].as_ref().map(|b| b["txn"].clone()),
        Some(json!([["r", 1, [1, 2, 3]], ["r", 3, null]]))
    );
}

#[test]
fn raft_answers_transactions() {
    answers_transactions(raft(false));
}

#[test]
fn paxos_answers_transactions() {
    answers_transactions(paxos(false));
}

/// Two transactions reach the leader together, the first appending 1 to key 0, the second
/// appending 2 and reading the key: the log orders the first before the second, so the
/// second reads [1, 2]; with the bug it answers from the state it arrived at, before the
/// first was applied: [2], a state the key never had. Each key ends as [1, 2] either way.
fn early_read_exactly(make: impl Fn() -> Box<dyn Protocol> + 'static, early: bool) {
    let mut s = Sim::new(
        SimOptions {
            nodes: 3,
            seed: 3,
            loss: 0.0,
            latency_ms: (5, 5),
        },
        move |_| make(),
    );
    let l = leader(&mut s);
    let txn = |ops: Value| json!({"type": "txn", "txn": ops});
    let r = s.ask(
        &[
            (l, txn(json!([["append", 0, 1]]))),
            (l, txn(json!([["append", 0, 2], ["r", 0, null]]))),
        ],
        1,
        500,
    );
    let read = r[1].as_ref().map(|b| b["txn"][1][2].clone());
    assert_eq!(
        read,
        Some(if early { json!([2]) } else { json!([1, 2]) }),
        "{r:?}"
    );
    let r = s.ask(&[(l, txn(json!([["r", 0, null]])))], 3, 500);
    assert_eq!(
        r[0].as_ref().map(|b| b["txn"][0][2].clone()),
        Some(json!([1, 2]))
    );
}

#[test]
fn raft_txn_early_read_exactly() {
    early_read_exactly(raft(false), false);
    early_read_exactly(raft(true), true);
}

#[test]
fn paxos_txn_early_read_exactly() {
    early_read_exactly(paxos(false), false);
    early_read_exactly(paxos(true), true);
}

/// What the seeds show: ok transactions, histories with problems, with stale reads.
struct Tally {
    ok: usize,
    problems: Vec<(u64, String)>,
    stale: Vec<(u64, String)>,
}

fn tally(seeds: std::ops::Range<u64>, make: impl Fn(u64) -> Sim) -> Tally {
    let mut t = Tally {
        ok: 0,
        problems: Vec::new(),
        stale: Vec::new(),
    };
    for seed in seeds {
        let mut s = make(seed);
        let h: History = ListAppendRun::default().run(&mut s, seed);
        t.ok += h.ops().iter().filter(|o| o.kind == OpType::Ok).count();
        if let Some(p) = list_append::problems(&h).into_iter().next() {
            t.problems.push((seed, p));
        }
        if let Some(p) = list_append::stale_reads(&h).into_iter().next() {
            t.stale.push((seed, p));
        }
    }
    t
}

const SEEDS: u64 = 60;
const VALID_SEEDS: u64 = 100;

fn strict_serializable(name: &str, make: impl Fn(u64) -> Sim) {
    let t = tally(0..VALID_SEEDS, make);
    assert!(t.problems.is_empty(), "{name}: {:?}", t.problems.first());
    assert!(t.stale.is_empty(), "{name}: {:?}", t.stale.first());
    eprintln!("{name}: {} ok txns in {VALID_SEEDS} runs of 300", t.ok);
    assert!(
        t.ok > VALID_SEEDS as usize * 200,
        "{name} made progress: {} ok txns in {VALID_SEEDS} runs of 300",
        t.ok
    );
}

#[test]
fn raft_transactions_are_strict_serializable_under_faults() {
    strict_serializable("raft", |seed| {
        sim(seed, if seed % 4 == 0 { 5 } else { 3 }, raft(false))
    });
}

#[test]
fn paxos_transactions_are_strict_serializable_under_faults() {
    strict_serializable("paxos", |seed| {
        sim(seed, if seed % 4 == 0 { 5 } else { 3 }, paxos(false))
    });
}

fn early_reads_caught(name: &str, make: impl Fn(u64) -> Sim) {
    let t = tally(0..SEEDS, make);
    eprintln!(
        "{name} txn-early-read: not serialized where they read in {} of {SEEDS} runs, \
         stale in {}; e.g. {:?}; {:?}",
        t.problems.len(),
        t.stale.len(),
        t.problems.first(),
        t.stale.first()
    );
    assert!(
        t.problems.len() >= SEEDS as usize / 2,
        "{name}: anomalies in {} of {SEEDS} runs",
        t.problems.len()
    );
    assert!(!t.stale.is_empty(), "{name}: no stale read in {SEEDS} runs");
}

#[test]
fn the_raft_txn_early_read_bug_is_caught() {
    early_reads_caught("raft", |seed| sim(seed, 3, raft(true)));
}

#[test]
fn the_paxos_txn_early_read_bug_is_caught() {
    early_reads_caught("paxos", |seed| sim(seed, 3, paxos(true)));
}
