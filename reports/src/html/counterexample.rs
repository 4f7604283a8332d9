//! The counterexample of an invalid linearizability verdict as a timeline: one lane per
//! process involved, a bar per op from its invocation to its completion, the op that
//! cannot be placed marked (and its interval carried across every lane as dashed lines),
//! with the checker's explanation in words beside it.

use super::units;
use crate::escape::{html as esc, shorten};
use crate::svg::nice_ticks;
use history::{Anomaly, OpSpan, OpType, Process, Validity, Verdict};
use std::fmt::Write;

/// Counterexamples drawn, at most.
const DRAWN: usize = 3;
const WIDTH: f64 = 760.0;
const LEFT: f64 = 86.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 30.0;
const LANE: f64 = 34.0;
const BOTTOM: f64 = 30.0;

/// The section's body, when some linearizability checker found the history invalid.
pub fn render(verdicts: &[Verdict]) -> Option<String> {
    let cases: Vec<&Anomaly> = verdicts
        .iter()
        .filter(|v| v.validity == Validity::Invalid)
        .flat_map(|v| &v.anomalies)
        .filter(|a| a.kind.contains("linearizable") && !a.ops.is_empty())
        .collect();
    if cases.is_empty() {
        return None;
    }
    let mut s = String::new();
    for a in cases.iter().take(DRAWN) {
        if let Some(k) = &a.key {
            let _ = write!(s, "<h3>key {}</h3>", esc(&k.to_string()));
        }
        let _ = write!(
            s,
            "<div class=\"cx\">{}<pre>{}</pre></div>",
            timeline(&a.ops),
            esc(a.explanation.trim_end())
        );
    }
    if cases.len() > DRAWN {
        let _ = write!(
            s,
            "<p class=\"mute\">… and {} more counterexamples (see the checker's section).</p>",
            cases.len() - DRAWN
        );
    }
    s.push_str(
        "<p class=\"mute\">Each bar runs from an op's invocation to its completion; the red \
         bar is the op no order can place, its interval dashed across the lanes. Hover a bar \
         for the op's details.</p>",
    );
    Some(s)
}

fn timeline(ops: &[OpSpan]) -> String {
    let mut lanes: Vec<Process> = ops.iter().map(|o| o.process).collect();
    lanes.sort();
    lanes.dedup();
    let t0 = ops.iter().map(|o| o.invoke_time_ns).min().unwrap_or(0);
    let last = ops
        .iter()
        .map(|o| o.complete_time_ns.unwrap_or(o.invoke_time_ns))
        .max()
        .unwrap_or(t0);
    // Room for ops that never completed, drawn past the last completion.
    let span = ((last - t0) as f64 * 1.08).max(1.0);
    let x = |t: u64| LEFT + (t.saturating_sub(t0) as f64 / span) * (WIDTH - LEFT - RIGHT);
    let end = |o: &OpSpan| o.complete_time_ns.map_or(WIDTH - RIGHT, x);
    let height = TOP + LANE * lanes.len() as f64 + BOTTOM;
    let mut s = format!(
        "<svg class=\"chart counterexample\" width=\"{WIDTH}\" height=\"{height}\" \
         viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\"counterexample timeline\" \
         xmlns=\"http://www.w3.org/2000/svg\">"
    );
    let axis_y = height - BOTTOM;
    for tick in nice_ticks(span) {
        let tx = LEFT + tick / span * (WIDTH - LEFT - RIGHT);
        let _ = write!(
            s,
            "<line class=\"grid\" x1=\"{tx:.1}\" y1=\"{TOP}\" x2=\"{tx:.1}\" y2=\"{axis_y}\"/>\
             <text class=\"tick\" x=\"{tx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">+{}</text>",
            axis_y + 14.0,
            units::tick(tick as u64)
        );
    }
    for (i, p) in lanes.iter().enumerate() {
        let y = TOP + LANE * i as f64;
        let _ = write!(
            s,
            "<rect class=\"lane\" x=\"{LEFT}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\"/>\
             <text class=\"lane-label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">process {}</text>",
            y + 2.0,
            WIDTH - LEFT - RIGHT,
            LANE - 4.0,
            LEFT - 6.0,
            y + LANE / 2.0 + 4.0,
            esc(&p.to_string())
        );
    }
    if let Some(c) = ops.first() {
        for xv in [x(c.invoke_time_ns), end(c)] {
            let _ = write!(
                s,
                "<line x1=\"{xv:.1}\" y1=\"{:.1}\" x2=\"{xv:.1}\" y2=\"{axis_y}\" stroke=\"#e53935\" \
                 stroke-dasharray=\"3 3\"/>",
                TOP - 6.0
            );
        }
    }
    for (k, o) in ops.iter().enumerate() {
        let lane = lanes.iter().position(|p| *p == o.process).unwrap_or(0);
        let y = TOP + LANE * lane as f64 + 8.0;
        let (xa, xb) = (x(o.invoke_time_ns), end(o));
        let class = if k == 0 {
            "op culprit"
        } else if o.complete_time_ns.is_none() {
            "op open"
        } else {
            match o.outcome {
                OpType::Ok => "op ok",
                OpType::Fail => "op fail",
                _ => "op info",
            }
        };
        let _ = write!(
            s,
            "<rect class=\"{class}\" x=\"{xa:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"18\" rx=\"3\">\
             <title>{}</title></rect><text class=\"oplabel\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            (xb - xa).max(3.0),
            esc(&details(o)),
            xa + 3.0,
            y + 13.0,
            esc(&shorten(&describe(o), 28))
        );
        if k == 0 {
            let _ = write!(
                s,
                "<text x=\"{xa:.1}\" y=\"{:.1}\" fill=\"#b71c1c\" font-weight=\"600\">\
                 cannot be placed</text>",
                TOP - 10.0
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// `read → 2`, `write 3`, `cas [1,2] (fail)`.
pub fn describe(o: &OpSpan) -> String {
    let compact = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    };
    let mut s = o.f.to_string();
    if !o.value.is_null() {
        s.push(' ');
        s.push_str(&compact(&o.value));
    }
    if !o.result.is_null() && o.result != o.value {
        s.push_str(" → ");
        s.push_str(&compact(&o.result));
    }
    if o.outcome != OpType::Ok {
        s.push_str(&format!(" ({})", o.outcome.as_str()));
    }
    s
}

fn details(o: &OpSpan) -> String {
    format!(
        "process {}: {}, invoked {} (line {}), {}",
        o.process,
        describe(o),
        units::at(o.invoke_time_ns),
        o.line,
        o.complete_time_ns
            .map(|t| format!("completed {}", units::at(t)))
            .unwrap_or_else(|| "never completed".into())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn span(process: u64, f: &str, value: serde_json::Value, result: serde_json::Value) -> OpSpan {
        OpSpan {
            process: Process::Client(process),
            f: f.into(),
            key: None,
            value,
            result,
            outcome: OpType::Ok,
            invoke_index: 0,
            invoke_time_ns: 1_000,
            complete_index: Some(1),
            complete_time_ns: Some(5_000),
            line: 1,
        }
    }

    #[test]
    fn ops_read_as_words() {
        assert_eq!(
            describe(&span(1, "read", json!(null), json!(2))),
            "read → 2"
        );
        assert_eq!(describe(&span(1, "write", json!(3), json!(3))), "write 3");
    }

    #[test]
    fn one_lane_per_process_and_the_culprit_marked() {
        let ops = vec![
            span(3, "read", json!(null), json!(2)),
            span(1, "write", json!(0), json!(0)),
            span(3, "write", json!(2), json!(2)),
        ];
        let svg = timeline(&ops);
        assert_eq!(svg.matches("class=\"lane\"").count(), 2);
        assert_eq!(svg.matches("op culprit").count(), 1);
        assert_eq!(svg.matches("<rect class=\"op").count(), 3);
    }
}
