//! The points of a bench as a text table for a terminal: per concurrency level, the mean
//! throughput with its min–max over seeds, the mean latency quantiles and the verdicts.

use super::model::Bench;
use super::quantiles::NAMES;

/// The table, a line per point.
pub fn table(b: &Bench) -> String {
    let mut head = vec!["concurrency".to_string(), "ok ops/s (min–max)".into()];
    head.extend(NAMES.iter().map(|n| format!("{n} ms")));
    head.push("verdicts".into());
    let mut lines = vec![head];
    for p in &b.points {
        let mut l = vec![
            p.concurrency.to_string(),
            p.throughput.map_or("–".into(), |t| {
                format!("{:.1} ({:.1}–{:.1})", t.mean, t.min, t.max)
            }),
        ];
        match p.latency_ms {
            Some(q) => l.extend(q.spreads().iter().map(|s| format!("{:.3}", s.mean))),
            None => l.extend(NAMES.iter().map(|_| "–".to_string())),
        }
        let mut verdicts = vec![format!("{} valid", p.valid)];
        for (n, what) in [
            (p.invalid, "INVALID"),
            (p.unknown, "unknown"),
            (p.errors, "errors"),
        ] {
            if n > 0 {
                verdicts.push(format!("{n} {what}"));
            }
        }
        l.push(verdicts.join(", "));
        lines.push(l);
    }
    columns(&lines, |_| false)
}

/// Rows of cells as aligned columns two spaces apart, a line each (trailing space trimmed);
/// the columns `i` for which `right(i)` holds are right-aligned, the others left-aligned.
pub(crate) fn columns<L: AsRef<[String]>>(lines: &[L], right: impl Fn(usize) -> bool) -> String {
    let cols = lines.first().map_or(0, |l| l.as_ref().len());
    let widths: Vec<usize> = (0..cols)
        .map(|i| {
            lines
                .iter()
                .map(|l| l.as_ref()[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for l in lines {
        let cells: Vec<String> = l
            .as_ref()
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (s, w))| {
                if right(i) {
                    format!("{s:>w$}")
                } else {
                    format!("{s:<w$}")
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::measure::RunFigures;
    use crate::bench::model::{BenchRun, Machine, Point, Status};
    use crate::bench::quantiles::Quantiles;
    use history::Validity;

    #[test]
    fn a_line_per_point() {
        let mut p = Point::new(8);
        p.add(BenchRun {
            seed: 1,
            dir: None,
            valid: Some(Validity::Invalid),
            error: None,
            figures: Some(RunFigures {
                ok_ops: 10,
                main_phase_s: 1.0,
                throughput: 10.0,
                latency_ms: Some(Quantiles::from_values([1.0, 2.0, 3.0, 4.0, 5.0])),
                healthy_ms: None,
                faulted_ms: None,
                faulted_ops: 0,
                fault_s: 0.0,
            }),
        });
        let b = Bench {
            command: Vec::new(),
            started: String::new(),
            updated: String::new(),
            status: Status::Complete,
            machine: Machine::this(),
            test: "t".into(),
            system: "memory".into(),
            workload: "register".into(),
            nodes: 1,
            rate: 0.0,
            time_limit_s: 1.0,
            nemesis: Vec::new(),
            seed: 1,
            seeds: 1,
            levels: vec![8, 16],
            points: vec![p, Point::new(16)],
            comparison: None,
        };
        let t = table(&b);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 3, "{t}");
        assert!(
            lines[0].starts_with("concurrency  ok ops/s (min–max)  p50 ms"),
            "{t}"
        );
        assert!(
            lines[1].starts_with("8            10.0 (10.0–10.0)    1.000"),
            "{t}"
        );
        assert!(lines[1].ends_with("0 valid, 1 INVALID"), "{t}");
        assert!(lines[2].starts_with("16           –"), "{t}");
    }
}
