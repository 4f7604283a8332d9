//! The nemesis on real containers: the rules in each node's network namespace are exactly
//! the grudge recorded in the history, killed and paused nodes are what the engine reports,
//! and healing leaves no rule and every node running.

use cluster::docker::DockerCluster;
use cluster::sample::busybox_httpd;
use cluster::Cluster;
use history::recorder::Recorder;
use history::Process;
use nemesis::grudge::Shape;
use nemesis::{NemesisOptions, Runner};
use std::collections::BTreeSet;
use std::process::Command;

fn drop_sources(iptables_s: &str) -> BTreeSet<String> {
    iptables_s
        .lines()
        .filter(|l| l.starts_with("-A schism") && l.contains("-j DROP"))
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            w.position(|x| x == "-s")?;
            w.next().map(|ip| ip.trim_end_matches("/32").to_string())
        })
        .collect()
}

fn inspect(container: &str, what: &str) -> String {
    let o = Command::new("docker")
        .args(["inspect", "-f", what, container])
        .output()
        .expect("docker cli");
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

#[tokio::test]
async fn applied_rules_and_states_match_the_recorded_faults() {
    let run_id = format!("nem{}", std::process::id());
    let cluster = DockerCluster::start(&busybox_httpd(&run_id, 5))
        .await
        .expect("a busybox cluster");
    let dir = std::env::temp_dir().join(format!("schism-nemdock-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rec = Recorder::create(&dir.join("history.jsonl")).unwrap();
    let body = async {
        let opts = NemesisOptions {
            faults: ["partition", "kill", "pause"].map(String::from).to_vec(),
            shapes: Shape::ALL.to_vec(),
            max_faulty: 2,
            ..NemesisOptions::default()
        };
        let nem = Runner::new(opts, 5, None, None).unwrap();
        nem.prepare(&cluster).await.unwrap();
        let ip_of = |n: &str| {
            cluster
                .nodes()
                .iter()
                .find(|x| x.name == n)
                .map(|x| x.ip.to_string())
                .unwrap()
        };
        for round in 0..9 {
            nem.start_fault(&cluster, &rec).await.unwrap();
            let last = rec.last_nemesis().unwrap();
            let applied = &last.value["applied"];
            match applied["fault"].as_str().unwrap() {
                "partition" => {
                    for node in cluster.nodes() {
                        let out = cluster
                            .exec_in_netns(&node.name, &["iptables", "-S", "schism"])
                            .await
                            .unwrap()
                            .stdout;
                        let want: BTreeSet<String> = applied["grudge"][&node.name]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|p| ip_of(p.as_str().unwrap()))
                            .collect();
                        assert_eq!(drop_sources(&out), want, "round {round}, {}", node.name);
                    }
                }
                kind @ ("kill" | "pause") => {
                    let chosen: Vec<&str> = applied["nodes"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|n| n.as_str().unwrap())
                        .collect();
                    assert!((1..=2).contains(&chosen.len()));
                    for node in cluster.nodes() {
                        let c = cluster.container_name(&node.name).unwrap();
                        let hit = chosen.contains(&node.name.as_str());
                        let (running, paused) = (
                            inspect(c, "{{.State.Running}}"),
                            inspect(c, "{{.State.Paused}}"),
                        );
                        match kind {
                            "kill" => assert_eq!(running == "false", hit, "{}", node.name),
                            _ => assert_eq!(paused == "true", hit, "{}", node.name),
                        }
                    }
                }
                other => panic!("unexpected fault {other}"),
            }
            nem.heal_all(&cluster, &rec).await.unwrap();
            for node in cluster.nodes() {
                let out = cluster
                    .exec_in_netns(&node.name, &["iptables", "-S", "schism"])
                    .await
                    .unwrap()
                    .stdout;
                assert!(drop_sources(&out).is_empty(), "healed: {out}");
                let c = cluster.container_name(&node.name).unwrap();
                assert_eq!(
                    inspect(c, "{{.State.Running}} {{.State.Paused}}"),
                    "true false"
                );
            }
        }
        let ops = rec.ops();
        assert!(ops.iter().all(|o| o.process == Process::Nemesis));
        assert_eq!(
            ops.len(),
            9 * 4,
            "start and stop, each an invocation and a completion"
        );
    };
    let outcome = futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(body)).await;
    cluster.teardown(None).await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(p) = outcome {
        std::panic::resume_unwind(p);
    }
}
