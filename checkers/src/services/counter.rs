//! Counters (`g-counter`, `pn-counter`): `add` a delta (an integer; never negative for a
//! grow-only counter), `read` the total. Counters are eventually consistent, so only the
//! final reads are held to tight bounds.
//!
//! - A node's final read (see `common`) must lie within `[ok + negative info, ok +
//!   positive info]`: the sum of the acknowledged deltas, plus any subset of the
//!   indeterminate ones (those that completed `info` or never completed). Failed adds
//!   never happened and count for nothing.
//! - Any other read may have seen any subset of the adds invoked before it completed (it
//!   may lag behind, even behind its own node's acknowledged adds, and it may see an add
//!   still in flight), so it is only held to the loosest bounds: `[sum of the negative
//!   deltas, sum of the positive deltas]` over the non-failed adds invoked before the
//!   read completed. This catches garbage (a negative grow-only counter, a total larger
//!   than everything ever added), not staleness.
//!
//! A read outside its bounds is `out-of-bounds`. Unknown when no node answered a final
//! read, or some node did not (and nothing is invalid). An add whose delta is not an
//! integer (or is negative, for a grow-only counter), and an ok read that is not an
//! integer, are malformed ops: the history cannot be judged (`schism check` names the
//! line). Integers are read by `crate::values` (any width, summed in `i128`).

use super::common::{named, show, span, Read, Reads, Report};
use crate::values::{from_int, int};
use crate::Checker;
use history::{History, OpType, Verdict};
use serde_json::json;

/// The counter checker, for `g-counter` (`grow_only`) and `pn-counter`.
#[derive(Debug, Clone, Default)]
pub struct Counter {
    /// Every delta must be at least 0.
    pub grow_only: bool,
}

impl Counter {
    pub fn grow_only() -> Counter {
        Counter { grow_only: true }
    }
    pub fn pn() -> Counter {
        Counter { grow_only: false }
    }
}

/// The sums of the deltas.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Sums {
    ok: i128,
    ok_count: u64,
    info_pos: i128,
    info_neg: i128,
    info_count: u64,
    failed_count: u64,
}

/// The loosest bounds, over every non-failed add invoked so far.
#[derive(Debug, Clone, Copy, Default)]
struct Loose {
    neg: i128,
    pos: i128,
    adds: u64,
}

impl Checker for Counter {
    fn name(&self) -> &str {
        "counter"
    }

    fn check(&self, history: &History) -> Verdict {
        let ops = history.ops();
        let reads = Reads::of(history);
        let mut sums = Sums::default();
        // The loose bounds at every op index: adds are counted at their invocation.
        let mut loose_at: Vec<Loose> = Vec::with_capacity(ops.len());
        let mut loose = Loose::default();
        let mut report = Report::new(self.name());
        for (i, op) in ops.iter().enumerate() {
            if op.kind == OpType::Invoke && op.is_client() && op.f == "add" {
                let outcome = history.partner(i).map_or(OpType::Info, |c| ops[c].kind);
                match int(&op.value) {
                    None => report.malformed(
                        history,
                        i,
                        format!("the add's delta {} is not an integer", show(&op.value)),
                    ),
                    Some(d) if d < 0 && self.grow_only => report.malformed(
                        history,
                        i,
                        format!("a grow-only counter takes no negative delta, but this add is {d}"),
                    ),
                    Some(_) if outcome == OpType::Fail => sums.failed_count += 1,
                    Some(d) => {
                        loose.neg += d.min(0);
                        loose.pos += d.max(0);
                        loose.adds += 1;
                        if outcome == OpType::Ok {
                            sums.ok += d;
                            sums.ok_count += 1;
                        } else {
                            sums.info_pos += d.max(0);
                            sums.info_neg += d.min(0);
                            sums.info_count += 1;
                        }
                    }
                }
            }
            loose_at.push(loose);
        }
        let (lower, upper) = (sums.ok + sums.info_neg, sums.ok + sums.info_pos);
        let finals: Vec<usize> = reads.finals.values().copied().collect();
        for (k, r) in reads.ok.iter().enumerate() {
            let Some(got) = int(&r.value) else {
                let what = format!(
                    "the read returned {}, which is not an integer",
                    show(&r.value)
                );
                report.malformed(history, r.complete, what);
                continue;
            };
            if finals.contains(&k) {
                if got < lower || got > upper {
                    final_out(history, r, got, (lower, upper), &sums, &mut report);
                }
            } else {
                let l = loose_at[r.complete];
                if got < l.neg || got > l.pos {
                    loose_out(history, r, got, l, &mut report);
                }
            }
        }
        if let Some(reason) = reads.unjudged() {
            report.cannot_judge(reason);
        }
        report.stat("ok_adds", json!(sums.ok_count));
        report.stat("ok_sum", from_int(sums.ok));
        report.stat("info_adds", json!(sums.info_count));
        report.stat("failed_adds", json!(sums.failed_count));
        report.stat("final_bounds", json!([from_int(lower), from_int(upper)]));
        report.stat("reads", json!(reads.ok.len()));
        report.stat("final_reads", json!(reads.finals.len()));
        report.stat("unanswered_nodes", json!(reads.unanswered));
        report.finish()
    }
}

fn final_out(
    history: &History,
    r: &Read,
    got: i128,
    (lower, upper): (i128, i128),
    sums: &Sums,
    report: &mut Report,
) {
    let node = r.node.as_deref().unwrap_or("a node");
    let text = format!(
        "the final read of {node}, {}, returned {got}, outside [{lower}, {upper}]. Once \
         the faults are healed every node must count every acknowledged add: {} ok adds \
         sum to {}; {} indeterminate adds could each have counted or not, adding between \
         {} and +{}; {} failed adds count for nothing.",
        named(history, r.invoke),
        sums.ok_count,
        sums.ok,
        sums.info_count,
        sums.info_neg,
        sums.info_pos,
        sums.failed_count,
    );
    let data = json!({
        "node": r.node,
        "value": from_int(got),
        "lower": from_int(lower),
        "upper": from_int(upper),
        "final": true,
        "ok_adds": sums.ok_count,
        "ok_sum": from_int(sums.ok),
        "info_adds": sums.info_count,
    });
    report.violation("out-of-bounds", text, vec![span(history, r.invoke)], data);
}

fn loose_out(history: &History, r: &Read, got: i128, l: Loose, report: &mut Report) {
    let text = format!(
        "{} returned {got}, outside [{}, {}]: the {} adds that had not failed and were \
         invoked before it completed sum to {} over their negative deltas and {} over \
         their positive ones, so no subset of them gives {got}.",
        named(history, r.invoke),
        l.neg,
        l.pos,
        l.adds,
        l.neg,
        l.pos
    );
    let data = json!({
        "node": r.node,
        "value": from_int(got),
        "lower": from_int(l.neg),
        "upper": from_int(l.pos),
        "final": false,
        "adds": l.adds,
    });
    report.violation("out-of-bounds", text, vec![span(history, r.invoke)], data);
}

#[cfg(test)]
mod tests {
    use super::*;
    use history::{Dialect, Op, Validity, Value};

    fn pair(ops: &mut Vec<Op>, p: u64, f: &str, v: Value, kind: OpType, done: Value) {
        ops.push(Op::client(p, OpType::Invoke, f, v));
        ops.push(Op::client(p, kind, f, done));
    }

    fn add(ops: &mut Vec<Op>, d: i64, kind: OpType) {
        pair(ops, 0, "add", json!(d), kind, json!(d));
    }

    fn final_read(ops: &mut Vec<Op>, node: &str, n: Value) {
        let done = json!({"node": node, "value": n});
        pair(ops, 9, "read", json!({"node": node}), OpType::Ok, done);
    }

    fn check(ops: Vec<Op>) -> Verdict {
        Counter::pn().check(&History::from_ops(ops, Dialect::Schism).unwrap())
    }

    /// ok +5, ok -2, info +4, info -1, fail +100: final reads must be in [2, 7].
    fn adds() -> Vec<Op> {
        let mut ops = Vec::new();
        add(&mut ops, 5, OpType::Ok);
        add(&mut ops, -2, OpType::Ok);
        add(&mut ops, 4, OpType::Info);
        add(&mut ops, -1, OpType::Info);
        add(&mut ops, 100, OpType::Fail);
        ops
    }

    #[test]
    fn final_reads_within_ok_plus_any_info_subset_are_valid() {
        for n in [2, 3, 6, 7] {
            let mut ops = adds();
            final_read(&mut ops, "n1", json!(n));
            final_read(&mut ops, "n2", json!(7));
            let v = check(ops);
            assert_eq!(v.validity, Validity::Valid, "{n}: {v:?}");
            assert_eq!(v.stats["final_bounds"], json!([2, 7]));
        }
    }

    #[test]
    fn a_final_read_outside_the_bounds_is_out_of_bounds() {
        for n in [1, 8, 107] {
            let mut ops = adds();
            final_read(&mut ops, "n1", json!(3));
            final_read(&mut ops, "n2", json!(n));
            let v = check(ops);
            assert_eq!(v.validity, Validity::Invalid, "{n}");
            assert_eq!(v.anomalies.len(), 1);
            let a = &v.anomalies[0];
            assert_eq!(a.kind, "out-of-bounds");
            assert_eq!(a.data["node"], json!("n2"));
            assert_eq!(a.data["value"], json!(n));
            assert_eq!(
                (a.data["lower"].clone(), a.data["upper"].clone()),
                (json!(2), json!(7))
            );
            assert!(
                a.explanation.contains("2 ok adds sum to 3"),
                "{}",
                a.explanation
            );
        }
    }

    #[test]
    fn intermediate_reads_may_lag_but_not_exceed_what_was_invoked() {
        let mut ops = Vec::new();
        add(&mut ops, 5, OpType::Ok);
        // Stale (0) is fine mid-run; 6 is more than was ever added before it.
        pair(
            &mut ops,
            1,
            "read",
            json!(null),
            OpType::Ok,
            json!({"node": "n1", "value": 0}),
        );
        pair(
            &mut ops,
            1,
            "read",
            json!(null),
            OpType::Ok,
            json!({"node": "n1", "value": 6}),
        );
        add(&mut ops, 1, OpType::Ok);
        final_read(&mut ops, "n1", json!(6));
        let v = check(ops);
        assert_eq!(v.anomalies.len(), 1, "{v:?}");
        assert_eq!(v.anomalies[0].data["final"], json!(false));
        assert_eq!(v.anomalies[0].data["value"], json!(6));
        assert_eq!(v.anomalies[0].ops[0].invoke_index, 4);
    }

    #[test]
    fn an_add_in_flight_may_be_seen_by_a_concurrent_read() {
        let ops = vec![
            Op::client(0, OpType::Invoke, "add", json!(3)),
            Op::client(1, OpType::Invoke, "read", json!(null)),
            Op::client(1, OpType::Ok, "read", json!({"node": "n1", "value": 3})),
            Op::client(0, OpType::Ok, "add", json!(3)),
            Op::client(9, OpType::Invoke, "read", json!({"node": "n1"})),
            Op::client(9, OpType::Ok, "read", json!({"node": "n1", "value": 3})),
        ];
        assert_eq!(check(ops).validity, Validity::Valid);
    }

    #[test]
    fn no_final_read_is_unknown_and_a_non_integer_is_malformed() {
        assert_eq!(check(adds()).validity, Validity::Unknown);
        let mut ops = adds();
        final_read(&mut ops, "n1", json!("three"));
        let v = check(ops);
        assert_eq!(v.validity, Validity::Unknown);
        let m = v.malformed.unwrap();
        assert_eq!((m.line, m.index), (12, 11), "{m:?}");
        assert!(
            m.message.contains("\"three\", which is not an integer"),
            "{m:?}"
        );
    }

    #[test]
    fn adds_that_are_not_integers_or_negative_on_a_g_counter_are_malformed() {
        let g = |ops: Vec<Op>| {
            Counter::grow_only().check(&History::from_ops(ops, Dialect::Schism).unwrap())
        };
        let mut ops = Vec::new();
        pair(
            &mut ops,
            0,
            "add",
            json!("three"),
            OpType::Ok,
            json!("three"),
        );
        final_read(&mut ops, "n1", json!(0));
        let v = g(ops);
        assert_eq!(v.validity, Validity::Unknown);
        assert!(v.malformed.unwrap().message.contains("not an integer"));
        let mut ops = Vec::new();
        add(&mut ops, -1, OpType::Ok);
        final_read(&mut ops, "n1", json!(-1));
        let v = g(ops);
        assert_eq!(v.malformed.unwrap().line, 1);
        // A pn-counter takes it.
        let mut ops = Vec::new();
        add(&mut ops, -1, OpType::Ok);
        final_read(&mut ops, "n1", json!(-1));
        assert_eq!(check(ops).validity, Validity::Valid);
    }

    #[test]
    fn reads_beyond_63_bits_are_integers() {
        let big = 18446744073709551614u64;
        let mut ops = Vec::new();
        pair(&mut ops, 0, "add", json!(big), OpType::Ok, json!(big));
        final_read(&mut ops, "n1", json!(big));
        let v = Counter::grow_only().check(&History::from_ops(ops, Dialect::Schism).unwrap());
        assert_eq!(v.validity, Validity::Valid, "{v:?}");
        let mut ops = Vec::new();
        pair(&mut ops, 0, "add", json!(big), OpType::Ok, json!(big));
        final_read(&mut ops, "n1", json!("18446744073709551615N"));
        let v = Counter::grow_only().check(&History::from_ops(ops, Dialect::Schism).unwrap());
        assert_eq!(v.anomalies[0].kind, "out-of-bounds", "{v:?}");
    }
}
