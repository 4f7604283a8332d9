//! How a client speaks to a system under test, one module per protocol: [`maelstrom`]
//! (schism's own nodes and any node program under its runtime), [`etcd`] (its v3 JSON
//! gateway), [`http_kv`] (any REST API, by a mapping), [`exec`] (a user's command
//! that speaks JSON lines), and the databases' own: [`redis`], [`galera`], [`nats`].
//! Each turns the invocations of a workload into requests, and the answers into
//! completions in the encoding that workload's checkers read.
//!
//! A protocol is one module and one line of [`ALL`]: its [`ProtocolDef`] says which
//! workloads it drives, checks its options (`client.options` of a system spec), makes a
//! worker's client, and, where the protocol itself can tell, who leads (`leader: NAME` in
//! a spec) and when the whole cluster is ready for clients.

pub mod etcd;
pub mod exec;
pub mod galera;
pub mod http_kv;
pub mod maelstrom;
pub mod nats;
pub mod redis;
pub mod zookeeper;

use crate::spec_file::{ClientSpec, SystemSpec};
use crate::{Error, Setup};
use cluster::Cluster;
use futures_util::future::BoxFuture;
use nemesis::Leader;
use std::path::Path;
use std::sync::Arc;
use workloads::Client;

/// What a protocol is given to make one worker's client.
pub struct ClientCtx<'a> {
    /// The system's spec (its ports, its `client:` section).
    pub spec: &'a SystemSpec,
    /// The spec's directory: relative paths in it are from here.
    pub dir: &'a Path,
    pub cluster: &'a dyn Cluster,
    /// The node this worker is bound to (an index into `cluster.nodes()`).
    pub node: usize,
    /// The port clients connect to.
    pub port: u16,
    pub setup: &'a Setup,
}

/// Waits until the whole cluster serves clients, or says why it does not yet.
pub type ClusterReadyFn =
    for<'a> fn(&'a dyn Cluster, &'a SystemSpec, &'a Setup) -> BoxFuture<'a, Result<(), String>>;

/// Who leads a system of this spec, asked through the protocol.
pub type LeaderFn = fn(&SystemSpec) -> Arc<dyn Leader>;

/// One client protocol.
pub struct ProtocolDef {
    /// The name a spec's `client.protocol` gives.
    pub name: &'static str,
    /// The workloads it drives.
    pub workloads: fn() -> Vec<&'static str>,
    /// Checks the spec's `client:` section for this protocol: `Err((field, why))`.
    pub check: fn(&ClientSpec) -> Result<(), (String, String)>,
    /// The client of a worker.
    pub client: fn(&ClientCtx<'_>) -> Result<Box<dyn Client>, Error>,
    /// Who leads, asked through the protocol (`leader: NAME`, NAME this protocol's name).
    pub leader: Option<LeaderFn>,
    /// Polled after every node is ready, until it is `Ok` or the ready timeout passes.
    pub cluster_ready: Option<ClusterReadyFn>,
}

/// Every client protocol.
#[rustfmt::skip]
pub static ALL: &[&ProtocolDef] = &[
    &maelstrom::PROTOCOL,
    &etcd::PROTOCOL,
    &http_kv::PROTOCOL,
    &exec::PROTOCOL,
    &redis::PROTOCOL,
    &galera::PROTOCOL,
    &nats::PROTOCOL,
    &zookeeper::PROTOCOL,
];

/// The names of the protocols, in order.
pub fn names() -> Vec<&'static str> {
    ALL.iter().map(|p| p.name).collect()
}

/// A protocol by name.
pub fn find(name: &str) -> Option<&'static ProtocolDef> {
    ALL.iter().copied().find(|p| p.name == name)
}

/// The workloads a client protocol can drive (none for an unknown protocol).
pub fn workloads(protocol: &str) -> Vec<&'static str> {
    find(protocol).map_or_else(Vec::new, |p| (p.workloads)())
}

/// A `check` for a protocol that has no options of its own.
pub fn no_options(c: &ClientSpec) -> Result<(), (String, String)> {
    if c.options.is_null() {
        Ok(())
    } else {
        Err((
            "client.options".into(),
            format!("the {} protocol takes no options", c.protocol),
        ))
    }
}

/// The protocol's options (`client.options`) as its typed struct, defaults filled in.
pub fn options<T: serde::de::DeserializeOwned + Default>(
    c: &ClientSpec,
) -> Result<T, (String, String)> {
    if c.options.is_null() {
        return Ok(T::default());
    }
    serde_json::from_value(c.options.clone())
        .map_err(|e| ("client.options".to_string(), e.to_string()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_workload_a_protocol_or_a_node_serves_is_registered() {
        let protocols = super::ALL.iter().flat_map(|p| (p.workloads)());
        let nodes = nodes::facts::FACTS
            .iter()
            .flat_map(|f| f.workloads.iter().copied());
        for w in protocols.chain(nodes) {
            assert!(workloads::registry::find(w).is_ok(), "{w}");
        }
    }

    #[test]
    fn protocol_names_are_unique() {
        let mut names = super::names();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), super::ALL.len());
    }
}
