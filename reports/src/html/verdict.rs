//! The verdict section: safety and liveness as badges, then what ran (test, system,
//! workload, nodes, seed, duration, ops, ops/s), and any warning about the run.

use super::page::badge;
use super::report::Report;
use crate::escape::html as esc;
use std::fmt::Write;

pub fn render(r: &Report) -> String {
    let mut s = format!("<h1>{}</h1><p>", esc(&r.title));
    let _ = write!(s, "safety {}", badge(r.safety, "big"));
    match r.liveness {
        Some(l) => {
            let _ = write!(s, "liveness {}", badge(l, "big"));
        }
        None => s.push_str("<span class=\"mute\">liveness: not judged</span>"),
    }
    s.push_str("</p>");
    for n in &r.notes {
        let _ = write!(s, "<p class=\"note\">{}</p>", esc(n));
    }
    s.push_str("<table class=\"kv\">");
    for (k, v) in &r.facts {
        let _ = write!(s, "<tr><td>{}</td><td>{}</td></tr>", esc(k), esc(v));
    }
    s.push_str("</table>");
    s
}
