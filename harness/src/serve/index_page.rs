//! `/`: the runs of the store, newest first (test, time, safety and liveness verdicts, ops,
//! ops/s, faults applied per kind), each linking to its page; then the sweeps.

use super::listing::{RunEntry, SweepEntry};
use super::page::{page, pretty_time, verdict_cell};
use super::paths::encode;
use reports::escape::html;
use reports::faults::FaultCounts;
use std::fmt::Write;

pub fn render(store: &str, runs: &[RunEntry], sweeps: &[SweepEntry]) -> String {
    let mut b = format!(
        "<h1>schism: runs in {}</h1>\n<p class=\"muted\">{}, {}, newest first.</p>\n",
        html(store),
        count(runs.len(), "run"),
        count(sweeps.len(), "sweep")
    );
    b.push_str(&runs_table(runs));
    b.push_str("<h2>Sweeps</h2>\n");
    b.push_str(&sweeps_table(sweeps));
    page("schism runs", &b)
}

/// `1 run`, `2 runs`.
fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

fn runs_table(runs: &[RunEntry]) -> String {
    if runs.is_empty() {
        return "<p id=\"runs\">No runs yet: <code>schism run</code> stores them here.</p>\n"
            .into();
    }
    let mut t = String::from(
        "<table id=\"runs\">\n<tr><th>test</th><th>time (UTC)</th><th>safety</th><th>liveness</th>\
         <th>ok</th><th>fail</th><th>info</th><th>ops/s</th><th>faults applied</th></tr>\n",
    );
    for r in runs {
        let href = format!("/runs/{}/{}/", encode(&r.test), encode(&r.time));
        let _ = write!(
            t,
            "<tr class=\"run\"><td><a href=\"{}\">{}</a></td><td>{}</td>",
            html(&href),
            html(&r.test),
            html(&pretty_time(&r.time))
        );
        match &r.result {
            Ok(res) => {
                let _ = writeln!(
                    t,
                    "{}{}<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
                     <td class=\"n\">{:.0}</td><td>{}</td></tr>",
                    verdict_cell(Some(res.valid)),
                    verdict_cell(res.liveness),
                    res.ops.ok,
                    res.ops.fail,
                    res.ops.info,
                    res.ops_per_s,
                    html(&FaultCounts::of(&res.faults).text())
                );
            }
            Err(why) => {
                let _ = writeln!(
                    t,
                    "<td colspan=\"7\" class=\"muted\">{}</td></tr>",
                    html(why)
                );
            }
        }
    }
    t.push_str("</table>\n");
    t
}

fn sweeps_table(sweeps: &[SweepEntry]) -> String {
    if sweeps.is_empty() {
        return "<p id=\"sweeps\" class=\"muted\">No sweeps.</p>\n".into();
    }
    let mut t = String::from(
        "<table id=\"sweeps\">\n<tr><th>time (UTC)</th><th>status</th><th>runs done</th></tr>\n",
    );
    for s in sweeps {
        let field = |k: &str| {
            s.info
                .as_ref()
                .and_then(|i| i.get(k))
                .map(|v| match v {
                    serde_json::Value::String(s) => s.clone(),
                    v => v.to_string(),
                })
                .unwrap_or_else(|| "?".into())
        };
        let _ = writeln!(
            t,
            "<tr><td><a href=\"/sweeps/{}/\">{}</a></td><td>{}</td><td class=\"n\">{} of {}</td></tr>",
            html(&encode(&s.time)),
            html(&pretty_time(&s.time)),
            html(&field("status")),
            html(&field("runs_done")),
            html(&field("runs_planned"))
        );
    }
    t.push_str("</table>\n");
    t
}
