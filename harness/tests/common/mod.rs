//! What the end-to-end tests of `schism` share: running it, a fresh store, and counting
//! what a Docker run left behind. (Each test binary uses part of it.)
#![allow(dead_code)]

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

/// Run the `schism` binary with these arguments.
pub fn schism(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_schism"))
        .args(args)
        .output()
        .expect("schism runs")
}

/// A fresh, empty store directory for one test.
pub fn store(prefix: &str, name: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("schism-{prefix}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    p
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Containers and networks labelled with this run that still exist.
/// Every container labelled `schism.run`, one line each as `format` (a `docker ps
/// --format` template) says.
pub fn schism_containers(format: &str) -> Vec<String> {
    let o = Command::new("docker")
        .args([
            "ps",
            "-a",
            "--filter",
            "label=schism.run",
            "--format",
            format,
        ])
        .output()
        .expect("docker cli");
    text(&o.stdout).lines().map(str::to_string).collect()
}

pub fn leftovers(run_id: &str) -> (usize, usize) {
    let count = |args: &[&str]| {
        let o = Command::new("docker")
            .args(args)
            .output()
            .expect("docker cli");
        text(&o.stdout)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .count()
    };
    let label = format!("label=schism.run={run_id}");
    (
        count(&["ps", "-aq", "--filter", &label]),
        count(&["network", "ls", "-q", "--filter", &label]),
    )
}

/// After a test's cluster is torn down: nothing of `run_id` remains, then the test's own
/// outcome (its panic, when it failed).
pub fn settle<T>(run_id: &str, outcome: std::thread::Result<T>) -> T {
    assert_eq!(
        leftovers(run_id),
        (0, 0),
        "containers or networks of {run_id} remain"
    );
    outcome.unwrap_or_else(|p| std::panic::resume_unwind(p))
}

/// The powerfs mounts (and their directory) a run left on this host.
pub fn power_mounts(run_id: &str) -> usize {
    let dir = std::env::temp_dir().join("schism-powerfs").join(run_id);
    let info = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let mounts = info
        .lines()
        .filter(|l| l.contains("schism-powerfs") && l.contains(run_id))
        .count();
    mounts + usize::from(dir.exists())
}

/// A short run of a built-in system: `--system SYSTEM --workload WORKLOAD`, 3 nodes, 6
/// workers, `seconds` long, then `extra`; as [`run_docker`] (stored under SYSTEM/NAME).
pub fn run_system(
    system: &str,
    name: &str,
    workload: &str,
    seconds: &str,
    extra: &[&str],
) -> (Option<i32>, String, Value) {
    let mut args = vec![
        "--system",
        system,
        "--workload",
        workload,
        "--nodes",
        "3",
        "--time-limit",
        seconds,
        "--concurrency",
        "6",
    ];
    args.extend_from_slice(extra);
    run_docker(system, name, &args)
}

/// `schism run` with these arguments into a fresh store: its exit code, its output, and
/// its results.json with the history added (as `history`, JSON lines). Asserts that no
/// container or network of the run is left.
pub fn run_docker(prefix: &str, name: &str, args: &[&str]) -> (Option<i32>, String, Value) {
    let st = store(prefix, name);
    let mut all = vec!["run", "--store", st.to_str().unwrap()];
    all.extend_from_slice(args);
    let o = schism(&all);
    let out = format!("{}{}", text(&o.stdout), text(&o.stderr));
    let mut r: Value = serde_json::from_str(
        &std::fs::read_to_string(st.join("latest/results.json"))
            .unwrap_or_else(|_| panic!("{out}")),
    )
    .unwrap();
    let run_id = r["run_id"].as_str().unwrap().to_string();
    assert_eq!(
        leftovers(&run_id),
        (0, 0),
        "containers or networks of {run_id} remain"
    );
    assert_eq!(
        power_mounts(&run_id),
        0,
        "powerfs mounts of {run_id} remain"
    );
    let history = std::fs::read_to_string(st.join("latest/history.jsonl")).unwrap_or_default();
    r["history"] = Value::String(history);
    r["node_logs"] = Value::String(node_logs(&st.join("latest/nodes")));
    let _ = std::fs::remove_dir_all(&st);
    (o.status.code(), out, r)
}

/// Every node log of a run's `nodes/` directory, one after the other.
fn node_logs(dir: &std::path::Path) -> String {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap_or_default())
        .collect()
}

/// Of a history's JSON lines: how many faults were applied; asserts that each applied
/// fault was healed (as many `stop-X` with `healed` as `start-X` with `applied`, per
/// kind) and that no nemesis op carries an error.
pub fn faults_applied_and_healed(history: &str) -> usize {
    let mut applied = std::collections::BTreeMap::<String, (usize, usize)>::new();
    for line in history.lines() {
        let Ok(op) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if op["process"] != "nemesis" {
            continue;
        }
        assert!(op["value"].get("error").is_none(), "a fault failed: {line}");
        let f = op["f"].as_str().unwrap_or("");
        if let Some(kind) = f.strip_prefix("start-") {
            applied.entry(kind.into()).or_default().0 +=
                op["value"].get("applied").is_some() as usize;
        } else if let Some(kind) = f.strip_prefix("stop-") {
            applied.entry(kind.into()).or_default().1 +=
                op["value"].get("healed").is_some() as usize;
        }
    }
    for (kind, (started, healed)) in &applied {
        assert_eq!(
            started, healed,
            "{kind}: applied {started}, healed {healed}"
        );
    }
    applied.values().map(|(s, _)| s).sum()
}

/// Whether a deliberate bug shows depends on real timing: run up to `tries` times (the
/// attempt's number given), until a run exits 1 (invalid); its output and results. Every
/// other run must exit 0 (valid); when none is invalid, the test fails with their output.
pub fn first_invalid(
    tries: usize,
    mut run: impl FnMut(usize) -> (Option<i32>, String, Value),
) -> (String, Value) {
    let mut outs = Vec::new();
    for attempt in 0..tries {
        let (code, out, r) = run(attempt);
        if code == Some(1) {
            return (out, r);
        }
        assert_eq!(code, Some(0), "{out}");
        outs.push(out);
    }
    panic!("the bug went unseen in {tries} runs:\n{}", outs.join("\n"));
}

/// Of a history's JSON lines: how many partitions were applied with a leader named (the
/// system's `leader:` found one for `isolate-leader`).
pub fn leader_isolations(history: &str) -> usize {
    history
        .lines()
        .filter(|l| l.contains("\"start-partition\"") && l.contains("\"applied\""))
        .filter(|l| l.contains("\"leader\":\"n"))
        .count()
}
