//! Reading what the writers write gives back the same ops, modulo the normalisations named
//! here: [`JSONL_NORMALISATIONS`] for the native JSONL writer ([`crate::jsonl::write`], the
//! recorder's file), [`EDN_NORMALISATIONS`] and [`edn_unwritable`] for the Jepsen EDN writer
//! ([`crate::jepsen::write`], behind `schism synth --format jepsen-edn`). schism has no
//! Porcupine writer.

use crate::history::History;
use crate::op::{Op, Value};

/// What the native JSONL writer and reader do not keep, each undone by [`jsonl_normal`].
pub const JSONL_NORMALISATIONS: &[&str] = &[
    "an `error` of null reads back as no error",
    "`index` reads back as the op's position (readers renumber)",
    "a completion without a key reads back with its invocation's key",
];

/// What the Jepsen EDN writer and reader do not keep, each undone by [`edn_normal`].
pub const EDN_NORMALISATIONS: &[&str] = &[
    "`node` and `error` are not written",
    "`index` reads back as the op's position (readers renumber)",
    "a completion without a key reads back with its invocation's key",
];

/// An op as the JSONL reader gives it back (see [`JSONL_NORMALISATIONS`]); `index` and
/// inherited keys are the history builder's, so ops of a [`History`] already have them.
pub fn jsonl_normal(op: &Op) -> Op {
    let mut op = op.clone();
    if op.error == Some(Value::Null) {
        op.error = None;
    }
    op
}

/// An op as the EDN reader gives it back (see [`EDN_NORMALISATIONS`]).
pub fn edn_normal(op: &Op) -> Op {
    let mut op = op.clone();
    op.node = None;
    op.error = None;
    op
}

/// `ops` as native JSONL.
pub fn write_jsonl(ops: &[Op]) -> String {
    let mut out = Vec::new();
    crate::jsonl::write(&mut out, ops).expect("writing to memory");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// `ops` as a Jepsen EDN history.
pub fn write_edn(ops: &[Op]) -> String {
    let mut out = Vec::new();
    crate::jepsen::write(&mut out, ops).expect("writing to memory");
    String::from_utf8(out).expect("the EDN writer writes UTF-8")
}

/// Write `h` as JSONL and read it back: the same ops (normalised), one per line, the same
/// pairs, dialect and timing.
pub fn assert_jsonl(h: &History) {
    let text = write_jsonl(h.ops());
    let again = match crate::jsonl::parse(&text, h.dialect) {
        Ok(again) => again,
        Err(e) => panic!("JSONL written from a history does not read back: {e}\n{text}"),
    };
    let want: Vec<Op> = h.ops().iter().map(jsonl_normal).collect();
    assert_same_ops(&want, again.ops(), &text);
    assert_eq!(again.dialect, h.dialect);
    assert_eq!(
        again.timed, h.timed,
        "timed differs after a JSONL round trip"
    );
    for i in 0..h.len() {
        assert_eq!(again.partner(i), h.partner(i), "op {i} pairs differently");
        assert_eq!(again.line(i), i + 1, "op {i} is not on its own line");
    }
}

/// Write `h` as Jepsen EDN and read it back: the same ops (normalised). Returns false, and
/// checks nothing, when the ops do not fit the EDN writer (see [`edn_unwritable`]).
pub fn assert_edn(h: &History) -> bool {
    if edn_unwritable(h.ops()).is_some() {
        return false;
    }
    let text = write_edn(h.ops());
    let again = crate::jepsen::parse(&text, h.dialect)
        .unwrap_or_else(|e| panic!("EDN written from a history does not read back: {e}\n{text}"));
    let want: Vec<Op> = h.ops().iter().map(edn_normal).collect();
    assert_same_ops(&want, again.ops(), &text);
    true
}

fn assert_same_ops(want: &[Op], got: &[Op], text: &str) {
    assert_eq!(got.len(), want.len(), "op count differs; written:\n{text}");
    for (i, (w, g)) in want.iter().zip(got).enumerate() {
        assert_eq!(g, w, "op {i} differs after a round trip; written:\n{text}");
    }
}

/// Why the Jepsen EDN writer cannot carry these ops so that they read back the same
/// (None: it can). These are limits of the format and of its reader, not normalisations:
///
/// - a function that is not a plain keyword name (the writer writes `:f` as it is);
/// - a time or a client process beyond i64 (the reader wants an EDN integer there);
/// - a value nested deeper than the EDN reader's limit;
/// - keys on some client ops but not all (keys are written as `jepsen.independent`
///   tuples, and read back as keys only when every client op has one), on a cas whose
///   value is not a pair (`[k [from to]]`), or on a nemesis op of a history whose clients
///   have none;
/// - no keys, but every client value already looks like a tuple `[k v]` (read back split);
/// - keys, and a nemesis value that looks like a tuple (the reader splits nemesis values
///   of an independent history too).
pub fn edn_unwritable(ops: &[Op]) -> Option<&'static str> {
    if ops.iter().any(|op| !plain_keyword(&op.f)) {
        return Some("a function that is not a plain keyword name");
    }
    if ops.iter().any(|op| op.time_ns > i64::MAX as u64) {
        return Some("a time beyond i64");
    }
    let big_process =
        |op: &Op| matches!(op.process, crate::Process::Client(p) if p > i64::MAX as u64);
    if ops.iter().any(big_process) {
        return Some("a process beyond i64");
    }
    if ops.iter().any(|op| !fits_edn(&op.value, 0)) {
        return Some("a value nested deeper than the EDN reader allows");
    }
    let clients: Vec<&Op> = ops.iter().filter(|op| op.is_client()).collect();
    let keyed = clients.iter().filter(|op| op.key.is_some()).count();
    if keyed == 0 {
        if ops.iter().any(|op| op.key.is_some()) {
            return Some("a keyed nemesis op in a history of unkeyed clients");
        }
        let tuples = clients.iter().all(|op| looks_like_tuple(&op.f, &op.value));
        if !clients.is_empty() && tuples {
            return Some("unkeyed values that all look like jepsen.independent tuples");
        }
        return None;
    }
    if keyed < clients.len() {
        return Some("keys on some client ops but not all");
    }
    if clients
        .iter()
        .any(|op| op.f == "cas" && !matches!(op.value, Value::Array(_) | Value::Null))
    {
        return Some("a keyed cas whose value is not a pair");
    }
    if ops
        .iter()
        .any(|op| !op.is_client() && op.key.is_none() && looks_like_tuple("", &op.value))
    {
        return Some("a nemesis value that looks like a tuple in a keyed history");
    }
    None
}

/// Deepest value nesting the EDN writer's output may have: the reader allows 512 levels,
/// of which the op map and the tuple take two.
const EDN_VALUE_DEPTH: usize = 500;

fn fits_edn(v: &Value, depth: usize) -> bool {
    if depth > EDN_VALUE_DEPTH {
        return false;
    }
    match v {
        Value::Array(a) => a.iter().all(|x| fits_edn(x, depth + 1)),
        Value::Object(m) => m.values().all(|x| fits_edn(x, depth + 1)),
        _ => true,
    }
}

/// What the Jepsen reader takes for a `jepsen.independent` tuple.
fn looks_like_tuple(f: &str, v: &Value) -> bool {
    let Value::Array(t) = v else { return false };
    let scalar_key = match t.first() {
        Some(Value::Number(n)) => n.as_i64().is_some(),
        Some(Value::String(_)) => true,
        _ => false,
    };
    t.len() == 2 && scalar_key && (f != "cas" || matches!(t[1], Value::Array(_) | Value::Null))
}

/// Whether `:{f}` reads back as the keyword `f`: bytes the EDN reader takes in a keyword.
pub fn plain_keyword(f: &str) -> bool {
    !f.is_empty()
        && !f.starts_with(':')
        && f.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".*+!-_?$%&=<>/':#".contains(&b))
}
