//! The nemesis against the in-memory fake cluster: faults applied are exactly the ones
//! recorded, heals undo them, the schedule respects its limits, and faults the machine
//! cannot apply are refused plainly.

mod common;
use cluster::fake::FakeCluster;
use cluster::Cluster;
use common::{applied, recorder, run_until_applied};
use history::{Process, Value};
use nemesis::grudge::Shape;
use nemesis::{Env, Nemesis, NemesisError, NemesisOptions, Runner};
use std::time::Duration;

fn faults(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn names(c: &FakeCluster) -> Vec<String> {
    c.nodes().iter().map(|n| n.name.clone()).collect()
}

#[tokio::test]
async fn a_partition_drops_exactly_its_grudge_and_heals() {
    let c = FakeCluster::new(5);
    let opts = NemesisOptions::default();
    let env = Env {
        cluster: &c,
        control: None,
        options: &opts,
        leader: None,
        held: Vec::new(),
    };
    let p = nemesis::faults::partition::Partition::default();
    for shape in Shape::ALL {
        let grudge =
            nemesis::grudge::grudge(shape, &names(&c), &mut history::rng::Rng::new(4), None);
        let fault = serde_json::json!({"fault": "partition", "shape": shape, "grudge": grudge});
        p.invoke(&env, &fault).await.unwrap();
        for a in names(&c) {
            for b in names(&c) {
                let cut = grudge.get(&a).is_some_and(|d| d.contains(&b));
                assert_eq!(c.reaches(&b, &a), !cut, "{shape:?}: {b} -> {a}");
            }
        }
        p.heal(&env, &fault).await.unwrap();
        assert!(names(&c)
            .iter()
            .all(|a| names(&c).iter().all(|b| c.reaches(a, b))));
    }
}

#[tokio::test]
async fn kills_pauses_and_loss_are_undone_by_heal_all_and_recorded() {
    let c = FakeCluster::new(5);
    let opts = NemesisOptions {
        faults: faults(&["kill", "pause", "loss"]),
        max_faulty: 2,
        ..NemesisOptions::default()
    };
    let n = Runner::new(opts, 7, None, None).unwrap();
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
        faults: faults(&["partition", "kill"]),
        interval: Duration::from_millis(20),
        duration: Duration::from_millis(20),
        ..NemesisOptions::default()
    };
    let n = Runner::new(opts, 3, None, None).unwrap();
    let rec = recorder("sched");
    n.prepare(&c).await.unwrap();
    run_until_applied(&n, &c, &rec, 3).await;
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
async fn packet_faults_without_netem_or_a_namespace_are_refused_plainly() {
    let c = FakeCluster::new(3);
    let opts = NemesisOptions {
        faults: faults(&["partition", "delay"]),
        ..NemesisOptions::default()
    };
    let e = Runner::new(opts, 1, None, None)
        .unwrap()
        .prepare(&c)
        .await
        .unwrap_err();
    assert!(matches!(e, NemesisError::Unsupported(_)));
    let msg = e.to_string();
    assert!(
        msg.contains("delay") && msg.contains("NFQUEUE") && msg.contains("netem is missing"),
        "{msg}"
    );
}

#[test]
fn unknown_faults_list_the_known_ones() {
    let opts = NemesisOptions {
        faults: faults(&["earthquake"]),
        ..NemesisOptions::default()
    };
    let e = Runner::new(opts, 1, None, None).err().unwrap().to_string();
    assert!(
        e.contains("earthquake") && e.contains("partition, kill, pause, loss"),
        "{e}"
    );
}

#[tokio::test]
async fn runtime_faults_are_refused_for_systems_without_the_runtime() {
    let c = FakeCluster::new(3);
    for kind in ["byzantine", "clock"] {
        let opts = NemesisOptions {
            faults: faults(&[kind]),
            ..NemesisOptions::default()
        };
        let e = Runner::new(opts, 1, None, None)
            .unwrap()
            .prepare(&c)
            .await
            .unwrap_err();
        assert!(
            e.to_string().contains(kind) && e.to_string().contains("runtime"),
            "{e}"
        );
    }
}

#[test]
fn traitors_are_chosen_once_and_lie_in_each_mode_in_turn() {
    use nemesis::ByzMode;
    let c = FakeCluster::new(7);
    let opts = NemesisOptions {
        faults: faults(&["byzantine"]),
        traitors: 2,
        byzantine_modes: vec![ByzMode::Equivocate, ByzMode::Silent],
        ..NemesisOptions::default()
    };
    let n = Runner::new(opts, 9, None, None).unwrap();
    let chosen: Vec<Value> = (0..4)
        .map(|_| n.choose("byzantine", &c, None).unwrap().unwrap())
        .collect();
    let sets: Vec<&Value> = chosen.iter().map(|f| &f["nodes"]).collect();
    let modes: Vec<&str> = chosen.iter().map(|f| f["mode"].as_str().unwrap()).collect();
    assert!(chosen
        .iter()
        .all(|f| f["rules"].as_array().is_some_and(|r| !r.is_empty())));
    assert_eq!(sets[0].as_array().unwrap().len(), 2);
    assert!(sets.iter().all(|s| *s == sets[0]), "{sets:?}");
    assert_eq!(modes, ["equivocate", "silent", "equivocate", "silent"]);
    // The leader of the moment is among the traitors when the system names one.
    let opts = NemesisOptions {
        faults: faults(&["byzantine"]),
        ..NemesisOptions::default()
    };
    let m = Runner::new(opts, 9, None, None).unwrap();
    let f = m.choose("byzantine", &c, Some("n5")).unwrap().unwrap();
    assert_eq!(f["nodes"], serde_json::json!(["n5"]));
}

#[test]
fn clock_faults_move_some_clocks_within_the_bound() {
    let c = FakeCluster::new(5);
    let mut opts = NemesisOptions {
        faults: faults(&["clock"]),
        max_faulty: 2,
        max_clock_skew_ms: 1_000,
        system: nemesis::SystemFacts {
            clock: nemesis::ClockReach::Faketime {
                file: "/schism/faketime".into(),
            },
            ..Default::default()
        },
        ..NemesisOptions::default()
    };
    opts.sections
        .insert("clock".into(), serde_json::json!({"modes": ["bump"]}));
    let n = Runner::new(opts, 3, None, None).unwrap();
    for _ in 0..50 {
        let f = n.choose("clock", &c, None).unwrap().unwrap();
        let targets = f["nodes"].as_array().unwrap();
        assert!((1..=2).contains(&targets.len()));
        let offsets = f["offsets_ms"].as_object().unwrap();
        assert_eq!(offsets.len(), 5, "every node's offset is recorded");
        for (node, o) in offsets {
            let o = o.as_i64().unwrap().abs();
            if targets.iter().any(|t| t == node) {
                assert!((500..=1_000).contains(&o), "{f}");
            } else {
                assert_eq!(o, 0, "{f}");
            }
        }
    }
}
