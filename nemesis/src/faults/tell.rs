//! Telling nodes' runtimes something (a Byzantine mode's rules, a clock offset), all at
//! once, through the system's control channel. A node that cannot be reached (killed,
//! paused) is noted in the answers, not an error: a node that is down tells no lies.

use crate::env::Env;
use crate::NemesisError;
use futures_util::future::join_all;
use history::Value;
use serde_json::json;

/// The error of a runtime fault on a system whose nodes do not run under the runtime.
pub fn no_runtime(kind: &str) -> NemesisError {
    NemesisError::Unsupported(format!(
        "the {kind} nemesis works on nodes under schism's node runtime (the raft, paxos, om \
         and eig systems, or a wrapped Maelstrom binary); this system's nodes are not"
    ))
}

/// Send each node its control body; the answers (or errors) by node.
pub async fn tell(
    env: &Env<'_>,
    kind: &str,
    bodies: Vec<(String, Value)>,
) -> Result<Value, NemesisError> {
    let control = env.control.ok_or_else(|| no_runtime(kind))?;
    let answers = join_all(bodies.into_iter().map(|(node, body)| async move {
        let info = env.cluster.nodes().iter().find(|n| n.name == node);
        let answer = match info {
            Some(info) => match control.ask(info, body).await {
                Ok(b) => b,
                Err(e) => json!({ "error": e }),
            },
            None => json!({"error": format!("no node {node}")}),
        };
        (node, answer)
    }))
    .await;
    Ok(Value::Object(answers.into_iter().collect()))
}
