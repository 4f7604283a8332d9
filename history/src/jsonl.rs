//! schism's native history format: one JSON op per line, in real-time order.
//!
//! ```text
//! {"index":0,"time":1834211,"process":3,"type":"invoke","f":"cas","key":7,"value":[1,2],"node":"n2"}
//! {"index":1,"time":2911005,"process":3,"type":"ok","f":"cas","key":7,"value":[1,2],"node":"n2"}
//! ```
//!
//! `time` is nanoseconds since the run started. Native histories use the schism dialect
//! (see [`Dialect`]): a `fail` op never happened, unless it is a CAS whose error is
//! `compare-failed` (it observed a value other than its `from`); a nil read means the
//! initial nil.

use crate::error::HistoryError;
use crate::history::{Dialect, History, HistoryBuilder};
use crate::numbers::{has_float, quote_big_integers};
use crate::op::Op;
use std::io::{self, Write};

/// Read a native history from text. Blank lines are skipped. A last line that is cut off
/// (no newline at its end, and not a whole op: a run killed while writing it) is left out,
/// and the history says so ([`History::torn_line`]); anything else that is not an op is an
/// error naming its line and column.
pub fn parse(text: &str, dialect: Dialect) -> Result<History, HistoryError> {
    let mut b = HistoryBuilder::with_capacity(dialect, text.len() / 96);
    let complete = text.ends_with('\n');
    let mut lines = text.lines().enumerate().peekable();
    while let Some((i, line)) = lines.next() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let op = match parse_op(line, line_no) {
            Ok(op) => op,
            Err(_) if !complete && lines.peek().is_none() => {
                b.torn(line_no);
                break;
            }
            Err(e) => return Err(e),
        };
        b.push(op, line_no)?;
    }
    Ok(b.finish())
}

/// One line as an op; integers beyond 64 bits are kept exactly (see [`crate::numbers`]).
fn parse_op(line: &str, line_no: usize) -> Result<Op, HistoryError> {
    let op: Op = serde_json::from_str(line).map_err(|e| {
        // serde_json says "at line 1 column C" of this one line: keep only the column.
        let text = e.to_string();
        let text = text
            .rsplit_once(" at line ")
            .map_or(text.as_str(), |(t, _)| t);
        HistoryError::syntax(line_no, format!("not a history op: {text}")).with_column(e.column())
    })?;
    let rounded = has_float(&op.value) || op.error.as_ref().is_some_and(has_float);
    match rounded.then(|| quote_big_integers(line)).flatten() {
        Some(exact) => parse_op(&exact, line_no),
        None => Ok(op),
    }
}

/// Writes ops as native JSONL, one line each, as they happen.
pub struct JsonlWriter<W: Write> {
    out: W,
}

impl<W: Write> JsonlWriter<W> {
    pub fn new(out: W) -> Self {
        JsonlWriter { out }
    }
    pub fn append(&mut self, op: &Op) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, op)?;
        self.out.write_all(b"\n")
    }
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
    pub fn into_inner(self) -> W {
        self.out
    }
}

/// Write a whole history as native JSONL.
pub fn write(out: impl Write, ops: &[Op]) -> io::Result<()> {
    let mut w = JsonlWriter::new(io::BufWriter::new(out));
    for op in ops {
        w.append(op)?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::op::{Key, OpType, Process};
    use serde_json::json;

    #[test]
    fn round_trips_every_field() {
        let text = concat!(
            r#"{"index":0,"time":5,"process":3,"type":"invoke","f":"cas","key":7,"value":[1,2],"node":"n2"}"#,
            "\n\n",
            r#"{"index":1,"time":9,"process":3,"type":"fail","f":"cas","key":7,"value":[1,2],"error":"mismatch"}"#,
            "\n",
            r#"{"index":2,"time":9,"process":"nemesis","type":"info","f":"partition","value":{"n1":["n2"]}}"#,
            "\n",
        );
        let h = parse(text, Dialect::Porcupine).unwrap();
        assert_eq!(h.len(), 3);
        let op = &h.ops()[0];
        assert_eq!(op.key, Some(Key::Int(7)));
        assert_eq!(op.value, json!([1, 2]));
        assert_eq!(op.node.as_deref(), Some("n2"));
        assert_eq!(h.ops()[1].kind, OpType::Fail);
        assert_eq!(h.ops()[2].process, Process::Nemesis);
        assert_eq!(h.line(1), 3);
        let mut out = Vec::new();
        write(&mut out, h.ops()).unwrap();
        let again = parse(std::str::from_utf8(&out).unwrap(), Dialect::Porcupine).unwrap();
        assert_eq!(again.ops(), h.ops());
    }

    #[test]
    fn errors_name_line_and_column() {
        let cases = [
            ("{\"index\":0}\n", 1, "missing field `process`"),
            (
                "{\"time\":1,\"process\":1,\"type\":\"invoke\",\"f\":\"read\"}\n{oops\n",
                2,
                "not a history op",
            ),
            (
                "{\"time\":1,\"process\":1,\"type\":\"begin\",\"f\":\"read\"}\n",
                1,
                "unknown variant",
            ),
            (
                "{\"time\":1,\"process\":-1,\"type\":\"invoke\",\"f\":\"read\"}\n",
                1,
                "negative",
            ),
        ];
        for (text, line, needle) in cases {
            let e = parse(text, Dialect::Porcupine).unwrap_err();
            assert_eq!(e.line, Some(line), "{e}");
            assert!(e.message.contains(needle), "{e}");
            assert!(e.column.is_some());
        }
    }

    #[test]
    fn integers_beyond_64_bits_stay_distinct() {
        let text = concat!(
            r#"{"process":0,"type":"invoke","f":"write","value":18446744073709551616}"#,
            "\n",
            r#"{"process":0,"type":"ok","f":"write","value":[-9223372036854775810, 1.5]}"#,
            "\n",
        );
        let h = parse(text, Dialect::Schism).unwrap();
        assert_eq!(h.ops()[0].value, json!("18446744073709551616N"));
        assert_eq!(h.ops()[1].value, json!(["-9223372036854775810N", 1.5]));
        let mut out = Vec::new();
        write(&mut out, h.ops()).unwrap();
        let again = parse(std::str::from_utf8(&out).unwrap(), Dialect::Schism).unwrap();
        assert_eq!(again.ops(), h.ops());
    }

    #[test]
    fn a_torn_last_line_is_left_out_and_said() {
        let whole = concat!(
            r#"{"process":0,"type":"invoke","f":"read"}"#,
            "\n",
            r#"{"process":0,"type":"ok","f":"read","value":1}"#,
            "\n",
        );
        let torn = format!("{whole}{}", r#"{"process":1,"type":"inv"#);
        let h = parse(&torn, Dialect::Schism).unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!(h.torn_line, Some(3));
        assert!(
            h.notes()[0].starts_with("line 3 is cut off"),
            "{:?}",
            h.notes()
        );
        // A whole last line without its newline is an op like any other.
        let h = parse(whole.trim_end(), Dialect::Schism).unwrap();
        assert_eq!((h.len(), h.torn_line), (2, None));
        // A bad line that is not the last, or that ends with a newline, is an error.
        let e = parse(&format!("{torn}\n"), Dialect::Schism).unwrap_err();
        assert_eq!(e.line, Some(3));
        let e = parse(&format!("{{oops\n{whole}"), Dialect::Schism).unwrap_err();
        assert_eq!(e.line, Some(1));
    }
}
