//! The one reader of fault windows. The nemesis writes each fault as a pair of records
//! (`start-X` with the fault, then `start-X` with `applied` or `error`) and each heal as
//! another (`stop-X` with null, then `stop-X` with `healed` or `error`). A window runs from
//! the first record of its start to the last of its heal: an op invoked inside it ran under
//! the fault. A standing fault (`byzantine`) started again changes mode: its window ends
//! and a new one begins. A window never healed ends with the history. A start whose first
//! record is missing opens its window at the record there is, unless a fault of its kind
//! is already in force (then it is a later record of that fault).

use super::{Failure, Window};
use crate::run::FaultRecord as Stored;
use history::fault::{FaultRecord, Phase, Stage};
use history::{Op, Process};
use serde_json::Value;

/// A window still open while reading, and whether its start's second record (`applied`
/// or `error`) is still to come.
struct Open {
    window: Window,
    awaiting: bool,
}

/// The windows of these nemesis records (time in ns, op name, value; in history order),
/// in order of start; `end_ns` closes the ones never healed.
pub fn read<'a>(
    records: impl IntoIterator<Item = (u64, &'a str, &'a Value)>,
    end_ns: u64,
) -> Vec<Window> {
    let mut done: Vec<Window> = Vec::new();
    let mut open: Vec<Open> = Vec::new();
    for (t, f, value) in records {
        let Some(rec) = FaultRecord::read(f, value) else {
            continue;
        };
        let kind = rec.kind;
        let of_kind = |o: &Open| o.window.kind == kind;
        match (rec.phase, rec.stage.clone()) {
            (Phase::Start, Stage::Begin) => {
                if kind == "byzantine" {
                    if let Some(i) = open.iter().position(of_kind) {
                        let mut w = open.remove(i).window;
                        w.end_ns = t;
                        done.push(w);
                    }
                }
                open.push(Open {
                    window: window(kind, value.clone(), t),
                    awaiting: true,
                });
            }
            (Phase::Start, outcome) => {
                let failure = match outcome {
                    Stage::Failed(e) => Some(Failure::NotApplied(e)),
                    _ => None,
                };
                if let Some(o) = open.iter_mut().rev().find(|o| of_kind(o) && o.awaiting) {
                    o.awaiting = false;
                    o.window.failure = failure;
                } else if !open.iter().any(of_kind) {
                    let mut w = window(kind, rec.fault().clone(), t);
                    w.failure = failure;
                    open.push(Open {
                        window: w,
                        awaiting: false,
                    });
                }
            }
            (Phase::Stop, stage) => {
                let Some(i) = open.iter().position(of_kind) else {
                    continue;
                };
                if stage == Stage::Begin {
                    open[i].window.heal_ns.get_or_insert(t);
                    continue;
                }
                let mut w = open.remove(i).window;
                w.heal_ns.get_or_insert(t);
                w.end_ns = t;
                if let Stage::Failed(e) = stage {
                    w.failure = Some(Failure::HealFailed(e));
                }
                done.push(w);
            }
        }
    }
    for o in open {
        let mut w = o.window;
        w.end_ns = end_ns.max(w.start_ns);
        done.push(w);
    }
    done.sort_by_key(|w| w.start_ns);
    done
}

/// The windows of a history's nemesis ops (in history order); those never healed end
/// with the history's last op.
pub fn of_history(ops: &[Op]) -> Vec<Window> {
    let end_ns = ops.iter().map(|o| o.time_ns).max().unwrap_or(0);
    let nemesis = ops.iter().filter(|o| o.process == Process::Nemesis);
    read(nemesis.map(|o| (o.time_ns, o.f.as_str(), &o.value)), end_ns)
}

/// The windows of the nemesis records of `results.json`; those never healed end at
/// `end_ns`.
pub fn of_results(records: &[Stored], end_ns: u64) -> Vec<Window> {
    read(
        records
            .iter()
            .map(|r| (r.time_ns(), r.f.as_str(), &r.value)),
        end_ns,
    )
}

fn window(kind: &str, fault: Value, t: u64) -> Window {
    Window {
        kind: kind.to_string(),
        fault,
        start_ns: t,
        heal_ns: None,
        end_ns: t,
        failure: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rec(t: f64, f: &str, value: Value) -> Stored {
        Stored {
            time_s: t,
            f: f.into(),
            value,
        }
    }

    #[test]
    fn pairs_become_windows() {
        let kill = json!({"fault": "kill", "nodes": ["n1"]});
        let part = json!({"fault": "partition", "shape": "halves",
            "grudge": {"n1": ["n3"], "n2": ["n3"], "n3": ["n1", "n2"]}});
        let records = vec![
            rec(1.0, "start-kill", kill.clone()),
            rec(1.1, "start-kill", json!({"applied": kill, "apply_ms": 1})),
            rec(2.0, "stop-kill", Value::Null),
            rec(2.2, "stop-kill", json!({"healed": kill})),
            rec(3.0, "start-partition", part.clone()),
            rec(3.1, "start-partition", json!({"applied": part})),
            rec(0.0, "traitors", json!({"nodes": ["n2"], "how": "lamport"})),
        ];
        let w = of_results(&records, 5_000_000_000);
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].label(), "kill: n1");
        assert_eq!(
            (w[0].start_ns, w[0].heal_ns, w[0].end_ns),
            (1_000_000_000, Some(2_000_000_000), 2_200_000_000)
        );
        assert!(w[0].contains(2_100_000_000) && !w[0].contains(2_200_000_000));
        assert_eq!(w[1].label(), "partition halves: n1 n2 | n3");
        assert_eq!((w[1].heal_ns, w[1].end_ns), (None, 5_000_000_000));
    }

    #[test]
    fn a_new_byzantine_mode_ends_the_old_window() {
        let a = json!({"fault": "byzantine", "mode": "forge", "nodes": ["n1"]});
        let b = json!({"fault": "byzantine", "mode": "omit", "nodes": ["n1"]});
        let records = vec![
            rec(1.0, "start-byzantine", a),
            rec(2.0, "start-byzantine", b.clone()),
            rec(3.0, "stop-byzantine", Value::Null),
            rec(3.5, "stop-byzantine", json!({"healed": b})),
        ];
        let w = of_results(&records, 9_000_000_000);
        assert_eq!(w.len(), 2);
        assert_eq!(
            (w[0].detail(), w[0].end_ns),
            ("forge".into(), 2_000_000_000)
        );
        assert_eq!(w[0].heal_ns, None);
        assert_eq!((w[1].detail(), w[1].end_ns), ("omit".into(), 3_500_000_000));
    }

    #[test]
    fn failures_are_kept_and_a_missing_first_record_still_opens_a_window() {
        let pause = json!({"fault": "pause", "nodes": ["n2"]});
        let records = vec![
            rec(1.0, "start-pause", pause),
            rec(1.1, "start-pause", json!({"error": "no such node"})),
            rec(2.0, "stop-pause", Value::Null),
            rec(2.1, "stop-pause", json!({"healed": {}})),
            // Only the second record of a fault, then a further one of the same fault.
            rec(3.0, "start-loss", json!({"applied": {"nodes": ["n3"]}})),
            rec(3.1, "start-loss", json!({"applied": {"nodes": ["n3"]}})),
            rec(4.0, "stop-loss", Value::Null),
            rec(4.1, "stop-loss", json!({"error": {"code": 1}})),
            // A heal of a fault never started.
            rec(5.0, "stop-clock", Value::Null),
        ];
        let w = of_results(&records, 9_000_000_000);
        assert_eq!(w.len(), 2);
        let not_applied = Failure::NotApplied("no such node".into());
        assert_eq!(w[0].failure.as_ref(), Some(&not_applied));
        assert_eq!(not_applied.to_string(), "not applied: no such node");
        assert_eq!(
            (w[0].end_ns, w[0].label()),
            (2_100_000_000, "pause: n2".into())
        );
        assert_eq!((w[1].start_ns, w[1].end_ns), (3_000_000_000, 4_100_000_000));
        assert_eq!(w[1].label(), "loss: n3");
        assert_eq!(
            w[1].failure.as_ref().map(ToString::to_string).as_deref(),
            Some("heal failed: {\"code\":1}")
        );
    }

    #[test]
    fn a_history_s_windows_end_with_its_last_op() {
        let nem = |t: u64, f: &str, v: Value| {
            let mut op = Op::client(0, history::OpType::Info, f, v).with_time_ns(t);
            op.process = Process::Nemesis;
            op
        };
        let kill = json!({"fault": "kill", "nodes": ["n1"]});
        let ops = vec![
            nem(10, "start-kill", kill.clone()),
            Op::client(1, history::OpType::Ok, "read", json!(1)).with_time_ns(90),
            // Not a fault of the nemesis: a client op named like one.
            Op::client(1, history::OpType::Ok, "stop-kill", json!(null)).with_time_ns(50),
        ];
        let w = of_history(&ops);
        assert_eq!((w.len(), w[0].start_ns, w[0].end_ns), (1, 10, 90));
        assert!(of_history(&[]).is_empty());
    }
}
