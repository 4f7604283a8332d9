//! Transactions on a Galera node: `START TRANSACTION`, each micro-op as SQL ([`sql`]),
//! `COMMIT`, on one connection to the node this worker is bound to (every node is a
//! primary). How each outcome maps:
//!
//! | what happened | when | outcome |
//! |---|---|---|
//! | `COMMIT` answered OK | | `ok` |
//! | connecting (or setting the session up) failed | before anything of the transaction was sent | `fail` |
//! | any error, a lost connection or the timeout | before `COMMIT` was sent | `fail`: without `COMMIT` nothing commits; the server rolls back (we send `ROLLBACK`, or close the connection) |
//! | a `cas` that matched no row | before `COMMIT` | `fail` (rolled back) |
//! | error 1213 (deadlock; Galera also reports a certification failure and a brute-force abort by a replicated transaction so) | at `COMMIT` | `fail`: the transaction was rolled back |
//! | any other server error (1047 "WSREP has not yet prepared node", 1180 error during commit, ...) | at `COMMIT` | `info` |
//! | a lost connection, the timeout | at `COMMIT` | `info` |
//!
//! A transaction that only reads is `fail` whatever went wrong (it changed nothing). A
//! timeout is the run's `client_timeout` over the whole transaction, connecting included.
//! After a server error the client sends `ROLLBACK` and keeps its connection; after
//! anything else (a lost connection, a timeout, a failed `ROLLBACK`, the caller giving up
//! on the op while the transaction was open) it drops the connection, never reusing one
//! with a transaction of unknown state on it (the next `START TRANSACTION` would commit
//! it), and the next transaction connects again, to the same node, as an
//! application with a connection per node would; a failed connection is answered after a
//! pause of [`RECONNECT_PAUSE`], so a node that is down is not asked thousands of times a
//! second.

use super::options::GaleraOptions;
use super::session;
use super::sql::{self, OpError, Store};
use async_trait::async_trait;
use mysql_async::Conn;
use serde_json::Value;
use std::net::Ipv4Addr;
use std::time::Duration;
use workloads::txn::unsure;
use workloads::{Client, Completion, Invocation};

/// How long a client waits after a failed connection before it answers `fail`.
pub const RECONNECT_PAUSE: Duration = Duration::from_millis(100);

/// Error 1213: ER_LOCK_DEADLOCK.
pub const DEADLOCK: u16 = 1213;

/// How far a transaction got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Connecting,
    /// `START TRANSACTION` and the micro-ops: nothing commits from here.
    Running,
    /// `COMMIT` was sent.
    Committing,
}

/// Whether an error in `phase` leaves the transaction certainly not committed.
pub fn certainly_aborted(phase: Phase, error: &mysql_async::Error) -> bool {
    match (phase, error) {
        (Phase::Connecting | Phase::Running, _) => true,
        (Phase::Committing, mysql_async::Error::Server(e)) => e.code == DEADLOCK,
        (Phase::Committing, _) => false,
    }
}

/// One worker's transaction client of one node.
pub struct GaleraTxnClient {
    ip: Ipv4Addr,
    port: u16,
    options: GaleraOptions,
    store: Store,
    timeout: Duration,
    conn: Option<Conn>,
}

impl GaleraTxnClient {
    pub fn new(
        (ip, port): (Ipv4Addr, u16),
        options: GaleraOptions,
        store: Store,
        timeout: Duration,
    ) -> GaleraTxnClient {
        GaleraTxnClient {
            ip,
            port,
            options,
            store,
            timeout,
            conn: None,
        }
    }
}

/// Rolls the open transaction back: the connection, or none when that failed.
async fn roll_back(conn: Option<Conn>, limit: Duration) -> Option<Conn> {
    use mysql_async::prelude::Queryable;
    let mut conn = conn?;
    let done = tokio::time::timeout(limit, conn.query_drop("ROLLBACK")).await;
    matches!(done, Ok(Ok(()))).then_some(conn)
}

/// Connects when there is no connection, then runs the transaction; `phase` says how far
/// it got. The connection belongs to this future while the transaction is open: if the
/// future is dropped (a deadline passed, here or in the caller), the connection goes with
/// it and the server rolls back what was never committed. A connection is never used
/// again with a transaction of unknown state open on it: the next `START TRANSACTION`
/// would commit it.
async fn run(
    conn: Option<Conn>,
    (ip, port, options): (Ipv4Addr, u16, &GaleraOptions),
    store: Store,
    txn: &[Value],
    phase: &mut Phase,
) -> (Option<Conn>, Result<Value, OpError>) {
    let mut conn = match conn {
        Some(c) => c,
        None => match session::connect(ip, port, options).await {
            Ok(c) => c,
            Err(e) => return (None, Err(e.into())),
        },
    };
    *phase = Phase::Running;
    let done = steps(&mut conn, store, txn, phase).await;
    (Some(conn), done)
}

/// `START TRANSACTION`, the micro-ops, `COMMIT`.
async fn steps(
    conn: &mut Conn,
    store: Store,
    txn: &[Value],
    phase: &mut Phase,
) -> Result<Value, OpError> {
    use mysql_async::prelude::Queryable;
    conn.query_drop("START TRANSACTION").await?;
    let mut answered = Vec::with_capacity(txn.len());
    for m in txn {
        answered.push(sql::run(conn, store, m).await?);
    }
    *phase = Phase::Committing;
    conn.query_drop("COMMIT").await?;
    Ok(Value::Array(answered))
}

#[async_trait]
impl Client for GaleraTxnClient {
    async fn invoke(&mut self, inv: &Invocation) -> Completion {
        if inv.f != "txn" {
            return Completion::fail(inv.value.clone(), format!("no function {:?}", inv.f));
        }
        let Some(txn) = inv.value.as_array() else {
            return Completion::fail(inv.value.clone(), "a transaction is a list of micro-ops");
        };
        let mut phase = Phase::Connecting;
        let target = (self.ip, self.port, &self.options);
        let work = run(self.conn.take(), target, self.store, txn, &mut phase);
        let Ok((conn, done)) = tokio::time::timeout(self.timeout, work).await else {
            let why = format!("{phase:?}: no answer within {:?}", self.timeout);
            return if phase == Phase::Committing {
                unsure(inv, why)
            } else {
                Completion::fail(inv.value.clone(), why)
            };
        };
        match done {
            Ok(answered) => {
                self.conn = conn;
                Completion::ok(answered)
            }
            Err(OpError::Refused(e)) => {
                self.conn = roll_back(conn, self.timeout).await;
                Completion::fail(inv.value.clone(), e)
            }
            Err(OpError::Sql(e)) => {
                let why = format!("{phase:?}: {e}");
                if phase == Phase::Connecting {
                    // As an application would, wait a little before trying a node that
                    // refused again (a killed node refuses at once, many times a second).
                    tokio::time::sleep(RECONNECT_PAUSE.min(self.timeout)).await;
                }
                if matches!(e, mysql_async::Error::Server(_)) {
                    self.conn = roll_back(conn, self.timeout).await;
                }
                if certainly_aborted(phase, &e) {
                    Completion::fail(inv.value.clone(), why)
                } else {
                    unsure(inv, why)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mysql_async::{Error, ServerError};

    fn server(code: u16) -> Error {
        Error::Server(ServerError {
            code,
            message: String::new(),
            state: String::new(),
        })
    }

    #[test]
    fn only_a_deadlock_at_commit_is_a_certain_abort_there() {
        let io = || Error::Io(std::io::Error::other("reset").into());
        assert!(certainly_aborted(Phase::Running, &server(1047)));
        assert!(certainly_aborted(Phase::Running, &io()));
        assert!(certainly_aborted(Phase::Connecting, &io()));
        assert!(certainly_aborted(Phase::Committing, &server(DEADLOCK)));
        assert!(!certainly_aborted(Phase::Committing, &server(1047)));
        assert!(!certainly_aborted(Phase::Committing, &server(1180)));
        assert!(!certainly_aborted(Phase::Committing, &io()));
    }
}
