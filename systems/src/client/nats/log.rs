//! The `log` workload over JetStream streams, one per key ([`super::streams`]): a key's
//! offsets are its stream's sequence numbers.
//!
//! - `send` publishes the value to `log.K` and waits for JetStream's acknowledgement: ok
//!   with `[sequence, value]`;
//! - `poll` reads every key from this consumer's position, message by message by
//!   sequence (`STREAM.MSG.GET`, answered by the stream's leader; several in flight),
//!   at most [`PAGE`] messages of a key per poll, until a sequence holds no message yet;
//! - a final `poll` (`{"final": true}`) reads its key (or every key) from sequence 1
//!   until a sequence holds no message.
//!
//! The consumer's positions are the client's own (as a consumer that remembers where it
//! stands), kept across reconnects; a new process after an `info` op starts where the
//! old one stood, which the checker allows. A poll that went wrong is `fail` and moves
//! no position. A send refused with a definite JetStream error (a wrong expected last
//! sequence or message id: never asked here, but definite) is `fail`; a timeout, "no
//! responders", a lost connection or any other error is `info` (JetStream may have
//! stored it). A connection that could not be made is `fail`: nothing was sent.

use super::conn::{decode, encode, Conn};
use super::streams::{log_stream, log_subject};
use async_nats::jetstream::context::PublishErrorKind;
use async_nats::jetstream::stream::RawMessageErrorKind;
use async_trait::async_trait;
use futures_util::stream::{self, StreamExt};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use workloads::{Client, Completion, Invocation};

/// The most messages of one key a poll returns.
pub const PAGE: u64 = 16;
/// The most messages of one key a final read returns (a guard against a log without end).
const MAX_FINAL: u64 = 1_000_000;
/// Gets asked before the first of them is looked at (a final read goes batch by batch).
const BATCH: u64 = 256;
/// Gets in flight at once.
const IN_FLIGHT: usize = 32;

/// One worker's producer and consumer.
pub struct LogClient {
    conn: Conn,
    /// Every key of the run.
    keys: Vec<String>,
    /// Per key, the next sequence to read.
    positions: BTreeMap<String, u64>,
}

fn key_name(key: &Option<history::Key>) -> Option<String> {
    key.as_ref().map(|k| match k {
        history::Key::Int(i) => i.to_string(),
        history::Key::Str(s) => s.to_string(),
    })
}

impl LogClient {
    pub fn new(conn: Conn, keys: &[i64]) -> LogClient {
        let keys: Vec<String> = keys.iter().map(i64::to_string).collect();
        let positions = keys.iter().map(|k| (k.clone(), 1)).collect();
        LogClient {
            conn,
            keys,
            positions,
        }
    }

    async fn send(&mut self, inv: &Invocation) -> Completion {
        let Some(key) = key_name(&inv.key) else {
            return Completion::fail(inv.value.clone(), "a send names no key");
        };
        let js = match self.conn.js().await {
            Ok(js) => js,
            Err(e) => return Completion::fail(inv.value.clone(), e),
        };
        let sent = js
            .publish(log_subject(&key), encode(&inv.value).into())
            .await;
        let ack = match sent {
            Ok(ack) => ack.await,
            Err(e) => return Completion::info(inv.value.clone(), format!("publishing: {e}")),
        };
        match ack {
            Ok(ack) => Completion::ok(json!([ack.sequence, inv.value])),
            Err(e) => match e.kind() {
                PublishErrorKind::WrongLastSequence | PublishErrorKind::WrongLastMessageId => {
                    Completion::fail(inv.value.clone(), e.to_string())
                }
                _ => Completion::info(inv.value.clone(), e.to_string()),
            },
        }
    }

    /// Up to `limit` messages of `key` from sequence `from`, in order, stopping at the
    /// first sequence that holds none. [`IN_FLIGHT`] gets at a time.
    async fn read(&mut self, key: &str, from: u64, limit: u64) -> Result<Vec<Value>, String> {
        let js = self.conn.js().await?;
        let stream = js
            .get_stream_no_info(log_stream(key))
            .await
            .map_err(|e| format!("stream of {key}: {e}"))?;
        let mut out = Vec::new();
        let end = from.saturating_add(limit);
        let mut at = from;
        while at < end {
            let batch = (at..end.min(at + BATCH)).map(|seq| {
                let stream = &stream;
                async move { (seq, stream.get_raw_message(seq).await) }
            });
            let got: Vec<_> = stream::iter(batch).buffered(IN_FLIGHT).collect().await;
            for (seq, m) in got {
                match m {
                    Ok(m) => out.push(json!([m.sequence, decode(&m.payload)])),
                    Err(e) if e.kind() == RawMessageErrorKind::NoMessageFound => return Ok(out),
                    Err(e) => return Err(format!("{key} at {seq}: {e}")),
                }
            }
            at = end.min(at + BATCH);
        }
        Ok(out)
    }

    async fn poll(&mut self) -> Completion {
        let mut msgs = Map::new();
        let mut next = self.positions.clone();
        for key in self.keys.clone() {
            let from = next.get(&key).copied().unwrap_or(1);
            let page = match self.read(&key, from, PAGE).await {
                Ok(p) => p,
                Err(e) => return Completion::fail(Value::Null, e),
            };
            if let Some(top) = page.last().and_then(|p| p[0].as_u64()) {
                next.insert(key.clone(), top + 1);
                msgs.insert(key, Value::Array(page));
            }
        }
        self.positions = next;
        Completion::ok(Value::Object(msgs))
    }

    async fn final_read(&mut self, inv: &Invocation) -> Completion {
        let keys = key_name(&inv.key).map_or_else(|| self.keys.clone(), |k| vec![k]);
        let mut out = Map::new();
        for key in keys {
            match self.read(&key, 1, MAX_FINAL).await {
                Ok(all) => {
                    out.insert(key, Value::Array(all));
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
        match inv.f.as_str() {
            "send" => self.send(inv).await,
            "poll" if inv.value.get("final") == Some(&Value::Bool(true)) => {
                self.final_read(inv).await
            }
            "poll" => self.poll().await,
            f => Completion::fail(inv.value.clone(), format!("the log has no function {f:?}")),
        }
    }
}
