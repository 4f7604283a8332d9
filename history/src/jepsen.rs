//! Jepsen's EDN histories (`history.edn`): one op map per line (maps may span lines), or
//! one vector `[...]` or list `(...)` of maps, with `;` comments anywhere.
//!
//! `{:index 0, :time 12, :type :invoke, :process 0, :f :cas, :value [1 2]}`. Keywords become
//! strings, sets and lists become arrays. A history whose client values are all
//! `jepsen.independent` tuples `[k v]` is split: `k` becomes the op's key, `v` its value.
//! Porcupine's kv log is this format too, with an explicit `:key`.

use crate::edn::{Edn, EdnError, Parser};
use crate::error::HistoryError;
use crate::history::{Dialect, History, HistoryBuilder};
use crate::op::{Key, Op, OpType, Process, Value};

/// Read a Jepsen EDN history.
pub fn parse(text: &str, dialect: Dialect) -> Result<History, HistoryError> {
    let mut ops = Vec::new();
    let mut p = Parser::new(text);
    let syntax = |e: EdnError| HistoryError::syntax(e.line, e.message).with_column(e.column);
    let open = p.peek().map_err(syntax)?;
    if let Some((close, what)) = match open {
        Some(b'[') => Some((b']', "vector")),
        Some(b'(') => Some((b')', "list")),
        _ => None,
    } {
        let open_line = p.line();
        p.bump();
        loop {
            match p.peek().map_err(syntax)? {
                Some(b) if b == close => {
                    p.bump();
                    break;
                }
                None => {
                    return Err(HistoryError::syntax(
                        p.line(),
                        format!("the {what} of ops opened at line {open_line} is never closed"),
                    ))
                }
                Some(_) => {
                    let line = p.line();
                    ops.push((line, op_from_edn(&p.parse_form().map_err(syntax)?, line)?));
                }
            }
        }
        if !p.at_end().map_err(syntax)? {
            return Err(HistoryError::syntax(
                p.line(),
                format!("unexpected input after the {what} of ops"),
            ));
        }
    } else {
        while !p.at_end().map_err(syntax)? {
            let line = p.line();
            ops.push((line, op_from_edn(&p.parse_form().map_err(syntax)?, line)?));
        }
    }
    if is_independent(ops.iter().map(|(_, op)| op)) {
        for (_, op) in ops.iter_mut() {
            split_tuple(op);
        }
    }
    let mut b = HistoryBuilder::with_capacity(dialect, ops.len());
    for (line, op) in ops {
        b.push(op, line)?;
    }
    Ok(b.finish())
}

fn op_from_edn(form: &Edn, line: usize) -> Result<Op, HistoryError> {
    let err = |m: String| HistoryError::syntax(line, m);
    if !matches!(form, Edn::Map(_))
        && !matches!(form, Edn::Tagged(_, m) if matches!(**m, Edn::Map(_)))
    {
        return Err(err(format!("expected an op map, found {}", describe(form))));
    }
    let form = match form {
        Edn::Tagged(_, m) => m,
        m => m,
    };
    let kind = match form.get("type").and_then(Edn::as_keyword) {
        Some("invoke") => OpType::Invoke,
        Some("ok") => OpType::Ok,
        Some("fail") => OpType::Fail,
        Some("info") => OpType::Info,
        Some(k) => {
            return Err(err(format!(
                ":type :{k} is not one of :invoke :ok :fail :info"
            )))
        }
        None => return Err(err("op map has no :type keyword".into())),
    };
    let process = match form.get("process") {
        Some(Edn::Keyword(k)) if k == "nemesis" => Process::Nemesis,
        Some(p) => match p.as_i64() {
            Some(p) if p >= 0 => Process::Client(p as u64),
            _ => {
                return Err(err(format!(
                    ":process {} is neither a non-negative integer nor :nemesis",
                    describe(p)
                )))
            }
        },
        None => return Err(err("op map has no :process".into())),
    };
    let f = match form.get("f") {
        Some(Edn::Keyword(s) | Edn::Str(s) | Edn::Symbol(s)) => s.as_str(),
        Some(other) => return Err(err(format!(":f {} is not a keyword", describe(other)))),
        None => return Err(err("op map has no :f".into())),
    };
    let time_ns = match form.get("time") {
        None | Some(Edn::Nil) => 0,
        Some(Edn::Tagged(tag, inst)) if tag == "inst" => match &**inst {
            Edn::Str(s) => crate::instant::epoch_ns(s).ok_or_else(|| {
                err(format!(
                    ":time #inst {s:?} is not an RFC 3339 instant after 1970"
                ))
            })?,
            other => {
                return Err(err(format!(
                    ":time #inst {} is not a string",
                    describe(other)
                )))
            }
        },
        Some(t) => match t.as_i64() {
            Some(t) if t >= 0 => t as u64,
            _ => {
                return Err(err(format!(
                    ":time {} is not a natural number",
                    describe(t)
                )))
            }
        },
    };
    let key = match form.get("key") {
        None | Some(Edn::Nil) => None,
        Some(k) => Some(
            key_of(k)
                .ok_or_else(|| err(format!(":key {} is not an integer or string", describe(k))))?,
        ),
    };
    let value = form.get("value").map(edn_to_value).unwrap_or(Value::Null);
    let mut op = Op::client(0, kind, f, value).with_time_ns(time_ns);
    op.process = process;
    op.key = key;
    op.error = form.get("error").map(edn_to_value);
    Ok(op)
}

fn key_of(e: &Edn) -> Option<Key> {
    match e {
        Edn::Int(i) => Some(Key::Int(*i)),
        Edn::Str(s) | Edn::Keyword(s) | Edn::Symbol(s) => Some(Key::Str(s.as_str().into())),
        _ => None,
    }
}

fn value_key(v: &Value) -> Option<Key> {
    match v {
        Value::Number(n) => n.as_i64().map(Key::Int),
        Value::String(s) => Some(Key::Str(s.as_str().into())),
        _ => None,
    }
}

/// Whether every client op carries a `jepsen.independent` tuple `[k v]` as its value: a
/// scalar key, and for `cas` an inner pair (or nil).
fn is_independent<'a>(ops: impl Iterator<Item = &'a Op>) -> bool {
    let mut any = false;
    for op in ops.filter(|op| op.is_client()) {
        if op.key.is_some() {
            return false;
        }
        let Value::Array(t) = &op.value else {
            return false;
        };
        if t.len() != 2 || value_key(&t[0]).is_none() {
            return false;
        }
        if op.f == "cas" && !matches!(t[1], Value::Array(_) | Value::Null) {
            return false;
        }
        any = true;
    }
    any
}

fn split_tuple(op: &mut Op) {
    if let Value::Array(t) = &mut op.value {
        if t.len() == 2 {
            if let Some(k) = value_key(&t[0]) {
                op.key = Some(k);
                op.value = t.pop().unwrap_or(Value::Null);
            }
        }
    }
}

/// An EDN value as JSON: keywords and symbols become strings, lists and sets arrays.
pub fn edn_to_value(e: &Edn) -> Value {
    match e {
        Edn::Nil => Value::Null,
        Edn::Bool(b) => Value::Bool(*b),
        Edn::Int(i) => Value::from(*i),
        Edn::BigInt(s) => crate::numbers::integer(s),
        Edn::Float(f) => crate::numbers::float(*f),
        Edn::Str(s) | Edn::Keyword(s) | Edn::Symbol(s) => Value::String(s.clone()),
        Edn::Char(c) => Value::String(c.to_string()),
        Edn::Vector(v) | Edn::List(v) | Edn::Set(v) => {
            Value::Array(v.iter().map(edn_to_value).collect())
        }
        Edn::Map(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let k = match edn_to_value(k) {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (k, edn_to_value(v))
                })
                .collect(),
        ),
        Edn::Tagged(_, v) => edn_to_value(v),
    }
}

fn describe(e: &Edn) -> String {
    let v = edn_to_value(e).to_string();
    if v.chars().count() > 60 {
        format!("{}...", v.chars().take(57).collect::<String>())
    } else {
        v
    }
}

/// Write ops as a Jepsen EDN history, one map per line; keyed ops become independent tuples.
pub fn write(mut out: impl std::io::Write, ops: &[Op]) -> std::io::Result<()> {
    for op in ops {
        let value = match &op.key {
            Some(k) => format!("[{} {}]", key_to_edn(k), value_to_edn(&op.value)),
            None => value_to_edn(&op.value),
        };
        let process = match op.process {
            Process::Client(p) => p.to_string(),
            Process::Nemesis => ":nemesis".into(),
        };
        writeln!(
            out,
            "{{:index {}, :time {}, :type :{}, :process {}, :f :{}, :value {}}}",
            op.index,
            op.time_ns,
            op.kind.as_str(),
            process,
            op.f,
            value
        )?;
    }
    Ok(())
}

fn key_to_edn(k: &Key) -> String {
    match k {
        Key::Int(i) => i.to_string(),
        Key::Str(s) => Value::String(s.to_string()).to_string(),
    }
}

fn value_to_edn(v: &Value) -> String {
    match v {
        Value::Null => "nil".into(),
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(value_to_edn).collect::<Vec<_>>().join(" ")
        ),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{} {}", Value::String(k.clone()), value_to_edn(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_one_map_per_line() {
        let text = "{:index 0, :time 10, :type :invoke, :process 0, :f :cas, :value [1 2]}\n\
                    {:index 1, :time 20, :type :invoke, :process :nemesis, :f :start, :value nil}\n\
                    {:index 2, :time 30, :type :ok, :process 0, :f :cas, :value [1 2]}\n";
        let h = parse(text, Dialect::Knossos).unwrap();
        assert_eq!(h.len(), 3);
        assert_eq!(h.ops()[0].value, json!([1, 2]));
        assert_eq!(h.ops()[0].key, None, "a cas pair of scalars is not a tuple");
        assert_eq!(h.ops()[1].process, Process::Nemesis);
        assert_eq!(h.ops()[2].time_ns, 30);
        assert_eq!(h.line(2), 3);
    }

    #[test]
    fn reads_a_vector_of_maps_and_splits_independent_tuples() {
        let text = "[{:type :invoke, :process 0, :f :cas, :value [3 [1 2]], :time 1}\n\
                    {:type :invoke, :process 1, :f :read, :value [4 nil], :time 2}\n\
                    {:type :ok, :process 1, :f :read, :value [4 7], :time 3}\n\
                    {:type :fail, :process 0, :f :cas, :value [3 [1 2]], :time 4}]\n";
        let h = parse(text, Dialect::Knossos).unwrap();
        let ops = h.ops();
        assert_eq!(ops[0].key, Some(Key::Int(3)));
        assert_eq!(ops[0].value, json!([1, 2]));
        assert_eq!(ops[2].key, Some(Key::Int(4)));
        assert_eq!(ops[2].value, json!(7));
        assert_eq!(h.line(1), 2);
    }

    #[test]
    fn reads_a_list_with_comments_sets_tags_and_maps_across_lines() {
        let text = "; written by hand\n(\n  {:type :invoke, :process 0, :f :add, ; an add\n   :value #{1 2}, :time #inst \"2026-01-01T00:00:00Z\"}\n  \
                    #jepsen.history.Op{:type :ok, :process 0, :f :add, :value #{1 2}, :time #inst \"2026-01-01T00:00:00.1Z\"}\n  \
                    {:type :invoke, :process 1, :f :read, :value nil, :time #inst \"2026-01-01T00:00:01Z\"}\n  \
                    {:type :ok, :process 1, :f :read, :value (1 2), :time #inst \"2026-01-01T01:00:01+01:00\"}\n)\n";
        let h = parse(text, Dialect::Knossos).unwrap();
        assert_eq!(h.len(), 4);
        assert_eq!(h.ops()[1].value, json!([1, 2]));
        assert_eq!(h.ops()[3].value, json!([1, 2]));
        assert_eq!(h.line(0), 3);
        assert_eq!(h.line(1), 5);
        assert_eq!(h.ops()[1].time_ns - h.ops()[0].time_ns, 100_000_000);
        assert_eq!(h.ops()[3].time_ns, h.ops()[2].time_ns);
        let e = parse(
            "(\n{:type :invoke, :process 0, :f :read}\n",
            Dialect::Knossos,
        )
        .unwrap_err();
        assert!(
            e.message
                .contains("the list of ops opened at line 1 is never closed"),
            "{e}"
        );
        let e = parse(
            "({:type :invoke, :process 0, :f :read}) 5\n",
            Dialect::Knossos,
        )
        .unwrap_err();
        assert!(e.message.contains("after the list of ops"), "{e}");
    }

    #[test]
    fn reads_porcupine_kv_lines_with_keys() {
        let text = "{:process 0, :type :invoke, :f :append, :key \"0\", :value \"x 0 0 y\"}\n\
                    {:process 0, :type :ok, :f :append, :key \"0\", :value \"x 0 0 y\"}\n";
        let h = parse(text, Dialect::Porcupine).unwrap();
        assert_eq!(h.ops()[1].key, Some(Key::Str("0".into())));
        assert_eq!(h.ops()[1].value, json!("x 0 0 y"));
    }

    #[test]
    fn errors_name_the_line() {
        let cases = [
            (
                "{:type :invoke, :process 0, :f :read}\n[1 2]\n",
                2,
                "expected an op map",
            ),
            ("{:process 0, :f :read}\n", 1, "no :type"),
            ("{:type :begin, :process 0, :f :read}\n", 1, ":type :begin"),
            (
                "{:type :ok, :process 0, :f :read}\n",
                1,
                "no open invocation",
            ),
            ("{:type :invoke, :process -3, :f :read}\n", 1, ":process"),
            (
                "{:type :invoke, :process 0, :f :read, :time -1}\n",
                1,
                ":time",
            ),
            ("{:type :invoke,\n :process 0, :f \"read}\n", 2, "string"),
            (
                "[{:type :invoke, :process 0, :f :read}\n",
                2,
                "never closed",
            ),
        ];
        for (text, line, needle) in cases {
            let e = parse(text, Dialect::Knossos).unwrap_err();
            assert_eq!(e.line, Some(line), "{text}: {e}");
            assert!(e.message.contains(needle), "{text}: {e}");
        }
    }

    #[test]
    fn writes_what_it_reads() {
        let text = "{:index 0, :time 1, :type :invoke, :process 0, :f :write, :value [5 3]}\n\
                    {:index 1, :time 2, :type :ok, :process 0, :f :write, :value [5 3]}\n";
        let h = parse(text, Dialect::Knossos).unwrap();
        let mut out = Vec::new();
        write(&mut out, h.ops()).unwrap();
        assert_eq!(std::str::from_utf8(&out).unwrap(), text);
    }

    #[test]
    fn non_finite_floats_and_bigints_keep_their_identity() {
        let text = "{:index 0, :time 1, :type :invoke, :process 0, :f :write, :value ##Inf}\n\
                    {:index 1, :time 2, :type :ok, :process 0, :f :write, :value [##NaN ##-Inf 18446744073709551616N 5N]}\n";
        let h = parse(text, Dialect::Knossos).unwrap();
        assert_eq!(h.ops()[0].value, json!("##Inf"));
        assert_eq!(
            h.ops()[1].value,
            json!(["##NaN", "##-Inf", "18446744073709551616N", 5])
        );
    }
}
