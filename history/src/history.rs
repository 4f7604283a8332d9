//! A whole history: ops in real-time order, each completion paired with its invocation.

use crate::error::HistoryError;
use crate::op::{Op, OpType, Process};
use smol_str::SmolStr;
use std::collections::HashMap;

/// No partner: an invocation that never completed, or a nemesis op.
pub const NO_PARTNER: u32 = u32::MAX;

/// How a history's `fail` ops and `nil` reads are to be understood. Readers choose the
/// dialect of their format; a user can override it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// How Jepsen's Knossos reads its EDN histories: a `fail` op never happened and is
    /// dropped; a read that returns nil tells nothing.
    Knossos,
    /// How Porcupine reads its logs: a failed CAS did happen and observed a value other
    /// than its `from` (a failed read or write never happened); a read of nil means the
    /// register still holds its initial nil.
    Porcupine,
    /// schism's native histories: a `fail` op never happened, except a CAS whose error is
    /// [`COMPARE_FAILED`], which happened and observed another value; a read of nil means
    /// the register still holds its initial nil. (A client's `fail` can mean either "never
    /// reached the system" or "the comparison did not hold": only the second observed
    /// anything.)
    Schism,
}

/// The error of a CAS completion whose comparison did not hold (it observed the state).
pub const COMPARE_FAILED: &str = "compare-failed";

impl Dialect {
    /// Whether a `fail` completion with this error observed the state (a CAS).
    pub fn fail_observed(self, error: Option<&crate::Value>) -> bool {
        match self {
            Dialect::Knossos => false,
            Dialect::Porcupine => true,
            Dialect::Schism => error.and_then(|e| e.as_str()) == Some(COMPARE_FAILED),
        }
    }
}

impl Dialect {
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Knossos => "knossos",
            Dialect::Porcupine => "porcupine",
            Dialect::Schism => "schism",
        }
    }
    pub fn parse(s: &str) -> Option<Dialect> {
        match s {
            "knossos" => Some(Dialect::Knossos),
            "porcupine" => Some(Dialect::Porcupine),
            "schism" => Some(Dialect::Schism),
            _ => None,
        }
    }
}

/// How far an op's `time` may lie before an earlier line's and still be taken as the
/// clock's jitter rather than a history out of order: Jepsen's workers read the clock
/// before their op is appended, so its `:time` values can go back by a little.
pub const MAX_TIME_INVERSION_NS: u64 = 1_000_000_000;

/// Times that went backwards in a history (within [`MAX_TIME_INVERSION_NS`]): each such
/// op's time was raised to the time before it, so times never go back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimeInversions {
    pub count: u64,
    /// The largest step back, in nanoseconds.
    pub max_ns: u64,
    /// The line of the first one.
    pub first_line: usize,
}

/// A well-formed history: every client process has at most one open op, every completion
/// follows an open invocation of the same process and function. Real-time order is the
/// order of its lines; times never go back (small inversions are evened out and counted).
#[derive(Debug, Clone)]
pub struct History {
    ops: Vec<Op>,
    partner: Vec<u32>,
    lines: Vec<u32>,
    functions: Vec<SmolStr>,
    /// How `fail` ops and nil reads are to be understood.
    pub dialect: Dialect,
    /// Whether ops carry real times (`time_ns`), or only their order.
    pub timed: bool,
    /// The line left out because it was cut off at the end of the file, if any.
    pub torn_line: Option<usize>,
    /// Times that went back a little, if any did.
    pub time_inversions: Option<TimeInversions>,
}

impl History {
    /// Build a history from ops in order, checking that it is well formed.
    /// Each op's `index` is set to its position.
    pub fn from_ops(ops: Vec<Op>, dialect: Dialect) -> Result<History, HistoryError> {
        let mut b = HistoryBuilder::new(dialect);
        for (i, op) in ops.into_iter().enumerate() {
            b.push(op, i + 1)?;
        }
        Ok(b.finish())
    }

    pub fn ops(&self) -> &[Op] {
        &self.ops
    }
    pub fn len(&self) -> usize {
        self.ops.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
    /// The completion of an invocation, or the invocation of a completion.
    pub fn partner(&self, index: usize) -> Option<usize> {
        match self.partner[index] {
            NO_PARTNER => None,
            p => Some(p as usize),
        }
    }
    /// The distinct functions of client ops, in order of first use.
    pub fn functions(&self) -> &[SmolStr] {
        &self.functions
    }
    /// The line of the source file an op came from (1-based).
    pub fn line(&self, index: usize) -> usize {
        self.lines[index] as usize
    }
    /// Invocations of client processes, each with its completion (None: never completed).
    pub fn client_pairs(&self) -> impl Iterator<Item = (usize, Option<usize>)> + '_ {
        self.ops
            .iter()
            .enumerate()
            .filter(|(_, op)| op.kind == OpType::Invoke && op.is_client())
            .map(move |(i, _)| (i, self.partner(i)))
    }
    pub fn into_ops(self) -> Vec<Op> {
        self.ops
    }

    /// What a person should know about how the history was read: a torn last line, times
    /// that went back. Empty for a clean history.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if let Some(line) = self.torn_line {
            notes.push(format!(
                "line {line} is cut off at the end of the file (the writer stopped while \
                 writing it) and is left out; the ops before it are checked"
            ));
        }
        if let Some(t) = self.time_inversions {
            notes.push(format!(
                "time goes back on {} line(s), by at most {:.3} ms (first at line {}): \
                 real-time order is the order of the lines, and each such time was raised \
                 to the one before it",
                t.count,
                t.max_ns as f64 / 1e6,
                t.first_line
            ));
        }
        notes
    }
}

/// Builds a history op by op, checking well-formedness as it goes, so a reader can name the
/// line of the first violation.
pub struct HistoryBuilder {
    ops: Vec<Op>,
    partner: Vec<u32>,
    lines: Vec<u32>,
    functions: Vec<SmolStr>,
    open: HashMap<u64, u32>,
    dialect: Dialect,
    last_time_ns: u64,
    any_time: bool,
    torn_line: Option<usize>,
    inversions: Option<TimeInversions>,
}

impl HistoryBuilder {
    pub fn new(dialect: Dialect) -> Self {
        HistoryBuilder {
            ops: Vec::new(),
            partner: Vec::new(),
            lines: Vec::new(),
            functions: Vec::new(),
            open: HashMap::new(),
            dialect,
            last_time_ns: 0,
            any_time: false,
            torn_line: None,
            inversions: None,
        }
    }

    pub fn with_capacity(dialect: Dialect, n: usize) -> Self {
        let mut b = Self::new(dialect);
        b.ops.reserve(n);
        b.partner.reserve(n);
        b.lines.reserve(n);
        b
    }

    /// Append the next op, read from `line` of the source.
    pub fn push(&mut self, mut op: Op, line: usize) -> Result<(), HistoryError> {
        let index = self.ops.len();
        if index >= NO_PARTNER as usize {
            return Err(HistoryError::malformed(line, "more than 4 billion ops"));
        }
        if op.time_ns < self.last_time_ns {
            let back = self.last_time_ns - op.time_ns;
            if back > MAX_TIME_INVERSION_NS {
                return Err(HistoryError::malformed(
                    line,
                    format!(
                        "time goes backwards by {:.3} s: {} ns after {} ns on an earlier line; \
                         a history must be in real-time order (steps back of up to {} s are \
                         taken as clock jitter)",
                        back as f64 / 1e9,
                        op.time_ns,
                        self.last_time_ns,
                        MAX_TIME_INVERSION_NS / 1_000_000_000
                    ),
                ));
            }
            let t = self.inversions.get_or_insert(TimeInversions {
                first_line: line,
                ..TimeInversions::default()
            });
            t.count += 1;
            t.max_ns = t.max_ns.max(back);
            op.time_ns = self.last_time_ns;
        }
        self.last_time_ns = op.time_ns;
        self.any_time |= op.time_ns != 0;
        let mut partner = NO_PARTNER;
        if let Process::Client(p) = op.process {
            match (op.kind, self.open.get(&p).copied()) {
                (OpType::Invoke, Some(prev)) => {
                    return Err(HistoryError::malformed(
                        line,
                        format!(
                            "process {p} invokes {} while its {} from line {} is still open (a process has at most one open op)",
                            op.f, self.ops[prev as usize].f, self.lines[prev as usize]
                        ),
                    ))
                }
                (OpType::Invoke, None) => {
                    self.open.insert(p, index as u32);
                    if !self.functions.contains(&op.f) {
                        self.functions.push(op.f.clone());
                    }
                }
                (kind, None) => {
                    return Err(HistoryError::malformed(
                        line,
                        format!(
                            "process {p} completes {} ({}) but has no open invocation",
                            op.f,
                            kind.as_str()
                        ),
                    ))
                }
                (kind, Some(inv)) => {
                    let invoke = &self.ops[inv as usize];
                    if invoke.f != op.f {
                        return Err(HistoryError::malformed(
                            line,
                            format!(
                                "process {p} completes {} ({}) but its open invocation at line {} is {}",
                                op.f,
                                kind.as_str(),
                                self.lines[inv as usize],
                                invoke.f
                            ),
                        ));
                    }
                    if op.key.is_none() {
                        op.key = invoke.key.clone();
                    }
                    self.open.remove(&p);
                    partner = inv;
                    self.partner[inv as usize] = index as u32;
                }
            }
        }
        op.index = index as u64;
        self.ops.push(op);
        self.partner.push(partner);
        self.lines.push(line as u32);
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.ops.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// The source's last line, `line`, was cut off and left out.
    pub fn torn(&mut self, line: usize) {
        self.torn_line = Some(line);
    }

    pub fn finish(self) -> History {
        History {
            torn_line: self.torn_line,
            time_inversions: self.inversions,
            ops: self.ops,
            partner: self.partner,
            lines: self.lines,
            functions: self.functions,
            dialect: self.dialect,
            timed: self.any_time,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn op(p: u64, kind: OpType, f: &str) -> Op {
        Op::client(p, kind, f, json!(null))
    }

    #[test]
    fn pairs_invocations_with_completions() {
        let h = History::from_ops(
            vec![
                op(1, OpType::Invoke, "read"),
                op(2, OpType::Invoke, "write"),
                op(1, OpType::Ok, "read"),
                op(2, OpType::Info, "write"),
                op(3, OpType::Invoke, "read"),
            ],
            Dialect::Knossos,
        )
        .unwrap();
        let pairs: Vec<_> = h.client_pairs().collect();
        assert_eq!(pairs, vec![(0, Some(2)), (1, Some(3)), (4, None)]);
        assert_eq!(h.partner(3), Some(1));
        assert_eq!(h.ops()[4].index, 4);
        assert_eq!(h.functions(), ["read", "write"]);
    }

    #[test]
    fn rejects_malformed_histories_naming_the_line() {
        let cases: Vec<(Vec<Op>, usize, &str)> = vec![
            (
                vec![op(1, OpType::Invoke, "read"), op(1, OpType::Invoke, "read")],
                2,
                "still open",
            ),
            (vec![op(1, OpType::Ok, "read")], 1, "no open invocation"),
            (
                vec![op(1, OpType::Invoke, "read"), op(1, OpType::Ok, "write")],
                2,
                "is read",
            ),
            (
                vec![
                    op(1, OpType::Invoke, "read").with_time_ns(2_000_000_010),
                    op(1, OpType::Ok, "read").with_time_ns(5),
                ],
                2,
                "time goes backwards by 2.000 s",
            ),
        ];
        for (ops, line, needle) in cases {
            let e = History::from_ops(ops, Dialect::Knossos).unwrap_err();
            assert_eq!(e.line, Some(line), "{e}");
            assert!(e.message.contains(needle), "{e}");
        }
    }

    #[test]
    fn small_time_inversions_are_evened_out_and_counted() {
        let h = History::from_ops(
            vec![
                op(1, OpType::Invoke, "read").with_time_ns(66_867_075),
                op(2, OpType::Invoke, "read").with_time_ns(66_786_847),
                op(1, OpType::Ok, "read").with_time_ns(70_000_000),
                op(2, OpType::Ok, "read").with_time_ns(69_000_000),
            ],
            Dialect::Knossos,
        )
        .unwrap();
        let t = h.time_inversions.unwrap();
        assert_eq!((t.count, t.max_ns, t.first_line), (2, 1_000_000, 2));
        let times: Vec<u64> = h.ops().iter().map(|o| o.time_ns).collect();
        assert_eq!(times, [66_867_075, 66_867_075, 70_000_000, 70_000_000]);
        assert!(
            h.notes()[0].contains("time goes back on 2 line(s)"),
            "{:?}",
            h.notes()
        );
    }
}
