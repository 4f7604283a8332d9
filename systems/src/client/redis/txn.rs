//! `list-append` and `rw-register` on Redis: a transaction is one `MULTI` ... `EXEC`
//! block on the primary, which Redis runs atomically, nothing else in between: a read is
//! `LRANGE l:k 0 -1` (a list) or `GET w:k` (a register), an append `RPUSH l:k v`, a write
//! `SET w:k v`. Reads inside the block see the block's own earlier writes, as the
//! micro-ops say. An `EXECABORT` (a command refused while queued, such as `READONLY` on a
//! node that stopped being the primary) means nothing ran: `fail`.

use super::conn::{decode, encode, Conn, Outcome};
use async_trait::async_trait;
use serde_json::Value;
use workloads::txn::unsure;
use workloads::{Client, Completion, Invocation};

pub struct TxnClient {
    conn: Conn,
    /// `rw-register` (registers) rather than `list-append` (lists).
    registers: bool,
}

impl TxnClient {
    pub fn new(conn: Conn, registers: bool) -> TxnClient {
        TxnClient { conn, registers }
    }
}

fn key_text(k: &Value) -> String {
    k.as_str().map_or_else(|| k.to_string(), str::to_string)
}

/// The block's commands, one per micro-op: over registers (`GET`/`SET w:k`) or lists
/// (`LRANGE`/`RPUSH l:k`).
fn block(ops: &[Value], registers: bool) -> Result<redis::Pipeline, String> {
    let mut p = redis::pipe();
    p.atomic();
    for m in ops {
        let (f, k, v) = (m[0].as_str().unwrap_or(""), key_text(&m[1]), &m[2]);
        match (f, registers) {
            ("r", true) => p.cmd("GET").arg(format!("w:{k}")),
            ("w", true) => p.cmd("SET").arg(format!("w:{k}")).arg(encode(v)),
            ("r", false) => p.cmd("LRANGE").arg(format!("l:{k}")).arg(0).arg(-1),
            ("append", false) => p.cmd("RPUSH").arg(format!("l:{k}")).arg(encode(v)),
            _ => return Err(format!("unknown micro-op {m}")),
        };
    }
    Ok(p)
}

/// The micro-ops with their reads filled in from the block's answers.
fn filled(ops: &[Value], answers: &[redis::Value]) -> Result<Value, String> {
    let mut out = Vec::with_capacity(ops.len());
    for (m, a) in ops.iter().zip(answers) {
        let mut m = m.clone();
        if m[0] == "r" {
            m[2] = match a {
                redis::Value::Nil => Value::Null,
                redis::Value::BulkString(b) => decode(b),
                redis::Value::Array(items) => Value::Array(
                    items
                        .iter()
                        .map(|i| match i {
                            redis::Value::BulkString(b) => Ok(decode(b)),
                            other => Err(format!("a list element {other:?}")),
                        })
                        .collect::<Result<_, _>>()?,
                ),
                other => return Err(format!("a read answered {other:?}")),
            };
        }
        out.push(m);
    }
    Ok(Value::Array(out))
}

#[async_trait]
impl Client for TxnClient {
    async fn invoke(&mut self, inv: &Invocation) -> Completion {
        let Some(ops) = inv.value.as_array().filter(|_| inv.f == "txn") else {
            return Completion::fail(inv.value.clone(), format!("unknown op {:?}", inv.f));
        };
        let block = match block(ops, self.registers) {
            Ok(b) => b,
            Err(e) => return Completion::fail(inv.value.clone(), e),
        };
        let c = match self.conn.primary().await {
            Ok(c) => c,
            Err(e) => return Completion::fail(inv.value.clone(), e),
        };
        let answer: Result<Vec<redis::Value>, _> = block.query_async(c).await;
        let outcome = match answer {
            Ok(answers) => match filled(ops, &answers) {
                Ok(v) => {
                    self.conn.wait_after_write().await;
                    return Completion::ok(v);
                }
                // It ran, but its answer cannot be read: its writes happened.
                Err(e) => Outcome::Unknown(e),
            },
            Err(e) => Outcome::of(&e),
        };
        self.conn.drop_primary();
        match outcome {
            Outcome::NotDone(m) => Completion::fail(inv.value.clone(), m),
            Outcome::Unknown(m) => unsure(inv, m),
        }
    }
}
