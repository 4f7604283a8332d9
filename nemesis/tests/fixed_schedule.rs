//! A fixed schedule against the in-memory fake cluster: exactly the faults given are
//! applied, at their times (from the start of the history), each healed at its end (also
//! when two of one kind overlap), recorded as drawn faults are; the kinds need not be in
//! `faults`; what is still held when the run stops is healed.

mod common;
use cluster::fake::FakeCluster;
use common::recorder;
use nemesis::fixed::Planned;
use nemesis::{NemesisOptions, Runner};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn exactly_the_planned_faults_at_their_times() {
    let c = FakeCluster::new(3);
    let cut = |a: &str, b: &str| json!({"fault": "partition", "shape": "majority", "grudge": {a: [b], b: [a]}});
    let kill = json!({"fault": "kill", "nodes": ["n3"]});
    let plan = vec![
        Planned {
            at_s: 0.05,
            end_s: 0.30,
            fault: cut("n1", "n2"),
        },
        Planned {
            at_s: 0.10,
            end_s: 0.20,
            fault: cut("n1", "n3"),
        },
        Planned {
            at_s: 0.15,
            end_s: 5.00,
            fault: kill.clone(),
        },
    ];
    let opts = NemesisOptions {
        schedule: Some(plan),
        ..NemesisOptions::default()
    };
    let n = Runner::new(opts, 1, None, None).unwrap();
    let rec = recorder("fixed");
    n.prepare(&c).await.unwrap();
    let (tx, rx) = tokio::sync::watch::channel(false);
    let watcher = async {
        tokio::time::sleep(Duration::from_millis(120)).await;
        // Both partitions hold; the second has not yet healed.
        assert!(!c.reaches("n2", "n1") && !c.reaches("n3", "n1"));
        tokio::time::sleep(Duration::from_millis(130)).await;
        // The second healed at 0.20 s, its own rules only; the first holds; n3 is down.
        assert!(c.reaches("n3", "n1") && !c.reaches("n2", "n1"));
        assert!(!c.state("n3").running);
        tokio::time::sleep(Duration::from_millis(150)).await;
        tx.send(true).unwrap();
    };
    let (ran, ()) = tokio::join!(n.run(&c, &rec, rx), watcher);
    ran.unwrap();
    // Stopped at 0.4 s: the kill (until 5 s) was healed with everything else.
    assert!(c.state("n3").running && c.reaches("n2", "n1"));
    let ops = rec.ops();
    let chosen: Vec<(&str, f64)> = ops
        .iter()
        .filter(|o| o.f.starts_with("start-") && o.value.get("fault").is_some())
        .map(|o| (o.f.as_str(), o.time_ns as f64 / 1e9))
        .collect();
    let fs: Vec<&str> = chosen.iter().map(|(f, _)| *f).collect();
    assert_eq!(fs, ["start-partition", "start-partition", "start-kill"]);
    for ((_, t), want) in chosen.iter().zip([0.05, 0.10, 0.15]) {
        assert!(
            *t >= want && *t < want + 0.05,
            "applied at {t} s, planned {want}"
        );
    }
    let first = ops.iter().find(|o| o.f == "start-kill").unwrap();
    assert_eq!(first.value, kill, "the value recorded is the one planned");
    let healed = ops
        .iter()
        .filter(|o| o.f.starts_with("stop-") && o.value.get("healed").is_some())
        .count();
    assert_eq!(healed, 3);
}

#[test]
fn a_bad_schedule_is_refused_naming_the_entry() {
    let opts = NemesisOptions {
        schedule: Some(vec![Planned {
            at_s: 1.0,
            end_s: 0.0,
            fault: json!({"fault": "kill"}),
        }]),
        ..NemesisOptions::default()
    };
    let e = Runner::new(opts, 1, None, None).err().unwrap().to_string();
    assert!(e.starts_with("nemesis.schedule[0]: end_s"), "{e}");
}

/// A system whose leader is n3.
struct N3;

#[async_trait::async_trait]
impl nemesis::Leader for N3 {
    async fn leader(&self, _: &dyn cluster::Cluster) -> Option<String> {
        Some("n3".into())
    }
}

#[tokio::test]
async fn a_fault_aimed_at_the_leader_of_its_time_can_be_re_aimed() {
    let isolate_n1 = json!({"fault": "partition", "shape": "isolate-leader", "leader": "n1",
        "grudge": {"n1": ["n2", "n3"], "n2": ["n1"], "n3": ["n1"]}});
    for reaim in [false, true] {
        let c = FakeCluster::new(3);
        let opts = NemesisOptions {
            schedule: Some(vec![Planned {
                at_s: 0.0,
                end_s: 9.0,
                fault: isolate_n1.clone(),
            }]),
            reaim_leader: reaim,
            ..NemesisOptions::default()
        };
        let n = Runner::new(opts, 1, Some(std::sync::Arc::new(N3)), None).unwrap();
        let rec = recorder(&format!("reaim-{reaim}"));
        n.prepare(&c).await.unwrap();
        n.apply_planned(0, &isolate_n1, &c, &rec).await.unwrap();
        let cut_off = if reaim { "n3" } else { "n1" };
        let other = if reaim { "n1" } else { "n3" };
        assert!(
            !c.reaches("n2", cut_off) && c.reaches("n2", other),
            "reaim {reaim}"
        );
        let chosen = &rec.ops()[0].value;
        assert_eq!(chosen["leader"], json!(cut_off), "recorded as applied");
        n.heal_planned(0, &c, &rec).await.unwrap();
        assert!(c.reaches("n2", cut_off), "healed what was applied");
    }
}
