//! The `set` workload on Redis: one set, key `s`; an add is `SADD`, a read `SMEMBERS`
//! (the elements, sorted).

use super::conn::{decode, encode, Conn, Outcome};
use async_trait::async_trait;
use serde_json::Value;
use workloads::{Client, Completion, Invocation};

/// The set's key.
const KEY: &str = "s";

pub struct SetClient {
    conn: Conn,
}

impl SetClient {
    pub fn new(conn: Conn) -> SetClient {
        SetClient { conn }
    }
}

#[async_trait]
impl Client for SetClient {
    async fn invoke(&mut self, inv: &Invocation) -> Completion {
        let result = match inv.f.as_str() {
            "add" => {
                let add = async {
                    let c = self.conn.primary().await.map_err(Outcome::NotDone)?;
                    redis::cmd("SADD")
                        .arg(KEY)
                        .arg(encode(&inv.value))
                        .query_async::<i64>(c)
                        .await
                        .map_err(|e| Outcome::of(&e))?;
                    self.conn.wait_after_write().await;
                    Ok(inv.value.clone())
                };
                add.await
            }
            "read" => {
                let read = async {
                    let c = self.conn.primary().await?;
                    let members: Vec<Vec<u8>> = redis::cmd("SMEMBERS")
                        .arg(KEY)
                        .query_async(c)
                        .await
                        .map_err(|e| e.to_string())?;
                    let mut all: Vec<Value> = members.iter().map(|m| decode(m)).collect();
                    all.sort_by_key(|v| v.as_i64());
                    Ok::<_, String>(Value::Array(all))
                };
                read.await.map_err(Outcome::NotDone)
            }
            f => return Completion::fail(inv.value.clone(), format!("unknown op {f:?}")),
        };
        self.conn.complete(inv, result)
    }
}
