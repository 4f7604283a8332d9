//! What the search asks of a model: one key's object over small numbers.
//!
//! The search never sees values. Each key's ops are translated into small integer
//! *classes* (an op's function, arguments and observed result) and the object's states into
//! small integer ids, so a step is a table lookup or a comparison and a search configuration
//! fits in a few machine words. [`super::adapter::Open`] makes one of any
//! [`super::open::Model`].

use super::shape::Shape;
use super::view::OpView;

/// One key's sequential specification over interned classes and states.
///
/// Contract: `step` is a pure function of `(state, class)` (it may cache); the same
/// op always maps to the same class.
pub trait Spec: Send {
    /// Translate one op. `Ok(None)` drops it: it constrains nothing (a read whose result is
    /// unknown, a failed write). `Err` says why the model cannot understand it.
    fn class_of(&mut self, op: OpView) -> Result<Option<u32>, String>;
    fn init(&self) -> u32;
    /// Whether the op is legal in `state` (cheaper than `step`: it makes no new state).
    fn legal(&self, state: u32, class: u32) -> bool;
    /// The state after `class` from `state`, or None when the op is not legal there.
    fn step(&mut self, state: u32, class: u32) -> Option<u32>;
    /// What the op does, over state ids, where its shape says it.
    fn shape(&self, class: u32) -> Shape<u32>;
    /// `self.shape(class).read_only()`, at the cost of a load.
    fn read_only(&self, class: u32) -> bool;
    /// `self.shape(class).blind()`, at the cost of a load.
    fn blind(&self, class: u32) -> bool;
    fn describe_state(&self, state: u32) -> String;
    fn describe_class(&self, class: u32) -> String;
    /// Bytes held by interning tables, for the memory budget.
    fn memory_bytes(&self) -> usize;
}
