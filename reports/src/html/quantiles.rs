//! Latency quantiles (p50, p90, p99, p99.9, max) of the ops the system answered (`ok`, or
//! a CAS whose comparison did not hold) per function, healthy and under faults (an op is
//! under faults when its invocation falls inside a fault window), with the other `fail`
//! and the `info` completions of each group counted beside them.

use super::timeline::{Outcome, Timeline};
use super::units;
use crate::bench::quantiles::nearest_rank;
use crate::escape::html as esc;
use crate::faults::{Covered, Window};
use std::fmt::Write;

const QS: [(f64, &str); 4] = [(0.5, "p50"), (0.9, "p90"), (0.99, "p99"), (0.999, "p99.9")];

#[derive(Default)]
struct Group {
    /// Latencies of the answered ops.
    ok: Vec<u64>,
    fail: u64,
    info: u64,
}

pub fn render(t: &Timeline, windows: &[Window]) -> String {
    if t.ops.is_empty() {
        return "<p class=\"mute\">No client ops.</p>".into();
    }
    let covered = Covered::of(windows);
    // Per function: [healthy, under faults].
    let mut groups: Vec<[Group; 2]> = (0..t.functions.len()).map(|_| Default::default()).collect();
    for o in &t.ops {
        let g = &mut groups[o.f as usize][usize::from(covered.contains(o.invoke_ns))];
        match o.outcome {
            Outcome::Ok | Outcome::CompareFailed => g.ok.push(o.latency_ns()),
            Outcome::Fail => g.fail += 1,
            Outcome::Info | Outcome::Open => g.info += 1,
        }
    }
    let mut s = String::from("<table><tr><th>f</th><th></th><th class=\"n\">answered</th>");
    for (_, name) in QS {
        let _ = write!(s, "<th class=\"n\">{name}</th>");
    }
    s.push_str("<th class=\"n\">max</th><th class=\"n\">fail</th><th class=\"n\">info</th></tr>");
    for (f, pair) in groups.iter_mut().enumerate() {
        for (faulted, g) in pair.iter_mut().enumerate() {
            if g.ok.is_empty() && g.fail == 0 && g.info == 0 {
                continue;
            }
            g.ok.sort_unstable();
            let _ = write!(
                s,
                "<tr{}><td>{}</td><td>{}</td><td class=\"n\">{}</td>",
                if faulted == 1 {
                    " class=\"faulted\""
                } else {
                    ""
                },
                esc(&t.functions[f]),
                if faulted == 1 {
                    "under faults"
                } else {
                    "healthy"
                },
                units::count(g.ok.len() as u64)
            );
            for (q, _) in QS {
                let _ = write!(
                    s,
                    "<td class=\"n\">{}</td>",
                    cell((!g.ok.is_empty()).then(|| nearest_rank(&g.ok, q)))
                );
            }
            let _ = write!(
                s,
                "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                cell(g.ok.last().copied()),
                units::count(g.fail),
                units::count(g.info)
            );
        }
    }
    s.push_str("</table>");
    if windows.is_empty() {
        s.push_str("<p class=\"mute\">No faults were injected: every op ran healthy.</p>");
    }
    s.push_str(
        "<p class=\"mute\">Latency of the answered ops (ok, or a CAS whose comparison did not \
         hold), from invocation to completion (nearest rank); fail and info count the rest. An \
         op is under faults when it was invoked inside a fault window.</p>",
    );
    s
}

fn cell(v: Option<u64>) -> String {
    v.map(units::duration).unwrap_or_else(|| "–".into())
}
