//! The HTTP register client against a small in-test REST server on loopback (hyper): a
//! missing key, write then read, cas that holds and one that does not, a server error, a
//! garbage answer, a refused connection and a silent server.

use history::{Key, OpType};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use systems::client::http_kv::{HttpKvClient, HttpKvMapping};
use workloads::{Client, Invocation};

/// How the server answers.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// A key-value store speaking the default mapping.
    Store,
    /// 500 to everything.
    Broken,
    /// 200 with a body that is not JSON.
    Garbage,
}

struct State {
    map: HashMap<String, Value>,
    mode: Mode,
    /// Every request, as "METHOD path body".
    seen: Vec<String>,
}

type Shared = Arc<Mutex<State>>;

fn answer(status: u16, body: &str) -> Response<Full<Bytes>> {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap())
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap()
}

async fn handle(
    state: Shared,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let body = req.into_body().collect().await.unwrap().to_bytes();
    let body_text = String::from_utf8_lossy(&body).into_owned();
    let mut s = state.lock().unwrap();
    s.seen.push(format!("{method} {path} {body_text}"));
    match s.mode {
        Mode::Broken => return Ok(answer(500, "boom")),
        Mode::Garbage => return Ok(answer(200, "<html>not json at all</html>")),
        Mode::Store => {}
    }
    let parsed: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let resp = if let Some(key) = path.strip_prefix("/kv/") {
        match method {
            Method::GET => match s.map.get(key) {
                Some(v) => answer(200, &json!({ "value": v }).to_string()),
                None => answer(404, r#"{"error": "no such key"}"#),
            },
            Method::PUT => match parsed.get("value") {
                Some(v) => {
                    s.map.insert(key.to_string(), v.clone());
                    answer(200, "{}")
                }
                None => answer(400, r#"{"error": "no value"}"#),
            },
            _ => answer(405, "{}"),
        }
    } else if let Some(key) = path.strip_prefix("/cas/") {
        match s.map.get(key).cloned() {
            None => answer(404, r#"{"error": "no such key"}"#),
            Some(cur) if cur == parsed["from"] => {
                s.map.insert(key.to_string(), parsed["to"].clone());
                answer(200, "{}")
            }
            Some(_) => answer(409, r#"{"error": "mismatch"}"#),
        }
    } else {
        answer(400, r#"{"error": "bad path"}"#)
    };
    Ok(resp)
}

async fn serve() -> (SocketAddr, Shared) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = Arc::new(Mutex::new(State {
        map: HashMap::new(),
        mode: Mode::Store,
        seen: Vec::new(),
    }));
    let shared = state.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let state = shared.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |req| handle(state.clone(), req));
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    (addr, state)
}

fn client(addr: SocketAddr, timeout: Duration) -> HttpKvClient {
    HttpKvClient::new(addr, HttpKvMapping::default(), timeout).unwrap()
}

fn inv(f: &str, key: i64, value: Value) -> Invocation {
    Invocation::new(f, Some(Key::Int(key)), value)
}

#[tokio::test]
async fn reads_writes_and_cas_round_trip() {
    let (addr, state) = serve().await;
    let mut c = client(addr, Duration::from_secs(5));

    let r = c.invoke(&inv("read", 1, Value::Null)).await;
    assert_eq!((r.kind, r.value), (OpType::Ok, Value::Null), "missing: nil");

    let cas = c.invoke(&inv("cas", 1, json!([1, 2]))).await;
    assert_eq!(cas.kind, OpType::Fail, "a cas on a missing key: {cas:?}");
    assert_eq!(cas.error.as_deref(), Some(history::COMPARE_FAILED));

    let w = c.invoke(&inv("write", 1, json!(3))).await;
    assert_eq!((w.kind, w.value), (OpType::Ok, json!(3)));
    let r = c.invoke(&inv("read", 1, Value::Null)).await;
    assert_eq!((r.kind, r.value), (OpType::Ok, json!(3)));

    let cas = c.invoke(&inv("cas", 1, json!([2, 5]))).await;
    assert_eq!(cas.kind, OpType::Fail, "{cas:?}");
    assert_eq!(cas.error.as_deref(), Some(history::COMPARE_FAILED));
    assert_eq!(cas.value, json!([2, 5]));

    let cas = c.invoke(&inv("cas", 1, json!([3, 4]))).await;
    assert_eq!(cas.kind, OpType::Ok, "{cas:?}");
    let r = c.invoke(&inv("read", 1, Value::Null)).await;
    assert_eq!((r.kind, r.value), (OpType::Ok, json!(4)));

    // A string key goes into the path raw and percent-encoded, and into bodies as JSON.
    let k = Some(Key::Str("a b/c".into()));
    let w = c
        .invoke(&Invocation::new("write", k.clone(), json!("x\"y")))
        .await;
    assert_eq!(w.kind, OpType::Ok, "{w:?}");
    let r = c.invoke(&Invocation::new("read", k, Value::Null)).await;
    assert_eq!((r.kind, r.value), (OpType::Ok, json!("x\"y")));
    let seen = state.lock().unwrap().seen.clone();
    assert!(
        seen.contains(&r#"PUT /kv/a%20b%2Fc {"value": "x\"y"}"#.to_string()),
        "{seen:#?}"
    );
    assert!(seen.contains(&r#"POST /cas/1 {"from": 3, "to": 4}"#.to_string()));

    let other = c.invoke(&inv("add", 1, json!(1))).await;
    assert_eq!(other.kind, OpType::Fail);
}

#[tokio::test]
async fn server_errors_and_garbage() {
    let (addr, state) = serve().await;
    let mut c = client(addr, Duration::from_secs(5));

    state.lock().unwrap().mode = Mode::Broken;
    let w = c.invoke(&inv("write", 1, json!(3))).await;
    assert_eq!(w.kind, OpType::Info, "a 500 may have written: {w:?}");
    assert!(w.error.as_deref().unwrap().contains("500"), "{w:?}");
    let cas = c.invoke(&inv("cas", 1, json!([1, 2]))).await;
    assert_eq!(cas.kind, OpType::Info, "{cas:?}");
    let r = c.invoke(&inv("read", 1, Value::Null)).await;
    assert_eq!(r.kind, OpType::Fail, "a read has no effect: {r:?}");

    state.lock().unwrap().mode = Mode::Garbage;
    let r = c.invoke(&inv("read", 1, Value::Null)).await;
    assert_eq!(r.kind, OpType::Info, "{r:?}");
    let e = r.error.unwrap();
    assert!(e.contains("<html>not json at all</html>"), "{e}");

    // A 4xx other than the mapping's: the server refused it.
    state.lock().unwrap().mode = Mode::Store;
    let mut m = HttpKvMapping::default();
    m.write.body = Some(r#"{"val": {{value}}}"#.into());
    let mut bad = HttpKvClient::new(addr, m, Duration::from_secs(5)).unwrap();
    let w = bad.invoke(&inv("write", 1, json!(3))).await;
    assert_eq!(w.kind, OpType::Fail, "{w:?}");
    assert!(w.error.unwrap().contains("no value"));
}

#[tokio::test]
async fn a_refused_connection_fails_and_a_silent_server_times_out() {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let mut c = client(closed, Duration::from_millis(300));
    let w = c.invoke(&inv("write", 1, json!(1))).await;
    assert_eq!(w.kind, OpType::Fail, "refused: never sent: {w:?}");
    let cas = c.invoke(&inv("cas", 1, json!([1, 2]))).await;
    assert_eq!(cas.kind, OpType::Fail, "{cas:?}");

    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = silent.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = silent.accept().await {
            held.push(s);
        }
    });
    let mut c = client(addr, Duration::from_millis(300));
    let w = c.invoke(&inv("write", 1, json!(1))).await;
    assert_eq!(w.kind, OpType::Info, "{w:?}");
    let r = c.invoke(&inv("read", 1, Value::Null)).await;
    assert_eq!(r.kind, OpType::Fail, "a read has no effect: {r:?}");
}

#[test]
fn an_invalid_mapping_is_refused() {
    let mut m = HttpKvMapping::default();
    m.read.path = "/kv/{{value}}".into();
    let addr: SocketAddr = "127.0.0.1:1".parse().unwrap();
    let e = HttpKvClient::new(addr, m, Duration::from_secs(1))
        .err()
        .unwrap();
    assert!(e.starts_with("read.path:"), "{e}");
}
