//! Indeterminate acquires that the check may leave out.
//!
//! An indeterminate acquire after which its process never releases that lock is an
//! *orphan*. Had it taken effect, the lock would be held for ever by a process that never
//! releases it: no later op could then take effect, so leaving it out of any linearization
//! keeps it legal. Leaving it out is sound and complete, and it keeps the search small: in
//! the lock workload, a process whose acquire is indeterminate is retired and never
//! releases.

use history::{History, Key, OpType, Process};
use rustc_hash::FxHashSet;
use std::collections::HashMap;

/// The invocation indexes of the orphan acquires.
pub fn orphans(history: &History) -> FxHashSet<usize> {
    let ops = history.ops();
    // The last release of each lock by each process that did not fail.
    let mut last_release: HashMap<(Option<&Key>, Process), usize> = HashMap::new();
    for (i, c) in history.client_pairs() {
        if ops[i].f == "release" && c.is_none_or(|c| ops[c].kind != OpType::Fail) {
            last_release.insert((ops[i].key.as_ref(), ops[i].process), i);
        }
    }
    history
        .client_pairs()
        .filter(|&(i, c)| {
            let op = &ops[i];
            op.f == "acquire"
                && c.is_none_or(|c| ops[c].kind == OpType::Info)
                && last_release
                    .get(&(op.key.as_ref(), op.process))
                    .is_none_or(|&r| r < i)
        })
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use history::{Dialect, Op};
    use serde_json::json;

    #[test]
    fn an_indeterminate_acquire_never_released_after_is_an_orphan() {
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
            a(4, OpType::Invoke, "acquire"),
            a(4, OpType::Ok, "acquire"),
        ];
        let h = History::from_ops(ops, Dialect::Schism).unwrap();
        // Process 1's and 3's acquires are orphans; 2's is not, since 2 releases after,
        // nor is 4's, which completed.
        let mut got: Vec<usize> = orphans(&h).into_iter().collect();
        got.sort();
        assert_eq!(got, vec![0, 6]);
    }
}
