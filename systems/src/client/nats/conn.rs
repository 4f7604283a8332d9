//! One worker's connection to the cluster, as an application makes it: one `async-nats`
//! client given every node's address, the worker's own node first (kept in that order,
//! so it connects there while that node answers), which reconnects by itself when the
//! connection drops. A JetStream request or publish acknowledgement waits at most
//! `REQUEST_SHARE` of the run's client timeout, so the client says what happened before
//! the harness gives up on the op.

use async_nats::jetstream;
use async_nats::ServerAddr;
use cluster::Cluster;
use std::time::Duration;

/// The share of the client timeout a JetStream request may take (in percent).
const REQUEST_SHARE_PCT: u32 = 75;
/// The longest a TCP connection (or a reconnect) may take to one node.
const CONNECT_TIMEOUT_MS: u64 = 1_000;
/// The longest pause between reconnect attempts.
const MAX_RECONNECT_DELAY_MS: u64 = 500;

/// Every node's client address, the one of node `first` first.
pub fn addresses(cluster: &dyn Cluster, first: usize, port: u16) -> Vec<ServerAddr> {
    let nodes = cluster.nodes();
    let mut ips: Vec<_> = nodes.iter().map(|n| n.ip).collect();
    ips.rotate_left(first % nodes.len().max(1));
    ips.iter()
        .filter_map(|ip| format!("nats://{ip}:{port}").parse().ok())
        .collect()
}

/// A JetStream context on a client connected to one of `addrs`; an error means nothing
/// was sent.
pub async fn connect(
    addrs: Vec<ServerAddr>,
    timeout: Duration,
) -> Result<jetstream::Context, String> {
    let request = timeout * REQUEST_SHARE_PCT / 100;
    let connect = Duration::from_millis(CONNECT_TIMEOUT_MS).min(timeout);
    let client = async_nats::ConnectOptions::new()
        .connection_timeout(connect)
        .request_timeout(Some(request))
        .retain_servers_order()
        .reconnect_delay_callback(|attempts| {
            Duration::from_millis((attempts as u64 * 50).min(MAX_RECONNECT_DELAY_MS))
        })
        .connect(addrs)
        .await
        .map_err(|e| format!("connecting: {e}"))?;
    let mut js = jetstream::new(client);
    js.set_timeout(request);
    Ok(js)
}

/// A worker's context, connected on first use and kept (the client reconnects itself).
pub struct Conn {
    addrs: Vec<ServerAddr>,
    timeout: Duration,
    js: Option<jetstream::Context>,
}

impl Conn {
    pub fn new(addrs: Vec<ServerAddr>, timeout: Duration) -> Conn {
        Conn {
            addrs,
            timeout,
            js: None,
        }
    }

    /// The context; an error means nothing was sent.
    pub async fn js(&mut self) -> Result<&jetstream::Context, String> {
        if self.js.is_none() {
            self.js = Some(connect(self.addrs.clone(), self.timeout).await?);
        }
        Ok(self.js.as_ref().expect("just set"))
    }
}

/// A value as a message's payload: its JSON text.
pub fn encode(v: &serde_json::Value) -> String {
    v.to_string()
}

/// A payload read back: the JSON it holds, else its text.
pub fn decode(payload: &[u8]) -> serde_json::Value {
    serde_json::from_slice(payload)
        .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(payload).into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_round_trip() {
        for v in [json!(42), json!("x"), json!([1, 2])] {
            assert_eq!(decode(encode(&v).as_bytes()), v);
        }
        assert_eq!(decode(b"not json"), json!("not json"));
    }
}
