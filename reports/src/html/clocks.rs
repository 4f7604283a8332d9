//! Each node's clock offset over time, from the `clock` fault windows: a bump is a step
//! held until its heal, a drift a ramp over its `drift_ms` then held, a strobe a zigzag
//! between 0 and its offset every `period_ms` for `strobe_ms` (drawn as at most
//! [`MAX_FLIPS`] flips), each back to 0 when healed. Fault windows are shaded behind.

use super::throughput::PALETTE;
use crate::escape::html as esc;
use crate::faults::Window;
use crate::svg::{nice_ticks, number, Frame, Scale};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write;

/// A strobe drawn with more flips than this is drawn with this many.
const MAX_FLIPS: u64 = 200;

/// Points (s, offset s) of one node.
type Line = Vec<(f64, f64)>;

fn ms(v: &Value) -> f64 {
    v.as_f64().unwrap_or(0.0) / 1e3
}

/// Add one window's points for a node whose offset it sets to `offset_s`.
fn points(line: &mut Line, w: &Window, offset_s: f64) {
    let f = &w.fault;
    let (t0, t_end) = (w.start_ns as f64 / 1e9, w.end_ns as f64 / 1e9);
    let healed = w.heal_ns.map_or(t_end, |t| t as f64 / 1e9);
    line.push((t0, 0.0));
    match f["mode"].as_str().unwrap_or("bump") {
        "strobe" => {
            let (length, period) = (ms(&f["strobe_ms"]), ms(&f["period_ms"]).max(1e-3));
            let flips = ((length / period) as u64).clamp(1, MAX_FLIPS);
            let step = length / flips as f64;
            for i in 0..flips {
                let (t, v) = (
                    t0 + i as f64 * step,
                    if i.is_multiple_of(2) { offset_s } else { 0.0 },
                );
                line.extend([(t, line.last().map_or(0.0, |p| p.1)), (t, v)]);
            }
            line.extend([(t0 + length, 0.0), (healed, 0.0)]);
        }
        "drift" => line.extend([(t0 + ms(&f["drift_ms"]), offset_s), (healed, offset_s)]),
        _ => line.extend([(t0, offset_s), (healed, offset_s)]),
    }
    line.extend([(healed, 0.0), (t_end, 0.0)]);
}

/// The section's body, when the run moved clocks.
pub fn render(windows: &[Window], end_ns: u64) -> Option<String> {
    let clocks: Vec<&Window> = windows.iter().filter(|w| w.kind == "clock").collect();
    if clocks.is_empty() {
        return None;
    }
    let mut lines: BTreeMap<String, Line> = BTreeMap::new();
    for w in &clocks {
        let offsets = w.fault["offsets_ms"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        for (node, off) in offsets {
            lines
                .entry(node.clone())
                .or_insert_with(|| vec![(0.0, 0.0)]);
            let line = lines.get_mut(&node).expect("just inserted");
            points(line, w, ms(&off));
        }
    }
    let end_s = end_ns as f64 / 1e9;
    let max = lines
        .values()
        .flatten()
        .map(|p| p.1.abs())
        .fold(0.0, f64::max)
        .max(1e-3);
    let up = nice_ticks(max);
    let top = up.last().copied().filter(|t| *t >= max).unwrap_or(max);
    let mut ticks: Vec<f64> = up.iter().rev().map(|t| -t).collect();
    ticks.extend(up.iter().skip(1));
    let y = Scale {
        lo: -top,
        hi: top,
        log: false,
        ticks,
    };
    let frame = Frame::over_time(1200.0, 260.0, end_s, y);
    let mut svg = frame.open("clocks", "Each node's clock offset over time");
    svg.push_str(&frame.faults(windows));
    svg.push_str(&frame.axes("time since the start (s)", "offset (s)", number));
    let mut legend = String::from("<p class=\"legend\">");
    for (i, (node, line)) in lines.iter_mut().enumerate() {
        line.push((end_s, 0.0));
        let colour = PALETTE[i % PALETTE.len()];
        let pts: Vec<String> = line
            .iter()
            .map(|(t, v)| format!("{:.1},{:.1}", frame.x(*t), frame.y(*v)))
            .collect();
        let _ = write!(
            svg,
            "<polyline class=\"series\" stroke=\"{colour}\" points=\"{}\"><title>{}</title></polyline>",
            pts.join(" "),
            esc(node)
        );
        let _ = write!(
            legend,
            "<span><i style=\"background:{colour}\"></i>{}</span>",
            esc(node)
        );
    }
    svg.push_str("</svg>");
    legend.push_str("</p>");
    Some(format!(
        "{legend}{svg}<p class=\"mute\">The offset the clock fault set on each node, in \
         seconds (a strobe's flips drawn at most {MAX_FLIPS} times), from the fault records.</p>"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn window(fault: Value, start_s: u64, heal_s: u64, end_s: u64) -> Window {
        Window {
            kind: "clock".into(),
            fault,
            start_ns: start_s * 1_000_000_000,
            heal_ns: Some(heal_s * 1_000_000_000),
            end_ns: end_s * 1_000_000_000,
            failure: None,
        }
    }

    #[test]
    fn every_node_gets_a_line_through_its_offsets() {
        let bump = json!({"fault": "clock", "mode": "bump", "offsets_ms": {"n1": -4000, "n2": 0}});
        let drift = json!({"fault": "clock", "mode": "drift", "drift_ms": 2000,
                           "offsets_ms": {"n1": 0, "n2": 1000}});
        let strobe = json!({"fault": "clock", "mode": "strobe", "strobe_ms": 1000,
                            "period_ms": 100, "offsets_ms": {"n1": 2000, "n2": 0}});
        let ws = [
            window(bump, 1, 3, 4),
            window(drift, 5, 8, 9),
            window(strobe, 10, 12, 13),
        ];
        let s = render(&ws, 20_000_000_000).unwrap();
        assert_eq!(s.matches("<polyline").count(), 2, "{s}");
        assert!(s.contains("<title>n1</title>") && s.contains("<title>n2</title>"));
        assert!(
            s.contains(">-4</text>") && s.contains(">4</text>"),
            "a symmetric axis: {s}"
        );
        let mut line = Vec::new();
        points(&mut line, &ws[0], -4.0);
        assert!(
            line.contains(&(1.0, -4.0))
                && line.contains(&(3.0, -4.0))
                && line.contains(&(3.0, 0.0))
        );
        let mut line = Vec::new();
        points(&mut line, &ws[1], 1.0);
        assert!(line.contains(&(7.0, 1.0)), "a ramp to its gain: {line:?}");
        let mut line = Vec::new();
        points(&mut line, &ws[2], 2.0);
        assert_eq!(
            line.iter().filter(|p| p.1 == 2.0).count(),
            10,
            "5 flips up: {line:?}"
        );
        assert!(render(&[], 1).is_none());
    }
}
