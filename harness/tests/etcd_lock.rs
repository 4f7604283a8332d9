//! etcd's locks are not safe under process pauses (Jepsen's etcd 3.4.3 analysis, 2020),
//! reproduced on a real 3-node etcd: holders keep their 2 s leases alive while they hold one
//! of six locks for 5-10 s, and the nemesis pauses one member at a time for 6 s, longer
//! than a lease. A holder behind the paused member loses its lease, a client of another
//! member takes the lock, and the first still believes it holds it (it releases later, or
//! never before the run ends). The lock checker must find two holders, and the history
//! must show one such pair as it happened: the first acquire ok, its member paused, the
//! second acquire ok by another process during that pause, and the first's release (if
//! any) after it.
//!
//! The command is the one of `docs/findings.md` ("etcd: locks"), run shorter.

mod common;
use common::run_docker;
use serde_json::Value;
use std::collections::HashMap;

/// The reproduction, short: pauses of 6 s every 7 s against 2 s leases, holds of 5-10 s.
const ARGS: &[&str] = &[
    "--system",
    "etcd",
    "--workload",
    "lock",
    "--nodes",
    "3",
    "--concurrency",
    "18",
    "--client-timeout-ms",
    "10000",
    "--time-limit",
    "30",
    "--recovery",
    "1",
    "--nemesis",
    "pause",
    "--targets",
    "one",
    "--nemesis-interval",
    "1",
    "--nemesis-duration",
    "6",
    "--option",
    "lock.locks=6",
    "--option",
    "lock.lease_ttl_s=2",
    "--option",
    "lock.hold_ms_min=5000",
    "--option",
    "lock.hold_ms_max=10000",
];

/// The history's ops by index.
fn ops(history: &str) -> HashMap<u64, Value> {
    history
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("a JSON line"))
        .map(|op| (op["index"].as_u64().expect("an index"), op))
        .collect()
}

/// The completion of the invocation at `i`: the next op of its process.
fn completion(ops: &HashMap<u64, Value>, i: u64) -> &Value {
    let p = &ops[&i]["process"];
    (i + 1..)
        .take_while(|j| ops.contains_key(j))
        .map(|j| &ops[&j])
        .find(|o| &o["process"] == p)
        .unwrap_or_else(|| panic!("op {i} never completed"))
}

fn time(op: &Value) -> u64 {
    op["time"].as_u64().expect("a time")
}

/// The pauses as (node, applied at, healed at), in nanoseconds.
fn pauses(ops: &HashMap<u64, Value>) -> Vec<(String, u64, u64)> {
    let mut nemesis: Vec<&Value> = ops.values().filter(|o| o["process"] == "nemesis").collect();
    nemesis.sort_by_key(|o| o["index"].as_u64());
    let mut open: HashMap<String, u64> = HashMap::new();
    let mut out = Vec::new();
    for o in nemesis {
        let node = |what: &str| o["value"][what]["nodes"][0].as_str().map(String::from);
        if let Some(n) = node("applied") {
            open.insert(n, time(o));
        } else if let Some(n) = node("healed") {
            let from = open.remove(&n).expect("a heal of an applied pause");
            out.push((n, from, time(o)));
        }
    }
    assert!(open.is_empty(), "every pause was healed: {open:?}");
    out
}

/// One two-holders anomaly, checked against the history: (the first holder's node, when
/// its acquire completed, when the second's did).
fn overlap(ops: &HashMap<u64, Value>, a: &Value) -> (String, u64, u64) {
    let first = a["data"]["acquires"][0].as_u64().unwrap();
    let second = a["data"]["acquires"][1].as_u64().unwrap();
    let (p1, p2) = (&ops[&first]["process"], &ops[&second]["process"]);
    assert_ne!(p1, p2, "{a}");
    assert_eq!(ops[&first]["key"], ops[&second]["key"], "one lock: {a}");
    for acquire in [first, second] {
        assert_eq!(ops[&acquire]["f"], "acquire", "{a}");
        assert_eq!(completion(ops, acquire)["type"], "ok", "{a}");
    }
    let t1 = time(completion(ops, first));
    let t2 = time(completion(ops, second));
    assert!(t1 < t2, "{a}");
    // The first did not begin to release it (a release that did not fail) before the
    // second's acquire completed.
    let released = ops
        .values()
        .filter(|o| o["f"] == "release" && &o["process"] == p1 && o["type"] == "invoke")
        .filter(|o| time(o) > t1 && completion(ops, o["index"].as_u64().unwrap())["type"] != "fail")
        .min_by_key(|o| time(o));
    if let Some(r) = released {
        assert!(time(r) > t2, "released before the second acquired: {a}");
        assert_eq!(a["data"]["release"], r["index"], "{a}");
    }
    let text = a["explanation"].as_str().unwrap();
    for p in [p1, p2] {
        assert!(text.contains(&format!("process {p}")), "{text}");
    }
    let node = ops[&first]["node"].as_str().unwrap().to_string();
    (node, t1, t2)
}

#[test]
fn a_pause_longer_than_the_lease_gives_a_lock_two_holders() {
    let (code, out, r) = run_docker("etcd-lock", "pause", ARGS);
    assert_eq!(code, Some(1), "invalid is exit 1:\n{out}");
    let lock = r["checkers"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["checker"] == "lock"))
        .unwrap_or_else(|| panic!("no lock verdict in {}", r["checkers"]));
    let anomalies = lock["anomalies"].as_array().expect("anomalies");
    assert!(
        anomalies.iter().all(|a| a["kind"] == "two-holders"),
        "{anomalies:?}"
    );
    let ops = ops(r["history"].as_str().unwrap());
    let pauses = pauses(&ops);
    // Every overlap is real; at least one is the lost lease: the second acquire completed
    // while the first holder's member was paused, a pause begun after the first acquired.
    let lost_lease = anomalies
        .iter()
        .map(|a| overlap(&ops, a))
        .filter(|(node, t1, t2)| {
            pauses
                .iter()
                .any(|(n, from, to)| n == node && t1 < from && from < t2 && t2 < to)
        })
        .count();
    assert!(lost_lease > 0, "no lost lease among {anomalies:?}\n{out}");
}
