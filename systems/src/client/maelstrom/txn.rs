//! Transactions over Maelstrom's protocol: `{"type":"txn","txn":[..]}` to whichever node
//! leads, answered by `txn_ok` with the reads filled in. The completion's value is the
//! answered transaction; an error that says it certainly did not happen is `fail`, any
//! other doubt `info`, except that a transaction of reads only changed nothing, so it is
//! `fail` whatever happened.

use super::MaelstromClient;
use async_trait::async_trait;
use serde_json::{json, Value};
use wire::{Body, ErrorCode};
use workloads::txn::unsure;
use workloads::{Client, Completion, Invocation};

/// One worker's transaction client.
pub struct MaelstromTxnClient {
    inner: MaelstromClient,
}

impl MaelstromTxnClient {
    pub fn new(inner: MaelstromClient) -> MaelstromTxnClient {
        MaelstromTxnClient { inner }
    }
}

/// A reply that is `txn_ok` with as many micro-ops as were sent, each of the same
/// function and key.
fn answered(sent: &Value, reply: &Body) -> Option<Value> {
    let got = reply["txn"].as_array()?;
    let sent = sent.as_array()?;
    let same = got.len() == sent.len()
        && got
            .iter()
            .zip(sent)
            .all(|(g, s)| g[0] == s[0] && g[1] == s[1]);
    same.then(|| Value::Array(got.clone()))
}

#[async_trait]
impl Client for MaelstromTxnClient {
    async fn invoke(&mut self, inv: &Invocation) -> Completion {
        if inv.f != "txn" {
            return Completion::fail(inv.value.clone(), format!("no function {:?}", inv.f));
        }
        let body = Body::from(json!({"type": "txn", "txn": inv.value}));
        match self.inner.call(body).await {
            Ok((_, reply)) if reply.kind() == "txn_ok" => match answered(&inv.value, &reply) {
                Some(txn) => Completion::ok(txn),
                None => unsure(
                    inv,
                    format!("a txn_ok that does not match the request: {}", reply["txn"]),
                ),
            },
            Ok((_, reply)) if reply.kind() == "error" => {
                let code = reply["code"].as_i64().unwrap_or(-1);
                let text = format!("{code}: {}", reply["text"].as_str().unwrap_or(""));
                if ErrorCode::is_definite(code) {
                    Completion::fail(inv.value.clone(), text)
                } else {
                    unsure(inv, text)
                }
            }
            Ok((_, reply)) => unsure(inv, format!("unexpected reply {:?}", reply.kind())),
            Err((true, e)) => Completion::fail(inv.value.clone(), e),
            Err((false, e)) => unsure(inv, e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_must_match_the_request() {
        let sent = json!([["r", 1, null], ["append", 1, 3]]);
        let ok = Body::from(json!({"type": "txn_ok", "txn": [["r", 1, [1, 2]], ["append", 1, 3]]}));
        assert_eq!(
            answered(&sent, &ok),
            Some(json!([["r", 1, [1, 2]], ["append", 1, 3]]))
        );
        let short = Body::from(json!({"type": "txn_ok", "txn": [["r", 1, [1]]]}));
        assert_eq!(answered(&sent, &short), None);
        let other_key =
            Body::from(json!({"type": "txn_ok", "txn": [["r", 2, []], ["append", 1, 3]]}));
        assert_eq!(answered(&sent, &other_key), None);
    }
}
