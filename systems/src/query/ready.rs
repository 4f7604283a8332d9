//! Cluster readiness: after every node is ready on its own, the spec's question is asked
//! of every node until each answer holds `matches` (or, without it, until every node
//! answers at all): a Sentinel that sees its replicas, an ensemble with a leader, a
//! JetStream meta-group with a leader.

use super::Query;
use cluster::Cluster;
use std::time::{Duration, Instant};

/// The pause between two rounds of questions.
const ROUND_PAUSE_MS: u64 = 250;

/// Asks until every node's answer is right, or `timeout` passes: the error names each
/// node still not right and its last answer (or why it gave none).
pub async fn wait(cluster: &dyn Cluster, query: &Query, timeout: Duration) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    loop {
        let mut wrong = Vec::new();
        for n in cluster.nodes() {
            match query.ask(cluster, &n.name, n.ip).await {
                Ok(a)
                    if query
                        .matches
                        .as_ref()
                        .is_none_or(|m| a.contains(m.as_str())) => {}
                Ok(a) => wrong.push(format!("{}: answered {:?}", n.name, quote(&a))),
                Err(e) => wrong.push(format!("{}: {e}", n.name)),
            }
        }
        if wrong.is_empty() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            let expected = query.matches.as_ref().map_or_else(
                || "an answer".to_string(),
                |m| format!("an answer holding {m:?}"),
            );
            return Err(format!(
                "the cluster was not ready within {} ms (cluster_ready: {expected} from every node); {}",
                timeout.as_millis(),
                wrong.join("; ")
            ));
        }
        tokio::time::sleep(Duration::from_millis(ROUND_PAUSE_MS)).await;
    }
}

/// The start of an answer, for an error.
fn quote(answer: &str) -> String {
    const MAX_CHARS: usize = 200;
    let s: String = answer.chars().take(MAX_CHARS).collect();
    if answer.chars().count() > MAX_CHARS {
        format!("{s}...")
    } else {
        s
    }
}
