//! Measures the Docker backend on this machine: start of a 5-node cluster (busybox httpd,
//! images cached after the first round), one iptables command via nsenter and via docker
//! exec, kill+start and pause+resume of a node, teardown.
//!
//! `cargo run --release -p cluster --example docker_timings [rounds]`

use cluster::docker::{DockerCluster, ExecPath};
use cluster::{Cluster, ClusterSpec};
use std::time::{Duration, Instant};

/// Five busybox httpd nodes (the shared sample node).
fn spec(run_id: &str) -> ClusterSpec {
    let mut spec = cluster::sample::busybox_httpd(run_id, 5);
    spec.ready_timeout = Duration::from_secs(30);
    spec
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(3);
    let (
        mut starts,
        mut nsenter,
        mut exec,
        mut kill_start,
        mut kill_start_ready,
        mut pause_resume,
        mut teardowns,
    ) = (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    for round in 0..rounds {
        let run_id = format!("timing{}-{round}", std::process::id());
        let t = Instant::now();
        let c = DockerCluster::start(&spec(&run_id)).await?;
        let start_ms = ms(t.elapsed());
        println!(
            "round {round}: start of 5 nodes {start_ms:.0} ms (images built: {:?})",
            c.images_built()
        );
        if c.images_built().is_empty() {
            starts.push(start_ms);
        }
        let n2 = c.nodes()[1].ip.to_string();
        for _ in 0..10 {
            for (path, out) in [
                (ExecPath::Nsenter, &mut nsenter),
                (ExecPath::DockerExec, &mut exec),
            ] {
                for op in ["-A", "-D"] {
                    let t = Instant::now();
                    c.exec_in_netns_via(
                        "n1",
                        &["iptables", op, "INPUT", "-s", &n2, "-j", "DROP"],
                        path,
                    )
                    .await?;
                    out.push(ms(t.elapsed()));
                }
            }
        }
        for _ in 0..3 {
            let t = Instant::now();
            c.kill("n3").await?;
            c.start("n3").await?;
            kill_start.push(ms(t.elapsed()));
            c.wait_ready("n3", Duration::from_secs(10)).await?;
            kill_start_ready.push(ms(t.elapsed()));
            let t = Instant::now();
            c.pause("n4").await?;
            c.resume("n4").await?;
            pause_resume.push(ms(t.elapsed()));
        }
        let t = Instant::now();
        c.teardown(None).await?;
        teardowns.push(ms(t.elapsed()));
    }
    println!("medians over {rounds} rounds:");
    if !starts.is_empty() {
        println!(
            "  start, 5 nodes ready, images cached: {:.0} ms",
            median(starts)
        );
    }
    println!(
        "  one iptables command via nsenter:     {:.1} ms",
        median(nsenter)
    );
    println!(
        "  one iptables command via docker exec: {:.1} ms",
        median(exec)
    );
    println!(
        "  kill + start (API calls):             {:.0} ms",
        median(kill_start)
    );
    println!(
        "  kill + start + probe passes:          {:.0} ms",
        median(kill_start_ready)
    );
    println!(
        "  pause + resume:                       {:.1} ms",
        median(pause_resume)
    );
    println!(
        "  teardown of 5 nodes:                  {:.0} ms",
        median(teardowns)
    );
    Ok(())
}
