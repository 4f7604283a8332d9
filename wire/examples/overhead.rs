//! The node runtime's overhead against a bare TCP echo, on 127.0.0.1:
//! `cargo run --release -p wire --example overhead -- [--seconds N] [--clients C]`.
//!
//! C clients (default 4) run a closed loop: each sends one JSON-lines envelope
//! (`{"type":"echo","msg_id":k,"echo":k}`) and waits for its reply before the next. After a
//! one-second warm-up, each case is measured for N seconds (default 5):
//!
//! 1. direct TCP echo: a minimal tokio server doing the same framing and JSON work
//!    (`wire::framing`, `Envelope::reply`) without the runtime, the baseline;
//! 2. `wire::runtime::serve` hosting an echo protocol on one node, no interceptor rules;
//! 3. the same with one rule that matches another message type (each reply is checked,
//!    none is touched);
//! 4. the same with a rule that mutates every reply (`echo` + 1; the clients check it);
//! 5. two nodes: n1 forwards each request to n2 as a peer message and replies when n2
//!    answers back (the runtime's peer path twice per op), without rules and with a rule on
//!    n1 that mutates what it forwards (checked likewise).
//!
//! Printed: a Markdown table of round trips per second, mean/p50/p99 latency in µs, and
//! the overhead against the baseline: how much longer a round trip takes, from the
//! throughput (baseline msgs/s ÷ msgs/s − 1). Clients and servers share one tokio runtime
//! (one worker per core), so both compete for the same cores.
//!
//! The runtime logs every message its interceptor tampers with to stderr (cases 4 and 5
//! with a rule): that logging is part of what is measured; send stderr to a file.

use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::BufReader;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use wire::runtime::{serve, RuntimeConfig};
use wire::storage::MemStorage;
use wire::{control, framing, Body, Ctx, Envelope, Protocol};

const WARMUP: Duration = Duration::from_secs(1);
/// A request unanswered this long counts as lost (the peer path may drop while connecting).
const OP_TIMEOUT: Duration = Duration::from_secs(1);

/// Echoes client requests (`echo_ok`, same `echo`); with `forward_to`, through that peer:
/// `fwd` there, `fwd_ok` back, then the reply.
#[derive(Default)]
struct Echo {
    forward_to: Option<String>,
    pending: HashMap<u64, Envelope>,
    next: u64,
}

impl Protocol for Echo {
    fn name(&self) -> &'static str {
        "echo"
    }
    fn on_start(&mut self, _: &mut Ctx<'_>) {}
    fn on_client(&mut self, ctx: &mut Ctx<'_>, req: &Envelope) {
        let echo = &req.body["echo"];
        match &self.forward_to {
            None => ctx.reply(req, Body::new("echo_ok", json!({ "echo": echo }))),
            Some(peer) => {
                self.next += 1;
                let fwd = Body::new("fwd", json!({"fid": self.next, "echo": echo}));
                self.pending.insert(self.next, req.clone());
                ctx.send(peer, fwd);
            }
        }
    }
    fn on_peer(&mut self, ctx: &mut Ctx<'_>, from: &str, body: &Body) {
        match body.kind() {
            "fwd" => {
                let fields = json!({"fid": body["fid"], "echo": body["echo"]});
                ctx.send(from, Body::new("fwd_ok", fields));
            }
            "fwd_ok" => {
                let req = body["fid"].as_u64().and_then(|f| self.pending.remove(&f));
                if let Some(req) = req {
                    ctx.reply(&req, Body::new("echo_ok", json!({"echo": body["echo"]})));
                }
            }
            _ => {}
        }
    }
    fn on_timer(&mut self, _: &mut Ctx<'_>, _: u64) {}
    fn state(&self) -> Value {
        json!({ "pending": self.pending.len() })
    }
}

/// The baseline: read an envelope, write its reply, on every connection.
async fn start_baseline() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let _ = stream.set_nodelay(true);
                let (r, mut w) = stream.into_split();
                let (mut r, mut buf) = (BufReader::new(r), String::new());
                while let Ok(Some(env)) = framing::read(&mut r, &mut buf).await {
                    let reply = env.reply(Body::new("echo_ok", json!({"echo": env.body["echo"]})));
                    if framing::write(&mut w, &reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    addr
}

/// Runtime nodes on free ports, each hosting its protocol; their addresses once they
/// answer `schism/state`.
async fn start_nodes(protos: Vec<(&str, Echo)>) -> Vec<SocketAddr> {
    let held: Vec<_> = protos
        .iter()
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    let addrs: Vec<SocketAddr> = held.iter().map(|l| l.local_addr().unwrap()).collect();
    drop(held);
    let nodes: Vec<(String, SocketAddr)> = protos
        .iter()
        .zip(&addrs)
        .map(|((n, _), a)| (n.to_string(), *a))
        .collect();
    for ((me, proto), listen) in protos.into_iter().zip(&addrs) {
        let cfg = RuntimeConfig {
            me: me.into(),
            nodes: nodes.clone(),
            listen: *listen,
            seed: 1,
        };
        tokio::spawn(serve(cfg, Box::new(proto), Box::new(MemStorage::default())));
    }
    for (node, addr) in &nodes {
        let state = json!({"type": "schism/state"});
        while control::ask(*addr, node, state.clone(), OP_TIMEOUT)
            .await
            .is_err()
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    // Peers connect on their own: wait until a request goes all the way.
    let mut probe = Conn::open(addrs[0], "c0".into()).await;
    while probe.echo(0).await.is_none() {}
    addrs
}

/// Replace n1's interceptor rules.
async fn set_rules(addr: SocketAddr, rules: Value) {
    let body = json!({"type": "schism/byzantine", "rules": rules});
    let answer = control::ask(addr, "n1", body, OP_TIMEOUT).await.unwrap();
    assert_eq!(answer.kind(), "schism/byzantine_ok", "{answer:?}");
}

/// How many messages n1's interceptor tampered with so far.
async fn tampered(addr: SocketAddr) -> u64 {
    let state = json!({"type": "schism/state"});
    let answer = control::ask(addr, "n1", state, OP_TIMEOUT).await.unwrap();
    answer["byzantine"]["tampered"].as_u64().unwrap_or(0)
}

/// One client's connection to n1.
struct Conn {
    name: String,
    r: BufReader<OwnedReadHalf>,
    w: OwnedWriteHalf,
    buf: String,
}

impl Conn {
    async fn open(addr: SocketAddr, name: String) -> Conn {
        let s = TcpStream::connect(addr).await.unwrap();
        s.set_nodelay(true).unwrap();
        let (r, w) = s.into_split();
        let (r, buf) = (BufReader::new(r), String::new());
        Conn { name, r, w, buf }
    }

    /// Request `k`; the `echo` of its reply, or None when it did not come in time.
    async fn echo(&mut self, k: u64) -> Option<Value> {
        let req = json!({"type": "echo", "msg_id": k, "echo": k});
        framing::write(&mut self.w, &Envelope::new(&self.name, "n1", req))
            .await
            .unwrap();
        let answer = async {
            loop {
                let env = framing::read(&mut self.r, &mut self.buf).await.unwrap();
                let env = env.expect("the server closed the connection");
                if env.body.in_reply_to() == Some(k) {
                    return env.body["echo"].clone();
                }
            }
        };
        tokio::time::timeout(OP_TIMEOUT, answer).await.ok()
    }
}

/// What the clients saw in one case.
#[derive(Default)]
struct Tally {
    /// Round-trip times (ns) of the ops that started after the warm-up and ended in time.
    lat_ns: Vec<u64>,
    lost: u64,
    /// Replies whose `echo` was not the one expected.
    wrong: u64,
}

/// One client's closed loop until `until`; `delta` is what the interceptor adds to `echo`.
async fn client(
    addr: SocketAddr,
    name: String,
    delta: u64,
    from: Instant,
    until: Instant,
) -> Tally {
    let mut conn = Conn::open(addr, name).await;
    let mut t = Tally::default();
    let mut k = 0;
    while Instant::now() < until {
        k += 1;
        let t0 = Instant::now();
        let Some(echo) = conn.echo(k).await else {
            t.lost += 1;
            continue;
        };
        let t1 = Instant::now();
        t.wrong += (echo.as_u64() != Some(k + delta)) as u64;
        if t0 >= from && t1 <= until {
            t.lat_ns.push((t1 - t0).as_nanos() as u64);
        }
    }
    t
}

/// One row of the table.
struct Row {
    case: &'static str,
    rate: f64,
    mean_us: f64,
    p50_us: f64,
    p99_us: f64,
}

/// Warm up and measure one case with `clients` concurrent clients of the node at `addr`.
async fn measure(
    case: &'static str,
    addr: SocketAddr,
    delta: u64,
    secs: f64,
    clients: usize,
) -> Row {
    let (from, until) = {
        let now = Instant::now();
        (now + WARMUP, now + WARMUP + Duration::from_secs_f64(secs))
    };
    let tasks: Vec<_> = (1..=clients)
        .map(|i| tokio::spawn(client(addr, format!("c{i}"), delta, from, until)))
        .collect();
    let mut all = Tally::default();
    for task in tasks {
        let t = task.await.unwrap();
        all.lat_ns.extend(t.lat_ns);
        (all.lost, all.wrong) = (all.lost + t.lost, all.wrong + t.wrong);
    }
    assert_eq!(all.wrong, 0, "{case}: replies with an unexpected echo");
    if all.lost > 0 {
        println!(
            "{case}: {} requests unanswered within {OP_TIMEOUT:?}",
            all.lost
        );
    }
    assert!(!all.lat_ns.is_empty(), "{case}: no request answered");
    all.lat_ns.sort_unstable();
    let n = all.lat_ns.len();
    let pct = |p: f64| all.lat_ns[((p * n as f64).ceil() as usize).clamp(1, n) - 1] as f64 / 1e3;
    let row = Row {
        case,
        rate: all.lat_ns.len() as f64 / secs,
        mean_us: all.lat_ns.iter().sum::<u64>() as f64 / n as f64 / 1e3,
        p50_us: pct(0.5),
        p99_us: pct(0.99),
    };
    println!("measured: {case}: {:.0} msgs/s", row.rate);
    row
}

fn print_table(rows: &[Row]) {
    println!("\n| case | msgs/s | mean µs | p50 µs | p99 µs | overhead |");
    println!("|---|---:|---:|---:|---:|---:|");
    let base = rows[0].rate;
    for (i, r) in rows.iter().enumerate() {
        let overhead = match i {
            0 => "baseline".to_string(),
            _ => format!("{:+.0} %", (base / r.rate - 1.0) * 100.0),
        };
        println!(
            "| {} | {:.0} | {:.1} | {:.0} | {:.0} | {} |",
            r.case, r.rate, r.mean_us, r.p50_us, r.p99_us, overhead
        );
    }
}

/// `--seconds N` (default 5) and `--clients C` (default 4).
fn args() -> (f64, usize) {
    let (mut secs, mut clients) = (5.0, 4);
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let v: Option<f64> = it.next().and_then(|v| v.parse().ok()).filter(|v| *v > 0.0);
        match (flag.as_str(), v) {
            ("--seconds", Some(v)) => secs = v,
            ("--clients", Some(v)) => clients = v as usize,
            _ => {
                eprintln!("usage: overhead [--seconds N] [--clients C]");
                std::process::exit(2);
            }
        }
    }
    (secs, clients.max(1))
}

#[tokio::main]
async fn main() {
    let (secs, c) = args();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "{c} clients, closed loop, {secs} s per case after {WARMUP:?} of warm-up, {cores} cores"
    );
    let mut rows = Vec::new();

    let base = start_baseline().await;
    rows.push(measure("direct TCP echo (baseline)", base, 0, secs, c).await);

    let n1 = start_nodes(vec![("n1", Echo::default())]).await[0];
    rows.push(measure("runtime, no rules", n1, 0, secs, c).await);
    let other_type = json!([{"action": "mutate", "to": ["clients"], "types": ["read_ok"],
        "fields": ["echo"], "how": "inc"}]);
    set_rules(n1, other_type).await;
    rows.push(measure("runtime, a rule matching nothing", n1, 0, secs, c).await);
    assert_eq!(tampered(n1).await, 0, "a rule for another type acted");
    let every_reply =
        json!([{"action": "mutate", "to": ["clients"], "fields": ["echo"], "how": "inc"}]);
    set_rules(n1, every_reply).await;
    rows.push(measure("runtime, mutate every reply", n1, 1, secs, c).await);
    println!("n1's interceptor mutated {} replies", tampered(n1).await);

    let forwarder = Echo {
        forward_to: Some("n2".into()),
        ..Echo::default()
    };
    let pair = start_nodes(vec![("n1", forwarder), ("n2", Echo::default())]).await;
    rows.push(measure("peer path n1→n2→n1, no rules", pair[0], 0, secs, c).await);
    let forwards = json!([{"action": "mutate", "to": ["n2"], "fields": ["echo"], "how": "inc"}]);
    set_rules(pair[0], forwards).await;
    rows.push(measure("peer path, mutate n1→n2", pair[0], 1, secs, c).await);
    println!(
        "n1's interceptor mutated {} forwards",
        tampered(pair[0]).await
    );

    print_table(&rows);
}
