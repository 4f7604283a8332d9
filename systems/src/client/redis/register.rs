//! The register on Redis: key `k` is the string `r:k`; `GET`, `SET`, and a
//! compare-and-set that writes only when the key holds `from` (a Lua script, atomic on
//! the primary; or `WATCH`, `GET`, `MULTI`, `SET`, `EXEC`, which Redis aborts when the key
//! changed after the `WATCH`). A CAS that found another value is `fail` with
//! `compare-failed`.

use super::conn::{decode, encode, Conn, Outcome};
use super::CasBy;
use async_trait::async_trait;
use history::{Key, Value};
use workloads::{Client, Completion, Invocation};

/// Sets `KEYS[1]` to `ARGV[2]` when it holds `ARGV[1]`: 1 when it did, 0 when not.
const CAS_SCRIPT: &str = "if redis.call('GET', KEYS[1]) == ARGV[1] then \
    redis.call('SET', KEYS[1], ARGV[2]) return 1 else return 0 end";

pub struct RegisterClient {
    conn: Conn,
    cas: CasBy,
}

impl RegisterClient {
    pub fn new(conn: Conn, cas: CasBy) -> RegisterClient {
        RegisterClient { conn, cas }
    }
}

fn redis_key(key: &Option<Key>) -> String {
    match key {
        Some(Key::Int(i)) => format!("r:{i}"),
        Some(Key::Str(s)) => format!("r:{s}"),
        None => "r:register".into(),
    }
}

/// What a CAS found.
enum Cas {
    Done,
    Differs,
}

impl RegisterClient {
    async fn cas(&mut self, key: &str, from: &Value, to: &Value) -> Result<Cas, Outcome> {
        let c = self.conn.primary().await.map_err(Outcome::NotDone)?;
        match self.cas {
            CasBy::Lua => {
                let done: i64 = redis::Script::new(CAS_SCRIPT)
                    .key(key)
                    .arg(encode(from))
                    .arg(encode(to))
                    .invoke_async(c)
                    .await
                    .map_err(|e| Outcome::of(&e))?;
                Ok(if done == 1 { Cas::Done } else { Cas::Differs })
            }
            CasBy::Watch => {
                let now: Option<Vec<u8>> = async {
                    redis::cmd("WATCH").arg(key).query_async::<()>(c).await?;
                    redis::cmd("GET").arg(key).query_async(c).await
                }
                .await
                // Nothing was written yet.
                .map_err(|e| Outcome::NotDone(e.to_string()))?;
                if now.as_deref().map(decode).as_ref() != Some(from) {
                    let _ = redis::cmd("UNWATCH").query_async::<()>(c).await;
                    return Ok(Cas::Differs);
                }
                let done: Option<((),)> = redis::pipe()
                    .atomic()
                    .cmd("SET")
                    .arg(key)
                    .arg(encode(to))
                    .query_async(c)
                    .await
                    .map_err(|e| Outcome::of(&e))?;
                // EXEC answers nil when the watched key changed: nothing was written.
                Ok(if done.is_some() {
                    Cas::Done
                } else {
                    Cas::Differs
                })
            }
        }
    }
}

#[async_trait]
impl Client for RegisterClient {
    async fn invoke(&mut self, inv: &Invocation) -> Completion {
        let key = redis_key(&inv.key);
        let result = match inv.f.as_str() {
            "read" => {
                let read = async {
                    let c = self.conn.primary().await?;
                    let v: Option<Vec<u8>> = redis::cmd("GET")
                        .arg(&key)
                        .query_async(c)
                        .await
                        .map_err(|e| e.to_string())?;
                    Ok::<_, String>(v.as_deref().map_or(Value::Null, decode))
                };
                // A read changes nothing: whatever went wrong, it is `fail`.
                read.await.map_err(Outcome::NotDone)
            }
            "write" => {
                let write = async {
                    let c = self.conn.primary().await.map_err(Outcome::NotDone)?;
                    redis::cmd("SET")
                        .arg(&key)
                        .arg(encode(&inv.value))
                        .query_async::<()>(c)
                        .await
                        .map_err(|e| Outcome::of(&e))?;
                    self.conn.wait_after_write().await;
                    Ok(inv.value.clone())
                };
                write.await
            }
            "cas" => {
                let (Some(from), Some(to)) = (inv.value.get(0), inv.value.get(1)) else {
                    return Completion::fail(inv.value.clone(), "cas needs [from, to]");
                };
                match self.cas(&key, from, to).await {
                    Ok(Cas::Done) => {
                        self.conn.wait_after_write().await;
                        Ok(inv.value.clone())
                    }
                    Ok(Cas::Differs) => {
                        return Completion::fail(inv.value.clone(), "compare-failed")
                    }
                    Err(e) => Err(e),
                }
            }
            f => return Completion::fail(inv.value.clone(), format!("unknown op {f:?}")),
        };
        self.conn.complete(inv, result)
    }
}
