//! The register on ZooKeeper: key `k` is the znode `/r/k`, its data the value as JSON.
//!
//! - `read`: `sync` of the znode, then `getData` (a missing znode reads null). A plain
//!   `getData` is answered by the session's server from its own copy, which may lag the
//!   leader: ZooKeeper promises sequential consistency per session, not linearizable
//!   reads. `sync` makes the server catch up with the leader before it answers the read
//!   that follows (`sync_reads: false` leaves it out, to see the difference). ZooKeeper's
//!   documentation calls sync + read "not quite" linearizable: `sync` is not a quorum
//!   operation, so a server that still believes in a deposed leader may catch up with it.
//! - `write`: `setData` (any version), or `create` when the znode does not exist yet.
//! - `cas`: `getData` with its stat; when the value is `from`, `setData` of `to` with the
//!   stat's version, which ZooKeeper refuses (`BadVersion`) when the znode changed since:
//!   `fail` with `compare-failed`, as is a value that is not `from`.
//!
//! Outcomes ([`Outcome`]): ZooKeeper's refusals are `fail`; a lost connection, an expired
//! session or a timeout during a write is `info`; a read that went wrong is `fail`. After
//! an `info` the session is opened anew.

use super::session::{decode, encode, ensure_dir, op_deadline, Outcome, Session};
use async_trait::async_trait;
use history::{Key, Value};
use std::time::Duration;
use workloads::{Client, Completion, Invocation};
use zookeeper_client as zk;

/// The registers' parent znode.
const DIR: &str = "/r";

pub struct RegisterClient {
    session: Session,
    timeout: Duration,
    sync_reads: bool,
}

impl RegisterClient {
    pub fn new(session: Session, timeout: Duration, sync_reads: bool) -> RegisterClient {
        RegisterClient {
            session,
            timeout,
            sync_reads,
        }
    }
}

fn path(key: &Option<Key>) -> String {
    match key {
        Some(Key::Int(i)) => format!("{DIR}/{i}"),
        Some(Key::Str(s)) => format!("{DIR}/{s}"),
        None => format!("{DIR}/register"),
    }
}

/// What a CAS found.
enum Cas {
    Done,
    Differs(String),
}

async fn read(c: &zk::Client, path: &str, sync: bool) -> Result<Value, zk::Error> {
    if sync {
        match c.sync(path).await {
            Ok(()) | Err(zk::Error::NoNode) => {}
            Err(e) => return Err(e),
        }
    }
    match c.get_data(path).await {
        Ok((data, _)) => Ok(decode(&data)),
        Err(zk::Error::NoNode) => Ok(Value::Null),
        Err(e) => Err(e),
    }
}

async fn write(c: &zk::Client, path: &str, data: &[u8]) -> Result<(), zk::Error> {
    match c.set_data(path, data, None).await {
        Ok(_) => return Ok(()),
        Err(zk::Error::NoNode) => {}
        Err(e) => return Err(e),
    }
    ensure_dir(c, DIR).await?;
    let opts = zk::CreateMode::Persistent.with_acls(zk::Acls::anyone_all());
    match c.create(path, data, &opts).await {
        Ok(_) => Ok(()),
        // Another made it meanwhile: write over it.
        Err(zk::Error::NodeExists) => c.set_data(path, data, None).await.map(|_| ()),
        Err(e) => Err(e),
    }
}

async fn cas(c: &zk::Client, path: &str, from: &Value, to: &Value) -> Result<Cas, Outcome> {
    let (data, stat) = match c.get_data(path).await {
        Ok(found) => found,
        Err(zk::Error::NoNode) => return Ok(Cas::Differs("no value yet".into())),
        // Nothing was written yet.
        Err(e) => return Err(Outcome::NotDone(e.to_string())),
    };
    if &decode(&data) != from {
        return Ok(Cas::Differs(format!("found {}", decode(&data))));
    }
    match c.set_data(path, &encode(to), Some(stat.version)).await {
        Ok(_) => Ok(Cas::Done),
        Err(zk::Error::BadVersion) => Ok(Cas::Differs("version changed".into())),
        Err(e) => Err(Outcome::of_write(&e)),
    }
}

#[async_trait]
impl Client for RegisterClient {
    async fn invoke(&mut self, inv: &Invocation) -> Completion {
        let path = path(&inv.key);
        let deadline = op_deadline(self.timeout);
        let sync = self.sync_reads;
        let c = match self.session.client(deadline).await {
            Ok(c) => c.clone(),
            Err(e) => return Completion::fail(inv.value.clone(), e),
        };
        let done = async {
            match inv.f.as_str() {
                // A read changes nothing: whatever went wrong, it is `fail`.
                "read" => read(&c, &path, sync)
                    .await
                    .map(Completion::ok)
                    .map_err(|e| Outcome::NotDone(e.to_string())),
                "write" => write(&c, &path, &encode(&inv.value))
                    .await
                    .map(|()| Completion::ok(inv.value.clone()))
                    .map_err(|e| Outcome::of_write(&e)),
                "cas" => {
                    let (Some(from), Some(to)) = (inv.value.get(0), inv.value.get(1)) else {
                        return Ok(Completion::fail(inv.value.clone(), "cas needs [from, to]"));
                    };
                    cas(&c, &path, from, to).await.map(|r| match r {
                        Cas::Done => Completion::ok(inv.value.clone()),
                        Cas::Differs(why) => {
                            Completion::fail(inv.value.clone(), format!("compare-failed: {why}"))
                        }
                    })
                }
                f => Ok(Completion::fail(
                    inv.value.clone(),
                    format!("unknown op {f:?}"),
                )),
            }
        };
        self.session.bounded(inv, deadline, done).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_paths() {
        assert_eq!(path(&Some(Key::Int(3))), "/r/3");
        assert_eq!(path(&Some(Key::Str("a".into()))), "/r/a");
        assert_eq!(path(&None), "/r/register");
    }
}
