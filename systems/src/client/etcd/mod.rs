//! etcd's v3 JSON gateway (HTTP): the register ([`EtcdClient`]), locks held under a lease
//! ([`EtcdLockClient`]) and transactions by optimistic concurrency ([`EtcdTxnClient`]),
//! each request one call of its gateway.

mod gateway;
mod keepalive;
pub mod lock;
pub mod register;
pub mod txn;

pub use lock::EtcdLockClient;
pub use register::{EtcdClient, ReadMode};
pub use txn::EtcdTxnClient;

use super::ProtocolDef;
use crate::etcd_leader::EtcdLeader;
use crate::Setup;
use std::net::SocketAddr;
use std::sync::Arc;
use workloads::Client;

/// etcd's v3 JSON gateway.
pub static PROTOCOL: ProtocolDef = ProtocolDef {
    name: "etcd",
    workloads: || {
        ["register", "lock"]
            .into_iter()
            .chain(workloads::txn::NAMES)
            .collect()
    },
    check: |c| {
        super::no_options(c)?;
        if let Some(m) = &c.read_mode {
            if !["linearizable", "serializable"].contains(&m.as_str()) {
                return Err((
                    "client.read_mode".into(),
                    format!("{m:?}: expected linearizable or serializable"),
                ));
            }
        }
        if c.lease_ttl_s.is_some_and(|t| t < 1) {
            return Err((
                "client.lease_ttl_s".into(),
                "expected at least 1 second".into(),
            ));
        }
        Ok(())
    },
    client: |c| {
        let ip = c.cluster.nodes()[c.node].ip;
        let s = &c.spec.client;
        let addr = SocketAddr::from((ip, c.port));
        for_workload(addr, c.setup, s.read_mode.as_deref(), s.lease_ttl_s)
    },
    leader: Some(|spec| {
        Arc::new(EtcdLeader {
            port: spec.client_port(),
        })
    }),
    cluster_ready: None,
};

/// The client of the run's workload for a worker of the member at `addr`: locks (held
/// under a lease kept alive while held, of the workload's `lock.lease_ttl_s` when given,
/// else the spec's `lease_ttl_s`, else 10 s), transactions (`bank` and `set` translated
/// into them), else the register, read in `read_mode` (default linearizable).
pub fn for_workload(
    addr: SocketAddr,
    setup: &Setup,
    read_mode: Option<&str>,
    lease_ttl_s: Option<i64>,
) -> Result<Box<dyn Client>, crate::Error> {
    let (addr, timeout) = (addr.to_string(), setup.client_timeout);
    let w = setup.workload.as_str();
    if w == workloads::services::LOCK.name {
        let ttl_s = lock_lease_ttl_s(&setup.workload_options, lease_ttl_s)?;
        let lock = EtcdLockClient::new(&addr, timeout, ttl_s);
        return Ok(Box::new(lock.map_err(crate::Error::Host)?));
    }
    if workloads::txn::NAMES.contains(&w) {
        let txn = EtcdTxnClient::new(&addr, timeout).map_err(crate::Error::Host)?;
        return Ok(workloads::txn::client_over(
            w,
            Box::new(txn),
            &setup.workload_options,
        ));
    }
    let mode = read_mode.unwrap_or("linearizable");
    let mode =
        ReadMode::parse(mode).ok_or_else(|| crate::Error::Spec(format!("read mode {mode:?}")))?;
    let register = EtcdClient::new(&addr, timeout, mode).map_err(crate::Error::Host)?;
    Ok(Box::new(register))
}

/// The lease TTL of a held lock: the workload's option when given, else the system spec's
/// `client.lease_ttl_s`, else 10 s.
fn lock_lease_ttl_s(
    lock_section: &serde_json::Value,
    spec_ttl_s: Option<i64>,
) -> Result<i64, crate::Error> {
    let options = workloads::services::lock::LockOptions::of(lock_section)
        .map_err(|e| crate::Error::Spec(format!("lock: {e}")))?;
    let given = options.lease_ttl_s.map(|t| t.min(i64::MAX as u64) as i64);
    Ok(given.or(spec_ttl_s).unwrap_or(10))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_workload_s_lease_ttl_overrides_the_spec_s_default() {
        let ttl = |section, spec| lock_lease_ttl_s(&section, spec).unwrap();
        assert_eq!(ttl(json!({"lease_ttl_s": 2}), Some(10)), 2);
        assert_eq!(ttl(json!({"hold_ms_max": 9}), Some(7)), 7);
        assert_eq!(ttl(serde_json::Value::Null, None), 10);
        assert!(lock_lease_ttl_s(&json!({"lease_ttl_s": 0}), None).is_err());
    }
}
