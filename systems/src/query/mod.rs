//! A question asked of one node, whose answer is text: an HTTP GET (its body, or the value
//! at a JSON pointer in it), a line sent over TCP (what comes back before the node closes
//! the connection or stops talking), or a command run in the node's container (its
//! standard output). Leader probes and cluster readiness in a system spec are built on
//! it, so any spec can say who leads and when the whole cluster is ready.

pub mod leader;
pub mod ready;

use cluster::Cluster;
use serde::{Deserialize, Serialize};
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long one question may take.
pub const QUERY_TIMEOUT_MS: u64 = 1_000;
/// How much of an answer is kept.
const ANSWER_MAX_BYTES: usize = 64 * 1024;
/// A TCP answer is complete when nothing more comes for this long.
const TCP_QUIET_MS: u64 = 150;

/// Exactly one of `http`, `tcp` and `command`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Query {
    #[serde(default)]
    pub http: Option<HttpQuery>,
    #[serde(default)]
    pub tcp: Option<TcpQuery>,
    /// Run in the node's container; the answer is its standard output.
    #[serde(default)]
    pub command: Option<Vec<String>>,
    /// Text the answer must hold (a leader probe: the node whose answer holds it leads;
    /// cluster readiness: every node's answer must hold it).
    #[serde(default)]
    pub matches: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpQuery {
    pub port: u16,
    pub path: String,
    /// A JSON pointer into the answer (`/meta_cluster/leader`): the answer is the value
    /// there (a string as it is, anything else as JSON).
    #[serde(default)]
    pub pointer: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TcpQuery {
    pub port: u16,
    /// Sent as it is once connected (`"INFO replication\r\n"`, `"srvr"`).
    #[serde(default)]
    pub send: String,
}

impl Query {
    /// Why it is not a question: none or several of its kinds given, an empty command.
    pub fn problem(&self) -> Option<String> {
        let given = [
            self.http.is_some(),
            self.tcp.is_some(),
            self.command.is_some(),
        ];
        if given.iter().filter(|g| **g).count() != 1 {
            return Some(
                "expected exactly one of `http: {port, path, pointer}`, `tcp: {port, send}`, \
                 `command: [..]`"
                    .into(),
            );
        }
        if self.command.as_ref().is_some_and(|c| c.is_empty()) {
            return Some("expected a command (a list of words)".into());
        }
        if [
            self.http.as_ref().map(|h| h.port),
            self.tcp.as_ref().map(|t| t.port),
        ]
        .contains(&Some(0))
        {
            return Some("port 0 is not a port: expected 1 to 65535".into());
        }
        None
    }

    /// Asks node `node` (at `ip`) of `cluster`.
    pub async fn ask(
        &self,
        cluster: &dyn Cluster,
        node: &str,
        ip: Ipv4Addr,
    ) -> Result<String, String> {
        let timeout = Duration::from_millis(QUERY_TIMEOUT_MS);
        let answer = async {
            if let Some(h) = &self.http {
                http(SocketAddr::from((ip, h.port)), h, timeout).await
            } else if let Some(t) = &self.tcp {
                tcp(SocketAddr::from((ip, t.port)), &t.send).await
            } else if let Some(argv) = &self.command {
                let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
                let out = cluster
                    .exec(node, &argv, timeout)
                    .await
                    .map_err(|e| e.to_string())?;
                if out.exit_code != 0 {
                    return Err(format!(
                        "`{}` exited {}: {}",
                        argv.join(" "),
                        out.exit_code,
                        out.stderr.trim()
                    ));
                }
                Ok(out.stdout)
            } else {
                Err("an empty query".into())
            }
        };
        tokio::time::timeout(timeout, answer)
            .await
            .unwrap_or_else(|_| Err(format!("no answer within {QUERY_TIMEOUT_MS} ms")))
    }
}

async fn http(addr: SocketAddr, q: &HttpQuery, timeout: Duration) -> Result<String, String> {
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .map_err(|e| e.to_string())?;
    let url = format!("http://{addr}{}", q.path);
    let resp = client.get(&url).send().await.map_err(|e| e.to_string())?;
    let status = resp.status();
    let body = resp.text().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("{url} answered {status}"));
    }
    let Some(pointer) = &q.pointer else {
        return Ok(body);
    };
    let v: serde_json::Value =
        serde_json::from_str(&body).map_err(|e| format!("{url}: not JSON ({e})"))?;
    match v.pointer(pointer) {
        None => Err(format!("{url}: nothing at {pointer}")),
        Some(serde_json::Value::String(s)) => Ok(s.clone()),
        Some(other) => Ok(other.to_string()),
    }
}

async fn tcp(addr: SocketAddr, send: &str) -> Result<String, String> {
    let mut stream = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    stream
        .write_all(send.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while answer.len() < ANSWER_MAX_BYTES {
        let quiet = Duration::from_millis(TCP_QUIET_MS);
        match tokio::time::timeout(quiet, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => answer.extend_from_slice(&buf[..n]),
            Err(_) if !answer.is_empty() => break,
            Err(_) => continue,
        }
    }
    Ok(String::from_utf8_lossy(&answer).into_owned())
}

/// The node an answer names: the first word of it (words split at anything but letters,
/// digits, `.`, `-` and `_`) that is a node's name or address.
pub fn named_node<'a>(answer: &str, nodes: &'a [(String, Ipv4Addr)]) -> Option<&'a str> {
    answer
        .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
        .filter(|w| !w.is_empty())
        .find_map(|w| {
            nodes
                .iter()
                .find(|(n, ip)| n == w || ip.to_string() == w)
                .map(|(n, _)| n.as_str())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nodes() -> Vec<(String, Ipv4Addr)> {
        (1..=3u8)
            .map(|i| (format!("n{i}"), Ipv4Addr::new(10, 0, 0, i + 1)))
            .collect()
    }

    #[test]
    fn an_answer_names_a_node_by_a_whole_word() {
        let n = nodes();
        // Redis Sentinel's get-master-addr-by-name, in RESP.
        let resp = "*2\r\n$8\r\n10.0.0.3\r\n$4\r\n6379\r\n";
        assert_eq!(named_node(resp, &n), Some("n2"));
        assert_eq!(named_node("leader: n3", &n), Some("n3"));
        // 10.0.0.23 is nobody, though it starts like 10.0.0.2.
        assert_eq!(named_node("10.0.0.23:4222", &n), None);
        assert_eq!(named_node("n10", &n), None);
    }

    #[test]
    fn a_query_is_one_kind_of_question() {
        let none = Query::default();
        assert!(none.problem().is_some());
        let both = Query {
            tcp: Some(TcpQuery {
                port: 1,
                send: String::new(),
            }),
            command: Some(vec!["x".into()]),
            ..Query::default()
        };
        assert!(both.problem().is_some());
        let zero = Query {
            tcp: Some(TcpQuery {
                port: 0,
                send: String::new(),
            }),
            ..Query::default()
        };
        assert!(zero.problem().unwrap().contains("port 0"));
        let ok = Query {
            command: Some(vec!["true".into()]),
            ..Query::default()
        };
        assert_eq!(ok.problem(), None);
    }

    #[tokio::test]
    async fn a_tcp_question_gets_what_the_node_says() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 16];
            let n = s.read(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], b"srvr");
            s.write_all(b"Zookeeper version: 3.8\nMode: leader\n")
                .await
                .unwrap();
        });
        let q = Query {
            tcp: Some(TcpQuery {
                port,
                send: "srvr".into(),
            }),
            ..Query::default()
        };
        let fake = cluster::fake::FakeCluster::new(1);
        let answer = q.ask(&fake, "n1", Ipv4Addr::LOCALHOST).await.unwrap();
        assert!(answer.contains("Mode: leader"), "{answer}");
    }
}
