//! Outgoing messages to peers: one task per peer that connects, reconnects after a pause,
//! and drops messages it cannot send (a bounded queue; a lost connection loses what was on
//! it).

use crate::{framing, Envelope};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::mpsc;

const PEER_QUEUE: usize = 4096;
const RECONNECT_PAUSE: Duration = Duration::from_millis(100);
const CONNECT_TIMEOUT: Duration = Duration::from_millis(500);

pub struct Peers {
    queues: HashMap<String, mpsc::Sender<Envelope>>,
}

impl Peers {
    pub fn start(cfg: &super::RuntimeConfig) -> Peers {
        let mut queues = HashMap::new();
        for (name, addr) in cfg.nodes.iter().filter(|(n, _)| *n != cfg.me) {
            let (tx, rx) = mpsc::channel(PEER_QUEUE);
            tokio::spawn(sender(*addr, rx));
            queues.insert(name.clone(), tx);
        }
        Peers { queues }
    }

    /// Queue a message for the peer it is addressed to; dropped when that peer is unknown
    /// (this node included) or its queue is full.
    pub fn send(&self, env: Envelope) {
        if let Some(q) = self.queues.get(&env.dest) {
            let _ = q.try_send(env);
        }
    }
}

async fn sender(addr: SocketAddr, mut rx: mpsc::Receiver<Envelope>) {
    loop {
        let conn = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(addr)).await;
        let mut stream = match conn {
            Ok(Ok(s)) => s,
            _ => {
                // Unreachable: what waits is dropped, as a network would.
                tokio::time::sleep(RECONNECT_PAUSE).await;
                while rx.try_recv().is_ok() {}
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        while let Some(e) = rx.recv().await {
            if framing::write(&mut stream, &e).await.is_err() {
                break;
            }
        }
        if rx.is_closed() {
            return;
        }
    }
}
