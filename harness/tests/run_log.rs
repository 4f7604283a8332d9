//! The Kafka-style `log` workload end to end on real containers: schism's Raft and Paxos
//! serve it (Maelstrom's kafka messages, each a replicated log entry) and stay valid under
//! partitions and kills, every key read whole at the end; Paxos's `accept-any` bug (two
//! leaders choosing values for one slot) shows as two values at one offset, or a value
//! lost. Nothing is left behind.

mod common;
use common::run_docker;
use serde_json::Value;
use std::sync::Mutex;

static DOCKER: Mutex<()> = Mutex::new(());

fn run(system: &str, name: &str, extra: &[&str]) -> (Option<i32>, String, Value) {
    let mut args = vec![
        "--system",
        system,
        "--workload",
        "log",
        "--nodes",
        "3",
        "--time-limit",
        "10",
        "--recovery",
        "1",
    ];
    args.extend_from_slice(extra);
    run_docker("log", name, &args)
}

/// The log checker's verdict in a run's results.
fn log_verdict(r: &Value) -> &Value {
    r["checkers"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["checker"] == "log"))
        .expect("the log checker ran")
}

fn valid_under_partitions_and_kills(system: &str) {
    let _one = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
    let (code, out, r) = run(
        system,
        system,
        &[
            "--nemesis",
            "partition,kill",
            "--nemesis-interval",
            "2",
            "--nemesis-duration",
            "3",
            "--client-timeout-ms",
            "1000",
        ],
    );
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(r["valid"], Value::Bool(true), "{out}");
    let stats = &log_verdict(&r)["stats"];
    assert!(stats["ok_sends"].as_u64().unwrap() > 300, "{out}\n{stats}");
    assert!(stats["ok_polls"].as_u64().unwrap() > 100, "{out}\n{stats}");
    assert_eq!(
        stats["final_reads"], 4,
        "every key read whole at the end: {stats}"
    );
    assert_eq!(stats["unseen"], 0, "{stats}");
    assert!(r["faults"].as_array().unwrap().len() >= 4, "{out}");
}

#[test]
fn raft_serves_a_valid_log_under_partitions_and_kills() {
    valid_under_partitions_and_kills("raft");
}

#[test]
fn paxos_serves_a_valid_log_under_partitions_and_kills() {
    valid_under_partitions_and_kills("paxos");
}

#[test]
fn the_accept_any_bug_shows_in_the_log() {
    let _one = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
    // Whether two leaders both choose depends on timing: up to three short runs.
    let (_, r) = common::first_invalid(3, |attempt| {
        run(
            "paxos",
            &format!("accept-any{attempt}"),
            &[
                "--bug",
                "accept-any",
                "--nemesis",
                "partition",
                "--shapes",
                "majorities-ring",
                "--nemesis-interval",
                "0.5",
                "--nemesis-duration",
                "3",
                "--client-timeout-ms",
                "300",
            ],
        )
    });
    let v = log_verdict(&r);
    assert_eq!(v["valid"], Value::Bool(false));
    let a = &v["anomalies"][0];
    let kind = a["kind"].as_str().unwrap();
    assert!(
        ["inconsistent-offsets", "lost-write", "duplicate"].contains(&kind),
        "{a}"
    );
    assert!(a["key"].is_number(), "{a}");
    // Small results: a few anomalies of each kind, each with a few ops.
    for kind in v["stats"]["counts"].as_object().unwrap().keys() {
        let listed = v["anomalies"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["kind"] == kind.as_str())
            .count();
        assert!(listed <= checkers::log::PER_KIND, "{kind}: {listed}");
    }
    let mut results = r.clone();
    results["history"] = Value::Null;
    assert!(
        results.to_string().len() < 200_000,
        "results.json stays small"
    );
}
