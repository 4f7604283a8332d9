//! The `log` workload over Maelstrom's kafka messages (served by schism's `raft` and
//! `paxos`, and by any node program that speaks Maelstrom's kafka workload), to whichever
//! node leads:
//!
//! - `send` is `send {key, msg}`, ok with `[offset, value]` from `send_ok {offset}`;
//! - `poll` is `poll {offsets}` of every key of the run from this consumer's position in
//!   each, ok with the `msgs` of `poll_ok` (`{key: [[offset, value], ...]}`); the
//!   position of each key moves past the highest offset returned, and is then committed
//!   (`commit_offsets`, best effort: its outcome does not change the poll's);
//! - a final `poll` (`{"final": true}`) of one key (or of every key, with none) reads
//!   its log from offset 0 a page at a time until a page comes back empty.
//!
//! The consumer's positions live here, one per key, kept across reconnects and leader
//! changes. After an `info` op the worker goes on as a new process, and the client as a
//! new consumer: it starts after the committed offsets (`list_committed_offsets`), or at
//! 0 for a key never committed. A poll that went wrong changed nothing (positions move
//! only on an answer), so it is `fail`; a send is `fail` on a definite error, else `info`.

use super::MaelstromClient;
use async_trait::async_trait;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use wire::{Body, ErrorCode};
use workloads::{Client, Completion, Invocation};

/// The most pages one final read asks for (a guard against a log that never ends).
const MAX_PAGES: usize = 10_000;

/// One worker's producer and consumer.
pub struct LogClient {
    inner: MaelstromClient,
    /// Every key of the run, as the logs' names.
    keys: Vec<String>,
    /// Per key, the next offset to read; None: a new consumer, not yet placed.
    positions: Option<BTreeMap<String, u64>>,
}

impl LogClient {
    pub fn new(inner: MaelstromClient, keys: &[i64]) -> LogClient {
        LogClient {
            inner,
            keys: keys.iter().map(i64::to_string).collect(),
            positions: None,
        }
    }

    /// Send a request; the reply if it is of type `ok`, else what went wrong and whether
    /// it definitely did not happen.
    async fn ask(&mut self, body: Value, ok: &str) -> Result<Body, (bool, String)> {
        match self.inner.call(Body::from(body)).await {
            Ok((_, reply)) if reply.kind() == ok => Ok(reply),
            Ok((_, reply)) if reply.kind() == "error" => {
                let code = reply["code"].as_i64().unwrap_or(-1);
                let text = format!("{code}: {}", reply["text"].as_str().unwrap_or(""));
                Err((ErrorCode::is_definite(code), text))
            }
            Ok((_, reply)) => Err((false, format!("unexpected reply {:?}", reply.kind()))),
            Err(e) => Err(e),
        }
    }

    async fn send(&mut self, inv: &Invocation) -> Completion {
        let key = inv.key.as_ref().map(|k| match k {
            history::Key::Int(i) => i.to_string(),
            history::Key::Str(s) => s.to_string(),
        });
        let Some(key) = key else {
            return Completion::fail(inv.value.clone(), "a send names no key");
        };
        let body = json!({"type": "send", "key": key, "msg": inv.value});
        match self.ask(body, "send_ok").await {
            Ok(reply) => match reply["offset"].as_u64() {
                Some(o) => Completion::ok(json!([o, inv.value])),
                None => Completion::info(inv.value.clone(), "send_ok without an offset"),
            },
            Err((true, e)) => Completion::fail(inv.value.clone(), e),
            Err((false, e)) => Completion::info(inv.value.clone(), e),
        }
    }

    /// Where a new consumer starts: after each key's committed offset, else at 0.
    async fn place(&mut self) -> Result<BTreeMap<String, u64>, String> {
        let body = json!({"type": "list_committed_offsets", "keys": self.keys});
        let reply = self
            .ask(body, "list_committed_offsets_ok")
            .await
            .map_err(|(_, e)| e)?;
        Ok(self
            .keys
            .iter()
            .map(|k| {
                let at = reply["offsets"][k.as_str()].as_u64().map_or(0, |o| o + 1);
                (k.clone(), at)
            })
            .collect())
    }

    async fn poll(&mut self) -> Completion {
        let mut positions = match self.positions.take() {
            Some(p) => p,
            None => match self.place().await {
                Ok(p) => p,
                Err(e) => return Completion::fail(Value::Null, e),
            },
        };
        let body = json!({"type": "poll", "offsets": positions});
        let reply = self.ask(body, "poll_ok").await;
        let msgs = match reply {
            Ok(r) => r["msgs"].as_object().cloned().unwrap_or_default(),
            Err((_, e)) => {
                self.positions = Some(positions);
                return Completion::fail(Value::Null, e);
            }
        };
        let mut commit = Map::new();
        for (k, pairs) in &msgs {
            let top = pairs
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p[0].as_u64())
                .max();
            if let Some(top) = top {
                let at = positions.entry(k.clone()).or_insert(0);
                *at = (*at).max(top + 1);
                commit.insert(k.clone(), json!(top));
            }
        }
        self.positions = Some(positions);
        if !commit.is_empty() {
            let body = json!({"type": "commit_offsets", "offsets": commit});
            let _ = self.ask(body, "commit_offsets_ok").await;
        }
        Completion::ok(Value::Object(msgs))
    }

    /// A whole log from offset 0, page by page.
    async fn read_all(&mut self, key: &str) -> Result<Vec<Value>, String> {
        let mut all: Vec<Value> = Vec::new();
        let mut from = 0u64;
        for _ in 0..MAX_PAGES {
            let body = json!({"type": "poll", "offsets": {key: from}});
            let reply = self.ask(body, "poll_ok").await.map_err(|(_, e)| e)?;
            let page = reply["msgs"][key].as_array().cloned().unwrap_or_default();
            let Some(top) = page.iter().filter_map(|p| p[0].as_u64()).max() else {
                return Ok(all);
            };
            all.extend(page);
            if top < from {
                return Err(format!("a page from offset {from} ended at {top}"));
            }
            from = top + 1;
        }
        Err(format!(
            "the log of {key} did not end within {MAX_PAGES} pages"
        ))
    }

    async fn final_read(&mut self, inv: &Invocation) -> Completion {
        let keys = match &inv.key {
            Some(history::Key::Int(i)) => vec![i.to_string()],
            Some(history::Key::Str(s)) => vec![s.to_string()],
            None => self.keys.clone(),
        };
        let mut out = Map::new();
        for k in keys {
            match self.read_all(&k).await {
                Ok(pairs) => {
                    out.insert(k, Value::Array(pairs));
                }
                Err(e) => return Completion::fail(Value::Null, e),
            }
        }
        Completion::ok(Value::Object(out))
    }
}

#[async_trait]
impl Client for LogClient {
    async fn invoke(&mut self, inv: &Invocation) -> Completion {
        let done = match inv.f.as_str() {
            "send" => self.send(inv).await,
            "poll" if inv.value.get("final") == Some(&Value::Bool(true)) => {
                self.final_read(inv).await
            }
            "poll" => self.poll().await,
            f => Completion::fail(inv.value.clone(), format!("the log has no function {f:?}")),
        };
        if done.kind == history::OpType::Info {
            // The worker goes on as a new process: a new consumer.
            self.positions = None;
        }
        done
    }
}
