//! Locks (`lock`): `acquire` and `release` of a few named locks (the op's key). The lock
//! service must behave as a linearizable mutex: never two holders at once, and only the
//! holder releases.
//!
//! Two tests, both sound:
//! - [`overlap`] finds two acquires whose certain holding windows overlap, and names them
//!   (`two-holders`). It needs no search, so it also answers when the search runs out of
//!   time.
//! - The complete test: each lock's history is checked by [`crate::linearizable`] against
//!   the [`model::Mutex`] model, leaving out the [`orphans`]. A lock with no order of its
//!   ops that a mutex allows is explained in lock terms: `two-holders` when the op that
//!   cannot take effect is an acquire, `release-not-held` when it is a release. Locks with
//!   an overlap are reported by it alone.
//!
//! A search that runs out of time makes the verdict unknown (unless something is invalid),
//! never valid; so does a history in which no acquire ever succeeded.

pub mod model;
pub mod orphans;
pub mod overlap;

use super::common::{named, span, Report};
use crate::linearizable::{self, Options};
use crate::Checker;
use history::{Anomaly, Dialect, History, Key, OpSpan, OpType, Validity, Verdict};
use model::Mutex;
use overlap::Overlap;
use rustc_hash::FxHashSet;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

/// The lock checker.
#[derive(Debug, Clone)]
pub struct Lock {
    /// Budget of the linearizability search (None: no limit).
    pub time_limit: Option<Duration>,
}

impl Default for Lock {
    fn default() -> Self {
        Lock {
            time_limit: Some(Duration::from_secs(60)),
        }
    }
}

fn lock_name(key: &Option<Key>) -> String {
    match key {
        Some(k) => format!("lock {k}"),
        None => "the lock (no key)".to_string(),
    }
}

impl Checker for Lock {
    fn name(&self) -> &str {
        "lock"
    }

    fn check(&self, history: &History) -> Verdict {
        let mut report = Report::new(self.name());
        let counts = count(history, &mut report);
        let overlaps = overlap::overlaps(history);
        for o in &overlaps {
            report.push(overlap_anomaly(history, o));
        }
        let orphans = orphans::orphans(history);
        report.stat("orphan_info_acquires", json!(orphans.len()));
        report.stat("locks", json!(locks(history, &orphans)));
        let mutex = Mutex {
            left_out: Arc::new(orphans),
        };
        let opts = Options {
            dialect: Some(Dialect::Schism),
            time_limit: self.time_limit,
            all_keys: true,
            ..Options::default()
        };
        let mut unfinished = Vec::new();
        match linearizable::check_model(history, &mutex, &opts) {
            Err(e) => report.cannot_judge(format!("line {}: {}", e.line, e.message)),
            Ok(r) => {
                for k in r.keys {
                    if overlaps.iter().any(|o| o.key == k.key) {
                        continue;
                    }
                    match (k.validity, k.anomaly) {
                        (Validity::Invalid, Some(a)) => report.push(search_anomaly(history, a)),
                        (Validity::Valid, _) => {}
                        (_, _) => unfinished.push(k.reason.unwrap_or_else(|| {
                            format!("{} could not be judged", lock_name(&k.key))
                        })),
                    }
                }
            }
        }
        report.stat("locks_unfinished", json!(unfinished.len()));
        if let Some(first) = unfinished.first() {
            report.cannot_judge(format!(
                "{} lock(s) not judged to the end; the first: {first}",
                unfinished.len()
            ));
        } else if counts == 0 {
            report.cannot_judge(
                "no acquire succeeded: no one ever held a lock, so mutual exclusion was never \
                 put to the test"
                    .into(),
            );
        }
        report.finish()
    }
}

/// Count the lock ops into the report's stats; the number of ok acquires.
fn count(history: &History, report: &mut Report) -> u64 {
    let ops = history.ops();
    let mut n = [[0u64; 3]; 2];
    for (i, c) in history.client_pairs() {
        let f = match ops[i].f.as_str() {
            "acquire" => 0,
            "release" => 1,
            _ => continue,
        };
        let outcome = match c.map(|c| ops[c].kind) {
            Some(OpType::Ok) => 0,
            Some(OpType::Fail) => 1,
            _ => 2,
        };
        n[f][outcome] += 1;
    }
    for (f, name) in ["acquires", "releases"].iter().enumerate() {
        report.stat(
            name,
            json!({"ok": n[f][0], "fail": n[f][1], "info": n[f][2]}),
        );
    }
    n[0][0]
}

/// How many locks have an acquire or release that is not an orphan.
fn locks(history: &History, orphans: &FxHashSet<usize>) -> usize {
    let ops = history.ops();
    let keys: FxHashSet<Option<&Key>> = history
        .client_pairs()
        .filter(|&(i, _)| matches!(ops[i].f.as_str(), "acquire" | "release"))
        .filter(|(i, _)| !orphans.contains(i))
        .map(|(i, _)| ops[i].key.as_ref())
        .collect();
    keys.len()
}

fn overlap_anomaly(history: &History, o: &Overlap) -> Anomaly {
    let ops = history.ops();
    let (a, b) = (&ops[o.first], &ops[o.second]);
    let lock = lock_name(&o.key);
    let a_done = history.partner(o.first).unwrap_or(o.first);
    let b_done = history.partner(o.second).unwrap_or(o.second);
    let until = match o.first_release {
        Some(r) => format!("did not begin to release it until {}", at(history, r)),
        None => "never released it".to_string(),
    };
    let both = match o.first_release {
        Some(r) => format!("from {} to {}", at(history, b_done), at(history, r)),
        None => format!("from {} on", at(history, b_done)),
    };
    let more = if o.count > 1 {
        format!(
            " In all, {} acquires of {lock} succeeded while another process certainly held it.",
            o.count
        )
    } else {
        String::new()
    };
    let text = format!(
        "{lock} had two holders at once:\n  {}\n  {}\nProcess {}'s acquire succeeded at {}, and \
         process {} {until}; process {}'s acquire succeeded at {}, inside that time. Whatever \
         moments the two took effect at, both held {lock} {both}.{more}",
        named(history, o.first),
        named(history, o.second),
        a.process,
        at(history, a_done),
        a.process,
        b.process,
        at(history, b_done),
    );
    let mut spans = vec![span(history, o.first), span(history, o.second)];
    spans.extend(o.first_release.map(|r| span(history, r)));
    Anomaly {
        kind: "two-holders".into(),
        key: o.key.clone(),
        explanation: text,
        ops: spans,
        data: json!({
            "holders": [a.process, b.process],
            "acquires": [o.first, o.second],
            "release": o.first_release,
            "overlap_ns": [ops[b_done].time_ns, o.first_release.map(|r| ops[r].time_ns)],
            "overlapping_acquires": o.count,
        }),
    }
}

/// When op `i` happened: `12.345678 s (op 7)`, or `op 7` in a history without times.
fn at(history: &History, i: usize) -> String {
    if history.timed {
        format!("{:.6} s (op {i})", history.ops()[i].time_ns as f64 / 1e9)
    } else {
        format!("op {i}")
    }
}

/// The search's anomaly, told in lock terms with the ops it names (the failing one first).
fn search_anomaly(history: &History, a: Anomaly) -> Anomaly {
    let ops: Vec<usize> = a.ops.iter().map(|s| s.invoke_index as usize).collect();
    let lock = lock_name(&a.key);
    let Some(&failing) = ops.first() else {
        return Anomaly {
            kind: "two-holders".into(),
            explanation: format!("{lock}: {}", a.explanation),
            ..a
        };
    };
    let acquire = history.ops()[failing].f == "acquire";
    let states: Vec<String> = match (&a.data["states"], &a.data["needs"]) {
        (Value::Array(s), _) => s
            .iter()
            .filter_map(Value::as_str)
            .map(String::from)
            .collect(),
        (_, Value::String(n)) => vec![format!("never {n} in time")],
        _ => Vec::new(),
    };
    let (kind, why) = if acquire {
        ("two-holders", "an acquire needs it free")
    } else {
        (
            "release-not-held",
            "a release needs it held by the releasing process",
        )
    };
    let mut text = format!(
        "{lock} does not behave as a mutex: no order of its acquires and releases that \
         respects real time lets this op succeed:\n  {}\nWhen it could take effect, {lock} \
         was {}; {why}.",
        named(history, failing),
        if states.is_empty() {
            "in no state that allows it".to_string()
        } else {
            states.join(" or ")
        }
    );
    if ops.len() > 1 {
        text.push_str("\nThe ops it must be ordered with:");
        for &i in &ops[1..] {
            text.push_str(&format!("\n  {}", named(history, i)));
        }
    }
    let spans: Vec<OpSpan> = ops.iter().map(|&i| span(history, i)).collect();
    Anomaly {
        kind: kind.into(),
        key: a.key,
        explanation: text,
        ops: spans,
        data: json!({"search": a.data, "op": failing}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use history::{Dialect, Op};

    fn op(p: u64, kind: OpType, f: &str) -> Op {
        Op::client(p, kind, f, json!(null)).with_key(Key::Int(1))
    }

    fn check(ops: Vec<Op>) -> Verdict {
        Lock::default().check(&History::from_ops(ops, Dialect::Schism).unwrap())
    }

    #[test]
    fn two_acquires_both_ok_with_no_release_are_two_holders() {
        let v = check(vec![
            op(1, OpType::Invoke, "acquire"),
            op(1, OpType::Ok, "acquire"),
            op(2, OpType::Invoke, "acquire"),
            op(2, OpType::Ok, "acquire"),
        ]);
        assert_eq!(v.validity, Validity::Invalid);
        assert_eq!(v.anomalies.len(), 1, "{v:?}");
        let a = &v.anomalies[0];
        assert_eq!(a.kind, "two-holders");
        assert_eq!(a.key, Some(Key::Int(1)));
        assert_eq!(a.data["holders"], json!([1, 2]));
        assert!(
            a.explanation.contains("never released it"),
            "{}",
            a.explanation
        );
    }

    /// etcd's lost lease: process 1 holds the lock; its member is paused past the lease's
    /// TTL, so the lease expires and process 2's waiting acquire succeeds at 4.5 s (process
    /// 3's, on the paused member, times out); process 1, which never learnt of it, releases
    /// at 7 s with `release_outcome`.
    fn lost_lease(release_outcome: OpType) -> Vec<Op> {
        let at = |o: Op, s: f64| o.with_time_ns((s * 1e9) as u64);
        vec![
            at(op(1, OpType::Invoke, "acquire"), 1.0),
            at(op(1, OpType::Ok, "acquire"), 1.01),
            at(op(3, OpType::Invoke, "acquire"), 1.5),
            at(op(2, OpType::Invoke, "acquire"), 2.5),
            at(op(3, OpType::Info, "acquire"), 3.5),
            at(op(2, OpType::Ok, "acquire"), 4.5),
            at(op(1, OpType::Invoke, "release"), 7.0),
            at(op(1, release_outcome, "release"), 7.01),
        ]
    }

    #[test]
    fn a_release_after_another_s_acquire_means_two_holders_named_with_their_times() {
        for outcome in [OpType::Ok, OpType::Info] {
            let v = check(lost_lease(outcome));
            assert_eq!(v.validity, Validity::Invalid, "{outcome:?}: {v:?}");
            assert_eq!(v.anomalies.len(), 1, "{v:?}");
            let a = &v.anomalies[0];
            assert_eq!(a.kind, "two-holders");
            assert_eq!(a.data["holders"], json!([1, 2]));
            assert_eq!(a.data["acquires"], json!([0, 3]));
            assert_eq!(a.data["release"], json!(6));
            assert_eq!(
                a.data["overlap_ns"],
                json!([4_500_000_000u64, 7_000_000_000u64])
            );
            for said in [
                "Process 1's acquire succeeded at 1.010000 s (op 1)",
                "did not begin to release it until 7.000000 s (op 6)",
                "process 2's acquire succeeded at 4.500000 s (op 5)",
                "both held lock 1 from 4.500000 s (op 5) to 7.000000 s (op 6)",
            ] {
                assert!(
                    a.explanation.contains(said),
                    "{said:?} in {}",
                    a.explanation
                );
            }
        }
    }

    #[test]
    fn a_lost_lease_released_before_the_next_holder_s_acquire_is_no_overlap() {
        // The same run, but process 1 released at 4 s, before process 2's acquire: its
        // lease expired unseen, yet no two processes believed they held the lock at once.
        let mut ops = lost_lease(OpType::Ok);
        let release = ops.split_off(6);
        let ok = ops.pop().unwrap();
        ops.extend(release.into_iter().map(|o| o.with_time_ns(4_000_000_000)));
        ops.push(ok);
        let v = check(ops);
        assert_eq!(v.validity, Validity::Valid, "{v:?}");
    }

    #[test]
    fn acquire_release_acquire_by_different_processes_is_valid() {
        let v = check(vec![
            op(1, OpType::Invoke, "acquire"),
            op(1, OpType::Ok, "acquire"),
            op(1, OpType::Invoke, "release"),
            op(1, OpType::Ok, "release"),
            op(2, OpType::Invoke, "acquire"),
            op(2, OpType::Ok, "acquire"),
        ]);
        assert_eq!(v.validity, Validity::Valid, "{v:?}");
        assert_eq!(v.stats["acquires"]["ok"], json!(2));
    }

    #[test]
    fn concurrent_acquires_where_one_fails_are_valid() {
        let mut ops = vec![
            op(1, OpType::Invoke, "acquire"),
            op(2, OpType::Invoke, "acquire"),
            op(2, OpType::Fail, "acquire"),
            op(1, OpType::Ok, "acquire"),
        ];
        ops[2].error = Some(json!("22: held by another"));
        assert_eq!(check(ops).validity, Validity::Valid);
    }

    #[test]
    fn an_indeterminate_release_may_free_the_lock() {
        let v = check(vec![
            op(1, OpType::Invoke, "acquire"),
            op(1, OpType::Ok, "acquire"),
            op(1, OpType::Invoke, "release"),
            op(1, OpType::Info, "release"),
            op(2, OpType::Invoke, "acquire"),
            op(2, OpType::Ok, "acquire"),
        ]);
        assert_eq!(v.validity, Validity::Valid, "{v:?}");
    }

    #[test]
    fn an_indeterminate_release_may_free_the_next_hold_of_its_own_process() {
        let v = check(super::overlap::tests::late_release());
        assert_eq!(v.validity, Validity::Valid, "{v:?}");
    }

    #[test]
    fn the_search_finds_what_the_windows_miss_and_tells_it_in_lock_terms() {
        // Process 1's acquire is indeterminate, so it has no window; but its release
        // succeeds after process 2 took the lock for good: 1 can only have held it too.
        let v = check(vec![
            op(1, OpType::Invoke, "acquire"),
            op(1, OpType::Info, "acquire"),
            op(2, OpType::Invoke, "acquire"),
            op(2, OpType::Ok, "acquire"),
            op(1, OpType::Invoke, "release"),
            op(1, OpType::Ok, "release"),
        ]);
        assert_eq!(v.validity, Validity::Invalid, "{v:?}");
        assert_eq!(v.anomalies.len(), 1);
        let a = &v.anomalies[0];
        assert_eq!(a.kind, "release-not-held");
        assert_eq!(a.ops[0].invoke_index, 4, "{}", a.explanation);
        assert!(
            a.explanation.contains("held by process 2"),
            "{}",
            a.explanation
        );
    }

    #[test]
    fn a_release_by_a_process_that_does_not_hold_it_is_release_not_held() {
        let v = check(vec![
            op(1, OpType::Invoke, "acquire"),
            op(1, OpType::Ok, "acquire"),
            op(2, OpType::Invoke, "release"),
            op(2, OpType::Ok, "release"),
        ]);
        assert_eq!(v.validity, Validity::Invalid);
        assert_eq!(v.anomalies[0].kind, "release-not-held");
        assert_eq!(v.anomalies[0].ops[0].process.to_string(), "2");
    }

    #[test]
    fn no_successful_acquire_is_unknown() {
        let v = check(vec![
            op(1, OpType::Invoke, "acquire"),
            op(1, OpType::Info, "acquire"),
        ]);
        assert_eq!(v.validity, Validity::Unknown);
    }
}
