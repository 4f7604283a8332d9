//! The control channel of a node's runtime: a question in JSON, an answer in JSON.
//!
//! Some faults are not done *to* a node but asked *of* it: a node under schism's runtime
//! lies when told to (`schism/byzantine`) or moves the clock its protocol sees
//! (`schism/clock`). The nemesis asks through this trait, beside the [`crate::Cluster`]'s
//! powers, and never speaks a node protocol itself; the system whose nodes run under the
//! runtime provides the implementation (it knows the port and the framing).

use crate::NodeInfo;
use async_trait::async_trait;
use serde_json::Value;

/// Asks a node's runtime a control question.
#[async_trait]
pub trait Control: Send + Sync {
    /// Send `body` (its `type` says which question) to `node`; the answer's body. An
    /// unreachable node (killed, paused) is an `Err` with the reason, for the caller to
    /// note, not to fail on.
    async fn ask(&self, node: &NodeInfo, body: Value) -> Result<Value, String>;
}
