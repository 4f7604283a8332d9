//! A register client for etcd, over its v3 JSON gateway (HTTP): `range` to read, `put` to
//! write, and a `txn` comparing the value for compare-and-set. Keys are `schism-<key>`,
//! values decimal text, both base64 as the gateway wants them.
//!
//! Outcomes: a read that fails had no effect, so it is `fail`; a write or CAS whose
//! connection was refused never reached etcd (`fail`); a CAS whose comparison did not hold
//! is `fail` with the error `compare-failed` (it observed another value); every other error (a timeout, a reset connection, an etcd error such as
//! "request timed out" or "leader changed") leaves it unknown: `info`.

use super::gateway::{post, Error};
use async_trait::async_trait;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use history::{Key, Value};
use serde_json::json;
use std::time::Duration;
use workloads::{Client, Completion, Invocation};

/// How reads are served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadMode {
    /// Through the leader and a quorum: linearizable.
    Linearizable,
    /// From the local member's state: may be stale.
    Serializable,
}

impl ReadMode {
    pub fn parse(s: &str) -> Option<ReadMode> {
        match s {
            "linearizable" => Some(ReadMode::Linearizable),
            "serializable" => Some(ReadMode::Serializable),
            _ => None,
        }
    }
}

/// One process's connection to one etcd member.
pub struct EtcdClient {
    base: String,
    http: reqwest::Client,
    read_mode: ReadMode,
}

impl EtcdClient {
    /// A client of the member whose client URL is `http://<addr>` (for example
    /// `10.213.0.2:2379`), giving up on a request after `timeout`.
    pub fn new(addr: &str, timeout: Duration, read_mode: ReadMode) -> Result<EtcdClient, String> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .pool_max_idle_per_host(1)
            .build()
            .map_err(|e| format!("cannot make an HTTP client: {e}"))?;
        Ok(EtcdClient {
            base: format!("http://{addr}/v3/kv"),
            http,
            read_mode,
        })
    }

    pub(crate) async fn post(
        &self,
        path: &str,
        body: serde_json::Value,
    ) -> Result<serde_json::Value, Error> {
        post(&self.http, &format!("{}/{path}", self.base), body, None).await
    }
}

fn etcd_key(key: &Option<Key>) -> String {
    let k = match key {
        Some(Key::Int(i)) => i.to_string(),
        Some(Key::Str(s)) => s.to_string(),
        None => "register".to_string(),
    };
    B64.encode(format!("schism-{k}"))
}

fn etcd_value(v: &Value) -> String {
    B64.encode(match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

/// The register value from a gateway's base64 text: an integer when it is one.
fn decode_value(b64: &str) -> Result<Value, String> {
    let bytes = B64
        .decode(b64)
        .map_err(|e| format!("value {b64:?} is not base64: {e}"))?;
    let text = String::from_utf8_lossy(&bytes);
    Ok(text
        .parse::<i64>()
        .map(Value::from)
        .unwrap_or_else(|_| Value::String(text.into_owned())))
}

#[async_trait]
impl Client for EtcdClient {
    async fn invoke(&mut self, inv: &Invocation) -> Completion {
        let key = etcd_key(&inv.key);
        match inv.f.as_str() {
            "read" => {
                let body = json!({
                    "key": key,
                    "serializable": self.read_mode == ReadMode::Serializable,
                });
                match self.post("range", body).await {
                    Ok(v) => match v["kvs"].get(0).and_then(|kv| kv["value"].as_str()) {
                        None => Completion::ok(Value::Null),
                        Some(b64) => match decode_value(b64) {
                            Ok(value) => Completion::ok(value),
                            Err(e) => Completion::fail(Value::Null, e),
                        },
                    },
                    // A read changes nothing: whatever went wrong, it had no effect.
                    Err(Error::Refused(e) | Error::Unknown(e)) => Completion::fail(Value::Null, e),
                }
            }
            "write" => {
                let body = json!({"key": key, "value": etcd_value(&inv.value)});
                match self.post("put", body).await {
                    Ok(_) => Completion::ok(inv.value.clone()),
                    Err(Error::Refused(e)) => Completion::fail(inv.value.clone(), e),
                    Err(Error::Unknown(e)) => Completion::info(inv.value.clone(), e),
                }
            }
            "cas" => {
                let (Some(from), Some(to)) = (inv.value.get(0), inv.value.get(1)) else {
                    return Completion::fail(inv.value.clone(), "a cas value must be [from, to]");
                };
                let body = json!({
                    "compare": [{"key": key, "target": "VALUE", "result": "EQUAL", "value": etcd_value(from)}],
                    "success": [{"requestPut": {"key": key, "value": etcd_value(to)}}],
                });
                match self.post("txn", body).await {
                    Ok(v) if v["succeeded"].as_bool() == Some(true) => {
                        Completion::ok(inv.value.clone())
                    }
                    Ok(_) => Completion::fail(inv.value.clone(), history::COMPARE_FAILED),
                    Err(Error::Refused(e)) => Completion::fail(inv.value.clone(), e),
                    Err(Error::Unknown(e)) => Completion::info(inv.value.clone(), e),
                }
            }
            f => Completion::fail(
                inv.value.clone(),
                format!("the etcd register client has no function {f:?}"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_values_are_base64_text() {
        assert_eq!(etcd_key(&Some(Key::Int(7))), B64.encode("schism-7"));
        assert_eq!(etcd_value(&json!(3)), B64.encode("3"));
        assert_eq!(decode_value(&B64.encode("42")), Ok(json!(42)));
        assert_eq!(decode_value(&B64.encode("x")), Ok(json!("x")));
        assert!(decode_value("%%%").is_err());
    }
}
