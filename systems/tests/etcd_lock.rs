//! The etcd lock client against a real single-member etcd on loopback: an acquire, a
//! second client's acquire that times out while the lock is held, the same client
//! acquiring once it is released, releases of locks not held, and a refused connection.

mod common;

use common::{free_port, start_etcd};
use history::{Key, OpType};
use serde_json::Value;
use std::time::{Duration, Instant};
use systems::client::etcd::EtcdLockClient;
use systems::client::etcd::{EtcdClient, ReadMode};
use workloads::{Client, Invocation};

/// Wait until the gateway answers (a read, which takes no lock and leaves no lease).
async fn ready(addr: &str) {
    let mut c = EtcdClient::new(addr, Duration::from_secs(5), ReadMode::Linearizable).unwrap();
    let read = Invocation::new("read", Some(Key::Int(0)), Value::Null);
    let deadline = Instant::now() + Duration::from_secs(10);
    while c.invoke(&read).await.kind != OpType::Ok {
        assert!(Instant::now() < deadline, "etcd never answered");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn op(f: &str, key: i64) -> Invocation {
    Invocation::new(f, Some(Key::Int(key)), Value::Null)
}

#[tokio::test]
async fn a_held_lock_makes_another_acquire_time_out_until_released() {
    let etcd = start_etcd("etcd-lock");
    ready(&etcd.addr).await;
    let mut first = EtcdLockClient::new(&etcd.addr, Duration::from_secs(5), 60).unwrap();
    let mut second = EtcdLockClient::new(&etcd.addr, Duration::from_millis(500), 60).unwrap();

    let a = first.invoke(&op("acquire", 1)).await;
    assert_eq!((a.kind, &a.value), (OpType::Ok, &Value::Null), "{a:?}");
    let again = first.invoke(&op("acquire", 1)).await;
    assert_eq!(again.kind, OpType::Fail, "already held: {again:?}");

    let b = second.invoke(&op("acquire", 1)).await;
    assert_eq!(b.kind, OpType::Info, "held by the first: {b:?}");
    // Another lock is free meanwhile.
    let other = second.invoke(&op("acquire", 2)).await;
    assert_eq!(other.kind, OpType::Ok, "{other:?}");

    let r = second.invoke(&op("release", 1)).await;
    assert_eq!(r.kind, OpType::Fail, "the second does not hold it: {r:?}");
    assert_eq!(r.error.as_deref(), Some("not held"));

    let r = first.invoke(&op("release", 1)).await;
    assert_eq!(r.kind, OpType::Ok, "{r:?}");
    let r = first.invoke(&op("release", 1)).await;
    assert_eq!(r.kind, OpType::Fail, "released already: {r:?}");

    let b = second.invoke(&op("acquire", 1)).await;
    assert_eq!(b.kind, OpType::Ok, "free now: {b:?}");
    let r = second.invoke(&op("release", 1)).await;
    assert_eq!(r.kind, OpType::Ok, "{r:?}");
    let r = second.invoke(&op("release", 2)).await;
    assert_eq!(r.kind, OpType::Ok, "{r:?}");

    let s = second
        .invoke(&Invocation::new(
            "acquire",
            Some(Key::Str("named".into())),
            Value::Null,
        ))
        .await;
    assert_eq!(s.kind, OpType::Ok, "a string key names a lock too: {s:?}");
}

#[tokio::test]
async fn a_refused_connection_fails() {
    let mut c = EtcdLockClient::new(
        &format!("127.0.0.1:{}", free_port()),
        Duration::from_millis(500),
        60,
    )
    .unwrap();
    let a = c.invoke(&op("acquire", 1)).await;
    assert_eq!(a.kind, OpType::Fail, "never reached etcd: {a:?}");
    let r = c.invoke(&op("release", 1)).await;
    assert_eq!(r.kind, OpType::Fail, "{r:?}");
    assert_eq!(r.error.as_deref(), Some("not held"));
}
