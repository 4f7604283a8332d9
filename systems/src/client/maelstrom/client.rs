//! A register client for nodes that speak Maelstrom's lin-kv over the node runtime (TCP,
//! JSON lines): `read`, `write` and `cas` bodies, replies matched by `in_reply_to`.
//! A node that says it is not the leader and names one is asked next time instead; after
//! a timeout or a lost connection, and at the latest [`REFRESH`] after it left, the client
//! goes back to its own node (its home, as a client of Jepsen's is bound to its node),
//! which names the leader it knows. So a worker whose node is cut off with a deposed
//! leader keeps asking it, and a worker whose node follows a second leader (a
//! majorities-ring partition) moves to it, as an application beside that node would; each
//! sees what those leaders answer. A node that knows no leader makes the
//! client pause briefly and ask another, so that an election is not met by a flood of
//! refused ops.

use async_trait::async_trait;
use history::{Key, OpType, Value};
use serde_json::json;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::BufReader;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use wire::{framing, Body, Envelope};
use workloads::{Client, Completion, Invocation};

static NEXT_CLIENT: AtomicU64 = AtomicU64::new(1);

/// One process's connection to one node (which may change to the leader it names).
pub struct MaelstromClient {
    me: String,
    nodes: Vec<(String, SocketAddr)>,
    target: usize,
    /// The node it was made for, asked again after a failure.
    home: usize,
    /// When it last left home.
    left_home: tokio::time::Instant,
    timeout: Duration,
    conn: Option<(BufReader<OwnedReadHalf>, OwnedWriteHalf)>,
    next_msg: u64,
    buf: String,
    /// Set when the last answer was "no leader known": the next op waits a little
    /// rather than hammering a cluster that is electing.
    back_off: bool,
}

/// How long a client stays with a leader its home node named before asking home again.
pub const REFRESH: Duration = Duration::from_secs(1);

/// How long to wait before asking again a cluster that knows no leader.
const NO_LEADER_PAUSE: Duration = Duration::from_millis(20);

impl MaelstromClient {
    /// A client of `nodes[target]` that knows every node's address.
    pub fn new(
        nodes: Vec<(String, SocketAddr)>,
        target: usize,
        timeout: Duration,
    ) -> MaelstromClient {
        MaelstromClient {
            me: format!("c{}", NEXT_CLIENT.fetch_add(1, Ordering::Relaxed)),
            nodes,
            target,
            home: target,
            left_home: tokio::time::Instant::now(),
            timeout,
            conn: None,
            next_msg: 1,
            buf: String::new(),
            back_off: false,
        }
    }

    fn body(inv: &Invocation) -> Option<Body> {
        let key = match &inv.key {
            Some(Key::Int(k)) => json!(k),
            Some(Key::Str(s)) => json!(s.as_str()),
            None => json!(0),
        };
        Some(Body::from(match inv.f.as_str() {
            "read" => json!({"type": "read", "key": key}),
            "write" => json!({"type": "write", "key": key, "value": inv.value}),
            "cas" => {
                json!({"type": "cas", "key": key, "from": inv.value.get(0)?, "to": inv.value.get(1)?})
            }
            _ => return None,
        }))
    }

    /// Send and wait for the reply; Err(definite) when it never left, Err(unknown) after.
    async fn exchange(&mut self, mut body: Body) -> Result<Body, (bool, String)> {
        if self.conn.is_none() {
            let addr = self.nodes[self.target].1;
            let s = tokio::time::timeout(self.timeout, TcpStream::connect(addr))
                .await
                .map_err(|_| (false, format!("connecting to {addr} timed out")))?
                .map_err(|e| (true, format!("connecting to {addr}: {e}")))?;
            let _ = s.set_nodelay(true);
            let (r, w) = s.into_split();
            self.conn = Some((BufReader::new(r), w));
        }
        let id = self.next_msg;
        self.next_msg += 1;
        body.set("msg_id", json!(id));
        let dest = self.nodes[self.target].0.clone();
        let env = Envelope::new(&self.me, &dest, body);
        let Some((r, w)) = self.conn.as_mut() else {
            return Err((true, "no connection".into()));
        };
        let buf = &mut self.buf;
        let wait = async {
            framing::write(w, &env)
                .await
                .map_err(|e| (false, e.to_string()))?;
            loop {
                match framing::read(r, buf).await {
                    Ok(Some(e)) if e.body.in_reply_to() == Some(id) => return Ok(e.body),
                    Ok(Some(_)) => continue,
                    Ok(None) => return Err((false, "the node closed the connection".to_string())),
                    Err(e) => return Err((false, e.to_string())),
                }
            }
        };
        let result = match tokio::time::timeout(self.timeout, wait).await {
            Ok(r) => r,
            Err(_) => Err((false, "timeout".to_string())),
        };
        if result.is_err() {
            // A late reply must not be taken for the next op's; and a node that does not
            // answer may be deposed or cut off: ask the home node again, which names the
            // leader it knows.
            self.conn = None;
            self.target = self.home;
        }
        result
    }
}

#[async_trait]
impl Client for MaelstromClient {
    async fn invoke(&mut self, inv: &Invocation) -> Completion {
        let Some(body) = Self::body(inv) else {
            return Completion::fail(inv.value.clone(), format!("no function {:?}", inv.f));
        };
        match self.call(body).await {
            Ok((_, reply)) => {
                let (kind, result, error) = wire::kv_client::outcome(&inv.f, &reply);
                let value = if inv.f == "read" && kind == OpType::Ok {
                    result
                } else {
                    inv.value.clone()
                };
                Completion { kind, value, error }
            }
            Err(e) => Self::lost(inv, e),
        }
    }
}

impl MaelstromClient {
    /// Send a request to the node this client is with (the leader, once one is named) and
    /// wait for the answer: the node that answered and its body. A node that names
    /// another leader is left for it next time; one that knows none, or cannot be reached,
    /// makes the next call pause briefly and go to another node. Err(definite) when the
    /// request never left, Err(indefinite) after.
    pub async fn call(&mut self, body: Body) -> Result<(String, Body), (bool, String)> {
        if std::mem::take(&mut self.back_off) {
            tokio::time::sleep(NO_LEADER_PAUSE).await;
        }
        if self.target != self.home && self.left_home.elapsed() >= REFRESH {
            self.target = self.home;
            self.conn = None;
        }
        let node = self.nodes[self.target].0.clone();
        let reply = match self.exchange(body).await {
            Ok(r) => r,
            Err(e) => {
                // A node that is down or cut off: pause before asking again.
                self.back_off = true;
                return Err(e);
            }
        };
        if let Some(leader) = reply["text"]
            .as_str()
            .and_then(|t| t.split("the leader is ").nth(1))
        {
            let named = self.nodes.iter().position(|(n, _)| n == leader);
            if let Some(i) = named.filter(|i| *i != self.target) {
                if self.target == self.home {
                    self.left_home = tokio::time::Instant::now();
                }
                self.target = i;
                self.conn = None;
            } else {
                // No leader known there (or a node that names itself but does not lead):
                // wait a little, then ask another node.
                self.back_off = true;
                if self.target == self.home {
                    self.left_home = tokio::time::Instant::now();
                }
                self.target = (self.target + 1) % self.nodes.len();
                self.conn = None;
            }
        }
        Ok((node, reply))
    }

    /// Send a request to this node, whoever leads, and wait for its answer.
    pub async fn call_at(&mut self, node: &str, body: Body) -> Result<Body, (bool, String)> {
        let Some(i) = self.nodes.iter().position(|(n, _)| n == node) else {
            return Err((true, format!("no node {node}")));
        };
        if i != self.target {
            self.target = i;
            self.conn = None;
        }
        self.exchange(body).await
    }

    /// The names of the nodes, in order.
    pub fn node_names(&self) -> Vec<String> {
        self.nodes.iter().map(|(n, _)| n.clone()).collect()
    }

    /// The completion of an op whose exchange failed.
    pub fn lost(inv: &Invocation, e: (bool, String)) -> Completion {
        match e {
            // Reads change nothing: whatever went wrong, they had no effect.
            (_, e) if inv.f == "read" => Completion::fail(Value::Null, e),
            (true, e) => Completion::fail(inv.value.clone(), e),
            (false, e) => Completion::info(inv.value.clone(), e),
        }
    }
}
