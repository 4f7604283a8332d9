//! What each faulty node did in a Byzantine run: its modes (the `byzantine` nemesis) or how
//! it betrays (protocol traitors), and from the interceptor's last report for it the
//! messages it saw and how many it dropped, mutated, equivocated, replayed, forged,
//! duplicated and delayed. The counts are cumulative over the run.

use super::units;
use crate::escape::html as esc;
use crate::run::FaultRecord;
use serde_json::Value;
use std::fmt::Write;

const ACTIONS: [&str; 7] = [
    "drop",
    "mutate",
    "equivocate",
    "replay",
    "forge",
    "duplicate",
    "delay",
];

#[derive(Default)]
struct Node {
    name: String,
    modes: Vec<String>,
    report: Option<Value>,
}

impl Node {
    fn find<'a>(nodes: &'a mut Vec<Node>, name: &str) -> &'a mut Node {
        if let Some(i) = nodes.iter().position(|n| n.name == name) {
            return &mut nodes[i];
        }
        nodes.push(Node {
            name: name.to_string(),
            ..Node::default()
        });
        nodes.last_mut().expect("just pushed")
    }

    fn add_mode(&mut self, m: String) {
        if !self.modes.contains(&m) {
            self.modes.push(m);
        }
    }
}

/// The section's body, when the run had faulty nodes.
pub fn render(records: &[FaultRecord]) -> Option<String> {
    let mut nodes: Vec<Node> = Vec::new();
    for r in records {
        let v = &r.value;
        let list = |v: &Value| -> Vec<String> {
            v.get("nodes")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .map(|n| n.as_str().unwrap_or("?").to_string())
                        .collect()
                })
                .unwrap_or_default()
        };
        if r.f == "traitors" {
            let how = v.get("how").and_then(Value::as_str).unwrap_or("traitor");
            for n in list(v) {
                Node::find(&mut nodes, &n).add_mode(format!("traitor: {how}"));
            }
        } else if r.f.ends_with("-byzantine") {
            if v.get("fault").is_some() {
                let mode = v.get("mode").and_then(Value::as_str).unwrap_or("?");
                for n in list(v) {
                    Node::find(&mut nodes, &n).add_mode(mode.to_string());
                }
            }
            if let Some(answers) = v.get("answers").and_then(Value::as_object) {
                for (n, a) in answers {
                    if let Some(rep) = a.get("report") {
                        Node::find(&mut nodes, n).report = Some(rep.clone());
                    }
                }
            }
        }
    }
    if nodes.is_empty() {
        return None;
    }
    let mut extra: Vec<String> = Vec::new();
    for n in &nodes {
        if let Some(by) = n
            .report
            .as_ref()
            .and_then(|r| r.get("by_action")?.as_object())
        {
            for k in by.keys() {
                if !ACTIONS.contains(&k.as_str()) && !extra.contains(k) {
                    extra.push(k.clone());
                }
            }
        }
    }
    let mut s = String::from(
        "<table><tr><th>node</th><th>mode / how</th><th class=\"n\">messages</th>\
         <th class=\"n\">tampered</th>",
    );
    for a in ACTIONS
        .iter()
        .map(|a| a.to_string())
        .chain(extra.iter().cloned())
    {
        let _ = write!(s, "<th class=\"n\">{}</th>", esc(&a));
    }
    s.push_str("</tr>");
    for n in &nodes {
        let num = |v: Option<&Value>| {
            v.and_then(Value::as_u64)
                .map(units::count)
                .unwrap_or_else(|| "–".into())
        };
        let rep = n.report.as_ref();
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
            esc(&n.name),
            esc(&n.modes.join(", ")),
            num(rep.and_then(|r| r.get("messages"))),
            num(rep.and_then(|r| r.get("tampered")))
        );
        for a in ACTIONS
            .iter()
            .map(|a| a.to_string())
            .chain(extra.iter().cloned())
        {
            let by = rep.and_then(|r| r.get("by_action"));
            let cell = match by {
                Some(b) => num(Some(b.get(&a).unwrap_or(&Value::from(0)))),
                None => "–".into(),
            };
            let _ = write!(s, "<td class=\"n\">{cell}</td>");
        }
        s.push_str("</tr>");
    }
    s.push_str(
        "</table><p class=\"mute\">Counts from the interceptor's last report for each node \
         (cumulative over the run); –: no interceptor report (protocol traitors lie in their \
         own code).</p>",
    );
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_last_report_of_each_node_counts() {
        let f = |f: &str, value: Value| FaultRecord {
            time_s: 1.0,
            f: f.into(),
            value,
        };
        let records = vec![
            f("traitors", json!({"nodes": ["n3"], "how": "lamport"})),
            f(
                "start-byzantine",
                json!({"fault": "byzantine", "mode": "equivocate", "nodes": ["<b>n1</b>"]}),
            ),
            f(
                "stop-byzantine",
                json!({"answers": {"<b>n1</b>": {"report": {"by_action": {"equivocate": 5},
                    "messages": 10, "tampered": 5}}}}),
            ),
            f(
                "stop-byzantine",
                json!({"answers": {"<b>n1</b>": {"report": {"by_action": {"equivocate": 9,
                    "forge": 2}, "messages": 20, "tampered": 11}}}}),
            ),
        ];
        let s = render(&records).unwrap();
        assert!(s.contains("traitor: lamport"));
        assert!(s.contains("&lt;b&gt;n1&lt;/b&gt;") && !s.contains("<b>n1"));
        assert!(s.contains("<td class=\"n\">20</td><td class=\"n\">11</td>"));
        assert!(s.contains("<td class=\"n\">9</td>"));
        assert!(render(&[]).is_none());
    }
}
