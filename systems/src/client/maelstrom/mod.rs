//! Maelstrom's protocol, spoken by schism's own nodes and by any node program under
//! schism's runtime: a [`MaelstromClient`] (one worker's connection, the register's
//! `read`, `write` and `cas`), and over it the clients of the other workloads: agreement,
//! services, transactions and the Kafka-style log.

pub mod agreement;
mod client;
pub mod log;
pub mod services;
pub mod txn;

pub use agreement::AgreementClient;
pub use client::MaelstromClient;
pub use services::ServiceClient;
pub use txn::MaelstromTxnClient;

use super::ProtocolDef;
use crate::Setup;
use workloads::Client;

/// Maelstrom's protocol, through schism's node runtime on each node.
pub static PROTOCOL: ProtocolDef = ProtocolDef {
    name: "maelstrom",
    workloads: served,
    check: super::no_options,
    client: |c| {
        let inner = MaelstromClient::new(
            crate::runtime::addrs(c.cluster.nodes(), c.port),
            c.node,
            c.setup.client_timeout,
        );
        Ok(for_workload(inner, c.node, c.setup, false))
    },
    leader: None,
    cluster_ready: None,
};

/// The workloads a Maelstrom node (or a user's exec command) may serve: the register,
/// the services and the transactional workloads.
pub fn served() -> Vec<&'static str> {
    ["register", workloads::log::NAME]
        .into_iter()
        .chain(workloads::services::NAMES.iter().copied())
        .chain(workloads::txn::NAMES.iter().copied())
        .collect()
}

/// The client of the run's workload for a worker of node `node`: the register as it is,
/// transactions (`bank` and `set` translated into them), agreement (proposals and
/// submissions through whoever leads when `via_leader`), or a service.
pub fn for_workload(
    inner: MaelstromClient,
    node: usize,
    setup: &Setup,
    via_leader: bool,
) -> Box<dyn Client> {
    let w = setup.workload.as_str();
    if w == "register" {
        return Box::new(inner);
    }
    if w == workloads::log::NAME {
        let keys = workloads::log::keys(&setup.workload_options);
        return Box::new(log::LogClient::new(inner, &keys));
    }
    if workloads::txn::NAMES.contains(&w) {
        let txn = Box::new(MaelstromTxnClient::new(inner));
        return workloads::txn::client_over(w, txn, &setup.workload_options);
    }
    if workloads::agreement::Kind::parse(w).is_some() {
        let vectors = w == "interactive-consistency";
        return Box::new(AgreementClient::new(inner, via_leader, vectors));
    }
    services::client(w, inner, node)
}
