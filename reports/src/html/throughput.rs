//! Throughput over time: completions per second in time bins, one line per function for
//! the ops the system answered (`ok`, and a CAS whose comparison did not hold) and one,
//! dashed, for every other `fail` and every `info`; fault windows shaded behind.

use super::bins::Bins;
use super::timeline::{Outcome, Timeline};
use crate::escape::html as esc;
use crate::faults::Window;
use crate::svg::{number, Frame, Scale};
use std::fmt::Write;

/// Line colours for functions, in order.
pub const PALETTE: [&str; 8] = [
    "#3b7dd8", "#2e8540", "#8e44ad", "#00838f", "#6d4c41", "#c2185b", "#5d6d7e", "#9e9d24",
];
const NOT_OK: &str = "#d64545";

pub fn render(t: &Timeline, windows: &[Window]) -> String {
    if t.ops.is_empty() {
        return "<p class=\"mute\">No client ops.</p>".into();
    }
    let bins = Bins::over(t.end_ns);
    let nf = t.functions.len();
    // Rows 0..nf: answered, per function; row nf: the rest.
    let mut counts = vec![vec![0u64; bins.n]; nf + 1];
    for o in &t.ops {
        let row = match o.outcome {
            Outcome::Ok | Outcome::CompareFailed => o.f as usize,
            Outcome::Fail | Outcome::Info => nf,
            Outcome::Open => continue,
        };
        counts[row][bins.of(o.complete_ns)] += 1;
    }
    let per_s = |c: u64| c as f64 / bins.width_s();
    let max = counts.iter().flatten().copied().max().unwrap_or(0);
    let y = Scale::linear(per_s(max));
    let frame = Frame::over_time(1200.0, 300.0, t.end_ns as f64 / 1e9, y);
    let mut svg = frame.open("throughput", "Completions per second over time");
    svg.push_str(&frame.faults(windows));
    svg.push_str(&frame.axes("time since the start (s)", "ops/s", number));
    let mut legend = String::from("<p class=\"legend\">");
    for (row, series) in counts.iter().enumerate() {
        if series.iter().all(|&c| c == 0) {
            continue;
        }
        let (colour, name) = if row == nf {
            (NOT_OK, "fail or info (every f)".to_string())
        } else {
            (PALETTE[row % PALETTE.len()], t.functions[row].clone())
        };
        let mut pts = String::new();
        for (i, &c) in series.iter().enumerate() {
            let x = frame.x(bins.start_s(i) + bins.width_s() / 2.0);
            let _ = write!(pts, "{x:.1},{:.1} ", frame.y(per_s(c)));
        }
        let dash = if row == nf {
            " stroke-dasharray=\"4 3\""
        } else {
            ""
        };
        let _ = write!(
            svg,
            "<polyline class=\"series\" stroke=\"{colour}\"{dash} points=\"{}\"><title>{}</title></polyline>",
            pts.trim_end(),
            esc(&name)
        );
        let _ = write!(
            legend,
            "<span><i style=\"background:{colour}\"></i>{}</span>",
            esc(&name)
        );
    }
    svg.push_str("</svg>");
    legend.push_str("</p>");
    format!(
        "{legend}{svg}<p class=\"mute\">Completions per second in bins of {} s, by the time \
         each op completed: per function the ops answered (ok, or a CAS whose comparison did \
         not hold); dashed, every other fail and every info.</p>",
        number(bins.width_s())
    )
}
