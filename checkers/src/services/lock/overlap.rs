//! Two holders seen directly: a quick, sound (but incomplete) test that names the two
//! acquires, used before (and besides) the linearizability search.
//!
//! An acquire by process p that completed `ok` holds the lock from when it took effect
//! (at the latest, its completion) until p's next release takes effect (at the earliest,
//! that release's invocation; a failed release does not count). So p certainly holds it
//! over `(completion, next release's invocation)` — to the end of the history if p never
//! releases. Two such windows of one lock that overlap are two holders at once, whatever
//! the order the ops took effect in: the later of the two acquires took effect inside the
//! other's window. (The same process twice also counts: the mutex is not reentrant.) An
//! acquire whose process has an unsure release (info, or never completed) begun before the
//! acquire completed has no certain window: that release may take effect later and free
//! it, so such acquires are left to the search.

use history::{History, Key, OpType, Process};
use std::collections::BTreeMap;

/// The first two overlapping holds found on one lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overlap {
    pub key: Option<Key>,
    /// Invocation index of the acquire whose window began first.
    pub first: usize,
    /// Invocation index of the acquire that completed inside it.
    pub second: usize,
    /// Invocation index of the release that ends `first`'s window, if any.
    pub first_release: Option<usize>,
    /// How many acquires of this lock completed inside an earlier window.
    pub count: usize,
}

/// One acquire's certain holding window, by history index.
#[derive(Debug, Clone, Copy)]
struct Hold {
    invoke: usize,
    from: usize,
    until: usize,
    release: Option<usize>,
}

/// At most one overlap per lock (the earliest), in order of lock.
pub fn overlaps(history: &History) -> Vec<Overlap> {
    let ops = history.ops();
    type Lock = Option<Key>;
    // Each lock's ok acquires (process, invocation, completion), and each lock and
    // process's releases that did not fail (invocation indexes, in order).
    let mut acquires: BTreeMap<Lock, Vec<(u64, usize, usize)>> = BTreeMap::new();
    let mut releases: BTreeMap<(Lock, u64), Vec<usize>> = BTreeMap::new();
    // Releases that never said whether they happened: each may take effect at any moment
    // after its invocation, also after its process's next acquire.
    let mut unsure: BTreeMap<(Lock, u64), Vec<usize>> = BTreeMap::new();
    for (i, c) in history.client_pairs() {
        let op = &ops[i];
        let Process::Client(p) = op.process else {
            continue;
        };
        let kind = c.map_or(OpType::Info, |c| ops[c].kind);
        match (op.f.as_str(), kind, c) {
            ("acquire", OpType::Ok, Some(c)) => {
                acquires.entry(op.key.clone()).or_default().push((p, i, c))
            }
            ("release", k, _) if k != OpType::Fail => {
                if k != OpType::Ok {
                    unsure.entry((op.key.clone(), p)).or_default().push(i);
                }
                releases.entry((op.key.clone(), p)).or_default().push(i)
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    for (key, acqs) in acquires {
        // A hold is certain only when no unsure release of its process, begun before the
        // acquire completed, could end it early (a mutex lets a late release free it).
        let certain = |p: u64, from: usize| {
            unsure
                .get(&(key.clone(), p))
                .is_none_or(|rs| rs.iter().all(|&r| r > from))
        };
        let mut holds: Vec<Hold> = acqs
            .iter()
            .filter(|&&(p, _, from)| certain(p, from))
            .map(|&(p, invoke, from)| {
                let release = releases
                    .get(&(key.clone(), p))
                    .and_then(|rs| rs.iter().copied().find(|&r| r > from));
                Hold {
                    invoke,
                    from,
                    until: release.unwrap_or(usize::MAX),
                    release,
                }
            })
            .collect();
        holds.sort_by_key(|h| h.from);
        let mut longest: Option<Hold> = None;
        let mut first: Option<(Hold, Hold)> = None;
        let mut count = 0;
        for h in holds {
            if let Some(l) = longest.filter(|l| l.until > h.from) {
                count += 1;
                first.get_or_insert((l, h));
            }
            if !matches!(longest, Some(l) if l.until >= h.until) {
                longest = Some(h);
            }
        }
        if let Some((a, b)) = first {
            found.push(Overlap {
                key,
                first: a.invoke,
                second: b.invoke,
                first_release: a.release,
                count,
            });
        }
    }
    found
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use history::{Dialect, Op};
    use serde_json::json;

    pub(crate) fn op(p: u64, kind: OpType, f: &str) -> Op {
        Op::client(p, kind, f, json!(null)).with_key(Key::Int(1))
    }

    /// Process 1's release never answered, then 1 and 2 acquire: legal for a mutex (1
    /// acquires, the late release frees it, 2 acquires).
    pub(crate) fn late_release() -> Vec<Op> {
        vec![
            op(1, OpType::Invoke, "release"),
            op(1, OpType::Info, "release"),
            op(1, OpType::Invoke, "acquire"),
            op(1, OpType::Ok, "acquire"),
            op(2, OpType::Invoke, "acquire"),
            op(2, OpType::Ok, "acquire"),
        ]
    }

    fn find(ops: Vec<Op>) -> Vec<Overlap> {
        overlaps(&History::from_ops(ops, Dialect::Schism).unwrap())
    }

    #[test]
    fn two_acquires_with_no_release_between_overlap() {
        let got = find(vec![
            op(1, OpType::Invoke, "acquire"),
            op(1, OpType::Ok, "acquire"),
            op(2, OpType::Invoke, "acquire"),
            op(2, OpType::Ok, "acquire"),
        ]);
        assert_eq!(
            got,
            vec![Overlap {
                key: Some(Key::Int(1)),
                first: 0,
                second: 2,
                first_release: None,
                count: 1
            }]
        );
    }

    #[test]
    fn an_unsure_release_before_an_acquire_may_free_it_later() {
        // The search decides; this quick test must not claim two holders.
        assert_eq!(find(late_release()), vec![]);
    }

    #[test]
    fn a_release_begun_before_the_next_acquire_completed_ends_the_window() {
        // Process 1 begins its release (indeterminate) while 2 acquires: it may have freed it.
        let got = find(vec![
            op(1, OpType::Invoke, "acquire"),
            op(1, OpType::Ok, "acquire"),
            op(1, OpType::Invoke, "release"),
            op(2, OpType::Invoke, "acquire"),
            op(2, OpType::Ok, "acquire"),
            op(1, OpType::Info, "release"),
        ]);
        assert_eq!(got, vec![]);
    }

    #[test]
    fn a_failed_release_does_not_end_the_window() {
        let got = find(vec![
            op(1, OpType::Invoke, "acquire"),
            op(1, OpType::Ok, "acquire"),
            op(1, OpType::Invoke, "release"),
            op(1, OpType::Fail, "release"),
            op(2, OpType::Invoke, "acquire"),
            op(2, OpType::Ok, "acquire"),
        ]);
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].first, got[0].second), (0, 4));
    }
}
