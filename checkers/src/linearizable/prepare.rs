//! From a history to the search's input: client ops grouped by the key the model gives
//! them, each translated by the model into a class, with the interval in which it may take
//! effect.
//!
//! One pass in history order: an op is translated at its invocation, with its completion
//! (found through the history's pairing) a few ops ahead and still in cache; a pass per key
//! would jump across the whole history.

use super::adapter::Open;
use super::open::Model;
use super::spec::Spec;
use super::view::{OpView, Outcome};
use history::{Dialect, History, Key, OpType, Process, Value};
use rustc_hash::FxHashMap;

/// An op that never returns (`info`, or no completion) may take effect until the end.
pub const NEVER: u32 = u32::MAX;

/// One op as the search sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinOp {
    /// History index of the invocation.
    pub call: u32,
    /// History index of the completion, or [`NEVER`] for an indeterminate op.
    pub ret: u32,
    pub class: u32,
}

/// One key's share of a history.
pub struct KeyJob<'a> {
    pub key: Option<Key>,
    pub history: &'a History,
}

/// A key ready to search: its spec and its ops in call order.
pub struct Prepared<'a, S> {
    pub job: KeyJob<'a>,
    pub spec: S,
    pub ops: Vec<LinOp>,
    /// Client operations on this key, before the dialect dropped any.
    pub invocations: usize,
}

/// An op the model cannot understand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelError {
    pub line: usize,
    pub message: String,
}

/// Split a history's client ops by key (P-compositionality: each key is its own object)
/// and translate them into classes, applying the dialect: in Knossos's, `fail` ops never
/// happened; in Porcupine's the model decides what a `fail` observed.
pub fn prepare<'a, M: Model + Clone>(
    history: &'a History,
    model: &M,
    dialect: Dialect,
) -> Result<Vec<Prepared<'a, Open<M>>>, ModelError> {
    let ops = history.ops();
    let mut slots: FxHashMap<Option<Key>, usize> = FxHashMap::default();
    let mut keys: Vec<Prepared<Open<M>>> = Vec::new();
    for (call, done) in history.client_pairs() {
        let invoke = &ops[call];
        let mut view = OpView {
            f: &invoke.f,
            key: invoke.key.as_ref(),
            value: &invoke.value,
            result: &Value::Null,
            outcome: Outcome::Unknown,
            process: match invoke.process {
                Process::Client(p) => p,
                _ => u64::MAX,
            },
            index: call,
            dialect,
        };
        let slot = *slots.entry(model.key(&view)).or_insert_with_key(|key| {
            keys.push(Prepared {
                job: KeyJob {
                    key: key.clone(),
                    history,
                },
                spec: Open::new(model.clone()),
                ops: Vec::new(),
                invocations: 0,
            });
            keys.len() - 1
        });
        let k = &mut keys[slot];
        k.invocations += 1;
        let done = done.map(|c| &ops[c]);
        view.outcome = match done.map(|c| c.kind) {
            Some(OpType::Ok) => Outcome::Ok,
            Some(OpType::Fail) if !dialect.fail_observed(done.and_then(|c| c.error.as_ref())) => {
                continue
            }
            Some(OpType::Fail) => Outcome::Fail,
            _ => Outcome::Unknown,
        };
        if let Some(c) = done {
            view.result = &c.value;
        }
        let class = k.spec.class_of(view).map_err(|message| ModelError {
            line: history.line(call),
            message,
        })?;
        let Some(class) = class else {
            continue;
        };
        let ret = match done {
            Some(c) if view.outcome != Outcome::Unknown => c.index as u32,
            _ => NEVER,
        };
        k.ops.push(LinOp {
            call: call as u32,
            ret,
            class,
        });
    }
    Ok(keys)
}
