//! Reading a history file into a [`Timeline`]. schism's native JSONL is streamed line by
//! line and only the fields the charts need are kept (a run may leave millions of ops);
//! other formats (Jepsen EDN, Porcupine logs) go through the `history` crate's readers.

use super::error::ReportError;
use super::timeline::{Done, Outcome, Timeline};
use crate::run::FaultRecord;
use history::{format, Format, OpType, Process, COMPARE_FAILED};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// The fields of a native op the charts use; the rest is skipped unread.
#[derive(Deserialize)]
struct Lite<'a> {
    #[serde(default)]
    time: u64,
    process: Process,
    #[serde(rename = "type")]
    kind: OpType,
    #[serde(borrow)]
    f: Cow<'a, str>,
    #[serde(default, borrow)]
    node: Option<Cow<'a, str>>,
    #[serde(default)]
    error: Compared,
}

/// Whether an op's error is `compare-failed` (any other error is skipped unread).
#[derive(Default, PartialEq)]
struct Compared(bool);

impl<'de> Deserialize<'de> for Compared {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Compared;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an error")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Compared, E> {
                Ok(Compared(v == COMPARE_FAILED))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Compared, E> {
                Ok(Compared(false))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Compared, E> {
                Ok(Compared(false))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Compared, E> {
                Ok(Compared(false))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Compared, E> {
                Ok(Compared(false))
            }
            fn visit_unit<E>(self) -> Result<Compared, E> {
                Ok(Compared(false))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<Compared, A::Error> {
                while a.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Compared(false))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<Compared, A::Error> {
                while a
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(Compared(false))
            }
        }
        d.deserialize_any(V)
    }
}

/// A nemesis op, with its value.
#[derive(Deserialize)]
struct NemesisOp {
    #[serde(default)]
    time: u64,
    f: String,
    #[serde(default)]
    value: serde_json::Value,
}

/// Read any history file schism can check.
pub fn read(path: &Path) -> Result<Timeline, ReportError> {
    let io = |e: std::io::Error| ReportError::new(path, format!("cannot read: {e}"));
    let mut head = Vec::with_capacity(64 << 10);
    std::fs::File::open(path)
        .map_err(io)?
        .take(64 << 10)
        .read_to_end(&mut head)
        .map_err(io)?;
    let head = String::from_utf8_lossy(&head);
    // The first 64 KiB, up to its last whole line, tells the format.
    let whole = head.rfind('\n').map_or(head.as_ref(), |i| &head[..=i]);
    match Format::detect(whole) {
        Ok(Format::Jsonl) | Err(_) => read_jsonl(path),
        Ok(_) => read_other(path),
    }
}

/// Stream a native JSONL history.
fn read_jsonl(path: &Path) -> Result<Timeline, ReportError> {
    let file = std::fs::File::open(path)
        .map_err(|e| ReportError::new(path, format!("cannot read: {e}")))?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut t = Timeline::default();
    let mut open: HashMap<u64, usize> = HashMap::new();
    let mut buf = String::new();
    let mut line_no = 0u32;
    loop {
        buf.clear();
        let n = reader
            .read_line(&mut buf)
            .map_err(|e| ReportError::new(path, format!("line {}: {e}", line_no + 1)))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let text = buf.trim();
        if text.is_empty() {
            continue;
        }
        let op: Lite = match serde_json::from_str(text) {
            Ok(op) => op,
            // A last line without its newline was cut off by a writer that stopped: the
            // ops before it are drawn (the checker says so too).
            Err(_) if !buf.ends_with('\n') => break,
            Err(e) => {
                let why = format!("line {line_no}: not a history op: {e}");
                return Err(ReportError::new(path, why));
            }
        };
        t.end_ns = t.end_ns.max(op.time);
        if let Some(node) = &op.node {
            t.node(node);
        }
        match op.process {
            Process::Nemesis => {
                let full: NemesisOp = serde_json::from_str(text).map_err(|e| {
                    ReportError::new(path, format!("line {line_no}: not a nemesis op: {e}"))
                })?;
                t.nemesis.push(FaultRecord {
                    time_s: full.time as f64 / 1e9,
                    f: full.f,
                    value: full.value,
                });
            }
            Process::Client(p) => {
                let f = t.function(&op.f);
                let kind = outcome(op.kind, op.error.0);
                client_op(&mut t, &mut open, p, kind, op.time, f, line_no);
            }
        }
    }
    t.close();
    Ok(t)
}

/// An op's type as an outcome (None: an invocation).
fn outcome(kind: OpType, compare_failed: bool) -> Option<Outcome> {
    match kind {
        OpType::Invoke => None,
        OpType::Ok => Some(Outcome::Ok),
        OpType::Fail if compare_failed => Some(Outcome::CompareFailed),
        OpType::Fail => Some(Outcome::Fail),
        OpType::Info => Some(Outcome::Info),
    }
}

/// Pair a client op with its invocation; completions without one are ignored.
fn client_op(
    t: &mut Timeline,
    open: &mut HashMap<u64, usize>,
    process: u64,
    kind: Option<Outcome>,
    time: u64,
    f: u16,
    line: u32,
) {
    let outcome = match kind {
        None => {
            open.insert(process, t.ops.len());
            t.ops.push(Done {
                invoke_ns: time,
                complete_ns: time,
                line,
                f,
                outcome: Outcome::Open,
            });
            return;
        }
        Some(o) => o,
    };
    if let Some(i) = open.remove(&process) {
        let op = &mut t.ops[i];
        op.complete_ns = time.max(op.invoke_ns);
        op.outcome = outcome;
    }
}

/// Read a history in another format with the `history` crate.
fn read_other(path: &Path) -> Result<Timeline, ReportError> {
    let (h, _) =
        format::read_path(path, None, None).map_err(|e| ReportError::new(path, e.to_string()))?;
    let mut t = Timeline::default();
    let mut open = HashMap::new();
    for (i, op) in h.ops().iter().enumerate() {
        t.end_ns = t.end_ns.max(op.time_ns);
        if let Some(node) = &op.node {
            t.node(node);
        }
        match op.process {
            Process::Nemesis => t.nemesis.push(FaultRecord {
                time_s: op.time_ns as f64 / 1e9,
                f: op.f.to_string(),
                value: op.value.clone(),
            }),
            Process::Client(p) => {
                let f = t.function(&op.f);
                let line = h.line(i) as u32;
                let compared = op.error.as_ref().and_then(|e| e.as_str()) == Some(COMPARE_FAILED);
                let kind = outcome(op.kind, compared);
                client_op(&mut t, &mut open, p, kind, op.time_ns, f, line);
            }
        }
    }
    t.close();
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_ops_and_keeps_nemesis_values() {
        let dir = std::env::temp_dir().join(format!("schism-load-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("h.jsonl");
        std::fs::write(
            &p,
            "{\"time\":1,\"process\":0,\"type\":\"invoke\",\"f\":\"read\",\"node\":\"n1\"}\n\
             {\"time\":2,\"process\":\"nemesis\",\"type\":\"info\",\"f\":\"start-kill\",\"value\":{\"fault\":\"kill\",\"nodes\":[\"n2\"]}}\n\
             {\"time\":5,\"process\":0,\"type\":\"ok\",\"f\":\"read\",\"value\":3}\n\
             \n\
             {\"time\":6,\"process\":1,\"type\":\"invoke\",\"f\":\"write\",\"value\":1}\n\
             {\"time\":7,\"process\":2,\"type\":\"invoke\",\"f\":\"cas\",\"value\":[1,2]}\n\
             {\"time\":8,\"process\":2,\"type\":\"fail\",\"f\":\"cas\",\"error\":\"compare-failed\"}\n\
             {\"time\":9,\"process\":3,\"type\":\"invoke\",\"f\":\"cas\",\"value\":[1,2]}\n\
             {\"time\":9,\"process\":3,\"type\":\"fail\",\"f\":\"cas\",\"error\":{\"why\":[1]}}\n",
        )
        .unwrap();
        let t = read(&p).unwrap();
        assert_eq!(t.ops.len(), 4);
        assert_eq!(t.ops[2].outcome, Outcome::CompareFailed);
        assert_eq!(t.ops[3].outcome, Outcome::Fail);
        assert_eq!((t.ops[0].line, t.ops[0].latency_ns()), (1, 4));
        assert_eq!(t.ops[0].outcome, Outcome::Ok);
        assert_eq!(t.ops[1].outcome, Outcome::Open);
        assert_eq!(t.ops[1].complete_ns, 9);
        assert_eq!(t.functions, ["read", "write", "cas"]);
        assert_eq!(t.nodes, ["n1"]);
        assert_eq!(t.nemesis[0].value["nodes"][0], "n2");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
