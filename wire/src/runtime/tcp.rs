//! The TCP side of the runtime: one port serves peers and clients alike. Each envelope says
//! who is talking (`src` one of the nodes: a peer; anyone else: a client); `schism/*`
//! messages are control messages. What the host sends is routed by destination: to a
//! node through its peer sender (lossy), to a client on the connection it last wrote from.

use super::host::{self, Host, Input, INPUT_QUEUE};
use super::outbox::{Deliver, Outbox};
use super::peers::Peers;
use super::RuntimeConfig;
use crate::{framing, Envelope};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::io::BufReader;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// Each client's connection (its latest), by name.
type Clients = Arc<Mutex<HashMap<String, mpsc::Sender<Envelope>>>>;

/// Envelopes queued for one connection.
const CONNECTION_QUEUE: usize = 1024;

/// Serve the host built by `host` (given the input queue, for its timers and output) until
/// the process ends, or fail when the port cannot be bound.
pub(crate) async fn serve<H: Host>(
    cfg: &RuntimeConfig,
    host: impl FnOnce(mpsc::Sender<Input>) -> H,
) -> std::io::Result<()> {
    let listener = TcpListener::bind(cfg.listen).await?;
    let (tx, rx) = mpsc::channel::<Input>(INPUT_QUEUE);
    let clients: Clients = Arc::default();
    let names: Vec<String> = cfg.nodes.iter().map(|(n, _)| n.clone()).collect();
    let out = Outbox::new(&cfg.me, &names, cfg.seed, route(cfg, &names, &clients));
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
    host::run(host(tx), out, rx).await;
    Ok(())
}

/// Delivery by destination: a node through its peer sender, else the client's connection.
fn route(cfg: &RuntimeConfig, names: &[String], clients: &Clients) -> Deliver {
    let peers = Peers::start(cfg);
    let (names, clients) = (names.to_vec(), clients.clone());
    Arc::new(move |env: Envelope| {
        if names.contains(&env.dest) {
            peers.send(env);
        } else {
            let sender = clients.lock().ok().and_then(|m| m.get(&env.dest).cloned());
            if let Some(s) = sender {
                let _ = s.try_send(env);
            }
        }
    })
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
    let (out_tx, mut out_rx) = mpsc::channel::<Envelope>(CONNECTION_QUEUE);
    let writer = tokio::spawn(async move {
        while let Some(e) = out_rx.recv().await {
            if framing::write(&mut w, &e).await.is_err() {
                return;
            }
        }
    });
    let reply: Deliver = {
        let out_tx = out_tx.clone();
        Arc::new(move |e| {
            let _ = out_tx.try_send(e);
        })
    };
    let mut buf = String::new();
    let mut registered: Option<String> = None;
    while let Ok(Some(env)) = framing::read(&mut r, &mut buf).await {
        if env.body.kind().starts_with("schism/") {
            let reply = reply.clone();
            let _ = tx.send(Input::Control { env, reply }).await;
        } else if names.contains(&env.src) {
            // A full queue drops peer messages, as a network would.
            let _ = tx.try_send(Input::Peer(env));
        } else {
            if registered.as_deref() != Some(env.src.as_str()) {
                if let Ok(mut m) = clients.lock() {
                    m.insert(env.src.clone(), out_tx.clone());
                }
                registered = Some(env.src.clone());
            }
            if tx.send(Input::Client(env)).await.is_err() {
                break;
            }
        }
    }
    if let Some(c) = registered {
        // Only if no newer connection of the same client took its place.
        if let Ok(mut m) = clients.lock() {
            if m.get(&c).is_some_and(|s| s.same_channel(&out_tx)) {
                m.remove(&c);
            }
        }
    }
    writer.abort();
}
