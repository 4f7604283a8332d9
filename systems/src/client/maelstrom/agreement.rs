//! Turning agreement invocations into requests to the nodes, and their answers into
//! completions in the encoding the consensus checkers read.

use super::MaelstromClient;
use async_trait::async_trait;
use history::{Key, Value};
use serde_json::json;
use wire::{Body, ErrorCode};
use workloads::agreement::node_of;
use workloads::{Client, Completion, Invocation};

/// One worker's client of an agreement system.
pub struct AgreementClient {
    inner: MaelstromClient,
    /// Proposals and submissions go to whoever leads (replicated state machines) rather
    /// than to the node named in the op (Byzantine agreement protocols).
    via_leader: bool,
    /// The decision field of `decision_ok`: `value`, or `vector` for interactive
    /// consistency.
    decision_field: &'static str,
}

fn key_json(k: &Option<Key>) -> Value {
    match k {
        Some(Key::Int(i)) => json!(i),
        Some(Key::Str(s)) => json!(s.as_str()),
        None => Value::Null,
    }
}

/// The completion of an error answer: `fail` when it definitely did not happen.
fn refused(inv: &Invocation, reply: &Body) -> Completion {
    let code = reply["code"].as_i64().unwrap_or(-1);
    let text = format!("{code}: {}", reply["text"].as_str().unwrap_or(""));
    if ErrorCode::is_definite(code) {
        Completion::fail(inv.value.clone(), text)
    } else {
        Completion::info(inv.value.clone(), text)
    }
}

impl AgreementClient {
    pub fn new(inner: MaelstromClient, via_leader: bool, vectors: bool) -> AgreementClient {
        AgreementClient {
            inner,
            via_leader,
            decision_field: if vectors { "vector" } else { "value" },
        }
    }

    async fn send(
        &mut self,
        inv: &Invocation,
        body: Body,
        direct: bool,
    ) -> Result<Body, Completion> {
        let node = node_of(&inv.value).unwrap_or("").to_string();
        let r = if direct || !self.via_leader {
            self.inner.call_at(&node, body).await
        } else {
            self.inner.call(body).await.map(|(_, b)| b)
        };
        match r {
            Ok(b) if b.kind() == "error" => Err(refused(inv, &b)),
            Ok(b) => Ok(b),
            Err(e) => Err(MaelstromClient::lost(inv, e)),
        }
    }

    /// Every page of a node's ledger.
    async fn whole_log(&mut self, inv: &Invocation) -> Result<Vec<Value>, Completion> {
        let mut entries = Vec::new();
        loop {
            let body = Body::from(json!({"type": "log", "from": entries.len()}));
            let page = self.send(inv, body, true).await?;
            let got = page["entries"].as_array().cloned().unwrap_or_default();
            let total = page["total"].as_u64().unwrap_or(0) as usize;
            let empty = got.is_empty();
            entries.extend(got);
            if empty || entries.len() >= total {
                return Ok(entries);
            }
        }
    }
}

#[async_trait]
impl Client for AgreementClient {
    async fn invoke(&mut self, inv: &Invocation) -> Completion {
        let node = node_of(&inv.value).unwrap_or("").to_string();
        let instance = key_json(&inv.key);
        let v = inv.value.get("value").cloned().unwrap_or(Value::Null);
        let result = match inv.f.as_str() {
            "propose" => {
                let body = json!({"type": "propose", "instance": instance, "value": v});
                self.send(inv, Body::from(body), false)
                    .await
                    .map(|b| json!({"node": node, "value": v, "decided": b["decided"]}))
            }
            "order" => {
                let body = json!({"type": "order", "instance": instance, "value": v});
                self.send(inv, Body::from(body), true)
                    .await
                    .map(|_| inv.value.clone())
            }
            "submit" => {
                let body = json!({"type": "submit", "entry": inv.value["entry"]});
                self.send(inv, Body::from(body), false)
                    .await
                    .map(|_| inv.value.clone())
            }
            "decision" => {
                let body = json!({"type": "decision", "instance": instance});
                let field = self.decision_field;
                self.send(inv, Body::from(body), true)
                    .await
                    .map(|b| match b.get("decided") {
                        // Whether the node says it decided (a decision may be null).
                        Some(d @ Value::Bool(_)) => {
                            json!({"node": node, field: b[field], "decided": d})
                        }
                        _ => json!({"node": node, field: b[field]}),
                    })
            }
            "log" => self
                .whole_log(inv)
                .await
                .map(|entries| json!({"node": node, "entries": entries})),
            other => return Completion::fail(inv.value.clone(), format!("no function {other:?}")),
        };
        match result {
            Ok(v) => Completion::ok(v),
            Err(c) => c,
        }
    }
}
