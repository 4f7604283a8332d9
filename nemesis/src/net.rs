//! Network rules: a private iptables chain (`schism`) in each node's network namespace,
//! jumped to from INPUT; each fault adds its rules there and deletes exactly those.

use crate::NemesisError;
use cluster::{Cluster, ClusterError};
use futures_util::future::try_join_all;
use std::collections::BTreeMap;

/// The private iptables chain of schism's rules in each node's namespace.
pub const CHAIN: &str = "schism";

/// Run `iptables -w ARGS` in a node's namespace.
pub async fn iptables(
    cluster: &dyn Cluster,
    node: &str,
    args: &[&str],
) -> Result<(), ClusterError> {
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

/// Each node's address, by name.
pub fn ips(cluster: &dyn Cluster) -> BTreeMap<String, String> {
    cluster
        .nodes()
        .iter()
        .map(|n| (n.name.clone(), n.ip.to_string()))
        .collect()
}

/// Add (`Rule::Add`) or delete (`Rule::Delete`) one rule in the chain of each node, all at
/// once. Faults delete exactly the rules they added, so network faults can overlap.
pub async fn each<'a>(
    cluster: &dyn Cluster,
    how: Rule,
    rules: impl IntoIterator<Item = (&'a str, Vec<String>)>,
) -> Result<(), NemesisError> {
    let flag = match how {
        Rule::Add => "-A",
        Rule::Delete => "-D",
    };
    try_join_all(rules.into_iter().map(|(node, rule)| async move {
        let mut args = vec![flag, CHAIN];
        args.extend(rule.iter().map(String::as_str));
        iptables(cluster, node, &args).await
    }))
    .await?;
    Ok(())
}

/// Whether [`each`] adds or deletes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Add,
    Delete,
}
