//! The node runtime: hosts one protocol node on a real network.
//!
//! One TCP port serves peers and clients alike: the first envelope on a connection says
//! who is talking (`n…` a peer, anyone else a client). Messages to peers go out through one
//! sender per peer that connects, reconnects, and drops what it cannot deliver (like a
//! datagram network: protocols must cope with loss). Replies to a client go back on the
//! connection it wrote from. The protocol itself runs in one task, one input at a time.
//! Control messages (`schism/state`, `schism/clock`) are answered by the runtime.

mod peers;

use crate::framing;
use crate::storage::Storage;
use crate::{Body, Ctx, Effect, Envelope, Protocol};
use history::rng::Rng;
use serde_json::json;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::BufReader;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Mutex};

/// Where everyone is.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    pub me: String,
    /// Every node (this one included) and its address.
    pub nodes: Vec<(String, SocketAddr)>,
    pub listen: SocketAddr,
    pub seed: u64,
}

/// Inputs to the protocol task, bounded so that a flood cannot exhaust memory.
const INPUT_QUEUE: usize = 65_536;

enum Input {
    Peer {
        from: String,
        body: Body,
    },
    Client {
        env: Envelope,
    },
    Control {
        env: Envelope,
        reply: mpsc::Sender<Envelope>,
    },
    Timer {
        id: u64,
        generation: u64,
    },
}

type Clients = Arc<Mutex<HashMap<String, mpsc::Sender<Envelope>>>>;

/// Run a node until the process ends (or the listener fails).
pub async fn serve(
    cfg: RuntimeConfig,
    mut proto: Box<dyn Protocol>,
    mut storage: Box<dyn Storage>,
) -> std::io::Result<()> {
    let listener = TcpListener::bind(cfg.listen).await?;
    let (tx, mut rx) = mpsc::channel::<Input>(INPUT_QUEUE);
    let clients: Clients = Arc::default();
    let names: Vec<String> = cfg.nodes.iter().map(|(n, _)| n.clone()).collect();
    let peers = peers::Peers::start(&cfg);
    {
        let (tx, clients, names) = (tx.clone(), clients.clone(), names.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                tokio::spawn(connection(
                    stream,
                    tx.clone(),
                    clients.clone(),
                    names.clone(),
                ));
            }
        });
    }
    let started = Instant::now();
    let mut clock_offset_ms: i64 = 0;
    let mut rng = Rng::new(cfg.seed);
    let mut timers: HashMap<u64, u64> = HashMap::new();
    let mut input = None;
    loop {
        let now_ms = (started.elapsed().as_millis() as i64 + clock_offset_ms).max(0) as u64;
        let mut ctx = Ctx {
            me: &cfg.me,
            nodes: &names,
            now_ms,
            rng: &mut rng,
            storage: storage.as_mut(),
            out: Vec::new(),
        };
        match input.take() {
            None => proto.on_start(&mut ctx),
            Some(Input::Peer { from, body }) => proto.on_peer(&mut ctx, &from, &body),
            Some(Input::Client { env }) => proto.on_client(&mut ctx, &env),
            Some(Input::Timer { id, generation }) => {
                if timers.get(&id) == Some(&generation) {
                    proto.on_timer(&mut ctx, id);
                }
            }
            Some(Input::Control { env, reply }) => {
                let body = match env.body.kind() {
                    "schism/state" => {
                        json!({"type": "schism/state_ok", "node": cfg.me, "state": proto.state(), "clock_offset_ms": clock_offset_ms})
                    }
                    "schism/clock" => {
                        clock_offset_ms = env.body["offset_ms"].as_i64().unwrap_or(0);
                        json!({"type": "schism/clock_ok", "offset_ms": clock_offset_ms})
                    }
                    other => crate::ErrorCode::NotSupported
                        .body(&format!("no control message {other:?}")),
                };
                let _ = reply.send(env.reply(body)).await;
            }
        }
        for effect in std::mem::take(&mut ctx.out) {
            match effect {
                Effect::Send { to, body } => peers.send(&cfg.me, &to, body),
                Effect::Reply { to, body } => {
                    let sender = clients.lock().await.get(&to.src).cloned();
                    if let Some(s) = sender {
                        let _ = s.try_send(to.reply(body));
                    }
                }
                Effect::Timer { id, after_ms } => {
                    let g = timers.entry(id).or_insert(0);
                    *g += 1;
                    let (tx, generation) = (tx.clone(), *g);
                    tokio::spawn(async move {
                        tokio::time::sleep(Duration::from_millis(after_ms)).await;
                        let _ = tx.send(Input::Timer { id, generation }).await;
                    });
                }
            }
        }
        match rx.recv().await {
            Some(i) => input = Some(i),
            None => return Ok(()),
        }
    }
}

/// One incoming connection: a peer's messages, or a client's requests and our replies.
async fn connection(
    stream: TcpStream,
    tx: mpsc::Sender<Input>,
    clients: Clients,
    names: Vec<String>,
) {
    let (r, mut w) = stream.into_split();
    let mut r = BufReader::new(r);
    let (out_tx, mut out_rx) = mpsc::channel::<Envelope>(1024);
    let writer = tokio::spawn(async move {
        while let Some(e) = out_rx.recv().await {
            if framing::write(&mut w, &e).await.is_err() {
                return;
            }
        }
    });
    let mut buf = String::new();
    let mut registered: Option<String> = None;
    while let Ok(Some(env)) = framing::read(&mut r, &mut buf).await {
        if env.body.kind().starts_with("schism/") {
            let _ = tx
                .send(Input::Control {
                    env,
                    reply: out_tx.clone(),
                })
                .await;
        } else if names.contains(&env.src) {
            // A full queue drops peer messages, as a network would.
            let _ = tx.try_send(Input::Peer {
                from: env.src,
                body: env.body,
            });
        } else {
            if registered.as_deref() != Some(env.src.as_str()) {
                clients.lock().await.insert(env.src.clone(), out_tx.clone());
                registered = Some(env.src.clone());
            }
            if tx.send(Input::Client { env }).await.is_err() {
                break;
            }
        }
    }
    if let Some(c) = registered {
        // Only if no newer connection of the same client took its place.
        let mut map = clients.lock().await;
        if map.get(&c).is_some_and(|s| s.same_channel(&out_tx)) {
            map.remove(&c);
        }
    }
    writer.abort();
}
