//! `schism-node <protocol> --stdio` as Maelstrom runs it: a real process, `init` then
//! lin-kv requests and transactions on stdin, answers on stdout.

mod common;

use common::process::Process;
use common::schism_node;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Send one request from client c1; its reply body.
fn ask(node: &mut Process, msg_id: u64, mut body: Value) -> Value {
    body["msg_id"] = json!(msg_id);
    node.send(json!({"src": "c1", "dest": "n1", "body": body}));
    match node.reply_to(msg_id, Duration::from_secs(5)) {
        Some(env) => {
            assert_eq!(
                (env["src"].as_str(), env["dest"].as_str()),
                (Some("n1"), Some("c1"))
            );
            env["body"].clone()
        }
        None => panic!("no answer to {body}; stderr:\n{}", node.stderr()),
    }
}

/// A single-node cluster of `protocol` (with these extra arguments): init, then write,
/// read and cas, then transactions.
fn single_node_register(protocol: &str, extra: &[&str]) {
    let args: Vec<&str> = [protocol, "--stdio"].iter().chain(extra).copied().collect();
    let mut node = Process::spawn(&schism_node(), &args);
    node.send(json!({"src": "c0", "dest": "n1",
        "body": {"type": "init", "msg_id": 1, "node_id": "n1", "node_ids": ["n1"]}}));
    let ok = node
        .reply_to(1, Duration::from_secs(5))
        .unwrap_or_else(|| panic!("no init_ok; stderr:\n{}", node.stderr()));
    assert_eq!(ok["body"]["type"], "init_ok", "{ok}");
    assert_eq!(ok["dest"], "c0");

    // A lone node elects itself after an election timeout: until then it refuses (11).
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut id = 10;
    loop {
        id += 1;
        let r = ask(
            &mut node,
            id,
            json!({"type": "write", "key": 0, "value": 5}),
        );
        if r["type"] == "write_ok" {
            break;
        }
        assert_eq!(r["code"], 11, "only 'not the leader' before it leads: {r}");
        assert!(Instant::now() < deadline, "never led: {r}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let r = ask(&mut node, 100, json!({"type": "read", "key": 0}));
    assert_eq!(
        (&r["type"], &r["value"]),
        (&json!("read_ok"), &json!(5)),
        "{r}"
    );
    let r = ask(
        &mut node,
        101,
        json!({"type": "cas", "key": 0, "from": 4, "to": 6}),
    );
    assert_eq!(
        (&r["type"], &r["code"]),
        (&json!("error"), &json!(22)),
        "{r}"
    );
    let r = ask(
        &mut node,
        102,
        json!({"type": "cas", "key": 0, "from": 5, "to": 6}),
    );
    assert_eq!(r["type"], "cas_ok", "{r}");
    let r = ask(&mut node, 103, json!({"type": "read", "key": 0}));
    assert_eq!(r["value"], 6, "{r}");
    let r = ask(&mut node, 104, json!({"type": "read", "key": 9}));
    assert_eq!(r["code"], 20, "a missing key: {r}");

    // Transactions (a lone node applies each as it arrives: no early read to see).
    let r = ask(
        &mut node,
        110,
        json!({"type": "txn", "txn": [["append", 1, 1], ["r", 1, null], ["w", 2, 3]]}),
    );
    assert_eq!(
        r,
        json!({"type": "txn_ok", "in_reply_to": 110,
            "txn": [["append", 1, 1], ["r", 1, [1]], ["w", 2, 3]]})
    );
    let r = ask(
        &mut node,
        111,
        json!({"type": "txn", "txn": [["r", 2, null], ["r", 3, null], ["append", 2, 4]]}),
    );
    assert_eq!(r["code"], 12, "append to a register: {r}");

    // Control messages are answered by the runtime, as over TCP.
    let r = ask(&mut node, 105, json!({"type": "schism/state"}));
    assert_eq!(r["type"], "schism/state_ok", "{r}");
    assert_eq!(r["node"], "n1");
    assert_eq!(r["state"]["role"], "leader", "{r}");
    assert!(r["byzantine"].is_object(), "{r}");

    // The end of stdin ends the node, cleanly.
    node.close_stdin();
    let status = node.wait(Duration::from_secs(5)).expect("it exits");
    assert!(status.success(), "{status}; stderr:\n{}", node.stderr());
}

#[test]
fn raft_on_stdio_serves_a_register() {
    single_node_register("raft", &[]);
}

#[test]
fn paxos_on_stdio_serves_a_register() {
    single_node_register("paxos", &[]);
}

#[test]
fn the_txn_early_read_bug_is_a_flag_of_both() {
    single_node_register("raft", &["--bug", "txn-early-read"]);
    single_node_register("paxos", &["--bug", "txn-early-read"]);
}

#[test]
fn stdio_skips_bad_lines_and_skews_its_clock_on_request() {
    let mut node = Process::spawn(&schism_node(), &["raft", "--stdio"]);
    node.send(json!("not an envelope"));
    node.send(json!({"src": "c0", "dest": "n1",
        "body": {"type": "init", "msg_id": 1, "node_id": "n1", "node_ids": ["n1", "n2"]}}));
    assert!(
        node.reply_to(1, Duration::from_secs(5)).is_some(),
        "{}",
        node.stderr()
    );
    let r = ask(
        &mut node,
        2,
        json!({"type": "schism/clock", "offset_ms": 1500}),
    );
    assert_eq!(
        (&r["type"], &r["offset_ms"]),
        (&json!("schism/clock_ok"), &json!(1500)),
        "{r}"
    );
    let r = ask(&mut node, 3, json!({"type": "schism/state"}));
    assert_eq!(r["clock_offset_ms"], 1500, "{r}");
    assert!(
        node.stderr().contains("not an envelope"),
        "{}",
        node.stderr()
    );
}
