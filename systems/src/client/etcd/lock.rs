//! Named locks on etcd, through the v3 JSON gateway's lease and lock endpoints: `acquire`
//! grants a lease (`/v3/lease/grant`), keeps it alive from then on ([`super::keepalive`],
//! as a `concurrency.Session` would) and locks the name with it (`/v3/lock/lock`), which
//! blocks while another holds it and answers the key that stands for our hold; `release`
//! stops the keep-alive, unlocks that key (`/v3/lock/unlock`) and revokes the lease
//! (`/v3/lease/revoke`). The lock of key `k` is named `schism-lock-<k>` (`schism-lock`
//! without a key), base64 as the gateway wants it; completions carry the value null.
//!
//! Outcomes:
//! - `acquire` of a lock this client holds, or `release` of one it does not: `fail`
//!   without asking etcd;
//! - a lease that could not be granted: `fail` (no lock was asked for);
//! - a lock request refused at connect: `fail`; one that timed out (the lock is held by
//!   another) or met any other error: `info`; so is a granted lock whose key is gone when
//!   read back (its lease expired while it waited: etcd 3.4 grants it anyway), or could
//!   not be read back. Either way the lease is revoked in the
//!   background, so that a late grant does not hold the lock; it would expire anyway
//!   after the lease's TTL;
//! - an unlock refused at connect: `fail`, and the lock is still held (and its lease kept
//!   alive); any other error: `info`, the lease is revoked in the background and the lock
//!   forgotten.
//!
//! A lease that expires while the lock is held (its member was paused or cut off longer
//! than the TTL, so no renewal reached the leader) frees the lock in etcd: another client
//! may take it. This client is not told, and keeps believing it holds the lock until it
//! releases it, as an application would. etcd answers that late unlock with success
//! (deleting a key that is already gone is no error), so the release is `ok`: the
//! holder's critical section did end there. The lease's revoke then answers that the
//! lease is not found, which is logged. The lock checker sees the first hold, from its
//! acquire to that release, overlap the second holder's.

use super::gateway::{post, Error};
use super::keepalive::KeepAlive;
use async_trait::async_trait;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use history::{Key, Value};
use serde_json::json;
use std::collections::HashMap;
use std::time::Duration;
use tokio::time::Instant;
use workloads::{Client, Completion, Invocation};

/// A lock this client holds: the key etcd made for the hold, the lease behind it, and the
/// task keeping that lease alive.
struct Held {
    key: String,
    lease: String,
    keepalive: KeepAlive,
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
    /// After an unlock etcd accepted (`released`: the lock's name), a lease already gone
    /// means the lock had been lost while held: that is logged as a warning.
    fn revoke_later(&self, lease: String, released: Option<String>) {
        let (http, url, t) = (
            self.http.clone(),
            format!("{}/lease/revoke", self.base),
            self.timeout,
        );
        tokio::spawn(async move {
            match (
                post(&http, &url, json!({ "ID": lease }), Some(t)).await,
                released,
            ) {
                (Err(Error::Unknown(e)), Some(what)) if e.contains("lease not found") => {
                    tracing::warn!(
                        "{what}: released (etcd accepted the unlock) after its lease {lease} \
                         had expired: {e}"
                    )
                }
                (Err(Error::Refused(e) | Error::Unknown(e)), _) => {
                    tracing::debug!("revoking lease {lease}: {e}")
                }
                (Ok(_), _) => {}
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
        let (lease, ttl_s) = match grant {
            Ok(v) => match int64(&v["ID"]) {
                // etcd may grant more than was asked (its least TTL is 1.5 election
                // timeouts): renew by what it granted.
                Some(id) => (id, int64(&v["TTL"]).and_then(|t| t.parse().ok())),
                None => return Completion::fail(Value::Null, format!("no lease ID in {v}")),
            },
            Err(Error::Refused(e) | Error::Unknown(e)) => {
                return Completion::fail(Value::Null, format!("granting a lease: {e}"))
            }
        };
        // Kept alive from the grant on, as a session's lease is: a lock request may wait
        // longer than the TTL behind another holder.
        let keepalive = KeepAlive::start(
            self.http.clone(),
            &self.base,
            lease.clone(),
            ttl_s.unwrap_or(self.lease_ttl_s),
            lock_name(key),
        );
        let body = json!({ "name": B64.encode(lock_name(key)), "lease": lease });
        match self.post("lock/lock", body, deadline).await {
            Ok(v) => match v["key"].as_str() {
                Some(k) => match self.still_there(k, deadline).await {
                    Ok(()) => {
                        let held = Held {
                            key: k.to_string(),
                            lease,
                            keepalive,
                        };
                        self.held.insert(key.clone(), held);
                        Completion::ok(Value::Null)
                    }
                    Err(e) => {
                        self.revoke_later(lease, None);
                        Completion::info(Value::Null, e)
                    }
                },
                None => {
                    self.revoke_later(lease, None);
                    Completion::info(Value::Null, format!("no lock key in {v}"))
                }
            },
            Err(Error::Refused(e)) => {
                self.revoke_later(lease, None);
                Completion::fail(Value::Null, e)
            }
            Err(Error::Unknown(e)) => {
                self.revoke_later(lease, None);
                Completion::info(Value::Null, e)
            }
        }
    }

    /// Whether the key a granted lock stands for still exists (a linearizable read), as
    /// etcd's own `concurrency.Mutex` checks after waiting: etcd 3.4's lock endpoint
    /// grants a lock to a waiter whose lease expired while it waited (etcd issue 11456),
    /// so a key already gone means the lock is not held. An error says why it is unsure.
    async fn still_there(&self, key: &str, deadline: Instant) -> Result<(), String> {
        match self.post("kv/range", json!({ "key": key }), deadline).await {
            Ok(v) if int64(&v["count"]).is_some_and(|c| c != "0") => Ok(()),
            Ok(v) => Err(format!(
                "etcd granted the lock, but its key is gone (its lease expired while it \
                 waited): {v}"
            )),
            Err(Error::Refused(e) | Error::Unknown(e)) => Err(format!(
                "etcd granted the lock, but reading its key back failed: {e}"
            )),
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
                let seen = if held.keepalive.lost() {
                    " (its keep-alive had found the lease gone)"
                } else {
                    ""
                };
                let what = format!("{}{seen}", lock_name(key));
                self.revoke_later(held.lease, Some(what));
                Completion::ok(Value::Null)
            }
            Err(Error::Refused(e)) => {
                self.held.insert(key.clone(), held);
                Completion::fail(Value::Null, e)
            }
            Err(Error::Unknown(e)) => {
                self.revoke_later(held.lease, None);
                Completion::info(Value::Null, e)
            }
        }
    }
}

impl Drop for EtcdLockClient {
    /// A holder that goes away without releasing keeps its leases alive one client
    /// timeout more (see [`KeepAlive::linger`]); then they expire.
    fn drop(&mut self) {
        for (_, held) in self.held.drain() {
            held.keepalive.linger(self.timeout);
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
