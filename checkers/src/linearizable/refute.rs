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

use super::prepare::{LinOp, NEVER};
use super::shape::Shape;
use super::spec::Spec;

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
    let effects: Vec<Shape<u32>> = ops.iter().map(|o| spec.shape(o.class)).collect();
    let mut states = spec.init() as usize + 1;
    for e in &effects {
        let top = match *e {
            Shape::Update | Shape::Other => return None,
            Shape::Differs(_) => 0,
            Shape::Observe(v) | Shape::Set(v) => v,
            Shape::CompareSet(a, b) => a.max(b),
        };
        states = states.max(top as usize + 1);
    }
    // Setters of each state, in call order (ops are in call order), with the running
    // maximum of their returns: (return, setter).
    let mut max_ret: Vec<Vec<(u32, u32)>> = vec![Vec::new(); states];
    // Determinate ops that set the state, by call, with the suffix minimum of their return.
    let mut killers: Vec<usize> = Vec::new();
    for (i, e) in effects.iter().enumerate() {
        if let Shape::Set(v) | Shape::CompareSet(_, v) = *e {
            let list = &mut max_ret[v as usize];
            let best = list.last().copied().unwrap_or((0, u32::MAX));
            list.push(best.max((ops[i].ret, i as u32)));
            if ops[i].ret != NEVER {
                killers.push(i);
            }
        }
    }
    let mut setter_calls: Vec<Vec<u32>> = vec![Vec::new(); states];
    for (i, e) in effects.iter().enumerate() {
        if let Shape::Set(v) | Shape::CompareSet(_, v) = *e {
            setter_calls[v as usize].push(ops[i].call);
        }
    }
    let mut min_ret_from = vec![(u32::MAX, usize::MAX); killers.len() + 1];
    for k in (0..killers.len()).rev() {
        let r = (ops[killers[k]].ret, killers[k]);
        min_ret_from[k] = r.min(min_ret_from[k + 1]);
    }
    let init = spec.init();
    let mut found: Option<Refutation> = None;
    for (i, e) in effects.iter().enumerate() {
        let y = ops[i];
        if y.ret == NEVER || found.is_some_and(|f| f.op.ret < y.ret) {
            continue;
        }
        let needs = match *e {
            Shape::Observe(v) | Shape::CompareSet(v, _) => v,
            _ => continue,
        };
        // The latest return among setters of `needs` invoked before y completes.
        let n = setter_calls[needs as usize].partition_point(|&c| c < y.ret);
        let (last_ret, last) = match n {
            0 => (0, None),
            n => {
                let (r, j) = max_ret[needs as usize][n - 1];
                (r, Some(j as usize))
            }
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
