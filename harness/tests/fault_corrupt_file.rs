//! `corrupt-file` on real containers: schism's own Raft on 3 nodes, each fault killing a
//! node, damaging one file of its data directory (through the engine's archive API) and
//! starting it again. The run ends with a verdict (not an error), every fault's record
//! names the node's file, offset, bytes and mode, every fault is healed, and nothing of the
//! run is left.

mod common;
use common::{faults_applied_and_healed, run_docker};
use serde_json::Value;

#[test]
fn raft_under_corrupt_file_ends_with_a_verdict_and_records_the_damage() {
    let args = [
        "--system",
        "raft",
        "--nodes",
        "3",
        "--time-limit",
        "15",
        "--recovery",
        "2",
        "--nemesis",
        "corrupt-file",
        "--nemesis-interval",
        "2",
        "--nemesis-duration",
        "2",
        "--client-timeout-ms",
        "500",
        "--seed",
        "7",
    ];
    let (code, out, r) = run_docker("corrupt", "raft", &args);
    assert!(
        matches!(code, Some(0 | 1)),
        "a verdict, not an error: {out}"
    );
    let history = r["history"].as_str().unwrap_or("");
    assert!(faults_applied_and_healed(history) >= 2, "{out}");
    let mut damaged = 0;
    for line in history.lines() {
        let op: Value = serde_json::from_str(line).unwrap();
        if op["f"] != "start-corrupt-file" || op["value"].get("applied").is_none() {
            continue;
        }
        let fault = &op["value"]["applied"];
        let mode = fault["mode"].as_str().unwrap();
        assert!(["flip", "zero", "truncate"].contains(&mode), "{line}");
        let answers = op["value"]["answers"].as_object().expect("answers");
        for node in fault["nodes"].as_array().unwrap() {
            let a = &answers[node.as_str().unwrap()];
            if a.get("error").is_some() {
                continue;
            }
            let file = a["file"].as_str().unwrap();
            assert!(file.starts_with("/data/"), "{line}");
            let (offset, bytes, size) = (
                a["offset"].as_u64().unwrap(),
                a["bytes"].as_u64().unwrap(),
                a["size"].as_u64().unwrap(),
            );
            assert_eq!(a["mode"], mode);
            assert!(bytes >= 1 && offset + bytes <= size, "{line}");
            let before = a["before_hex"].as_str().unwrap();
            assert_eq!(before.len() as u64, 2 * bytes.min(64), "{line}");
            if mode == "flip" {
                assert_ne!(a["after_hex"], a["before_hex"], "{line}");
            }
            damaged += 1;
        }
    }
    assert!(damaged >= 1, "no file was damaged:\n{history}");
}
