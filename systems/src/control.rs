//! The control channel of schism's node runtime, as the nemesis asks through it
//! ([`cluster::Control`]): one control message to a node's port, one answer
//! (`wire::control`).

use async_trait::async_trait;
use cluster::{Control, NodeInfo};
use serde_json::Value;
use std::net::SocketAddr;
use std::time::Duration;

/// How long a node's runtime may take to answer a control message.
const ASK_TIMEOUT: Duration = Duration::from_secs(2);

/// The runtime's control port on every node.
pub struct RuntimeControl {
    pub port: u16,
}

#[async_trait]
impl Control for RuntimeControl {
    async fn ask(&self, node: &NodeInfo, body: Value) -> Result<Value, String> {
        let addr = SocketAddr::from((node.ip, self.port));
        let answer = wire::control::ask(addr, &node.name, body, ASK_TIMEOUT).await?;
        serde_json::to_value(answer).map_err(|e| format!("{}: {e}", node.name))
    }
}
