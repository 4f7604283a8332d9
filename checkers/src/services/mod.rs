//! Checkers of the Maelstrom-style service workloads (`workloads::services`): small
//! services a node implements over Maelstrom's protocol, each judged for what it promises.
//!
//! | workload | checker (name) | anomaly kinds |
//! |---|---|---|
//! | `echo` | [`Echo`] (`echo`) | `wrong-echo` |
//! | `unique-ids` | [`UniqueIds`] (`unique-ids`) | `duplicate-id` |
//! | `g-set` | [`SetChecker::g_set`] (`set`) | `lost`, `unexpected` |
//! | `broadcast` | [`SetChecker::broadcast`] (`broadcast`) | `lost`, `unexpected` |
//! | `g-counter`, `pn-counter` | [`Counter`] (`counter`) | `out-of-bounds` |
//! | `lock` | [`Lock`] (`lock`) | `two-holders`, `release-not-held` |
//!
//! The anomaly kinds are stable. The history encoding each checker reads is the one the
//! workloads write (see `workloads::services`): reads complete with `{"node", "value"}`,
//! final reads name their node in the invocation (see [`common`]), lock ops carry the lock
//! as their key. Every checker answers unknown, never valid, when there was nothing to
//! judge (no final read, no ok op).
//!
//! ```
//! use checkers::{services::Counter, Checker};
//! assert_eq!(Counter::grow_only().name(), "counter");
//! ```

pub mod common;
mod counter;
mod echo;
pub mod lock;
mod set;
mod unique_ids;

pub use counter::Counter;
pub use echo::Echo;
pub use lock::Lock;
pub use set::SetChecker;
pub use unique_ids::UniqueIds;

#[cfg(test)]
mod tests {
    use super::*;
    use history::{Dialect, History, Key, Op, OpType, Validity};
    use serde_json::json;

    /// Every checker, over ops whose values have every wrong shape: none panics, and an
    /// empty history is never valid.
    #[test]
    fn no_checker_panics_on_odd_values_and_none_calls_nothing_valid() {
        let odd = [
            json!(null),
            json!(3),
            json!(-7),
            json!("n1"),
            json!([1, "x"]),
            json!({"node": 5}),
            json!({"node": "n2"}),
            json!({"node": "n1", "value": [1, [2]]}),
            json!({"node": "n1", "value": "x"}),
            json!({"value": 9}),
        ];
        let fs = [
            "echo",
            "generate",
            "add",
            "broadcast",
            "read",
            "topology",
            "acquire",
            "release",
        ];
        let mut ops = Vec::new();
        for (i, v) in odd.iter().enumerate() {
            for (j, f) in fs.iter().enumerate() {
                let kind = [OpType::Ok, OpType::Fail, OpType::Info][(i + j) % 3];
                let mut invoke = Op::client(j as u64, OpType::Invoke, f, v.clone());
                invoke.key = (i % 2 == 0).then_some(Key::Int(i as i64 % 3));
                ops.push(invoke);
                ops.push(Op::client(
                    j as u64,
                    kind,
                    f,
                    odd[(i + j) % odd.len()].clone(),
                ));
            }
        }
        let h = History::from_ops(ops, Dialect::Schism).unwrap();
        let empty = History::from_ops(Vec::new(), Dialect::Schism).unwrap();
        let every: Vec<Box<dyn crate::Checker>> = vec![
            Box::new(Echo),
            Box::new(UniqueIds),
            Box::new(SetChecker::g_set()),
            Box::new(SetChecker::broadcast()),
            Box::new(Counter::grow_only()),
            Box::new(Counter::pn()),
            Box::new(Lock::default()),
        ];
        for c in every {
            {
                let v = c.check(&h);
                assert_eq!(v.checker, c.name());
                let v = c.check(&empty);
                assert_eq!(v.validity, Validity::Unknown, "{}", c.name());
                assert!(v.reason.is_some());
            }
        }
    }
}
