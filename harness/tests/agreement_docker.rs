//! The Byzantine agreement systems (`om`, `eig`) in real containers: loyal nodes decide
//! the commander's order and equal vectors, also when one node's interceptor lies
//! (n = 4 tolerates one traitor); nothing is left behind. Their workloads and checkers
//! (generals, interactive consistency) build on this.

mod common;
use harness::spec::TestSpec;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::time::Duration;
use systems::resolve;
use wire::control::ask;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn request(addr: SocketAddr, node: &str, body: Value) -> Value {
    let b = ask(addr, node, body, Duration::from_secs(2)).await;
    serde_json::to_value(b.unwrap_or_else(|e| panic!("{node}: {e}"))).unwrap()
}

/// Start the system's cluster of `n` nodes, run `f` on the nodes' addresses, and remove
/// everything whatever happened.
fn with_cluster<F>(system: &str, n: usize, f: F)
where
    F: for<'a> FnOnce(
        &'a [(String, SocketAddr)],
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + 'a>>,
{
    let rt = rt();
    let spec = TestSpec {
        system: system.to_string(),
        nodes: n,
        ..TestSpec::default()
    };
    let setup = harness::system::setup(&spec);
    let sys = resolve(&setup).unwrap();
    let run_id = format!("agree-{system}-{}", std::process::id());
    let cluster = rt
        .block_on(sys.start(&setup, &run_id))
        .unwrap_or_else(|e| panic!("{system} cluster: {e}"));
    let addrs: Vec<(String, SocketAddr)> = cluster
        .nodes()
        .iter()
        .map(|n| (n.name.clone(), SocketAddr::from((n.ip, 7000))))
        .collect();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| rt.block_on(f(&addrs))));
    let _ = rt.block_on(cluster.teardown(None));
    rt.block_on(sys.cleanup(&run_id));
    common::settle(&run_id, outcome);
}

async fn decisions(addrs: &[(String, SocketAddr)], instance: u64, field: &str) -> Vec<Value> {
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let mut out = Vec::new();
    for (name, a) in addrs {
        let d = request(*a, name, json!({"type": "decision", "instance": instance})).await;
        assert_eq!(d["decided"], true, "{name}: {d}");
        out.push(d[field].clone());
    }
    out
}

async fn lie(addr: SocketAddr, node: &str, kind: &str, domain: Value) {
    let rules =
        json!([{"action": "equivocate", "types": [kind], "fields": ["value"], "domain": domain}]);
    let r = request(
        addr,
        node,
        json!({"type": "schism/byzantine", "rules": rules}),
    )
    .await;
    assert_eq!(r["type"], "schism/byzantine_ok", "{r}");
}

#[test]
fn om_lieutenants_obey_a_loyal_commander_and_agree_despite_a_lying_one() {
    with_cluster("om", 4, |addrs| {
        Box::pin(async move {
            let (n1, a1) = (&addrs[0].0, addrs[0].1);
            let ok = request(
                a1,
                n1,
                json!({"type": "order", "instance": 1, "value": "attack"}),
            )
            .await;
            assert_eq!(ok["type"], "order_ok", "{ok}");
            let d = decisions(addrs, 1, "value").await;
            assert!(d.iter().all(|v| *v == "attack"), "IC2: {d:?}");
            // The commander lies: each lieutenant hears a different order. OM(1) with four
            // nodes still makes the loyal lieutenants agree.
            lie(a1, n1, "om", json!(["attack", "retreat"])).await;
            request(
                a1,
                n1,
                json!({"type": "order", "instance": 2, "value": "attack"}),
            )
            .await;
            let d = decisions(addrs, 2, "value").await;
            assert!(d[1..].iter().all(|v| *v == d[1]), "IC1: {d:?}");
            let s = request(a1, n1, json!({"type": "schism/state"})).await;
            assert!(
                s["byzantine"]["by_action"]["equivocate"]
                    .as_u64()
                    .unwrap_or(0)
                    > 0,
                "{s}"
            );
        })
    });
}

#[test]
fn eig_nodes_decide_one_vector_despite_an_equivocating_node() {
    with_cluster("eig", 4, |addrs| {
        Box::pin(async move {
            for (i, (name, a)) in addrs.iter().enumerate() {
                let v = 10 * (i as u64 + 1);
                let r = request(
                    *a,
                    name,
                    json!({"type": "propose", "instance": 1, "value": v}),
                )
                .await;
                assert_eq!(r["type"], "propose_ok", "{r}");
            }
            let d = decisions(addrs, 1, "vector").await;
            assert!(d.iter().all(|v| *v == json!([10, 20, 30, 40])), "{d:?}");
            // n4 tells each node a different value for its component (and relays lies).
            let (n4, a4) = (&addrs[3].0, addrs[3].1);
            lie(a4, n4, "eig", json!([])).await;
            for (i, (name, a)) in addrs.iter().enumerate() {
                let v = 10 * (i as u64 + 1);
                request(
                    *a,
                    name,
                    json!({"type": "propose", "instance": 2, "value": v}),
                )
                .await;
            }
            let d = decisions(&addrs[..3], 2, "vector").await;
            assert!(d.iter().all(|v| *v == d[0]), "agreement: {d:?}");
            let first: Vec<Value> = d[0].as_array().cloned().unwrap_or_default();
            assert_eq!(first[..3], [json!(10), json!(20), json!(30)], "{d:?}");
        })
    });
}
