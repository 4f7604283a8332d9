//! The built-in `nats` system (a JetStream cluster from Debian's nats-server) end to end,
//! on three nodes: the `log` workload over streams and the `register` workload of reads
//! and writes over a key-value bucket are valid when nothing goes wrong; a register run
//! with compare-and-set, whose partitions isolate the bucket's stream leader (found
//! through JetStream), ends with a verdict, every fault applied and healed. That run is
//! not held to valid: nats-server before 2.9.21 (Debian's is 2.9.10) accepts two
//! concurrent updates expecting one revision (nats-server issue 4320), which the
//! linearizability checker reports; an invalid verdict there must be that checker's,
//! naming its key. Nothing is left behind (`run_docker` checks).

mod common;
use common::{faults_applied_and_healed, run_system};
use serde_json::Value;

fn run(name: &str, workload: &str, seconds: &str, extra: &[&str]) -> (Option<i32>, String, Value) {
    let (code, out, r) = run_system("nats", name, workload, seconds, extra);
    assert!(
        matches!(code, Some(0 | 1)),
        "{name}: a verdict, not an error: {out}"
    );
    assert_eq!(r["valid"] == Value::Bool(true), code == Some(0), "{out}");
    assert!(r["ops"]["ok"].as_u64().unwrap_or(0) > 100, "{name}: {out}");
    (code, out, r)
}

#[test]
fn nats_log_and_register_are_valid_healthy_and_end_with_a_verdict_under_partitions() {
    let healthy = [
        ("log", "log", vec!["--nemesis", "none"]),
        (
            "register-rw",
            "register",
            vec!["--nemesis", "none", "--option", "register.cas_fraction=0"],
        ),
    ];
    for (name, workload, extra) in healthy {
        let (code, out, _) = run(name, workload, "10", &extra);
        assert_eq!(code, Some(0), "{name} healthy is valid: {out}");
    }
    let (code, out, r) = run(
        "register-partition",
        "register",
        "16",
        &[
            "--nemesis",
            "partition",
            "--shapes",
            "isolate-leader",
            "--nemesis-interval",
            "2",
            "--nemesis-duration",
            "4",
        ],
    );
    let history = r["history"].as_str().unwrap_or("");
    assert!(faults_applied_and_healed(history) >= 1, "{out}");
    let isolated = history
        .lines()
        .filter(|l| l.contains("\"start-partition\"") && l.contains("\"applied\""))
        .filter(|l| l.contains("\"leader\":\"n"))
        .count();
    assert!(isolated >= 1, "the stream's leader was named: {out}");
    if code == Some(1) {
        assert!(
            out.contains("linearizable: invalid") && out.contains("is not linearizable"),
            "an invalid verdict is the linearizability checker's, naming its key: {out}"
        );
    }
}
