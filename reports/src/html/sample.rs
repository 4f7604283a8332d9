//! Which ops the latency chart draws. A run may hold millions of ops; the chart draws at
//! most a budget of points: every op an anomaly names, then every `info` and `fail`
//! while they leave a quarter of the budget to `ok` ops, evenly spaced samples otherwise
//! (each class keeps what it has when small, the large ones share the rest equally).

use super::timeline::{Done, Outcome};
use std::collections::HashSet;

/// Points drawn per class: 0 ok (with CAS that did not hold), 1 fail, 2 info (with ops
/// that never completed).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sample {
    /// Indices into the ops, in order.
    pub picked: Vec<usize>,
    pub drawn: [usize; 3],
    pub total: [usize; 3],
    /// Ops an anomaly names that were found in the history.
    pub named: usize,
}

/// A CAS whose comparison did not hold is an answer: sampled with the `ok` ops.
pub fn class(o: Outcome) -> usize {
    match o {
        Outcome::Ok | Outcome::CompareFailed => 0,
        Outcome::Fail => 1,
        Outcome::Info | Outcome::Open => 2,
    }
}

pub fn choose(ops: &[Done], named: &HashSet<u32>, budget: usize) -> Sample {
    let mut total = [0usize; 3];
    let mut named_n = 0;
    for o in ops {
        if named.contains(&o.line) {
            named_n += 1;
        } else {
            total[class(o.outcome)] += 1;
        }
    }
    let quota = quotas(total, budget.saturating_sub(named_n));
    let mut rank = [0usize; 3];
    let mut s = Sample {
        named: named_n,
        ..Sample::default()
    };
    for (i, o) in ops.iter().enumerate() {
        let c = class(o.outcome);
        let keep = if named.contains(&o.line) {
            true
        } else {
            let r = rank[c] as u128;
            rank[c] += 1;
            // Exactly quota[c] of total[c], evenly spaced.
            (r * quota[c] as u128) % (total[c] as u128) < quota[c] as u128
        };
        if keep {
            s.picked.push(i);
            s.drawn[c] += 1;
        }
        s.total[c] += 1;
    }
    s
}

/// How many of each class to draw.
fn quotas(total: [usize; 3], budget: usize) -> [usize; 3] {
    let [ok, fail, info] = total;
    if ok + fail + info <= budget {
        return total;
    }
    if fail + info <= budget * 3 / 4 {
        return [budget - fail - info, fail, info];
    }
    // Water-filling: small classes keep everything, large ones share the rest.
    let mut order = [0usize, 1, 2];
    order.sort_by_key(|&c| total[c]);
    let mut left = budget;
    let mut q = [0usize; 3];
    for (k, &c) in order.iter().enumerate() {
        q[c] = total[c].min(left / (3 - k));
        left -= q[c];
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(outcomes: &[(Outcome, usize)]) -> Vec<Done> {
        let mut v = Vec::new();
        for &(o, n) in outcomes {
            for _ in 0..n {
                let line = v.len() as u32 + 1;
                v.push(Done {
                    invoke_ns: line as u64,
                    complete_ns: line as u64 + 5,
                    line,
                    f: 0,
                    outcome: o,
                });
            }
        }
        v
    }

    #[test]
    fn small_histories_are_drawn_whole() {
        let o = ops(&[(Outcome::Ok, 50), (Outcome::Fail, 3)]);
        let s = choose(&o, &HashSet::new(), 100);
        assert_eq!(s.picked.len(), 53);
    }

    #[test]
    fn fails_infos_and_named_ops_are_kept_and_ok_sampled() {
        let o = ops(&[
            (Outcome::Ok, 100_000),
            (Outcome::Fail, 300),
            (Outcome::Info, 20),
        ]);
        let named: HashSet<u32> = [7, 99_999].into();
        let s = choose(&o, &named, 1000);
        assert_eq!(s.picked.len(), 1000);
        assert_eq!((s.drawn[1], s.drawn[2]), (300, 20));
        assert!(s.picked.contains(&6) && s.picked.contains(&99_998));
        assert_eq!(s.total, [100_000, 300, 20]);
    }

    #[test]
    fn too_many_fails_are_sampled_too() {
        let o = ops(&[
            (Outcome::Ok, 50_000),
            (Outcome::Fail, 40_000),
            (Outcome::Info, 10),
        ]);
        let s = choose(&o, &HashSet::new(), 1000);
        assert_eq!(s.picked.len(), 1000);
        assert_eq!(s.drawn[2], 10);
        assert_eq!(s.drawn[0], 495);
        assert_eq!(s.drawn[1], 495);
    }
}
