//! The fault windows of `results.json`'s nemesis records (the reader itself is
//! [`history::fault::windows`], shared with the checkers).

use super::{read, Window};
use crate::run::FaultRecord as Stored;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faults::{of_history, Failure};
    use history::{Op, Process};
    use serde_json::json;
    use serde_json::Value;

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
