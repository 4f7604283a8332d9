//! `schism sweep` end to end on the in-process `memory` system (no Docker): a 2×2 grid with
//! two runs per cell, its sweep.json and sweep.md, and bad params and cells refused before
//! anything runs.

mod common;
use common::{schism, text};
use std::path::{Path, PathBuf};
use std::process::Output;

fn store(name: &str) -> PathBuf {
    common::store("sweep", name)
}

/// A fast memory sweep with these extra args.
fn sweep(store: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "sweep",
        "--system",
        "memory",
        "--time-limit",
        "0.3",
        "--recovery",
        "0",
        "--nemesis",
        "none",
        "--store",
        store.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    schism(&args)
}

#[test]
fn a_grid_runs_every_cell_with_consecutive_seeds() {
    let st = store("grid");
    let o = sweep(
        &st,
        &[
            "--param",
            "concurrency=1,2",
            "--param",
            "read-fraction=0.25,0.75",
            "--test-count",
            "2",
            "--seed",
            "500",
        ],
    );
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(err.starts_with("seed: 500"), "{err}");

    let dir = st.join("sweeps").join("latest");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("sweep.json")).unwrap()).unwrap();
    assert_eq!(json["status"], "complete");
    assert_eq!(json["runs_done"], 8);
    let cells = json["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 4);
    let expected = [("1", "0.25"), ("1", "0.75"), ("2", "0.25"), ("2", "0.75")];
    for (cell, (c, r)) in cells.iter().zip(expected) {
        assert_eq!(
            cell["params"],
            serde_json::json!({"concurrency": c, "read-fraction": r})
        );
        assert_eq!(cell["runs"], 2, "{cell}");
        assert_eq!(cell["valid"], 2, "{cell}");
        assert_eq!(cell["checkers"]["linearizable"]["runs"], 2, "{cell}");
        assert!(cell["mean_ops_per_s"].as_f64().unwrap() > 0.0, "{cell}");
        let seeds: Vec<u64> = cell["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["seed"].as_u64().unwrap())
            .collect();
        assert_eq!(seeds, vec![500, 501]);
        // Each run is stored under the cell's name, with the spec it ran.
        let name = cell["name"].as_str().unwrap();
        assert_eq!(
            name,
            format!("memory-register-concurrency={c}-read-fraction={r}")
        );
        for run in cell["results"].as_array().unwrap() {
            let run_dir = PathBuf::from(run["dir"].as_str().unwrap());
            assert!(run_dir.starts_with(st.join(name)), "{}", run_dir.display());
            let spec = std::fs::read_to_string(run_dir.join("spec.yaml")).unwrap();
            assert!(spec.contains(&format!("concurrency: {c}")), "{spec}");
            assert!(spec.contains(&format!("read_fraction: {r}")), "{spec}");
        }
    }

    let md = std::fs::read_to_string(dir.join("sweep.md")).unwrap();
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
    assert_eq!(rows.len(), 6, "{md}");
    assert!(
        rows[0].starts_with("| concurrency | read-fraction | runs | valid | invalid |"),
        "{}",
        rows[0]
    );
    assert!(
        rows[2].starts_with("| 1 | 0.25 | 2 | 2 | 0 | 0 | 0/2 |"),
        "{}",
        rows[2]
    );
    // The table is printed at the end too.
    assert_eq!(
        out.lines().filter(|l| l.starts_with('|')).count(),
        6,
        "{out}"
    );
    std::fs::remove_dir_all(&st).unwrap();
}

#[test]
fn an_unknown_field_is_named_and_nothing_runs() {
    let st = store("nodez");
    let o = sweep(&st, &["--param", "nodez=1"]);
    assert_eq!(o.status.code(), Some(254), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("nodez"), "{}", text(&o.stderr));
    assert!(!st.exists(), "nothing is stored");

    let o = sweep(&st, &["--param", "nodes="]);
    assert_eq!(o.status.code(), Some(254));
    assert!(text(&o.stderr).contains("nodes"), "{}", text(&o.stderr));
}

#[test]
fn a_cell_with_an_invalid_spec_is_named_before_anything_runs() {
    let st = store("nodes0");
    let o = sweep(&st, &["--param", "nodes=3,0"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(254), "{err}");
    assert!(
        err.contains("nodes=0") && err.contains("nodes must be"),
        "{err}"
    );
    assert!(!st.exists(), "nothing ran: {err}");
}
