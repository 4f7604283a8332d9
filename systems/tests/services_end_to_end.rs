//! Each service workload end to end, without containers: its generator drives the real
//! clients against an in-process node (one TCP listener that plays every node, correct or
//! buggy), the ops go into a history, and the workload's own checker judges it. This ties
//! the encoding the clients write to the one the checkers read.

use history::rng::Rng;
use history::{Dialect, History, Op, OpType, Validity, Verdict};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use systems::client::maelstrom::services::client;
use systems::client::maelstrom::MaelstromClient;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use workloads::generator::{Ctx, Generator, Next};
use workloads::services::{workload, ServiceOptions};
use workloads::Client;

/// What the in-process nodes hold.
#[derive(Default)]
struct State {
    /// Whether reads return a set (g-set, broadcast) rather than a counter.
    set_service: bool,
    /// Per node (one shared entry "all" when correct).
    sets: BTreeMap<String, BTreeSet<i64>>,
    counters: BTreeMap<String, i64>,
    locks: BTreeMap<String, BTreeMap<String, String>>,
    requests: u64,
    ids: u64,
    topology_told: BTreeSet<String>,
    broadcast_before_topology: bool,
}

/// The answer of node `dest` to a request from `src`.
fn serve(s: &mut State, buggy: bool, dest: &str, src: &str, body: &Value) -> Value {
    s.requests += 1;
    let nth = s.requests;
    // A correct node shares one state with every other (instant replication).
    let at = if buggy {
        dest.to_string()
    } else {
        "all".into()
    };
    match body["type"].as_str().unwrap_or("") {
        "echo" if buggy && nth.is_multiple_of(5) => json!({"type": "echo_ok", "echo": "changed"}),
        "echo" => json!({"type": "echo_ok", "echo": body["echo"]}),
        "generate" => {
            s.ids += 1;
            let id = if buggy { s.ids % 4 } else { s.ids };
            json!({"type": "generate_ok", "id": id})
        }
        "topology" => {
            s.topology_told.insert(dest.to_string());
            json!({"type": "topology_ok"})
        }
        "add" | "broadcast" => {
            if body["type"] == "broadcast" && s.topology_told.len() < 3 {
                s.broadcast_before_topology = true;
            }
            let item = body.get("element").or(body.get("message"));
            if let Some(e) = item.and_then(Value::as_i64) {
                s.sets.entry(at).or_default().insert(e);
                return json!({"type": format!("{}_ok", body["type"].as_str().unwrap_or(""))});
            }
            let d = body["delta"].as_i64().unwrap_or(0);
            *s.counters.entry(at).or_default() += if buggy { 2 * d.abs() } else { d };
            json!({"type": "add_ok"})
        }
        "read" => {
            let set: Vec<i64> = s.sets.get(&at).into_iter().flatten().copied().collect();
            let n = s.counters.get(&at).copied().unwrap_or(0);
            let value = if s.set_service { json!(set) } else { json!(n) };
            json!({"type": "read_ok", "value": value, "messages": set})
        }
        f @ ("acquire" | "release") => {
            let table = s.locks.entry(at).or_default();
            let key = body["key"].to_string();
            let holder = table.get(&key).cloned();
            match (f, holder) {
                ("acquire", Some(h)) if h != src => {
                    json!({"type": "error", "code": 22, "text": "held"})
                }
                ("acquire", _) => {
                    table.insert(key, src.to_string());
                    json!({"type": "acquire_ok"})
                }
                (_, Some(h)) if h == src => {
                    table.remove(&key);
                    json!({"type": "release_ok"})
                }
                _ => json!({"type": "error", "code": 22, "text": "not held"}),
            }
        }
        _ => json!({"type": "error", "code": 10, "text": "unsupported"}),
    }
}

/// One listener playing every node.
async fn nodes(buggy: bool, set_service: bool) -> (SocketAddr, Arc<Mutex<State>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = Arc::new(Mutex::new(State {
        set_service,
        ..State::default()
    }));
    let shared = state.clone();
    tokio::spawn(async move {
        while let Ok((s, _)) = listener.accept().await {
            let state = shared.clone();
            tokio::spawn(async move {
                let (r, mut w) = s.into_split();
                let mut lines = BufReader::new(r).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    let env: Value = serde_json::from_str(&line).unwrap();
                    let (src, dest) = (env["src"].as_str().unwrap(), env["dest"].as_str().unwrap());
                    let mut reply =
                        serve(&mut state.lock().unwrap(), buggy, dest, src, &env["body"]);
                    reply["in_reply_to"] = env["body"]["msg_id"].clone();
                    let out = json!({"src": dest, "dest": src, "body": reply});
                    w.write_all(format!("{out}\n").as_bytes()).await.unwrap();
                }
            });
        }
    });
    (addr, state)
}

/// Run a generator to its end (or `max_steps` asks), one worker after another, each op
/// recorded as it completes; a millisecond passes per ask.
async fn drive(
    g: &mut dyn Generator,
    clients: &mut [Box<dyn Client>],
    processes: &mut [u64],
    ops: &mut Vec<Op>,
    t: &mut u64,
    max_steps: usize,
) {
    let mut rng = Rng::new(11);
    let mut done = vec![false; clients.len()];
    for step in 0..max_steps {
        let w = step % clients.len();
        if done.iter().all(|d| *d) {
            return;
        }
        *t += 1_000_000;
        let next = g.next(&mut Ctx {
            time_ns: *t,
            process: processes[w],
            rng: &mut rng,
        });
        let inv = match next {
            Next::Op(inv) => inv,
            Next::Wait(_) => continue,
            Next::Done => {
                done[w] = true;
                continue;
            }
        };
        let mut op =
            Op::client(processes[w], OpType::Invoke, &inv.f, inv.value.clone()).with_time_ns(*t);
        op.key = inv.key.clone();
        ops.push(op.clone());
        let c = clients[w].invoke(&inv).await;
        *t += 1;
        op.kind = c.kind;
        op.value = c.value;
        op.error = c.error.map(Value::String);
        op.time_ns = *t;
        g.update(&op);
        ops.push(op);
        if c.kind == OpType::Info {
            processes[w] += clients.len() as u64;
        }
    }
}

/// The verdict of a run of `name` against correct or buggy nodes, and the nodes' state.
async fn run(name: &str, buggy: bool) -> (Verdict, Arc<Mutex<State>>) {
    let (addr, state) = nodes(buggy, ["g-set", "broadcast"].contains(&name)).await;
    let names: Vec<String> = (1..=3).map(|i| format!("n{i}")).collect();
    let workers = 4;
    let mut w = workload(name, ServiceOptions::default(), names.clone(), workers).unwrap();
    let mut clients: Vec<Box<dyn Client>> = (0..workers)
        .map(|i| {
            let addrs = names.iter().map(|n| (n.clone(), addr)).collect();
            let inner = MaelstromClient::new(addrs, i % 3, Duration::from_secs(5));
            client(name, inner, i % 3)
        })
        .collect();
    let mut processes: Vec<u64> = (0..workers as u64).collect();
    let (mut ops, mut t) = (Vec::new(), 0);
    drive(
        &mut w.generator,
        &mut clients,
        &mut processes,
        &mut ops,
        &mut t,
        400,
    )
    .await;
    let mut fin = (w.final_generator)();
    drive(
        &mut fin,
        &mut clients,
        &mut processes,
        &mut ops,
        &mut t,
        400,
    )
    .await;
    let h = History::from_ops(ops, Dialect::Schism).unwrap();
    assert_eq!(w.checkers.len(), 1);
    (w.checkers[0].check(&h), state)
}

fn kinds(v: &Verdict) -> BTreeSet<String> {
    v.anomalies.iter().map(|a| a.kind.to_string()).collect()
}

#[tokio::test]
async fn correct_services_are_valid_and_buggy_ones_show_their_anomaly() {
    let table = [
        ("echo", "wrong-echo"),
        ("unique-ids", "duplicate-id"),
        ("g-set", "lost"),
        ("broadcast", "lost"),
        ("g-counter", "out-of-bounds"),
        ("pn-counter", "out-of-bounds"),
        ("lock", "two-holders"),
    ];
    for (name, anomaly) in table {
        let (good, _) = run(name, false).await;
        assert_eq!(good.validity, Validity::Valid, "{name}: {good:#?}");
        let (bad, _) = run(name, true).await;
        assert_eq!(bad.validity, Validity::Invalid, "{name}: {bad:#?}");
        assert!(kinds(&bad).contains(anomaly), "{name}: {:?}", kinds(&bad));
    }
}

#[tokio::test]
async fn broadcast_tells_all_three_nodes_before_the_first_message() {
    let (_, state) = run("broadcast", false).await;
    let s = state.lock().unwrap();
    assert_eq!(s.topology_told.len(), 3);
    assert!(!s.broadcast_before_topology);
}
