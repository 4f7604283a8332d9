//! Apache ZooKeeper, spoken to with its own protocol through the `zookeeper-client` crate
//! (async, on tokio, maintained; it has `sync`, multi-ops and ephemeral sequential
//! znodes, and moves a session between servers as ZooKeeper's own clients do). Each
//! worker has one session ([`session`]), through every server of the ensemble with its
//! own node first (`connect: ensemble`, the default, as applications connect) or through
//! its node alone (`connect: node`).
//!
//! - [`register`]: a znode per key; reads `sync` first (`sync_reads`, default true);
//!   compare-and-set by `setData` with the version read;
//! - [`set`]: a persistent sequential child per element of one set;
//! - [`lock`]: the ephemeral-sequential lock recipe, the session's timeout the lock
//!   workload's `lease_ttl_s`.
//!
//! Outcomes: ZooKeeper's refusals (`BadVersion`, `NodeExists`, `NoNode`) are `fail`; a
//! lost connection, an expired session or a timeout during a write is `info`, and the
//! session is opened anew; reads that go wrong are `fail`.

pub mod lock;
pub mod register;
pub mod session;
pub mod set;

use super::ProtocolDef;
use serde::{Deserialize, Serialize};
use session::Session;
use std::time::Duration;

/// The protocol's options (`client.options` of the spec).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ZkOptions {
    /// Which servers a worker's session may use.
    pub connect: Connect,
    /// `sync` before every read (register and set), so that it sees every write
    /// acknowledged before it began; false: plain reads from the session's server.
    pub sync_reads: bool,
    /// The session timeout of the register and set clients, in seconds (the lock client's
    /// is the lock workload's `lease_ttl_s`, else 10 s).
    pub session_timeout_s: u64,
}

impl Default for ZkOptions {
    fn default() -> Self {
        ZkOptions {
            connect: Connect::Ensemble,
            sync_reads: true,
            session_timeout_s: 10,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Connect {
    /// Every server, the worker's own first.
    Ensemble,
    /// The worker's own server only.
    Node,
}

/// The session timeout of a lock client: the workload's `lease_ttl_s`, else 10 s.
fn lock_session_timeout(section: &serde_json::Value) -> Result<Duration, String> {
    let o =
        workloads::services::lock::LockOptions::of(section).map_err(|e| format!("lock: {e}"))?;
    Ok(Duration::from_secs(o.lease_ttl_s.unwrap_or(10)))
}

/// Apache ZooKeeper.
pub static PROTOCOL: ProtocolDef = ProtocolDef {
    name: "zookeeper",
    workloads: || vec!["register", "set", "lock"],
    check: |c| {
        let o = super::options::<ZkOptions>(c)?;
        if !(1..=60).contains(&o.session_timeout_s) {
            return Err((
                "client.options.session_timeout_s".into(),
                "expected 1 to 60 seconds (the servers' zoo.cfg allows that range)".into(),
            ));
        }
        Ok(())
    },
    client: |c| {
        let options: ZkOptions = super::options(&c.spec.client)
            .map_err(|(f, e)| crate::Error::Spec(format!("{f}: {e}")))?;
        let ips: Vec<_> = c.cluster.nodes().iter().map(|n| n.ip).collect();
        let all = options.connect == Connect::Ensemble;
        let connect = session::connect_string(&ips, c.node, c.port, all);
        let timeout = c.setup.client_timeout;
        Ok(match c.setup.workload.as_str() {
            "lock" => {
                let t =
                    lock_session_timeout(&c.setup.workload_options).map_err(crate::Error::Spec)?;
                Box::new(lock::ZkLockClient::new(Session::new(connect, t), timeout))
            }
            w => {
                let t = Duration::from_secs(options.session_timeout_s);
                let s = Session::new(connect, t);
                if w == "set" {
                    Box::new(set::SetClient::new(s, timeout))
                } else {
                    Box::new(register::RegisterClient::new(
                        s,
                        timeout,
                        options.sync_reads,
                    ))
                }
            }
        })
    },
    leader: None,
    cluster_ready: None,
};

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_lock_session_lasts_the_workload_s_lease() {
        let t = |v| lock_session_timeout(&v).unwrap();
        assert_eq!(t(json!({"lease_ttl_s": 2})), Duration::from_secs(2));
        assert_eq!(t(serde_json::Value::Null), Duration::from_secs(10));
    }
}
