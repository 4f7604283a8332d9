//! `schism bench` end to end on the in-process `memory` system (no Docker), with `--rate`
//! limits so throughput is predictable: bench.json and bench.html with a point per level, a
//! bench at half the rate failing against the first as its baseline, the same rate passing,
//! healthy and faulted latencies with a nemesis, bad baselines and flags refused before
//! anything runs, and a run that cannot run stopping the bench (255).
//!
//! The memory system's rate-limited throughput varies by some 10 % from run to run (the
//! rate limiter's timers), so the comparisons here allow 25 %: half the rate is a drop of
//! about 45 %.

mod common;
use common::{schism, text};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

fn store(name: &str) -> PathBuf {
    common::store("bench", name)
}

/// A fast memory bench at levels 1 and 2, one seed, with these extra args.
fn bench(store: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "bench",
        "--system",
        "memory",
        "--time-limit",
        "1",
        "--recovery",
        "0",
        "--concurrency-levels",
        "1,2",
        "--seeds",
        "1",
        "--seed",
        "42",
        "--store",
        store.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    schism(&args)
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn a_bench_measures_every_level_and_gates_on_its_baseline() {
    let st = store("gate");
    let first = st.join("first");
    let o = bench(&st, &first, &["--rate", "200", "--nemesis", "none"]);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(err.starts_with("seed: 42"), "{err}");

    let json = read_json(&first.join("bench.json"));
    assert_eq!(json["status"], "complete");
    assert_eq!(json["levels"], serde_json::json!([1, 2]));
    assert!(json["machine"]["cores"].as_u64().unwrap() >= 1);
    assert_eq!(json["command"][1], "bench");
    assert_eq!(json["rate"], 200.0);
    let points = json["points"].as_array().unwrap();
    assert_eq!(points.len(), 2);
    for (p, level) in points.iter().zip([1, 2]) {
        assert_eq!(p["concurrency"], level);
        // At most the rate (with a little room for the first op), and well above half.
        let t = p["throughput"]["mean"].as_f64().unwrap();
        assert!(t > 80.0 && t <= 205.0, "{p}");
        assert!(
            p["latency_ms"]["p99"]["mean"].as_f64().unwrap() > 0.0,
            "{p}"
        );
        let q = &p["latency_ms"];
        assert!(
            q["p50"]["mean"].as_f64() <= q["max"]["mean"].as_f64(),
            "{p}"
        );
        assert_eq!(p["valid"], 1);
        let runs = p["runs"].as_array().unwrap();
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0]["seed"], 42);
        assert_eq!(runs[0]["valid"], true);
        let dir = PathBuf::from(runs[0]["dir"].as_str().unwrap());
        assert!(
            dir.starts_with(st.join(format!("memory-register-concurrency={level}"))),
            "{}",
            dir.display()
        );
        assert!(dir.join("history.jsonl").exists());
    }
    let html = std::fs::read_to_string(first.join("bench.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(html.matches("<svg").count(), 2);
    assert!(!html.contains("<script"));
    assert!(html.contains("Throughput against concurrency"));
    // The table of points is printed too.
    assert!(out.starts_with("concurrency  ok ops/s"), "{out}");
    assert_eq!(out.lines().count(), 3, "{out}");

    let baseline = first.join("bench.json");
    let half = st.join("half");
    let o = bench(
        &st,
        &half,
        &[
            "--rate",
            "100",
            "--nemesis",
            "none",
            "--baseline",
            baseline.to_str().unwrap(),
            "--tolerance",
            "0.25",
        ],
    );
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(out.contains("OUTSIDE"), "{out}");
    assert!(
        out.contains("FAIL: throughput fell by more than 25 %"),
        "{out}"
    );
    let c = &read_json(&half.join("bench.json"))["comparison"];
    assert_eq!(c["passed"], false);
    assert_eq!(c["baseline"], baseline.to_str().unwrap());
    let drops: Vec<f64> = c["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["metric"] == "throughput")
        .map(|r| r["change"].as_f64().unwrap())
        .collect();
    assert_eq!(drops.len(), 2, "{c}");
    assert!(drops.iter().all(|d| *d < -0.25), "{c}");
    assert!(std::fs::read_to_string(half.join("bench.html"))
        .unwrap()
        .contains("Against the baseline"));

    let again = st.join("again");
    let o = bench(
        &st,
        &again,
        &[
            "--rate",
            "200",
            "--nemesis",
            "none",
            "--baseline",
            baseline.to_str().unwrap(),
            "--tolerance",
            "0.25",
        ],
    );
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(out.contains("within"), "{out}");
    assert!(!out.contains("FAIL"), "{out}");
    assert_eq!(
        read_json(&again.join("bench.json"))["comparison"]["passed"],
        true
    );
    std::fs::remove_dir_all(&st).unwrap();
}

#[test]
fn with_a_nemesis_latencies_are_split_healthy_and_under_faults() {
    let st = store("faults");
    let out_dir = st.join("out");
    let o = schism(&[
        "bench",
        "--system",
        "memory",
        "--time-limit",
        "1",
        "--recovery",
        "0",
        "--rate",
        "300",
        "--nemesis",
        "partition",
        "--nemesis-interval",
        "0.2",
        "--nemesis-duration",
        "0.2",
        "--seeds",
        "1",
        "--store",
        st.to_str().unwrap(),
    ]);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    // Without --out: STORE/benches/<time>/, and STORE/benches/latest.
    let json = read_json(&st.join("benches/latest/bench.json"));
    assert!(!out_dir.exists());
    assert_eq!(json["nemesis"], serde_json::json!(["partition"]));
    // Without --concurrency-levels: the spec's concurrency.
    let points = json["points"].as_array().unwrap();
    assert_eq!(points.len(), 1);
    let p = &points[0];
    assert!(p["healthy_ms"]["p50"]["mean"].as_f64().is_some(), "{p}");
    assert!(p["faulted_ms"]["p50"]["mean"].as_f64().is_some(), "{p}");
    let f = &p["runs"][0]["figures"];
    assert!(f["faulted_ops"].as_u64().unwrap() > 0, "{f}");
    // Faults of 0.2 s after every 0.2 s healthy: about half of the main phase.
    let fault_s = f["fault_s"].as_f64().unwrap();
    assert!(fault_s > 0.2 && fault_s < 0.8, "{f}");
    let html = std::fs::read_to_string(st.join("benches/latest/bench.html")).unwrap();
    assert!(html.contains("Healthy and under faults"));
    std::fs::remove_dir_all(&st).unwrap();
}

#[test]
fn bad_baselines_and_flags_are_named_and_nothing_runs() {
    let st = store("bad");
    std::fs::create_dir_all(&st).unwrap();
    let garbage = st.join("garbage.json");
    std::fs::write(&garbage, "{\"points\": \"no\"").unwrap();
    let other = st.join("other.json");
    std::fs::write(
        &other,
        r#"{"status": "complete", "machine": {"cores": 1, "os": "linux", "arch": "x86_64"},
            "points": [{"concurrency": 16, "throughput": {"mean": 1, "min": 1, "max": 1},
                        "latency_ms": null}]}"#,
    )
    .unwrap();
    let runs = st.join("runs");
    let out = st.join("out");
    let g = garbage.to_str().unwrap();
    let (missing, oth) = (st.join("missing.json"), other.to_str().unwrap());
    for (extra, says) in [
        (vec!["--baseline", g], "garbage.json: not a bench.json"),
        (
            vec!["--baseline", missing.to_str().unwrap()],
            "missing.json: cannot read it",
        ),
        (
            vec!["--baseline", oth],
            "other.json: no point matches a concurrency level of this bench (it has 16; this \
             bench runs 1, 2)",
        ),
        (vec!["--concurrency-levels", "0"], "at least 1"),
        (vec!["--seeds", "0"], "--seeds must be at least 1"),
        (vec!["--tolerance", "-0.1"], "--tolerance must be"),
        (vec!["--nodes", "0"], "nodes must be"),
    ] {
        let mut args = vec![
            "bench",
            "--system",
            "memory",
            "--concurrency-levels",
            "1,2",
            "--store",
            runs.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(extra);
        let o = schism(&args);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(254), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!runs.exists() && !out.exists(), "nothing runs: {args:?}");
    }
    std::fs::remove_dir_all(&st).unwrap();
}

#[test]
fn a_run_that_cannot_run_stops_the_bench_with_255() {
    let st = store("broken");
    std::fs::create_dir_all(&st).unwrap();
    // The store is a file: no run can make its directory.
    let not_a_dir = st.join("store-file");
    std::fs::write(&not_a_dir, "").unwrap();
    let out = st.join("out");
    let o = bench(&not_a_dir, &out, &["--rate", "100", "--nemesis", "none"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(255), "{err}");
    assert!(err.contains("could not run"), "{err}");
    let json = read_json(&out.join("bench.json"));
    assert_eq!(json["status"], "stopped");
    assert_eq!(json["points"][0]["errors"], 1);
    assert_eq!(json["points"][0]["runs"][0]["seed"], 42);
    assert_eq!(json["points"][1]["runs"], serde_json::json!([]));
    std::fs::remove_dir_all(&st).unwrap();
}
