//! `bench.html`: a bench for people, in one self-contained file (inline CSS and SVG, no
//! script, no external assets): what ran and where, a loud warning when some run was not
//! valid, the comparison with the baseline, the charts, and tables of every point and run.
//! Every text taken from the bench is escaped.

use super::charts;
use super::compare::{metric_label, percent, Comparison, Verdict};
use super::model::{Bench, QuantileSpread, Spread};
use super::quantiles::NAMES;
use std::fmt::Write;

use crate::escape::html as escape;

const STYLE: &str = "body{font-family:sans-serif;margin:2em;max-width:1100px;color:#222}\
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;\
text-align:right}th{background:#f4f4f4}td.l,th.l{text-align:left}pre{background:#f6f6f6;\
padding:8px;white-space:pre-wrap}.alarm{background:#fdd;border:2px solid #c00;padding:10px;\
font-weight:bold}.pass{color:#060}.fail{color:#c00;font-weight:bold}svg{display:block;\
margin:1em 0}svg text{font-size:12px}svg text.heading{font-size:14px;font-weight:bold}\
svg .grid{stroke:#eee}svg .axis{stroke:#999}";

fn spread(s: Option<Spread>, digits: usize) -> String {
    s.map_or("–".into(), |s| {
        format!(
            "{:.digits$} <small>({:.digits$}–{:.digits$})</small>",
            s.mean, s.min, s.max
        )
    })
}

fn quantile_cells(q: Option<QuantileSpread>) -> String {
    match q {
        Some(q) => q
            .spreads()
            .iter()
            .map(|s| format!("<td>{}</td>", spread(Some(*s), 3)))
            .collect(),
        None => "<td>–</td>".repeat(NAMES.len()),
    }
}

fn quantile_heads() -> String {
    NAMES.iter().map(|n| format!("<th>{n} ms</th>")).collect()
}

fn header(b: &Bench, s: &mut String) {
    let nemesis = if b.nemesis.is_empty() {
        "none".to_string()
    } else {
        b.nemesis.join(", ")
    };
    let rate = if b.rate > 0.0 {
        format!("{} ops/s", b.rate)
    } else {
        "unlimited".into()
    };
    let _ = write!(
        s,
        "<h1>schism bench: {}</h1><pre>{}</pre><p>{} on {} ({} nodes), nemesis {}, rate {}, \
         {} s per run; {} seed(s) from {} at concurrency {}. Started {}, {}. Machine: {} cores \
         ({} {}).</p>",
        escape(&b.test),
        escape(&b.command.join(" ")),
        escape(&b.workload),
        escape(&b.system),
        b.nodes,
        escape(&nemesis),
        escape(&rate),
        b.time_limit_s,
        b.seeds,
        b.seed,
        escape(
            &b.levels
                .iter()
                .map(|l| l.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        escape(&b.started),
        b.status.as_str(),
        b.machine.cores,
        escape(&b.machine.os),
        escape(&b.machine.arch),
    );
}

fn alarm(b: &Bench, s: &mut String) {
    let bad = b.not_valid();
    if bad.is_empty() {
        return;
    }
    let list: Vec<String> = bad
        .iter()
        .map(|(c, seed, v)| format!("concurrency {c} seed {seed}: {}", v.as_str()))
        .collect();
    let _ = write!(
        s,
        "<div class=\"alarm\">{} run(s) are not valid: the system broke its safety guarantees \
         (or they could not be checked), so these figures may measure a broken system. \
         The gate ignores verdicts. {}</div>",
        bad.len(),
        escape(&list.join("; "))
    );
}

fn comparison(c: &Comparison, s: &mut String) {
    let (class, word) = if c.passed {
        ("pass", "within")
    } else {
        ("fail", "OUTSIDE")
    };
    let _ = write!(
        s,
        "<h2>Against the baseline</h2><p class=\"{class}\">{word} the tolerance of {} % \
         (baseline {}; latencies under {} ms judged as {} ms).</p><table><tr><th>concurrency</th>\
         <th class=\"l\">metric</th><th>old</th><th>new</th><th>change</th><th class=\"l\">verdict</th></tr>",
        c.tolerance * 100.0,
        escape(&c.baseline),
        c.latency_floor_ms,
        c.latency_floor_ms,
    );
    for r in &c.rows {
        let (class, word) = match r.verdict {
            Verdict::Pass => ("pass", "pass"),
            Verdict::Fail => ("fail", "FAIL"),
        };
        let note = r
            .note
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        let _ = write!(
            s,
            "<tr><td>{}</td><td class=\"l\">{}</td><td>{:.3}</td><td>{:.3}</td><td>{}</td>\
             <td class=\"l {class}\">{word}{}</td></tr>",
            r.concurrency,
            escape(&metric_label(&r.metric)),
            r.old,
            r.new,
            escape(&percent(r.change)),
            escape(&note),
        );
    }
    s.push_str("</table>");
}

fn points(b: &Bench, s: &mut String) {
    let _ = write!(
        s,
        "<h2>Points</h2><p>Mean over seeds, (min–max). Throughput: ok ops per second of the main \
         phase; latency: invocation to ok, of ops invoked in the main phase.</p><table><tr>\
         <th>concurrency</th><th>ok ops/s</th>{}<th>valid</th><th>invalid</th><th>unknown</th>\
         <th>errors</th></tr>",
        quantile_heads()
    );
    for p in &b.points {
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td>{}<td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            p.concurrency,
            spread(p.throughput, 1),
            quantile_cells(p.latency_ms),
            p.valid,
            p.invalid,
            p.unknown,
            p.errors
        );
    }
    s.push_str("</table>");
}

fn faults(b: &Bench, s: &mut String) {
    let _ = write!(
        s,
        "<h2>Healthy and under faults</h2><p>An op is under faults when its invocation falls \
         between the start and the end of a fault.</p><table><tr><th>concurrency</th>\
         <th class=\"l\">ops</th>{}</tr>",
        quantile_heads()
    );
    for p in &b.points {
        for (what, q) in [("healthy", p.healthy_ms), ("under faults", p.faulted_ms)] {
            let _ = write!(
                s,
                "<tr><td>{}</td><td class=\"l\">{what}</td>{}</tr>",
                p.concurrency,
                quantile_cells(q)
            );
        }
    }
    s.push_str("</table>");
}

fn runs(b: &Bench, s: &mut String) {
    s.push_str(
        "<h2>Runs</h2><table><tr><th>concurrency</th><th>seed</th><th class=\"l\">verdict</th>\
         <th>ok ops/s</th><th>p99 ms</th><th>under faults s</th><th class=\"l\">directory</th>\
         <th class=\"l\">error</th></tr>",
    );
    for p in &b.points {
        for r in &p.runs {
            let f = r.figures.as_ref();
            let verdict = r.valid.map_or("no verdict", |v| v.as_str());
            let class = if verdict == "valid" { "l" } else { "l fail" };
            let _ = write!(
                s,
                "<tr><td>{}</td><td>{}</td><td class=\"{class}\">{verdict}</td><td>{}</td><td>{}</td>\
                 <td>{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td></tr>",
                p.concurrency,
                r.seed,
                f.map_or("–".into(), |f| format!("{:.1}", f.throughput)),
                f.and_then(|f| f.latency_ms)
                    .map_or("–".into(), |q| format!("{:.3}", q.p99)),
                f.map_or("–".into(), |f| format!("{:.1}", f.fault_s)),
                escape(&r.dir.as_ref().map(|d| d.display().to_string()).unwrap_or_default()),
                escape(r.error.as_deref().unwrap_or("")),
            );
        }
    }
    s.push_str("</table>");
}

/// The whole of `bench.html`.
pub fn document(b: &Bench) -> String {
    let mut s = String::new();
    header(b, &mut s);
    alarm(b, &mut s);
    if let Some(c) = &b.comparison {
        comparison(c, &mut s);
    }
    s.push_str(&charts::throughput(b));
    s.push_str(&charts::latency(
        b,
        "Latency quantiles against throughput",
        |p| p.latency_ms,
    ));
    points(b, &mut s);
    if !b.nemesis.is_empty() {
        faults(b, &mut s);
    }
    runs(b, &mut s);
    crate::shell::document(&format!("schism bench: {}", b.test), STYLE, &s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::measure::RunFigures;
    use crate::bench::model::{BenchRun, Machine, Point, Status};
    use crate::bench::quantiles::Quantiles;
    use history::Validity;

    fn bench() -> Bench {
        let mut p = Point::new(2);
        let q = Quantiles::from_values([1.0, 2.0, 3.0, 4.0, 5.0]);
        p.add(BenchRun {
            seed: 7,
            dir: Some("store/<b>/x".into()),
            valid: Some(Validity::Invalid),
            error: Some("oops <i>".into()),
            figures: Some(RunFigures {
                ok_ops: 100,
                main_phase_s: 1.0,
                throughput: 100.0,
                latency_ms: Some(q),
                healthy_ms: Some(q),
                faulted_ms: Some(q),
                faulted_ops: 10,
                fault_s: 0.2,
            }),
        });
        Bench {
            command: vec![
                "schism".into(),
                "bench".into(),
                "--name=<script>alert(1)</script>".into(),
            ],
            started: "20260101T000000Z".into(),
            updated: String::new(),
            status: Status::Complete,
            machine: Machine::this(),
            test: "<script>x</script>".into(),
            system: "memory".into(),
            workload: "register".into(),
            nodes: 3,
            rate: 0.0,
            time_limit_s: 1.0,
            nemesis: vec!["partition".into()],
            seed: 7,
            seeds: 1,
            levels: vec![2],
            points: vec![p],
            comparison: None,
        }
    }

    #[test]
    fn the_document_is_self_contained_and_escaped() {
        let html = document(&bench());
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(
            !html.contains("<script"),
            "no script, and no unescaped text"
        );
        assert!(!html.contains("<b>") && !html.contains("<i>"));
        assert!(html.contains("&lt;script&gt;x&lt;/script&gt;"));
        assert!(html.contains("store/&lt;b&gt;/x"));
        assert!(!html.contains("http://") || !html.contains("src="));
        assert_eq!(html.matches("<svg").count(), 2);
        assert!(
            html.contains("class=\"alarm\""),
            "an invalid run is announced"
        );
        assert!(html.contains("concurrency 2 seed 7: invalid"));
        assert!(html.contains("Healthy and under faults"));
    }
}
