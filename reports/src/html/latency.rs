//! Latency over time: every op a point (x its invocation, y its latency on a log scale),
//! coloured by outcome, the fault windows shaded behind; ops an anomaly names are ringed.
//! Points are drawn as zero-length path segments with round caps (a few bytes each) and
//! points falling on the same half-pixel are drawn once.

use super::sample::{self, Sample};
use super::timeline::{Outcome, Timeline};
use super::units;
use crate::escape::html as esc;
use crate::faults::Window;
use crate::svg::{Fit, Frame, Scale};
use std::collections::HashSet;
use std::fmt::Write;

/// At most this many points.
pub const MAX_POINTS: usize = 20_000;
/// Ops an anomaly names, ringed (at most this many).
const MAX_RINGS: usize = 500;
/// Drawing layers, bottom to top.
const LAYERS: [&str; 4] = ["cmp", "ok", "fail", "info"];

fn layer(o: Outcome) -> usize {
    match o {
        Outcome::CompareFailed => 0,
        Outcome::Ok => 1,
        Outcome::Fail => 2,
        Outcome::Info | Outcome::Open => 3,
    }
}

pub fn render(t: &Timeline, windows: &[Window], named: &HashSet<u32>) -> String {
    if t.ops.is_empty() {
        return "<p class=\"mute\">No client ops.</p>".into();
    }
    let lat = |i: usize| t.ops[i].latency_ns().max(1) as f64;
    let (mut lo, mut hi) = (f64::MAX, 1f64);
    for o in &t.ops {
        let l = o.latency_ns().max(1) as f64;
        lo = lo.min(l);
        hi = hi.max(l);
    }
    let y = Scale::fit(&[lo, hi], Fit::Log10);
    let frame = Frame::over_time(1200.0, 380.0, t.end_ns as f64 / 1e9, y);
    let s_ = sample::choose(&t.ops, named, MAX_POINTS);
    let mut paths: [String; 4] = Default::default();
    let mut seen: HashSet<(i32, i32, usize)> = HashSet::new();
    let mut rings = String::new();
    let mut ringed = 0;
    for &i in &s_.picked {
        let o = &t.ops[i];
        let x = frame.x(o.invoke_ns as f64 / 1e9);
        let y = frame.y(lat(i));
        let c = layer(o.outcome);
        if seen.insert(((x * 2.0) as i32, (y * 2.0) as i32, c)) {
            let _ = write!(paths[c], "M{x:.1} {y:.1}h0");
        }
        if named.contains(&o.line) && ringed < MAX_RINGS {
            ringed += 1;
            let _ = write!(
                rings,
                "<circle class=\"named\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"5\"><title>line {}: {} {}, \
                 invoked {}, latency {}</title></circle>",
                o.line,
                esc(&t.functions[o.f as usize]),
                o.outcome.as_str(),
                units::at(o.invoke_ns),
                units::duration(o.latency_ns())
            );
        }
    }
    let mut svg = frame.open("latency", "Latency of each op over time");
    svg.push_str(&frame.faults(windows));
    svg.push_str(&frame.axes("time since the start (s)", "latency", |v| {
        units::tick(v as u64)
    }));
    for (c, d) in paths.iter().enumerate() {
        if !d.is_empty() {
            let _ = write!(svg, "<path class=\"pt {}\" d=\"{d}\"/>", LAYERS[c]);
        }
    }
    svg.push_str(&rings);
    svg.push_str("</svg>");
    format!(
        "{}{svg}<p class=\"mute\">{}</p>",
        legend(&paths.each_ref().map(|p| !p.is_empty()), ringed > 0),
        esc(&caption(&s_))
    )
}

/// Legend entries for the layers drawn (by their index in [`LAYERS`]).
fn legend(layers: &[bool; 4], named: bool) -> String {
    const ENTRIES: [(&str, &str); 4] = [
        ("var(--cmp)", "fail: compare-failed (the CAS ran)"),
        ("var(--ok)", "ok"),
        ("var(--fail)", "fail"),
        ("var(--info)", "info (indeterminate or never completed)"),
    ];
    let mut s = String::from("<p class=\"legend\">");
    for k in [1, 0, 2, 3] {
        if layers[k] {
            let (colour, name) = ENTRIES[k];
            let _ = write!(
                s,
                "<span><i style=\"background:{colour}\"></i>{name}</span>"
            );
        }
    }
    if named {
        s.push_str("<span><i style=\"border:1.5px solid #000\"></i>named by an anomaly</span>");
    }
    s.push_str("<span>shaded: fault windows (#n kind: nodes)</span></p>");
    s
}

fn caption(s: &Sample) -> String {
    let all: usize = s.total.iter().sum();
    let drawn: usize = s.drawn.iter().sum();
    if drawn == all {
        return format!("Every op drawn ({}).", units::count(all as u64));
    }
    let parts: Vec<String> = (0..3)
        .map(|c| {
            format!(
                "{} {} of {}",
                ["ok (and compare-failed)", "fail", "info"][c],
                units::count(s.drawn[c] as u64),
                units::count(s.total[c] as u64)
            )
        })
        .collect();
    format!(
        "{} of {} ops drawn, evenly sampled ({}); every op an anomaly names is drawn ({}).",
        units::count(drawn as u64),
        units::count(all as u64),
        parts.join(", "),
        s.named
    )
}
