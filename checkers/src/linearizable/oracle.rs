//! A brute-force oracle: tries every order of every key's ops (and every choice of which
//! indeterminate ops took effect), with the models' meaning written out plainly on JSON
//! values. Exponential: for differential tests on small histories only (a dozen ops per key).
//! It shares nothing with the real search but the history types.

use super::ModelKind;
use history::{Dialect, History, Key, OpType, Value};
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
struct OracleOp {
    call: usize,
    ret: usize,
    f: String,
    value: Value,
    result: Value,
    kind: OpType,
}

/// Whether the history is linearizable, by exhaustive search.
pub fn linearizable(history: &History, model: ModelKind, dialect: Dialect) -> bool {
    let mut by_key: BTreeMap<Option<Key>, Vec<OracleOp>> = BTreeMap::new();
    for (call, done) in history.client_pairs() {
        let invoke = &history.ops()[call];
        let completion = done.map(|c| &history.ops()[c]);
        let kind = completion.map_or(OpType::Info, |c| c.kind);
        if kind == OpType::Fail && !dialect.fail_observed(completion.and_then(|c| c.error.as_ref()))
        {
            continue;
        }
        let ret = match kind {
            OpType::Info => usize::MAX,
            _ => done.unwrap_or(usize::MAX),
        };
        by_key
            .entry(invoke.key.clone())
            .or_default()
            .push(OracleOp {
                call,
                ret,
                f: invoke.f.to_string(),
                value: invoke.value.clone(),
                result: completion.map_or(Value::Null, |c| c.value.clone()),
                kind,
            });
    }
    by_key.values().all(|ops| {
        assert!(ops.len() <= 24, "the oracle is for small histories");
        let init = match model {
            ModelKind::Kv => Value::String(String::new()),
            _ => Value::Null,
        };
        search(ops, (1u32 << ops.len()) - 1, &init, model, dialect)
    })
}

fn search(ops: &[OracleOp], remaining: u32, state: &Value, model: ModelKind, d: Dialect) -> bool {
    if (0..ops.len()).all(|i| remaining & (1 << i) == 0 || ops[i].ret == usize::MAX) {
        return true; // every op that returned is placed; the rest never took effect
    }
    for i in (0..ops.len()).filter(|&i| remaining & (1 << i) != 0) {
        let blocked =
            (0..ops.len()).any(|j| j != i && remaining & (1 << j) != 0 && ops[j].ret < ops[i].call);
        if blocked {
            continue;
        }
        if let Some(next) = step(&ops[i], state, model, d) {
            if search(ops, remaining & !(1 << i), &next, model, d) {
                return true;
            }
        }
    }
    false
}

fn step(op: &OracleOp, state: &Value, model: ModelKind, d: Dialect) -> Option<Value> {
    let unknown = op.kind == OpType::Info;
    let failed = op.kind == OpType::Fail;
    match (model, op.f.as_str()) {
        (ModelKind::Kv, "get") => {
            if unknown || failed || (op.result.is_null() && d == Dialect::Knossos) {
                return Some(state.clone());
            }
            let seen = if op.result.is_null() {
                Value::String(String::new())
            } else {
                op.result.clone()
            };
            (seen == *state).then(|| state.clone())
        }
        (ModelKind::Kv, "put") => Some(if failed {
            state.clone()
        } else {
            op.value.clone()
        }),
        (ModelKind::Kv, "append") => {
            if failed {
                return Some(state.clone());
            }
            let s = format!("{}{}", state.as_str()?, op.value.as_str()?);
            Some(Value::String(s))
        }
        (_, "read") => {
            if unknown || failed || (op.result.is_null() && d == Dialect::Knossos) {
                return Some(state.clone());
            }
            (op.result == *state).then(|| state.clone())
        }
        (_, "write") => Some(if failed {
            state.clone()
        } else {
            op.value.clone()
        }),
        (ModelKind::CasRegister, "cas") => {
            let from = op.value.get(0)?;
            let to = op.value.get(1)?;
            if failed {
                (state != from).then(|| state.clone())
            } else {
                (state == from).then(|| to.clone())
            }
        }
        _ => None,
    }
}
