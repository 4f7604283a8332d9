//! Availability: the share of answered ops (`ok`, or a CAS whose comparison did not hold)
//! among the ops completed in each time bin, with the bins where ops were waiting but none
//! completed marked unavailable; and per fault window, the ops completed inside it and the
//! time to recover after its heal: from the end of the heal to the completion of the first
//! answered op invoked after it.

use super::bins::Bins;
use super::timeline::{Done, Outcome, Timeline};
use super::units;
use crate::escape::html as esc;
use crate::faults::Window;
use crate::svg::{number, Frame, Scale};
use std::fmt::Write;

pub fn render(t: &Timeline, windows: &[Window]) -> String {
    if t.ops.is_empty() {
        return "<p class=\"mute\">No client ops.</p>".into();
    }
    let mut s = chart(t, windows);
    s.push_str(&table(t, windows));
    s
}

/// Per bin: ops answered, ops completed, and whether any op was in flight.
fn tally(t: &Timeline, bins: &Bins) -> (Vec<u64>, Vec<u64>, Vec<bool>) {
    let (mut answered, mut all) = (vec![0u64; bins.n], vec![0u64; bins.n]);
    let mut starts = vec![0i64; bins.n + 1];
    for o in &t.ops {
        let (a, b) = (bins.of(o.invoke_ns), bins.of(o.complete_ns));
        starts[a] += 1;
        starts[b + 1] -= 1;
        if o.outcome != Outcome::Open {
            all[b] += 1;
            answered[b] += u64::from(o.outcome.answered());
        }
    }
    let mut busy = Vec::with_capacity(bins.n);
    let mut running = 0i64;
    for d in &starts[..bins.n] {
        running += d;
        busy.push(running > 0);
    }
    (answered, all, busy)
}

fn chart(t: &Timeline, windows: &[Window]) -> String {
    let bins = Bins::over(t.end_ns);
    let (answered, all, busy) = tally(t, &bins);
    let frame = Frame::over_time(1200.0, 240.0, t.end_ns as f64 / 1e9, Scale::linear(100.0));
    let mut svg = frame.open("availability", "Share of answered ops per time bin");
    svg.push_str(&frame.faults(windows));
    svg.push_str(&frame.axes("time since the start (s)", "answered", |v| {
        format!("{v:.0}%")
    }));
    let (top, bottom) = (frame.y(100.0), frame.y(0.0));
    for i in 0..bins.n {
        let xa = frame.x(bins.start_s(i));
        let w = (frame.x(bins.start_s(i + 1)) - xa - 1.0).max(1.0);
        let at = units::at(bins.width_ns * i as u64);
        if all[i] == 0 {
            if busy[i] {
                let _ = write!(
                    svg,
                    "<rect class=\"bar gap\" x=\"{xa:.1}\" y=\"{top:.1}\" width=\"{w:.1}\" \
                     height=\"{:.1}\"><title>{at}: ops waiting, none completed</title></rect>",
                    bottom - top
                );
            }
            continue;
        }
        let share = answered[i] as f64 * 100.0 / all[i] as f64;
        let y = frame.y(share);
        let _ = write!(
            svg,
            "<rect class=\"bar\" fill=\"{}\" x=\"{xa:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" \
             height=\"{:.1}\"><title>{at}: {} answered of {}</title></rect>",
            colour(share),
            (bottom - y).max(0.5),
            answered[i],
            all[i]
        );
    }
    svg.push_str("</svg>");
    format!(
        "{svg}<p class=\"mute\">Share of the ops completed in each bin of {} s that the system \
         answered (ok, or a CAS whose comparison did not hold); grey: ops were waiting but none \
         completed; blank: no op in flight.</p>",
        number(bins.width_s())
    )
}

/// Green when all is well, through amber, to red when nothing is answered.
fn colour(share: f64) -> &'static str {
    if share >= 99.0 {
        "#2e8540"
    } else if share >= 90.0 {
        "#7cb342"
    } else if share >= 50.0 {
        "#e8a21a"
    } else {
        "#d64545"
    }
}

fn table(t: &Timeline, windows: &[Window]) -> String {
    if windows.is_empty() {
        return "<p class=\"mute\">No faults were injected.</p>".into();
    }
    let mut s = String::from(
        "<table><tr><th>#</th><th>fault</th><th class=\"n\">start</th><th class=\"n\">heal</th>\
         <th class=\"n\">healed</th><th class=\"n\">completed inside</th>\
         <th class=\"n\">answered</th><th class=\"n\">fail</th><th class=\"n\">info</th>\
         <th class=\"n\">time to recover</th></tr>",
    );
    // Ops are in order of invocation: those completing inside a window were invoked at
    // most the longest latency before it began.
    let longest = t.ops.iter().map(Done::latency_ns).max().unwrap_or(0);
    for (i, w) in windows.iter().enumerate() {
        let (mut answered, mut fail, mut info) = (0u64, 0u64, 0u64);
        let lo = t
            .ops
            .partition_point(|o| o.invoke_ns.saturating_add(longest) < w.start_ns);
        let hi = t.ops.partition_point(|o| o.invoke_ns < w.end_ns);
        for o in &t.ops[lo..hi.max(lo)] {
            if o.outcome == Outcome::Open || !w.contains(o.complete_ns) {
                continue;
            }
            match o.outcome {
                Outcome::Ok | Outcome::CompareFailed => answered += 1,
                Outcome::Fail => fail += 1,
                _ => info += 1,
            }
        }
        let recover = match (w.heal_ns, recovery(&t.ops, w.end_ns)) {
            (None, _) => "never healed".to_string(),
            (Some(_), Some((ns, idle))) if idle > 1_000_000 && idle * 2 > ns => format!(
                "{} (no op invoked for {} after the heal)",
                units::duration(ns),
                units::duration(idle)
            ),
            (Some(_), Some((ns, _))) => units::duration(ns),
            (Some(_), None) => "no answer after the heal".into(),
        };
        let done = answered + fail + info;
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            i + 1,
            esc(&w.label()),
            w.failure
                .as_ref()
                .map(|e| format!(" <span class=\"note\">({})</span>", esc(&e.to_string())))
                .unwrap_or_default(),
            units::at(w.start_ns),
            w.heal_ns.map(units::at).unwrap_or_else(|| "–".into()),
            if w.heal_ns.is_some() {
                units::at(w.end_ns)
            } else {
                "–".into()
            },
            units::count(done),
            units::percent(answered, done),
            units::count(fail),
            units::count(info),
            esc(&recover)
        );
    }
    s.push_str(
        "</table><p class=\"mute\">Answered: ok, or a CAS whose comparison did not hold. Time \
         to recover: from the end of the heal to the completion of the first answered op \
         invoked after it.</p>",
    );
    s
}

/// From `heal_ns` to the earliest completion of an answered op invoked at or after it,
/// and from `heal_ns` to the first invocation after it (clients may have been idle).
pub fn recovery(ops: &[Done], heal_ns: u64) -> Option<(u64, u64)> {
    let start = ops.partition_point(|o| o.invoke_ns < heal_ns);
    let idle = ops.get(start)?.invoke_ns - heal_ns;
    let mut best: Option<u64> = None;
    for o in &ops[start..] {
        if best.is_some_and(|b| o.invoke_ns >= b) {
            break;
        }
        if o.outcome.answered() {
            best = Some(best.map_or(o.complete_ns, |b| b.min(o.complete_ns)));
        }
    }
    best.map(|b| (b - heal_ns, idle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(a: u64, b: u64, outcome: Outcome) -> Done {
        Done {
            invoke_ns: a,
            complete_ns: b,
            line: 0,
            f: 0,
            outcome,
        }
    }

    #[test]
    fn recovery_is_the_first_answer_to_an_op_invoked_after_the_heal() {
        let ops = [
            op(0, 150, Outcome::Ok),
            op(100, 300, Outcome::Fail),
            op(110, 400, Outcome::Ok),
            op(120, 200, Outcome::CompareFailed),
            op(250, 260, Outcome::Ok),
        ];
        assert_eq!(recovery(&ops, 100), Some((100, 0)));
        assert_eq!(recovery(&ops, 130), Some((130, 120)));
        assert_eq!(recovery(&ops, 300), None);
    }

    #[test]
    fn waiting_without_answers_is_marked_and_idle_time_is_not() {
        let t = Timeline {
            ops: vec![
                op(0, 1_000_000, Outcome::Ok),
                op(4_000_000, 9_000_000, Outcome::Info),
            ],
            functions: vec!["read".into()],
            end_ns: 9_500_000,
            ..Timeline::default()
        };
        let bins = Bins::over(t.end_ns);
        assert_eq!(bins.n, 10);
        let (answered, all, busy) = tally(&t, &bins);
        assert_eq!(all, [0, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
        assert_eq!((answered[1], answered[9]), (1, 0));
        let idle: Vec<usize> = (0..10).filter(|&i| !busy[i]).collect();
        assert_eq!(idle, [2, 3]);
    }
}
