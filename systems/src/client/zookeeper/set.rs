//! The `set` workload on ZooKeeper: one set, the znode `/s`. An add creates a persistent
//! sequential child `/s/e<element>-<sequence>` (the element in the name and, as JSON, in
//! the data); a read is `sync` of `/s` then `getChildren`, the elements read from the
//! children's names. A read is one request whatever the size of the set: a child's data
//! never changes, so reading it again would add nothing but time.
//!
//! Outcomes: an add refused by ZooKeeper is `fail`; one whose connection was lost, whose
//! session expired or that timed out is `info` (the session is opened anew); a read that
//! went wrong is `fail`.

use super::session::{encode, ensure_dir, op_deadline, Outcome, Session};
use async_trait::async_trait;
use serde_json::Value;
use std::time::Duration;
use workloads::{Client, Completion, Invocation};
use zookeeper_client as zk;

/// The set's znode.
const DIR: &str = "/s";

pub struct SetClient {
    session: Session,
    timeout: Duration,
}

impl SetClient {
    pub fn new(session: Session, timeout: Duration) -> SetClient {
        SetClient { session, timeout }
    }
}

/// The element a child's name holds (`e<element>-<sequence>`).
fn element(child: &str) -> Option<Value> {
    let rest = child.strip_prefix('e')?;
    let (text, _) = rest.rsplit_once('-')?;
    serde_json::from_str(text).ok()
}

async fn add(c: &zk::Client, v: &Value) -> Result<(), zk::Error> {
    let opts = zk::CreateMode::PersistentSequential.with_acls(zk::Acls::anyone_all());
    let prefix = format!("{DIR}/e{v}-");
    match c.create(&prefix, &encode(v), &opts).await {
        Err(zk::Error::NoNode) => {
            ensure_dir(c, DIR).await?;
            c.create(&prefix, &encode(v), &opts).await.map(|_| ())
        }
        r => r.map(|_| ()),
    }
}

async fn read(c: &zk::Client) -> Result<Value, zk::Error> {
    let children = match c.sync(DIR).await {
        Ok(()) => c.list_children(DIR).await,
        Err(e) => Err(e),
    };
    let children = match children {
        Ok(names) => names,
        Err(zk::Error::NoNode) => Vec::new(),
        Err(e) => return Err(e),
    };
    let mut all: Vec<Value> = children.iter().filter_map(|n| element(n)).collect();
    all.sort_by_key(|v| v.as_i64());
    Ok(Value::Array(all))
}

#[async_trait]
impl Client for SetClient {
    async fn invoke(&mut self, inv: &Invocation) -> Completion {
        let deadline = op_deadline(self.timeout);
        let c = match self.session.client(deadline).await {
            Ok(c) => c.clone(),
            Err(e) => return Completion::fail(inv.value.clone(), e),
        };
        let done = async {
            match inv.f.as_str() {
                "add" => add(&c, &inv.value)
                    .await
                    .map(|()| Completion::ok(inv.value.clone()))
                    .map_err(|e| Outcome::of_write(&e)),
                "read" => read(&c)
                    .await
                    .map(Completion::ok)
                    .map_err(|e| Outcome::NotDone(e.to_string())),
                f => Err(Outcome::NotDone(format!("unknown op {f:?}"))),
            }
        };
        self.session.bounded(inv, deadline, done).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn elements_from_names() {
        assert_eq!(element("e17-0000000042"), Some(json!(17)));
        assert_eq!(element("e-3-0000000001"), Some(json!(-3)));
        assert_eq!(element("lock-0000000001"), None);
    }
}
