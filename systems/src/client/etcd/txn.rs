//! Transactions on etcd, by optimistic concurrency over its v3 JSON gateway:
//!
//! 1. one `txn` of `range`s reads every key the transaction touches at one revision;
//! 2. the micro-ops are run against that snapshot (a read sees the transaction's own
//!    earlier writes; an append extends the list, kept as JSON text; a `cas` whose
//!    register does not hold `from` fails the transaction, nothing written);
//! 3. unless it only reads, one `txn` commits: it compares every key's mod revision with
//!    the snapshot's (0 for a key not yet there) and, when all still hold, puts every
//!    written key. A comparison that failed means nothing was written: `fail`.
//!
//! Committed, the transaction took effect atomically at the commit's revision, with every
//! key it read unchanged since the snapshot: serializable, and strict, since etcd's
//! transactions are linearizable. Keys are `schism-txn-<key>`.

use super::gateway::Error;
use super::{EtcdClient, ReadMode};
use async_trait::async_trait;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;
use workloads::txn::unsure;
use workloads::{Client, Completion, Invocation};

/// One worker's transaction client of one etcd member.
pub struct EtcdTxnClient {
    etcd: EtcdClient,
}

impl EtcdTxnClient {
    pub fn new(addr: &str, timeout: Duration) -> Result<EtcdTxnClient, String> {
        Ok(EtcdTxnClient {
            etcd: EtcdClient::new(addr, timeout, ReadMode::Linearizable)?,
        })
    }
}

fn etcd_key(key: &Value) -> String {
    let k = key.as_str().map_or_else(|| key.to_string(), str::to_string);
    B64.encode(format!("schism-txn-{k}"))
}

/// A key's value and mod revision in a snapshot (null and 0 when absent).
type Snapshot = BTreeMap<String, (Value, i64)>;

fn parse_snapshot(keys: &[String], answer: &Value) -> Result<Snapshot, String> {
    let responses = answer["responses"].as_array().ok_or("no responses")?;
    let mut out = Snapshot::new();
    for (key, r) in keys.iter().zip(responses) {
        let kv = &r["response_range"]["kvs"][0];
        let entry = if kv.is_null() {
            (Value::Null, 0)
        } else {
            let text = B64
                .decode(kv["value"].as_str().unwrap_or(""))
                .map_err(|e| format!("a value that is not base64: {e}"))?;
            let value = serde_json::from_slice(&text)
                .map_err(|e| format!("a value that is not JSON: {e}"))?;
            let rev = kv["mod_revision"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .or_else(|| kv["mod_revision"].as_i64())
                .unwrap_or(0);
            (value, rev)
        };
        out.insert(key.clone(), entry);
    }
    Ok(out)
}

/// Runs the micro-ops on the snapshot: the answered transaction and the keys written.
fn apply(txn: &[Value], snapshot: &Snapshot) -> Result<(Value, BTreeMap<String, Value>), String> {
    workloads::txn::apply(txn, etcd_key, |k| snapshot.get(k).map(|(v, _)| v.clone()))
}

impl EtcdTxnClient {
    async fn run(&self, inv: &Invocation) -> Completion {
        let Some(txn) = inv.value.as_array() else {
            return Completion::fail(inv.value.clone(), "a transaction is a list of micro-ops");
        };
        let mut keys: Vec<String> = txn.iter().map(|m| etcd_key(&m[1])).collect();
        keys.sort();
        keys.dedup();
        let ranges: Vec<Value> = keys
            .iter()
            .map(|k| json!({"request_range": {"key": k}}))
            .collect();
        let snapshot = match self.etcd.post("txn", json!({"success": ranges})).await {
            Ok(answer) => match parse_snapshot(&keys, &answer) {
                Ok(s) => s,
                Err(e) => return Completion::fail(inv.value.clone(), e),
            },
            // Nothing was written yet: whatever happened, it had no effect.
            Err(Error::Refused(e)) | Err(Error::Unknown(e)) => {
                return Completion::fail(inv.value.clone(), e)
            }
        };
        let (answered, writes) = match apply(txn, &snapshot) {
            Ok(x) => x,
            Err(e) => return Completion::fail(inv.value.clone(), e),
        };
        if writes.is_empty() {
            return Completion::ok(answered);
        }
        let compare: Vec<Value> = snapshot
            .iter()
            .map(|(k, (_, rev))| {
                json!({"key": k, "target": "MOD", "result": "EQUAL", "mod_revision": rev.to_string()})
            })
            .collect();
        let puts: Vec<Value> = writes
            .iter()
            .map(|(k, v)| json!({"request_put": {"key": k, "value": B64.encode(v.to_string())}}))
            .collect();
        match self
            .etcd
            .post("txn", json!({"compare": compare, "success": puts}))
            .await
        {
            Ok(a) if a["succeeded"] == json!(true) => Completion::ok(answered),
            Ok(_) => Completion::fail(
                inv.value.clone(),
                "conflict: a key changed since it was read",
            ),
            Err(Error::Refused(e)) => Completion::fail(inv.value.clone(), e),
            Err(Error::Unknown(e)) => unsure(inv, e),
        }
    }
}

#[async_trait]
impl Client for EtcdTxnClient {
    async fn invoke(&mut self, inv: &Invocation) -> Completion {
        if inv.f != "txn" {
            return Completion::fail(inv.value.clone(), format!("no function {:?}", inv.f));
        }
        self.run(inv).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn micro_ops_run_on_the_snapshot_under_etcd_keys() {
        let mut snap = Snapshot::new();
        snap.insert(etcd_key(&json!(1)), (json!([1, 2]), 7));
        let txn = [json!(["append", 1, 3]), json!(["r", 1, null])];
        let (answered, writes) = apply(&txn, &snap).unwrap();
        assert_eq!(answered, json!([["append", 1, 3], ["r", 1, [1, 2, 3]]]));
        assert_eq!(writes.get(&etcd_key(&json!(1))), Some(&json!([1, 2, 3])));
        assert_eq!(etcd_key(&json!("a")), B64.encode("schism-txn-a"));
    }
}
