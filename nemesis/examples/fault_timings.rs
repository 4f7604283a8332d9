//! How long faults take to apply and heal on five real containers (busybox nodes):
//! `cargo run --release -p nemesis --example fault_timings -- [ROUNDS]`.
//! Prints p50, p99 and max per fault kind, from the times recorded in the history.

use cluster::docker::DockerCluster;
use cluster::sample::busybox_httpd;
use cluster::Cluster;
use history::recorder::Recorder;
use nemesis::{NemesisOptions, Runner};

fn quantiles(mut v: Vec<f64>) -> String {
    v.sort_by(|a, b| a.total_cmp(b));
    let q = |p: f64| v[((v.len() as f64 - 1.0) * p).round() as usize];
    format!(
        "p50 {:6.1} ms  p99 {:6.1} ms  max {:6.1} ms  (n={})",
        q(0.5),
        q(0.99),
        q(1.0),
        v.len()
    )
}

#[tokio::main]
async fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|r| r.parse().ok())
        .unwrap_or(50);
    let run_id = format!("timings{}", std::process::id());
    let started = std::time::Instant::now();
    let cluster = match DockerCluster::start(&busybox_httpd(&run_id, 5)).await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(255);
        }
    };
    println!(
        "5 nodes ready in {:.0} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    let dir = std::env::temp_dir().join(format!("schism-timings-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let rec = Recorder::create(&dir.join("history.jsonl")).expect("recorder");
    for kind in ["partition", "kill", "pause", "loss"] {
        let opts = NemesisOptions {
            faults: vec![kind.to_string()],
            max_faulty: 2,
            ..NemesisOptions::default()
        };
        let nem = match Runner::new(opts, 1, None, None) {
            Ok(n) => n,
            Err(e) => {
                eprintln!("{e}");
                break;
            }
        };
        if let Err(e) = nem.prepare(&cluster).await {
            eprintln!("{e}");
            break;
        }
        let (mut apply, mut heal) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            if let Err(e) = nem.start_fault(&cluster, &rec).await {
                eprintln!("{e}");
                break;
            }
            apply.push(
                rec.last_nemesis()
                    .and_then(|o| o.value["apply_ms"].as_f64())
                    .unwrap_or(f64::NAN),
            );
            if let Err(e) = nem.heal_all(&cluster, &rec).await {
                eprintln!("{e}");
                break;
            }
            heal.push(
                rec.last_nemesis()
                    .and_then(|o| o.value["heal_ms"].as_f64())
                    .unwrap_or(f64::NAN),
            );
        }
        println!("{:<9} apply {}", kind, quantiles(apply));
        println!("{:<9} heal  {}", "", quantiles(heal));
    }
    let _ = cluster.teardown(None).await;
    let _ = std::fs::remove_dir_all(&dir);
}
