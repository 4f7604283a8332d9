//! Measures the packet faults between two real nodes (the figures of docs/faults.md):
//! the round trip n2 -> n1 (a TCP handshake: n1's SYN-ACK is what n1 sends, so a fault on
//! n1 shapes it once) healthy and under `delay`, and the counts of `duplicate` and
//! `reorder` over the same traffic. A measurement, not a test: it prints, it asserts
//! nothing.
//!
//! ```sh
//! cargo run --release -p nemesis --example packet_rtt
//! ```

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

const HANDSHAKES: usize = 200;

/// From inside `netns`: `n` connections to `ip:8080`, each with one HTTP request; the
/// handshake times, sorted.
fn handshakes(netns: PathBuf, ip: String, n: usize) -> Vec<Duration> {
    std::thread::spawn(move || {
        shaper::netns::enter(&netns).expect("enter the namespace");
        let mut times: Vec<Duration> = (0..n)
            .map(|_| {
                let t0 = Instant::now();
                let mut s = TcpStream::connect((ip.as_str(), 8080)).expect("connect");
                let t = t0.elapsed();
                let _ = s.write_all(b"GET / HTTP/1.0\r\n\r\n");
                let _ = s.read_to_end(&mut Vec::new());
                t
            })
            .collect();
        times.sort();
        times
    })
    .join()
    .expect("the client")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Apply one fault to n1, make the traffic, heal; the handshakes and the healed counts.
async fn under(
    cluster: &DockerCluster,
    rec: &Recorder,
    kind: &str,
    options: Value,
    ns: &std::path::Path,
    ip: &str,
) -> (Vec<Duration>, Value) {
    let mut opts = NemesisOptions {
        faults: vec![kind.to_string()],
        targets: vec![Target::Nodes(vec!["n1".into()])],
        ..NemesisOptions::default()
    };
    opts.sections.insert(kind.into(), options);
    let nem = Runner::new(opts, 7, None, None).expect("a nemesis");
    nem.prepare(cluster).await.expect("prepare");
    nem.start_fault(cluster, rec).await.expect("apply");
    let (ns2, ip2) = (ns.to_path_buf(), ip.to_string());
    let times = tokio::task::spawn_blocking(move || handshakes(ns2, ip2, HANDSHAKES))
        .await
        .expect("traffic");
    nem.heal_all(cluster, rec).await.expect("heal");
    let healed = rec.last_nemesis().expect("a heal record").value;
    (times, healed["answers"]["total"].clone())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let run_id = format!("rtt{}", std::process::id());
    let cluster = DockerCluster::start(&busybox_httpd(&run_id, 3))
        .await
        .expect("a busybox cluster");
    let dir = std::env::temp_dir().join(format!("schism-rtt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let rec = Recorder::create(&dir.join("history.jsonl")).expect("a history");
    let ip = cluster.nodes()[0].ip.to_string();
    let ns = cluster
        .netns_path("n2")
        .await
        .expect("n2")
        .expect("a namespace");

    let (ns0, ip0) = (ns.clone(), ip.clone());
    let base = tokio::task::spawn_blocking(move || handshakes(ns0, ip0, HANDSHAKES))
        .await
        .expect("traffic");
    let base_median = ms(base[HANDSHAKES / 2]);
    println!(
        "healthy: median {:.3} ms, p90 {:.3} ms ({HANDSHAKES} handshakes n2 -> n1)",
        base_median,
        ms(base[HANDSHAKES * 9 / 10])
    );
    println!("| delay set | median RTT | rise | error of the rise | p10 .. p90 |");
    for delay in [10u64, 50, 100, 200] {
        let (t, total) = under(
            &cluster,
            &rec,
            "delay",
            json!({"delay_ms": delay}),
            &ns,
            &ip,
        )
        .await;
        let median = ms(t[HANDSHAKES / 2]);
        let rise = median - base_median;
        println!(
            "| {delay} ms | {median:.2} ms | {rise:.2} ms | {:+.1} % | {:.2} .. {:.2} ms | counts {total}",
            (rise - delay as f64) / delay as f64 * 100.0,
            ms(t[HANDSHAKES / 10]),
            ms(t[HANDSHAKES * 9 / 10]),
        );
    }
    let (t, total) = under(
        &cluster,
        &rec,
        "delay",
        json!({"delay_ms": 100, "jitter_ms": 20}),
        &ns,
        &ip,
    )
    .await;
    println!(
        "delay 100 ms jitter 20 ms: min {:.2} ms, median {:.2} ms, max {:.2} ms; counts {total}",
        ms(t[0]),
        ms(t[HANDSHAKES / 2]),
        ms(t[HANDSHAKES - 1])
    );
    for (kind, options) in [
        ("duplicate", json!({"probability": 0.2})),
        ("reorder", json!({"probability": 0.25, "hold_ms": 20})),
        ("corrupt", json!({"probability": 0.05})),
        ("rate", json!({"bytes_per_s": 125000})),
    ] {
        let (t, total) = under(&cluster, &rec, kind, options.clone(), &ns, &ip).await;
        println!(
            "{kind} {options}: median handshake {:.3} ms; counts {total}",
            ms(t[HANDSHAKES / 2])
        );
    }
    cluster.teardown(None).await.expect("teardown");
    let _ = std::fs::remove_dir_all(&dir);
}
