//! A lock history as a compare-and-set register history, one register per lock (the op's
//! key), so the linearizability checker can judge it. The register holds the lock's owner:
//! nil when free, the process number when held. `acquire` by process p becomes `cas [nil,
//! p]`, `release` by p becomes `cas [p, nil]`; outcomes are kept (`ok` happened, `info`
//! may have, `fail` never did: its error is dropped so that the schism dialect does not
//! take it for a CAS that observed another value). Times, keys and source lines are kept;
//! other ops are left out.
//!
//! Owners rather than a bare held/free bit make the model a non-reentrant mutex with
//! owners: only the holder may release, and a holder cannot acquire again.
//!
//! An indeterminate acquire after which its process never releases that lock is left out
//! (counted in `orphans`). Had it taken effect, the lock would be held for ever by a
//! process that never releases it: no later op could then take effect, so leaving it out
//! of any linearization keeps it legal. Dropping it is sound and complete, and it keeps
//! the search small: in the lock workload, a process whose acquire is indeterminate is
//! retired and never releases.

use history::{History, HistoryBuilder, Key, Op, OpType, Process, Value};
use serde_json::json;
use std::collections::HashMap;

/// The register history and, for each of its ops, the index of the op it came from.
pub struct Translated {
    pub history: History,
    pub origin: Vec<usize>,
    /// Indeterminate acquires left out: their process never released that lock after.
    pub orphans: usize,
}

/// The CAS value `[from, to]` of a lock op by process `p`.
fn cas(f: &str, p: u64) -> Option<Value> {
    match f {
        "acquire" => Some(json!([null, p])),
        "release" => Some(json!([p, null])),
        _ => None,
    }
}

/// Translate a lock history. Err: the translation is not well formed (it cannot be, since
/// it keeps whole invocation/completion pairs of a well-formed history; the message says
/// why if it ever is).
pub fn translate(history: &History) -> Result<Translated, String> {
    let ops = history.ops();
    // The last release of each lock by each process that did not fail.
    let mut last_release: HashMap<(Option<&Key>, Process), usize> = HashMap::new();
    for (i, c) in history.client_pairs() {
        if ops[i].f == "release" && c.is_none_or(|c| ops[c].kind != OpType::Fail) {
            last_release.insert((ops[i].key.as_ref(), ops[i].process), i);
        }
    }
    let orphan = |i: usize| {
        let op = &ops[i];
        op.f == "acquire"
            && history
                .partner(i)
                .is_none_or(|c| ops[c].kind == OpType::Info)
            && last_release
                .get(&(op.key.as_ref(), op.process))
                .is_none_or(|&r| r < i)
    };
    let mut b = HistoryBuilder::new(history.dialect);
    let mut origin = Vec::new();
    let mut orphans = 0;
    for (i, op) in ops.iter().enumerate() {
        let Process::Client(p) = op.process else {
            continue;
        };
        let at = if op.kind == OpType::Invoke {
            i
        } else {
            match history.partner(i) {
                Some(inv) => inv,
                None => continue,
            }
        };
        let invoke = &ops[at];
        if orphan(at) {
            orphans += usize::from(at == i);
            continue;
        }
        let Some(value) = cas(&invoke.f, p) else {
            continue;
        };
        let t = Op {
            index: 0,
            time_ns: op.time_ns,
            process: op.process,
            kind: op.kind,
            f: "cas".into(),
            key: invoke.key.clone(),
            value,
            node: None,
            error: None,
        };
        b.push(t, history.line(i)).map_err(|e| e.to_string())?;
        origin.push(i);
    }
    Ok(Translated {
        history: b.finish(),
        origin,
        orphans,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use history::Dialect;

    #[test]
    fn acquires_and_releases_become_owner_cas_ops_and_the_rest_is_left_out() {
        let k = Key::Int(2);
        let ops = vec![
            Op::client(3, OpType::Invoke, "acquire", json!(null)).with_key(k.clone()),
            Op::client(4, OpType::Invoke, "read", json!(null)),
            Op::client(3, OpType::Ok, "acquire", json!(null)),
            Op::client(4, OpType::Ok, "read", json!(null)),
            Op::client(3, OpType::Invoke, "release", json!(null)).with_key(k.clone()),
            Op::client(3, OpType::Fail, "release", json!(null)),
        ];
        let mut ops = ops;
        ops[5].error = Some(json!("22: not held"));
        let h = History::from_ops(ops, Dialect::Schism).unwrap();
        let t = translate(&h).unwrap();
        assert_eq!(t.origin, vec![0, 2, 4, 5]);
        let got: Vec<(OpType, Value, Option<Key>)> = t
            .history
            .ops()
            .iter()
            .map(|o| (o.kind, o.value.clone(), o.key.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (OpType::Invoke, json!([null, 3]), Some(k.clone())),
                (OpType::Ok, json!([null, 3]), Some(k.clone())),
                (OpType::Invoke, json!([3, null]), Some(k.clone())),
                (OpType::Fail, json!([3, null]), Some(k)),
            ]
        );
        assert_eq!(t.history.ops()[3].error, None);
        assert_eq!(t.history.line(2), 5, "source lines are kept");
        assert_eq!(t.orphans, 0);
    }

    #[test]
    fn an_indeterminate_acquire_never_released_after_is_left_out() {
        let k = Key::Int(1);
        let a =
            |p: u64, kind: OpType, f: &str| Op::client(p, kind, f, json!(null)).with_key(k.clone());
        let ops = vec![
            a(1, OpType::Invoke, "acquire"),
            a(1, OpType::Info, "acquire"),
            a(2, OpType::Invoke, "acquire"),
            a(2, OpType::Info, "acquire"),
            a(2, OpType::Invoke, "release"),
            a(2, OpType::Ok, "release"),
            a(3, OpType::Invoke, "acquire"),
        ];
        let h = History::from_ops(ops, Dialect::Schism).unwrap();
        let t = translate(&h).unwrap();
        // Process 1's and 3's acquires are orphans; 2's is kept, since 2 releases after.
        assert_eq!(t.origin, vec![2, 3, 4, 5]);
        assert_eq!(t.orphans, 2);
    }
}
