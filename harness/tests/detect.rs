//! `schism detect` end to end on real containers: a small matrix (raft's
//! `txn-early-read` and paxos's `txn-blind-cas`, each beside its system without the bug,
//! the default faults, two short runs per cell); its detection.md is a well-formed table
//! with one line per cell, the systems without a bug are never invalid, the chart is
//! written beside the doc, and no container is left. Unknown bugs are refused before
//! anything runs.

mod common;
use common::{leftovers, schism, text};

#[test]
fn a_small_matrix_is_tabulated_and_the_correct_systems_are_never_invalid() {
    let st = common::store("detect", "small");
    let doc = st.join("doc").join("detection.md");
    std::fs::create_dir_all(doc.parent().unwrap()).unwrap();
    let o = schism(&[
        "detect",
        "--bugs",
        "raft:txn-early-read,paxos:txn-blind-cas",
        "--faults",
        "default",
        "--runs",
        "2",
        "--nodes",
        "3",
        "--time-limit",
        "8",
        "--recovery",
        "1",
        "--seed",
        "700",
        "--store",
        st.to_str().unwrap(),
        "--doc",
        doc.to_str().unwrap(),
    ]);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    let dir = st.join("detects").join("latest");
    let md = std::fs::read_to_string(dir.join("detection.md")).unwrap();
    assert_eq!(
        md,
        std::fs::read_to_string(&doc).unwrap(),
        "--doc has the same table"
    );
    assert!(md.contains("![") && md.contains("(detection.svg)"), "{md}");
    let svg = std::fs::read_to_string(doc.with_file_name("detection.svg")).unwrap();
    assert!(
        svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
        "{svg}"
    );

    // The table: a header, its alignment row, then one line per cell.
    let rows: Vec<Vec<&str>> = md
        .lines()
        .filter(|l| l.starts_with("| "))
        .map(|l| l.trim_matches('|').split(" | ").map(str::trim).collect())
        .collect();
    assert_eq!(rows[0][0], "system", "{md}");
    let cells = &rows[1..];
    let expected = [
        ("raft", "txn-early-read", "list-append"),
        ("paxos", "txn-blind-cas", "bank"),
        ("raft", "none", "list-append"),
        ("paxos", "none", "bank"),
    ];
    assert_eq!(cells.len(), expected.len(), "{md}");
    for (row, (system, bug, workload)) in cells.iter().zip(expected) {
        assert_eq!(row.len(), rows[0].len(), "{row:?}");
        assert_eq!(
            (row[0], row[1], row[2], row[3]),
            (system, bug, workload, "default")
        );
        let (caught, runs) = row[4].split_once('/').unwrap();
        assert_eq!(runs, "2", "{row:?}");
        let caught: usize = caught.parse().unwrap();
        if bug == "none" {
            assert_eq!(caught, 0, "a system without a bug was found invalid: {md}");
        } else if caught > 0 {
            // A caught bug has a time to its first anomaly, inside the run.
            let t: f64 = row[6].trim_end_matches(" s").parse().unwrap();
            assert!(t > 0.0 && t < 20.0, "{row:?}");
        }
    }
    assert!(md.contains("No false positive"), "{md}");
    // The sweep's own record is there too, each run with its results.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("sweep.json")).unwrap()).unwrap();
    assert_eq!(json["runs_done"], 8, "{json}");
    for cell in json["cells"].as_array().unwrap() {
        for r in cell["results"].as_array().unwrap() {
            let results = std::path::Path::new(r["dir"].as_str().unwrap()).join("results.json");
            let results: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(results).unwrap()).unwrap();
            let id = results["run_id"].as_str().unwrap();
            assert_eq!(
                leftovers(id),
                (0, 0),
                "containers or networks of {id} remain"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&st);
}

#[test]
fn an_unknown_bug_is_named_and_nothing_runs() {
    let st = common::store("detect", "unknown");
    let o = schism(&[
        "detect",
        "--bugs",
        "raft:no-such-bug",
        "--store",
        st.to_str().unwrap(),
    ]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(254), "{err}");
    assert!(
        err.contains("raft:no-such-bug") && err.contains("raft:stale-read"),
        "{err}"
    );
    assert!(!st.join("detects").exists());
}
