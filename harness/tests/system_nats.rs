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

// Each case is a test of its own, so that two clusters run side by side.

#[test]
fn nats_log_is_valid_healthy() {
    let (code, out, _) = run("log", "log", "10", &["--nemesis", "none"]);
    assert_eq!(code, Some(0), "log healthy is valid: {out}");
}

#[test]
fn nats_register_reads_and_writes_are_valid_healthy() {
    let extra = ["--nemesis", "none", "--option", "register.cas_fraction=0"];
    let (code, out, _) = run("register-rw", "register", "10", &extra);
    assert_eq!(code, Some(0), "register-rw healthy is valid: {out}");
}

#[test]
fn nats_register_ends_with_a_verdict_under_partitions_of_its_stream_leader() {
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
