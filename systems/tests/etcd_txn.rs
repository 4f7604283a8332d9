//! The etcd transaction client against a real single-member etcd on loopback: appends
//! and reads of several keys in one transaction, reads that see the transaction's own
//! writes, and many concurrent transactions whose committed appends all survive, each
//! once, while the conflicting ones fail without effect.

mod common;

use common::start_etcd;
use history::OpType;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use systems::client::etcd::EtcdTxnClient;
use workloads::{Client, Invocation};

fn txn(v: Value) -> Invocation {
    Invocation::new("txn", None, v)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transactions_commit_atomically_and_conflicts_fail_without_effect() {
    let etcd = start_etcd("etcd-txn");
    let mut c = EtcdTxnClient::new(&etcd.addr, Duration::from_secs(5)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while c.invoke(&txn(json!([["r", 0, null]]))).await.kind != OpType::Ok {
        assert!(Instant::now() < deadline, "etcd never answered");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let done = c
        .invoke(&txn(json!([
            ["append", 1, 1],
            ["r", 1, null],
            ["w", 2, 5],
            ["r", 2, null]
        ])))
        .await;
    assert_eq!(done.kind, OpType::Ok, "{done:?}");
    assert_eq!(
        done.value,
        json!([["append", 1, 1], ["r", 1, [1]], ["w", 2, 5], ["r", 2, 5]])
    );
    // Eight clients append 10 values each to one key at once.
    let mut tasks = Vec::new();
    for w in 0..8u64 {
        let addr = etcd.addr.clone();
        tasks.push(tokio::spawn(async move {
            let mut c = EtcdTxnClient::new(&addr, Duration::from_secs(5)).unwrap();
            let mut ok = Vec::new();
            for i in 0..10u64 {
                let v = 100 + w * 10 + i;
                let d = c
                    .invoke(&txn(json!([["append", 3, v], ["r", 3, null]])))
                    .await;
                match d.kind {
                    OpType::Ok => ok.push(v),
                    OpType::Fail => {}
                    other => panic!("unsure on a healthy etcd: {other:?} {d:?}"),
                }
            }
            ok
        }));
    }
    let mut committed = Vec::new();
    for t in tasks {
        committed.extend(t.await.unwrap());
    }
    let last = c.invoke(&txn(json!([["r", 3, null]]))).await;
    let list: Vec<u64> = serde_json::from_value(last.value[0][2].clone()).unwrap();
    let mut sorted = list.clone();
    sorted.sort();
    committed.sort();
    assert_eq!(
        sorted, committed,
        "exactly the committed appends, each once"
    );
    assert!(!committed.is_empty());
}
