//! A bench against a baseline (an earlier `bench.json`), point by point (the same
//! concurrency): it fails when the mean throughput falls by more than the tolerance, or the
//! mean p99 latency rises by more than it.
//!
//! Latencies below the floor (`latency_floor_ms`) are taken as the floor when judged, so the
//! jitter of sub-millisecond latencies (an in-process system, a scheduler's hiccup) does not
//! fail the gate; the table still shows the measured values. A floor of 0 judges them as
//! they are.

use super::model::Bench;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// How one figure compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Fail,
}

/// One figure of one point, old and new.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub concurrency: usize,
    /// `throughput` (ok ops/s) or `p99` (ms).
    pub metric: String,
    pub old: f64,
    pub new: f64,
    /// (new − old) / old; None when old is 0.
    pub change: Option<f64>,
    pub verdict: Verdict,
    /// Why a verdict is not what the change alone says (the latency floor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A bench compared with its baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The baseline file, as given.
    pub baseline: String,
    pub tolerance: f64,
    pub latency_floor_ms: f64,
    pub rows: Vec<Row>,
    /// Concurrency levels of this bench the baseline has no figures for.
    pub unmatched: Vec<usize>,
    pub passed: bool,
}

/// Room for rounding, so a change of exactly the tolerance passes.
const EPSILON: f64 = 1e-9;

fn change(old: f64, new: f64) -> Option<f64> {
    (old != 0.0).then(|| (new - old) / old)
}

/// Throughput fails when it falls by more than `tolerance` (a fraction: 0.1 is 10 %).
pub fn judge_throughput(old: f64, new: f64, tolerance: f64) -> Verdict {
    match change(old, new) {
        Some(c) if c < -(tolerance + EPSILON) => Verdict::Fail,
        _ => Verdict::Pass,
    }
}

/// p99 fails when it rises by more than `tolerance`, both values taken as at least
/// `floor_ms`.
pub fn judge_p99(old: f64, new: f64, tolerance: f64, floor_ms: f64) -> Verdict {
    let (old, new) = (old.max(floor_ms), new.max(floor_ms));
    match change(old, new) {
        Some(c) if c > tolerance + EPSILON => Verdict::Fail,
        None if new > old => Verdict::Fail,
        _ => Verdict::Pass,
    }
}

/// The levels of `levels` the baseline has throughput for.
pub fn matching_levels(baseline: &Bench, levels: &[usize]) -> Vec<usize> {
    levels
        .iter()
        .copied()
        .filter(|c| baseline.point(*c).is_some_and(|p| p.throughput.is_some()))
        .collect()
}

/// Read a baseline and check it has figures for some of `levels`; an error names the file
/// and what is wrong with it.
pub fn read_baseline(path: &Path, levels: &[usize]) -> Result<Bench, String> {
    let name = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("baseline {name}: cannot read it: {e}"))?;
    let bench: Bench = serde_json::from_str(&text)
        .map_err(|e| format!("baseline {name}: not a bench.json: {e}"))?;
    if matching_levels(&bench, levels).is_empty() {
        let theirs: Vec<String> = bench
            .points
            .iter()
            .filter(|p| p.throughput.is_some())
            .map(|p| p.concurrency.to_string())
            .collect();
        let ours: Vec<String> = levels.iter().map(|c| c.to_string()).collect();
        return Err(format!(
            "baseline {name}: no point matches a concurrency level of this bench (it has {}; \
             this bench runs {})",
            if theirs.is_empty() {
                "no measured points".to_string()
            } else {
                theirs.join(", ")
            },
            ours.join(", ")
        ));
    }
    Ok(bench)
}

/// Compare every point of `new` with the baseline's point of the same concurrency.
pub fn compare(
    old: &Bench,
    new: &Bench,
    baseline: &str,
    tolerance: f64,
    latency_floor_ms: f64,
) -> Comparison {
    let mut rows = Vec::new();
    let mut unmatched = Vec::new();
    for p in &new.points {
        let Some(q) = old.point(p.concurrency) else {
            unmatched.push(p.concurrency);
            continue;
        };
        let (Some(old_t), Some(new_t)) = (q.throughput, p.throughput) else {
            unmatched.push(p.concurrency);
            continue;
        };
        rows.push(Row {
            concurrency: p.concurrency,
            metric: "throughput".into(),
            old: old_t.mean,
            new: new_t.mean,
            change: change(old_t.mean, new_t.mean),
            verdict: judge_throughput(old_t.mean, new_t.mean, tolerance),
            note: None,
        });
        if let (Some(o), Some(n)) = (q.latency_ms, p.latency_ms) {
            let (o, n) = (o.p99.mean, n.p99.mean);
            let verdict = judge_p99(o, n, tolerance, latency_floor_ms);
            let raw = judge_p99(o, n, tolerance, 0.0);
            rows.push(Row {
                concurrency: p.concurrency,
                metric: "p99".into(),
                old: o,
                new: n,
                change: change(o, n),
                verdict,
                note: (verdict != raw).then(|| format!("under the {latency_floor_ms} ms floor")),
            });
        }
    }
    let passed = rows.iter().all(|r| r.verdict == Verdict::Pass);
    Comparison {
        baseline: baseline.to_string(),
        tolerance,
        latency_floor_ms,
        rows,
        unmatched,
        passed,
    }
}

/// A change as a signed percentage.
pub fn percent(change: Option<f64>) -> String {
    change.map_or("–".into(), |c| format!("{:+.1} %", c * 100.0))
}

/// A metric with its unit: `throughput (ops/s)`, `p99 (ms)`.
pub fn metric_label(metric: &str) -> String {
    let unit = if metric == "throughput" {
        "ops/s"
    } else {
        "ms"
    };
    format!("{metric} ({unit})")
}

/// The comparison as a text table for a terminal.
pub fn table(c: &Comparison) -> String {
    let mut lines = vec![[
        "concurrency".to_string(),
        "metric".into(),
        "old".into(),
        "new".into(),
        "change".into(),
        "verdict".into(),
    ]];
    for r in &c.rows {
        let mut verdict = match r.verdict {
            Verdict::Pass => "pass".to_string(),
            Verdict::Fail => format!(
                "FAIL: {} {} by more than {:.0} %",
                r.metric,
                if r.metric == "throughput" {
                    "fell"
                } else {
                    "rose"
                },
                c.tolerance * 100.0
            ),
        };
        if let Some(n) = &r.note {
            verdict.push_str(&format!(" ({n})"));
        }
        lines.push([
            r.concurrency.to_string(),
            metric_label(&r.metric),
            format!("{:.3}", r.old),
            format!("{:.3}", r.new),
            percent(r.change),
            verdict,
        ]);
    }
    let mut out = super::text::columns(&lines, |i| (2..5).contains(&i));
    for u in &c.unmatched {
        out.push_str(&format!(
            "concurrency {u}: not in the baseline, not compared\n"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::model::{Machine, Point, QuantileSpread, Spread, Status};

    #[test]
    fn throughput_fails_on_a_drop_beyond_the_tolerance() {
        assert_eq!(judge_throughput(1000.0, 890.0, 0.1), Verdict::Fail);
        assert_eq!(judge_throughput(1000.0, 910.0, 0.1), Verdict::Pass);
        assert_eq!(judge_throughput(1000.0, 900.0, 0.1), Verdict::Pass);
        assert_eq!(judge_throughput(1000.0, 2000.0, 0.1), Verdict::Pass);
        assert_eq!(judge_throughput(0.0, 0.0, 0.1), Verdict::Pass);
        assert_eq!(judge_throughput(100.0, 50.0, 0.6), Verdict::Pass);
    }

    #[test]
    fn p99_fails_on_a_rise_beyond_the_tolerance_above_the_floor() {
        assert_eq!(judge_p99(100.0, 111.0, 0.1, 1.0), Verdict::Fail);
        assert_eq!(judge_p99(100.0, 109.0, 0.1, 1.0), Verdict::Pass);
        assert_eq!(judge_p99(100.0, 110.0, 0.1, 1.0), Verdict::Pass);
        assert_eq!(judge_p99(100.0, 50.0, 0.1, 1.0), Verdict::Pass);
        // Below the floor jitter passes; judged as measured without one.
        assert_eq!(judge_p99(0.02, 0.05, 0.1, 1.0), Verdict::Pass);
        assert_eq!(judge_p99(0.02, 0.05, 0.1, 0.0), Verdict::Fail);
        assert_eq!(judge_p99(0.5, 1.2, 0.1, 1.0), Verdict::Fail);
        assert_eq!(judge_p99(0.0, 0.1, 0.1, 0.0), Verdict::Fail);
        assert_eq!(judge_p99(0.0, 0.0, 0.1, 0.0), Verdict::Pass);
    }

    fn point(concurrency: usize, throughput: f64, p99: f64) -> Point {
        let s = |v: f64| Spread {
            mean: v,
            min: v,
            max: v,
        };
        let mut p = Point::new(concurrency);
        p.throughput = Some(s(throughput));
        p.latency_ms = Some(QuantileSpread {
            p50: s(p99 / 2.0),
            p90: s(p99),
            p99: s(p99),
            p999: s(p99),
            max: s(p99),
        });
        p
    }

    fn bench(points: Vec<Point>) -> Bench {
        Bench {
            command: Vec::new(),
            started: String::new(),
            updated: String::new(),
            status: Status::Complete,
            machine: Machine::this(),
            test: "t".into(),
            system: "memory".into(),
            workload: "register".into(),
            nodes: 3,
            rate: 0.0,
            time_limit_s: 1.0,
            nemesis: Vec::new(),
            seed: 1,
            seeds: 1,
            levels: points.iter().map(|p| p.concurrency).collect(),
            points,
            comparison: None,
        }
    }

    #[test]
    fn points_compare_by_concurrency() {
        let old = bench(vec![point(1, 1000.0, 10.0), point(2, 2000.0, 10.0)]);
        let new = bench(vec![
            point(1, 1000.0, 10.9),
            point(2, 1780.0, 10.0),
            point(4, 9.0, 9.0),
        ]);
        let c = compare(&old, &new, "old/bench.json", 0.1, 1.0);
        assert!(!c.passed);
        assert_eq!(c.unmatched, vec![4]);
        assert_eq!(c.rows.len(), 4);
        let fails: Vec<(usize, &str)> = c
            .rows
            .iter()
            .filter(|r| r.verdict == Verdict::Fail)
            .map(|r| (r.concurrency, r.metric.as_str()))
            .collect();
        assert_eq!(fails, vec![(2, "throughput")]);
        let t = table(&c);
        assert!(t.contains("FAIL: throughput fell by more than 10 %"), "{t}");
        assert!(t.contains("-11.0 %"), "{t}");
        assert!(t.contains("+9.0 %"), "{t}");
        assert!(t.contains("concurrency 4: not in the baseline"), "{t}");
        let same = compare(&old, &old, "b", 0.1, 1.0);
        assert!(same.passed);
        assert_eq!(matching_levels(&old, &[2, 4, 8]), vec![2]);
    }

    #[test]
    fn sub_floor_jitter_is_noted_not_failed() {
        let old = bench(vec![point(1, 1000.0, 0.02)]);
        let new = bench(vec![point(1, 1000.0, 0.05)]);
        let c = compare(&old, &new, "b", 0.1, 1.0);
        assert!(c.passed);
        assert_eq!(c.rows[1].note.as_deref(), Some("under the 1 ms floor"));
        assert!(table(&c).contains("+150.0 %"));
    }

    #[test]
    fn bad_baselines_are_named() {
        let dir = std::env::temp_dir().join(format!("schism-baseline-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let missing = dir.join("missing.json");
        let e = read_baseline(&missing, &[1]).unwrap_err();
        assert!(e.contains("missing.json: cannot read"), "{e}");
        let garbage = dir.join("garbage.json");
        std::fs::write(&garbage, "{\"points\": 3}").unwrap();
        let e = read_baseline(&garbage, &[1]).unwrap_err();
        assert!(e.contains("garbage.json: not a bench.json"), "{e}");
        let other = dir.join("other.json");
        let b = bench(vec![point(4, 1.0, 1.0), point(8, 1.0, 1.0)]);
        std::fs::write(&other, serde_json::to_string(&b).unwrap()).unwrap();
        let e = read_baseline(&other, &[1, 2]).unwrap_err();
        assert!(e.contains("other.json: no point matches"), "{e}");
        assert!(e.contains("it has 4, 8; this bench runs 1, 2"), "{e}");
        assert_eq!(read_baseline(&other, &[2, 4]).unwrap(), b);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
