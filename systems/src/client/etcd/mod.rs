//! etcd's v3 JSON gateway (HTTP): the register ([`EtcdClient`]), locks held under a lease
//! ([`EtcdLockClient`]) and transactions by optimistic concurrency ([`EtcdTxnClient`]),
//! each request one call of its gateway.

mod gateway;
pub mod lock;
pub mod register;
pub mod txn;

pub use lock::EtcdLockClient;
pub use register::{EtcdClient, ReadMode};
pub use txn::EtcdTxnClient;

use crate::Setup;
use std::net::SocketAddr;
use workloads::Client;

/// The client of the run's workload for a worker of the member at `addr`: locks (held
/// under a lease of `lease_ttl_s`, default 10), transactions (`bank` and `set` translated
/// into them), else the register, read in `read_mode` (default linearizable).
pub fn for_workload(
    addr: SocketAddr,
    setup: &Setup,
    read_mode: Option<&str>,
    lease_ttl_s: Option<i64>,
) -> Result<Box<dyn Client>, crate::Error> {
    let (addr, timeout) = (addr.to_string(), setup.client_timeout);
    let w = setup.workload.as_str();
    if w == "lock" {
        let lock = EtcdLockClient::new(&addr, timeout, lease_ttl_s.unwrap_or(10));
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
