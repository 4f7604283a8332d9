//! Targets aim node faults where they are asked to; overlapping faults never act on a node
//! twice, heal exactly what they did, and are all healed at the end. Against the
//! in-memory fake cluster.

use async_trait::async_trait;
mod common;
use cluster::fake::FakeCluster;
use cluster::Cluster;
use common::{recorder, run_until_applied};
use history::fault::{FaultRecord, Phase, Stage};
use history::recorder::Recorder;
use nemesis::{Leader, NemesisOptions, Runner, Target};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

struct Fixed(&'static str);

#[async_trait]
impl Leader for Fixed {
    async fn leader(&self, _cluster: &dyn Cluster) -> Option<String> {
        Some(self.0.into())
    }
}

/// The nodes the last applied fault hit.
fn last_nodes(rec: &Recorder) -> BTreeSet<String> {
    let last = rec.last_nemesis().unwrap();
    last.value["applied"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn kills_land_on_their_target() {
    let c = FakeCluster::new(5);
    let rec = recorder("targets");
    for (target, want) in [
        ("majority", 3),
        ("minority", 2),
        ("minority-third", 1),
        ("all", 5),
        ("one", 1),
    ] {
        let opts = NemesisOptions {
            faults: strings(&["kill"]),
            targets: vec![Target::parse(target).unwrap()],
            ..NemesisOptions::default()
        };
        let n = Runner::new(opts, 11, None, None).unwrap();
        n.start("kill", &c, &rec).await.unwrap();
        let hit = last_nodes(&rec);
        assert_eq!(hit.len(), want, "{target}: {hit:?}");
        let down: BTreeSet<String> = c
            .nodes()
            .iter()
            .filter(|x| !c.state(&x.name).running)
            .map(|x| x.name.clone())
            .collect();
        assert_eq!(
            down, hit,
            "{target}: the recorded nodes are the killed ones"
        );
        n.heal_all(&c, &rec).await.unwrap();
    }
    let leader = NemesisOptions {
        faults: strings(&["pause"]),
        targets: vec![Target::Leader],
        ..NemesisOptions::default()
    };
    let n = Runner::new(leader, 1, Some(Arc::new(Fixed("n4"))), None).unwrap();
    n.start("pause", &c, &rec).await.unwrap();
    assert_eq!(last_nodes(&rec), BTreeSet::from(["n4".to_string()]));
    assert!(c.state("n4").paused);
    n.heal_all(&c, &rec).await.unwrap();
    let named = NemesisOptions {
        faults: strings(&["loss"]),
        targets: vec![Target::parse("n1+n3").unwrap()],
        ..NemesisOptions::default()
    };
    let n = Runner::new(named, 1, None, None).unwrap();
    n.prepare(&c).await.unwrap();
    n.start("loss", &c, &rec).await.unwrap();
    let lossy: Vec<&str> = ["n1", "n2", "n3", "n4", "n5"]
        .into_iter()
        .filter(|x| c.state(x).loss.is_some())
        .collect();
    assert_eq!(lossy, ["n1", "n3"]);
    n.heal_all(&c, &rec).await.unwrap();
    assert!(c.state("n1").loss.is_none());
}

#[tokio::test]
async fn targets_naming_missing_nodes_are_refused_before_anything_happens() {
    let c = FakeCluster::new(3);
    let opts = NemesisOptions {
        faults: strings(&["kill"]),
        targets: vec![Target::parse("n2+n9").unwrap()],
        ..NemesisOptions::default()
    };
    let e = Runner::new(opts, 1, None, None)
        .unwrap()
        .prepare(&c)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("n2+n9") && e.contains("n9 is not") && e.contains("n1, n2, n3"),
        "{e}"
    );
}

#[tokio::test]
async fn a_heal_removes_only_its_own_rules() {
    let c = FakeCluster::new(3);
    let rec = recorder("rules");
    let opts = NemesisOptions {
        faults: strings(&["loss", "partition"]),
        targets: vec![Target::All],
        shapes: vec![nemesis::grudge::Shape::IsolateOne],
        ..NemesisOptions::default()
    };
    let n = Runner::new(opts, 2, None, None).unwrap();
    n.prepare(&c).await.unwrap();
    n.start("loss", &c, &rec).await.unwrap();
    n.start("partition", &c, &rec).await.unwrap();
    let cut = |c: &FakeCluster| {
        let all = ["n1", "n2", "n3"];
        all.iter()
            .any(|a| all.iter().any(|b| a != b && !c.reaches(a, b)))
    };
    assert!(cut(&c));
    n.stop("partition", &c, &rec).await.unwrap();
    assert!(!cut(&c), "the partition is healed");
    assert!(
        ["n1", "n2", "n3"].iter().all(|x| c.state(x).loss.is_some()),
        "the loss stays until its own heal"
    );
    n.stop("loss", &c, &rec).await.unwrap();
    assert!(["n1", "n2", "n3"].iter().all(|x| c.state(x).loss.is_none()));
}

#[tokio::test]
async fn overlapping_faults_overlap_never_double_up_on_a_node_and_all_heal() {
    let c = FakeCluster::new(5);
    let rec = recorder("overlap");
    let opts = NemesisOptions {
        faults: strings(&["kill", "pause", "partition"]),
        overlap: true,
        targets: vec![Target::Majority],
        interval: Duration::from_millis(30),
        duration: Duration::from_millis(60),
        ..NemesisOptions::default()
    };
    let n = Runner::new(opts, 5, None, None).unwrap();
    n.prepare(&c).await.unwrap();
    run_until_applied(&n, &c, &rec, 9).await;
    // Replay the records: which faults are in effect, and which nodes are held down.
    let mut active: Vec<(String, BTreeSet<String>)> = Vec::new();
    let mut most_at_once = 0;
    for op in rec.ops() {
        let Some(r) = FaultRecord::read(&op.f, &op.value) else {
            continue;
        };
        let nodes: BTreeSet<String> = r.fault()["nodes"]
            .as_array()
            .map(|a| a.iter().map(|x| x.as_str().unwrap().to_string()).collect())
            .unwrap_or_default();
        match (r.phase, &r.stage) {
            (Phase::Start, Stage::Done) => {
                for (_, held) in &active {
                    assert!(held.is_disjoint(&nodes), "{} hit a held node", r.kind);
                }
                active.push((r.kind.to_string(), nodes));
                most_at_once = most_at_once.max(active.len());
            }
            (Phase::Stop, Stage::Done) => {
                let i = active.iter().position(|(k, _)| k == r.kind).unwrap();
                active.remove(i);
            }
            (_, Stage::Failed(e)) => panic!("{}: {e}", r.kind),
            _ => {}
        }
    }
    assert!(
        most_at_once >= 2,
        "faults overlapped: {most_at_once} at once"
    );
    assert!(active.is_empty(), "every fault healed: {active:?}");
    for x in ["n1", "n2", "n3", "n4", "n5"] {
        let s = c.state(x);
        assert!(s.running && !s.paused, "{x}: {s:?}");
    }
}
