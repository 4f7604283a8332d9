//! The version order of each key's log: which values were seen at which offset, by the
//! acknowledged sends (the offset each was given) and every ok poll together, each with
//! the first op that showed it. A log holds one value per offset and each value (sent
//! once) at one offset: two values at an offset are `inconsistent-offsets`, a value at two
//! offsets is a `duplicate`. Offsets may be sparse; the offsets seen are the ones known to
//! exist, which is what a consumer must not skip.

use super::anomaly::Found;
use super::ops::{Elem, LogKey, LogOp, Mop};
use history::OpType;
use std::collections::{BTreeMap, HashMap, HashSet};

/// One key's log as seen: offset -> the distinct values seen there, each with the first
/// op (its invocation) that showed it.
#[derive(Debug, Default)]
pub struct KeyLog {
    pub at: BTreeMap<i64, Vec<(Elem, usize)>>,
}

impl KeyLog {
    fn note(&mut self, offset: i64, value: &Elem, op: usize) {
        let seen = self.at.entry(offset).or_default();
        if !seen.iter().any(|(v, _)| v == value) {
            seen.push((value.clone(), op));
        }
    }

    /// The offsets known to exist strictly between `a` and `b`: the first `max`, and how
    /// many in all.
    pub fn between(&self, a: i64, b: i64, max: usize) -> (Vec<(i64, Elem)>, usize) {
        if b <= a.saturating_add(1) {
            return (Vec::new(), 0);
        }
        let mut range = self.at.range(a + 1..b);
        let first = range
            .by_ref()
            .take(max)
            .map(|(o, vs)| (*o, vs[0].0.clone()))
            .collect::<Vec<_>>();
        let n = first.len() + range.count();
        (first, n)
    }

    /// Whether some offset strictly between `a` and `b` is known.
    pub fn skips(&self, a: i64, b: i64) -> bool {
        b > a.saturating_add(1) && self.at.range(a + 1..b).next().is_some()
    }
}

/// Every key's log as seen.
#[derive(Debug, Default)]
pub struct Orders {
    pub keys: BTreeMap<LogKey, KeyLog>,
}

impl Orders {
    /// From the ok ops: their sends with offsets, and their polls.
    pub fn of(ops: &[LogOp]) -> Orders {
        let mut o = Orders::default();
        for op in ops.iter().filter(|op| op.outcome == OpType::Ok) {
            for m in &op.mops {
                match m {
                    Mop::Send {
                        key,
                        value,
                        offset: Some(offset),
                    } => o.log(key).note(*offset, value, op.invoke),
                    Mop::Send { .. } => {}
                    Mop::Poll(keys) => {
                        for (key, pairs) in keys {
                            let log = o.log(key);
                            for (offset, value) in pairs {
                                log.note(*offset, value, op.invoke);
                            }
                        }
                    }
                }
            }
        }
        o
    }

    fn log(&mut self, key: &LogKey) -> &mut KeyLog {
        self.keys.entry(key.clone()).or_default()
    }

    pub fn get(&self, key: &LogKey) -> Option<&KeyLog> {
        self.keys.get(key)
    }

    /// Offsets holding more than one value.
    pub fn inconsistent(&self, out: &mut Vec<Found>) {
        for (key, log) in &self.keys {
            for (offset, values) in log.at.iter().filter(|(_, vs)| vs.len() > 1) {
                out.push(Found::InconsistentOffsets {
                    key: key.clone(),
                    offset: *offset,
                    values: values.clone(),
                });
            }
        }
    }

    /// Values at more than one offset of a key, except those sent to it more than once
    /// (`resent`), which may rightly be at several.
    pub fn duplicates(&self, resent: &HashSet<(LogKey, Elem)>, out: &mut Vec<Found>) {
        for (key, log) in &self.keys {
            let mut offsets: HashMap<&Elem, Vec<(i64, usize)>> = HashMap::new();
            for (offset, values) in &log.at {
                for (v, op) in values {
                    offsets.entry(v).or_default().push((*offset, *op));
                }
            }
            let mut dups: Vec<(&Elem, Vec<(i64, usize)>)> = offsets
                .into_iter()
                .filter(|(v, at)| at.len() > 1 && !resent.contains(&(key.clone(), (*v).clone())))
                .collect();
            dups.sort_by_key(|(_, at)| at[0].0);
            for (value, at) in dups {
                out.push(Found::Duplicate {
                    key: key.clone(),
                    value: value.clone(),
                    offsets: at,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn between_counts_the_known_offsets_only() {
        let mut log = KeyLog::default();
        for o in [1, 2, 5, 9] {
            log.note(o, &Elem::Int(o * 10), 0);
        }
        assert!(!log.skips(2, 5));
        assert!(log.skips(1, 9));
        let (first, n) = log.between(0, 10, 2);
        assert_eq!(first, vec![(1, Elem::Int(10)), (2, Elem::Int(20))]);
        assert_eq!(n, 4);
        assert_eq!(log.between(5, 5, 3).1, 0);
        assert_eq!(log.between(9, 1, 3).1, 0);
    }
}
