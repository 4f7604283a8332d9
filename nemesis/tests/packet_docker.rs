//! The packet faults on real containers: each one applied to n1 of a 3-node busybox
//! cluster puts its NFQUEUE rule in n1's namespace and starts its shaper thread; traffic
//! from n2 to n1's web server is shaped (a TCP handshake under a 200 ms delay takes at least
//! 200 ms; copies, overtakes, damaged and metered packets are counted); the heal records the
//! counts and leaves no rule and no thread behind.

use cluster::docker::DockerCluster;
use cluster::sample::busybox_httpd;
use cluster::Cluster;
use history::recorder::Recorder;
use nemesis::{NemesisOptions, Runner, Target};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Threads of this process named `shaper-*`.
fn shaper_threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
        .filter(|c| c.starts_with("shaper-"))
        .count()
}

/// From inside `netns`: `n` HTTP requests to `ip:8080`, each on a new connection; the
/// slowest handshake.
fn requests(netns: PathBuf, ip: String, n: usize) -> Duration {
    std::thread::spawn(move || {
        shaper::netns::enter(&netns).expect("enter n2's namespace");
        let mut slowest = Duration::ZERO;
        for _ in 0..n {
            let t0 = Instant::now();
            let mut s = TcpStream::connect((ip.as_str(), 8080)).expect("connect");
            slowest = slowest.max(t0.elapsed());
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let _ = s.write_all(b"GET /nothing-here HTTP/1.0\r\n\r\n");
            let mut buf = Vec::new();
            let _ = s.read_to_end(&mut buf);
        }
        slowest
    })
    .join()
    .expect("the client thread")
}

async fn output_rules(cluster: &DockerCluster, node: &str) -> String {
    cluster
        .exec_in_netns(node, &["iptables", "-S", "OUTPUT"])
        .await
        .unwrap()
        .stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_packet_fault_is_applied_recorded_and_healed_leaving_nothing() {
    let run_id = format!("pkt{}", std::process::id());
    let cluster = DockerCluster::start(&busybox_httpd(&run_id, 3))
        .await
        .expect("a busybox cluster");
    let dir = std::env::temp_dir().join(format!("schism-pktdock-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rec = Recorder::create(&dir.join("history.jsonl")).unwrap();
    let body = async {
        let n1_ip = cluster.nodes()[0].ip.to_string();
        let n2_ns = cluster
            .netns_path("n2")
            .await
            .unwrap()
            .expect("a namespace");
        let cases = [
            ("delay", json!({"delay_ms": 200}), "delayed"),
            ("duplicate", json!({"probability": 0.5}), "duplicated"),
            (
                "reorder",
                json!({"probability": 0.5, "hold_ms": 30}),
                "reordered",
            ),
            ("corrupt", json!({"probability": 0.5}), "corrupted"),
            (
                "rate",
                json!({"bytes_per_s": 20000, "burst_bytes": 0}),
                "delayed",
            ),
        ];
        for (kind, options, counted) in cases {
            let mut opts = NemesisOptions {
                faults: vec![kind.to_string()],
                targets: vec![Target::Nodes(vec!["n1".into()])],
                ..NemesisOptions::default()
            };
            opts.sections.insert(kind.into(), options);
            let nem = Runner::new(opts, 3, None, None).unwrap();
            nem.prepare(&cluster).await.unwrap();
            nem.start_fault(&cluster, &rec).await.unwrap();
            let applied = rec.last_nemesis().unwrap().value;
            assert_eq!(applied["answers"]["via"], "nfqueue", "{kind}: {applied}");
            assert_eq!(applied["applied"]["nodes"], json!(["n1"]));
            let rules = output_rules(&cluster, "n1").await;
            let queue = format!(
                "--queue-num {}",
                40 + ["delay", "duplicate", "reorder", "corrupt", "rate"]
                    .iter()
                    .position(|k| *k == kind)
                    .unwrap()
            );
            assert!(
                rules.contains("NFQUEUE") && rules.contains(&queue),
                "{kind}: {rules}"
            );
            assert!(!output_rules(&cluster, "n2").await.contains("NFQUEUE"));
            assert_eq!(shaper_threads(), 1, "{kind}");

            let slowest = tokio::task::spawn_blocking({
                let (ns, ip) = (n2_ns.clone(), n1_ip.clone());
                move || requests(ns, ip, 20)
            })
            .await
            .unwrap();
            if kind == "delay" {
                // n1's SYN-ACK to n2 is held 200 ms: a lower bound, never flaky.
                assert!(slowest >= Duration::from_millis(200), "{slowest:?}");
            }

            nem.heal_all(&cluster, &rec).await.unwrap();
            let healed: Value = rec.last_nemesis().unwrap().value;
            let total = &healed["answers"]["total"];
            eprintln!("{kind}: slowest handshake {slowest:?}, {total}");
            assert!(healed.get("healed").is_some(), "{kind}: {healed}");
            assert!(total["packets"].as_u64().unwrap() > 20, "{kind}: {total}");
            assert!(total[counted].as_u64().unwrap() > 0, "{kind}: {total}");
            assert_eq!(total["errors"], 0, "{kind}: {total}");
            assert!(healed["answers"]["counts"]["n1"].is_object());
            let rules = output_rules(&cluster, "n1").await;
            assert!(!rules.contains("NFQUEUE"), "{kind} left a rule: {rules}");
            assert_eq!(shaper_threads(), 0, "{kind} left its thread");
            // Traffic flows as before.
            let after = tokio::task::spawn_blocking({
                let (ns, ip) = (n2_ns.clone(), n1_ip.clone());
                move || requests(ns, ip, 3)
            })
            .await
            .unwrap();
            assert!(
                after < Duration::from_millis(200),
                "{kind}: {after:?} after heal"
            );
        }
    };
    let outcome = futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(body)).await;
    cluster.teardown(None).await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(p) = outcome {
        std::panic::resume_unwind(p);
    }
}
