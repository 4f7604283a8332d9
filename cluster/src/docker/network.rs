//! The run's own bridge network: one /24 per run, chosen so that it overlaps no network the
//! engine already has, nodes at .2, .3, ... (the bridge, the host's side, is .1).
//!
//! Two runs starting at once may pick the same free /24; the engine refuses the second
//! ("Pool overlaps"), which then tries the next one.

use super::engine::{docker_err, run_filter};
use crate::ClusterError;
use bollard::models::{Ipam, IpamConfig, NetworkCreateRequest};
use bollard::query_parameters::ListNetworksOptionsBuilder;
use bollard::Docker;
use std::collections::BTreeSet;
use std::net::Ipv4Addr;

/// Runs take their /24 from 10.213.0.0/16.
const PREFIX: [u8; 2] = [10, 213];
/// How many times a run tries another /24 after the engine refused one.
const CREATE_ATTEMPTS: usize = 8;

/// The network of a run.
#[derive(Debug, Clone)]
pub(crate) struct RunNetwork {
    pub name: String,
    /// The third octet: the subnet is `10.213.<third>.0/24`.
    pub third: u8,
}

impl RunNetwork {
    /// The address of node i (0-based): `.2` for n1.
    pub fn node_ip(&self, index: usize) -> Ipv4Addr {
        Ipv4Addr::new(PREFIX[0], PREFIX[1], self.third, (index + 2) as u8)
    }
}

/// `a.b.c.d/len` (IPv4 only; IPv6 subnets cannot overlap ours).
pub(crate) fn parse_cidr(s: &str) -> Option<(Ipv4Addr, u8)> {
    let (addr, len) = s.split_once('/')?;
    let len: u8 = len.parse().ok()?;
    (len <= 32).then_some(())?;
    Some((addr.parse().ok()?, len))
}

/// Whether two IPv4 networks share an address: they agree on the shorter prefix.
pub(crate) fn overlaps(a: (Ipv4Addr, u8), b: (Ipv4Addr, u8)) -> bool {
    let len = a.1.min(b.1);
    let mask = if len == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(len))
    };
    (u32::from(a.0) & mask) == (u32::from(b.0) & mask)
}

/// The first `10.213.N.0/24` that overlaps none of `used` and was not tried already.
pub(crate) fn choose_subnet(used: &[(Ipv4Addr, u8)], tried: &BTreeSet<u8>) -> Option<u8> {
    (0..=255u8).find(|n| {
        let candidate = (Ipv4Addr::new(PREFIX[0], PREFIX[1], *n, 0), 24);
        !tried.contains(n) && !used.iter().any(|u| overlaps(candidate, *u))
    })
}

/// Every IPv4 subnet the engine's networks use.
async fn used_subnets(docker: &Docker) -> Result<Vec<(Ipv4Addr, u8)>, ClusterError> {
    let networks = docker
        .list_networks(None::<bollard::query_parameters::ListNetworksOptions>)
        .await
        .map_err(docker_err("listing networks"))?;
    Ok(networks
        .iter()
        .filter_map(|n| n.ipam.as_ref()?.config.as_ref())
        .flatten()
        .filter_map(|c| parse_cidr(c.subnet.as_deref()?))
        .collect())
}

/// Creates `schism-<run_id>` on a free /24, labelled with the run.
pub(crate) async fn create_run_network(
    docker: &Docker,
    run_id: &str,
) -> Result<RunNetwork, ClusterError> {
    let name = format!("schism-{run_id}");
    let mut tried = BTreeSet::new();
    let mut last_error = String::new();
    for _ in 0..CREATE_ATTEMPTS {
        let used = used_subnets(docker).await?;
        let Some(third) = choose_subnet(&used, &tried) else {
            break;
        };
        tried.insert(third);
        let subnet = format!("{}.{}.{third}.0/24", PREFIX[0], PREFIX[1]);
        let request = NetworkCreateRequest {
            name: name.clone(),
            driver: Some("bridge".to_string()),
            ipam: Some(Ipam {
                driver: Some("default".to_string()),
                config: Some(vec![IpamConfig {
                    subnet: Some(subnet.clone()),
                    gateway: Some(format!("{}.{}.{third}.1", PREFIX[0], PREFIX[1])),
                    ..IpamConfig::default()
                }]),
                options: None,
            }),
            labels: Some(super::engine::run_labels(run_id)),
            ..NetworkCreateRequest::default()
        };
        match docker.create_network(request).await {
            Ok(_) => {
                tracing::debug!(%name, %subnet, "network created");
                return Ok(RunNetwork { name, third });
            }
            Err(e) => {
                // Another run took this subnet between our look and our create: try the next.
                last_error = super::engine::brief(&e);
                if !last_error.contains("overlap") {
                    return Err(ClusterError::Docker(format!(
                        "creating network {name} on {subnet}: {last_error}"
                    )));
                }
            }
        }
    }
    Err(ClusterError::Docker(format!(
        "creating network {name}: no free /24 in {}.{}.0.0/16 after {} tries (last: {last_error})",
        PREFIX[0],
        PREFIX[1],
        tried.len()
    )))
}

/// The names of a run's networks.
pub(crate) async fn run_networks(
    docker: &Docker,
    run_id: &str,
) -> Result<Vec<String>, ClusterError> {
    let options = ListNetworksOptionsBuilder::new()
        .filters(&run_filter(run_id))
        .build();
    let networks = docker
        .list_networks(Some(options))
        .await
        .map_err(docker_err(format!("listing the networks of run {run_id}")))?;
    Ok(networks.into_iter().filter_map(|n| n.name).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> (Ipv4Addr, u8) {
        parse_cidr(s).expect("cidr")
    }

    #[test]
    fn cidrs() {
        assert_eq!(
            parse_cidr("172.17.0.0/16"),
            Some((Ipv4Addr::new(172, 17, 0, 0), 16))
        );
        assert_eq!(parse_cidr("fd00::/64"), None);
        assert_eq!(parse_cidr("10.0.0.0/33"), None);
        assert_eq!(parse_cidr("10.0.0.0"), None);
    }

    #[test]
    fn overlap_table() {
        for (a, b, want) in [
            ("10.213.0.0/24", "10.213.0.0/24", true),
            ("10.213.0.0/24", "10.213.1.0/24", false),
            ("10.213.5.0/24", "10.0.0.0/8", true),
            ("10.0.0.0/8", "10.213.5.0/24", true),
            ("10.213.5.0/24", "10.213.5.128/25", true),
            ("10.213.5.0/24", "172.17.0.0/16", false),
            ("0.0.0.0/0", "10.213.5.0/24", true),
        ] {
            assert_eq!(overlaps(net(a), net(b)), want, "{a} {b}");
        }
    }

    #[test]
    fn subnet_choice() {
        let none = BTreeSet::new();
        assert_eq!(choose_subnet(&[], &none), Some(0));
        assert_eq!(choose_subnet(&[net("172.17.0.0/16")], &none), Some(0));
        assert_eq!(
            choose_subnet(&[net("10.213.0.0/24"), net("10.213.1.0/24")], &none),
            Some(2)
        );
        // A wide network in the way covers many /24s.
        assert_eq!(choose_subnet(&[net("10.213.0.0/20")], &none), Some(16));
        assert_eq!(choose_subnet(&[net("10.0.0.0/8")], &none), None);
        assert_eq!(choose_subnet(&[], &BTreeSet::from([0, 1])), Some(2));
        let full: Vec<_> = (0..=255u8)
            .map(|n| (Ipv4Addr::new(10, 213, n, 0), 24))
            .collect();
        assert_eq!(choose_subnet(&full, &none), None);
    }

    #[test]
    fn node_ips() {
        let n = RunNetwork {
            name: "x".into(),
            third: 7,
        };
        assert_eq!(n.node_ip(0), Ipv4Addr::new(10, 213, 7, 2));
        assert_eq!(n.node_ip(2), Ipv4Addr::new(10, 213, 7, 4));
    }
}
