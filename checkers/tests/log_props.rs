//! The log checker on random histories of a correct keyed log: concurrent producers and
//! consumers, each op taking effect at one moment between its invocation and its
//! completion, unsure ops (after which a worker goes on as a new process, a consumer
//! starting anywhere), failed ones, polls that return part of what follows the position,
//! and a final read of every key. Every such history is valid; the same history with one
//! anomaly planted (a value dropped, duplicated, two values swapped, offsets skipped or
//! reordered, a producer's offsets swapped, a value from nowhere) is always caught with
//! that anomaly's kind.

use checkers::log::LogChecker;
use checkers::Checker;
use history::rng::Rng;
use history::{Dialect, History, Key, Op, OpType, Validity, Value};
use serde_json::{json, Map};
use std::collections::BTreeMap;

const SEEDS: u64 = 200;
const KEYS: u64 = 3;
const WORKERS: u64 = 5;
const STEPS: usize = 400;

/// What an op in flight will do.
enum Fate {
    /// It takes effect and completes ok.
    Ok,
    /// It takes effect, and completes unsure.
    InfoDone,
    /// It never takes effect, and completes unsure.
    InfoLost,
    /// It never takes effect, and fails.
    Fail,
}

struct Flight {
    f: &'static str,
    key: Option<i64>,
    value: Value,
    fate: Fate,
    /// The completion value, once the effect was taken.
    result: Option<Value>,
}

struct Sim {
    rng: Rng,
    ops: Vec<Op>,
    logs: Vec<Vec<i64>>,
    next_value: i64,
    /// Per process, the next offset to read of each key.
    positions: BTreeMap<u64, Vec<usize>>,
}

impl Sim {
    fn fate(&mut self) -> Fate {
        match self.rng.below(20) {
            0 => Fate::InfoDone,
            1 => Fate::InfoLost,
            2 => Fate::Fail,
            _ => Fate::Ok,
        }
    }

    fn invoke(&mut self, process: u64) -> Flight {
        let fate = self.fate();
        let flight = if self.rng.chance(0.5) {
            self.next_value += 1;
            let key = self.rng.below(KEYS) as i64;
            Flight {
                f: "send",
                key: Some(key),
                value: json!(self.next_value),
                fate,
                result: None,
            }
        } else {
            Flight {
                f: "poll",
                key: None,
                value: Value::Null,
                fate,
                result: None,
            }
        };
        self.record(process, OpType::Invoke, &flight, flight.value.clone());
        flight
    }

    fn record(&mut self, process: u64, kind: OpType, f: &Flight, value: Value) {
        let mut op = Op::client(process, kind, f.f, value);
        op.key = f.key.map(Key::Int);
        self.ops.push(op);
    }

    /// The op takes effect now.
    fn apply(&mut self, process: u64, f: &mut Flight) {
        if matches!(f.fate, Fate::InfoLost | Fate::Fail) {
            f.result = Some(f.value.clone());
            return;
        }
        if f.f == "send" {
            let k = f.key.unwrap() as usize;
            let v = f.value.as_i64().unwrap();
            self.logs[k].push(v);
            f.result = Some(json!([self.logs[k].len() - 1, v]));
            return;
        }
        // A new consumer starts anywhere in each log.
        if !self.positions.contains_key(&process) {
            let starts = (0..KEYS as usize)
                .map(|k| self.rng.below(self.logs[k].len() as u64 + 1) as usize)
                .collect();
            self.positions.insert(process, starts);
        }
        let mut out = Map::new();
        for k in 0..KEYS as usize {
            let at = self.positions[&process][k];
            let page = 1 + self.rng.below(4) as usize;
            let pairs: Vec<Value> = self.logs[k]
                .iter()
                .enumerate()
                .skip(at)
                .take(page)
                .map(|(o, v)| json!([o, v]))
                .collect();
            if !pairs.is_empty() {
                // The consumer moves only once it has the answer, and only if ok.
                if matches!(f.fate, Fate::Ok) {
                    self.positions.get_mut(&process).unwrap()[k] = at + pairs.len();
                }
                out.insert(k.to_string(), Value::Array(pairs));
            }
        }
        f.result = Some(Value::Object(out));
    }

    fn complete(&mut self, process: u64, f: Flight) -> bool {
        let result = f.result.clone().unwrap();
        let (kind, value) = match f.fate {
            Fate::Ok => (OpType::Ok, result),
            Fate::Fail => (OpType::Fail, f.value.clone()),
            _ => (OpType::Info, f.value.clone()),
        };
        self.record(process, kind, &f, value);
        kind == OpType::Info
    }
}

/// A history of a correct log.
fn correct(seed: u64) -> Vec<Op> {
    let mut sim = Sim {
        rng: Rng::new(seed),
        ops: Vec::new(),
        logs: vec![Vec::new(); KEYS as usize],
        next_value: 0,
        positions: BTreeMap::new(),
    };
    let mut slots: Vec<(u64, Option<Flight>)> = (0..WORKERS).map(|w| (w, None)).collect();
    for _ in 0..STEPS {
        let w = sim.rng.below(WORKERS) as usize;
        let (process, flight) = &mut slots[w];
        match flight.take() {
            None => *flight = Some(sim.invoke(*process)),
            Some(mut f) if f.result.is_none() => {
                sim.apply(*process, &mut f);
                *flight = Some(f);
            }
            Some(f) => {
                if sim.complete(*process, f) {
                    *process += WORKERS;
                }
            }
        }
    }
    // Whatever is still in flight ends unsure, having taken effect or not.
    for (process, flight) in &mut slots {
        if let Some(mut f) = flight.take() {
            if f.result.is_none() {
                f.result = Some(f.value.clone());
            }
            f.fate = Fate::InfoLost;
            sim.complete(*process, f);
        }
    }
    for k in 0..KEYS as i64 {
        let pairs: Vec<Value> = sim.logs[k as usize]
            .iter()
            .enumerate()
            .map(|(o, v)| json!([o, v]))
            .collect();
        let p = 1_000 + k as u64;
        sim.ops.push(
            Op::client(p, OpType::Invoke, "poll", json!({"final": true})).with_key(Key::Int(k)),
        );
        sim.ops.push(
            Op::client(p, OpType::Ok, "poll", json!({k.to_string(): pairs})).with_key(Key::Int(k)),
        );
    }
    sim.ops
}

fn check(ops: Vec<Op>) -> history::Verdict {
    LogChecker.check(&History::from_ops(ops, Dialect::Schism).unwrap())
}

fn kinds(v: &history::Verdict) -> Vec<String> {
    v.anomalies.iter().map(|a| a.kind.to_string()).collect()
}

#[test]
fn correct_logs_are_always_valid() {
    let mut info = 0;
    for seed in 0..SEEDS {
        let ops = correct(seed);
        info += ops.iter().filter(|o| o.kind == OpType::Info).count();
        let v = check(ops);
        assert_eq!(v.validity, Validity::Valid, "seed {seed}: {v:?}");
        assert!(v.stats["ok_polls"].as_u64().unwrap() > 20, "seed {seed}");
    }
    assert!(info > SEEDS as usize, "unsure ops are exercised: {info}");
}

/// The pairs of a poll completion (`{key: pairs}`), mutably.
fn pairs_mut<'a>(op: &'a mut Op, key: &str) -> Option<&'a mut Vec<Value>> {
    op.value.get_mut(key)?.as_array_mut()
}

fn is_poll_ok(op: &Op) -> bool {
    op.f == "poll" && op.kind == OpType::Ok
}

fn is_final(op: &Op) -> bool {
    is_poll_ok(op) && op.key.is_some()
}

/// Indexes of ok main-phase polls returning at least `n` pairs of `key`.
fn polls_with(ops: &[Op], key: &str, n: usize) -> Vec<usize> {
    (0..ops.len())
        .filter(|&i| is_poll_ok(&ops[i]) && !is_final(&ops[i]))
        .filter(|&i| {
            ops[i]
                .value
                .get(key)
                .and_then(Value::as_array)
                .is_some_and(|p| p.len() >= n)
        })
        .collect()
}

fn final_of(ops: &[Op], key: &str) -> usize {
    (0..ops.len())
        .find(|&i| is_final(&ops[i]) && ops[i].value.get(key).is_some())
        .unwrap()
}

/// A random one of `items` (None: there are none).
fn pick<'a, T>(items: &'a [T], rng: &mut Rng) -> Option<&'a T> {
    items.get(rng.below(items.len().max(1) as u64) as usize)
}

type Plant = fn(&mut [Op], &mut Rng) -> bool;

/// Every acknowledged value of a key dropped from every read: lost.
fn drop_acked(ops: &mut [Op], rng: &mut Rng) -> bool {
    let acked: Vec<(String, Value)> = ops
        .iter()
        .filter(|o| o.f == "send" && o.kind == OpType::Ok)
        .map(|o| (o.key.as_ref().unwrap().to_string(), o.value[1].clone()))
        .collect();
    let Some((key, v)) = pick(&acked, rng).cloned() else {
        return false;
    };
    for op in ops.iter_mut().filter(|o| is_poll_ok(o)) {
        if let Some(pairs) = pairs_mut(op, &key) {
            pairs.retain(|p| p[1] != v);
        }
    }
    true
}

fn random_key(rng: &mut Rng) -> String {
    rng.below(KEYS).to_string()
}

/// The final read holds its first value once more, at a new offset.
fn duplicate(ops: &mut [Op], rng: &mut Rng) -> bool {
    let key = random_key(rng);
    let f = final_of(ops, &key);
    let pairs = pairs_mut(&mut ops[f], &key).unwrap();
    let Some(first) = pairs.first().cloned() else {
        return false;
    };
    let end = pairs.len();
    pairs.push(json!([end, first[1]]));
    true
}

/// Two values of the final read swap offsets, one of them acknowledged at its own (so
/// the swap contradicts a send).
fn swap(ops: &mut [Op], rng: &mut Rng) -> bool {
    let key = random_key(rng);
    let acked: Vec<Value> = ops
        .iter()
        .filter(|o| o.f == "send" && o.kind == OpType::Ok)
        .filter(|o| o.key.as_ref().is_some_and(|k| k.to_string() == key))
        .map(|o| o.value[1].clone())
        .collect();
    let f = final_of(ops, &key);
    let pairs = pairs_mut(&mut ops[f], &key).unwrap();
    let at: Vec<usize> = (0..pairs.len().saturating_sub(1))
        .filter(|&i| acked.contains(&pairs[i][1]))
        .collect();
    let Some(&i) = pick(&at, rng) else {
        return false;
    };
    let (a, b) = (pairs[i][1].clone(), pairs[i + 1][1].clone());
    pairs[i][1] = b;
    pairs[i + 1][1] = a;
    true
}

/// A random ok main-phase poll returning at least `n` pairs of a random key: its index
/// and the key.
fn some_poll(ops: &[Op], rng: &mut Rng, n: usize) -> Option<(usize, String)> {
    let key = random_key(rng);
    let p = *pick(&polls_with(ops, &key, n), rng)?;
    Some((p, key))
}

/// A poll leaves out a value between two it returns.
fn skip_within(ops: &mut [Op], rng: &mut Rng) -> bool {
    let Some((p, key)) = some_poll(ops, rng, 3) else {
        return false;
    };
    pairs_mut(&mut ops[p], &key).unwrap().remove(1);
    true
}

/// A consumer's next poll leaves out the first value it should have returned.
fn skip_between(ops: &mut [Op], rng: &mut Rng) -> bool {
    let key = random_key(rng);
    let mut candidates = Vec::new();
    let mut last: BTreeMap<history::Process, usize> = BTreeMap::new();
    for i in polls_with(ops, &key, 1) {
        if last.contains_key(&ops[i].process) && ops[i].value[&key].as_array().unwrap().len() >= 2 {
            candidates.push(i);
        }
        last.insert(ops[i].process, i);
    }
    let Some(&p) = pick(&candidates, rng) else {
        return false;
    };
    pairs_mut(&mut ops[p], &key).unwrap().remove(0);
    true
}

/// A poll returns two values out of order.
fn reorder(ops: &mut [Op], rng: &mut Rng) -> bool {
    let Some((p, key)) = some_poll(ops, rng, 2) else {
        return false;
    };
    pairs_mut(&mut ops[p], &key).unwrap().swap(0, 1);
    true
}

/// A producer's two acknowledged sends to a key trade offsets.
fn swap_send_offsets(ops: &mut [Op], rng: &mut Rng) -> bool {
    let mut by: BTreeMap<(history::Process, String), Vec<usize>> = BTreeMap::new();
    for (i, o) in ops.iter().enumerate() {
        if o.f == "send" && o.kind == OpType::Ok {
            by.entry((o.process, o.key.as_ref().unwrap().to_string()))
                .or_default()
                .push(i);
        }
    }
    let pairs: Vec<&Vec<usize>> = by.values().filter(|v| v.len() >= 2).collect();
    let Some(sends) = pick(&pairs, rng) else {
        return false;
    };
    let (a, b) = (sends[0], sends[1]);
    let (oa, ob) = (ops[a].value[0].clone(), ops[b].value[0].clone());
    ops[a].value[0] = ob;
    ops[b].value[0] = oa;
    true
}

/// The final read returns a value no one sent.
fn phantom(ops: &mut [Op], rng: &mut Rng) -> bool {
    let key = random_key(rng);
    let f = final_of(ops, &key);
    let pairs = pairs_mut(&mut ops[f], &key).unwrap();
    let end = pairs.len();
    pairs.push(json!([end, -1]));
    true
}

/// The final read returns the value of a send that failed.
fn failed_read(ops: &mut [Op], rng: &mut Rng) -> bool {
    let failed: Vec<(String, Value)> = ops
        .iter()
        .filter(|o| o.f == "send" && o.kind == OpType::Fail)
        .map(|o| (o.key.as_ref().unwrap().to_string(), o.value.clone()))
        .collect();
    let Some((key, v)) = pick(&failed, rng).cloned() else {
        return false;
    };
    let f = final_of(ops, &key);
    let pairs = pairs_mut(&mut ops[f], &key).unwrap();
    let end = pairs.len();
    pairs.push(json!([end, v]));
    true
}

#[test]
fn planted_anomalies_are_always_caught_with_their_kind() {
    let plants: [(&str, Plant, &str); 9] = [
        ("drop an acknowledged value", drop_acked, "lost-write"),
        ("duplicate a value", duplicate, "duplicate"),
        ("swap two values", swap, "inconsistent-offsets"),
        ("skip within a poll", skip_within, "poll-skip"),
        ("skip between polls", skip_between, "poll-skip"),
        ("reorder a poll", reorder, "nonmonotonic-poll"),
        (
            "swap a producer's offsets",
            swap_send_offsets,
            "nonmonotonic-send",
        ),
        ("a value from nowhere", phantom, "unexpected"),
        ("a failed send read", failed_read, "unexpected"),
    ];
    for (name, plant, kind) in plants {
        let mut planted = 0;
        for seed in 0..SEEDS {
            let mut ops = correct(seed);
            let mut rng = Rng::new(seed ^ 0x5eed);
            if !plant(&mut ops, &mut rng) {
                continue;
            }
            planted += 1;
            let v = check(ops);
            assert_eq!(v.validity, Validity::Invalid, "{name}, seed {seed}: {v:?}");
            assert!(
                kinds(&v).iter().any(|k| k == kind),
                "{name}, seed {seed}: {:?}",
                kinds(&v)
            );
            let a = v.anomalies.iter().find(|a| a.kind == kind).unwrap();
            assert!(a.key.is_some() && !a.ops.is_empty(), "{name}: {a:?}");
        }
        assert!(planted > SEEDS / 2, "{name}: planted only {planted} times");
    }
}
