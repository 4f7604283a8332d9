//! How every checker of `consensus` and `services` builds its verdict: anomalies go in one
//! by one (at most [`MAX_ANOMALIES`] listed, the rest counted; at most [`MAX_OPS`] ops
//! each), stats are set by name, and [`Report::finish`] applies the one rule: a violation
//! makes the verdict invalid, a history that cannot be judged makes it unknown (with the
//! reason), anything else is valid. The `anomalies` stat counts them all, listed or not.
//!
//! Each family keeps its own helpers next to its checkers: `consensus::report` (a report
//! listing the faults, how instances and decisions are told) and `services::common` (how
//! ops are named, which reads are final).

use history::{Anomaly, History, Key, Malformed, OpSpan, Validity, Value, Verdict};
use serde_json::json;

/// At most this many anomalies are listed in one verdict; the rest are counted.
pub const MAX_ANOMALIES: usize = 100;
/// At most this many ops are attached to one anomaly.
pub const MAX_OPS: usize = 24;

/// A verdict being built.
pub struct Report {
    verdict: Verdict,
    omitted: usize,
    unknown: Option<String>,
    malformed: Option<Malformed>,
}

impl Report {
    /// A report for the checker `name`: valid until told otherwise.
    pub fn new(name: &str) -> Report {
        Report {
            verdict: Verdict::new(name, Validity::Valid),
            omitted: 0,
            unknown: None,
            malformed: None,
        }
    }

    /// A liveness property (termination).
    pub fn liveness(mut self) -> Report {
        self.verdict.liveness = true;
        self
    }

    pub fn stat(&mut self, name: &str, value: Value) {
        self.verdict.stats.insert(name.into(), value);
    }

    /// The history cannot be judged (the verdict is unknown unless a violation was found).
    pub fn cannot_judge(&mut self, reason: String) {
        self.unknown = Some(reason);
    }

    /// Record a violation of kind `kind`, of no key.
    pub fn violation(&mut self, kind: &str, explanation: String, ops: Vec<OpSpan>, data: Value) {
        self.violation_at(kind, None, explanation, ops, data);
    }

    /// Record a violation of kind `kind` at `key`.
    pub fn violation_at(
        &mut self,
        kind: &str,
        key: Option<Key>,
        explanation: String,
        ops: Vec<OpSpan>,
        data: Value,
    ) {
        self.push(Anomaly {
            kind: kind.into(),
            key,
            explanation,
            ops,
            data,
        });
    }

    /// Record a violation of the kind the checker is named after, at `key`.
    pub fn own_violation(
        &mut self,
        key: Option<Key>,
        explanation: String,
        ops: Vec<OpSpan>,
        data: Value,
    ) {
        let kind = self.verdict.checker.clone();
        self.violation_at(&kind, key, explanation, ops, data);
    }

    /// Op `index` cannot be read (a value of the wrong shape): the history cannot be
    /// judged as a whole (see [`Verdict::note_malformed`]). The first is kept, the rest
    /// counted.
    pub fn malformed(&mut self, history: &History, index: usize, message: impl Into<String>) {
        self.malformed_ops(Malformed::at(history, index, message));
    }

    /// Malformed ops found elsewhere (the first of them, with their count).
    pub fn malformed_ops(&mut self, m: Malformed) {
        m.merge_into(&mut self.malformed);
    }

    /// Count `n` violations past the listed ones, without building them.
    pub fn omitted(&mut self, n: usize) {
        self.omitted += n;
    }

    /// Record an anomaly already built.
    pub fn push(&mut self, mut anomaly: Anomaly) {
        if self.verdict.anomalies.len() >= MAX_ANOMALIES {
            self.omitted += 1;
            return;
        }
        anomaly.ops.truncate(MAX_OPS);
        self.verdict.anomalies.push(anomaly);
    }

    /// Whether every further violation would only be counted: a checker with many may
    /// then count the rest with [`Report::omitted`] instead of building each.
    pub fn is_full(&self) -> bool {
        self.verdict.anomalies.len() >= MAX_ANOMALIES
    }

    /// How many violations were recorded so far, listed or not.
    pub fn told(&self) -> usize {
        self.verdict.anomalies.len() + self.omitted
    }

    pub fn finish(mut self) -> Verdict {
        let v = &mut self.verdict;
        v.validity = if !v.anomalies.is_empty() || self.omitted > 0 {
            Validity::Invalid
        } else if self.unknown.is_some() {
            Validity::Unknown
        } else {
            Validity::Valid
        };
        if v.validity == Validity::Unknown {
            v.reason = self.unknown;
        }
        v.stats
            .insert("anomalies".into(), json!(v.anomalies.len() + self.omitted));
        if let Some(m) = self.malformed {
            v.note_malformed(m);
        }
        self.verdict
    }
}

/// The span of the client op invoked at `invoke`.
pub fn span(history: &History, invoke: usize) -> OpSpan {
    let ops = history.ops();
    let completion = history.partner(invoke).map(|c| &ops[c]);
    OpSpan::new(&ops[invoke], completion, history.line(invoke))
}

/// A value as compact JSON, shortened when long.
pub fn show(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() <= 80 {
        return s;
    }
    let head: String = s.chars().take(77).collect();
    format!("{head}...")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn violations_beat_unknown_and_are_capped() {
        let mut r = Report::new("x");
        r.cannot_judge("no data".into());
        for _ in 0..MAX_ANOMALIES + 3 {
            r.own_violation(None, "bad".into(), vec![], Value::Null);
        }
        let v = r.finish();
        assert_eq!(v.validity, Validity::Invalid);
        assert_eq!(v.anomalies.len(), MAX_ANOMALIES);
        assert_eq!(v.anomalies[0].kind, "x");
        assert_eq!(v.stats["anomalies"], json!(MAX_ANOMALIES + 3));
        assert_eq!(v.reason, None);
        let mut r = Report::new("x");
        r.cannot_judge("no data".into());
        let v = r.finish();
        assert_eq!(v.validity, Validity::Unknown);
        assert_eq!(v.reason.as_deref(), Some("no data"));
        assert_eq!(v.stats["anomalies"], json!(0));
        assert_eq!(Report::new("x").finish().validity, Validity::Valid);
    }

    #[test]
    fn an_anomaly_keeps_at_most_max_ops() {
        let h = History::from_ops(
            vec![
                history::Op::client(0, history::OpType::Invoke, "read", Value::Null),
                history::Op::client(0, history::OpType::Ok, "read", json!(1)),
            ],
            history::Dialect::Schism,
        )
        .unwrap();
        let mut r = Report::new("x");
        r.violation(
            "y",
            "bad".into(),
            vec![span(&h, 0); MAX_OPS + 5],
            Value::Null,
        );
        let v = r.finish();
        assert_eq!(
            (v.anomalies[0].kind.as_str(), v.anomalies[0].ops.len()),
            ("y", MAX_OPS)
        );
    }

    #[test]
    fn long_values_are_shortened() {
        assert_eq!(show(&json!([1, 2])), "[1,2]");
        let long = show(&json!("x".repeat(200)));
        assert_eq!((long.chars().count(), long.ends_with("...")), (80, true));
    }
}
