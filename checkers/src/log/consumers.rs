//! What each process saw, in its own order: as a producer, its successive acknowledged
//! sends to a key must get increasing offsets (`nonmonotonic-send`); as a consumer, its
//! position in a key's log only moves forward (`nonmonotonic-poll`: a poll that returns an
//! offset at or before one it already read, within one poll or from one poll to its next)
//! and moves without gaps (`poll-skip`: the next offset it reads is the next one known to
//! exist after the last it read).
//!
//! When a consumer may rightly start over, and what schism assumes:
//!
//! - A process's first poll of a key may begin anywhere (at 0, at the committed offset,
//!   wherever the system puts a new consumer); only later polls are held to it.
//! - After an `info` op the worker goes on as a new process (schism's rule, and
//!   Jepsen's), so a crash or a lost connection starts a fresh consumer.
//! - A `fail` op changed nothing: the position is the one before it. Unsure or failed
//!   polls tell nothing and move nothing.
//! - A reassignment (Jepsen's `assign` or `subscribe`, ok) may move the position of every
//!   key (Kafka's rebalance; a seek to the beginning): every position is forgotten. This
//!   is laxer than Jepsen, which keeps the positions of keys still assigned, because the
//!   history readers do not keep `:seek-to-beginning?`. Nor do they keep a poll's
//!   `:rebalance-log`, whose keys Jepsen excuses: a Kafka history with `subscribe` and
//!   rebalances during polls may show steps here that Jepsen would excuse.
//! - A final read (from offset 0) is a read of the whole log, not a step of the consumer:
//!   it is held to order within itself (a gap in it is told as the `lost-write` of what
//!   the gap lacks, not as a skip), then the position of its keys is forgotten.
//!
//! Only offsets some op showed count as existing (a log may be sparse), so a skip names
//! offsets that were sent to or read.

use super::anomaly::{At, Found};
use super::ops::{Elem, Kind, LogKey, LogOp, Mop};
use super::order::Orders;
use history::OpType;
use std::collections::HashMap;

/// Skipped offsets named in one anomaly.
const SKIPPED_SHOWN: usize = 5;

#[derive(Default)]
struct Process {
    /// Per key: the last acknowledged send's offset, op and value.
    sent: HashMap<LogKey, (At, Elem)>,
    /// Per key: the last offset read, and by which op.
    polled: HashMap<LogKey, At>,
}

/// Walk every process's ok ops in order and collect what goes backwards or skips.
pub fn check(ops: &[LogOp], orders: &Orders, out: &mut Vec<Found>) {
    let mut procs: HashMap<u64, Process> = HashMap::new();
    for op in ops.iter().filter(|op| op.outcome == OpType::Ok) {
        let p = procs.entry(op.process).or_default();
        if op.kind == Kind::Assign {
            p.polled.clear();
            continue;
        }
        let is_final = matches!(op.kind, Kind::Final(_));
        for m in &op.mops {
            match m {
                Mop::Send {
                    key,
                    value,
                    offset: Some(o),
                } => {
                    let next = ((*o, op.invoke), value.clone());
                    if let Some(prev) = p.sent.insert(key.clone(), next.clone()) {
                        if *o <= prev.0 .0 {
                            out.push(Found::NonmonotonicSend {
                                key: key.clone(),
                                process: op.process,
                                prev,
                                next,
                            });
                        }
                    }
                }
                Mop::Send { .. } => {}
                Mop::Poll(keys) => {
                    for (key, pairs) in keys {
                        let mut cursor = if is_final {
                            None
                        } else {
                            p.polled.get(key).copied()
                        };
                        for (o, _) in pairs {
                            let next = (*o, op.invoke);
                            if let Some(prev) = cursor {
                                step(orders, key, op.process, (prev, next), !is_final, out);
                            }
                            cursor = Some(next);
                        }
                        match (is_final, cursor) {
                            (true, _) => {
                                p.polled.remove(key);
                            }
                            (false, Some(c)) => {
                                p.polled.insert(key.clone(), c);
                            }
                            (false, None) => {}
                        }
                    }
                }
            }
        }
    }
}

/// A consumer read `next` right after `prev`; `skips` whether a gap counts.
fn step(
    orders: &Orders,
    key: &LogKey,
    process: u64,
    (prev, next): (At, At),
    skips: bool,
    out: &mut Vec<Found>,
) {
    if next.0 <= prev.0 {
        out.push(Found::NonmonotonicPoll {
            key: key.clone(),
            process,
            prev,
            next,
        });
        return;
    }
    let Some(log) = orders.get(key).filter(|_| skips) else {
        return;
    };
    if log.skips(prev.0, next.0) {
        let (skipped, count) = log.between(prev.0, next.0, SKIPPED_SHOWN);
        out.push(Found::PollSkip {
            key: key.clone(),
            process,
            prev,
            next,
            skipped,
            count,
        });
    }
}
