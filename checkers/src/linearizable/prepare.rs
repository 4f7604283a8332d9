//! From a history to the search's input: client ops grouped by key, each translated by the
//! model into a class, with the interval in which it may take effect.

use super::model::{Outcome, Spec};
use history::{Dialect, History, Key, OpType, NO_PARTNER};
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
    /// (invocation, completion or NO_PARTNER), in invocation order.
    pub pairs: Vec<(u32, u32)>,
}

/// An op the model cannot understand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelError {
    pub line: usize,
    pub message: String,
}

/// Split a history's client ops by key (P-compositionality: each key is its own object).
pub fn split_by_key(history: &History) -> Vec<KeyJob<'_>> {
    let mut index: FxHashMap<Option<&Key>, usize> = FxHashMap::default();
    let mut jobs: Vec<KeyJob> = Vec::new();
    for (i, op) in history.ops().iter().enumerate() {
        if op.kind != OpType::Invoke || !op.is_client() {
            continue;
        }
        let slot = *index.entry(op.key.as_ref()).or_insert_with(|| {
            jobs.push(KeyJob {
                key: op.key.clone(),
                history,
                pairs: Vec::new(),
            });
            jobs.len() - 1
        });
        let completion = history.partner(i).map_or(NO_PARTNER, |c| c as u32);
        jobs[slot].pairs.push((i as u32, completion));
    }
    jobs
}

/// Translate a key's ops into classes, applying the dialect: in Knossos's, `fail` ops never
/// happened; in Porcupine's the model decides what a `fail` observed.
pub fn translate<S: Spec + ?Sized>(
    spec: &mut S,
    job: &KeyJob<'_>,
    dialect: Dialect,
) -> Result<Vec<LinOp>, ModelError> {
    let ops = job.history.ops();
    let mut out = Vec::with_capacity(job.pairs.len());
    for &(call, completion) in &job.pairs {
        let invoke = &ops[call as usize];
        let done = (completion != NO_PARTNER).then(|| &ops[completion as usize]);
        let outcome = match done.map(|c| c.kind) {
            Some(OpType::Ok) => Outcome::Ok,
            Some(OpType::Fail) if dialect == Dialect::Knossos => continue,
            Some(OpType::Fail) => Outcome::Fail,
            _ => Outcome::Unknown,
        };
        let result = done.map(|c| &c.value).unwrap_or(&history::Value::Null);
        let class = spec
            .class_of(&invoke.f, &invoke.value, result, outcome)
            .map_err(|message| ModelError {
                line: job.history.line(call as usize),
                message,
            })?;
        if let Some(class) = class {
            let ret = if outcome == Outcome::Unknown {
                NEVER
            } else {
                completion
            };
            out.push(LinOp { call, ret, class });
        }
    }
    Ok(out)
}
