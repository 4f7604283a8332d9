//! NATS JetStream, spoken to with `async-nats` as an application does: each worker keeps
//! one client given every node's address, its own node's first ([`conn`]), which
//! reconnects by itself.
//!
//! - [`log`]: the `log` workload, one stream per key; a send is a publish acknowledged
//!   by JetStream, its offset the stream's sequence; polls get messages by sequence;
//! - [`register`]: the `register` workload on a key-value bucket: get, put, and
//!   compare-and-set as a get and then an update expecting the revision read.
//!
//! The run's streams are made once the cluster has a JetStream meta leader, with
//! min(3, nodes) replicas, and clients start when each has a leader and current
//! replicas ([`streams`]). Who leads, for leader-aware faults: the leader of the run's
//! first stream ([`leader`]).
//!
//! Outcomes: an op whose connection could not be made is `fail` (nothing was sent); a
//! refusal JetStream gives for certain (a wrong expected revision or sequence) is
//! `fail`; a write that timed out, met "no responders" or a lost connection is `info`; a
//! read that went wrong is `fail`.

pub mod conn;
pub mod leader;
pub mod log;
pub mod register;
pub mod streams;

use super::ProtocolDef;
use crate::spec_file::SystemSpec;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// NATS's client port, when the spec names none.
pub const CLIENT_PORT: u16 = 4222;

/// The protocol's options (`client.options` of the spec).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NatsOptions {
    /// Who answers a register read.
    pub reads: Reads,
}

/// Who answers a key-value get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reads {
    /// The stream's leader (`allow_direct: false`).
    #[default]
    Leader,
    /// Any replica (`allow_direct: true`, `async-nats`'s default for a bucket).
    Direct,
}

/// The options of a spec.
pub fn options_of(spec: &SystemSpec) -> Result<NatsOptions, String> {
    super::options(&spec.client).map_err(|(_, e)| e)
}

/// The port clients connect to.
pub fn client_port(spec: &SystemSpec) -> u16 {
    spec.client
        .port
        .or_else(|| spec.ports.get("client").copied())
        .unwrap_or(CLIENT_PORT)
}

/// NATS JetStream.
pub static PROTOCOL: ProtocolDef = ProtocolDef {
    name: "nats",
    workloads: || vec![workloads::log::NAME, "register"],
    check: |c| super::options::<NatsOptions>(c).map(|_| ()),
    client: |c| {
        options_of(c.spec).map_err(|e| crate::Error::Spec(format!("client.options: {e}")))?;
        let addrs = conn::addresses(c.cluster, c.node, c.port);
        let conn = conn::Conn::new(addrs, c.setup.client_timeout);
        Ok(if c.setup.workload == workloads::log::NAME {
            let keys = workloads::log::keys(&c.setup.workload_options);
            Box::new(log::LogClient::new(conn, &keys))
        } else {
            Box::new(register::RegisterClient::new(conn))
        })
    },
    leader: Some(|spec| {
        Arc::new(leader::StreamLeader {
            port: client_port(spec),
        })
    }),
    cluster_ready: Some(|cluster, spec, setup| {
        Box::pin(streams::cluster_ready(cluster, spec, setup))
    }),
};

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_built_in_spec_loads_with_leader_reads_on_the_client_port() {
        let loaded = crate::spec_file::builtin("nats")
            .expect("built in")
            .expect("valid");
        assert_eq!(loaded.spec.client.protocol, "nats");
        assert_eq!(options_of(&loaded.spec).unwrap().reads, Reads::Leader);
        assert_eq!(client_port(&loaded.spec), CLIENT_PORT);
    }

    #[test]
    fn options_are_read_strictly() {
        let direct: NatsOptions = serde_json::from_value(json!({"reads": "direct"})).unwrap();
        assert_eq!(direct.reads, Reads::Direct);
        assert!(serde_json::from_value::<NatsOptions>(json!({"reads": "any"})).is_err());
        assert!(serde_json::from_value::<NatsOptions>(json!({"read": "leader"})).is_err());
    }
}
