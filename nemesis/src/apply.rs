//! Applying and healing faults on a [`Cluster`]. Every node at once, so a fault on five
//! nodes takes about as long as on one.

use crate::{Fault, NemesisError};
use cluster::{Cluster, ClusterError};
use futures_util::future::try_join_all;
use std::collections::BTreeMap;

/// The private iptables chain of schism's rules in each node's namespace.
pub const CHAIN: &str = "schism";

async fn iptables(cluster: &dyn Cluster, node: &str, args: &[&str]) -> Result<(), ClusterError> {
    let mut argv = vec!["iptables", "-w"];
    argv.extend_from_slice(args);
    cluster.exec_in_netns(node, &argv).await.map(|_| ())
}

/// Create the chain in every node's namespace and send INPUT through it. Idempotent.
pub async fn prepare(cluster: &dyn Cluster) -> Result<(), NemesisError> {
    try_join_all(cluster.nodes().iter().map(|n| async move {
        // -N fails when the chain exists already; -C tells whether the jump is there.
        let _ = iptables(cluster, &n.name, &["-N", CHAIN]).await;
        if iptables(cluster, &n.name, &["-C", "INPUT", "-j", CHAIN])
            .await
            .is_err()
        {
            iptables(cluster, &n.name, &["-I", "INPUT", "-j", CHAIN]).await?;
        }
        Ok::<(), ClusterError>(())
    }))
    .await?;
    Ok(())
}

fn ips(cluster: &dyn Cluster) -> BTreeMap<String, String> {
    cluster
        .nodes()
        .iter()
        .map(|n| (n.name.clone(), n.ip.to_string()))
        .collect()
}

/// Apply a fault.
pub async fn apply(cluster: &dyn Cluster, fault: &Fault) -> Result<(), NemesisError> {
    match fault {
        Fault::Partition { grudge, .. } => {
            let ips = ips(cluster);
            try_join_all(
                grudge
                    .iter()
                    .filter(|(_, d)| !d.is_empty())
                    .map(|(node, drops)| {
                        let sources: Vec<&str> = drops
                            .iter()
                            .filter_map(|d| ips.get(d))
                            .map(|s| s.as_str())
                            .collect();
                        let sources = sources.join(",");
                        async move {
                            iptables(cluster, node, &["-A", CHAIN, "-s", &sources, "-j", "DROP"])
                                .await
                        }
                    }),
            )
            .await?;
        }
        Fault::Loss { nodes, probability } => {
            let p = format!("{probability}");
            try_join_all(nodes.iter().map(|node| {
                let p = p.clone();
                async move {
                    let args = [
                        "-A",
                        CHAIN,
                        "-m",
                        "statistic",
                        "--mode",
                        "random",
                        "--probability",
                        &p,
                        "-j",
                        "DROP",
                    ];
                    iptables(cluster, node, &args).await
                }
            }))
            .await?;
        }
        Fault::Kill { nodes } => {
            try_join_all(nodes.iter().map(|n| cluster.kill(n))).await?;
        }
        Fault::Pause { nodes } => {
            try_join_all(nodes.iter().map(|n| cluster.pause(n))).await?;
        }
        Fault::Byzantine { .. } | Fault::Clock { .. } => return Err(runtime_only(fault)),
    }
    Ok(())
}

/// Undo a fault.
pub async fn heal(cluster: &dyn Cluster, fault: &Fault) -> Result<(), NemesisError> {
    match fault {
        Fault::Partition { grudge, .. } => {
            let nodes: Vec<&String> = grudge
                .iter()
                .filter(|(_, d)| !d.is_empty())
                .map(|(n, _)| n)
                .collect();
            flush(cluster, nodes).await?;
        }
        Fault::Loss { nodes, .. } => flush(cluster, nodes.iter()).await?,
        Fault::Kill { nodes } => {
            try_join_all(nodes.iter().map(|n| cluster.start(n))).await?;
        }
        Fault::Pause { nodes } => {
            try_join_all(nodes.iter().map(|n| cluster.resume(n))).await?;
        }
        Fault::Byzantine { .. } | Fault::Clock { .. } => return Err(runtime_only(fault)),
    }
    Ok(())
}

fn runtime_only(fault: &Fault) -> NemesisError {
    NemesisError::Unsupported(format!(
        "the {} nemesis is applied through the node runtime (see `runtime`)",
        fault.kind().as_str()
    ))
}

/// Remove every network rule of schism on these nodes.
pub async fn flush<'a>(
    cluster: &dyn Cluster,
    nodes: impl IntoIterator<Item = &'a String>,
) -> Result<(), NemesisError> {
    try_join_all(
        nodes
            .into_iter()
            .map(|n| iptables(cluster, n, &["-F", CHAIN])),
    )
    .await?;
    Ok(())
}
