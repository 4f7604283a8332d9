//! Power loss on real containers: each node's data directory is a powerfs mount on the
//! host. A file a node wrote and fsynced survives `lose_unsynced`; one it wrote and never
//! synced does not; a killed node (no power loss) keeps both. Teardown leaves no mount.

use cluster::docker::{power_root, DockerCluster};
use cluster::{Cluster, Cut};
use std::time::Duration;

fn sh(script: &str) -> Vec<&str> {
    vec!["/bin/busybox", "sh", "-c", script]
}

async fn cat(c: &DockerCluster, node: &str, file: &str) -> String {
    let out = c
        .exec_in_node(node, &sh(&format!("cat /data/{file} 2>&1")))
        .await
        .expect("exec");
    out.stdout.trim().to_string()
}

/// The node writes `synced` (dd conv=fsync: fsync of the new file) then `unsynced` (no
/// fsync).
async fn write_both(c: &DockerCluster, node: &str) {
    let script = "echo kept | /bin/busybox dd of=/data/synced conv=fsync 2>/dev/null && \
                  echo lost > /data/unsynced";
    let out = c.exec_in_node(node, &sh(script)).await.expect("exec");
    assert_eq!(out.exit_code, 0, "{out:?}");
}

async fn restart(c: &DockerCluster, node: &str) {
    c.start(node).await.expect("start");
    c.wait_ready(node, Duration::from_secs(20))
        .await
        .expect("ready");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn synced_files_survive_a_power_loss_and_unsynced_ones_do_not() {
    let run_id = format!("p{}", std::process::id());
    let mut spec = cluster::sample::busybox_httpd(&run_id, 2);
    spec.power_loss = true;
    let c = DockerCluster::start(&spec).await.expect("cluster up");
    let mounts = powerfs::mounts_under(&power_root().join(&run_id));
    let result = std::panic::AssertUnwindSafe(async {
        assert_eq!(mounts.len(), 2, "one powerfs mount per node: {mounts:?}");
        // A kill alone loses nothing: the kernel (here, powerfs) keeps every write.
        write_both(&c, "n2").await;
        c.kill("n2").await.expect("kill");
        restart(&c, "n2").await;
        assert_eq!(cat(&c, "n2", "synced").await, "kept");
        assert_eq!(cat(&c, "n2", "unsynced").await, "lost");
        // A power loss drops what was never synced: unsynced's 5 bytes and its entry.
        write_both(&c, "n1").await;
        let lost = c.lose_unsynced("n1", Cut::All).await.expect("power loss");
        assert_eq!(
            (lost.bytes, lost.files, lost.entries),
            (5, 1, 1),
            "{lost:?}"
        );
        restart(&c, "n1").await;
        assert_eq!(cat(&c, "n1", "synced").await, "kept");
        let gone = cat(&c, "n1", "unsynced").await;
        assert!(gone.contains("No such file"), "{gone}");
    });
    let outcome = futures_util::FutureExt::catch_unwind(result).await;
    c.teardown(None).await.expect("teardown");
    assert!(
        powerfs::mounts_under(&power_root())
            .iter()
            .all(|m| !m.to_string_lossy().contains(&run_id)),
        "a powerfs mount of {run_id} is left"
    );
    assert!(
        !power_root().join(&run_id).exists(),
        "its directory is left"
    );
    if let Err(p) = outcome {
        std::panic::resume_unwind(p);
    }
}
