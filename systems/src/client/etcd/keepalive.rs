//! Keeping a lease alive while its lock is held, as etcd's own clients do (a
//! `concurrency.Session` renews its lease in the background): a task that asks the
//! member the client talks to for `/v3/lease/keepalive` every third of the TTL.
//!
//! The holder does not watch it. When a renewal finds the lease gone (the answer has no
//! TTL, or TTL 0: it expired, say while the member was paused) the task says so in the
//! log, marks the lease [`KeepAlive::lost`] and stops; the lock is not given up, since an
//! application that holds a lock believes it holds it until it releases it. That is the
//! hazard of a lease-based lock, and what the lock checker must be able to see.
//!
//! The gateway serves the streaming RPC over one POST: each JSON request of the body is
//! one renewal, and the answer is one `{"result": {"ID", "TTL"}}` per request. A request
//! that fails (the member is paused or down) is tried again at the next tick.
//!
//! A client dropped while it holds a lock (its worker ended with the run) lets its
//! keep-alives [`linger`](KeepAlive::linger) one client timeout more: the history never
//! records that release, so no acquire still in flight may take the lock meanwhile.

use super::gateway::{post, Error};
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// A lease being kept alive; the task ends when this is dropped, or a while after when
/// told to [`linger`](KeepAlive::linger).
pub(crate) struct KeepAlive {
    renewal: Renewal,
    task: JoinHandle<()>,
}

/// What a renewing task needs.
#[derive(Clone)]
struct Renewal {
    http: reqwest::Client,
    url: String,
    lease: String,
    every: Duration,
    what: String,
    lost: Arc<AtomicBool>,
}

impl KeepAlive {
    /// Renew `lease` (TTL `ttl_s`) at `base` (`http://<addr>/v3`) until dropped; `what`
    /// names it in the log.
    pub(crate) fn start(
        http: reqwest::Client,
        base: &str,
        lease: String,
        ttl_s: i64,
        what: String,
    ) -> KeepAlive {
        let renewal = Renewal {
            http,
            url: format!("{base}/lease/keepalive"),
            lease,
            every: period(ttl_s),
            what,
            lost: Arc::new(AtomicBool::new(false)),
        };
        let task = tokio::spawn(renewal.clone().run(None));
        KeepAlive { renewal, task }
    }

    /// Whether a renewal found the lease gone.
    pub(crate) fn lost(&self) -> bool {
        self.renewal.lost.load(Ordering::Relaxed)
    }

    /// Keep renewing for `d` more, then stop: for a holder that goes away without
    /// releasing (its worker ended with the run), so that ops still in flight when the
    /// run ends cannot take a lock whose holder never released it in the history.
    pub(crate) fn linger(self, d: Duration) {
        let (renewal, lost) = (self.renewal.clone(), self.lost());
        drop(self);
        if lost {
            return;
        }
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(renewal.run(Some(Instant::now() + d)));
        }
    }
}

impl Renewal {
    /// Renew every `every` (until `until`, if given) or until the lease is found gone.
    async fn run(self, until: Option<Instant>) {
        let Renewal {
            http,
            url,
            lease,
            every,
            what,
            lost,
        } = self;
        while until.is_none_or(|u| Instant::now() < u) {
            tokio::time::sleep(every).await;
            match post(&http, &url, json!({ "ID": lease }), Some(every)).await {
                Ok(v) if remaining_ttl(&v) > 0 => {}
                Ok(v) => {
                    tracing::warn!(
                        "{what}: lease {lease} is gone (keep-alive answered {v}); the holder \
                         is not told and still believes it holds the lock"
                    );
                    lost.store(true, Ordering::Relaxed);
                    return;
                }
                Err(Error::Refused(e) | Error::Unknown(e)) => {
                    tracing::debug!("{what}: renewing lease {lease}: {e}")
                }
            }
        }
    }
}

impl Drop for KeepAlive {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// How often a lease of `ttl_s` is renewed: a third of it, as etcd's clients do, and at
/// least every 100 ms.
fn period(ttl_s: i64) -> Duration {
    Duration::from_millis((ttl_s.max(1) as u64).saturating_mul(1000) / 3).max(MIN_PERIOD)
}

const MIN_PERIOD: Duration = Duration::from_millis(100);

/// The TTL a keep-alive answer gives the lease (0: the lease is gone; the gateway leaves
/// out a zero TTL, and writes int64 as a string).
fn remaining_ttl(v: &serde_json::Value) -> i64 {
    let ttl = &v["result"]["TTL"];
    ttl.as_i64()
        .or_else(|| ttl.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lease_is_renewed_every_third_of_its_ttl() {
        assert_eq!(period(3), Duration::from_secs(1));
        assert_eq!(period(2), Duration::from_millis(666));
        assert_eq!(period(0), Duration::from_millis(333));
    }

    #[test]
    fn an_answer_with_no_ttl_says_the_lease_is_gone() {
        let alive = json!({"result": {"ID": "7", "TTL": "2"}});
        assert_eq!(remaining_ttl(&alive), 2);
        assert_eq!(remaining_ttl(&json!({"result": {"ID": "7", "TTL": 1}})), 1);
        assert_eq!(remaining_ttl(&json!({"result": {"ID": "7"}})), 0);
        assert_eq!(
            remaining_ttl(&json!({"result": {"ID": "7", "TTL": "0"}})),
            0
        );
    }
}
