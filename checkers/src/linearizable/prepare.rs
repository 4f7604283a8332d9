//! From a history to the search's input: client ops grouped by the key the model gives
//! them, each translated by the model into a class, with the interval in which it may take
//! effect.
//!
//! One pass in history order: an op is translated at its completion, when its invocation is
//! a few ops back and still in cache (a pass per key would jump across the whole history,
//! and reading each completion at its invocation would read ahead of the cache).

use super::adapter::Open;
use super::open::Model;
use super::spec::Spec;
use super::view::{OpView, Outcome};
use history::{Dialect, History, Key, OpType, Process, Value};
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
pub fn prepare<'a, M: Model + Clone>(
    history: &'a History,
    model: &M,
    dialect: Dialect,
) -> Result<Vec<Prepared<'a, Open<M>>>, ModelError> {
    let ops = history.ops();
    let mut slots: FxHashMap<Option<Key>, usize> = FxHashMap::default();
    let mut keys: Vec<Prepared<Open<M>>> = Vec::new();
    // For each invocation whose completion is ahead: (key slot, position in its ops).
    let mut open: Vec<(u32, u32)> = vec![(0, 0); ops.len()];
    for (i, op) in ops.iter().enumerate() {
        let Process::Client(_) = op.process else {
            continue;
        };
        let (slot, at, completion) = if op.kind == OpType::Invoke {
            let invocation = view(history, i, None, dialect).expect("not a fail");
            let slot = *slots
                .entry(model.key(&invocation))
                .or_insert_with_key(|key| {
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
            k.ops.push(LinOp {
                call: i as u32,
                ret: NEVER,
                class: DROPPED,
            });
            let at = k.ops.len() - 1;
            if history.partner(i).is_some() {
                open[i] = (slot as u32, at as u32);
                continue;
            }
            (slot, at, None)
        } else {
            let Some(call) = history.partner(i) else {
                continue;
            };
            let (slot, at) = open[call];
            (slot as usize, at as usize, Some(i))
        };
        let k = &mut keys[slot];
        let call = k.ops[at].call as usize;
        let Some(v) = view(history, call, completion, dialect) else {
            continue;
        };
        let determinate = v.outcome != Outcome::Unknown;
        let class = k.spec.class_of(v).map_err(|message| ModelError {
            index: call,
            line: history.line(call),
            message,
        })?;
        if let Some(class) = class {
            k.ops[at].class = class;
            if determinate {
                k.ops[at].ret = i as u32;
            }
        }
    }
    for k in &mut keys {
        k.ops.retain(|o| o.class != DROPPED);
    }
    Ok(keys)
}

/// An invocation and its completion (None: never completed, or not yet known) as a model
/// reads them; None for a `fail` that the dialect says never happened.
#[inline]
fn view(
    history: &History,
    call: usize,
    completion: Option<usize>,
    dialect: Dialect,
) -> Option<OpView<'_>> {
    let ops = history.ops();
    let invoke = &ops[call];
    let done = completion.map(|c| &ops[c]);
    let outcome = match done.map(|c| c.kind) {
        Some(OpType::Ok) => Outcome::Ok,
        Some(OpType::Fail) if !dialect.fail_observed(done.and_then(|c| c.error.as_ref())) => {
            return None
        }
        Some(OpType::Fail) => Outcome::Fail,
        _ => Outcome::Unknown,
    };
    Some(OpView {
        f: &invoke.f,
        key: invoke.key.as_ref(),
        value: &invoke.value,
        result: done.map_or(&Value::Null, |c| &c.value),
        outcome,
        process: match invoke.process {
            Process::Client(p) => p,
            _ => u64::MAX,
        },
        index: call,
        dialect,
    })
}
