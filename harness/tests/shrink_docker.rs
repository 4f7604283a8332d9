//! `schism shrink` end to end: a real failing run (schism's Raft with its `stale-read`
//! bug, in containers, the leader cut off now and then) shrunk with a small budget; the
//! result has no more faults than the run, its spec parses and holds the schedule and
//! replays it (`schism run shrink/spec.yaml` applies exactly those faults, each partition
//! re-aimed at the leader of the replay with `--reaim-leader`), shrink.json
//! is well formed, and no container is left. And runs that cannot be shrunk are refused.

mod common;
use common::{leftovers, schism, store, text};
use harness::spec::TestSpec;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The run ids of every run stored under `dir` (any depth).
fn run_ids(dir: &Path) -> Vec<String> {
    let mut ids = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return ids;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_symlink() {
            continue;
        }
        if p.is_dir() {
            ids.extend(run_ids(&p));
        } else if p.file_name().is_some_and(|n| n == "results.json") {
            let r: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            ids.push(r["run_id"].as_str().unwrap().to_string());
        }
    }
    ids
}

/// The fault values a history applied, in order.
fn faults_started(history: &str) -> Vec<Value> {
    history
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|o| o["process"] == "nemesis" && o["value"].get("fault").is_some())
        .map(|o| o["value"].clone())
        .collect()
}

/// An invalid run in `st`: a few seeds, until one is (whether the bug shows depends on
/// real timing). Its directory.
fn failing_run(st: &Path) -> PathBuf {
    let mut outs = Vec::new();
    for seed in ["1", "2", "3", "4"] {
        let o = schism(&[
            "run",
            "--store",
            st.to_str().unwrap(),
            "--system",
            "raft",
            "--bug",
            "stale-read",
            "--nodes",
            "3",
            "--time-limit",
            "12",
            "--recovery",
            "1",
            "--client-timeout-ms",
            "300",
            "--nemesis",
            "partition",
            "--shapes",
            "isolate-leader",
            "--nemesis-interval",
            "1",
            "--nemesis-duration",
            "3",
            "--values",
            "1000",
            "--seed",
            seed,
        ]);
        let out = format!("{}{}", text(&o.stdout), text(&o.stderr));
        if o.status.code() == Some(1) {
            return st.join("latest").canonicalize().unwrap();
        }
        assert_eq!(o.status.code(), Some(0), "{out}");
        outs.push(out);
    }
    panic!("no invalid run in four seeds:\n{}", outs.join("\n"));
}

#[test]
fn a_real_failing_run_shrinks_within_its_budget_and_replays() {
    let st = store("shrink", "raft");
    let outcome = std::panic::catch_unwind(|| {
        let dir = failing_run(&st);
        let out = st.join("shrunk");
        let o = schism(&[
            "shrink",
            dir.to_str().unwrap(),
            "--tries",
            "1",
            "--max-runs",
            "5",
            "--time-budget-s",
            "240",
            "--reaim-leader",
            "--out",
            out.to_str().unwrap(),
        ]);
        let said = format!("{}{}", text(&o.stdout), text(&o.stderr));
        eprintln!("{said}");
        assert_eq!(o.status.code(), Some(0), "{said}");
        assert!(said.contains("shrink: candidate 1 (original)"), "{said}");
        assert!(said.contains("replay: schism run "), "{said}");
        let r: Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("shrink.json")).unwrap())
                .unwrap();
        let (before, after) = (
            r["faults_before"].as_u64().unwrap(),
            r["faults_after"].as_u64().unwrap(),
        );
        assert!(before >= 1 && after >= 1 && after <= before, "{r}");
        assert!(
            said.contains(&format!("faults: {before} -> {after}")),
            "{said}"
        );
        assert!(r["runs"].as_u64().unwrap() <= 5, "{r}");
        let status = r["status"].as_str().unwrap();
        assert!(
            ["complete", "budget", "not-reproduced"].contains(&status),
            "{r}"
        );
        assert!(r["run_s_after"].as_f64().unwrap() <= r["run_s_before"].as_f64().unwrap());
        let candidates = r["candidates"].as_array().unwrap();
        assert!(
            !candidates.is_empty() && candidates[0]["step"] == "original",
            "{r}"
        );
        for c in candidates {
            let o = &c["outcome"];
            assert!(o["failures"].as_u64() <= o["tries"].as_u64(), "{c}");
        }
        let rate = r["reproduction_rate"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&rate), "{r}");
        assert_eq!(r["schedule"].as_array().unwrap().len() as u64, after);
        assert_eq!(r["original"].as_array().unwrap().len() as u64, before);
        let md = std::fs::read_to_string(out.join("shrink.md")).unwrap();
        assert!(
            md.contains("| faults | ") && md.contains("Candidates tried"),
            "{md}"
        );
        // The spec parses, holds the schedule and the run's seed.
        let original = TestSpec::read(&dir.join("spec.yaml")).unwrap();
        let spec = TestSpec::read(&out.join("spec.yaml")).unwrap();
        spec.validate().unwrap();
        let schedule = spec.nemesis.schedule.clone().expect("a schedule");
        assert_eq!(schedule.len() as u64, after);
        assert_eq!(spec.seed, original.seed);
        assert!(spec.nemesis.reaim_leader);
        assert_eq!(serde_json::to_value(&schedule).unwrap(), r["schedule"]);
        // It replays: exactly its faults are applied, in order.
        let replay = st.join("replay");
        let o = schism(&[
            "run",
            out.join("spec.yaml").to_str().unwrap(),
            "--store",
            replay.to_str().unwrap(),
        ]);
        let said = format!("{}{}", text(&o.stdout), text(&o.stderr));
        assert!(matches!(o.status.code(), Some(0 | 1)), "{said}");
        let history = std::fs::read_to_string(replay.join("latest/history.jsonl")).unwrap();
        let planned: Vec<Value> = schedule
            .iter()
            .filter(|p| p.at_s < spec.time_limit_s)
            .map(|p| p.fault.clone())
            .collect();
        // Each as planned, or re-aimed at the leader of the replay.
        let applied = faults_started(&history);
        assert_eq!(applied.len(), planned.len(), "{applied:?}");
        for (got, want) in applied.iter().zip(&planned) {
            let reaimed = got["leader"]
                .as_str()
                .and_then(|l| nemesis::fixed::reaimed(want, l));
            assert!(
                got == want || reaimed.as_ref() == Some(got),
                "{got} for {want}"
            );
        }
    });
    let ids = run_ids(&st);
    assert!(
        ids.len() >= 3,
        "the run, candidates and the replay: {ids:?}"
    );
    for id in ids {
        assert_eq!(
            leftovers(&id),
            (0, 0),
            "containers or networks of {id} remain"
        );
    }
    let _ = std::fs::remove_dir_all(&st);
    outcome.unwrap_or_else(|p| std::panic::resume_unwind(p));
}

#[test]
fn runs_that_cannot_be_shrunk_are_refused() {
    let st = store("shrink", "refused");
    // A valid run (the in-process memory register: no containers).
    let o = schism(&[
        "run",
        "--store",
        st.to_str().unwrap(),
        "--system",
        "memory",
        "--time-limit",
        "0.5",
        "--nemesis",
        "none",
        "--seed",
        "3",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let dir = st.join("latest");
    let o = schism(&["shrink", dir.to_str().unwrap()]);
    let said = text(&o.stderr);
    assert_eq!(o.status.code(), Some(254), "{said}");
    assert!(
        said.contains("results.json: the run was valid, not invalid"),
        "{said}"
    );
    let o = schism(&["shrink", st.join("nothing").to_str().unwrap()]);
    let said = text(&o.stderr);
    assert_eq!(o.status.code(), Some(254), "{said}");
    assert!(said.contains("spec.yaml"), "{said}");
    let o = schism(&["shrink", dir.to_str().unwrap(), "--min-share", "2"]);
    assert_eq!(o.status.code(), Some(254));
    assert!(text(&o.stderr).contains("--min-share must be between 0 and 1"));
    assert!(
        !dir.join("shrink").exists(),
        "nothing written for a refused run"
    );
    let _ = std::fs::remove_dir_all(&st);
}
