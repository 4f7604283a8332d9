//! Models: a sequential object in a few dozen lines of Rust, checked by the search.
//!
//! A [`Model`] says what a single copy of the object does: its initial state, how it reads
//! an op of the history, and the state after an op (or that the op is not legal there).
//! Every model is checked the same way, the built-in `register`, `cas-register` and `kv`
//! (in `models/`) and the lock of the lock checker included: the adapter numbers states and
//! ops and the search works on the numbers.
//!
//! Provided methods say more where a model can, and each only makes the check faster:
//! [`Model::shape`] tells a read, a write or a compare-and-set apart (legal and step
//! without calling the model, reads taken at once, indeterminate ops taken only where
//! needed, refutation by real time); [`Model::key`] says which object an op belongs to
//! (the history's key unless said otherwise: each key is checked on its own);
//! [`Model::describe_state`] and [`Model::describe_op`] word explanations.
//!
//! A FIFO queue, as an example: `enqueue` always succeeds; `dequeue` returns the head.
//!
//! ```
//! use checkers::linearizable::open::Model;
//! use checkers::linearizable::{check_model, OpView, Options, Outcome, Shape};
//! use history::{Dialect, History, Op, OpType, Validity};
//! use serde_json::json;
//! use std::collections::VecDeque;
//!
//! #[derive(Clone)]
//! struct Queue;
//!
//! #[derive(Debug, Clone, PartialEq, Eq, Hash)]
//! enum QueueOp {
//!     Enqueue(i64),
//!     /// A dequeue that returned this (None: the queue was empty).
//!     Dequeue(Option<i64>),
//! }
//!
//! impl Model for Queue {
//!     type State = VecDeque<i64>;
//!     type Op = QueueOp;
//!     fn name(&self) -> &'static str { "queue" }
//!     fn init(&self) -> VecDeque<i64> { VecDeque::new() }
//!     fn op(&self, op: OpView) -> Result<Option<QueueOp>, String> {
//!         match (op.f, op.outcome) {
//!             (_, Outcome::Fail) | ("dequeue", Outcome::Unknown) => Ok(None),
//!             ("enqueue", _) => Ok(Some(QueueOp::Enqueue(op.value.as_i64().ok_or("a number")?))),
//!             ("dequeue", _) => Ok(Some(QueueOp::Dequeue(op.result.as_i64()))),
//!             (f, _) => Err(format!("a queue has no {f:?}")),
//!         }
//!     }
//!     fn step(&self, q: &VecDeque<i64>, op: &QueueOp) -> Option<VecDeque<i64>> {
//!         let mut q = q.clone();
//!         match op {
//!             QueueOp::Enqueue(v) => q.push_back(*v),
//!             QueueOp::Dequeue(v) => {
//!                 if q.pop_front() != *v {
//!                     return None;
//!                 }
//!             }
//!         }
//!         Some(q)
//!     }
//!     // Optional: an enqueue is always legal (the search need not try it to know).
//!     fn shape(&self, op: &QueueOp) -> Shape<VecDeque<i64>> {
//!         match op {
//!             QueueOp::Enqueue(_) => Shape::Update,
//!             QueueOp::Dequeue(_) => Shape::Other,
//!         }
//!     }
//! }
//!
//! // 1 then 2 enqueued, one after the other; then 2 dequeued first: not linearizable.
//! let ops = vec![
//!     Op::client(0, OpType::Invoke, "enqueue", json!(1)),
//!     Op::client(0, OpType::Ok, "enqueue", json!(1)),
//!     Op::client(0, OpType::Invoke, "enqueue", json!(2)),
//!     Op::client(0, OpType::Ok, "enqueue", json!(2)),
//!     Op::client(1, OpType::Invoke, "dequeue", json!(null)),
//!     Op::client(1, OpType::Ok, "dequeue", json!(2)),
//! ];
//! let h = History::from_ops(ops, Dialect::Schism).unwrap();
//! let r = check_model(&h, &Queue, &Options::default()).unwrap();
//! assert_eq!(r.verdict.validity, Validity::Invalid);
//! ```

pub use super::shape::Shape;
pub use super::view::{OpView, Outcome};
use history::Key;
use std::fmt::Debug;
use std::hash::Hash;

/// A sequential object: what one copy of it does, op by op. Each key of a history gets
/// its own copy, starting from [`Model::init`].
pub trait Model: Send {
    /// The object's state.
    type State: Clone + Eq + Hash + Debug + Send;
    /// An op as the model needs it: its function, arguments and what it observed.
    type Op: Clone + Eq + Hash + Debug + Send;

    /// The model's name, in verdicts and `results.json`.
    fn name(&self) -> &'static str;

    /// The state every key starts in.
    fn init(&self) -> Self::State;

    /// Read one op of the history. `Ok(None)` leaves it out: it constrains nothing (a read
    /// that never completed, an op that certainly failed). `Err` says why the model cannot
    /// understand it (the history's line is added).
    fn op(&self, op: OpView) -> Result<Option<Self::Op>, String>;

    /// The state after `op` from `state`, or None when `op` cannot happen there. Must be a
    /// pure function of its arguments. Not called for an op whose [`Model::shape`] says
    /// what it does (see [`Shape::apply`]).
    fn step(&self, state: &Self::State, op: &Self::Op) -> Option<Self::State>;

    /// What `op` does, where one of the common shapes says it; must agree with
    /// [`Model::step`]. The default, [`Shape::Other`], is always right, and slowest.
    fn shape(&self, _op: &Self::Op) -> Shape<Self::State> {
        Shape::Other
    }

    /// Which object an op belongs to: ops of different keys are checked apart. Called with
    /// the invocation (its result null, its outcome unknown). The default is the history's
    /// key.
    fn key(&self, op: &OpView) -> Option<Key> {
        op.key.cloned()
    }

    /// How a state reads in explanations.
    fn describe_state(&self, state: &Self::State) -> String {
        format!("{state:?}")
    }

    /// How an op reads in explanations.
    fn describe_op(&self, op: &Self::Op) -> String {
        format!("{op:?}")
    }

    /// Bytes a state holds beyond its own size (a string's text), for the memory budget.
    fn heap_bytes(&self, _state: &Self::State) -> usize {
        0
    }
}
