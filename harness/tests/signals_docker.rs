//! Stopping `schism run` from outside, on real containers: SIGTERM (what CI systems send
//! when they cancel a job) is handled like Ctrl-C: the run heals, tears down, checks what
//! it recorded, writes every file and exits 130, leaving nothing on the engine. SIGKILL
//! cannot be handled: what it leaves is named by the next run's notice and removed by
//! `schism clean`, and its history (whose last line may be torn) still checks.

mod common;
use common::{leftovers, text};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One Docker run at a time: the machine has two cores.
static DOCKER: Mutex<()> = Mutex::new(());

/// A raft run of 3 nodes under partitions, long enough to be stopped halfway.
fn start(store: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_schism"))
        .args([
            "run",
            "--system",
            "raft",
            "--nodes",
            "3",
            "--concurrency",
            "4",
            "--time-limit",
            "120",
            "--nemesis",
            "partition",
            "--nemesis-interval",
            "0.5",
            "--nemesis-duration",
            "1",
            "--store",
            store.to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("schism starts")
}

/// Wait until the run has recorded ops and a fault; its history file.
fn wait_for_ops(store: &Path) -> PathBuf {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let found = std::fs::read_dir(store.join("raft-register"))
            .ok()
            .and_then(|mut d| d.next())
            .and_then(|e| e.ok())
            .map(|e| e.path().join("history.jsonl"));
        if let Some(p) = &found {
            let t = std::fs::read_to_string(p).unwrap_or_default();
            if t.lines().count() > 100 && t.contains("start-partition") {
                return p.clone();
            }
        }
        assert!(Instant::now() < deadline, "the run never got going");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn signal(child: &Child, sig: &str) {
    let sent = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

#[test]
fn sigterm_heals_tears_down_checks_and_exits_130() {
    let _one = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
    let st = common::store("signals", "term");
    let child = start(&st);
    let history = wait_for_ops(&st);
    signal(&child, "-TERM");
    let o = child.wait_with_output().expect("schism ends");
    let out = format!("{}{}", text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(130), "{out}");
    assert!(out.contains("SIGTERM: stopping"), "{out}");
    let dir = history.parent().unwrap();
    let r: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("results.json")).expect("results.json"),
    )
    .unwrap();
    assert_eq!(r["interrupted"], serde_json::json!(true), "{out}");
    assert_eq!(r["valid"], serde_json::json!(true), "{out}");
    for f in ["report.html", "junit.xml", "summary.md", "spec.yaml"] {
        assert!(dir.join(f).is_file(), "{f} missing: {out}");
    }
    let run_id = r["run_id"].as_str().unwrap();
    assert_eq!(
        leftovers(run_id),
        (0, 0),
        "objects of {run_id} remain after SIGTERM"
    );
    // Every fault applied was healed before teardown.
    let (h, _) = history::format::read_path(&history, None, None).expect("well formed");
    let nemesis = || {
        h.ops()
            .iter()
            .filter(|o| o.process == history::Process::Nemesis)
    };
    let applied = nemesis()
        .filter(|o| o.f.starts_with("start-") && o.value.get("applied").is_some())
        .count();
    let healed = nemesis()
        .filter(|o| o.f.starts_with("stop-") && o.value.get("healed").is_some())
        .count();
    assert!(applied > 0);
    assert_eq!(applied, healed, "every fault was healed before teardown");
    std::fs::remove_dir_all(&st).unwrap();
}

#[test]
fn what_sigkill_leaves_is_named_and_schism_clean_removes_it() {
    let _one = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
    let st = common::store("signals", "kill");
    let mut child = start(&st);
    let history = wait_for_ops(&st);
    let pid = child.id();
    signal(&child, "-KILL");
    child.wait().unwrap();
    // The run id ends with the controller's pid.
    let run_id = common::schism_containers("{{.Label \"schism.run\"}}")
        .into_iter()
        .find(|id| id.ends_with(&format!("-{pid}")))
        .expect("the killed run's containers are still there");
    let (containers, networks) = leftovers(&run_id);
    assert_eq!(
        (containers, networks),
        (6, 1),
        "3 holders, 3 nodes, 1 network"
    );
    // The next run's notice names it.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let notice = rt
        .block_on(harness::clean_cmd::leftover_notice())
        .expect("a notice");
    assert!(
        notice.contains(&run_id) && notice.contains("schism clean"),
        "{notice}"
    );
    // What was recorded checks, a torn last line or not.
    let c = common::schism(&["check", history.to_str().unwrap()]);
    assert_eq!(
        c.status.code(),
        Some(0),
        "{}{}",
        text(&c.stdout),
        text(&c.stderr)
    );
    // A dry run removes nothing; clean removes all of it.
    let dry = common::schism(&["clean", "--dry-run"]);
    assert!(
        text(&dry.stdout).contains(&format!("would remove: run {run_id}")),
        "{}",
        text(&dry.stdout)
    );
    assert_eq!(leftovers(&run_id), (6, 1));
    let clean = common::schism(&["clean"]);
    let said = format!("{}{}", text(&clean.stdout), text(&clean.stderr));
    assert_eq!(clean.status.code(), Some(0), "{said}");
    assert!(said.contains(&format!("process {pid} is gone")), "{said}");
    assert_eq!(
        leftovers(&run_id),
        (0, 0),
        "schism clean left objects of {run_id}"
    );
    std::fs::remove_dir_all(&st).unwrap();
}
