//! The bank checker on random histories of a correct bank: concurrent processes, each op
//! taking effect at one moment between its invocation and its completion (transfers that
//! would overdraw fail, indeterminate ones happen or not), are always valid; the same
//! history with one read's balances bent is always caught, with the kind that bend makes.

use checkers::bank::BankChecker;
use checkers::Checker;
use history::rng::Rng;
use history::{Dialect, History, Op, OpType, Validity};
use serde_json::{json, Map, Value};

const SEEDS: u64 = 300;
const ACCOUNTS: u64 = 5;
const BALANCE: i64 = 10;

/// One op in flight: invoked, its effect taken (or not yet), its completion to come.
struct Pending {
    f: &'static str,
    invoke: Value,
    /// The completion's kind and value, once the effect was taken.
    done: Option<(OpType, Value)>,
}

fn balances(b: &[i64]) -> Value {
    let m: Map<String, Value> = b
        .iter()
        .enumerate()
        .map(|(a, v)| (a.to_string(), json!(v)))
        .collect();
    Value::Object(m)
}

/// A history of a correct bank, and the indexes of its ok read completions.
fn correct(seed: u64) -> (Vec<Op>, Vec<usize>) {
    let mut rng = Rng::new(seed);
    let mut bank = vec![BALANCE; ACCOUNTS as usize];
    let opening = balances(&bank);
    let mut ops = vec![
        Op::client(0, OpType::Invoke, "open", opening.clone()),
        Op::client(0, OpType::Ok, "open", opening),
    ];
    let mut reads = Vec::new();
    let mut pending: Vec<Option<Pending>> = (0..4).map(|_| None).collect();
    for _ in 0..200 {
        let p = rng.below(pending.len() as u64) as usize;
        match pending[p].take() {
            None => {
                let (f, invoke) = if rng.chance(0.3) {
                    ("read", Value::Null)
                } else {
                    let from = rng.below(ACCOUNTS);
                    let to = (from + 1 + rng.below(ACCOUNTS - 1)) % ACCOUNTS;
                    let amount = 1 + rng.below(6);
                    (
                        "transfer",
                        json!({"from": from, "to": to, "amount": amount}),
                    )
                };
                ops.push(Op::client(p as u64, OpType::Invoke, f, invoke.clone()));
                pending[p] = Some(Pending {
                    f,
                    invoke,
                    done: None,
                });
            }
            // The effect, at a moment of its own.
            Some(mut op) if op.done.is_none() => {
                op.done = Some(if op.f == "read" {
                    (OpType::Ok, balances(&bank))
                } else {
                    let v = &op.invoke;
                    let (from, to) = (
                        v["from"].as_u64().unwrap() as usize,
                        v["to"].as_u64().unwrap() as usize,
                    );
                    let amount = v["amount"].as_i64().unwrap();
                    if bank[from] < amount {
                        (OpType::Fail, v.clone())
                    } else if rng.chance(0.1) {
                        // Indeterminate: it happened or it did not.
                        if rng.chance(0.5) {
                            bank[from] -= amount;
                            bank[to] += amount;
                        }
                        (OpType::Info, v.clone())
                    } else {
                        bank[from] -= amount;
                        bank[to] += amount;
                        (OpType::Ok, v.clone())
                    }
                });
                pending[p] = Some(op);
            }
            Some(op) => {
                let (kind, value) = op.done.unwrap();
                if op.f == "read" {
                    reads.push(ops.len());
                }
                ops.push(Op::client(p as u64, kind, op.f, value));
            }
        }
    }
    (ops, reads)
}

fn check(ops: Vec<Op>) -> history::Verdict {
    let h = History::from_ops(ops, Dialect::Schism).unwrap();
    BankChecker::default().check(&h)
}

#[test]
fn a_correct_banks_histories_are_valid() {
    let mut reads = 0;
    for seed in 0..SEEDS {
        let (ops, r) = correct(seed);
        reads += r.len();
        let v = check(ops);
        assert_eq!(
            v.validity,
            Validity::Valid,
            "seed {seed}: {:?}",
            v.anomalies.first()
        );
    }
    assert!(reads > 1000, "reads were judged: {reads}");
}

#[test]
fn one_bent_read_is_always_caught_with_its_kind() {
    for seed in 0..SEEDS {
        let (ops, reads) = correct(seed);
        if reads.is_empty() {
            continue;
        }
        let mut rng = Rng::new(seed ^ 0xbad);
        let at = reads[rng.below(reads.len() as u64) as usize];
        let a = rng.below(ACCOUNTS).to_string();
        let b = ((a.parse::<u64>().unwrap() + 1) % ACCOUNTS).to_string();
        let (kind, bent) = match rng.below(3) {
            // Money from nowhere, or gone.
            0 => {
                let mut v = ops[at].value.clone();
                let (held, d) = (v[&a].as_i64().unwrap(), 1 + rng.below(3) as i64);
                // Gone where it leaves the balance at zero or more, else from nowhere.
                let bent = if rng.chance(0.5) && held >= d {
                    held - d
                } else {
                    held + d
                };
                v[&a] = json!(bent);
                ("wrong-total", v)
            }
            // Below zero, the total kept.
            1 => {
                let mut v = ops[at].value.clone();
                let held = v[&a].as_i64().unwrap();
                v[&a] = json!(-1);
                v[&b] = json!(v[&b].as_i64().unwrap() + held + 1);
                ("negative-balance", v)
            }
            // An account gone from the read.
            _ => {
                let mut v = ops[at].value.clone();
                v.as_object_mut().unwrap().remove(&a);
                ("missing-account", v)
            }
        };
        let mut ops = ops;
        ops[at].value = bent;
        let v = check(ops);
        assert_eq!(v.validity, Validity::Invalid, "seed {seed}");
        let kinds: Vec<&str> = v.anomalies.iter().map(|a| a.kind.as_str()).collect();
        assert_eq!(kinds, [kind], "seed {seed}");
    }
}
