//! Faults applied by talking to the node runtime of schism (`schism/byzantine`,
//! `schism/clock` on each node's port): only for nodes that run under it, ours or wrapped
//! third-party binaries. A node that cannot be reached (killed, paused) is noted in the
//! answers, not an error: a node that is down tells no lies.

use crate::{Fault, NemesisError};
use cluster::Cluster;
use futures_util::future::join_all;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::time::Duration;

const ASK_TIMEOUT: Duration = Duration::from_secs(2);

/// Send each node its control body; the answers (or errors) by node.
async fn tell(cluster: &dyn Cluster, port: u16, bodies: Vec<(String, Value)>) -> Value {
    let addr = |name: &str| {
        cluster
            .nodes()
            .iter()
            .find(|n| n.name == name)
            .map(|n| SocketAddr::from((n.ip, port)))
    };
    let answers = join_all(bodies.into_iter().map(|(node, body)| {
        let a = addr(&node);
        async move {
            let answer = match a {
                Some(a) => match wire::control::ask(a, &node, body, ASK_TIMEOUT).await {
                    Ok(b) => serde_json::to_value(b).unwrap_or(Value::Null),
                    Err(e) => json!({"error": e}),
                },
                None => json!({"error": format!("no node {node}")}),
            };
            (node, answer)
        }
    }))
    .await;
    Value::Object(answers.into_iter().collect())
}

/// Apply a runtime fault; the nodes' answers.
pub async fn apply(cluster: &dyn Cluster, port: u16, fault: &Fault) -> Result<Value, NemesisError> {
    let bodies = match fault {
        Fault::Byzantine { nodes, rules, .. } => nodes
            .iter()
            .map(|n| {
                (
                    n.clone(),
                    json!({"type": "schism/byzantine", "rules": rules}),
                )
            })
            .collect(),
        Fault::Clock { offsets_ms } => offsets_ms
            .iter()
            .map(|(n, o)| (n.clone(), json!({"type": "schism/clock", "offset_ms": o})))
            .collect(),
        other => {
            return crate::apply::apply(cluster, other)
                .await
                .map(|_| Value::Null)
        }
    };
    Ok(tell(cluster, port, bodies).await)
}

/// Undo a runtime fault; the nodes' answers (for `byzantine`, each interceptor's report of
/// what the node did).
pub async fn heal(cluster: &dyn Cluster, port: u16, fault: &Fault) -> Result<Value, NemesisError> {
    let bodies = match fault {
        Fault::Byzantine { nodes, .. } => nodes
            .iter()
            .map(|n| (n.clone(), json!({"type": "schism/byzantine", "rules": []})))
            .collect(),
        Fault::Clock { offsets_ms } => offsets_ms
            .keys()
            .map(|n| (n.clone(), json!({"type": "schism/clock", "offset_ms": 0})))
            .collect(),
        other => {
            return crate::apply::heal(cluster, other)
                .await
                .map(|_| Value::Null)
        }
    };
    Ok(tell(cluster, port, bodies).await)
}
