//! What was sent against what was read: values lost, values that appeared from nowhere,
//! and acknowledged values no read can vouch for.
//!
//! A value is *known* to be in its key's log once its send was acknowledged, or once a
//! poll returned it (an unsure send that did happen). A known value is a `lost-write`
//! when either
//!
//! - no poll ever returned it although a later offset of its key was read (Jepsen's
//!   rule: an acknowledged send at offset o, and some poll read an offset above o), or
//! - a final read of its key (from offset 0 to the end), begun after the value was known,
//!   lacks it (a log that forgets or truncates what it had).
//!
//! A value some ok poll returned, that no one sent to that key or whose only send
//! definitely failed, is `unexpected`. An acknowledged value never read, that no final
//! read was asked after, is *unseen*: the history cannot tell whether it was lost, so the
//! verdict is unknown. Unsure sends never read are fine (they may not have happened).
//! Sends are matched by value: values are unique per key (schism's generator sends each
//! value once in a run; a value sent twice to one key is counted as `resent`, and a
//! duplicate of it is not reported).

use super::anomaly::{Found, Lost};
use super::ops::{Elem, Kind, LogKey, LogOp, Mop};
use history::{History, OpType};
use std::collections::{BTreeMap, HashMap, HashSet};

/// The sends of one value to one key (normally exactly one).
#[derive(Debug, Clone)]
pub struct Send {
    /// The most telling send: an ok one, else an unsure one, else a failed one.
    pub invoke: usize,
    pub outcome: OpType,
    pub offset: Option<i64>,
    pub count: usize,
}

/// The ok polls that returned one value of one key.
#[derive(Debug, Clone)]
pub struct Seen {
    pub first: usize,
    pub first_complete: usize,
    pub count: usize,
}

/// One ok final read.
#[derive(Debug)]
pub struct FinalRead {
    pub invoke: usize,
    /// The key it read; None: every key.
    pub key: Option<LogKey>,
    pub held: HashMap<LogKey, HashSet<Elem>>,
}

/// Sends and reads, by key and value.
#[derive(Debug, Default)]
pub struct Ledger {
    pub sends: HashMap<(LogKey, Elem), Send>,
    pub seen: HashMap<(LogKey, Elem), Seen>,
    /// Per key, the highest offset any ok poll read, and the op.
    pub highest: HashMap<LogKey, (i64, usize)>,
    pub finals: Vec<FinalRead>,
    /// Keys a final read was asked of (None: every key), answered or not.
    pub asked: HashSet<Option<LogKey>>,
    pub ok_polls: usize,
}

fn rank(kind: OpType) -> u8 {
    match kind {
        OpType::Ok => 3,
        OpType::Info | OpType::Invoke => 2,
        OpType::Fail => 1,
    }
}

impl Ledger {
    pub fn of(ops: &[LogOp]) -> Ledger {
        let mut l = Ledger::default();
        for op in ops {
            if let Kind::Final(k) = &op.kind {
                l.asked.insert(k.clone());
            }
            let ok = op.outcome == OpType::Ok;
            let mut held: HashMap<LogKey, HashSet<Elem>> = HashMap::new();
            for m in &op.mops {
                match m {
                    Mop::Send { key, value, offset } => {
                        let new = Send {
                            invoke: op.invoke,
                            outcome: op.outcome,
                            offset: offset.filter(|_| ok),
                            count: 1,
                        };
                        l.sends
                            .entry((key.clone(), value.clone()))
                            .and_modify(|s| {
                                let count = s.count + 1;
                                if rank(new.outcome) > rank(s.outcome) {
                                    *s = new.clone();
                                }
                                s.count = count;
                            })
                            .or_insert(new);
                    }
                    Mop::Poll(keys) if ok => {
                        let complete = op.complete.unwrap_or(op.invoke);
                        for (key, pairs) in keys {
                            for (o, v) in pairs {
                                l.seen
                                    .entry((key.clone(), v.clone()))
                                    .and_modify(|s| s.count += 1)
                                    .or_insert(Seen {
                                        first: op.invoke,
                                        first_complete: complete,
                                        count: 1,
                                    });
                                let h = l.highest.entry(key.clone()).or_insert((*o, op.invoke));
                                if *o > h.0 {
                                    *h = (*o, op.invoke);
                                }
                            }
                            if matches!(op.kind, Kind::Final(_)) {
                                held.entry(key.clone())
                                    .or_default()
                                    .extend(pairs.iter().map(|(_, v)| v.clone()));
                            }
                        }
                    }
                    Mop::Poll(_) => {}
                }
            }
            if ok {
                l.ok_polls += op.mops.iter().any(|m| matches!(m, Mop::Poll(_))) as usize;
                if let Kind::Final(key) = &op.kind {
                    l.finals.push(FinalRead {
                        invoke: op.invoke,
                        key: key.clone(),
                        held,
                    });
                }
            }
        }
        l
    }

    /// Values sent to one key more than once.
    pub fn resent(&self) -> HashSet<(LogKey, Elem)> {
        self.sends
            .iter()
            .filter(|(_, s)| s.count > 1)
            .map(|(kv, _)| kv.clone())
            .collect()
    }

    /// Keys a final read was asked of that no final read answered (None: every key).
    pub fn unanswered(&self) -> Vec<Option<LogKey>> {
        let mut out: Vec<Option<LogKey>> = self
            .asked
            .iter()
            .filter(|k| !self.finals.iter().any(|f| f.key.is_none() || f.key == **k))
            .cloned()
            .collect();
        out.sort();
        out
    }
}

/// Lost and unexpected values, and the unseen ones (key, value, send) in order of send.
pub fn check(history: &History, l: &Ledger, out: &mut Vec<Found>) -> Vec<(LogKey, Elem, usize)> {
    let mut unseen = Vec::new();
    let mut sends: Vec<(&(LogKey, Elem), &Send)> = l.sends.iter().collect();
    sends.sort_by_key(|(_, s)| s.invoke);
    let mut lost = Vec::new();
    for ((key, value), s) in sends {
        let seen = l.seen.get(&(key.clone(), value.clone()));
        let acked = s.outcome == OpType::Ok;
        let happened = s.outcome != OpType::Fail && seen.is_some();
        if !acked && !happened {
            continue;
        }
        // When it became known to be in the log.
        let ack = acked.then(|| history.partner(s.invoke)).flatten();
        let known_at = ack
            .into_iter()
            .chain(seen.map(|s| s.first_complete))
            .min()
            .unwrap_or(usize::MAX);
        let final_lacking = l.finals.iter().find(|f| {
            f.invoke > known_at
                && f.key.as_ref().is_none_or(|k| k == key)
                && !f.held.get(key).is_some_and(|h| h.contains(value))
        });
        let why = match (final_lacking, seen, s.offset) {
            (Some(f), _, _) => Some(Lost::FinalRead(f.invoke)),
            (None, None, Some(o)) => l
                .highest
                .get(key)
                .filter(|(h, _)| *h > o)
                .map(|&(h, op)| Lost::LaterRead((h, op))),
            _ => None,
        };
        match why {
            Some(why) => lost.push(Found::LostWrite {
                key: key.clone(),
                value: value.clone(),
                offset: s.offset,
                send: s.invoke,
                acknowledged: acked,
                why,
            }),
            None if seen.is_none() => unseen.push((key.clone(), value.clone(), s.invoke)),
            None => {}
        }
    }
    out.extend(lost);
    // Unexpected values, in order of their first read.
    let mut unexpected: BTreeMap<usize, Vec<Found>> = BTreeMap::new();
    for ((key, value), seen) in &l.seen {
        let send = l.sends.get(&(key.clone(), value.clone()));
        if send.is_some_and(|s| s.outcome != OpType::Fail) {
            continue;
        }
        unexpected
            .entry(seen.first)
            .or_default()
            .push(Found::Unexpected {
                key: key.clone(),
                value: value.clone(),
                failed_send: send.map(|s| s.invoke),
                read: seen.first,
                reads: seen.count,
            });
    }
    for (_, mut fs) in unexpected {
        fs.sort_by(|a, b| (a.key(), value_of(a)).cmp(&(b.key(), value_of(b))));
        out.extend(fs);
    }
    unseen
}

fn value_of(f: &Found) -> Option<&Elem> {
    match f {
        Found::Unexpected { value, .. } => Some(value),
        _ => None,
    }
}
