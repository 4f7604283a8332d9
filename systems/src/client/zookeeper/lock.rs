//! Named locks on ZooKeeper, by its ephemeral-sequential recipe: the lock of key `k` is
//! the znode `/locks/k`; `acquire` creates an ephemeral sequential child `lock-<seq>` of
//! it, and holds the lock when its child has the lowest sequence; otherwise it watches the
//! child just before its own and looks again when that one goes (no herd: each waiter
//! wakes only for its predecessor). `release` deletes its own child. The children live as
//! long as the session that made them: one session per client, of timeout `lease_ttl_s`
//! (the lock workload's option, else 10 s), kept alive by the client library's pings.
//!
//! Outcomes:
//! - `acquire` of a lock this client holds, or `release` of one it does not: `fail`
//!   without asking ZooKeeper;
//! - no session could be opened: `fail`;
//! - the create lost its connection or timed out: `info`, and the session is closed (its
//!   ephemeral children go with it);
//! - gave up waiting behind another holder (the client timeout, less two margins): its
//!   child is deleted (within the margin), then `fail`; if that delete cannot be done,
//!   `info` and the session is closed;
//! - the session expired while waiting: `fail` (ZooKeeper deleted the child with it);
//! - a release whose delete lost its connection or timed out: `info`, the session closed.
//!
//! A session that expires while the lock is held (no ping reached a server within the
//! timeout: the client was cut off from every server it may use) frees the lock in
//! ZooKeeper: its child is deleted and the next waiter takes the lock. As etcd's lock
//! client does with a lost lease, this client is not told and keeps believing it holds
//! the lock until it releases it, as an application that does not watch its session's
//! state would. The release then finds its child gone (`NoNode`) or its session expired:
//! the lock is no longer held either way, so the release is `ok` (the holder's critical
//! section did end there) and the loss is logged as a warning. The lock checker sees the
//! first hold overlap the next holder's.
//!
//! An op the harness stopped waiting for (cancelled mid-way) leaves the client unsure
//! what it holds: the next op closes the session first.

use super::session::{ensure_dir, margin, op_deadline, Session};
use async_trait::async_trait;
use history::{Key, Value};
use std::collections::HashMap;
use std::time::Duration;
use tokio::time::Instant;
use workloads::{Client, Completion, Invocation};
use zookeeper_client as zk;

/// The locks' parent znode.
const DIR: &str = "/locks";
/// The prefix of a lock's children.
const CHILD: &str = "lock-";

/// One process's locks, over one session.
pub struct ZkLockClient {
    session: Session,
    timeout: Duration,
    /// Lock key -> the path of our child that holds it.
    held: HashMap<Option<Key>, String>,
    /// An op began and did not finish (the harness cancelled it).
    busy: bool,
}

impl ZkLockClient {
    pub fn new(session: Session, timeout: Duration) -> ZkLockClient {
        ZkLockClient {
            session,
            timeout,
            held: HashMap::new(),
            busy: false,
        }
    }

    /// Forget every lock and close the session (its children go with it).
    fn give_up(&mut self) {
        self.held.clear();
        self.session.reset();
    }

    async fn acquire(&mut self, key: &Option<Key>) -> Completion {
        if self.held.contains_key(key) {
            return Completion::fail(Value::Null, "already held by this client");
        }
        let deadline = op_deadline(self.timeout);
        let c = match self.session.client(deadline).await {
            Ok(c) => c.clone(),
            Err(e) => return Completion::fail(Value::Null, e),
        };
        let dir = lock_dir(key);
        let opts = zk::CreateMode::EphemeralSequential.with_acls(zk::Acls::anyone_all());
        let create = async {
            ensure_dir(&c, &dir).await?;
            c.create(&format!("{dir}/{CHILD}"), b"", &opts).await
        };
        let mine = match tokio::time::timeout_at(deadline, create).await {
            Ok(Ok((_, seq))) => format!("{dir}/{CHILD}{seq}"),
            Ok(Err(e)) if !super::session::maybe_applied(&e) => {
                return Completion::fail(Value::Null, format!("creating a child: {e}"))
            }
            Ok(Err(e)) => {
                self.give_up();
                return Completion::info(Value::Null, format!("creating a child: {e}"));
            }
            Err(_) => {
                self.give_up();
                return Completion::info(Value::Null, "timeout creating a child");
            }
        };
        match wait_turn(&c, &dir, &mine, deadline).await {
            Ok(Turn::Mine) => {
                self.held.insert(key.clone(), mine);
                Completion::ok(Value::Null)
            }
            Ok(Turn::TimedOut) => self.withdraw(&c, &mine).await,
            Err(zk::Error::SessionExpired) => {
                self.give_up();
                Completion::fail(Value::Null, "the session expired while waiting")
            }
            Err(e) => {
                tracing::debug!("{mine}: waiting: {e}");
                self.withdraw(&c, &mine).await
            }
        }
    }

    /// Deletes our child after giving up on a lock: `fail` when it is gone, else `info`.
    async fn withdraw(&mut self, c: &zk::Client, mine: &str) -> Completion {
        let left = Instant::now() + margin(self.timeout);
        match tokio::time::timeout_at(left, c.delete(mine, None)).await {
            Ok(Ok(()) | Err(zk::Error::NoNode)) => {
                Completion::fail(Value::Null, "timed out waiting for the lock; withdrew")
            }
            Ok(Err(zk::Error::SessionExpired)) => {
                self.give_up();
                Completion::fail(Value::Null, "the session expired while waiting")
            }
            Ok(Err(e)) => {
                self.give_up();
                Completion::info(
                    Value::Null,
                    format!("gave up waiting, could not withdraw: {e}"),
                )
            }
            Err(_) => {
                self.give_up();
                Completion::info(Value::Null, "gave up waiting, could not withdraw in time")
            }
        }
    }

    async fn release(&mut self, key: &Option<Key>) -> Completion {
        let Some(mine) = self.held.remove(key) else {
            return Completion::fail(Value::Null, "not held");
        };
        let deadline = op_deadline(self.timeout);
        let c = match self.session.client(deadline).await {
            Ok(c) => c.clone(),
            // The session ended (a new one could not be opened): its children are gone.
            Err(e) => {
                tracing::warn!("{mine}: released after its session ended (lock lost): {e}");
                return Completion::ok(Value::Null);
            }
        };
        match tokio::time::timeout_at(deadline, c.delete(&mine, None)).await {
            Ok(Ok(())) => Completion::ok(Value::Null),
            Ok(Err(e @ (zk::Error::NoNode | zk::Error::SessionExpired))) => {
                tracing::warn!(
                    "{mine}: released, but the lock had been lost while held ({e}: its \
                     session expired and ZooKeeper deleted the child)"
                );
                if matches!(e, zk::Error::SessionExpired) {
                    self.give_up();
                }
                Completion::ok(Value::Null)
            }
            Ok(Err(e)) => {
                self.give_up();
                Completion::info(Value::Null, format!("deleting {mine}: {e}"))
            }
            Err(_) => {
                self.give_up();
                Completion::info(Value::Null, format!("timeout deleting {mine}"))
            }
        }
    }
}

/// How waiting for the lock ended.
enum Turn {
    Mine,
    TimedOut,
}

/// Waits until `mine` is the lowest child of `dir`, watching its predecessor.
async fn wait_turn(
    c: &zk::Client,
    dir: &str,
    mine: &str,
    deadline: Instant,
) -> Result<Turn, zk::Error> {
    let my_name = mine.rsplit('/').next().unwrap_or(mine).to_string();
    loop {
        let listing = tokio::time::timeout_at(deadline, c.list_children(dir)).await;
        let Ok(children) = listing else {
            return Ok(Turn::TimedOut);
        };
        let children = children?;
        let Some(before) = predecessor(&children, &my_name) else {
            return if children.contains(&my_name) {
                Ok(Turn::Mine)
            } else {
                // Our child is gone: the session that made it expired.
                Err(zk::Error::SessionExpired)
            };
        };
        let watching =
            tokio::time::timeout_at(deadline, c.check_and_watch_stat(&format!("{dir}/{before}")))
                .await;
        let Ok(watching) = watching else {
            return Ok(Turn::TimedOut);
        };
        let (stat, watcher) = watching?;
        if stat.is_none() {
            continue;
        }
        if tokio::time::timeout_at(deadline, watcher.changed())
            .await
            .is_err()
        {
            return Ok(Turn::TimedOut);
        }
    }
}

/// The child just before `mine` in sequence order, or None when `mine` is first (or
/// absent).
fn predecessor(children: &[String], mine: &str) -> Option<String> {
    let seq = |n: &str| n.strip_prefix(CHILD).and_then(|s| s.parse::<i64>().ok());
    let my_seq = seq(mine)?;
    children
        .iter()
        .filter_map(|n| seq(n).map(|s| (s, n)))
        .filter(|(s, _)| *s < my_seq)
        .max_by_key(|(s, _)| *s)
        .map(|(_, n)| n.clone())
}

/// The znode of the lock of `key`.
fn lock_dir(key: &Option<Key>) -> String {
    match key {
        Some(Key::Int(i)) => format!("{DIR}/{i}"),
        Some(Key::Str(s)) => format!("{DIR}/{s}"),
        None => format!("{DIR}/lock"),
    }
}

impl Drop for ZkLockClient {
    /// A holder that goes away without releasing (its worker ended with the run) keeps its
    /// session one client timeout more: the history never records that release, so no
    /// acquire still in flight may take the lock meanwhile.
    fn drop(&mut self) {
        if !self.held.is_empty() {
            self.session.linger(self.timeout);
        }
    }
}

#[async_trait]
impl Client for ZkLockClient {
    async fn invoke(&mut self, inv: &Invocation) -> Completion {
        if self.busy {
            tracing::debug!("an earlier lock op was cancelled: closing the session");
            self.give_up();
        }
        self.busy = true;
        let done = match inv.f.as_str() {
            "acquire" => self.acquire(&inv.key).await,
            "release" => self.release(&inv.key).await,
            f => Completion::fail(
                inv.value.clone(),
                format!("the zookeeper lock client has no function {f:?}"),
            ),
        };
        self.busy = false;
        done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_predecessor_is_the_next_lower_sequence() {
        let kids: Vec<String> = ["lock-0000000007", "lock-0000000002", "lock-0000000005"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            predecessor(&kids, "lock-0000000007").as_deref(),
            Some("lock-0000000005")
        );
        assert_eq!(predecessor(&kids, "lock-0000000002"), None);
        assert_eq!(lock_dir(&Some(Key::Int(2))), "/locks/2");
    }
}
