//! A register client for any system with a REST API, described by an [`HttpKvMapping`]:
//! which request each of `read`, `write` and `cas` sends, where a read finds the value in
//! the answer, and which statuses mean "no such key" or "the cas did not match". An op
//! without a key works on the key `register`.
//!
//! Outcomes, in the order they are decided:
//! - a refused connection: the request never left, `fail`;
//! - a timeout, a reset or broken connection: `info` (a read: `fail`, it changes nothing);
//! - 2xx: `ok`; a read's value is the JSON the mapping's pointer selects in the body, and
//!   a body that is not JSON, or lacks that pointer, makes the read `info` with an error
//!   quoting what the server answered (truncated);
//! - a `not_found` status: a read is `ok` nil, a cas `fail` compare-failed (it observed
//!   nil), a write falls through to the rules below;
//! - a `cas_failed` status on a cas: `fail` compare-failed;
//! - any other 4xx: `fail` (the server refused it); 5xx and the rest: `info` (a read:
//!   `fail`).

mod mapping;
mod template;

pub use mapping::{HttpKvMapping, HttpKvRequest};
pub use template::DEFAULT_KEY;

use super::ProtocolDef;
use async_trait::async_trait;
use history::Value;
use mapping::Compiled;
use std::net::SocketAddr;
use std::time::Duration;
use template::{Context, Vars};
use workloads::{Client, Completion, Invocation};

/// Any REST key-value API, by a mapping of read, write and cas to requests.
pub static PROTOCOL: ProtocolDef = ProtocolDef {
    name: "http-kv",
    workloads: || vec!["register"],
    check: |c| {
        super::no_options(c)?;
        match &c.http {
            None => Err((
                "client.http".into(),
                "the http-kv protocol needs its REST mapping (read, write, cas)".into(),
            )),
            Some(m) => m.validate().map_err(|e| ("client.http".into(), e)),
        }
    },
    client: |c| {
        let ip = c.cluster.nodes()[c.node].ip;
        let mapping = c.spec.client.http.clone().unwrap_or_default();
        let client = HttpKvClient::new(
            SocketAddr::from((ip, c.port)),
            mapping,
            c.setup.client_timeout,
        );
        Ok(Box::new(client.map_err(crate::Error::Host)?))
    },
    leader: None,
    cluster_ready: None,
};

/// How long a client waits after a refused connection before it answers `fail`, so that
/// a worker does not spin on a node that is down.
const REFUSED_PAUSE: Duration = Duration::from_millis(20);

/// How much of an answer an error quotes.
const QUOTE_CHARS: usize = 200;

/// One process's connection to one node's REST API.
pub struct HttpKvClient {
    base: String,
    http: reqwest::Client,
    mapping: HttpKvMapping,
    read: Compiled,
    write: Compiled,
    cas: Compiled,
}

/// What came of sending one request.
enum Sent {
    Answer(reqwest::StatusCode, Vec<u8>),
    /// It never reached the server.
    Refused(String),
    /// It may have.
    Lost(String),
}

impl HttpKvClient {
    /// A client of the server at `http://<base>`, giving up on a request after `timeout`.
    /// Fails when the mapping does not validate.
    pub fn new(
        base: SocketAddr,
        mapping: HttpKvMapping,
        timeout: Duration,
    ) -> Result<HttpKvClient, String> {
        let [read, write, cas] = mapping.compile()?;
        let mut headers = reqwest::header::HeaderMap::new();
        for (k, v) in &mapping.headers {
            // Both were checked by compile().
            let name = reqwest::header::HeaderName::from_bytes(k.as_bytes())
                .map_err(|e| format!("headers: {e}"))?;
            let value = reqwest::header::HeaderValue::from_str(v)
                .map_err(|e| format!("headers.{k}: {e}"))?;
            headers.insert(name, value);
        }
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .pool_max_idle_per_host(1)
            .default_headers(headers)
            .build()
            .map_err(|e| format!("cannot make an HTTP client: {e}"))?;
        Ok(HttpKvClient {
            base: format!("http://{base}"),
            http,
            mapping,
            read,
            write,
            cas,
        })
    }

    async fn send(&self, req: &Compiled, vars: &Vars<'_>) -> Sent {
        let url = format!("{}{}", self.base, req.path.render(vars, Context::Path));
        let mut builder = self.http.request(req.method.clone(), url);
        if let Some(body) = &req.body {
            builder = builder.body(body.render(vars, Context::Body));
        }
        let resp = match builder.send().await {
            Ok(r) => r,
            Err(e) if e.is_connect() && !e.is_timeout() => {
                tokio::time::sleep(REFUSED_PAUSE).await;
                return Sent::Refused(error_chain(&e));
            }
            Err(e) => return Sent::Lost(error_chain(&e)),
        };
        let status = resp.status();
        match resp.bytes().await {
            Ok(body) => Sent::Answer(status, body.to_vec()),
            Err(e) => Sent::Lost(format!(
                "{status} but its body was lost: {}",
                error_chain(&e)
            )),
        }
    }

    async fn read(&self, inv: &Invocation) -> Completion {
        let vars = Vars {
            key: inv.key.as_ref(),
            ..Vars::default()
        };
        let (status, body) = match self.send(&self.read, &vars).await {
            Sent::Answer(s, b) => (s, b),
            // A read changes nothing: whatever went wrong, it had no effect.
            Sent::Refused(e) | Sent::Lost(e) => return Completion::fail(Value::Null, e),
        };
        if status.is_success() {
            return match extract(&body, self.read.value.as_deref()) {
                Ok(v) => Completion::ok(v),
                Err(e) => Completion::info(Value::Null, format!("{status}: {e}")),
            };
        }
        if self.mapping.not_found.contains(&status.as_u16()) {
            return Completion::ok(Value::Null);
        }
        Completion::fail(Value::Null, answered(status, &body))
    }

    async fn write(&self, inv: &Invocation) -> Completion {
        let vars = Vars {
            key: inv.key.as_ref(),
            value: Some(&inv.value),
            ..Vars::default()
        };
        let sent = self.send(&self.write, &vars).await;
        self.judge(inv, sent, false)
    }

    async fn cas(&self, inv: &Invocation) -> Completion {
        let (Some(from), Some(to)) = (inv.value.get(0), inv.value.get(1)) else {
            return Completion::fail(inv.value.clone(), "a cas value must be [from, to]");
        };
        let vars = Vars {
            key: inv.key.as_ref(),
            from: Some(from),
            to: Some(to),
            ..Vars::default()
        };
        let sent = self.send(&self.cas, &vars).await;
        self.judge(inv, sent, true)
    }

    /// The completion of a write or a cas.
    fn judge(&self, inv: &Invocation, sent: Sent, is_cas: bool) -> Completion {
        let v = inv.value.clone();
        let (status, body) = match sent {
            Sent::Answer(s, b) => (s, b),
            Sent::Refused(e) => return Completion::fail(v, e),
            Sent::Lost(e) => return Completion::info(v, e),
        };
        let code = status.as_u16();
        if status.is_success() {
            Completion::ok(v)
        } else if is_cas
            && (self.mapping.cas_failed.contains(&code) || self.mapping.not_found.contains(&code))
        {
            Completion::fail(v, history::COMPARE_FAILED)
        } else if status.is_client_error() {
            Completion::fail(v, answered(status, &body))
        } else {
            Completion::info(v, answered(status, &body))
        }
    }
}

/// The value a pointer selects in a JSON body, or why there is none.
fn extract(body: &[u8], pointer: Option<&str>) -> Result<Value, String> {
    let json: Value = serde_json::from_slice(body)
        .map_err(|e| format!("the answer is not JSON ({e}): {}", quote(body)))?;
    match pointer {
        None => Ok(json),
        Some(p) => json
            .pointer(p)
            .cloned()
            .ok_or_else(|| format!("the answer has nothing at {p:?}: {}", quote(body))),
    }
}

fn answered(status: reqwest::StatusCode, body: &[u8]) -> String {
    format!("{status}: {}", quote(body))
}

/// The start of a body, as a quoted string.
fn quote(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut cut: String = text.chars().take(QUOTE_CHARS).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    format!("{cut:?}")
}

/// An error and its causes, which is where reqwest says what actually went wrong.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        s.push_str(": ");
        s.push_str(&cause.to_string());
        source = cause.source();
    }
    s
}

#[async_trait]
impl Client for HttpKvClient {
    async fn invoke(&mut self, inv: &Invocation) -> Completion {
        match inv.f.as_str() {
            "read" => self.read(inv).await,
            "write" => self.write(inv).await,
            "cas" => self.cas(inv).await,
            f => Completion::fail(
                inv.value.clone(),
                format!("the http_kv client has no function {f:?}"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_are_found_by_pointer_and_garbage_is_quoted() {
        assert_eq!(extract(br#"{"value": 3}"#, Some("/value")), Ok(json!(3)));
        assert_eq!(
            extract(br#"{"value": null}"#, Some("/value")),
            Ok(json!(null))
        );
        assert_eq!(extract(b"7", None), Ok(json!(7)));
        let e = extract(b"<html>oops</html>", None).unwrap_err();
        assert!(e.contains("<html>oops</html>"), "{e}");
        let e = extract(br#"{"v": 1}"#, Some("/value")).unwrap_err();
        assert!(e.contains("/value") && e.contains(r#"{\"v\": 1}"#), "{e}");
        let long = "x".repeat(1000);
        let q = quote(long.as_bytes());
        assert!(q.len() < 220 && q.ends_with("…\""), "{q}");
    }
}
