//! `schism-node wrap`: a Maelstrom binary (here `schism-node raft --stdio` itself) run
//! inside the TCP runtime, three real processes on 127.0.0.1: peers reach each other
//! through the runtime, clients are answered on their connections, control messages are
//! the runtime's; a binary that fails at once is named, and its exit code passed on.

mod common;

use common::client::{request, until_led};
use common::process::Process;
use common::{free_port, schism_node};
use serde_json::json;
use std::net::SocketAddr;
use std::time::Duration;

/// Three wrapped Raft nodes on free ports (killed when dropped).
fn wrapped_raft() -> (Vec<Process>, Vec<(String, SocketAddr)>) {
    let nodes: Vec<(String, SocketAddr)> = (1..=3)
        .map(|i| {
            let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
            (format!("n{i}"), addr)
        })
        .collect();
    let all: Vec<String> = nodes.iter().map(|(n, a)| format!("{n}={a}")).collect();
    let all = all.join(",");
    let bin = schism_node();
    let procs = nodes
        .iter()
        .map(|(name, addr)| {
            let listen = addr.to_string();
            Process::spawn(
                &bin,
                &[
                    "wrap", "--id", name, "--nodes", &all, "--listen", &listen, "--", &bin, "raft",
                    "--stdio",
                ],
            )
        })
        .collect();
    (procs, nodes)
}

#[test]
fn wrapped_raft_nodes_replicate_over_tcp() {
    let (procs, nodes) = wrapped_raft();
    let within = Duration::from_secs(20);
    let logs = || {
        let l: Vec<String> = procs.iter().map(|p| p.stderr()).collect();
        l.join("\n---\n")
    };
    let (wrote_at, r) = until_led(
        &nodes,
        0,
        "c1",
        json!({"type": "write", "key": 0, "value": 5}),
        within,
    );
    assert_eq!(r["type"], "write_ok", "{r}; logs:\n{}", logs());
    // Read back starting at another node: it follows the leader it names.
    let other = (nodes.iter().position(|(n, _)| *n == wrote_at).unwrap() + 1) % nodes.len();
    let (_, r) = until_led(
        &nodes,
        other,
        "c2",
        json!({"type": "read", "key": 0}),
        within,
    );
    assert_eq!(
        (&r["type"], &r["value"]),
        (&json!("read_ok"), &json!(5)),
        "{r}"
    );
    let (_, r) = until_led(
        &nodes,
        other,
        "c3",
        json!({"type": "cas", "key": 0, "from": 4, "to": 6}),
        within,
    );
    assert_eq!(r["code"], 22, "a cas with the wrong from: {r}");

    // Control messages are the runtime's, not the wrapped binary's.
    let state = request(
        nodes[1].1,
        "schism",
        "n2",
        json!({"type": "schism/state", "msg_id": 7}),
    )
    .unwrap_or_else(|| panic!("no state; logs:\n{}", logs()));
    assert_eq!(state["type"], "schism/state_ok", "{state}");
    assert_eq!(state["node"], "n2", "{state}");
    assert_eq!(
        state["wrapped"],
        format!("{} raft --stdio", schism_node()),
        "the whole wrapped command: {state}"
    );
    assert!(state["byzantine"].is_object(), "{state}");
    let clock = request(
        nodes[1].1,
        "schism",
        "n2",
        json!({"type": "schism/clock", "msg_id": 8, "offset_ms": 100}),
    )
    .expect("a clock answer");
    assert_eq!(
        (&clock["type"], &clock["code"]),
        (&json!("error"), &json!(10)),
        "{clock}"
    );
    assert!(
        clock["text"].as_str().unwrap_or("").contains("wrapped"),
        "{clock}"
    );
}

#[test]
fn a_wrapped_binary_that_exits_at_once_is_named() {
    let port = free_port().to_string();
    let nodes = format!("n1=127.0.0.1:{port}");
    let mut p = Process::spawn(
        &schism_node(),
        &["wrap", "--id", "n1", "--nodes", &nodes, "--", "/bin/false"],
    );
    let status = p.wait(Duration::from_secs(15)).expect("schism-node exits");
    assert!(!status.success(), "{status}");
    let err = p.stderr();
    assert!(
        err.contains("/bin/false") && err.contains("exited with code 1"),
        "{err}"
    );
}

#[test]
fn the_wrapped_binary_s_exit_code_and_stderr_are_passed_on() {
    // Answers init, prints a line that is no envelope, then exits with 7.
    let script = r#"read line
echo '{"src":"n1","dest":"c0","body":{"type":"init_ok","in_reply_to":1}}'
echo 'no envelope'
echo 'last words' >&2
sleep 0.2
exit 7"#;
    let port = free_port().to_string();
    let nodes = format!("n1=127.0.0.1:{port}");
    let mut p = Process::spawn(
        &schism_node(),
        &[
            "wrap", "--id", "n1", "--nodes", &nodes, "--", "/bin/sh", "-c", script,
        ],
    );
    let status = p.wait(Duration::from_secs(15)).expect("schism-node exits");
    assert_eq!(status.code(), Some(7), "stderr:\n{}", p.stderr());
    let err = p.stderr();
    assert!(err.contains("last words"), "its stderr is copied: {err}");
    assert!(err.contains("no envelope"), "the bad line is logged: {err}");
}
