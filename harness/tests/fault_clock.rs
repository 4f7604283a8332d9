//! `clock` on real binaries. ZooKeeper (Debian's jars on Java 17) runs under libfaketime
//! when its run has the clock fault: a bump moves the JVM's clock in the node by the
//! recorded offset and heal brings it back (measured inside the node against this
//! machine's clock), a strobe flips and ends at 0, a drift ends at its gain, every record
//! names every node's offset, the fallback file says what the control file says, no node
//! died of libfaketime (its plain build once made the JVM exit at random: see
//! `systems/src/spec_file/faketime.rs`), and nothing is left. Programs libfaketime cannot
//! move are refused before the run starts, naming the fault, the system and why, exit 254,
//! with nothing run: a Go program (etcd's) and one linked with jemalloc (Redis's).

mod common;
use common::{schism, text};
use history::recorder::Recorder;
use nemesis::{ClockReach, NemesisOptions, Runner, Target};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const FILE: &str = "/schism/faketime";

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// The node's clock minus this machine's, in ms: a JVM started in the node (with the
/// node's environment, so under libfaketime) logs its time in ms since the epoch.
async fn skew_ms(cluster: &dyn cluster::Cluster, node: &str) -> i64 {
    let java = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java";
    let argv = [
        java,
        "-Xshare:off",
        "-Xlog:disable",
        "-Xlog:gc+init=info:stdout:timemillis",
        "-version",
    ];
    let before = now_ms();
    let out = cluster
        .exec(node, &argv, Duration::from_secs(60))
        .await
        .unwrap_or_else(|e| panic!("{node}: {e}"));
    let after = now_ms();
    let stamp: i64 = out
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix('[')?.split("ms]").next()?.parse().ok())
        .unwrap_or_else(|| panic!("{node}: no time in {out:?}"));
    // The JVM logged somewhere between the two readings of this machine's clock.
    if stamp < before {
        stamp - before
    } else if stamp > after {
        stamp - after
    } else {
        0
    }
}

fn options(facts: nemesis::SystemFacts, clock: Value) -> NemesisOptions {
    let mut o = NemesisOptions {
        faults: vec!["clock".into()],
        targets: vec![Target::Nodes(vec!["n1".into()])],
        max_clock_skew_ms: 600_000,
        system: facts,
        ..NemesisOptions::default()
    };
    o.sections.insert("clock".into(), clock);
    o
}

fn records(rec: &Recorder, f: &str) -> Vec<Value> {
    rec.ops()
        .iter()
        .filter(|op| op.f == f)
        .map(|op| serde_json::to_value(op).unwrap())
        .collect()
}

/// The control file, once the fallback is checked to say the same.
async fn file(cluster: &dyn cluster::Cluster, node: &str) -> String {
    let read = |path| async move {
        String::from_utf8(cluster.read_file(node, path).await.unwrap()).unwrap()
    };
    let (control, fallback) = (read(FILE).await, read(nemesis::FAKETIME_FALLBACK).await);
    assert_eq!(
        control, fallback,
        "{node}: the fallback lags the control file"
    );
    control
}

async fn exercise(
    cluster: &dyn cluster::Cluster,
    facts: nemesis::SystemFacts,
    dir: &std::path::Path,
) {
    // A bump of 5 to 10 minutes on n1.
    let path = dir.join("bump.jsonl");
    let rec = Recorder::create(&path).unwrap();
    let n = Runner::new(
        options(facts.clone(), json!({"modes": ["bump"]})),
        11,
        None,
        None,
    )
    .unwrap();
    n.prepare(cluster).await.unwrap();
    assert_eq!(
        skew_ms(cluster, "n1").await.abs() / 1000,
        0,
        "n1 starts on time"
    );
    n.start("clock", cluster, &rec).await.unwrap();
    let applied = &records(&rec, "start-clock")[1]["value"];
    let offsets = applied["applied"]["offsets_ms"].as_object().unwrap();
    assert_eq!(offsets.len(), 3, "every node's offset: {applied}");
    let offset = offsets["n1"].as_i64().unwrap();
    assert!(offset.abs() >= 300_000, "{applied}");
    assert_eq!(
        (offsets["n2"].as_i64(), offsets["n3"].as_i64()),
        (Some(0), Some(0))
    );
    let moved = skew_ms(cluster, "n1").await;
    assert!(
        (moved - offset).abs() < 5_000,
        "n1's clock moved by {moved} ms, recorded {offset}"
    );
    assert!(skew_ms(cluster, "n2").await.abs() < 5_000, "n2 untouched");
    eprintln!("bump applied in {} ms", applied["apply_ms"]);
    n.heal_all(cluster, &rec).await.unwrap();
    let healed = &records(&rec, "stop-clock")[1]["value"];
    assert!(healed.get("healed").is_some(), "{healed}");
    eprintln!("bump healed in {} ms", healed["heal_ms"]);
    assert!(
        skew_ms(cluster, "n1").await.abs() < 5_000,
        "n1's clock is back"
    );
    assert_eq!(
        file(cluster, "n1").await,
        "+0.000\n",
        "n1's offset file says 0"
    );
    // A strobe of 600 ms at 100 ms flips, then a drift of 1.5 s.
    let path = dir.join("modes.jsonl");
    let rec = Recorder::create(&path).unwrap();
    let strobe = json!({"modes": ["strobe"], "strobe_ms": 600, "strobe_period_ms": 100});
    let n = Runner::new(options(facts.clone(), strobe), 12, None, None).unwrap();
    n.start("clock", cluster, &rec).await.unwrap();
    let strobed = &records(&rec, "start-clock")[1]["value"];
    let took = strobed["apply_ms"].as_f64().unwrap();
    assert!(took >= 600.0, "a strobe lasts its length: {strobed}");
    assert_eq!(strobed["answers"]["n1"], "+0.000", "{strobed}");
    assert_eq!(file(cluster, "n1").await, "+0.000\n", "a strobe ends at 0");
    n.heal_all(cluster, &rec).await.unwrap();
    let n = Runner::new(
        options(facts, json!({"modes": ["drift"], "drift_ms": 1500})),
        13,
        None,
        None,
    )
    .unwrap();
    n.start("clock", cluster, &rec).await.unwrap();
    let drift = &records(&rec, "start-clock")[3]["value"]["applied"];
    let gain = drift["offsets_ms"]["n1"].as_i64().unwrap();
    let rate = drift["rates"]["n1"].as_f64().unwrap();
    assert_eq!(gain, ((rate - 1.0) * 1500.0).round() as i64, "{drift}");
    let want = format!(
        "{}{}.{:03}\n",
        if gain < 0 { '-' } else { '+' },
        gain.abs() / 1000,
        gain.abs() % 1000
    );
    assert_eq!(file(cluster, "n1").await, want);
    n.heal_all(cluster, &rec).await.unwrap();
    assert_eq!(file(cluster, "n1").await, "+0.000\n");
    for node in ["n1", "n2", "n3"] {
        let log = cluster.logs(node, 200).await.unwrap();
        assert!(!log.contains("libfaketime"), "{node} complained: {log}");
    }
}

#[test]
fn zookeepers_clock_moves_under_libfaketime_and_comes_back() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut setup = systems::Setup::new("zookeeper", 3);
    setup.faults = vec!["clock".into()];
    setup.ready_timeout = Duration::from_secs(180);
    let system = systems::resolve(&setup).unwrap();
    system.preflight(&setup).unwrap();
    let facts = system.nemesis_facts();
    assert_eq!(facts.clock, ClockReach::Faketime { file: FILE.into() });
    let run_id = format!("clock-zk-{}", std::process::id());
    let cluster: Arc<dyn cluster::Cluster> = rt
        .block_on(system.start(&setup, &run_id))
        .unwrap_or_else(|e| panic!("zookeeper: {e}"));
    let dir = common::store("clock", "zk");
    std::fs::create_dir_all(&dir).unwrap();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(exercise(cluster.as_ref(), facts, &dir))
    }));
    if outcome.is_err() {
        // What the nodes said, to tell a node that died from a test that went wrong.
        for node in ["n1", "n2", "n3"] {
            let log = rt
                .block_on(cluster.logs(node, 40))
                .unwrap_or_else(|e| e.to_string());
            eprintln!("--- {node}'s last lines ---\n{log}");
        }
    }
    let _ = rt.block_on(cluster.teardown(None));
    rt.block_on(system.cleanup(&run_id));
    let _ = std::fs::remove_dir_all(&dir);
    common::settle(&run_id, outcome);
}

fn refused(system: &str, why: &str) {
    let st = common::store("clock", system);
    let o = schism(&[
        "run",
        "--system",
        system,
        "--nemesis",
        "clock",
        "--store",
        st.to_str().unwrap(),
    ]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(254), "{err}");
    assert!(
        err.contains("clock nemesis") && err.contains(system) && err.contains(why),
        "{err}"
    );
    assert!(
        !st.exists() || std::fs::read_dir(&st).unwrap().next().is_none(),
        "nothing ran"
    );
}

#[test]
fn a_go_programs_clock_is_refused_before_the_run_starts() {
    refused("etcd", "Go");
}

#[test]
fn a_jemalloc_programs_clock_is_refused_before_the_run_starts() {
    refused("redis", "jemalloc");
}
