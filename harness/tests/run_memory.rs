//! `schism run` end to end on the in-process `memory` system (no Docker): the store it
//! leaves, the history, the nemesis ops, and clear errors for bad specs and flags.

mod common;
use common::{schism, text};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn store(name: &str) -> PathBuf {
    common::store("run", name)
}

/// A short memory run with every fault and seed 42.
fn seeded_run(store: &Path) -> Output {
    schism(&[
        "run",
        "--system",
        "memory",
        "--time-limit",
        "2",
        "--concurrency",
        "4",
        "--nemesis",
        "partition,kill,pause,loss",
        "--nemesis-interval",
        "0.2",
        "--nemesis-duration",
        "0.2",
        "--recovery",
        "0.1",
        "--seed",
        "42",
        "--store",
        store.to_str().unwrap(),
    ])
}

#[test]
fn a_memory_run_leaves_a_valid_history_results_and_latest() {
    let st = store("mem");
    let o = seeded_run(&st);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    assert!(
        text(&o.stderr).starts_with("seed: 42"),
        "the seed comes first: {}",
        text(&o.stderr)
    );
    let latest = st.join("latest");
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(latest.join("results.json")).unwrap())
            .unwrap();
    assert_eq!(results["valid"], serde_json::json!(true));
    assert_eq!(results["seed"], serde_json::json!(42));
    assert!(results["ops"]["ok"].as_u64().unwrap() > 1000);
    let (h, _) = history::format::read_path(&latest.join("history.jsonl"), None, None)
        .expect("the stored history is well formed");
    let nemesis: Vec<_> = h
        .ops()
        .iter()
        .filter(|o| o.process == history::Process::Nemesis)
        .collect();
    for kind in ["partition", "kill", "pause", "loss"] {
        let applied = nemesis
            .iter()
            .filter(|o| o.f == format!("start-{kind}") && o.value.get("applied").is_some())
            .count();
        let healed = nemesis
            .iter()
            .filter(|o| o.f == format!("stop-{kind}") && o.value.get("healed").is_some())
            .count();
        assert!(
            applied >= 1 && applied == healed,
            "{kind}: {applied} applied, {healed} healed"
        );
    }
    assert!(latest.join("spec.yaml").is_file());
    // `schism check` on the run's directory judges its history alone, by its workload
    // (the node logs and schism.log beside it are not histories).
    std::fs::write(latest.join("schism.log"), "not a history\n").unwrap();
    let c = schism(&["check", "--json", latest.to_str().unwrap()]);
    let lines: Vec<serde_json::Value> = text(&c.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "{}", text(&c.stdout));
    assert!(lines[0]["file"]
        .as_str()
        .unwrap()
        .ends_with("history.jsonl"));
    assert_eq!(
        (c.status.code(), &lines[0]["valid"]),
        (Some(0), &serde_json::json!(true))
    );
    assert!(lines[0]["ops"].as_u64().unwrap() > 1000);
    // The same seed replays the same nemesis schedule.
    let st2 = store("mem2");
    let o2 = seeded_run(&st2);
    assert_eq!(o2.status.code(), Some(0));
    let (h2, _) =
        history::format::read_path(&st2.join("latest/history.jsonl"), None, None).unwrap();
    let faults = |h: &history::History| -> Vec<serde_json::Value> {
        h.ops()
            .iter()
            .filter(|o| {
                o.process == history::Process::Nemesis
                    && o.f.starts_with("start-")
                    && o.value.get("applied").is_none()
            })
            .map(|o| o.value.clone())
            .collect()
    };
    let (a, b) = (faults(&h), faults(&h2));
    let n = a.len().min(b.len());
    assert!(n >= 3);
    assert_eq!(a[..n], b[..n], "same seed, same faults");
    std::fs::remove_dir_all(&st).unwrap();
    std::fs::remove_dir_all(&st2).unwrap();
}

fn spec_file(name: &str, yaml: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("schism-spec-{}-{name}.yaml", std::process::id()));
    std::fs::write(&p, yaml).unwrap();
    p
}

#[test]
fn bad_specs_and_flags_are_named_and_exit_254() {
    let broken = spec_file("broken", "system: memory\nnemesis:\n  faults: [partition\n");
    let typo = spec_file("typo", "system: memory\nnodez: 3\n");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec![broken.display().to_string()], "broken.yaml:"),
        (
            vec![typo.display().to_string()],
            "typo.yaml:2:1: unknown field `nodez`",
        ),
        (
            vec![
                "--system".into(),
                "memory".into(),
                "--workload".into(),
                "queue".into(),
            ],
            "unknown workload \"queue\"; known: register",
        ),
        (
            vec![
                "--system".into(),
                "memory".into(),
                "--nemesis".into(),
                "earthquake".into(),
            ],
            "unknown nemesis \"earthquake\"; known: partition, kill, pause, loss, delay, duplicate, reorder, corrupt, rate, byzantine, clock, corrupt-file, lose-unfsynced",
        ),
        (
            vec!["--system".into(), "zab".into()],
            "unknown system \"zab\"; known: raft, paxos, om, eig, memory, maelstrom, etcd",
        ),
        (
            vec![
                "--system".into(),
                "memory".into(),
                "--nodes".into(),
                "0".into(),
            ],
            "nodes must be between 1 and 200",
        ),
        (
            vec![
                "--system".into(),
                "memory".into(),
                "--shapes".into(),
                "triangle".into(),
                "--nemesis".into(),
                "partition".into(),
            ],
            "unknown partition shape \"triangle\"",
        ),
        (
            vec!["/nonexistent/spec.yaml".into()],
            "/nonexistent/spec.yaml: cannot read",
        ),
        (
            vec![
                "--system".into(),
                "memory".into(),
                "--targets".into(),
                "most".into(),
            ],
            "unknown target \"most\": neither one of some, one, minority, majority, minority-third, all, leader nor nodes of this cluster",
        ),
        (
            vec![
                "--system".into(),
                "memory".into(),
                "--option".into(),
                "nemesis.flood.rate=3".into(),
            ],
            "unknown nemesis \"flood\"",
        ),
        (
            vec![
                "--system".into(),
                "memory".into(),
                "--clients".into(),
                "beside-nodes".into(),
            ],
            "clients beside-nodes need a system whose nodes run in containers",
        ),
        (
            vec!["--clients".into(), "nowhere".into()],
            "unknown client placement \"nowhere\"; known: controller, beside-nodes",
        ),
    ];
    for (args, needle) in cases {
        let st = store("bad");
        let mut all = vec![
            "run".to_string(),
            "--store".into(),
            st.display().to_string(),
        ];
        all.extend(args.clone());
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        let o = schism(&refs);
        assert_eq!(o.status.code(), Some(254), "{args:?}: {}", text(&o.stderr));
        assert!(
            text(&o.stderr).contains(needle),
            "{args:?}: expected {needle:?} in {}",
            text(&o.stderr)
        );
        assert!(!st.join("latest").exists(), "nothing ran");
    }
}

#[test]
fn missing_etcd_and_an_unreachable_docker_engine_say_what_to_do_and_exit_255() {
    let st = store("env");
    let o = schism(&[
        "run",
        "--store",
        st.to_str().unwrap(),
        "--system",
        "etcd",
        "--etcd-binary",
        "/nonexistent/etcd",
    ]);
    assert_eq!(o.status.code(), Some(255), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("etcd-server"),
        "{}",
        text(&o.stderr)
    );
    let o = Command::new(env!("CARGO_BIN_EXE_schism"))
        .args([
            "run",
            "--store",
            st.to_str().unwrap(),
            "--nodes",
            "1",
            "--time-limit",
            "1",
        ])
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(255), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains("cannot reach the Docker engine") && err.contains("docker info"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(Path::new(&st));
}
