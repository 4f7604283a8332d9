//! `log`: a Kafka-style keyed log, as Jepsen's kafka test and Maelstrom's kafka workload
//! exercise one. Clients send unique values to the logs of a few keys and are told the
//! offset each got; every process is also a consumer that polls every key from where it
//! stands; once the faults are healed, each key's log is read once more from offset 0 to
//! its end. Judged by `checkers::log::LogChecker` (lost writes, duplicates, inconsistent
//! offsets, non-monotonic sends and polls, skipped offsets, values from nowhere).
//!
//! | f | key | invocation value | ok value |
//! |---|---|---|---|
//! | `send` | the key (`0..keys`) | a value unique in the run (1, 2, 3, ...) | `[offset, value]` |
//! | `poll` | null: every key | null | `{key: [[offset, value], ...]}` from the consumer's position |
//! | `poll` (final) | one key | `{"final": true}` | `{key: [[offset, value], ...]}`, the whole log from offset 0 |
//!
//! Result keys are strings (a JSON map's). A poll may return nothing for a key, or part
//! of what follows the position (a server pages its answers); the client moves its
//! position past the last offset returned. A client keeps each key's position across
//! reconnects and leader changes; after an `info` op the worker goes on as a new process,
//! which may start anywhere (the checker holds only a process's later polls to its first),
//! so a client may then start from the committed offsets. A failed or unsure poll changed
//! nothing; an unsure send may or may not be in the log, a failed one must never be.
//!
//! The final read of each key is asked until it is ok, at most `FINAL_ATTEMPTS` times.

use crate::generator::{Ctx, Generator, Next, Phases, UntilOk};
use crate::registry::{self, WorkloadDef, WorkloadOptions};
use crate::txn::{FINAL_ATTEMPTS, FINAL_PAUSE_NS};
use crate::{Invocation, Workload};
use history::{Key, Value};
use serde_json::json;

/// The workload's name.
pub const NAME: &str = "log";

/// The workload; its options are the spec's `log:` section.
pub static LOG: WorkloadDef = WorkloadDef {
    name: NAME,
    about: "a Kafka-style keyed log: sends get offsets, consumers poll in order; nothing acknowledged is lost, skipped or reordered",
    section: Some("log"),
    ops: &["send", "poll"],
    options: registry::filled::<LogOptions>,
    build: |s| Ok(workload(&s.options()?)),
    checkers: |_| Ok(checkers()),
};

/// The `log:` section of a spec.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogOptions {
    /// How many logs: keys `0..keys`.
    pub keys: u32,
    /// The share of polls among the main phase's ops (the rest are sends).
    pub poll_fraction: f64,
}

impl Default for LogOptions {
    fn default() -> Self {
        LogOptions {
            keys: 4,
            poll_fraction: 0.4,
        }
    }
}

impl WorkloadOptions for LogOptions {
    fn validate(&self) -> Result<(), String> {
        registry::positive("log.keys", u64::from(self.keys))?;
        registry::fraction("log.poll_fraction", self.poll_fraction)
    }
}

impl LogOptions {
    /// Every key in use, in order.
    pub fn keys(&self) -> Vec<i64> {
        (0..i64::from(self.keys)).collect()
    }
}

/// The keys of a run with this `log:` section (the defaults' when it cannot be read).
pub fn keys(section: &Value) -> Vec<i64> {
    registry::options::<LogOptions>(section)
        .unwrap_or_default()
        .keys()
}

fn checkers() -> Vec<Box<dyn checkers::Checker>> {
    vec![Box::new(checkers::log::LogChecker)]
}

/// Sends of 1, 2, 3, ... to random keys, with polls of every key mixed in.
pub struct LogGen {
    keys: u64,
    poll_fraction: f64,
    next: u64,
}

impl LogGen {
    pub fn new(o: &LogOptions) -> LogGen {
        LogGen {
            keys: u64::from(o.keys.max(1)),
            poll_fraction: o.poll_fraction,
            next: 0,
        }
    }
}

impl Generator for LogGen {
    fn next(&mut self, ctx: &mut Ctx<'_>) -> Next {
        if ctx.rng.unit() < self.poll_fraction {
            return Next::Op(Invocation::new("poll", None, Value::Null));
        }
        self.next += 1;
        let key = Key::Int(ctx.rng.below(self.keys) as i64);
        Next::Op(Invocation::new("send", Some(key), json!(self.next)))
    }
}

/// The final read of one key's whole log.
pub fn final_read(key: i64) -> Invocation {
    Invocation::new("poll", Some(Key::Int(key)), json!({"final": true}))
}

/// The workload for a run with these options.
pub fn workload(o: &LogOptions) -> Workload {
    let keys = o.keys();
    Workload {
        name: NAME,
        generator: Box::new(LogGen::new(o)),
        final_generator: Box::new(move || {
            let reads = keys
                .into_iter()
                .map(|k| {
                    Box::new(UntilOk::new(final_read(k), FINAL_ATTEMPTS, FINAL_PAUSE_NS))
                        as Box<dyn Generator>
                })
                .collect();
            Box::new(Phases::new(reads))
        }),
        checkers: checkers(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use history::rng::Rng;
    use history::{Op, OpType};
    use std::collections::BTreeSet;

    fn ask(g: &mut dyn Generator, rng: &mut Rng) -> Next {
        g.next(&mut Ctx {
            time_ns: 0,
            process: 0,
            rng,
        })
    }

    #[test]
    fn sends_are_unique_over_every_key_and_polls_are_mixed_in() {
        let o = LogOptions {
            keys: 3,
            poll_fraction: 0.25,
        };
        let mut g = LogGen::new(&o);
        let mut rng = Rng::new(9);
        let (mut values, mut keys, mut polls) = (BTreeSet::new(), BTreeSet::new(), 0);
        for _ in 0..400 {
            let Next::Op(inv) = ask(&mut g, &mut rng) else {
                panic!("always an op")
            };
            match inv.f.as_str() {
                "send" => {
                    assert!(values.insert(inv.value.as_u64().unwrap()), "{inv:?}");
                    keys.insert(inv.key.clone().unwrap());
                }
                _ => {
                    assert_eq!((inv.key, inv.value), (None, Value::Null));
                    polls += 1;
                }
            }
        }
        assert_eq!(keys.len(), 3);
        assert!((60..140).contains(&polls), "{polls}");
    }

    #[test]
    fn the_final_phase_reads_each_key_until_ok() {
        let w = workload(&LogOptions::default());
        let mut g = (w.final_generator)();
        let mut rng = Rng::new(1);
        let mut read: Vec<Key> = Vec::new();
        // A second apart each time, past any pause; the first attempt at each key fails.
        for t in 1.. {
            let mut ctx = Ctx {
                time_ns: t * 1_000_000_000,
                process: 0,
                rng: &mut rng,
            };
            match g.next(&mut ctx) {
                Next::Op(inv) => {
                    assert_eq!(inv.value, json!({"final": true}));
                    let key = inv.key.clone().unwrap();
                    let kind = if read.last() == Some(&key) {
                        OpType::Ok
                    } else {
                        OpType::Fail
                    };
                    read.push(key.clone());
                    g.update(&Op::client(0, kind, "poll", Value::Null).with_key(key));
                }
                Next::Wait(_) => {}
                Next::Done => break,
            }
        }
        let want: Vec<Key> = (0..4).flat_map(|k| [Key::Int(k), Key::Int(k)]).collect();
        assert_eq!(read, want);
    }

    #[test]
    fn options_are_checked_by_name() {
        let e = (LOG.options)(&json!({"keys": 0})).unwrap_err();
        assert!(e.contains("log.keys"), "{e}");
        let e = (LOG.options)(&json!({"poll_fraction": 1.5})).unwrap_err();
        assert!(e.contains("log.poll_fraction"), "{e}");
        assert_eq!(keys(&json!({"keys": 2})), vec![0, 1]);
        assert_eq!(keys(&Value::Null).len(), 4);
    }
}
