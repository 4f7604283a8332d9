//! `schism run` against a real 3-node etcd in containers, once per nemesis, and once
//! interrupted with SIGINT: the history is well formed, every fault recorded was applied
//! and healed, etcd (with linearizable reads) is judged valid, and no container or
//! network of the run is left behind.

mod common;
use common::{leftovers, text};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One Docker run at a time: the machine has two cores.
static DOCKER: Mutex<()> = Mutex::new(());

fn store(name: &str) -> PathBuf {
    common::store("etcd", name)
}

fn results(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("results.json")).expect("results.json"))
        .expect("results.json is JSON")
}

/// Every `start-X` with `applied` has a `stop-X` with `healed`, and none has an error.
fn faults_applied_and_healed(h: &history::History, kind: &str) -> usize {
    let ops: Vec<_> = h
        .ops()
        .iter()
        .filter(|o| o.process == history::Process::Nemesis)
        .collect();
    assert!(
        ops.iter().all(|o| o.value.get("error").is_none()),
        "{ops:?}"
    );
    let applied = ops
        .iter()
        .filter(|o| o.f == format!("start-{kind}") && o.value.get("applied").is_some())
        .count();
    let healed = ops
        .iter()
        .filter(|o| o.f == format!("stop-{kind}") && o.value.get("healed").is_some())
        .count();
    assert_eq!(applied, healed, "{kind}");
    applied
}

#[test]
fn a_short_run_under_each_nemesis_is_valid_and_leaves_nothing() {
    let _one = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
    for kind in ["partition", "kill", "pause", "loss"] {
        let st = store(kind);
        let o: Output = Command::new(env!("CARGO_BIN_EXE_schism"))
            .args([
                "run",
                "--system",
                "etcd",
                "--nodes",
                "3",
                "--concurrency",
                "6",
                "--time-limit",
                "6",
                "--nemesis",
                kind,
                "--nemesis-interval",
                "1",
                "--nemesis-duration",
                "1.5",
                "--recovery",
                "1",
                "--max-faulty",
                "1",
                "--store",
                st.to_str().unwrap(),
            ])
            .output()
            .expect("schism runs");
        let out = format!("{}{}", text(&o.stdout), text(&o.stderr));
        let dir = st.join("latest");
        let r = results(&dir);
        let run_id = r["run_id"].as_str().expect("run_id").to_string();
        assert_eq!(
            leftovers(&run_id),
            (0, 0),
            "{kind}: objects of {run_id} remain"
        );
        assert_eq!(o.status.code(), Some(0), "{kind}: {out}");
        assert_eq!(r["valid"], serde_json::json!(true), "{kind}: {out}");
        let (h, _) = history::format::read_path(&dir.join("history.jsonl"), None, None)
            .expect("the history is well formed");
        assert!(
            faults_applied_and_healed(&h, kind) >= 1,
            "{kind}: a fault happened: {out}"
        );
        assert!(r["ops"]["ok"].as_u64().unwrap_or(0) > 100, "{kind}: {out}");
        for n in ["n1", "n2", "n3"] {
            let log = std::fs::read_to_string(dir.join("nodes").join(format!("{n}.log")))
                .unwrap_or_default();
            assert!(log.contains("etcd"), "{kind}: {n}'s log was saved");
        }
        std::fs::remove_dir_all(&st).unwrap();
    }
}

#[test]
fn an_interrupted_run_heals_tears_down_and_checks_what_it_recorded() {
    let _one = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
    let st = store("sigint");
    let child = Command::new(env!("CARGO_BIN_EXE_schism"))
        .args([
            "run",
            "--system",
            "etcd",
            "--nodes",
            "3",
            "--concurrency",
            "4",
            "--time-limit",
            "120",
            "--nemesis",
            "partition,kill",
            "--nemesis-interval",
            "0.5",
            "--nemesis-duration",
            "1",
            "--store",
            st.to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("schism starts");
    // Wait until ops and a fault have been recorded.
    let deadline = Instant::now() + Duration::from_secs(60);
    let history = loop {
        let found = std::fs::read_dir(st.join("etcd-register"))
            .ok()
            .and_then(|mut d| d.next())
            .and_then(|e| e.ok())
            .map(|e| e.path().join("history.jsonl"));
        if let Some(p) = &found {
            let t = std::fs::read_to_string(p).unwrap_or_default();
            if t.lines().count() > 200 && t.contains("start-partition") {
                break p.clone();
            }
        }
        assert!(Instant::now() < deadline, "the run never got going");
        std::thread::sleep(Duration::from_millis(200));
    };
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let o = child.wait_with_output().expect("schism ends");
    let out = format!("{}{}", text(&o.stdout), text(&o.stderr));
    let dir = history.parent().unwrap();
    let r = results(dir);
    assert_eq!(r["interrupted"], serde_json::json!(true), "{out}");
    let run_id = r["run_id"].as_str().unwrap().to_string();
    assert_eq!(
        leftovers(&run_id),
        (0, 0),
        "objects of {run_id} remain after SIGINT"
    );
    let (h, _) = history::format::read_path(&history, None, None).expect("well formed");
    let last_nemesis: Vec<_> = h
        .ops()
        .iter()
        .filter(|o| o.process == history::Process::Nemesis)
        .collect();
    let started = last_nemesis
        .iter()
        .filter(|o| o.f.starts_with("start-") && o.value.get("applied").is_some())
        .count();
    let healed = last_nemesis
        .iter()
        .filter(|o| o.f.starts_with("stop-") && o.value.get("healed").is_some())
        .count();
    assert_eq!(started, healed, "every fault was healed before teardown");
    assert_ne!(o.status.code(), Some(255), "{out}");
    assert!(out.contains("interrupted"), "{out}");
    std::fs::remove_dir_all(&st).unwrap();
}
