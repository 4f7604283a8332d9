//! One section per checker: its verdict, why when unknown, its figures, and its anomalies
//! with their explanations as preformatted text and the ops they name. A checker may find
//! thousands of anomalies: the first few are shown open, more folded (`<details>`, no
//! script), up to [`SHOWN`]; the rest are counted (all are in results.json).

use super::page::badge;
use super::units;
use crate::escape::{html as esc, html_json};
use history::{Anomaly, OpSpan, Verdict};
use std::fmt::Write;

/// Anomalies shown per checker: the first [`OPEN`] open, the rest folded.
pub const SHOWN: usize = 25;
const OPEN: usize = 3;
/// Ops listed per anomaly.
const OPS_SHOWN: usize = 16;

pub fn render(verdicts: &[Verdict]) -> String {
    if verdicts.is_empty() {
        return "<p class=\"mute\">No checker ran.</p>".into();
    }
    let mut s = String::new();
    for v in verdicts {
        let kind = if v.liveness { " (liveness)" } else { "" };
        let _ = write!(
            s,
            "<h3 id=\"checker-{}\">{}{kind} {}</h3>",
            esc(&v.checker),
            esc(&v.checker),
            badge(v.validity, "")
        );
        if let Some(r) = &v.reason {
            let _ = write!(s, "<p class=\"note\">{}</p>", esc(r));
        }
        if !v.stats.is_empty() {
            s.push_str("<p class=\"mute\">");
            let parts: Vec<String> = v
                .stats
                .iter()
                .map(|(k, val)| format!("{}: {}", esc(k), html_json(val, 80)))
                .collect();
            s.push_str(&parts.join(" · "));
            s.push_str("</p>");
        }
        if v.anomalies.is_empty() {
            continue;
        }
        let _ = write!(s, "<p>{}</p>", esc(&kinds(&v.anomalies)));
        for a in v.anomalies.iter().take(OPEN) {
            s.push_str(&anomaly(a));
        }
        let folded = v.anomalies.len().min(SHOWN).saturating_sub(OPEN);
        if folded > 0 {
            let _ = write!(
                s,
                "<details><summary>{folded} more anomal{}</summary>",
                if folded == 1 { "y" } else { "ies" }
            );
            for a in v.anomalies.iter().skip(OPEN).take(folded) {
                s.push_str(&anomaly(a));
            }
            s.push_str("</details>");
        }
        if v.anomalies.len() > SHOWN {
            let _ = write!(
                s,
                "<p class=\"mute\">… and {} more (every one is in results.json).</p>",
                v.anomalies.len() - SHOWN
            );
        }
    }
    s
}

/// `3 anomalies: 2 ic2, 1 termination`.
fn kinds(anomalies: &[Anomaly]) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for a in anomalies {
        match counts.iter_mut().find(|(k, _)| *k == a.kind.as_str()) {
            Some((_, n)) => *n += 1,
            None => counts.push((a.kind.as_str(), 1)),
        }
    }
    let parts: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
    let n = anomalies.len();
    format!(
        "{n} anomal{}: {}",
        if n == 1 { "y" } else { "ies" },
        parts.join(", ")
    )
}

fn anomaly(a: &Anomaly) -> String {
    let key = a
        .key
        .as_ref()
        .map(|k| format!(" · key {}", esc(&k.to_string())))
        .unwrap_or_default();
    let timeline = if a.kind.contains("linearizable") && !a.ops.is_empty() {
        " · <a href=\"#counterexample\">as a timeline</a>"
    } else {
        ""
    };
    let mut s = format!(
        "<div class=\"anomaly\"><p><b>{}</b>{key}{timeline}</p><pre>{}</pre>",
        esc(&a.kind),
        esc(a.explanation.trim_end())
    );
    if !a.ops.is_empty() {
        s.push_str(
            "<table><tr><th>process</th><th>f</th><th>value</th><th>result</th>\
             <th>outcome</th><th class=\"n\">invoked</th><th class=\"n\">completed</th>\
             <th class=\"n\">line</th></tr>",
        );
        for o in a.ops.iter().take(OPS_SHOWN) {
            s.push_str(&op_row(o));
        }
        s.push_str("</table>");
        if a.ops.len() > OPS_SHOWN {
            let _ = write!(
                s,
                "<p class=\"mute\">… and {} more ops.</p>",
                a.ops.len() - OPS_SHOWN
            );
        }
    }
    s.push_str("</div>");
    s
}

fn op_row(o: &OpSpan) -> String {
    format!(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td>\
         <td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
        esc(&o.process.to_string()),
        esc(&o.f),
        html_json(&o.value, 60),
        html_json(&o.result, 60),
        o.outcome.as_str(),
        units::at(o.invoke_time_ns),
        o.complete_time_ns
            .map(units::at)
            .unwrap_or_else(|| "–".into()),
        o.line
    )
}
