//! Models of your own: a sequential object in a few dozen lines of Rust, checked by the
//! same search as the built-in models.
//!
//! A [`Model`] says what a single copy of the object does: its initial state, how it reads
//! an op of the history, and the state after an op (or that the op is not legal there).
//! [`Open`] adapts it to the search: states and ops are interned into small numbers and
//! each step is computed once. The built-in register, cas-register and kv models are
//! hand-tuned [`Spec`]s; a model written here gives up their shortcuts (no refutation by
//! real time, no pruning of reads or writes), which the search does not need to be right.
//!
//! A lock, as an example: free or held by a process; `acquire` is legal when it is free,
//! `release` when the releasing process holds it.
//!
//! ```
//! use checkers::linearizable::open::Model;
//! use checkers::linearizable::{check_model, OpView, Options, Outcome};
//! use history::{Dialect, History, Op, OpType, Validity};
//!
//! #[derive(Clone)]
//! struct Lock;
//!
//! impl Model for Lock {
//!     type State = Option<u64>;
//!     type Op = (bool, u64); // (acquire?, process)
//!     fn name(&self) -> &'static str { "lock" }
//!     fn init(&self) -> Option<u64> { None }
//!     fn op(&self, op: OpView) -> Result<Option<(bool, u64)>, String> {
//!         match (op.f, op.outcome) {
//!             (_, Outcome::Fail) => Ok(None),
//!             ("acquire", _) => Ok(Some((true, op.process))),
//!             ("release", _) => Ok(Some((false, op.process))),
//!             (f, _) => Err(format!("a lock has no {f:?}")),
//!         }
//!     }
//!     fn step(&self, held: &Option<u64>, &(acquire, p): &(bool, u64)) -> Option<Option<u64>> {
//!         match (acquire, held) {
//!             (true, None) => Some(Some(p)),
//!             (false, Some(q)) if *q == p => Some(None),
//!             _ => None,
//!         }
//!     }
//! }
//!
//! // Two processes hold the lock at once: not linearizable.
//! let ops = vec![
//!     Op::client(0, OpType::Invoke, "acquire", serde_json::Value::Null),
//!     Op::client(0, OpType::Ok, "acquire", serde_json::Value::Null),
//!     Op::client(1, OpType::Invoke, "acquire", serde_json::Value::Null),
//!     Op::client(1, OpType::Ok, "acquire", serde_json::Value::Null),
//! ];
//! let h = History::from_ops(ops, Dialect::Schism).unwrap();
//! let r = check_model(&h, &Lock, &Options::default()).unwrap();
//! assert_eq!(r.verdict.validity, Validity::Invalid);
//! ```

use super::model::{Effect, OpView, Spec};
use rustc_hash::FxHashMap;
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
    /// pure function of its arguments.
    fn step(&self, state: &Self::State, op: &Self::Op) -> Option<Self::State>;

    /// How a state reads in explanations.
    fn describe_state(&self, state: &Self::State) -> String {
        format!("{state:?}")
    }

    /// How an op reads in explanations.
    fn describe_op(&self, op: &Self::Op) -> String {
        format!("{op:?}")
    }
}

/// Numbers for values, in order of first appearance.
struct Numbered<T> {
    items: Vec<T>,
    index: FxHashMap<T, u32>,
}

impl<T: Clone + Eq + Hash> Numbered<T> {
    fn new() -> Self {
        Numbered {
            items: Vec::new(),
            index: FxHashMap::default(),
        }
    }

    fn id(&mut self, item: &T) -> u32 {
        if let Some(&id) = self.index.get(item) {
            return id;
        }
        let id = self.items.len() as u32;
        self.items.push(item.clone());
        self.index.insert(item.clone(), id);
        id
    }
}

/// A [`Model`] as the search's [`Spec`]: states and ops numbered, each step computed once.
pub struct Open<M: Model> {
    model: M,
    states: Numbered<M::State>,
    ops: Numbered<M::Op>,
    /// (state, op) -> the state after it, or None when illegal.
    steps: FxHashMap<(u32, u32), Option<u32>>,
}

impl<M: Model> Open<M> {
    pub fn new(model: M) -> Self {
        let mut states = Numbered::new();
        states.id(&model.init());
        Open {
            model,
            states,
            ops: Numbered::new(),
            steps: FxHashMap::default(),
        }
    }

    /// The step, without remembering it (for `legal`, which may not change the cache).
    fn compute(&self, state: u32, class: u32) -> Option<M::State> {
        let s = &self.states.items[state as usize];
        self.model.step(s, &self.ops.items[class as usize])
    }
}

impl<M: Model> Spec for Open<M> {
    fn class_of(&mut self, op: OpView) -> Result<Option<u32>, String> {
        Ok(self.model.op(op)?.map(|o| self.ops.id(&o)))
    }

    fn init(&self) -> u32 {
        0
    }

    fn legal(&self, state: u32, class: u32) -> bool {
        match self.steps.get(&(state, class)) {
            Some(next) => next.is_some(),
            None => self.compute(state, class).is_some(),
        }
    }

    fn step(&mut self, state: u32, class: u32) -> Option<u32> {
        if let Some(&next) = self.steps.get(&(state, class)) {
            return next;
        }
        let next = self.compute(state, class).map(|s| self.states.id(&s));
        self.steps.insert((state, class), next);
        next
    }

    // No shortcuts: each is allowed to say false, and then the search tries every order.
    fn stutter_or_overwrite(&self, _class: u32) -> bool {
        false
    }

    fn read_only(&self, _class: u32) -> bool {
        false
    }

    fn blind(&self, _class: u32) -> bool {
        false
    }

    fn effect(&self, _class: u32) -> Effect {
        Effect::Other
    }

    fn describe_state(&self, state: u32) -> String {
        self.model
            .describe_state(&self.states.items[state as usize])
    }

    fn describe_class(&self, class: u32) -> String {
        self.model.describe_op(&self.ops.items[class as usize])
    }

    fn memory_bytes(&self) -> usize {
        // A rough size per entry: the item, its index entry, and the step cache.
        (self.states.items.len() + self.ops.items.len()) * 96 + self.steps.len() * 24
    }
}
