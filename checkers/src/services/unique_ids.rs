//! Unique ids (`unique-ids`): every `generate` that completed `ok` returned an id (any JSON
//! value) that no other one returned. Two that got the same id are `duplicate-id`, one
//! anomaly per id naming every op that got it (the first one first). Ids are compared as
//! JSON text, so `1` and `"1"` are different ids. Unknown when no `generate` completed.

use super::common::{named, show, span, Report, MAX_OPS};
use crate::Checker;
use history::{History, OpType, Verdict};
use serde_json::json;
use std::collections::BTreeMap;

/// Ops named in the explanation of one duplicated id.
const SHOWN: usize = 10;

/// The unique-ids checker.
#[derive(Debug, Clone, Default)]
pub struct UniqueIds;

impl Checker for UniqueIds {
    fn name(&self) -> &str {
        "unique-ids"
    }

    fn check(&self, history: &History) -> Verdict {
        let ops = history.ops();
        // Each id's ops (invocation indexes), and the order ids were first seen.
        let mut by_id: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut order: Vec<String> = Vec::new();
        let mut ok = 0u64;
        for (i, c) in history.client_pairs() {
            let Some(c) = c.filter(|c| ops[i].f == "generate" && ops[*c].kind == OpType::Ok) else {
                continue;
            };
            ok += 1;
            let id = ops[c].value.to_string();
            let at = by_id.entry(id.clone()).or_default();
            if at.is_empty() {
                order.push(id);
            }
            at.push(i);
        }
        let mut report = Report::new(self.name());
        let mut duplicated = 0u64;
        for id in &order {
            let at = &by_id[id];
            if at.len() < 2 {
                continue;
            }
            duplicated += 1;
            let value = ops[history.partner(at[0]).unwrap_or(at[0])].value.clone();
            let mut who: Vec<String> = at
                .iter()
                .take(SHOWN)
                .map(|&i| format!("  {}", named(history, i)))
                .collect();
            if at.len() > SHOWN {
                who.push(format!("  ... and {} more", at.len() - SHOWN));
            }
            let text = format!(
                "id {} was generated {} times; every generate must return a fresh id:\n{}",
                show(&value),
                at.len(),
                who.join("\n")
            );
            let spans = at.iter().take(SHOWN).map(|&i| span(history, i)).collect();
            let data = json!({"id": value, "count": at.len(), "ops": &at[..at.len().min(MAX_OPS)]});
            report.violation("duplicate-id", text, spans, data);
        }
        if ok == 0 {
            report.cannot_judge("no generate completed ok: there are no ids to compare".into());
        }
        report.stat("ok_generates", json!(ok));
        report.stat("distinct_ids", json!(by_id.len()));
        report.stat("duplicated_ids", json!(duplicated));
        report.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use history::{Dialect, Op, Validity, Value};

    fn history(results: &[(OpType, Value)]) -> History {
        let mut ops = Vec::new();
        for (p, (kind, v)) in results.iter().enumerate() {
            ops.push(Op::client(
                p as u64,
                OpType::Invoke,
                "generate",
                json!(null),
            ));
            ops.push(Op::client(p as u64, *kind, "generate", v.clone()));
        }
        History::from_ops(ops, Dialect::Schism).unwrap()
    }

    #[test]
    fn distinct_ids_are_valid_even_when_they_look_alike() {
        let h = history(&[
            (OpType::Ok, json!(1)),
            (OpType::Ok, json!("1")),
            (OpType::Ok, json!("n1-1")),
            (OpType::Info, json!(null)),
            (OpType::Fail, json!(null)),
        ]);
        let v = UniqueIds.check(&h);
        assert_eq!(v.validity, Validity::Valid);
        assert_eq!(v.stats["distinct_ids"], json!(3));
    }

    #[test]
    fn a_repeated_id_names_every_op_that_got_it() {
        let h = history(&[
            (OpType::Ok, json!("a")),
            (OpType::Ok, json!("b")),
            (OpType::Ok, json!("a")),
            (OpType::Ok, json!("a")),
        ]);
        let v = UniqueIds.check(&h);
        assert_eq!(v.validity, Validity::Invalid);
        assert_eq!(v.anomalies.len(), 1);
        let a = &v.anomalies[0];
        assert_eq!(a.kind, "duplicate-id");
        assert_eq!(a.data["id"], json!("a"));
        assert_eq!(a.data["ops"], json!([0, 4, 6]));
        let procs: Vec<String> = a.ops.iter().map(|o| o.process.to_string()).collect();
        assert_eq!(procs, ["0", "2", "3"]);
        assert!(a.explanation.contains("generated 3 times"));
        assert_eq!(a.data["count"], json!(3));
    }

    #[test]
    fn nothing_generated_is_unknown() {
        let h = history(&[(OpType::Info, json!(null))]);
        assert_eq!(UniqueIds.check(&h).validity, Validity::Unknown);
    }
}
