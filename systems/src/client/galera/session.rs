//! One connection to one Galera node, set up as every transaction of a run expects: the
//! `schism` database, the run's isolation level for the session (and
//! `innodb_snapshot_isolation` and `wsrep_sync_wait` when asked), `found rows` (an UPDATE
//! that matches a row counts it even when the value does not change, so a compare-and-set
//! to the same value is not taken for a failed one), and the run's
//! `innodb_flush_log_at_trx_commit` set globally on the node (the server's own setting,
//! not a session's: every connection sets it again, so a restarted node has it back as
//! soon as a client reconnects).
//!
//! Also how a client tells that the cluster is ready ([`cluster_ready`]): every node
//! accepts SQL, says `wsrep_ready = ON`, is `Synced`, and counts every node in its
//! cluster; then the tables exist (created once, on the first node, replicated to all).

use super::options::GaleraOptions;
use crate::spec_file::SystemSpec;
use crate::Setup;
use cluster::Cluster;
use mysql_async::prelude::Queryable;
use mysql_async::{Conn, OptsBuilder};
use std::net::Ipv4Addr;
use std::time::Duration;

/// The user and database every node is initialised with (systems/galera.yaml).
pub const USER: &str = "schism";
pub const DATABASE: &str = "schism";

/// The tables of the transactional workloads: lists as comma-separated text (an append
/// is one `CONCAT`), the elements of a set one row each, registers as integers.
const TABLES: [&str; 3] = [
    "CREATE TABLE IF NOT EXISTS lists (k VARCHAR(64) PRIMARY KEY, v MEDIUMTEXT NOT NULL) ENGINE=InnoDB",
    "CREATE TABLE IF NOT EXISTS elements (id BIGINT AUTO_INCREMENT PRIMARY KEY, k VARCHAR(64) NOT NULL, v BIGINT NOT NULL, KEY (k)) ENGINE=InnoDB",
    "CREATE TABLE IF NOT EXISTS registers (k VARCHAR(64) PRIMARY KEY, v BIGINT) ENGINE=InnoDB",
];

/// A new connection to the node at `ip:port`, set up for the run's transactions.
pub async fn connect(ip: Ipv4Addr, port: u16, o: &GaleraOptions) -> mysql_async::Result<Conn> {
    let mut conn = open(ip, port).await?;
    conn.query_drop(format!(
        "SET SESSION TRANSACTION ISOLATION LEVEL {}",
        o.isolation.sql()
    ))
    .await?;
    if let Some(on) = o.snapshot_isolation {
        let on = if on { "ON" } else { "OFF" };
        conn.query_drop(format!("SET SESSION innodb_snapshot_isolation = {on}"))
            .await?;
    }
    if let Some(w) = o.sync_wait {
        conn.query_drop(format!("SET SESSION wsrep_sync_wait = {w}"))
            .await?;
    }
    if let Some(f) = o.flush_log_at_trx_commit {
        conn.query_drop(format!("SET GLOBAL innodb_flush_log_at_trx_commit = {f}"))
            .await?;
    }
    Ok(conn)
}

async fn open(ip: Ipv4Addr, port: u16) -> mysql_async::Result<Conn> {
    let opts = OptsBuilder::default()
        .ip_or_hostname(ip.to_string())
        .tcp_port(port)
        .user(Some(USER))
        .db_name(Some(DATABASE))
        .prefer_socket(false)
        .client_found_rows(true);
    Conn::new(opts).await
}

/// What a node says of itself: `Ok` when it is synced in a cluster of `n`.
async fn node_ready(ip: Ipv4Addr, port: u16, n: usize) -> Result<(), String> {
    let mut conn = open(ip, port).await.map_err(|e| e.to_string())?;
    let status: Vec<(String, String)> = conn
        .query(
            "SHOW GLOBAL STATUS WHERE Variable_name IN \
             ('wsrep_ready', 'wsrep_cluster_size', 'wsrep_local_state_comment')",
        )
        .await
        .map_err(|e| e.to_string())?;
    let _ = conn.disconnect().await;
    let get = |name: &str| {
        status
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
            .to_string()
    };
    let (ready, size, state) = (
        get("wsrep_ready"),
        get("wsrep_cluster_size"),
        get("wsrep_local_state_comment"),
    );
    if ready == "ON" && size == n.to_string() && state == "Synced" {
        Ok(())
    } else {
        Err(format!(
            "wsrep_ready={ready}, wsrep_cluster_size={size} of {n}, state {state}"
        ))
    }
}

/// Every node synced in one cluster of them all; then the tables, made once on the first
/// node, there on every node (a node applies what another committed a little later: a
/// client must not start before its node has them).
pub async fn cluster_ready(
    cluster: &dyn Cluster,
    spec: &SystemSpec,
    setup: &Setup,
) -> Result<(), String> {
    let port = spec.client_port();
    let nodes = cluster.nodes();
    let limit = setup.client_timeout.max(Duration::from_secs(2));
    for n in nodes {
        within(limit, &n.name, node_ready(n.ip, port, nodes.len())).await?;
    }
    let first = nodes.first().ok_or("no nodes")?;
    within(limit, &first.name, async move {
        let mut conn = open(first.ip, port).await.map_err(|e| e.to_string())?;
        for t in TABLES {
            conn.query_drop(t).await.map_err(|e| e.to_string())?;
        }
        let _ = conn.disconnect().await;
        Ok(())
    })
    .await?;
    for n in nodes {
        within(limit, &n.name, has_tables(n.ip, port)).await?;
    }
    Ok(())
}

/// Whether the node has every table of [`TABLES`].
async fn has_tables(ip: Ipv4Addr, port: u16) -> Result<(), String> {
    let mut conn = open(ip, port).await.map_err(|e| e.to_string())?;
    let count: Option<u64> = conn
        .query_first(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'schism' \
             AND table_name IN ('lists', 'elements', 'registers')",
        )
        .await
        .map_err(|e| e.to_string())?;
    let _ = conn.disconnect().await;
    match count {
        Some(n) if n == TABLES.len() as u64 => Ok(()),
        n => Err(format!(
            "{} of the {} tables applied so far",
            n.unwrap_or(0),
            TABLES.len()
        )),
    }
}

/// `f`, answered within `limit`; its error prefixed with `what`.
async fn within(
    limit: Duration,
    what: &str,
    f: impl std::future::Future<Output = Result<(), String>>,
) -> Result<(), String> {
    match tokio::time::timeout(limit, f).await {
        Ok(r) => r.map_err(|e| format!("{what}: {e}")),
        Err(_) => Err(format!("{what}: no answer within {limit:?}")),
    }
}
