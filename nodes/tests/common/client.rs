//! A client of nodes over TCP, one envelope a line: requests with fresh `msg_id`s, the
//! reply matched by `in_reply_to`; a node that says it does not lead and names the leader
//! is asked next, else the next node.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// One request and its reply body, or None when the node could not be reached in time.
pub fn request(addr: SocketAddr, src: &str, dest: &str, body: Value) -> Option<Value> {
    let timeout = Duration::from_millis(1000);
    let stream = TcpStream::connect_timeout(&addr, timeout).ok()?;
    stream.set_read_timeout(Some(timeout)).ok()?;
    let mut w = stream.try_clone().ok()?;
    writeln!(w, "{}", json!({"src": src, "dest": dest, "body": body})).ok()?;
    let id = body["msg_id"].clone();
    let mut r = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let env: Value = serde_json::from_str(&line).ok()?;
        if env["body"]["in_reply_to"] == id {
            return Some(env["body"].clone());
        }
    }
}

/// Ask the nodes, starting at `first`, until one that leads answers (not with error 11):
/// which node answered, and how. Panics after `within`.
pub fn until_led(
    nodes: &[(String, SocketAddr)],
    first: usize,
    src: &str,
    mut body: Value,
    within: Duration,
) -> (String, Value) {
    let deadline = Instant::now() + within;
    let mut target = first;
    let mut last = Value::Null;
    let mut msg_id = 1u64;
    while Instant::now() < deadline {
        let (name, addr) = &nodes[target];
        body["msg_id"] = json!(msg_id);
        msg_id += 1;
        match request(*addr, src, name, body.clone()) {
            Some(reply) if reply["code"] == 11 => {
                let leader = reply["text"]
                    .as_str()
                    .and_then(|t| t.split("the leader is ").nth(1));
                target = match nodes.iter().position(|(n, _)| Some(n.as_str()) == leader) {
                    Some(i) if i != target => i,
                    _ => {
                        std::thread::sleep(Duration::from_millis(100));
                        (target + 1) % nodes.len()
                    }
                };
                last = reply;
            }
            Some(reply) => return (name.clone(), reply),
            None => {
                std::thread::sleep(Duration::from_millis(100));
                target = (target + 1) % nodes.len();
            }
        }
    }
    panic!("no leader answered {body} within {within:?}; last: {last}");
}
