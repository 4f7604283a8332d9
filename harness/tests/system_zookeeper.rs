//! The built-in `zookeeper` system (Debian's ZooKeeper 3.8 on the host's Java 17) end to
//! end on real containers, 3 nodes: healthy runs of its register, set and lock workloads
//! are valid with many ops done (the register may be invalid only by stale reads, which
//! ZooKeeper does not rule out, with its writes alone linearizable), and a register run
//! under leader-isolating partitions
//! ends with a verdict (whatever it is), every fault applied and healed, the leader found
//! by the `srvr` probe, and no container left.

mod common;
use common::{faults_applied_and_healed, leader_isolations, run_system, schism, text};
use serde_json::{json, Value};

fn run(name: &str, workload: &str, seconds: &str, extra: &[&str]) -> (Option<i32>, String, Value) {
    run_system("zookeeper", name, workload, seconds, extra)
}

/// The linearizability anomalies of a run's results: each one's impossible op (`ops[0]`).
fn impossible_ops(r: &Value) -> Vec<Value> {
    r["checkers"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["anomalies"].as_array().cloned().unwrap_or_default())
        .map(|a| a["ops"][0].clone())
        .collect()
}

/// The verdict of `schism check` on the history without its reads: ZooKeeper promises
/// linearizable writes (and `setData` with a version), so writes and CAS alone must be valid.
fn writes_alone(history: &str, name: &str) -> (Option<i32>, String) {
    let file = std::env::temp_dir().join(format!("schism-zk-{}-{name}.jsonl", std::process::id()));
    let writes: Vec<&str> = history
        .lines()
        .filter(|l| !l.contains("\"f\":\"read\""))
        .collect();
    std::fs::write(&file, writes.join("\n")).unwrap();
    let o = schism(&["check", file.to_str().unwrap(), "--workload", "register"]);
    let _ = std::fs::remove_file(&file);
    (
        o.status.code(),
        format!("{}{}", text(&o.stdout), text(&o.stderr)),
    )
}

fn healthy(workload: &str) {
    let (code, out, r) = run(workload, workload, "8", &["--nemesis", "none"]);
    if workload == "register" && code == Some(1) {
        // `sync` + `getData` is not linearizable: ZooKeeper's documentation says reads may
        // be stale, and `sync` is not a quorum operation (docs/findings.md, ZooKeeper). A
        // healthy CI run was seen invalid with no change of leader, a read just after a
        // write's acknowledgement returning the value before it. Invalid is accepted only
        // as that weakness: every op the checker found impossible is a read, and the
        // writes alone are linearizable.
        let ops = impossible_ops(&r);
        assert!(
            !ops.is_empty() && ops.iter().all(|o| o["f"] == "read"),
            "register invalid when healthy, not by a stale read: {ops:?}\n{out}"
        );
        let (c, o) = writes_alone(r["history"].as_str().unwrap_or(""), workload);
        assert_eq!(c, Some(0), "writes alone linearizable: {o}\n{out}");
        return;
    }
    assert_eq!(code, Some(0), "{workload}: valid when healthy: {out}");
    assert_eq!(r["valid"], json!(true), "{out}");
    let ok = r["ops"]["ok"].as_u64().unwrap_or(0);
    assert!(ok > 50, "{workload}: {ok} ops ok: {out}");
}

// Two tests, so that two ensembles run side by side (three would crowd two cores).

#[test]
fn zookeeper_serves_register_and_set_healthy() {
    healthy("register");
    healthy("set");
}

#[test]
fn zookeeper_serves_locks_healthy_and_survives_partitions_of_its_leader() {
    healthy("lock");
    let (code, out, r) = run(
        "register-partition",
        "register",
        "15",
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
    assert!(
        matches!(code, Some(0 | 1)),
        "a verdict, not an error: {out}"
    );
    let history = r["history"].as_str().unwrap_or("");
    assert!(
        faults_applied_and_healed(history) >= 1,
        "a fault happened: {out}"
    );
    assert!(
        leader_isolations(history) >= 1,
        "the leader was named for isolate-leader: {out}"
    );
    assert!(r["ops"]["ok"].as_u64().unwrap_or(0) > 50, "{out}");
}
