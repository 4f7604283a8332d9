//! A client request a leader holds until its log entry is applied, and the answer it gets
//! then: what applying the entry gave.
//!
//! Except under the deliberate `txn-early-read` bug of Raft and Paxos: a transaction is
//! also previewed against the leader's state when it arrives (before it is in the log, so
//! before the transactions ahead of it are applied), and when its entry is applied the
//! reads of the `txn_ok` are taken from that preview. Its writes still take effect through
//! the log, in log order; only what it says it read is early. An error from applying (a type
//! clash) is answered as it is.

use crate::kv::Kv;
use serde_json::Value;
use wire::{Body, Envelope};

#[derive(Debug, Clone)]
pub struct Waiting {
    pub req: Envelope,
    /// The micro-ops as the leader's state answered them on arrival (the bug only).
    early: Option<Value>,
}

impl Waiting {
    /// A request answered by its entry's application.
    pub fn new(req: &Envelope) -> Waiting {
        Waiting {
            req: req.clone(),
            early: None,
        }
    }

    /// A request whose transaction's reads, if it is one, are answered from `kv` as it is
    /// now (the bug).
    pub fn reading_early(req: &Envelope, kv: &Kv) -> Waiting {
        let early = (req.body.kind() == "txn")
            .then(|| kv.txn_preview(&Value::Object(req.body.0.clone())))
            .flatten();
        Waiting {
            req: req.clone(),
            early,
        }
    }

    /// The answer, from the body applying the entry gave.
    pub fn answer(&self, mut applied: Body) -> Body {
        if let (Some(early), "txn_ok") = (&self.early, applied.kind()) {
            applied.set("txn", early.clone());
        }
        applied
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn early_reads_answer_a_transaction_from_the_state_it_arrived_at() {
        let mut kv = Kv::default();
        let txn = |ops: Value| Envelope::new("c1", "n1", json!({"type": "txn", "txn": ops}));
        let t = txn(json!([["r", 1, null], ["append", 1, 2]]));
        let honest = Waiting::new(&t);
        let early = Waiting::reading_early(&t, &kv);
        // Another transaction is applied first.
        kv.apply(&json!({"type": "txn", "txn": [["append", 1, 1]]}));
        let applied = kv
            .apply(&Value::Object(t.body.0.clone()))
            .expect("an answer");
        assert_eq!(
            honest.answer(applied.clone())["txn"],
            json!([["r", 1, [1]], ["append", 1, 2]])
        );
        assert_eq!(
            early.answer(applied)["txn"],
            json!([["r", 1, null], ["append", 1, 2]])
        );
        // Only transactions are previewed, and errors pass through.
        let w = Envelope::new("c1", "n1", json!({"type": "write", "key": 1, "value": 1}));
        assert!(Waiting::reading_early(&w, &kv).early.is_none());
        let err = Body::from(wire::ErrorCode::MalformedRequest.body("clash"));
        assert_eq!(early.answer(err.clone()), err);
    }
}
