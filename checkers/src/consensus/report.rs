//! Building the verdicts of these checkers: anomalies with their ops and facts, the stats
//! every verdict carries, and the rule that a violation makes a verdict invalid, a history
//! that cannot be judged makes it unknown, and anything else is valid.

use super::decisions::Decision;
use super::faulty::Faults;
use history::{Anomaly, History, Key, OpSpan, Validity, Value, Verdict};
use serde_json::json;

/// At most this many anomalies are listed in one verdict; the rest are counted.
const MAX_ANOMALIES: usize = 100;
/// At most this many ops are attached to one anomaly.
const MAX_OPS: usize = 24;

/// A verdict being built.
pub struct Report {
    verdict: Verdict,
    omitted: usize,
    unknown: Option<String>,
}

impl Report {
    /// A report for a checker, with the faults every verdict lists.
    pub fn new(name: &str, faults: &Faults, skipped: u64) -> Report {
        let mut verdict = Verdict::new(name, Validity::Valid);
        verdict.stats.insert("faults".into(), faults.json());
        verdict
            .stats
            .insert("skipped_ops".into(), json!(skipped + faults.skipped));
        Report {
            verdict,
            omitted: 0,
            unknown: None,
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

    /// Record a violation, of the kind the checker is named after.
    pub fn violation(
        &mut self,
        key: Option<Key>,
        explanation: String,
        ops: Vec<OpSpan>,
        data: Value,
    ) {
        let kind = self.verdict.checker.clone();
        self.violation_of(&kind, key, explanation, ops, data);
    }

    /// Record a violation of a kind other than the checker's name.
    pub fn violation_of(
        &mut self,
        kind: &str,
        key: Option<Key>,
        explanation: String,
        ops: Vec<OpSpan>,
        data: Value,
    ) {
        if self.verdict.anomalies.len() >= MAX_ANOMALIES {
            self.omitted += 1;
            return;
        }
        self.verdict.anomalies.push(Anomaly {
            kind: kind.into(),
            key,
            explanation,
            ops: ops.into_iter().take(MAX_OPS).collect(),
            data,
        });
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

/// How an instance is named in an explanation.
pub fn instance(key: &Option<Key>) -> String {
    match key {
        Some(k) => format!("instance {k}"),
        None => "the instance (no key)".to_string(),
    }
}

/// A decision told in an explanation: `n1 decided 9 (final read, line 8)`.
pub fn decided(d: &Decision) -> String {
    format!("{} decided {} ({})", d.node, show(&d.value), d.seen())
}

/// The reason a history without a final phase cannot be judged.
pub fn no_final_phase(f: &str) -> String {
    format!(
        "the history has no final phase (no `{f}` ops): what the nodes decided at the end \
         was never read, so this property cannot be judged"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn violations_beat_unknown_and_are_capped() {
        let mut r = Report::new("x", &Faults::default(), 0);
        r.cannot_judge("no data".into());
        for _ in 0..MAX_ANOMALIES + 3 {
            r.violation(None, "bad".into(), vec![], Value::Null);
        }
        let v = r.finish();
        assert_eq!(v.validity, Validity::Invalid);
        assert_eq!(v.anomalies.len(), MAX_ANOMALIES);
        assert_eq!(v.stats["anomalies"], json!(MAX_ANOMALIES + 3));
        assert_eq!(v.reason, None);
        let mut r = Report::new("x", &Faults::default(), 0);
        r.cannot_judge("no data".into());
        assert_eq!(r.finish().validity, Validity::Unknown);
    }
}
