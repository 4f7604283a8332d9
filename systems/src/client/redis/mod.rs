//! Redis with Sentinel, spoken to as applications do: each worker asks the Sentinels
//! (its own node's first) which node is the primary of the monitored group `schism`,
//! checks with `ROLE` that it is, and sends every command there; after any error it drops
//! the connection and asks the Sentinels again before the next op.
//!
//! - [`register`]: `GET`/`SET`; compare-and-set by a Lua script (`cas: lua`, the default)
//!   or by `WATCH`/`MULTI`/`EXEC` (`cas: watch`);
//! - [`set`]: `SADD` and `SMEMBERS` of one set;
//! - [`txn`]: `list-append` and `rw-register` transactions as `MULTI`/`EXEC` blocks
//!   (`LRANGE`/`RPUSH`, `GET`/`SET`), which Redis runs atomically on the primary.
//!
//! Outcomes ([`conn::Outcome`]): a refused connection, no primary known, a node that is
//! not the primary, or an error Redis answered (`READONLY`, `EXECABORT`, a script's
//! error) is `fail`: the command was not applied. A timeout or a connection lost after
//! the command was sent is `info`. Reads that go wrong are `fail`.

pub mod conn;
pub mod ready;
pub mod register;
pub mod set;
pub mod txn;

use super::ProtocolDef;
use conn::Conn;
use serde::{Deserialize, Serialize};

/// The name of the group the Sentinels monitor (`sentinel monitor schism ...`).
pub const GROUP: &str = "schism";
/// The Sentinels' port.
pub const SENTINEL_PORT: u16 = 26379;

/// The protocol's options (`client.options` of the spec).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RedisOptions {
    /// How a compare-and-set is done: `lua` (one script) or `watch` (optimistic).
    pub cas: CasBy,
    /// After every write, `WAIT` for this many replicas to acknowledge it (0: do not wait,
    /// Redis's default asynchronous replication). A write whose `WAIT` fell short is
    /// still applied on the primary: it is reported `ok`, as an application would see
    /// its command succeed.
    pub wait_replicas: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CasBy {
    #[default]
    Lua,
    Watch,
}

/// Redis with Sentinel.
pub static PROTOCOL: ProtocolDef = ProtocolDef {
    name: "redis",
    workloads: || vec!["register", "set", "list-append", "rw-register"],
    check: |c| super::options::<RedisOptions>(c).map(|_| ()),
    client: |c| {
        let options: RedisOptions = super::options(&c.spec.client)
            .map_err(|(f, e)| crate::Error::Spec(format!("{f}: {e}")))?;
        let conn = Conn::new(c.cluster, c.node, c.setup.client_timeout, &options);
        Ok(match c.setup.workload.as_str() {
            "register" => Box::new(register::RegisterClient::new(conn, options.cas)),
            "set" => Box::new(set::SetClient::new(conn)),
            w => Box::new(txn::TxnClient::new(conn, w == "rw-register")),
        })
    },
    leader: None,
    cluster_ready: Some(|cluster, spec, _setup| Box::pin(ready::sentinels_agree(cluster, spec))),
};
