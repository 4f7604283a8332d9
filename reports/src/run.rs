//! `results.json` of `schism run`: what ran, with which seed, what happened, and the
//! verdict of every checker.
//!
//! Fields: `test`; `run_id` (the label value of the run's containers); `seed`; `system`;
//! `workload`; `nodes`; `concurrency`; `started` (UTC); `duration_s` (from the first op to
//! the last); `cluster_ready_ms` (from asking for the cluster to every node ready); `valid`
//! (true, false or "unknown": the safety properties only); `liveness` (the same for the
//! liveness properties, such as termination, when the workload has any: a run that did not
//! terminate is not a safety bug); `interrupted` (stopped by Ctrl-C); `error` (why the run
//! stopped early); `ops` (`ok`, `fail`, `info` completions); `ops_per_s`; `faults` (each
//! nemesis op: `time_s`, `f`, `value`); `checkers` (each a verdict: `checker`, `valid`,
//! `reason`, `anomalies`, `stats`); and `history` (the history file, beside it).

use history::{Op, OpType, Process, Validity, Verdict};
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OpCounts {
    pub ok: u64,
    pub fail: u64,
    pub info: u64,
}

/// One nemesis op, for the record of faults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultRecord {
    pub time_s: f64,
    pub f: String,
    pub value: serde_json::Value,
}

impl FaultRecord {
    /// Its time in ns since the history began.
    pub fn time_ns(&self) -> u64 {
        (self.time_s * 1e9).round().max(0.0) as u64
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    pub test: String,
    /// Every Docker object of the run was labelled `schism.run=<run_id>`.
    pub run_id: String,
    pub seed: u64,
    pub system: String,
    pub workload: String,
    pub nodes: usize,
    pub concurrency: usize,
    pub started: String,
    pub duration_s: f64,
    /// From asking for the cluster to every node ready.
    pub cluster_ready_ms: f64,
    pub valid: Validity,
    /// The worst verdict of the liveness checkers, if any ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liveness: Option<Validity>,
    pub interrupted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub ops: OpCounts,
    pub ops_per_s: f64,
    /// When the first anomaly named by a safety checker had shown itself, in seconds on
    /// the history's clock (the run's start is 0): the earliest, over the invalid safety
    /// verdicts, of [`Verdict::first_anomaly_ns`]. Absent when no checker names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_anomaly_s: Option<f64>,
    pub faults: Vec<FaultRecord>,
    pub checkers: Vec<Verdict>,
    pub history: String,
}

/// At most this many anomalies of each checker are printed on a terminal; the rest are
/// counted.
pub const TERMINAL_ANOMALIES: usize = 3;

/// The listed anomalies' kinds with their counts: `lost ×97, unexpected ×3`.
fn kinds(anomalies: &[history::Anomaly]) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for a in anomalies {
        match counts.iter_mut().find(|(k, _)| *k == a.kind) {
            Some((_, n)) => *n += 1,
            None => counts.push((&a.kind, 1)),
        }
    }
    let parts: Vec<String> = counts.iter().map(|(k, n)| format!("{k} ×{n}")).collect();
    format!("listed: {}", parts.join(", "))
}

impl RunResult {
    /// Counts, rate and faults from the history itself.
    pub fn tally(ops: &[Op]) -> (OpCounts, f64, Vec<FaultRecord>, f64) {
        let mut c = OpCounts::default();
        let mut faults = Vec::new();
        for op in ops {
            match (op.process, op.kind) {
                (Process::Nemesis, _) => faults.push(FaultRecord {
                    time_s: op.time_ns as f64 / 1e9,
                    f: op.f.to_string(),
                    value: op.value.clone(),
                }),
                (_, OpType::Ok) => c.ok += 1,
                (_, OpType::Fail) => c.fail += 1,
                (_, OpType::Info) => c.info += 1,
                _ => {}
            }
        }
        let span_s = match (ops.first(), ops.last()) {
            (Some(a), Some(b)) => (b.time_ns.saturating_sub(a.time_ns)) as f64 / 1e9,
            _ => 0.0,
        };
        let total = (c.ok + c.fail + c.info) as f64;
        let rate = if span_s > 0.0 { total / span_s } else { 0.0 };
        (c, rate, faults, span_s)
    }

    /// The safety verdict and the liveness verdict (if any liveness checker ran) of these
    /// checkers' verdicts.
    pub fn verdicts(checkers: &[Verdict]) -> (Validity, Option<Validity>) {
        let c = history::Composed::of(checkers);
        (c.safety, c.liveness)
    }

    /// [`RunResult::first_anomaly_s`] of these verdicts.
    pub fn first_anomaly_s(checkers: &[Verdict]) -> Option<f64> {
        checkers
            .iter()
            .filter(|v| !v.liveness)
            .filter_map(Verdict::first_anomaly_ns)
            .min()
            .map(|ns| ns as f64 / 1e9)
    }

    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(path, text + "\n")
    }

    /// A few lines for a terminal.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} on {} ({} nodes, seed {}): {}\n  {} ok, {} fail, {} info in {:.1} s ({:.0} ops/s); {} nemesis ops",
            self.workload,
            self.system,
            self.nodes,
            self.seed,
            self.valid.as_str(),
            self.ops.ok,
            self.ops.fail,
            self.ops.info,
            self.duration_s,
            self.ops_per_s,
            self.faults.len()
        );
        if let Some(t) = self.first_anomaly_s {
            s.push_str(&format!("\n  first anomaly shown at {t:.3} s"));
        }
        if let Some(l) = self.liveness {
            s.push_str(&format!("\n  liveness: {}", l.as_str()));
        }
        for v in &self.checkers {
            let kind = if v.liveness { " (liveness)" } else { "" };
            s.push_str(&format!("\n  {}{kind}: {}", v.checker, v.validity.as_str()));
            if let Some(r) = &v.reason {
                s.push_str(&format!(" ({r})"));
            }
            for a in v.anomalies.iter().take(TERMINAL_ANOMALIES) {
                for line in a.explanation.lines() {
                    s.push_str(&format!("\n    {line}"));
                }
            }
            let all = v.stats.get("anomalies").and_then(|n| n.as_u64());
            let all = all.map_or(v.anomalies.len(), |n| n as usize);
            if all > TERMINAL_ANOMALIES.min(v.anomalies.len()) {
                let kinds = kinds(&v.anomalies);
                s.push_str(&format!(
                    "\n    ... {all} anomalies in all ({kinds}); every listed one is in results.json and report.html"
                ));
            }
        }
        if self.interrupted {
            s.push_str("\n  interrupted: checked what was recorded");
        }
        if let Some(e) = &self.error {
            s.push_str(&format!("\n  stopped early: {e}"));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tallies_come_from_the_history() {
        let mut ops = vec![
            Op::client(0, OpType::Invoke, "read", json!(null)).with_time_ns(0),
            Op::client(0, OpType::Ok, "read", json!(1)).with_time_ns(1_000_000_000),
            Op::client(1, OpType::Invoke, "write", json!(1)).with_time_ns(1_000_000_000),
            Op::client(1, OpType::Info, "write", json!(1)).with_time_ns(2_000_000_000),
        ];
        let mut n = Op::client(0, OpType::Info, "start-kill", json!({"nodes": ["n1"]}));
        n.process = Process::Nemesis;
        ops.insert(1, n);
        let (c, rate, faults, span) = RunResult::tally(&ops);
        assert_eq!(
            c,
            OpCounts {
                ok: 1,
                fail: 0,
                info: 1
            }
        );
        assert_eq!(span, 2.0);
        assert_eq!(rate, 1.0);
        assert_eq!(faults[0].f, "start-kill");
    }

    #[test]
    fn a_terminal_gets_a_few_anomalies_and_a_count() {
        let mut v = Verdict::new("set", Validity::Invalid);
        v.anomalies = (0..100)
            .map(|e| history::Anomaly {
                kind: if e < 97 { "lost" } else { "unexpected" }.into(),
                key: None,
                explanation: format!("element {e} is wrong"),
                ops: Vec::new(),
                data: json!({"element": e}),
            })
            .collect();
        v.stats.insert("anomalies".into(), json!(250));
        let r = RunResult {
            test: "t".into(),
            run_id: "r".into(),
            seed: 1,
            system: "redis".into(),
            workload: "set".into(),
            nodes: 3,
            concurrency: 3,
            started: String::new(),
            duration_s: 1.0,
            cluster_ready_ms: 0.0,
            valid: Validity::Invalid,
            liveness: None,
            interrupted: false,
            error: None,
            ops: OpCounts::default(),
            ops_per_s: 0.0,
            first_anomaly_s: None,
            faults: Vec::new(),
            checkers: vec![v],
            history: "history.jsonl".into(),
        };
        let s = r.summary();
        assert!(s.contains("element 2 is wrong"), "{s}");
        assert!(!s.contains("element 3 is wrong"), "{s}");
        assert!(
            s.contains("250 anomalies in all (listed: lost ×97, unexpected ×3)"),
            "{s}"
        );
    }
}
