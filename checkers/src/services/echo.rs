//! Echo (`echo`): every `echo` that completed `ok` must return exactly what it was invoked
//! with (compared as JSON values). One that returns anything else is `wrong-echo`. Unknown
//! when no echo completed.

use super::common::{named, show, span, Report};
use crate::Checker;
use history::{History, OpType, Verdict};
use serde_json::json;

/// The echo checker.
#[derive(Debug, Clone, Default)]
pub struct Echo;

impl Checker for Echo {
    fn name(&self) -> &str {
        "echo"
    }

    fn check(&self, history: &History) -> Verdict {
        let ops = history.ops();
        let mut report = Report::new(self.name());
        let mut ok = 0u64;
        let mut wrong = 0u64;
        for (i, c) in history.client_pairs() {
            let Some(c) = c.filter(|c| ops[i].f == "echo" && ops[*c].kind == OpType::Ok) else {
                continue;
            };
            ok += 1;
            let (sent, got) = (&ops[i].value, &ops[c].value);
            if sent == got {
                continue;
            }
            wrong += 1;
            let text = format!(
                "{} sent {} but the reply echoed {}.",
                named(history, i),
                show(sent),
                show(got)
            );
            let data = json!({"sent": sent, "echoed": got});
            report.violation("wrong-echo", text, vec![span(history, i)], data);
        }
        if ok == 0 {
            report.cannot_judge("no echo completed ok: there is nothing to compare".into());
        }
        report.stat("ok_echoes", json!(ok));
        report.stat("wrong_echoes", json!(wrong));
        report.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use history::{Dialect, Op, Validity, Value};

    fn history(pairs: &[(Value, OpType, Value)]) -> History {
        let mut ops = Vec::new();
        for (sent, kind, got) in pairs {
            ops.push(Op::client(0, OpType::Invoke, "echo", sent.clone()));
            ops.push(Op::client(0, *kind, "echo", got.clone()));
        }
        History::from_ops(ops, Dialect::Schism).unwrap()
    }

    #[test]
    fn exact_echoes_are_valid_and_failed_ones_are_not_judged() {
        let h = history(&[
            (json!("hi 1"), OpType::Ok, json!("hi 1")),
            (json!({"a": [1]}), OpType::Ok, json!({"a": [1]})),
            (json!("hi 2"), OpType::Info, json!(null)),
        ]);
        let v = Echo.check(&h);
        assert_eq!(v.validity, Validity::Valid);
        assert_eq!(v.stats["ok_echoes"], json!(2));
    }

    #[test]
    fn a_different_reply_is_a_wrong_echo_naming_both_values() {
        let h = history(&[
            (json!("hi 1"), OpType::Ok, json!("hi 1")),
            (json!("hi 2"), OpType::Ok, json!("hi 1")),
        ]);
        let v = Echo.check(&h);
        assert_eq!(v.validity, Validity::Invalid);
        assert_eq!(v.anomalies.len(), 1);
        let a = &v.anomalies[0];
        assert_eq!(a.kind, "wrong-echo");
        assert_eq!(
            (a.data["sent"].clone(), a.data["echoed"].clone()),
            (json!("hi 2"), json!("hi 1"))
        );
        assert_eq!(a.ops[0].invoke_index, 2);
    }

    #[test]
    fn no_echo_is_unknown() {
        assert_eq!(Echo.check(&history(&[])).validity, Validity::Unknown);
    }
}
