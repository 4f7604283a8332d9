//! `lose-unfsynced` end to end, on real containers: schism's Raft with the `no-fsync` bug
//! (it acknowledges writes it never made durable) stays valid when its nodes are killed,
//! and is caught losing acknowledged writes when they lose power; correct Raft stays valid
//! under power loss; every loss is recorded with what it dropped and healed; nothing is
//! left mounted, also after SIGINT; a host without FUSE is refused with exit 255.

mod common;
use common::{faults_applied_and_healed, power_mounts, run_docker, text};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

static DOCKER: Mutex<()> = Mutex::new(());

/// 3 raft nodes, 10 s, every node hit at once by `fault` every few seconds.
fn run(system: &str, name: &str, fault: &str, extra: &[&str]) -> (Option<i32>, String, Value) {
    let mut args = vec![
        "--system",
        system,
        "--nodes",
        "3",
        "--time-limit",
        "10",
        "--recovery",
        "2",
        "--nemesis",
        fault,
        "--targets",
        "all",
        "--nemesis-interval",
        "2",
        "--nemesis-duration",
        "1",
        "--client-timeout-ms",
        "500",
    ];
    args.extend_from_slice(extra);
    run_docker("power", name, &args)
}

/// The `start-lose-unfsynced` records with what they dropped: (node, bytes, files).
fn losses(history: &str) -> Vec<(String, u64, u64)> {
    let mut out = Vec::new();
    for line in history
        .lines()
        .filter(|l| l.contains("\"start-lose-unfsynced\""))
    {
        let op: Value = serde_json::from_str(line).unwrap();
        if let Some(answers) = op["value"]["answers"].as_object() {
            for (node, l) in answers {
                let n = |k: &str| l[k].as_u64().unwrap_or_else(|| panic!("{k} in {line}"));
                out.push((node.clone(), n("bytes"), n("files")));
            }
        }
    }
    out
}

#[test]
fn no_fsync_is_valid_under_kills() {
    let _one = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
    let (code, out, r) = run("raft", "kill", "kill", &["--bug", "no-fsync"]);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(r["valid"], serde_json::json!(true));
    assert!(
        faults_applied_and_healed(r["history"].as_str().unwrap()) >= 2,
        "{out}"
    );
}

#[test]
fn no_fsync_is_caught_by_a_power_loss() {
    let _one = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
    let (code, out, r) = run("raft", "nofsync", "lose-unfsynced", &["--bug", "no-fsync"]);
    assert_eq!(code, Some(1), "{out}");
    assert_eq!(r["valid"], serde_json::json!(false));
    let history = r["history"].as_str().unwrap();
    assert!(faults_applied_and_healed(history) >= 2, "{out}");
    let lost = losses(history);
    assert!(
        lost.iter()
            .any(|(_, bytes, files)| *bytes > 0 && *files > 0),
        "{lost:?}"
    );
}

#[test]
fn correct_raft_and_paxos_are_valid_under_power_loss_and_paxos_no_fsync_is_caught() {
    let _one = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
    for system in ["raft", "paxos"] {
        let (code, out, r) = run(system, &format!("{system}-ok"), "lose-unfsynced", &[]);
        assert_eq!(code, Some(0), "{out}");
        let history = r["history"].as_str().unwrap();
        assert!(faults_applied_and_healed(history) >= 2, "{out}");
        // What was acknowledged was synced, but some writes were still in flight.
        assert!(!losses(history).is_empty(), "{out}");
    }
    let (code, out, _) = run(
        "paxos",
        "paxos-bug",
        "lose-unfsynced",
        &["--bug", "no-fsync"],
    );
    assert_eq!(code, Some(1), "{out}");
}

#[test]
fn a_torn_power_loss_is_recorded_with_its_seed() {
    let _one = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
    let torn = ["-o", "nemesis.lose-unfsynced.cut=torn"];
    let (code, out, r) = run("raft", "torn", "lose-unfsynced", &torn);
    assert_eq!(code, Some(0), "{out}");
    let history = r["history"].as_str().unwrap();
    let torn = history
        .lines()
        .filter(|l| l.contains("\"start-lose-unfsynced\"") && l.contains("\"cut\":\"torn\""))
        .count();
    assert!(torn >= 2 && history.contains("\"seed\""), "{out}");
}

/// A run with power loss, long enough to be stopped halfway.
fn start_long(store: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_schism"))
        .args([
            "run",
            "--system",
            "raft",
            "--nodes",
            "3",
            "--time-limit",
            "120",
        ])
        .args(["--nemesis", "lose-unfsynced", "--nemesis-interval", "1"])
        .args(["--store", store.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("schism starts")
}

/// The run id of the child's run, once its powerfs mounts are up.
fn wait_for_mounts(pid: u32) -> String {
    let deadline = Instant::now() + Duration::from_secs(120);
    let root = std::env::temp_dir().join("schism-powerfs");
    loop {
        let run = std::fs::read_dir(&root).ok().and_then(|d| {
            d.filter_map(|e| e.ok()?.file_name().into_string().ok())
                .find(|id| id.ends_with(&format!("-{pid}")))
        });
        if let Some(id) = run {
            if power_mounts(&id) >= 4 {
                return id;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the run never mounted its powerfs"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn sigint_unmounts_everything_and_clean_detaches_what_sigkill_left() {
    let _one = DOCKER.lock().unwrap_or_else(|e| e.into_inner());
    let st = common::store("power", "signals");
    for (sig, code) in [("-INT", Some(130)), ("-KILL", None)] {
        let child = start_long(&st);
        let run_id = wait_for_mounts(child.id());
        std::thread::sleep(Duration::from_secs(3));
        assert!(Command::new("kill")
            .args([sig, &child.id().to_string()])
            .status()
            .unwrap()
            .success());
        let o = child.wait_with_output().unwrap();
        let out = format!("{}{}", text(&o.stdout), text(&o.stderr));
        assert_eq!(o.status.code(), code, "{sig}: {out}");
        if sig == "-INT" {
            assert_eq!(
                power_mounts(&run_id),
                0,
                "SIGINT left powerfs mounts: {out}"
            );
            continue;
        }
        // SIGKILL: the dead mounts stay until `schism clean` detaches them.
        assert_eq!(power_mounts(&run_id), 4, "3 mounts and their directory");
        let clean = common::schism(&["clean"]);
        let said = format!("{}{}", text(&clean.stdout), text(&clean.stderr));
        assert_eq!(clean.status.code(), Some(0), "{said}");
        assert!(said.contains("powerfs mounts"), "{said}");
        assert_eq!(
            power_mounts(&run_id),
            0,
            "clean left powerfs mounts: {said}"
        );
        assert_eq!(common::leftovers(&run_id), (0, 0));
    }
    let _ = std::fs::remove_dir_all(&st);
}

#[test]
fn a_host_without_fuse_is_refused_naming_what_is_missing() {
    let st = common::store("power", "nofuse");
    let base = [
        "run",
        "--store",
        st.to_str().unwrap(),
        "--nodes",
        "3",
        "--time-limit",
        "5",
    ];
    let cases = [
        // (environment, what the error must name)
        (
            vec![("SCHISM_FUSE_DEVICE", "/nonexistent/fuse")],
            vec!["/nonexistent/fuse", "modprobe fuse"],
        ),
        (
            vec![("PATH", "/nonexistent")],
            vec!["fusermount3", "fuse3", "scripts/install-deps"],
        ),
    ];
    for (env, names) in cases {
        let o = Command::new(env!("CARGO_BIN_EXE_schism"))
            .args(base)
            .args(["--nemesis", "lose-unfsynced"])
            .envs(env.iter().copied())
            .output()
            .unwrap();
        let out = format!("{}{}", text(&o.stdout), text(&o.stderr));
        assert_eq!(o.status.code(), Some(255), "{env:?}: {out}");
        for n in names {
            assert!(out.contains(n), "{env:?}: {n} not named: {out}");
        }
    }
    let _ = std::fs::remove_dir_all(&st);
}
