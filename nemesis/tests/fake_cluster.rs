//! The nemesis against the in-memory fake cluster: faults applied are exactly the ones
//! recorded, heals undo them, the schedule respects its limits, and faults the machine
//! cannot apply are refused plainly.

use cluster::fake::FakeCluster;
use cluster::Cluster;
use history::recorder::Recorder;
use history::{Process, Value};
use nemesis::grudge::Shape;
use nemesis::{apply, Fault, FaultKind, Nemesis, NemesisError, NemesisOptions};
use std::time::Duration;

fn recorder(name: &str) -> Recorder {
    let dir = std::env::temp_dir().join(format!("schism-nem-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    Recorder::create(&dir.join("history.jsonl")).unwrap()
}

fn names(c: &FakeCluster) -> Vec<String> {
    c.nodes().iter().map(|n| n.name.clone()).collect()
}

#[tokio::test]
async fn a_partition_drops_exactly_its_grudge_and_heals() {
    let c = FakeCluster::new(5);
    let n = Nemesis::new(NemesisOptions::default(), 1, None);
    for shape in Shape::ALL {
        let fault = Fault::Partition {
            shape,
            grudge: nemesis::grudge::grudge(
                shape,
                &names(&c),
                &mut history::rng::Rng::new(4),
                None,
            ),
        };
        apply::apply(&c, &fault).await.unwrap();
        let Fault::Partition { grudge, .. } = &fault else {
            unreachable!()
        };
        for a in names(&c) {
            for b in names(&c) {
                let cut = grudge.get(&a).is_some_and(|d| d.contains(&b));
                assert_eq!(c.reaches(&b, &a), !cut, "{shape:?}: {b} -> {a}");
            }
        }
        apply::heal(&c, &fault).await.unwrap();
        assert!(names(&c)
            .iter()
            .all(|a| names(&c).iter().all(|b| c.reaches(a, b))));
    }
    drop(n);
}

#[tokio::test]
async fn kills_pauses_and_loss_are_undone_by_heal_all_and_recorded() {
    let c = FakeCluster::new(5);
    let opts = NemesisOptions {
        faults: vec![FaultKind::Kill, FaultKind::Pause, FaultKind::Loss],
        max_faulty: 2,
        ..NemesisOptions::default()
    };
    let n = Nemesis::new(opts, 7, None);
    let rec = recorder("kpl");
    n.prepare(&c).await.unwrap();
    for _ in 0..3 {
        n.start_fault(&c, &rec).await.unwrap();
    }
    let down = names(&c).iter().filter(|x| !c.state(x).running).count();
    let frozen = names(&c).iter().filter(|x| c.state(x).paused).count();
    let lossy = names(&c)
        .iter()
        .filter(|x| c.state(x).loss.is_some())
        .count();
    assert!((1..=2).contains(&down) && (1..=2).contains(&frozen) && (1..=2).contains(&lossy));
    n.heal_all(&c, &rec).await.unwrap();
    for x in names(&c) {
        let s = c.state(&x);
        assert!(s.running && !s.paused && s.loss.is_none(), "{x}: {s:?}");
        assert_eq!(s.kills, s.starts, "{x}: every kill was followed by a start");
    }
    let ops = rec.ops();
    assert!(ops.iter().all(|o| o.process == Process::Nemesis));
    let fs: Vec<&str> = ops.iter().map(|o| o.f.as_str()).collect();
    assert_eq!(
        fs.iter().filter(|f| f.starts_with("start-")).count(),
        6,
        "{fs:?}"
    );
    assert_eq!(
        fs.iter().filter(|f| f.starts_with("stop-")).count(),
        6,
        "{fs:?}"
    );
    // Each start's completion records what was applied: the nodes of the fault.
    let kill = ops
        .iter()
        .find(|o| o.f == "start-kill" && o.value.get("applied").is_some())
        .unwrap();
    let nodes = kill.value["applied"]["nodes"].as_array().unwrap();
    for node in nodes {
        assert_eq!(c.state(node.as_str().unwrap()).kills, 1);
    }
}

#[tokio::test]
async fn the_schedule_faults_and_heals_until_stopped_then_heals_everything() {
    let c = FakeCluster::new(3);
    let opts = NemesisOptions {
        faults: vec![FaultKind::Partition, FaultKind::Kill],
        interval: Duration::from_millis(20),
        duration: Duration::from_millis(20),
        ..NemesisOptions::default()
    };
    let n = Nemesis::new(opts, 3, None);
    let rec = recorder("sched");
    n.prepare(&c).await.unwrap();
    let (tx, rx) = tokio::sync::watch::channel(false);
    let applied = |rec: &Recorder| {
        rec.ops()
            .iter()
            .filter(|o| o.f.starts_with("start-") && o.value.get("applied").is_some())
            .count()
    };
    let stopper = async {
        // Stop once three faults were applied, however loaded the machine is.
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while applied(&rec) < 3 && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tx.send(true).unwrap();
    };
    let (ran, ()) = tokio::join!(n.run(&c, &rec, rx), stopper);
    ran.unwrap();
    let ops = rec.ops();
    let starts = applied(&rec);
    let heals = ops
        .iter()
        .filter(|o| o.f.starts_with("stop-") && o.value.get("healed").is_some())
        .count();
    assert!(starts >= 3, "{starts} faults");
    assert_eq!(starts, heals, "every fault healed");
    assert!(
        ops.iter().any(|o| o.f == "start-partition") && ops.iter().any(|o| o.f == "start-kill")
    );
    assert!(names(&c).iter().all(|x| c.state(x).running));
    assert!(names(&c)
        .iter()
        .all(|a| names(&c).iter().all(|b| c.reaches(a, b))));
    assert!(ops.windows(2).all(|w| w[0].time_ns <= w[1].time_ns));
    assert!(ops
        .iter()
        .all(|o| o.value != Value::Null || o.f.starts_with("stop-")));
}

#[tokio::test]
async fn faults_needing_netem_are_refused_plainly() {
    let c = FakeCluster::new(3);
    let opts = NemesisOptions {
        faults: vec![FaultKind::Partition, FaultKind::Delay],
        ..NemesisOptions::default()
    };
    let e = Nemesis::new(opts, 1, None).prepare(&c).await.unwrap_err();
    assert!(matches!(e, NemesisError::Unsupported(_)));
    let msg = e.to_string();
    assert!(
        msg.contains("delay") && msg.contains("netem") && msg.contains("lacks"),
        "{msg}"
    );
}

#[test]
fn unknown_faults_list_the_known_ones() {
    let e = FaultKind::parse("earthquake").unwrap_err().to_string();
    assert!(
        e.contains("earthquake") && e.contains("partition, kill, pause, loss"),
        "{e}"
    );
}

#[tokio::test]
async fn runtime_faults_are_refused_for_systems_without_the_runtime() {
    let c = FakeCluster::new(3);
    for kind in [FaultKind::Byzantine, FaultKind::Clock] {
        let opts = NemesisOptions {
            faults: vec![kind],
            control_port: None,
            ..NemesisOptions::default()
        };
        let e = Nemesis::new(opts, 1, None).prepare(&c).await.unwrap_err();
        assert!(
            e.to_string().contains(kind.as_str()) && e.to_string().contains("runtime"),
            "{e}"
        );
    }
}

#[test]
fn traitors_are_chosen_once_and_lie_in_each_mode_in_turn() {
    use nemesis::ByzMode;
    let nodes: Vec<String> = (1..=7).map(|i| format!("n{i}")).collect();
    let opts = NemesisOptions {
        traitors: 2,
        byzantine_modes: vec![ByzMode::Equivocate, ByzMode::Silent],
        ..NemesisOptions::default()
    };
    let n = Nemesis::new(opts, 9, None);
    let faults: Vec<Fault> = (0..4)
        .map(|_| n.choose(FaultKind::Byzantine, &nodes, None))
        .collect();
    let mut sets = Vec::new();
    let mut modes = Vec::new();
    for f in &faults {
        let Fault::Byzantine { nodes, mode, rules } = f else {
            panic!("{f:?}")
        };
        sets.push(nodes.clone());
        modes.push(*mode);
        assert!(rules.as_array().is_some_and(|r| !r.is_empty()));
    }
    assert_eq!(sets[0].len(), 2);
    assert!(sets.iter().all(|s| *s == sets[0]), "{sets:?}");
    assert_eq!(
        modes,
        [
            ByzMode::Equivocate,
            ByzMode::Silent,
            ByzMode::Equivocate,
            ByzMode::Silent
        ]
    );
    // The leader of the moment is among the traitors when the system names one.
    let m = Nemesis::new(NemesisOptions::default(), 9, None);
    match m.choose(FaultKind::Byzantine, &nodes, Some("n5")) {
        Fault::Byzantine { nodes, .. } => assert_eq!(nodes, vec!["n5".to_string()]),
        f => panic!("{f:?}"),
    }
}

#[test]
fn clock_faults_move_some_clocks_within_the_bound() {
    let nodes: Vec<String> = (1..=5).map(|i| format!("n{i}")).collect();
    let opts = NemesisOptions {
        max_faulty: 2,
        max_clock_skew_ms: 1_000,
        ..NemesisOptions::default()
    };
    let n = Nemesis::new(opts, 3, None);
    for _ in 0..50 {
        let Fault::Clock { offsets_ms } = n.choose(FaultKind::Clock, &nodes, None) else {
            panic!()
        };
        assert!((1..=2).contains(&offsets_ms.len()));
        assert!(offsets_ms
            .values()
            .all(|o| (500..=1_000).contains(&o.abs())));
    }
}
