//! Seeded synthetic register histories for benches and tests.
//!
//! Clients issue reads, writes and (optionally) CAS ops on one or more keys; every op takes
//! effect at a random point inside its interval, so the history is linearizable by
//! construction. An op may time out (`info`), and then took effect or not, at random.
//! With `stale_read`, one read is changed to return a value that a completed write had
//! already overwritten before the read began, with no write of that value that could come
//! in between: the history is then provably not linearizable.

use crate::history::{Dialect, History, HistoryBuilder};
use crate::op::{Key, Op, OpType, Value};
use crate::rng::Rng;
use serde_json::json;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthSpec {
    pub seed: u64,
    /// Concurrent clients (each one op at a time).
    pub clients: u32,
    /// Client operations (invocations) in all.
    pub ops: usize,
    /// Keys; 1 means an unkeyed single register.
    pub keys: u32,
    /// Writes draw values from `0..values`.
    pub values: u32,
    pub read_fraction: f64,
    pub cas_fraction: f64,
    /// Fraction of ops that time out (`info`); half of those took effect.
    pub info_fraction: f64,
    pub stale_read: bool,
    /// An op lasts between these many nanoseconds.
    pub latency_ns: (u64, u64),
    /// A client waits between these many nanoseconds before its next op.
    pub think_ns: (u64, u64),
}

impl Default for SynthSpec {
    fn default() -> Self {
        SynthSpec {
            seed: 0,
            clients: 5,
            ops: 1000,
            keys: 1,
            values: 5,
            read_fraction: 0.5,
            cas_fraction: 0.0,
            info_fraction: 0.0,
            stale_read: false,
            latency_ns: (100_000, 1_000_000),
            think_ns: (0, 100_000),
        }
    }
}

/// The read made stale, and why it cannot be linearized.
#[derive(Debug, Clone, PartialEq)]
pub struct StaleRead {
    /// History index of the read's completion.
    pub read_index: u64,
    pub value: i64,
    /// History index of the completion of the write that overwrote `value` before the read began.
    pub overwritten_by: u64,
}

/// A generated history.
#[derive(Debug, Clone)]
pub struct Synth {
    pub history: History,
    /// Set when `stale_read` was asked for and a read could be made stale.
    pub stale: Option<StaleRead>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Read,
    Write(i64),
    Cas(i64, i64),
}

#[derive(Debug, Clone)]
struct Planned {
    process: u64,
    key: u32,
    kind: Kind,
    start_ns: u64,
    end_ns: u64,
    lin_ns: u64,
    info: bool,
    effective: bool,
    /// A read's result, or whether a CAS succeeded.
    read: Option<i64>,
    cas_ok: bool,
}

/// Generate a history from a spec.
pub fn generate(spec: &SynthSpec) -> Synth {
    let mut rng = Rng::new(spec.seed);
    let mut plans = plan(spec, &mut rng);
    apply(&mut plans, spec.keys);
    let stale = if spec.stale_read {
        make_stale(&mut plans, spec, &mut rng)
    } else {
        None
    };
    let (history, index_of) = emit(&plans, spec.keys > 1);
    let stale = stale.map(|(r, v, w)| StaleRead {
        read_index: index_of[r].1,
        value: v,
        overwritten_by: index_of[w].1,
    });
    Synth { history, stale }
}

fn plan(spec: &SynthSpec, rng: &mut Rng) -> Vec<Planned> {
    let clients = spec.clients.max(1) as u64;
    let mut next_start: BinaryHeap<Reverse<(u64, u64)>> = (0..clients)
        .map(|c| Reverse((rng.between(spec.think_ns.0, spec.think_ns.1), c)))
        .collect();
    let mut process: Vec<u64> = (0..clients).collect();
    let mut plans = Vec::with_capacity(spec.ops);
    while plans.len() < spec.ops {
        let Some(Reverse((start_ns, c))) = next_start.pop() else {
            break;
        };
        let latency = rng.between(spec.latency_ns.0.max(2), spec.latency_ns.1.max(2));
        let end_ns = start_ns + latency;
        let lin_ns = start_ns + rng.between(1, latency - 1);
        let x = rng.unit();
        let values = spec.values.max(1) as u64;
        let kind = if x < spec.read_fraction {
            Kind::Read
        } else if x < spec.read_fraction + spec.cas_fraction {
            let from = rng.below(values) as i64;
            Kind::Cas(from, rng.below(values) as i64)
        } else {
            Kind::Write(rng.below(values) as i64)
        };
        let key = rng.below(spec.keys.max(1) as u64) as u32;
        // With a stale read wanted, value 0 is never written by an indeterminate op: such a
        // write could take effect at any later time, so no read of 0 could be proved stale.
        let writes_zero = matches!(kind, Kind::Write(0) | Kind::Cas(_, 0));
        let info = rng.chance(spec.info_fraction) && !(spec.stale_read && writes_zero);
        let effective = !info || rng.chance(0.5);
        plans.push(Planned {
            process: process[c as usize],
            key,
            kind,
            start_ns,
            end_ns,
            lin_ns,
            info,
            effective,
            read: None,
            cas_ok: false,
        });
        if info {
            // Jepsen's rule: after an indeterminate op the client continues as a new process.
            process[c as usize] += clients;
        }
        let think = rng.between(spec.think_ns.0, spec.think_ns.1);
        next_start.push(Reverse((end_ns + think, c)));
    }
    plans
}

/// Apply the effective ops at their linearization points to find reads and CAS outcomes.
fn apply(plans: &mut [Planned], keys: u32) {
    let mut order: Vec<usize> = (0..plans.len()).filter(|&i| plans[i].effective).collect();
    order.sort_by_key(|&i| plans[i].lin_ns);
    let mut state: Vec<Option<i64>> = vec![None; keys.max(1) as usize];
    for i in order {
        let p = &mut plans[i];
        let s = &mut state[p.key as usize];
        match p.kind {
            Kind::Read => p.read = *s,
            Kind::Write(v) => *s = Some(v),
            Kind::Cas(from, to) => {
                p.cas_ok = *s == Some(from);
                if p.cas_ok {
                    *s = Some(to);
                }
            }
        }
    }
}

/// The value an op may leave in the register, if any.
fn written(p: &Planned) -> Option<i64> {
    match p.kind {
        Kind::Write(v) => Some(v),
        Kind::Cas(_, to) if p.info || p.cas_ok => Some(to),
        _ => None,
    }
}

fn make_stale(
    plans: &mut [Planned],
    spec: &SynthSpec,
    rng: &mut Rng,
) -> Option<(usize, i64, usize)> {
    let reads: Vec<usize> = (0..plans.len())
        .filter(|&i| plans[i].kind == Kind::Read && !plans[i].info)
        .collect();
    if reads.is_empty() {
        return None;
    }
    let first = reads.len() / 2 + rng.below(reads.len().div_ceil(4) as u64) as usize;
    for r in reads.iter().cycle().skip(first).take(reads.len()).copied() {
        let (key, r_start, r_end) = (plans[r].key, plans[r].start_ns, plans[r].end_ns);
        // The last write that certainly completed before the read began.
        let Some(w) = (0..plans.len())
            .filter(|&i| plans[i].key == key && !plans[i].info && plans[i].end_ns < r_start)
            .filter(|&i| written(&plans[i]).is_some())
            .max_by_key(|&i| plans[i].end_ns)
        else {
            continue;
        };
        let current = written(&plans[w]);
        let w_start = plans[w].start_ns;
        // Value 0 first: with indeterminate ops around, it is the one that can be stale.
        for value in 0..spec.values as i64 {
            if Some(value) == current || plans[r].read == Some(value) {
                continue;
            }
            let mut earlier = false;
            let mut possible_later = false;
            for p in plans
                .iter()
                .filter(|p| p.key == key && written(p) == Some(value))
            {
                earlier |= !p.info && p.end_ns < w_start;
                let end = if p.info { u64::MAX } else { p.end_ns };
                possible_later |= p.start_ns < r_end && end > w_start;
            }
            if earlier && !possible_later {
                plans[r].read = Some(value);
                return Some((r, value, w));
            }
        }
    }
    None
}

fn emit(plans: &[Planned], keyed: bool) -> (History, Vec<(u64, u64)>) {
    // (time, completions before invocations at the same instant, plan, is completion)
    let mut events: Vec<(u64, u8, usize)> = Vec::with_capacity(plans.len() * 2);
    for (i, p) in plans.iter().enumerate() {
        events.push((p.start_ns, 1, i));
        events.push((p.end_ns, 0, i));
    }
    events.sort_unstable();
    let mut index_of = vec![(0u64, 0u64); plans.len()];
    let mut b = HistoryBuilder::with_capacity(Dialect::Schism, events.len());
    for (n, &(time_ns, order, i)) in events.iter().enumerate() {
        let p = &plans[i];
        let invoke_value = match p.kind {
            Kind::Read => Value::Null,
            Kind::Write(v) => json!(v),
            Kind::Cas(from, to) => json!([from, to]),
        };
        let (f, kind, value) = match (p.kind, order == 1) {
            (Kind::Read, true) => ("read", OpType::Invoke, invoke_value),
            (Kind::Write(_), true) => ("write", OpType::Invoke, invoke_value),
            (Kind::Cas(..), true) => ("cas", OpType::Invoke, invoke_value),
            (k, false) if p.info => (name(k), OpType::Info, invoke_value),
            (Kind::Read, false) => ("read", OpType::Ok, json!(p.read)),
            (Kind::Write(_), false) => ("write", OpType::Ok, invoke_value),
            (Kind::Cas(..), false) if p.cas_ok => ("cas", OpType::Ok, invoke_value),
            (Kind::Cas(..), false) => ("cas", OpType::Fail, invoke_value),
        };
        let mut op = Op::client(p.process, kind, f, value).with_time_ns(time_ns);
        if keyed {
            op.key = Some(Key::Int(p.key as i64));
        }
        if kind == OpType::Info {
            op.error = Some(json!("timeout"));
        }
        if kind == OpType::Fail {
            op.error = Some(json!(crate::COMPARE_FAILED));
        }
        if order == 1 {
            index_of[i].0 = n as u64;
        } else {
            index_of[i].1 = n as u64;
        }
        b.push(op, n + 1)
            .expect("generated histories are well formed");
    }
    (b.finish(), index_of)
}

fn name(k: Kind) -> &'static str {
    match k {
        Kind::Read => "read",
        Kind::Write(_) => "write",
        Kind::Cas(..) => "cas",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_deterministic_per_seed() {
        let spec = SynthSpec {
            ops: 200,
            ..SynthSpec::default()
        };
        let a = generate(&spec).history;
        let b = generate(&spec).history;
        let c = generate(&SynthSpec { seed: 1, ..spec }).history;
        assert_eq!(a.ops(), b.ops());
        assert_ne!(a.ops(), c.ops());
        assert_eq!(a.client_pairs().count(), 200);
    }

    #[test]
    fn keeps_clients_concurrent_and_renames_processes_after_info() {
        let spec = SynthSpec {
            ops: 2000,
            clients: 10,
            info_fraction: 0.1,
            keys: 3,
            ..SynthSpec::default()
        };
        let h = generate(&spec).history;
        let mut open = 0i64;
        let mut max_open = 0;
        for op in h.ops() {
            open += if op.kind == OpType::Invoke { 1 } else { -1 };
            max_open = max_open.max(open);
        }
        assert_eq!(max_open, 10);
        let infos = h.ops().iter().filter(|o| o.kind == OpType::Info).count();
        assert!(infos > 100 && infos < 300, "{infos}");
        let processes: std::collections::HashSet<_> = h.ops().iter().map(|o| o.process).collect();
        assert!(processes.len() > 100);
        assert!(h.ops().iter().all(|o| o.key.is_some()));
    }

    #[test]
    fn a_stale_read_returns_an_overwritten_value() {
        let spec = SynthSpec {
            ops: 1000,
            stale_read: true,
            ..SynthSpec::default()
        };
        let s = generate(&spec);
        let stale = s.stale.expect("a read could be made stale");
        let ops = s.history.ops();
        let read = &ops[stale.read_index as usize];
        assert_eq!(read.f, "read");
        assert_eq!(read.value, json!(stale.value));
        let write = &ops[stale.overwritten_by as usize];
        let read_invoke = s.history.partner(stale.read_index as usize).unwrap();
        assert!(write.index < read_invoke as u64);
        assert_ne!(write.value, json!(stale.value));
    }
}
