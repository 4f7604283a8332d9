//! One op of a history as a model reads it: what was invoked, what came back, and how the
//! history's dialect judges its outcome.

use history::{Dialect, Key, Value};

/// What became of an op, as the model sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It happened and its completion carries the result.
    Ok,
    /// It completed with `fail`, and the dialect says the failure observed something (a
    /// CAS that saw another value). A `fail` the dialect says never happened is left out
    /// before the model sees it.
    Fail,
    /// `info` or never completed: it may take effect at any moment after its invocation,
    /// or never, and its result is unknown.
    Unknown,
}

/// One op as a model reads it: its invocation and, when it completed, its result.
#[derive(Debug, Clone, Copy)]
pub struct OpView<'a> {
    /// The function (`read`, `write`, `cas`, ...).
    pub f: &'a str,
    /// The invocation's key, if any.
    pub key: Option<&'a Key>,
    /// The invocation's value (a write's value, a CAS's `[from, to]`).
    pub value: &'a Value,
    /// The completion's value (a read's result); null when it never completed.
    pub result: &'a Value,
    pub outcome: Outcome,
    /// The client process that invoked it (a lock's owner).
    pub process: u64,
    /// The invocation's index in the history.
    pub index: usize,
    /// How the history is read (Knossos's dialect: a nil read tells nothing).
    pub dialect: Dialect,
}
