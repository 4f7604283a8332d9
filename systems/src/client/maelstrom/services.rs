//! Turning service invocations into Maelstrom requests, and the answers into completions
//! in the encoding the service checkers read (see the table in `workloads::services`).
//!
//! Each worker's client is bound to one node and sends there, except an invocation whose
//! value names a node (`{"node": "n2", ...}`: topology and final reads), which goes to that
//! node. A lost exchange follows [`MaelstromClient::lost`] (reads `fail`, others `info`
//! unless the request never left); an error reply with a definite code `fail`s, any other
//! `info`; a reply of an unexpected type is `info` (reads: `fail`, they change nothing).

use super::MaelstromClient;
use async_trait::async_trait;
use history::{Key, Value};
use serde_json::json;
use wire::{Body, ErrorCode};
use workloads::services::Kind;
use workloads::{Client, Completion, Invocation};

/// One worker's client of a service.
pub struct ServiceClient {
    kind: Kind,
    inner: MaelstromClient,
    /// The node this worker talks to, unless an invocation names another.
    node: String,
}

impl ServiceClient {
    pub fn new(kind: Kind, inner: MaelstromClient, node: usize) -> ServiceClient {
        let names = inner.node_names();
        let node = names
            .get(node)
            .or(names.first())
            .cloned()
            .unwrap_or_default();
        ServiceClient { kind, inner, node }
    }

    /// The request for an invocation, and the reply type that means it happened.
    fn request(&self, inv: &Invocation) -> Option<(Value, &'static str)> {
        let v = &inv.value;
        Some(match (self.kind, inv.f.as_str()) {
            (Kind::Echo, "echo") => (json!({"type": "echo", "echo": v}), "echo_ok"),
            (Kind::UniqueIds, "generate") => (json!({"type": "generate"}), "generate_ok"),
            (Kind::GSet, "add") => (json!({"type": "add", "element": v}), "add_ok"),
            (Kind::GCounter | Kind::PnCounter, "add") => {
                (json!({"type": "add", "delta": v}), "add_ok")
            }
            (Kind::Broadcast, "broadcast") => {
                (json!({"type": "broadcast", "message": v}), "broadcast_ok")
            }
            (Kind::Broadcast, "topology") => (
                json!({"type": "topology", "topology": v["topology"]}),
                "topology_ok",
            ),
            (k, "read") if k.has_reads() => (json!({"type": "read"}), "read_ok"),
            (Kind::Lock, f @ ("acquire" | "release")) => {
                let key = match &inv.key {
                    Some(Key::Int(i)) => json!(i),
                    Some(Key::Str(s)) => json!(s.as_str()),
                    None => Value::Null,
                };
                let ok = if f == "acquire" {
                    "acquire_ok"
                } else {
                    "release_ok"
                };
                (json!({"type": f, "key": key}), ok)
            }
            _ => return None,
        })
    }

    /// The completion value of an op that happened.
    fn result(&self, inv: &Invocation, node: &str, reply: &Body) -> Value {
        match inv.f.as_str() {
            "echo" => reply.get("echo").cloned().unwrap_or(Value::Null),
            "generate" => reply.get("id").cloned().unwrap_or(Value::Null),
            "read" => {
                let field = if self.kind == Kind::Broadcast {
                    "messages"
                } else {
                    "value"
                };
                json!({"node": node, "value": reply.get(field).cloned().unwrap_or(Value::Null)})
            }
            _ => inv.value.clone(),
        }
    }
}

/// The completion of an error reply: `fail` when it definitely did not happen (and for
/// reads, which change nothing), else `info`.
fn refused(inv: &Invocation, reply: &Body) -> Completion {
    let code = reply["code"].as_i64().unwrap_or(-1);
    let text = format!("{code}: {}", reply["text"].as_str().unwrap_or(""));
    if inv.f == "read" {
        Completion::fail(Value::Null, text)
    } else if ErrorCode::is_definite(code) {
        Completion::fail(inv.value.clone(), text)
    } else {
        Completion::info(inv.value.clone(), text)
    }
}

/// The completion of a reply of the wrong type.
fn unexpected(inv: &Invocation, reply: &Body) -> Completion {
    let text = format!("unexpected reply {:?}", reply.kind());
    if inv.f == "read" {
        Completion::fail(Value::Null, text)
    } else {
        Completion::info(inv.value.clone(), text)
    }
}

#[async_trait]
impl Client for ServiceClient {
    async fn invoke(&mut self, inv: &Invocation) -> Completion {
        let Some((body, ok)) = self.request(inv) else {
            return Completion::fail(
                inv.value.clone(),
                format!(
                    "the {} workload has no function {:?}",
                    self.kind.name(),
                    inv.f
                ),
            );
        };
        let node = inv
            .value
            .get("node")
            .and_then(Value::as_str)
            .unwrap_or(&self.node)
            .to_string();
        match self.inner.call_at(&node, Body::from(body)).await {
            Err(e) => MaelstromClient::lost(inv, e),
            Ok(reply) if reply.kind() == "error" => refused(inv, &reply),
            Ok(reply) if reply.kind() != ok => unexpected(inv, &reply),
            Ok(reply) => Completion::ok(self.result(inv, &node, &reply)),
        }
    }
}

/// The client for one worker bound to node `node` (its index in `inner`'s node list). A
/// name not in `workloads::services::NAMES` gives a client that fails every op, saying so.
pub fn client(name: &str, inner: MaelstromClient, node: usize) -> Box<dyn Client> {
    match Kind::parse(name) {
        Some(kind) => Box::new(ServiceClient::new(kind, inner, node)),
        None => Box::new(Unknown(name.to_string())),
    }
}

/// The client of a workload that is not a service.
struct Unknown(String);

#[async_trait]
impl Client for Unknown {
    async fn invoke(&mut self, inv: &Invocation) -> Completion {
        Completion::fail(
            inv.value.clone(),
            format!("{:?} is not a service workload", self.0),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use history::OpType;
    use std::net::SocketAddr;
    use std::time::Duration;
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    use tokio::net::TcpListener;

    /// A node on a local port that answers every request with `answer(body)`, and the
    /// bodies it received.
    async fn node(
        answer: fn(&Value) -> Value,
    ) -> (SocketAddr, tokio::sync::mpsc::UnboundedReceiver<Value>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok((s, _)) = listener.accept().await {
                let tx = tx.clone();
                tokio::spawn(async move {
                    let (r, mut w) = s.into_split();
                    let mut lines = BufReader::new(r).lines();
                    while let Ok(Some(line)) = lines.next_line().await {
                        let env: Value = serde_json::from_str(&line).unwrap();
                        let body = &env["body"];
                        let _ = tx.send(json!({"dest": env["dest"], "body": body}));
                        let mut reply = answer(body);
                        reply["in_reply_to"] = body["msg_id"].clone();
                        let out = json!({"src": env["dest"], "dest": env["src"], "body": reply});
                        let _ = w.write_all(format!("{out}\n").as_bytes()).await;
                    }
                });
            }
        });
        (addr, rx)
    }

    fn client(kind: Kind, addr: SocketAddr, me: usize) -> ServiceClient {
        let nodes = vec![("n1".to_string(), addr), ("n2".to_string(), addr)];
        ServiceClient::new(
            kind,
            MaelstromClient::new(nodes, 0, Duration::from_secs(5)),
            me,
        )
    }

    fn answer(body: &Value) -> Value {
        match body["type"].as_str().unwrap_or("") {
            "echo" => json!({"type": "echo_ok", "echo": body["echo"]}),
            "generate" => json!({"type": "generate_ok", "id": "x-1"}),
            "read" => json!({"type": "read_ok", "messages": [1, 2]}),
            "broadcast" => json!({"type": "broadcast_ok"}),
            "acquire" => ErrorCode::PreconditionFailed.body("held by another"),
            "release" => ErrorCode::Crash.body("crashed"),
            _ => json!({"type": "error", "code": 10, "text": "unsupported"}),
        }
    }

    #[tokio::test]
    async fn requests_go_to_the_named_node_and_answers_become_completions() {
        let (addr, mut seen) = node(answer).await;
        let mut b = client(Kind::Broadcast, addr, 1);
        let c = b
            .invoke(&Invocation::new("broadcast", None, json!(4)))
            .await;
        assert_eq!((c.kind, c.value), (OpType::Ok, json!(4)));
        let got = seen.recv().await.unwrap();
        assert_eq!(got["dest"], json!("n2"), "a worker of node 1 talks to n2");
        assert_eq!(got["body"]["message"], json!(4));
        let c = b
            .invoke(&Invocation::new("read", None, json!({"node": "n1"})))
            .await;
        assert_eq!(c.kind, OpType::Ok);
        assert_eq!(c.value, json!({"node": "n1", "value": [1, 2]}));
        assert_eq!(seen.recv().await.unwrap()["dest"], json!("n1"));

        let mut e = client(Kind::Echo, addr, 0);
        let c = e.invoke(&Invocation::new("echo", None, json!("hi"))).await;
        assert_eq!((c.kind, c.value), (OpType::Ok, json!("hi")));
        let mut u = client(Kind::UniqueIds, addr, 0);
        let c = u
            .invoke(&Invocation::new("generate", None, Value::Null))
            .await;
        assert_eq!((c.kind, c.value), (OpType::Ok, json!("x-1")));
    }

    #[tokio::test]
    async fn definite_errors_fail_and_indefinite_ones_are_info() {
        let (addr, _seen) = node(answer).await;
        let mut l = client(Kind::Lock, addr, 0);
        let acquire = Invocation::new("acquire", Some(Key::Int(2)), Value::Null);
        let c = l.invoke(&acquire).await;
        assert_eq!(c.kind, OpType::Fail);
        assert!(c.error.unwrap().starts_with("22:"));
        let release = Invocation::new("release", Some(Key::Int(2)), Value::Null);
        assert_eq!(l.invoke(&release).await.kind, OpType::Info);
        // The counter's add is answered with an error 10 (definite) by this node.
        let mut g = client(Kind::GCounter, addr, 0);
        let add = g.invoke(&Invocation::new("add", None, json!(3))).await;
        assert_eq!(add.kind, OpType::Fail);
        let no = g
            .invoke(&Invocation::new("broadcast", None, json!(3)))
            .await;
        assert_eq!(no.kind, OpType::Fail, "not a counter function");
    }

    #[tokio::test]
    async fn a_node_that_cannot_be_reached_fails_reads_and_leaves_adds_unknown_or_failed() {
        // Nothing listens on this port once the listener is dropped.
        let addr = {
            let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
            l.local_addr().unwrap()
        };
        let mut g = client(Kind::GSet, addr, 0);
        let read = g.invoke(&Invocation::new("read", None, Value::Null)).await;
        assert_eq!(read.kind, OpType::Fail);
        let add = g.invoke(&Invocation::new("add", None, json!(1))).await;
        assert_ne!(add.kind, OpType::Ok);
    }

    #[tokio::test]
    async fn a_name_that_is_not_a_service_gets_a_client_that_says_so() {
        let inner = MaelstromClient::new(Vec::new(), 0, Duration::from_secs(1));
        let mut c = super::client("register", inner, 0);
        let done = c
            .invoke(&Invocation::new("read", None, history::Value::Null))
            .await;
        assert_eq!(done.kind, OpType::Fail);
        assert!(done.error.unwrap().contains("not a service"));
    }
}
