//! schism's Raft under the packet faults of schism's own shaper, on real containers: a
//! short run under `delay` ends with a verdict, every delay applied was healed with its
//! counts recorded, and nothing of the run is left.

mod common;
use common::{faults_applied_and_healed, run_docker};
use serde_json::Value;

/// The completed nemesis ops named `f` of a run's history.
fn completed(r: &Value, f: &str) -> Vec<Value> {
    r["history"]
        .as_str()
        .unwrap_or("")
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|o| o["f"] == f && o["value"]["answers"].is_object())
        .collect()
}

#[test]
fn raft_under_delay_ends_with_a_verdict_and_records_the_counts() {
    let (code, out, r) = run_docker(
        "packet",
        "delay",
        &[
            "--system",
            "raft",
            "--nodes",
            "3",
            "--time-limit",
            "20",
            "--recovery",
            "1",
            "--nemesis",
            "delay",
            "--targets",
            "one",
            "--option",
            "nemesis.delay.delay_ms=200",
            "--nemesis-interval",
            "2",
            "--nemesis-duration",
            "4",
            "--client-timeout-ms",
            "1000",
        ],
    );
    assert!(matches!(code, Some(0..=2)), "{out}");
    assert!(r["valid"].is_boolean() || r["valid"].is_string(), "{out}");
    let history = r["history"].as_str().unwrap();
    assert!(faults_applied_and_healed(history) >= 2, "{out}");
    let started = completed(&r, "start-delay");
    assert_eq!(
        started[0]["value"]["answers"]["via"], "nfqueue",
        "{}",
        started[0]
    );
    assert_eq!(started[0]["value"]["applied"]["delay_ms"], 200);
    let delayed: u64 = completed(&r, "stop-delay")
        .iter()
        .map(|o| {
            o["value"]["answers"]["total"]["delayed"]
                .as_u64()
                .unwrap_or(0)
        })
        .sum();
    assert!(delayed > 0, "{out}");
}
