//! `schism run --system galera` against a real 3-node MariaDB Galera cluster in containers:
//! `list-append` under partitions, kills and pauses ends with a verdict (Galera's
//! repeatable read is not serializable, so either verdict is an answer; an error is not),
//! every fault applied is healed, nothing is left behind; and
//! `bank` on a healthy cluster keeps its total (each transfer is one transaction of two
//! compare-and-sets, which Galera commits atomically or not at all).

mod common;
use common::run_docker;
use serde_json::Value;
use std::sync::Mutex;

/// How long the cluster may take to come up: about 20 s here (the joiners' state
/// transfers included), more on a loaded CI machine.
const READY: &str = "90";

/// One Docker run at a time: the machine has two cores.
static DOCKER: Mutex<()> = Mutex::new(());

/// The nemesis ops of a history (JSON lines).
fn nemesis_ops(history: &str) -> Vec<Value> {
    history
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|o| o["process"] == "nemesis")
        .collect()
}

#[test]
fn list_append_under_faults_ends_with_a_verdict_every_fault_healed() {
    let _one = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
    let (code, out, r) = run_docker(
        "galera",
        "faults",
        &[
            "--system",
            "galera",
            "--workload",
            "list-append",
            "--nodes",
            "3",
            "--ready-timeout",
            READY,
            "--time-limit",
            "15",
            "--nemesis",
            "partition,kill,pause",
            "--nemesis-interval",
            "2",
            "--nemesis-duration",
            "2",
            "--max-faulty",
            "1",
        ],
    );
    assert!(
        matches!(code, Some(0) | Some(1)),
        "a verdict, not an error: {out}"
    );
    assert_eq!(r["valid"], Value::Bool(code == Some(0)), "{out}");
    let ops = nemesis_ops(r["history"].as_str().unwrap_or(""));
    assert!(
        ops.iter().all(|o| o["value"].get("error").is_none()),
        "{ops:?}"
    );
    let count = |prefix: &str, field: &str| {
        ops.iter()
            .filter(|o| o["f"].as_str().is_some_and(|f| f.starts_with(prefix)))
            .filter(|o| o["value"].get(field).is_some())
            .count()
    };
    let (applied, healed) = (count("start-", "applied"), count("stop-", "healed"));
    assert!(applied >= 1, "a fault happened: {out}");
    assert_eq!(applied, healed, "every fault healed: {ops:?}");
    assert!(r["ops"]["ok"].as_u64().unwrap_or(0) > 100, "{out}");
}

#[test]
fn bank_on_a_healthy_cluster_keeps_its_total() {
    let _one = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
    let (code, out, r) = run_docker(
        "galera",
        "bank",
        &[
            "--system",
            "galera",
            "--workload",
            "bank",
            "--nodes",
            "3",
            "--ready-timeout",
            READY,
            "--time-limit",
            "10",
            "--nemesis",
            "none",
        ],
    );
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(r["valid"], Value::Bool(true), "{out}");
    // Transfers committed on every node, and some conflicted (certification or locks).
    let history = r["history"].as_str().unwrap_or("");
    let transfers_ok = history
        .lines()
        .filter(|l| l.contains("\"transfer\"") && l.contains("\"type\":\"ok\""))
        .count();
    assert!(transfers_ok > 20, "{out}");
}
