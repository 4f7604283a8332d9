//! MariaDB Galera over SQL (the `mysql_async` crate, MySQL's wire protocol): every node
//! is a primary, so each worker keeps one connection to the node it is bound to, and
//! runs each transaction there ([`txn`]), the micro-ops as SQL on tables of the
//! `schism` database ([`sql`]). `bank` and `set` are translated into transactions by the
//! workloads (`workloads::txn::client_over`). The cluster is ready for clients when every
//! node is synced in one cluster of all the nodes ([`session::cluster_ready`]), which
//! also makes the tables. Galera has no leader.

pub mod options;
pub mod session;
pub mod sql;
pub mod txn;

pub use options::{GaleraOptions, Isolation};
pub use txn::GaleraTxnClient;

use super::ProtocolDef;

/// MariaDB Galera, over SQL.
pub static PROTOCOL: ProtocolDef = ProtocolDef {
    name: "galera",
    workloads: || workloads::txn::NAMES.to_vec(),
    check: |c| GaleraOptions::of(c).map(|_| ()),
    client: |c| {
        let options = GaleraOptions::of(&c.spec.client)
            .map_err(|(field, why)| crate::Error::Spec(format!("{field}: {why}")))?;
        let ip = c.cluster.nodes()[c.node].ip;
        let w = c.setup.workload.as_str();
        let txn = GaleraTxnClient::new(
            (ip, c.port),
            options,
            sql::Store::for_workload(w),
            c.setup.client_timeout,
        );
        Ok(workloads::txn::client_over(
            w,
            Box::new(txn),
            &c.setup.workload_options,
        ))
    },
    leader: None,
    cluster_ready: Some(|cluster, spec, setup| {
        Box::pin(session::cluster_ready(cluster, spec, setup))
    }),
};
