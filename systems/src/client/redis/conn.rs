//! One worker's connection to the current primary, found through Sentinel, and how a
//! Redis error becomes an outcome.

use super::{RedisOptions, GROUP, SENTINEL_PORT};
use cluster::Cluster;
use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, RedisError};
use std::net::Ipv4Addr;
use std::time::Duration;

/// How an op that went wrong ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// It certainly was not applied.
    NotDone(String),
    /// It may have been applied.
    Unknown(String),
}

impl Outcome {
    /// A Redis error met once the command may have been sent: an error Redis answered
    /// (the command was refused) is `NotDone`; a timeout or a lost connection `Unknown`.
    pub fn of(e: &RedisError) -> Outcome {
        if e.is_connection_refusal() {
            return Outcome::NotDone(e.to_string());
        }
        if e.is_timeout()
            || e.is_io_error()
            || e.is_connection_dropped()
            || e.is_unrecoverable_error()
        {
            return Outcome::Unknown(e.to_string());
        }
        if e.code().is_some() {
            // An error reply: Redis refused the command (READONLY, EXECABORT, a script error).
            return Outcome::NotDone(e.to_string());
        }
        Outcome::Unknown(e.to_string())
    }

    pub fn message(&self) -> &str {
        match self {
            Outcome::NotDone(m) | Outcome::Unknown(m) => m,
        }
    }
}

/// A worker's way to the primary.
pub struct Conn {
    /// The Sentinels to ask, the worker's own node's first.
    sentinels: Vec<Ipv4Addr>,
    timeout: Duration,
    primary: Option<MultiplexedConnection>,
    /// `WAIT` for this many replicas after a write.
    pub wait_replicas: u32,
}

impl Conn {
    pub fn new(
        cluster: &dyn Cluster,
        node: usize,
        timeout: Duration,
        options: &RedisOptions,
    ) -> Conn {
        let nodes = cluster.nodes();
        let mut sentinels: Vec<Ipv4Addr> = nodes.iter().map(|n| n.ip).collect();
        sentinels.rotate_left(node % nodes.len().max(1));
        Conn {
            sentinels,
            timeout,
            primary: None,
            wait_replicas: options.wait_replicas,
        }
    }

    fn config(&self) -> AsyncConnectionConfig {
        AsyncConnectionConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
    }

    /// The connection to the primary: the one held, or a new one to the node the
    /// Sentinels name, checked with `ROLE`. An error here means nothing was sent.
    pub async fn primary(&mut self) -> Result<&mut MultiplexedConnection, String> {
        if self.primary.is_none() {
            let addr = self.ask_sentinels().await?;
            let client = redis::Client::open(format!("redis://{addr}/"))
                .map_err(|e| format!("primary {addr}: {e}"))?;
            let mut c = client
                .get_multiplexed_async_connection_with_config(&self.config())
                .await
                .map_err(|e| format!("connecting to the primary {addr}: {e}"))?;
            let role: redis::Value = redis::cmd("ROLE")
                .query_async(&mut c)
                .await
                .map_err(|e| format!("ROLE of {addr}: {e}"))?;
            if !is_master(&role) {
                return Err(format!(
                    "{addr}, named primary by Sentinel, is not a primary"
                ));
            }
            self.primary = Some(c);
        }
        Ok(self.primary.as_mut().expect("just set"))
    }

    /// The completion of an op that ended with `result`; after an error the primary is
    /// forgotten.
    pub fn complete(
        &mut self,
        inv: &workloads::Invocation,
        result: Result<serde_json::Value, Outcome>,
    ) -> workloads::Completion {
        use workloads::Completion;
        match result {
            Ok(v) => Completion::ok(v),
            Err(o) => {
                self.drop_primary();
                match o {
                    Outcome::NotDone(m) => Completion::fail(inv.value.clone(), m),
                    Outcome::Unknown(m) => Completion::info(inv.value.clone(), m),
                }
            }
        }
    }

    /// Forget the primary: the next op asks the Sentinels again.
    pub fn drop_primary(&mut self) {
        self.primary = None;
    }

    /// The primary's address, as the first Sentinel that answers names it.
    async fn ask_sentinels(&self) -> Result<String, String> {
        let mut why = Vec::new();
        for ip in &self.sentinels {
            match master_addr(*ip, self.config()).await {
                Ok(Some((host, port))) => return Ok(format!("{host}:{port}")),
                Ok(None) => why.push(format!("{ip}: knows no primary")),
                Err(e) => why.push(format!("{ip}: {e}")),
            }
        }
        Err(format!("no Sentinel named a primary ({})", why.join("; ")))
    }

    /// After a write the primary applied: `WAIT` for the replicas asked for, when any.
    /// The write happened whatever `WAIT` says; a connection lost meanwhile is dropped.
    pub async fn wait_after_write(&mut self) {
        if self.wait_replicas == 0 {
            return;
        }
        let (n, ms) = (self.wait_replicas, self.timeout.as_millis() as u64);
        if let Some(c) = self.primary.as_mut() {
            let waited: Result<i64, RedisError> =
                redis::cmd("WAIT").arg(n).arg(ms).query_async(c).await;
            if waited.is_err() {
                self.primary = None;
            }
        }
    }
}

/// `SENTINEL get-master-addr-by-name schism` on the Sentinel at `ip`.
pub async fn master_addr(
    ip: Ipv4Addr,
    config: AsyncConnectionConfig,
) -> Result<Option<(String, u16)>, RedisError> {
    let client = redis::Client::open(format!("redis://{ip}:{SENTINEL_PORT}/"))?;
    let mut c = client
        .get_multiplexed_async_connection_with_config(&config)
        .await?;
    redis::cmd("SENTINEL")
        .arg("get-master-addr-by-name")
        .arg(GROUP)
        .query_async(&mut c)
        .await
}

/// Whether a `ROLE` answer is a primary's (`["master", offset, replicas]`).
fn is_master(role: &redis::Value) -> bool {
    match role {
        redis::Value::Array(items) => {
            matches!(
                items.first(),
                Some(redis::Value::BulkString(b)) if b == b"master"
            ) || matches!(items.first(), Some(redis::Value::SimpleString(s)) if s == "master")
        }
        _ => false,
    }
}

/// A stored value read back: an integer when it is one, else its text.
pub fn decode(bytes: &[u8]) -> serde_json::Value {
    let text = String::from_utf8_lossy(bytes);
    text.parse::<i64>()
        .map(serde_json::Value::from)
        .unwrap_or_else(|_| serde_json::Value::String(text.into_owned()))
}

/// A value as stored: integers in decimal, other JSON as its text.
pub fn encode(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_as_integers() {
        assert_eq!(
            decode(encode(&serde_json::json!(42)).as_bytes()),
            serde_json::json!(42)
        );
        assert_eq!(decode(b"x"), serde_json::json!("x"));
    }

    #[test]
    fn only_a_master_role_is_a_primary() {
        let master = redis::Value::Array(vec![redis::Value::BulkString(b"master".to_vec())]);
        let slave = redis::Value::Array(vec![redis::Value::BulkString(b"slave".to_vec())]);
        assert!(is_master(&master));
        assert!(!is_master(&slave));
    }
}
