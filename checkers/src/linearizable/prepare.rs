//! From a history to the search's input: client ops grouped by key, each translated by the
//! model into a class, with the interval in which it may take effect.
//!
//! One pass in history order: an op is translated at its completion, when its invocation is
//! a few ops back and still in cache (a pass per key would jump across the whole history).

use super::model::{OpView, Outcome, Spec};
use history::{Dialect, History, Key, OpType, Process};
use rustc_hash::FxHashMap;

/// An op that never returns (`info`, or no completion) may take effect until the end.
pub const NEVER: u32 = u32::MAX;
/// A placeholder class for an op whose completion is still ahead, or that was dropped.
const DROPPED: u32 = u32::MAX;

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
    /// The op's index in the history, and its line in the source.
    pub index: usize,
    pub line: usize,
    pub message: String,
}

/// Split a history's client ops by key (P-compositionality: each key is its own object)
/// and translate them into classes, applying the dialect: in Knossos's, `fail` ops never
/// happened; in Porcupine's the model decides what a `fail` observed.
pub fn prepare<'a, S: Spec>(
    history: &'a History,
    make: impl Fn() -> S,
    dialect: Dialect,
) -> Result<Vec<Prepared<'a, S>>, ModelError> {
    let ops = history.ops();
    let mut slots: FxHashMap<Option<&Key>, usize> = FxHashMap::default();
    let mut keys: Vec<Prepared<S>> = Vec::new();
    // Open invocations: process -> (key slot, position in that key's ops).
    let mut open: FxHashMap<u64, (usize, usize)> = FxHashMap::default();
    for (i, op) in ops.iter().enumerate() {
        let Process::Client(p) = op.process else {
            continue;
        };
        if op.kind == OpType::Invoke {
            let slot = *slots.entry(op.key.as_ref()).or_insert_with(|| {
                keys.push(Prepared {
                    job: KeyJob {
                        key: op.key.clone(),
                        history,
                    },
                    spec: make(),
                    ops: Vec::new(),
                    invocations: 0,
                });
                keys.len() - 1
            });
            let k = &mut keys[slot];
            k.invocations += 1;
            k.ops.push(LinOp {
                call: i as u32,
                ret: NEVER,
                class: DROPPED,
            });
            if history.partner(i).is_some() {
                open.insert(p, (slot, k.ops.len() - 1));
            } else {
                let class = translate(&mut k.spec, history, i, None, dialect)?;
                k.ops.last_mut().expect("just pushed").class = class.unwrap_or(DROPPED);
            }
        } else if let Some((slot, at)) = open.remove(&p) {
            let k = &mut keys[slot];
            let call = k.ops[at].call as usize;
            let class = translate(&mut k.spec, history, call, Some(i), dialect)?;
            k.ops[at].class = class.unwrap_or(DROPPED);
            if op.kind != OpType::Info && class.is_some() {
                k.ops[at].ret = i as u32;
            }
        }
    }
    for k in &mut keys {
        k.ops.retain(|o| o.class != DROPPED);
    }
    Ok(keys)
}

/// Translate one invocation and its completion (None: never completed).
fn translate<S: Spec>(
    spec: &mut S,
    history: &History,
    call: usize,
    completion: Option<usize>,
    dialect: Dialect,
) -> Result<Option<u32>, ModelError> {
    let ops = history.ops();
    let invoke = &ops[call];
    let done = completion.map(|c| &ops[c]);
    let outcome = match done.map(|c| c.kind) {
        Some(OpType::Ok) => Outcome::Ok,
        Some(OpType::Fail) if !dialect.fail_observed(done.and_then(|c| c.error.as_ref())) => {
            return Ok(None)
        }
        Some(OpType::Fail) => Outcome::Fail,
        _ => Outcome::Unknown,
    };
    let result = done.map_or(&history::Value::Null, |c| &c.value);
    let process = match invoke.process {
        Process::Client(p) => p,
        _ => u64::MAX,
    };
    spec.class_of(OpView {
        f: &invoke.f,
        value: &invoke.value,
        result,
        outcome,
        process,
    })
    .map_err(|message| ModelError {
        index: call,
        line: history.line(call),
        message,
    })
}
