//! The built-in `zookeeper` system (Debian's ZooKeeper 3.8 on the host's Java 17) end to
//! end on real containers, 3 nodes: healthy runs of its register, set and lock workloads
//! are valid with many ops done (the register may be invalid only if the ensemble changed
//! its leader meanwhile, as a stalled leader does on a loaded machine), and a register run under leader-isolating partitions
//! ends with a verdict (whatever it is), every fault applied and healed, the leader found
//! by the `srvr` probe, and no container left.

mod common;
use common::{faults_applied_and_healed, leader_isolations, run_system};
use serde_json::{json, Value};

fn run(name: &str, workload: &str, seconds: &str, extra: &[&str]) -> (Option<i32>, String, Value) {
    run_system("zookeeper", name, workload, seconds, extra)
}

/// How many times a server entered the broadcast phase (once per server per leader):
/// more than the servers means the ensemble changed its leader during the run.
fn broadcasts(node_logs: &str) -> usize {
    node_logs
        .lines()
        .filter(|l| l.contains("Peer state changed:") && l.ends_with("- broadcast"))
        .count()
}

fn healthy(workload: &str) {
    let (code, out, r) = run(workload, workload, "8", &["--nemesis", "none"]);
    let logs = r["node_logs"].as_str().unwrap_or("");
    if workload == "register" && code == Some(1) {
        // `sync` + `getData` is not linearizable across a change of leader (ZooKeeper's
        // documented weakness; docs/findings.md, ZooKeeper): a loaded machine can stall
        // a leader past syncLimit even without faults. Invalid is accepted only then.
        assert!(
            broadcasts(logs) > 3,
            "register invalid when healthy, with no change of leader: {out}"
        );
        return;
    }
    assert_eq!(code, Some(0), "{workload}: valid when healthy: {out}");
    assert_eq!(r["valid"], json!(true), "{out}");
    let ok = r["ops"]["ok"].as_u64().unwrap_or(0);
    assert!(ok > 50, "{workload}: {ok} ops ok: {out}");
}

#[test]
fn zookeeper_serves_register_set_and_lock_and_survives_partitions() {
    for w in ["register", "set", "lock"] {
        healthy(w);
    }
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
