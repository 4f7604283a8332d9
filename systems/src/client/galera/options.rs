//! The `galera` protocol's options (`client.options` of the spec): the isolation level of
//! every transaction, InnoDB's write-write conflict check (`innodb_snapshot_isolation`),
//! Galera's causality checks (`wsrep_sync_wait`), and the nodes'
//! `innodb_flush_log_at_trx_commit`.

use serde::Deserialize;

/// The isolation level a session's transactions run at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Isolation {
    ReadCommitted,
    #[default]
    RepeatableRead,
    Serializable,
}

impl Isolation {
    /// As SQL names it (`SET SESSION TRANSACTION ISOLATION LEVEL ...`).
    pub fn sql(self) -> &'static str {
        match self {
            Isolation::ReadCommitted => "READ COMMITTED",
            Isolation::RepeatableRead => "REPEATABLE READ",
            Isolation::Serializable => "SERIALIZABLE",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GaleraOptions {
    /// `read-committed`, `repeatable-read` (MariaDB's default) or `serializable`.
    pub isolation: Isolation,
    /// 0, 1 (flush the redo log at every commit: MariaDB's default) or 2; set on every
    /// node with `SET GLOBAL` by each connection. Unset: the server's configuration.
    pub flush_log_at_trx_commit: Option<u8>,
    /// MariaDB's `innodb_snapshot_isolation` for the session (in Debian's 10.11.19): a
    /// transaction that writes a row changed since its snapshot fails (error 1020,
    /// "Record has changed since last read") instead of writing over the newer version.
    /// Unset: the server's default (off in 10.11).
    pub snapshot_isolation: Option<bool>,
    /// Galera's `wsrep_sync_wait` for the session (a bit mask; 1: a read first waits
    /// until the node has applied everything the cluster committed before it began,
    /// the "causality check"). Unset: the server's default (0: reads may be stale).
    pub sync_wait: Option<u8>,
}

impl GaleraOptions {
    /// The options a spec gives, checked.
    pub fn of(c: &crate::spec_file::ClientSpec) -> Result<GaleraOptions, (String, String)> {
        let o: GaleraOptions = super::super::options(c)?;
        if o.sync_wait.is_some_and(|w| w > 15) {
            return Err((
                "client.options.sync_wait".into(),
                "expected a mask of 0 to 15".into(),
            ));
        }
        if o.flush_log_at_trx_commit.is_some_and(|f| f > 2) {
            return Err((
                "client.options.flush_log_at_trx_commit".into(),
                "expected 0, 1 or 2".into(),
            ));
        }
        Ok(o)
    }
}
