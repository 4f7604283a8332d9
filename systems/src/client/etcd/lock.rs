//! Named locks on etcd, through the v3 JSON gateway's lease and lock endpoints: `acquire`
//! grants a lease (`/v3/lease/grant`) and locks the name with it (`/v3/lock/lock`), which
//! blocks while another holds it and answers the key that stands for our hold; `release`
//! unlocks that key (`/v3/lock/unlock`) and revokes the lease (`/v3/lease/revoke`). The
//! lock of key `k` is named `schism-lock-<k>` (`schism-lock` without a key), base64 as the
//! gateway wants it; completions carry the value null.
//!
//! Outcomes:
//! - `acquire` of a lock this client holds, or `release` of one it does not: `fail`
//!   without asking etcd;
//! - a lease that could not be granted: `fail` (no lock was asked for);
//! - a lock request refused at connect: `fail`; one that timed out (the lock is held by
//!   another) or met any other error: `info`. Either way the lease is revoked in the
//!   background, so that a late grant does not hold the lock; it would expire anyway
//!   after the lease's TTL;
//! - an unlock refused at connect: `fail`, and the lock is still held; any other error:
//!   `info`, the lease is revoked in the background and the lock forgotten.
//!
//! The lease is not kept alive: a lock held longer than its TTL is silently lost.

use super::gateway::{post, Error};
use async_trait::async_trait;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use history::{Key, Value};
use serde_json::json;
use std::collections::HashMap;
use std::time::Duration;
use tokio::time::Instant;
use workloads::{Client, Completion, Invocation};

/// A lock this client holds: the key etcd made for the hold, and the lease behind it.
#[derive(Debug, Clone)]
struct Held {
    key: String,
    lease: String,
}

/// One process's locks, through one etcd member.
pub struct EtcdLockClient {
    base: String,
    http: reqwest::Client,
    timeout: Duration,
    lease_ttl_s: i64,
    held: HashMap<Option<Key>, Held>,
}

impl EtcdLockClient {
    /// A client of the member whose client URL is `http://<addr>` (for example
    /// `10.213.0.2:2379`), giving up on an op after `timeout`; its locks are held with
    /// leases of `lease_ttl_s` seconds.
    pub fn new(addr: &str, timeout: Duration, lease_ttl_s: i64) -> Result<Self, String> {
        if lease_ttl_s <= 0 {
            return Err(format!("a lease TTL must be positive, not {lease_ttl_s}"));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(timeout)
            .pool_max_idle_per_host(1)
            .build()
            .map_err(|e| format!("cannot make an HTTP client: {e}"))?;
        Ok(EtcdLockClient {
            base: format!("http://{addr}/v3"),
            http,
            timeout,
            lease_ttl_s,
            held: HashMap::new(),
        })
    }

    /// POST a gateway request, giving up at `deadline`.
    async fn post(
        &self,
        path: &str,
        body: serde_json::Value,
        deadline: Instant,
    ) -> Result<serde_json::Value, Error> {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Error::Refused(format!("no time left to ask for {path}")));
        }
        post(
            &self.http,
            &format!("{}/{path}", self.base),
            body,
            Some(left),
        )
        .await
    }

    /// Revoke a lease in the background, best-effort: the op's completion does not wait.
    fn revoke_later(&self, lease: String) {
        let (http, url, t) = (
            self.http.clone(),
            format!("{}/lease/revoke", self.base),
            self.timeout,
        );
        tokio::spawn(async move {
            if let Err(Error::Refused(e) | Error::Unknown(e)) =
                post(&http, &url, json!({ "ID": lease }), Some(t)).await
            {
                tracing::debug!("revoking lease {lease}: {e}");
            }
        });
    }

    async fn acquire(&mut self, key: &Option<Key>) -> Completion {
        if self.held.contains_key(key) {
            return Completion::fail(Value::Null, "already held by this client");
        }
        let deadline = Instant::now() + self.timeout;
        let grant = self
            .post("lease/grant", json!({ "TTL": self.lease_ttl_s }), deadline)
            .await;
        // Without a lease no lock was asked for: whatever went wrong, the op had no effect.
        let lease = match grant {
            Ok(v) => match int64(&v["ID"]) {
                Some(id) => id,
                None => return Completion::fail(Value::Null, format!("no lease ID in {v}")),
            },
            Err(Error::Refused(e) | Error::Unknown(e)) => {
                return Completion::fail(Value::Null, format!("granting a lease: {e}"))
            }
        };
        let body = json!({ "name": B64.encode(lock_name(key)), "lease": lease });
        match self.post("lock/lock", body, deadline).await {
            Ok(v) => match v["key"].as_str() {
                Some(k) => {
                    let held = Held {
                        key: k.to_string(),
                        lease,
                    };
                    self.held.insert(key.clone(), held);
                    Completion::ok(Value::Null)
                }
                None => {
                    self.revoke_later(lease);
                    Completion::info(Value::Null, format!("no lock key in {v}"))
                }
            },
            Err(Error::Refused(e)) => {
                self.revoke_later(lease);
                Completion::fail(Value::Null, e)
            }
            Err(Error::Unknown(e)) => {
                self.revoke_later(lease);
                Completion::info(Value::Null, e)
            }
        }
    }

    async fn release(&mut self, key: &Option<Key>) -> Completion {
        let Some(held) = self.held.remove(key) else {
            return Completion::fail(Value::Null, "not held");
        };
        let deadline = Instant::now() + self.timeout;
        let body = json!({ "key": held.key });
        match self.post("lock/unlock", body, deadline).await {
            Ok(_) => {
                self.revoke_later(held.lease);
                Completion::ok(Value::Null)
            }
            Err(Error::Refused(e)) => {
                self.held.insert(key.clone(), held);
                Completion::fail(Value::Null, e)
            }
            Err(Error::Unknown(e)) => {
                self.revoke_later(held.lease);
                Completion::info(Value::Null, e)
            }
        }
    }
}

/// The name of the lock of `key`.
fn lock_name(key: &Option<Key>) -> String {
    match key {
        Some(Key::Int(i)) => format!("schism-lock-{i}"),
        Some(Key::Str(s)) => format!("schism-lock-{s}"),
        None => "schism-lock".to_string(),
    }
}

/// An int64 as the gateway writes it (a JSON string), as text to send back.
fn int64(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) if s.parse::<i64>().is_ok() => Some(s.clone()),
        serde_json::Value::Number(n) if n.is_i64() => Some(n.to_string()),
        _ => None,
    }
}

#[async_trait]
impl Client for EtcdLockClient {
    async fn invoke(&mut self, inv: &Invocation) -> Completion {
        match inv.f.as_str() {
            "acquire" => self.acquire(&inv.key).await,
            "release" => self.release(&inv.key).await,
            f => Completion::fail(
                inv.value.clone(),
                format!("the etcd lock client has no function {f:?}"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_ids() {
        assert_eq!(lock_name(&Some(Key::Int(7))), "schism-lock-7");
        assert_eq!(lock_name(&Some(Key::Str("a".into()))), "schism-lock-a");
        assert_eq!(lock_name(&None), "schism-lock");
        assert_eq!(
            int64(&json!("7587869")),
            Some("7587869".to_string()),
            "the gateway's int64 is a string"
        );
        assert_eq!(int64(&json!(12)), Some("12".to_string()));
        assert_eq!(int64(&json!("x")), None);
        assert_eq!(int64(&Value::Null), None);
    }

    #[test]
    fn a_lease_ttl_must_be_positive() {
        assert!(EtcdLockClient::new("127.0.0.1:1", Duration::from_secs(1), 0).is_err());
    }
}
