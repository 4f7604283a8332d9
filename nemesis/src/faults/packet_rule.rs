//! The iptables rule that hands a node's packets to its shaper: in the node's namespace,
//! `OUTPUT -d <the other nodes> -m mark ! --mark <copies' mark> -j NFQUEUE --queue-num N
//! --queue-bypass`. OUTPUT, so a fault shapes what a node sends, as netem shapes what leaves
//! an interface: the round trip between a shaped node and an unshaped one rises by the
//! delay once. Only traffic to the other nodes by default (the replication protocol); with
//! `clients`, everything the node sends, its answers to the controller's clients too.
//! `--queue-bypass`: while no shaper listens, packets pass.

use crate::NemesisError;
use cluster::Cluster;

/// The firewall mark of the copies a `duplicate` shaper sends, which the rule lets pass.
pub const COPY_MARK: u32 = 0x5c15;

/// The rule's arguments after `-A OUTPUT` / `-D OUTPUT`.
pub fn rule(peers: &[String], clients: bool, queue: u16) -> Vec<String> {
    let mut r: Vec<String> = Vec::new();
    if !clients {
        r.extend(["-d".into(), peers.join(",")]);
    }
    for a in [
        "-m",
        "mark",
        "!",
        "--mark",
        &COPY_MARK.to_string(),
        "-j",
        "NFQUEUE",
    ] {
        r.push(a.to_string());
    }
    r.extend([
        "--queue-num".into(),
        queue.to_string(),
        "--queue-bypass".into(),
    ]);
    r
}

/// Add (`-A`) or delete (`-D`) the rule in `node`'s namespace.
pub async fn apply(
    cluster: &dyn Cluster,
    node: &str,
    flag: &str,
    rule: &[String],
) -> Result<(), NemesisError> {
    let mut argv = vec!["iptables", "-w", flag, "OUTPUT"];
    argv.extend(rule.iter().map(String::as_str));
    cluster.exec_in_netns(node, &argv).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_names_the_peers_unless_clients_are_shaped_too() {
        let peers = vec!["10.0.0.3".to_string(), "10.0.0.4".to_string()];
        let r = rule(&peers, false, 40).join(" ");
        assert_eq!(
            r,
            "-d 10.0.0.3,10.0.0.4 -m mark ! --mark 23573 -j NFQUEUE --queue-num 40 --queue-bypass"
        );
        assert!(!rule(&peers, true, 41).join(" ").contains("-d"));
    }
}
