//! The built-in `redis` system (Redis with Sentinel, from Debian's redis-server) end to
//! end: short runs of its workloads under faults end with a verdict (valid or invalid,
//! never an error: Redis's asynchronous replication may lose acknowledged writes in a
//! failover, which the checkers then report), every fault is healed, the primary is found
//! through the Sentinels for a leader-isolating partition, and nothing is left behind.

mod common;
use common::{faults_applied_and_healed, leader_isolations, run_docker};

fn run(name: &str, workload: &str, nemesis: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "--system",
        "redis",
        "--workload",
        workload,
        "--nodes",
        "3",
        "--time-limit",
        "12",
        "--nemesis",
        nemesis,
        "--nemesis-interval",
        "2",
        "--nemesis-duration",
        "3",
        "--concurrency",
        "6",
    ];
    args.extend_from_slice(extra);
    let (code, out, r) = run_docker("redis", name, &args);
    assert!(
        matches!(code, Some(0 | 1)),
        "{name}: a verdict, not an error: {out}"
    );
    assert_eq!(
        r["valid"] == serde_json::json!(true),
        code == Some(0),
        "{out}"
    );
    let history = r["history"].as_str().unwrap_or("");
    assert!(
        faults_applied_and_healed(history) >= 1,
        "{name}: a fault happened: {out}"
    );
    assert!(r["ops"]["ok"].as_u64().unwrap_or(0) > 100, "{name}: {out}");
    r
}

// Each workload is a test of its own, so that two clusters run side by side.

/// The register with the primary isolated: the partition must find it through Sentinel.
#[test]
fn redis_with_sentinel_runs_its_register_under_primary_isolations() {
    let r = run(
        "register",
        "register",
        "partition",
        &["--shapes", "isolate-leader"],
    );
    let history = r["history"].as_str().unwrap_or("");
    assert!(
        leader_isolations(history) >= 1,
        "the primary was named for isolate-leader:\n{}",
        &history[..history.len().min(2000)]
    );
}

/// Transactions as MULTI/EXEC blocks under kills and pauses.
#[test]
fn redis_with_sentinel_runs_list_append_under_kills_and_pauses() {
    run("list-append", "list-append", "kill,pause", &[]);
}
