//! The figures of one run, from its history alone: throughput and latency quantiles of the
//! main phase, healthy and under faults.
//!
//! The main phase runs from the first client invocation for the run's time limit (the
//! generator stops invoking then; the history may end sooner if the run was stopped). The
//! final phase, after the heal and the recovery pause, begins only once every op of the
//! main phase has completed, so nothing of it falls before the limit.
//!
//! - Throughput: the `ok` completions inside the main phase, per second of it.
//! - Latency: from invocation to `ok` completion, for every op invoked in the main phase
//!   (also when it completes just after the limit); `fail` and `info` ops have none.
//! - Healthy and under faults: the same latencies split by whether the op's invocation fell
//!   inside a fault window (see [`crate::faults`]).

use super::quantiles::Quantiles;
use crate::faults::{self, Covered};
use history::{Op, OpType, Process};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What one run measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunFigures {
    /// `ok` ops completed inside the main phase.
    pub ok_ops: u64,
    /// The length of the main phase, in seconds.
    pub main_phase_s: f64,
    /// `ok` ops per second of the main phase.
    pub throughput: f64,
    /// The latencies of every `ok` op invoked in the main phase.
    pub latency_ms: Option<Quantiles>,
    /// Of those invoked outside every fault window.
    pub healthy_ms: Option<Quantiles>,
    /// Of those invoked inside a fault window.
    pub faulted_ms: Option<Quantiles>,
    /// `ok` ops invoked inside a fault window.
    pub faulted_ops: u64,
    /// Seconds of the main phase under faults.
    pub fault_s: f64,
}

/// The main phase: from the first client invocation for `time_limit_ns` (or to the last
/// client op, if that comes sooner or there is no limit). None without client ops.
pub fn main_phase(ops: &[Op], time_limit_ns: Option<u64>) -> Option<(u64, u64)> {
    let clients = || ops.iter().filter(|o| o.is_client());
    let start = clients().find(|o| o.kind == OpType::Invoke)?.time_ns;
    let last = clients()
        .map(|o| o.time_ns)
        .max()
        .unwrap_or(start)
        .max(start);
    let end = match time_limit_ns {
        Some(limit) => last.min(start.saturating_add(limit)),
        None => last,
    };
    Some((start, end))
}

/// Measure a history (ops in history order). `time_limit_ns` is the run's main phase
/// limit; without it, the whole history counts as the main phase.
pub fn measure(ops: &[Op], time_limit_ns: Option<u64>) -> RunFigures {
    let covered = Covered::of(&faults::of_history(ops));
    let Some((start, end)) = main_phase(ops, time_limit_ns) else {
        return RunFigures {
            ok_ops: 0,
            main_phase_s: 0.0,
            throughput: 0.0,
            latency_ms: None,
            healthy_ms: None,
            faulted_ms: None,
            faulted_ops: 0,
            fault_s: 0.0,
        };
    };
    let mut pending: HashMap<Process, u64> = HashMap::new();
    let (mut all, mut healthy, mut faulted) = (Vec::new(), Vec::new(), Vec::new());
    let mut ok_ops = 0;
    for op in ops.iter().filter(|o| o.is_client()) {
        if op.kind == OpType::Invoke {
            pending.insert(op.process, op.time_ns);
            continue;
        }
        let invoked = pending.remove(&op.process);
        if op.kind != OpType::Ok {
            continue;
        }
        if (start..=end).contains(&op.time_ns) {
            ok_ops += 1;
        }
        let Some(invoked) = invoked.filter(|t| (start..=end).contains(t)) else {
            continue;
        };
        let latency = op.time_ns.saturating_sub(invoked);
        all.push(latency);
        if covered.contains(invoked) {
            faulted.push(latency);
        } else {
            healthy.push(latency);
        }
    }
    let span_s = (end - start) as f64 / 1e9;
    RunFigures {
        ok_ops,
        main_phase_s: span_s,
        throughput: if span_s > 0.0 {
            ok_ops as f64 / span_s
        } else {
            0.0
        },
        latency_ms: Quantiles::of_ns(&mut all),
        healthy_ms: Quantiles::of_ns(&mut healthy),
        faulted_ms: Quantiles::of_ns(&mut faulted),
        faulted_ops: faulted.len() as u64,
        fault_s: covered.overlap_ns(start, end) as f64 / 1e9,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const MS: u64 = 1_000_000;

    fn op(p: u64, kind: OpType, t_ms: u64) -> Op {
        Op::client(p, kind, "read", json!(null)).with_time_ns(t_ms * MS)
    }

    fn nem(f: &str, t_ms: u64, value: serde_json::Value) -> Op {
        let mut o = op(0, OpType::Info, t_ms);
        o.f = f.into();
        o.value = value;
        o.process = Process::Nemesis;
        o
    }

    /// Two workers over a 1 s main phase starting at 100 ms, a partition from 500 ms until
    /// its heal completed at 700 ms, and a final read at 1300 ms.
    fn history() -> Vec<Op> {
        let mut ops = Vec::new();
        // Worker 0: ops of 10 ms every 100 ms from 100 ms; worker 1: of 20 ms, from 150 ms.
        for i in 0..10 {
            ops.push(op(0, OpType::Invoke, 100 + i * 100));
            ops.push(op(0, OpType::Ok, 110 + i * 100));
            ops.push(op(1, OpType::Invoke, 150 + i * 100));
            let kind = if i == 3 { OpType::Fail } else { OpType::Ok };
            ops.push(op(1, kind, 170 + i * 100));
        }
        // Invoked before the limit (1100 ms), completed after it.
        ops.push(op(0, OpType::Invoke, 1090));
        ops.push(op(0, OpType::Ok, 1140));
        let part = json!({"fault": "partition", "grudge": {"n1": ["n2"], "n2": ["n1"]}});
        ops.push(nem("start-partition", 500, part.clone()));
        ops.push(nem("start-partition", 501, json!({"applied": part})));
        ops.push(nem("stop-partition", 695, json!(null)));
        ops.push(nem("stop-partition", 700, json!({"healed": part})));
        ops.push(op(2, OpType::Invoke, 1300));
        ops.push(op(2, OpType::Ok, 1301));
        ops.sort_by_key(|o| o.time_ns);
        ops
    }

    #[test]
    fn throughput_counts_ok_ops_inside_the_main_phase() {
        let ops = history();
        assert_eq!(
            main_phase(&ops, Some(1000 * MS)),
            Some((100 * MS, 1100 * MS))
        );
        let f = measure(&ops, Some(1000 * MS));
        // 10 + 9 ok completions by 1100 ms (the 1090 ms op completes after; the final read
        // is not of the main phase).
        assert_eq!(f.ok_ops, 19);
        assert_eq!(f.main_phase_s, 1.0);
        assert_eq!(f.throughput, 19.0);
        assert_eq!(f.fault_s, 0.2);
    }

    #[test]
    fn latencies_are_of_ok_ops_invoked_in_the_main_phase() {
        let f = measure(&history(), Some(1000 * MS));
        let q = f.latency_ms.unwrap();
        // 10 ops of 10 ms, 9 of 20 ms and one of 50 ms: 20 in all.
        assert_eq!(q.values(), [10.0, 20.0, 50.0, 50.0, 50.0]);
        // Invoked inside [500, 700): worker 0 at 500, 600; worker 1 at 550, 650 (worker 0's
        // op at 700 ms began as the heal completed).
        assert_eq!(f.faulted_ops, 4);
        assert_eq!(
            f.faulted_ms.unwrap().values(),
            [10.0, 20.0, 20.0, 20.0, 20.0]
        );
        assert_eq!(f.healthy_ms.unwrap().max, 50.0);
        // 8 of 10 ms, 7 of 20 ms and the one of 50 ms.
        assert_eq!(f.healthy_ms.unwrap().p50, 10.0);
        assert_eq!(f.healthy_ms.unwrap().p90, 20.0);
    }

    #[test]
    fn without_a_limit_the_whole_history_counts() {
        let f = measure(&history(), None);
        assert_eq!(f.ok_ops, 21);
        assert_eq!(f.main_phase_s, 1.201);
        assert_eq!(f.latency_ms.unwrap().p50, 10.0);
        // A stopped run: the history ends before the limit.
        let short: Vec<Op> = history().into_iter().take(8).collect();
        let f = measure(&short, Some(1000 * MS));
        assert_eq!((f.ok_ops, f.main_phase_s), (4, 0.17));
        assert!(f.faulted_ms.is_none());
        let empty = measure(&[nem("start-kill", 1, json!({"fault": "kill"}))], Some(MS));
        assert_eq!((empty.ok_ops, empty.throughput), (0, 0.0));
        assert!(empty.latency_ms.is_none());
    }
}
