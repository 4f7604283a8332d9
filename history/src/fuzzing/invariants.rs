//! What every history a reader returns must satisfy, and every error it gives.

use crate::error::HistoryError;
use crate::history::History;
use crate::op::{OpType, Process};
use std::collections::{HashMap, HashSet};

/// The last line of `text` an error or an op may name (1-based; one past a final newline,
/// where an error at the end of the input is).
pub fn last_line(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'\n').count() + 1
}

/// A history is well formed: ops numbered in order, times that never go back, each
/// completion paired both ways with the open invocation of the same process and function,
/// nemesis ops unpaired, lines within the text and in order.
pub fn assert_well_formed(h: &History, text: &str) {
    let ops = h.ops();
    let last = last_line(text);
    let mut functions = HashSet::new();
    let mut open = HashMap::new();
    for (i, op) in ops.iter().enumerate() {
        assert_eq!(op.index, i as u64, "op {i} is numbered {}", op.index);
        let line = h.line(i);
        assert!(
            (1..=last).contains(&line),
            "op {i} is on line {line}, the text has {last}"
        );
        if i > 0 {
            assert!(ops[i - 1].time_ns <= op.time_ns, "time goes back at op {i}");
            assert!(
                h.line(i - 1) <= line,
                "op {i} is on an earlier line than op {}",
                i - 1
            );
        }
        match (op.process, h.partner(i)) {
            (Process::Nemesis, p) => assert_eq!(p, None, "nemesis op {i} has a partner"),
            (Process::Client(_), None) => {
                assert_eq!(op.kind, OpType::Invoke, "completion {i} has no invocation")
            }
            (Process::Client(_), Some(j)) => {
                let other = &ops[j];
                assert_eq!(
                    h.partner(j),
                    Some(i),
                    "op {i} and op {j} do not pair both ways"
                );
                assert_eq!(
                    other.process, op.process,
                    "op {i} pairs with another process"
                );
                assert_eq!(other.f, op.f, "op {i} pairs with another function");
                assert_eq!(
                    (op.kind == OpType::Invoke),
                    (i < j),
                    "op {i} pairs backwards"
                );
                assert_ne!(
                    op.kind == OpType::Invoke,
                    other.kind == OpType::Invoke,
                    "op {i} pairs with an op of its own kind"
                );
            }
        }
        if let Process::Client(p) = op.process {
            let was = if op.kind == OpType::Invoke {
                open.insert(p, i)
            } else {
                open.remove(&p)
            };
            let expected = (op.kind != OpType::Invoke).then(|| h.partner(i)).flatten();
            assert_eq!(
                was, expected,
                "process {p} at op {i}: not one open op at a time"
            );
        }
        if op.is_client() && op.kind == OpType::Invoke {
            functions.insert(op.f.clone());
        }
    }
    let listed: HashSet<_> = h.functions().iter().cloned().collect();
    assert_eq!(listed.len(), h.functions().len(), "functions listed twice");
    assert_eq!(
        listed, functions,
        "functions() is not the set of invoked functions"
    );
    assert_eq!(
        h.timed,
        ops.iter().any(|op| op.time_ns != 0),
        "timed does not say whether ops have times"
    );
}

/// An error names a line of the text (1-based) and, when it has one, a column from 1.
pub fn assert_error_in_text(e: &HistoryError, text: &str) {
    let last = last_line(text);
    if let Some(line) = e.line {
        assert!(
            (1..=last).contains(&line),
            "error on line {line}, the text has {last}: {e}"
        );
    }
    if let Some(column) = e.column {
        assert!(column >= 1, "columns count from 1: {e}");
    }
    assert!(!e.message.is_empty(), "an error without a message");
}
