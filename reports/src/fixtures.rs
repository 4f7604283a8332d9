//! Run results for the tests of the writers: a valid run, and an invalid one whose names
//! and explanations carry markup, `]]>` and control characters, as a hostile system under
//! test might return.

use crate::run::{FaultRecord, OpCounts, RunResult};
use history::{Anomaly, Key, Validity, Verdict};
use serde_json::json;

/// What a system under test may put in any string.
pub const NASTY: &str = "<script>alert(1)</script> ]]> & \"q\" 'a' | `tick` \u{1}\u{1b}[31m";

pub fn valid() -> RunResult {
    let mut lin = Verdict::new("linearizable", Validity::Valid);
    lin.stats.insert("elapsed_ms".into(), json!(1500.0));
    RunResult {
        test: "memory-register".into(),
        run_id: "r1".into(),
        seed: 42,
        system: "memory".into(),
        workload: "register".into(),
        nodes: 5,
        concurrency: 10,
        started: "20261125T202244Z".into(),
        duration_s: 2.5,
        cluster_ready_ms: 1.0,
        valid: Validity::Valid,
        liveness: None,
        interrupted: false,
        error: None,
        ops: OpCounts {
            ok: 900,
            fail: 90,
            info: 10,
        },
        ops_per_s: 400.0,
        first_anomaly_s: None,
        faults: vec![
            FaultRecord {
                time_s: 0.1,
                f: "start-kill".into(),
                value: json!({"applied": {"nodes": ["n1"]}}),
            },
            FaultRecord {
                time_s: 0.2,
                f: "stop-kill".into(),
                value: json!({"healed": {"nodes": ["n1"]}}),
            },
        ],
        checkers: vec![lin],
        history: "history.jsonl".into(),
    }
}

/// An invalid safety checker with two anomalies, a failed liveness checker, and an
/// unknown one; the test name and every explanation carry [`NASTY`].
pub fn invalid() -> RunResult {
    let mut r = valid();
    r.test = format!("evil {NASTY}");
    r.valid = Validity::Invalid;
    r.liveness = Some(Validity::Invalid);
    r.first_anomaly_s = Some(2.5);
    let anomaly = |i: usize| Anomaly {
        kind: "nonlinearizable".into(),
        key: Some(Key::Int(i as i64)),
        explanation: format!("read {NASTY} on key {i}\nsecond line\n```\nafter a fence"),
        ops: vec![],
        data: serde_json::Value::Null,
    };
    let mut lin = Verdict::new("linearizable", Validity::Invalid);
    lin.anomalies = vec![anomaly(1), anomaly(2)];
    let mut term = Verdict::new("termination", Validity::Invalid);
    term.liveness = true;
    term.anomalies = vec![Anomaly {
        kind: "no-decision".into(),
        key: None,
        explanation: "instance 3 was never decided".into(),
        ops: vec![],
        data: serde_json::Value::Null,
    }];
    let mut agree = Verdict::new("agreement", Validity::Unknown);
    agree.reason = Some(format!("out of time {NASTY}"));
    r.checkers = vec![lin, term, agree];
    r
}
