//! The lock as a sequential object, written as a [`Model`]: free, or held by one process.
//! `acquire` by p is legal when it is free and makes p the holder; `release` by p is legal
//! when p holds it and frees it. Owners rather than a bare held/free bit make it a
//! non-reentrant mutex with owners: only the holder may release, and a holder cannot
//! acquire again. Both ops are compare-and-sets ([`Shape::CompareSet`]), so the search
//! takes every shortcut it has for them.

use crate::linearizable::open::{Model, OpView, Outcome, Shape};
use rustc_hash::FxHashSet;
use std::sync::Arc;

/// A mutex with owners. Ops other than `acquire` and `release` are left out, and so are
/// `fail`ed ones (they never happened) and the invocations in `left_out`.
#[derive(Debug, Clone, Default)]
pub struct Mutex {
    /// Invocation indexes of ops to leave out (see [`super::orphans`]).
    pub left_out: Arc<FxHashSet<usize>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LockOp {
    Acquire(u64),
    Release(u64),
}

impl Model for Mutex {
    /// The holder, if any.
    type State = Option<u64>;
    type Op = LockOp;

    fn name(&self) -> &'static str {
        "lock"
    }

    fn init(&self) -> Option<u64> {
        None
    }

    fn op(&self, op: OpView) -> Result<Option<LockOp>, String> {
        if op.outcome == Outcome::Fail || self.left_out.contains(&op.index) {
            return Ok(None);
        }
        Ok(match op.f {
            "acquire" => Some(LockOp::Acquire(op.process)),
            "release" => Some(LockOp::Release(op.process)),
            _ => None,
        })
    }

    fn step(&self, holder: &Option<u64>, op: &LockOp) -> Option<Option<u64>> {
        self.shape(op).apply(holder)
    }

    fn shape(&self, op: &LockOp) -> Shape<Option<u64>> {
        match *op {
            LockOp::Acquire(p) => Shape::CompareSet(None, Some(p)),
            LockOp::Release(p) => Shape::CompareSet(Some(p), None),
        }
    }

    fn describe_state(&self, holder: &Option<u64>) -> String {
        match holder {
            None => "free".into(),
            Some(p) => format!("held by process {p}"),
        }
    }

    fn describe_op(&self, op: &LockOp) -> String {
        match op {
            LockOp::Acquire(p) => format!("acquire by process {p}"),
            LockOp::Release(p) => format!("release by process {p}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_holder_releases_and_no_one_acquires_a_held_lock() {
        let m = Mutex::default();
        let held = m.step(&None, &LockOp::Acquire(1)).unwrap();
        assert_eq!(held, Some(1));
        assert_eq!(m.step(&held, &LockOp::Acquire(2)), None);
        assert_eq!(m.step(&held, &LockOp::Acquire(1)), None, "not reentrant");
        assert_eq!(m.step(&held, &LockOp::Release(2)), None);
        assert_eq!(m.step(&held, &LockOp::Release(1)), Some(None));
        assert_eq!(m.step(&None, &LockOp::Release(1)), None);
        assert_eq!(m.describe_state(&held), "held by process 1");
    }
}
