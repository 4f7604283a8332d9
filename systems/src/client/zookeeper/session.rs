//! One worker's ZooKeeper session, opened when first needed and opened anew after it
//! ended: a session whose state is terminal (expired, closed), or one an op gave up on
//! ([`Session::reset`]). The connect string is every node of the ensemble with the
//! worker's node first (`connect: ensemble`; the client library shuffles it and moves the
//! session to another server when its server goes away, as applications' sessions do), or
//! the worker's node alone (`connect: node`). A session's timeout is negotiated with the
//! servers (zoo.cfg allows 1 s to 60 s).
//!
//! [`Outcome`] sorts ZooKeeper's answers: a definite refusal is `fail`, a lost
//! connection, an expired session or a timeout after the request was sent is `info`.

use std::time::Duration;
use tokio::time::Instant;
use workloads::{Completion, Invocation};
use zookeeper_client as zk;

/// What went wrong with an op, and what it means for its completion.
#[derive(Debug)]
pub enum Outcome {
    /// It was not applied: `fail`.
    NotDone(String),
    /// It may have been applied: `info`.
    Unknown(String),
}

impl Outcome {
    /// A write's error: ZooKeeper's refusals are `fail`; a lost connection, an expired
    /// or closed session, a timeout: `info`.
    pub fn of_write(e: &zk::Error) -> Outcome {
        if maybe_applied(e) {
            Outcome::Unknown(e.to_string())
        } else {
            Outcome::NotDone(e.to_string())
        }
    }
}

/// Whether a request that met this error may still have been applied.
pub fn maybe_applied(e: &zk::Error) -> bool {
    use zk::Error as E;
    matches!(
        e,
        E::ConnectionLoss
            | E::SessionExpired
            | E::Timeout
            | E::ClientClosed
            | E::SessionMoved
            | E::UnexpectedError(_)
            | E::UnexpectedErrorCode(_)
            | E::RuntimeInconsistent
            | E::Custom(_)
    )
}

/// A worker's session, (re)opened on demand.
pub struct Session {
    connect: String,
    session_timeout: Duration,
    client: Option<zk::Client>,
}

impl Session {
    /// A session through `connect` (`ip:port,ip:port..`), of `session_timeout`.
    pub fn new(connect: String, session_timeout: Duration) -> Session {
        Session {
            connect,
            session_timeout,
            client: None,
        }
    }

    /// The open session, opening one (until `deadline`) when there is none or it ended.
    /// An error means nothing was sent.
    pub async fn client(&mut self, deadline: Instant) -> Result<&zk::Client, String> {
        if self
            .client
            .as_ref()
            .is_some_and(|c| c.state().is_terminated())
        {
            self.client = None;
        }
        if self.client.is_none() {
            let connecting = zk::Client::connector()
                .with_session_timeout(self.session_timeout)
                .with_server_version(3, 8, 0)
                .with_fail_eagerly()
                .connect(&self.connect);
            let c = tokio::time::timeout_at(deadline, connecting)
                .await
                .map_err(|_| format!("no session with {} in time", self.connect))?
                .map_err(|e| format!("opening a session with {}: {e}", self.connect))?;
            self.client = Some(c);
        }
        self.client.as_ref().ok_or_else(|| "no session".to_string())
    }

    /// Ends the session (closing it, which deletes its ephemeral nodes, when the server
    /// is reachable; else they go when it expires); the next op opens another.
    pub fn reset(&mut self) {
        self.client = None;
    }

    /// The completion of an op whose work is `done`, given until `deadline`: an op that
    /// may have taken effect (an unsure outcome, or out of time unless it is a read) ends
    /// `info` and the session, so the next op starts on a fresh one.
    pub async fn bounded(
        &mut self,
        inv: &Invocation,
        deadline: Instant,
        done: impl std::future::Future<Output = Result<Completion, Outcome>>,
    ) -> Completion {
        match tokio::time::timeout_at(deadline, done).await {
            Ok(Ok(c)) => c,
            Ok(Err(Outcome::NotDone(e))) => Completion::fail(inv.value.clone(), e),
            Ok(Err(Outcome::Unknown(e))) => {
                self.reset();
                Completion::info(inv.value.clone(), e)
            }
            Err(_) if inv.f == "read" => Completion::fail(inv.value.clone(), "timeout"),
            Err(_) => {
                self.reset();
                Completion::info(inv.value.clone(), "timeout")
            }
        }
    }

    /// Gives the session up after `d` (for a lock holder that goes away without
    /// releasing: see `lock`).
    pub fn linger(&mut self, d: Duration) {
        if let (Some(c), Ok(rt)) = (self.client.take(), tokio::runtime::Handle::try_current()) {
            rt.spawn(async move {
                tokio::time::sleep(d).await;
                drop(c);
            });
        }
    }

    pub fn session_timeout(&self) -> Duration {
        self.session_timeout
    }
}

/// The connect string of a worker of node `node` among `ips`: `ensemble`, every node
/// with this one first; `node`, this one alone.
pub fn connect_string(ips: &[std::net::Ipv4Addr], node: usize, port: u16, all: bool) -> String {
    let mut order: Vec<usize> = vec![node];
    if all {
        order.extend((0..ips.len()).filter(|i| *i != node));
    }
    order
        .into_iter()
        .filter_map(|i| ips.get(i))
        .map(|ip| format!("{ip}:{port}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// The time an op may take: the client timeout less two [`margin`]s, so that an op gives
/// up, and has a margin left to clean up in (a lock waiter deletes its child), before the
/// harness stops waiting for it.
pub fn op_deadline(timeout: Duration) -> Instant {
    Instant::now() + timeout.saturating_sub(margin(timeout) * 2)
}

/// A fifth of the client timeout, at most 1 s.
pub fn margin(timeout: Duration) -> Duration {
    (timeout / 5).min(Duration::from_secs(1))
}

/// A value as znode data (JSON text), and back (anything unreadable: null).
pub fn encode(v: &serde_json::Value) -> Vec<u8> {
    v.to_string().into_bytes()
}

pub fn decode(b: &[u8]) -> serde_json::Value {
    serde_json::from_slice(b).unwrap_or(serde_json::Value::Null)
}

/// Makes `path` and its parents (persistent), when missing.
pub async fn ensure_dir(c: &zk::Client, path: &str) -> Result<(), zk::Error> {
    let opts = zk::CreateMode::Persistent.with_acls(zk::Acls::anyone_all());
    match c.mkdir(path, &opts).await {
        Ok(()) | Err(zk::Error::NodeExists) => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn connect_strings() {
        let ips = [
            Ipv4Addr::new(10, 0, 0, 2),
            Ipv4Addr::new(10, 0, 0, 3),
            Ipv4Addr::new(10, 0, 0, 4),
        ];
        assert_eq!(
            connect_string(&ips, 1, 2181, true),
            "10.0.0.3:2181,10.0.0.2:2181,10.0.0.4:2181"
        );
        assert_eq!(connect_string(&ips, 2, 2181, false), "10.0.0.4:2181");
    }

    #[test]
    fn lost_connections_may_have_applied_refusals_did_not() {
        assert!(maybe_applied(&zk::Error::ConnectionLoss));
        assert!(maybe_applied(&zk::Error::SessionExpired));
        assert!(!maybe_applied(&zk::Error::BadVersion));
        assert!(!maybe_applied(&zk::Error::NodeExists));
        assert_eq!(decode(&encode(&serde_json::json!(7))), serde_json::json!(7));
        assert_eq!(decode(b"junk"), serde_json::Value::Null);
    }
}
