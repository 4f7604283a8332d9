//! What a list-append history (as `nodes::sim::ListAppendRun` records it) must satisfy if
//! the system is strict-serializable, checked directly, without a dependency graph:
//!
//! - reads hold only values some transaction not known failed appended, each once;
//! - for each key, every `ok` read is a prefix of the longest `ok` read (one order of
//!   appends per key);
//! - the history ends with an `ok` read of every key, and every value an `ok` transaction
//!   appended is in it;
//! - each `ok` transaction is atomic and in order on each key: a read equals the read
//!   before it plus the appends between (the first read ends with the appends before it),
//!   its last read plus its appends after is a prefix of the final list, and appends it
//!   did not read back sit together, in order, in the final list (no other append landed
//!   between them). A transaction whose read missed an append that landed before its own
//!   fails this: it read a state it was not serialized at (G-single);
//! - real time (see [`stale_reads`]).
//!
//! Necessary, not sufficient: an Elle-style checker finds cycles these miss.

use history::{History, OpType, Value};
use std::collections::{BTreeMap, BTreeSet};

/// An invocation with its completion.
pub struct Txn {
    pub invoke_ns: u64,
    pub complete_ns: u64,
    pub kind: OpType,
    /// The micro-ops as sent (not ok) or as answered (ok).
    pub ops: Vec<Value>,
}

/// Every transaction of the history; one never completed counts as `info`.
pub fn txns(h: &History) -> Vec<Txn> {
    h.client_pairs()
        .map(|(i, c)| {
            let inv = &h.ops()[i];
            let done = c.map(|c| &h.ops()[c]);
            Txn {
                invoke_ns: inv.time_ns,
                complete_ns: done.map_or(u64::MAX, |d| d.time_ns),
                kind: done.map_or(OpType::Info, |d| d.kind),
                ops: done
                    .unwrap_or(inv)
                    .value
                    .as_array()
                    .cloned()
                    .unwrap_or_default(),
            }
        })
        .collect()
}

type Key = String;

fn key(op: &Value) -> Key {
    op[1].to_string()
}

fn list(v: &Value) -> Vec<Value> {
    v.as_array().cloned().unwrap_or_default()
}

/// A list as JSON.
fn show(l: &[Value]) -> String {
    Value::Array(l.to_vec()).to_string()
}

fn starts(long: &[Value], short: &[Value]) -> bool {
    long.len() >= short.len() && long[..short.len()] == *short
}

/// The `ok` reads of the history: (transaction, key, list).
fn ok_reads(ts: &[Txn]) -> Vec<(usize, Key, Vec<Value>)> {
    ts.iter()
        .enumerate()
        .filter(|(_, t)| t.kind == OpType::Ok)
        .flat_map(|(i, t)| {
            t.ops
                .iter()
                .filter(|op| op[0] == "r")
                .map(move |op| (i, key(op), list(&op[2])))
        })
        .collect()
}

/// What is wrong with the history, one sentence per problem (empty: nothing found).
pub fn problems(h: &History) -> Vec<String> {
    let ts = txns(h);
    let mut out = Vec::new();
    // Who appended what.
    let mut appended: BTreeMap<(Key, String), OpType> = BTreeMap::new();
    for t in &ts {
        for op in t.ops.iter().filter(|op| op[0] == "append") {
            appended.insert((key(op), op[2].to_string()), t.kind);
        }
    }
    let reads = ok_reads(&ts);
    for (i, k, l) in &reads {
        let distinct: BTreeSet<String> = l.iter().map(Value::to_string).collect();
        if distinct.len() != l.len() {
            out.push(format!(
                "txn {i} read key {k} with a value twice: {}",
                show(l)
            ));
        }
        for v in l {
            match appended.get(&(k.clone(), v.to_string())) {
                None => out.push(format!("txn {i} read {v} in key {k}: nobody appended it")),
                Some(OpType::Fail) => out.push(format!(
                    "txn {i} read {v} in key {k}, appended by a failed txn"
                )),
                _ => {}
            }
        }
    }
    // One order of appends per key: the longest read, of which all others are prefixes.
    let mut longest: BTreeMap<Key, Vec<Value>> = BTreeMap::new();
    for (_, k, l) in &reads {
        let e = longest.entry(k.clone()).or_default();
        if l.len() > e.len() {
            *e = l.clone();
        }
    }
    for (i, k, l) in &reads {
        if !starts(&longest[k], l) {
            out.push(format!(
                "txn {i} read key {k} as {}, not a prefix of {}",
                show(l),
                show(&longest[k])
            ));
        }
    }
    // The final read: the history's last transaction, ok, reading every key.
    let Some(last) = ts.last().filter(|t| t.kind == OpType::Ok) else {
        out.push("the history does not end with an ok read".into());
        return out;
    };
    let fin: BTreeMap<Key, Vec<Value>> =
        last.ops.iter().map(|op| (key(op), list(&op[2]))).collect();
    for (i, t) in ts.iter().enumerate().filter(|(_, t)| t.kind == OpType::Ok) {
        for op in t.ops.iter().filter(|op| op[0] == "append") {
            if !fin.get(&key(op)).is_some_and(|l| l.contains(&op[2])) {
                out.push(format!(
                    "txn {i}'s append of {} to key {} is not in the final read",
                    op[2],
                    key(op)
                ));
            }
        }
        out.extend(atomic_in_order(i, t, &fin));
    }
    out
}

/// Whether an ok transaction's micro-ops on each key are those of one point in the final
/// order of that key (see the module docs).
fn atomic_in_order(i: usize, t: &Txn, fin: &BTreeMap<Key, Vec<Value>>) -> Vec<String> {
    let mut out = Vec::new();
    let mut by_key: BTreeMap<Key, Vec<&Value>> = BTreeMap::new();
    for op in &t.ops {
        by_key.entry(key(op)).or_default().push(op);
    }
    for (k, ops) in by_key {
        let fin = fin.get(&k).cloned().unwrap_or_default();
        // The key's state as this transaction saw it, once it has read it; the appends
        // before its first read.
        let mut state: Option<Vec<Value>> = None;
        let mut blind: Vec<Value> = Vec::new();
        for op in ops {
            if op[0] == "append" {
                match state.as_mut() {
                    Some(s) => s.push(op[2].clone()),
                    None => blind.push(op[2].clone()),
                }
                continue;
            }
            let read = list(&op[2]);
            let fits = match &state {
                Some(s) => *s == read,
                None => read.ends_with(&blind),
            };
            if !fits {
                out.push(format!(
                    "txn {i} read key {k} as {} after its own micro-ops left {} \
                     (appended before reading it: {})",
                    show(&read),
                    state.as_deref().map_or("nothing known".into(), show),
                    show(&blind)
                ));
            }
            state = Some(read);
        }
        match state {
            Some(s) if !starts(&fin, &s) => out.push(format!(
                "txn {i} left key {k} as {}, not a prefix of the final {}: it was \
                 not serialized where it read",
                show(&s),
                show(&fin)
            )),
            None if !blind.is_empty() && !fin.windows(blind.len()).any(|w| w == blind) => {
                out.push(format!(
                    "txn {i}'s appends {} to key {k} are not together in {}",
                    show(&blind),
                    show(&fin)
                ))
            }
            _ => {}
        }
    }
    out
}

/// Reads that miss an append of a transaction acknowledged (`ok`) before the reading
/// transaction was invoked: a strict-serializable system never serves them.
pub fn stale_reads(h: &History) -> Vec<String> {
    let ts = txns(h);
    // When each (key, value) was acknowledged.
    let mut acked: BTreeMap<Key, Vec<(u64, Value)>> = BTreeMap::new();
    for t in ts.iter().filter(|t| t.kind == OpType::Ok) {
        for op in t.ops.iter().filter(|op| op[0] == "append") {
            acked
                .entry(key(op))
                .or_default()
                .push((t.complete_ns, op[2].clone()));
        }
    }
    let mut out = Vec::new();
    for (i, t) in ts.iter().enumerate().filter(|(_, t)| t.kind == OpType::Ok) {
        for op in t.ops.iter().filter(|op| op[0] == "r") {
            let read = list(&op[2]);
            for (done, v) in acked.get(&key(op)).into_iter().flatten() {
                if *done < t.invoke_ns && !read.contains(v) {
                    out.push(format!(
                        "txn {i} (invoked at {} ms) read key {} as {}, missing {v}, \
                         acknowledged at {} ms",
                        t.invoke_ns / 1_000_000,
                        key(op),
                        show(&read),
                        done / 1_000_000
                    ));
                }
            }
        }
    }
    out
}
