//! The etcd client against a real single-member etcd on loopback: reads, writes, CAS that
//! holds and one that does not, a missing key, a refused connection, and a timeout.

mod common;

use common::{free_port, start_etcd};
use history::{Key, OpType};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use systems::client::etcd::{EtcdClient, ReadMode};
use workloads::{Client, Invocation};

fn inv(f: &str, key: i64, value: Value) -> Invocation {
    Invocation::new(f, Some(Key::Int(key)), value)
}

#[tokio::test]
async fn reads_writes_and_cas_against_a_real_etcd() {
    let etcd = start_etcd("etcd");
    let mut c =
        EtcdClient::new(&etcd.addr, Duration::from_secs(5), ReadMode::Linearizable).unwrap();
    // The gateway may need a moment after the port opens.
    let deadline = Instant::now() + Duration::from_secs(10);
    while c.invoke(&inv("read", 1, Value::Null)).await.kind != OpType::Ok {
        assert!(Instant::now() < deadline, "etcd never answered");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let r = c.invoke(&inv("read", 1, Value::Null)).await;
    assert_eq!(
        (r.kind, r.value),
        (OpType::Ok, Value::Null),
        "a missing key reads nil"
    );
    let w = c.invoke(&inv("write", 1, json!(3))).await;
    assert_eq!(w.kind, OpType::Ok);
    let r = c.invoke(&inv("read", 1, Value::Null)).await;
    assert_eq!((r.kind, r.value), (OpType::Ok, json!(3)));
    let cas = c.invoke(&inv("cas", 1, json!([3, 4]))).await;
    assert_eq!(cas.kind, OpType::Ok);
    let cas = c.invoke(&inv("cas", 1, json!([3, 5]))).await;
    assert_eq!(cas.kind, OpType::Fail, "the comparison no longer holds");
    let mut s =
        EtcdClient::new(&etcd.addr, Duration::from_secs(5), ReadMode::Serializable).unwrap();
    let r = s.invoke(&inv("read", 1, Value::Null)).await;
    assert_eq!((r.kind, r.value), (OpType::Ok, json!(4)));
}

#[tokio::test]
async fn a_refused_connection_fails_and_a_silent_server_times_out_as_info() {
    let port = free_port();
    let mut c = EtcdClient::new(
        &format!("127.0.0.1:{port}"),
        Duration::from_millis(300),
        ReadMode::Linearizable,
    )
    .unwrap();
    let w = c.invoke(&inv("write", 1, json!(1))).await;
    assert_eq!(w.kind, OpType::Fail, "refused: never reached etcd: {w:?}");
    // A listener that accepts and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = silent.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = silent.accept().await {
            held.push(s);
        }
    });
    let mut c = EtcdClient::new(&addr, Duration::from_millis(300), ReadMode::Linearizable).unwrap();
    let w = c.invoke(&inv("write", 1, json!(1))).await;
    assert_eq!(w.kind, OpType::Info, "{w:?}");
    let cas = c.invoke(&inv("cas", 1, json!([1, 2]))).await;
    assert_eq!(cas.kind, OpType::Info, "{cas:?}");
    let r = c.invoke(&inv("read", 1, Value::Null)).await;
    assert_eq!(r.kind, OpType::Fail, "a read has no effect: {r:?}");
}
