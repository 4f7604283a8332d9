//! Porcupine's Jepsen etcd log: `INFO  jepsen.util - 2 :invoke :cas [1 2]` per line.
//!
//! Fields after ` - ` are the process, the event type, the function and the value, split by
//! tabs or spaces. A read's value is in its `:ok` line; `:info` lines carry `:timed-out`,
//! which becomes the op's error. These logs have no times: line order is real-time order.
//! (Porcupine's kv log is EDN, read by [`crate::jepsen`].)

use crate::edn::Parser;
use crate::error::HistoryError;
use crate::history::{Dialect, History, HistoryBuilder};
use crate::jepsen::edn_to_value;
use crate::op::{Op, OpType, Process, Value};

const MARK: &str = "jepsen.util - ";

/// Read a Porcupine etcd log.
pub fn parse_etcd_log(text: &str, dialect: Dialect) -> Result<History, HistoryError> {
    let mut b = HistoryBuilder::with_capacity(dialect, text.len() / 40);
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        b.push(parse_line(line, line_no)?, line_no)?;
    }
    Ok(b.finish())
}

fn parse_line(line: &str, line_no: usize) -> Result<Op, HistoryError> {
    let expected = "expected `INFO jepsen.util - <process> <:type> <:f> <value>`";
    let at = line
        .find(MARK)
        .ok_or_else(|| HistoryError::syntax(line_no, format!("{expected}, found {line:?}")))?;
    let rest = &line[at + MARK.len()..];
    let mut rest = rest.trim_start();
    let mut field = || {
        let end = rest.find([' ', '\t']).unwrap_or(rest.len());
        let (f, tail) = rest.split_at(end);
        rest = tail.trim_start();
        f
    };
    let (process, kind, f) = (field(), field(), field());
    if f.is_empty() {
        return Err(HistoryError::syntax(
            line_no,
            format!("{expected}, found {line:?}"),
        ));
    }
    let value_text = rest.trim_end();
    let process = match process {
        ":nemesis" => Process::Nemesis,
        p => Process::Client(p.parse().map_err(|_| {
            HistoryError::syntax(line_no, format!("process {p:?} is not an integer"))
        })?),
    };
    let kind = match kind {
        ":invoke" => OpType::Invoke,
        ":ok" => OpType::Ok,
        ":fail" => OpType::Fail,
        ":info" => OpType::Info,
        k => {
            return Err(HistoryError::syntax(
                line_no,
                format!("event type {k:?} is not one of :invoke :ok :fail :info"),
            ))
        }
    };
    let f = f
        .strip_prefix(':')
        .ok_or_else(|| HistoryError::syntax(line_no, format!("function {f:?} is not a keyword")))?;
    let (value, error) = if value_text.is_empty() {
        (Value::Null, None)
    } else {
        let form = Parser::new(value_text)
            .parse_form()
            .map_err(|e| HistoryError::syntax(line_no, format!("value {value_text:?}: {e}")))?;
        let v = edn_to_value(&form);
        // `:timed-out` and similar keywords on a completion are errors, not values.
        if kind != OpType::Invoke && kind != OpType::Ok && form.as_keyword().is_some() {
            (Value::Null, Some(v))
        } else {
            (v, None)
        }
    };
    let mut op = Op::client(0, kind, f, value);
    op.process = process;
    op.error = error;
    Ok(op)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_tab_and_space_separated_lines() {
        let text = "INFO  jepsen.util - 2\t:invoke\t:cas\t[1 2]\n\
                    INFO  jepsen.util - 4 :invoke :write 3\n\
                    INFO  jepsen.util - 2\t:fail\t:cas\t[1 2]\n\
                    INFO  jepsen.util - 4\t:info\t:write\t:timed-out\n\
                    INFO  jepsen.util - 5 :invoke :read nil\n\
                    INFO  jepsen.util - 5 :ok :read 3\n";
        let h = parse_etcd_log(text, Dialect::Porcupine).unwrap();
        let ops = h.ops();
        assert_eq!(ops.len(), 6);
        assert_eq!(ops[0].value, json!([1, 2]));
        assert_eq!(ops[0].process, Process::Client(2));
        assert_eq!(ops[1].value, json!(3));
        assert_eq!(ops[2].kind, OpType::Fail);
        assert_eq!(ops[3].kind, OpType::Info);
        assert_eq!(ops[3].error, Some(json!("timed-out")));
        assert_eq!(ops[5].value, json!(3));
        assert!(!h.timed);
    }

    #[test]
    fn errors_name_the_line() {
        let cases = [
            (
                "INFO  jepsen.util - 2\t:invoke\t:cas\t[1 2]\ngarbage\n",
                2,
                "expected",
            ),
            (
                "INFO  jepsen.util - x :invoke :read nil\n",
                1,
                "not an integer",
            ),
            ("INFO  jepsen.util - 1 :begin :read nil\n", 1, "event type"),
            ("INFO  jepsen.util - 1 :invoke :cas [1 2\n", 1, "value"),
            (
                "INFO  jepsen.util - 1 :ok :read 1\n",
                1,
                "no open invocation",
            ),
        ];
        for (text, line, needle) in cases {
            let e = parse_etcd_log(text, Dialect::Porcupine).unwrap_err();
            assert_eq!(e.line, Some(line), "{e}");
            assert!(e.message.contains(needle), "{e}");
        }
    }
}
