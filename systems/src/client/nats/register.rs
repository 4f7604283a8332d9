//! The register on a JetStream key-value bucket ([`super::streams::BUCKET`], one value
//! kept per key; key `k` is `rk`):
//!
//! - `read` gets the key's entry (nil when it has none): from the stream's leader
//!   (`reads: leader`, the bucket made without direct gets), or from whichever replica
//!   answers a direct get (`reads: direct`);
//! - `write` puts the value;
//! - `cas [from, to]` gets the entry as a read does, and when it holds `from`, updates
//!   the key to `to` expecting the revision it read (JetStream refuses the write when
//!   the key's last revision is another). A value other than `from`, no entry, or a
//!   refused update (wrong last revision) is `fail` `compare-failed`.
//!
//! A write or update that timed out, met "no responders" or a lost connection, or any
//! other error is `info`; a read that went wrong is `fail` (it changed nothing), as is
//! any op whose connection or bucket could not be had (nothing was sent).

use super::conn::{decode, encode, Conn};
use super::streams::BUCKET;
use async_nats::jetstream::kv::{Operation, Store, UpdateErrorKind};
use async_trait::async_trait;
use history::{Key, Value};
use workloads::{Client, Completion, Invocation};

pub struct RegisterClient {
    conn: Conn,
    /// The bucket, once looked up (its stream's configuration says how gets are made).
    store: Option<Store>,
}

/// The bucket's key of a register key.
fn kv_key(key: &Option<Key>) -> String {
    match key {
        Some(Key::Int(i)) => format!("r{i}"),
        Some(Key::Str(s)) => format!("r{}", s.replace(|c: char| !c.is_ascii_alphanumeric(), "_")),
        None => "register".into(),
    }
}

/// How an op ended, when not ok.
enum Outcome {
    /// Certainly not applied.
    NotDone(String),
    /// May have been applied.
    Unknown(String),
}

impl RegisterClient {
    pub fn new(conn: Conn) -> RegisterClient {
        RegisterClient { conn, store: None }
    }

    /// The bucket; an error means nothing was sent.
    async fn store(&mut self) -> Result<&Store, String> {
        if self.store.is_none() {
            let js = self.conn.js().await?;
            let store = js
                .get_key_value(BUCKET)
                .await
                .map_err(|e| format!("bucket {BUCKET}: {e}"))?;
            self.store = Some(store);
        }
        Ok(self.store.as_ref().expect("just set"))
    }

    /// The key's value and revision (None: no entry).
    async fn get(&mut self, key: &str) -> Result<Option<(Value, u64)>, String> {
        let entry = self
            .store()
            .await?
            .entry(key)
            .await
            .map_err(|e| format!("get {key}: {e}"))?;
        Ok(entry
            .filter(|e| e.operation == Operation::Put)
            .map(|e| (decode(&e.value), e.revision)))
    }

    async fn write(&mut self, key: &str, value: &Value) -> Result<(), Outcome> {
        let store = self.store().await.map_err(Outcome::NotDone)?;
        store
            .put(key, encode(value).into())
            .await
            .map(|_| ())
            .map_err(|e| Outcome::Unknown(format!("put {key}: {e}")))
    }

    async fn cas(&mut self, key: &str, from: &Value, to: &Value) -> Result<(), Outcome> {
        let now = self.get(key).await.map_err(Outcome::NotDone)?;
        let Some((value, revision)) = now.filter(|(v, _)| v == from) else {
            return Err(Outcome::NotDone("compare-failed".into()));
        };
        debug_assert_eq!(&value, from);
        let store = self.store().await.map_err(Outcome::NotDone)?;
        match store.update(key, encode(to).into(), revision).await {
            Ok(_) => Ok(()),
            Err(e) if e.kind() == UpdateErrorKind::WrongLastRevision => {
                Err(Outcome::NotDone("compare-failed".into()))
            }
            Err(e) => Err(Outcome::Unknown(format!("update {key}@{revision}: {e}"))),
        }
    }
}

#[async_trait]
impl Client for RegisterClient {
    async fn invoke(&mut self, inv: &Invocation) -> Completion {
        let key = kv_key(&inv.key);
        let done = match inv.f.as_str() {
            "read" => {
                return match self.get(&key).await {
                    Ok(v) => Completion::ok(v.map_or(Value::Null, |(v, _)| v)),
                    Err(e) => Completion::fail(Value::Null, e),
                }
            }
            "write" => self.write(&key, &inv.value).await,
            "cas" => {
                let (Some(from), Some(to)) = (inv.value.get(0), inv.value.get(1)) else {
                    return Completion::fail(inv.value.clone(), "cas needs [from, to]");
                };
                self.cas(&key, from, to).await
            }
            f => return Completion::fail(inv.value.clone(), format!("unknown op {f:?}")),
        };
        match done {
            Ok(()) => Completion::ok(inv.value.clone()),
            Err(Outcome::NotDone(e)) => Completion::fail(inv.value.clone(), e),
            Err(Outcome::Unknown(e)) => Completion::info(inv.value.clone(), e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_keys_are_valid_bucket_keys() {
        assert_eq!(kv_key(&Some(Key::Int(7))), "r7");
        assert_eq!(kv_key(&Some(Key::Str("a.b c".into()))), "ra_b_c");
        assert_eq!(kv_key(&None), "register");
    }
}
