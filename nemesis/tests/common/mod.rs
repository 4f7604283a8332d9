//! What the nemesis tests share: a recorder in a fresh directory, and a run of the
//! schedule until enough faults were applied. (Each test file uses some of it.)
#![allow(dead_code)]

use cluster::Cluster;
use history::recorder::Recorder;
use nemesis::Runner;
use std::time::Duration;

pub fn recorder(name: &str) -> Recorder {
    let dir = std::env::temp_dir().join(format!("schism-nem-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    Recorder::create(&dir.join("history.jsonl")).unwrap()
}

/// Faults applied so far.
pub fn applied(rec: &Recorder) -> usize {
    rec.ops()
        .iter()
        .filter(|o| o.f.starts_with("start-") && o.value.get("applied").is_some())
        .count()
}

/// Run the schedule until `at_least` faults were applied (however loaded the machine is,
/// within 20 s), then stop it; it heals everything.
pub async fn run_until_applied(n: &Runner, c: &dyn Cluster, rec: &Recorder, at_least: usize) {
    let (tx, rx) = tokio::sync::watch::channel(false);
    let stopper = async {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while applied(rec) < at_least && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        tx.send(true).unwrap();
    };
    let (ran, ()) = tokio::join!(n.run(c, rec, rx), stopper);
    ran.unwrap();
}
