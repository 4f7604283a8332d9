//! Refuting an op before any search: an op that needs the object in state `v` when, by
//! real time alone, no op that sets `v` can take effect between a write that certainly
//! came before it and the op itself.
//!
//! For op `y` needing `v`: let `L` be the latest completion of an op that may set `v` and
//! is invoked before `y` completes (an indeterminate one never completes: no refutation),
//! or the start of the history if `v` is the initial state and nothing else sets it. If
//! some determinate op `W` that sets the state (a write, a successful CAS) is invoked after
//! `L` and completes before `y` is invoked, then every linearization puts every setter of
//! `v` before `W`, `W` before `y`, and nothing that sets `v` between them: `y` is
//! impossible. A sound, sufficient condition, decided in O(n log n): it proves the common
//! anomalies (stale reads) at once, even among many indeterminate ops, where a search must
//! otherwise exhaust every order before the op.

use super::model::{Effect, Spec};
use super::prepare::{LinOp, NEVER};

/// Why an op is impossible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refutation {
    /// The impossible op.
    pub op: LinOp,
    /// The state it needs.
    pub needs: u32,
    /// The op that certainly overwrote that state before it began (None: no op sets the
    /// state before the op completes, and it is not the initial state).
    pub overwritten_by: Option<LinOp>,
    /// The last op that could set the needed state, completed before `overwritten_by` began
    /// (None: only the initial state held it).
    pub last_setter: Option<LinOp>,
}

/// The earliest-completing impossible op, if any.
pub fn refute<S: Spec>(spec: &S, ops: &[LinOp]) -> Option<Refutation> {
    let effects: Vec<Effect> = ops.iter().map(|o| spec.effect(o.class)).collect();
    if effects.contains(&Effect::Other) {
        return None;
    }
    // Setters of each state, in call order (ops are in call order).
    let mut setters: rustc_hash::FxHashMap<u32, Vec<usize>> = Default::default();
    // Determinate ops that set the state, by call, with the suffix minimum of their return.
    let mut killers: Vec<usize> = Vec::new();
    for (i, e) in effects.iter().enumerate() {
        if let Effect::Set(v) | Effect::CompareSet(_, v) = *e {
            setters.entry(v).or_default().push(i);
            if ops[i].ret != NEVER {
                killers.push(i);
            }
        }
    }
    let mut min_ret_from = vec![(u32::MAX, usize::MAX); killers.len() + 1];
    for k in (0..killers.len()).rev() {
        let r = (ops[killers[k]].ret, killers[k]);
        min_ret_from[k] = r.min(min_ret_from[k + 1]);
    }
    // For each state, the running maximum of setters' returns, by call.
    let max_ret: rustc_hash::FxHashMap<u32, Vec<(u32, usize)>> = setters
        .iter()
        .map(|(&v, idx)| {
            let mut best = (0u32, usize::MAX);
            let prefix = idx
                .iter()
                .map(|&i| {
                    if ops[i].ret >= best.0 {
                        best = (ops[i].ret, i);
                    }
                    best
                })
                .collect();
            (v, prefix)
        })
        .collect();
    let init = spec.init();
    let mut found: Option<Refutation> = None;
    for (i, e) in effects.iter().enumerate() {
        let y = ops[i];
        if y.ret == NEVER || found.is_some_and(|f| f.op.ret < y.ret) {
            continue;
        }
        let needs = match *e {
            Effect::Observe(v) | Effect::CompareSet(v, _) => v,
            _ => continue,
        };
        // The latest return among setters of `needs` invoked before y completes.
        let (last_ret, last) = match (setters.get(&needs), max_ret.get(&needs)) {
            (Some(idx), Some(prefix)) => {
                let n = idx.partition_point(|&j| ops[j].call < y.ret);
                if n == 0 {
                    (0, None)
                } else {
                    let (r, j) = prefix[n - 1];
                    (r, Some(j))
                }
            }
            _ => (0, None),
        };
        if last.is_none() && needs != init {
            // Nothing sets the state it needs before it completes.
            found = Some(Refutation {
                op: y,
                needs,
                overwritten_by: None,
                last_setter: None,
            });
            continue;
        }
        if last_ret == NEVER {
            continue;
        }
        // A killer invoked after `last_ret` that completes before y is invoked.
        let k = killers.partition_point(|&w| ops[w].call <= last_ret && last.is_some());
        let (w_ret, w) = min_ret_from[k];
        if w != usize::MAX && w_ret < y.call && w != i {
            found = Some(Refutation {
                op: y,
                needs,
                overwritten_by: Some(ops[w]),
                last_setter: last.map(|j| ops[j]),
            });
        }
    }
    found
}
