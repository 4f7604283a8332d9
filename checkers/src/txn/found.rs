//! What the checks found, before it becomes a verdict: every anomaly of every kind (the
//! first [`MAX_ANOMALIES`] of each kept, the rest counted), each explanation ending with
//! the models it rules out; and [`Ctx`], how transactions are named in explanations.

use super::model::{self, Model};
use super::txns::{Datatype, TxnId, Txns};
use crate::report::{span, MAX_ANOMALIES};
use history::{Anomaly, History, Key, OpSpan, Value};
use std::collections::BTreeMap;

/// What an explanation needs to name transactions.
pub struct Ctx<'a> {
    pub history: &'a History,
    pub txns: &'a Txns,
    pub dt: Datatype,
}

impl Ctx<'_> {
    /// `T1 = op 12 (process 3, ok, line 13): [append 3 5] [r 4 [1 2]]`.
    pub fn let_line(&self, label: &str, t: TxnId) -> String {
        let txn = &self.txns.list[t as usize];
        format!(
            "{label} = op {} (process {}, {}, line {}): {}",
            txn.invoke,
            txn.process,
            txn.status.as_str(),
            self.history.line(txn.invoke as usize),
            self.txns.text(t, self.dt)
        )
    }

    pub fn span(&self, t: TxnId) -> OpSpan {
        span(self.history, self.txns.list[t as usize].invoke as usize)
    }

    pub fn key(&self, k: u32) -> Key {
        self.txns.keys[k as usize].clone()
    }
}

/// The anomalies found so far.
#[derive(Default)]
pub struct Found {
    kept: Vec<Anomaly>,
    counts: BTreeMap<&'static str, usize>,
}

impl Found {
    /// Whether another anomaly of `kind` would be kept (its explanation is worth writing).
    pub fn wants(&self, kind: &str) -> bool {
        self.counts.get(kind).copied().unwrap_or(0) < MAX_ANOMALIES
    }

    /// Count an anomaly of `kind` without keeping it.
    pub fn count(&mut self, kind: &'static str) {
        *self.counts.entry(kind).or_insert(0) += 1;
    }

    /// Record an anomaly of `kind` involving `txns` (the failing one first).
    pub fn add(
        &mut self,
        ctx: &Ctx,
        kind: &'static str,
        key: Option<u32>,
        explanation: String,
        txns: &[TxnId],
        data: Value,
    ) {
        let keep = self.wants(kind);
        self.count(kind);
        if !keep {
            return;
        }
        let mut explanation = explanation;
        explanation.push_str(&format!(
            "\nRules out: {}.",
            model::list(model::ruled_out(kind))
        ));
        self.kept.push(Anomaly {
            kind: kind.into(),
            key: key.map(|k| ctx.key(k)),
            explanation,
            ops: txns.iter().map(|&t| ctx.span(t)).collect(),
            data,
        });
    }

    /// Record an anomaly of `kind` involving `txns` (the failing one first), writing its
    /// explanation and data only when it is kept.
    pub fn report(
        &mut self,
        ctx: &Ctx,
        kind: &'static str,
        key: Option<u32>,
        txns: &[TxnId],
        explain: impl FnOnce() -> (String, Value),
    ) {
        if !self.wants(kind) {
            return self.count(kind);
        }
        let (explanation, data) = explain();
        self.add(ctx, kind, key, explanation, txns, data);
    }

    /// How many anomalies of each kind, kept or not.
    pub fn counts(&self) -> &BTreeMap<&'static str, usize> {
        &self.counts
    }

    pub fn total(&self) -> usize {
        self.counts.values().sum()
    }

    /// The models some anomaly rules out, weakest first.
    pub fn ruled_out(&self) -> Vec<Model> {
        match self
            .counts
            .keys()
            .filter_map(|k| model::weakest_ruled_out(k))
            .min()
        {
            Some(m) => Model::ALL[m as usize..].to_vec(),
            None => Vec::new(),
        }
    }

    /// The kept anomalies that rule out `model`, the most severe first; and how many
    /// anomalies rule it out in all.
    pub fn against(self, model: Model) -> (Vec<Anomaly>, usize) {
        let rules_out = |k: &str| model::weakest_ruled_out(k).is_some_and(|w| w <= model);
        let total = self
            .counts
            .iter()
            .filter(|(k, _)| rules_out(k))
            .map(|(_, n)| n)
            .sum();
        let mut kept: Vec<Anomaly> = self
            .kept
            .into_iter()
            .filter(|a| rules_out(&a.kind))
            .collect();
        kept.sort_by_key(|a| model::weakest_ruled_out(&a.kind));
        (kept, total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use history::{Dialect, Op, OpType};
    use serde_json::json;

    #[test]
    fn keeps_what_rules_out_the_model_most_severe_first() {
        let h = History::from_ops(
            vec![
                Op::client(0, OpType::Invoke, "txn", json!([["r", 1, null]])),
                Op::client(0, OpType::Ok, "txn", json!([["r", 1, [2]]])),
            ],
            Dialect::Schism,
        )
        .unwrap();
        let mut clock = super::super::budget::Clock::new(None);
        let txns = Txns::extract(&h, Datatype::ListAppend, &mut clock).unwrap();
        let ctx = Ctx {
            history: &h,
            txns: &txns,
            dt: Datatype::ListAppend,
        };
        assert_eq!(
            ctx.let_line("T1", 0),
            "T1 = op 0 (process 0, ok, line 1): [r 1 [2]]"
        );
        let mut f = Found::default();
        f.add(&ctx, "G2-item", None, "b".into(), &[0], Value::Null);
        f.add(&ctx, "lost", Some(0), "c".into(), &[0], Value::Null);
        f.add(&ctx, "garbage-read", Some(0), "a".into(), &[0], Value::Null);
        assert_eq!(f.ruled_out(), Model::ALL.to_vec());
        assert_eq!(f.total(), 3);
        let (kept, n) = f.against(Model::Serializable);
        assert_eq!(n, 2);
        assert_eq!(
            kept.iter().map(|a| a.kind.as_str()).collect::<Vec<_>>(),
            ["garbage-read", "G2-item"]
        );
        assert!(kept[0].explanation.ends_with(
            "Rules out: read-committed, snapshot-isolation, serializable, strict-serializable."
        ));
        assert_eq!(kept[0].key, Some(Key::Int(1)));
    }

    #[test]
    fn keeps_at_most_max_anomalies_of_a_kind_but_counts_all() {
        let mut f = Found::default();
        for _ in 0..MAX_ANOMALIES + 5 {
            f.count("G0");
        }
        assert!(!f.wants("G0"));
        assert!(f.wants("G1c"));
        assert_eq!(f.counts()["G0"], MAX_ANOMALIES + 5);
    }
}
