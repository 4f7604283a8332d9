//! The `register` workload: reads, writes and compare-and-set on independent keys, each
//! key a register that starts empty (nil). Workers are split into groups; each group works
//! on one key until it has issued `ops_per_key` ops, then moves to a fresh key, so every
//! key's history stays small enough to check. After the faults are healed, every key used
//! is read once more. Judged for linearizability as a CAS register per key.

use crate::generator::{Ctx, Generator, Next, Once};
use crate::registry::{self, WorkloadDef, WorkloadOptions};
use crate::{Invocation, Workload};
use checkers::linearizable::{Linearizable, ModelKind, Options};
use checkers::Checker;
use history::{Key, Value};
use serde_json::json;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The workload: its options are the spec's `register:` section.
pub static REGISTER: WorkloadDef = WorkloadDef {
    name: "register",
    about: "reads, writes and compare-and-set on independent keys; linearizable per key (a CAS register; schism check: register, cas-register or kv, from the ops)",
    section: Some("register"),
    ops: &["read", "write", "cas"],
    options: registry::filled::<RegisterOptions>,
    build: |s| Ok(workload(s.options()?, s.concurrency, s.check_time_limit)),
    // A recorded history: the model from the options, else from the ops' functions.
    checkers: |s| checkers(&s.options()?, None, s.check_time_limit),
};

/// How the register workload behaves (the spec's `register:` section).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RegisterOptions {
    /// Ops issued on a key before its group moves to a fresh one.
    pub ops_per_key: usize,
    /// Workers sharing one key.
    pub workers_per_key: usize,
    /// Writes and CAS draw values from `0..values`.
    pub values: u32,
    pub read_fraction: f64,
    pub cas_fraction: f64,
    /// The sequential model judged: register, cas-register or kv (default: cas-register in
    /// a run; inferred from the ops' functions by `schism check`).
    pub model: Option<String>,
    /// Check every key to the end even after one is not linearizable.
    pub all_keys: bool,
    /// Skip the quick refutation of impossible reads; decide by search alone.
    pub search_only: bool,
    /// Give up when the search holds this many MiB (then: unknown).
    pub memory_limit_mb: u64,
}

impl WorkloadOptions for RegisterOptions {
    fn validate(&self) -> Result<(), String> {
        registry::positive("register.ops_per_key", self.ops_per_key as u64)?;
        registry::positive("register.workers_per_key", self.workers_per_key as u64)?;
        registry::positive("register.values", u64::from(self.values))?;
        registry::positive("register.memory_limit_mb", self.memory_limit_mb)?;
        if let Some(m) = self
            .model
            .as_deref()
            .filter(|m| ModelKind::parse(m).is_none())
        {
            return Err(format!(
                "register.model {m:?}: known models are {}",
                ModelKind::ALL
                    .iter()
                    .map(|m| m.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let (r, c) = (self.read_fraction, self.cas_fraction);
        if !(0.0..=1.0).contains(&r) || !(0.0..=1.0).contains(&c) || r + c > 1.0 {
            return Err(format!(
                "register.read_fraction and register.cas_fraction must be fractions adding up \
                 to at most 1, not {r} and {c}"
            ));
        }
        Ok(())
    }
}

impl Default for RegisterOptions {
    fn default() -> Self {
        RegisterOptions {
            ops_per_key: 200,
            workers_per_key: 5,
            values: 5,
            read_fraction: 0.5,
            cas_fraction: 0.25,
            model: None,
            all_keys: false,
            search_only: false,
            memory_limit_mb: 1024,
        }
    }
}

struct Group {
    key: i64,
    issued: usize,
}

/// The main generator: each worker group on its current key.
pub struct RegisterGen {
    opts: RegisterOptions,
    workers: u64,
    groups: Vec<Group>,
    next_key: i64,
    used: Arc<Mutex<BTreeSet<i64>>>,
}

impl RegisterGen {
    fn new(opts: RegisterOptions, workers: usize, used: Arc<Mutex<BTreeSet<i64>>>) -> Self {
        let workers = workers.max(1);
        let n_groups = workers.div_ceil(opts.workers_per_key.max(1));
        RegisterGen {
            groups: (0..n_groups as i64)
                .map(|k| Group { key: k, issued: 0 })
                .collect(),
            next_key: n_groups as i64,
            workers: workers as u64,
            opts,
            used,
        }
    }
}

impl Generator for RegisterGen {
    fn next(&mut self, ctx: &mut Ctx<'_>) -> Next {
        // After an indeterminate op a worker goes on as process p + workers: same worker.
        let worker = ctx.process % self.workers;
        let g = (worker as usize * self.groups.len()) / self.workers as usize;
        let group = &mut self.groups[g];
        if group.issued >= self.opts.ops_per_key {
            group.key = self.next_key;
            group.issued = 0;
            self.next_key += 1;
        }
        group.issued += 1;
        let key = group.key;
        if let Ok(mut used) = self.used.lock() {
            used.insert(key);
        }
        let values = self.opts.values.max(1) as u64;
        let x = ctx.rng.unit();
        let inv = if x < self.opts.read_fraction {
            Invocation::new("read", Some(Key::Int(key)), Value::Null)
        } else if x < self.opts.read_fraction + self.opts.cas_fraction {
            let from = ctx.rng.below(values);
            let to = ctx.rng.below(values);
            Invocation::new("cas", Some(Key::Int(key)), json!([from, to]))
        } else {
            Invocation::new("write", Some(Key::Int(key)), json!(ctx.rng.below(values)))
        };
        Next::Op(inv)
    }
}

/// The linearizability checker of a register history: the options' model, else
/// `default` (None: inferred from the history), within `time_limit`.
fn checkers(
    opts: &RegisterOptions,
    default: Option<ModelKind>,
    time_limit: Option<Duration>,
) -> Result<Vec<Box<dyn Checker>>, String> {
    let options = Options {
        model: opts.model.as_deref().and_then(ModelKind::parse).or(default),
        time_limit,
        memory_limit_bytes: (opts.memory_limit_mb as usize).saturating_mul(1 << 20),
        all_keys: opts.all_keys,
        refute: !opts.search_only,
        ..Options::default()
    };
    Ok(vec![Box::new(Linearizable { options })])
}

/// The register workload for `workers` concurrent workers, its check within `time_limit`.
pub fn workload(opts: RegisterOptions, workers: usize, time_limit: Option<Duration>) -> Workload {
    let used = Arc::new(Mutex::new(BTreeSet::new()));
    let final_used = used.clone();
    Workload {
        name: "register",
        final_generator: Box::new(move || {
            let keys: Vec<i64> = final_used
                .lock()
                .map(|k| k.iter().copied().collect())
                .unwrap_or_default();
            Box::new(Once::new(keys.into_iter().map(|k| {
                Invocation::new("read", Some(Key::Int(k)), Value::Null)
            })))
        }),
        checkers: checkers(&opts, Some(ModelKind::CasRegister), time_limit).unwrap_or_default(),
        generator: Box::new(RegisterGen::new(opts, workers, used)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use history::rng::Rng;

    #[test]
    fn groups_move_to_fresh_keys_after_their_limit_and_final_reads_cover_them() {
        let opts = RegisterOptions {
            ops_per_key: 3,
            workers_per_key: 2,
            ..RegisterOptions::default()
        };
        let mut w = workload(opts, 4, None);
        let mut rng = Rng::new(9);
        let mut keys_of = |process: u64, rng: &mut Rng| match w.generator.next(&mut Ctx {
            time_ns: 0,
            process,
            rng,
        }) {
            Next::Op(inv) => inv.key,
            other => panic!("{other:?}"),
        };
        // Workers 0 and 1 share key 0, workers 2 and 3 key 1.
        assert_eq!(keys_of(0, &mut rng), Some(Key::Int(0)));
        assert_eq!(keys_of(1, &mut rng), Some(Key::Int(0)));
        assert_eq!(keys_of(2, &mut rng), Some(Key::Int(1)));
        assert_eq!(
            keys_of(4, &mut rng),
            Some(Key::Int(0)),
            "process 4 is worker 0 again"
        );
        assert_eq!(
            keys_of(1, &mut rng),
            Some(Key::Int(2)),
            "key 0 had its 3 ops"
        );
        let mut fin = (w.final_generator)();
        let mut reads = Vec::new();
        while let Next::Op(inv) = fin.next(&mut Ctx {
            time_ns: 0,
            process: 0,
            rng: &mut rng,
        }) {
            assert_eq!(inv.f, "read");
            reads.push(inv.key);
        }
        assert_eq!(
            reads,
            vec![Some(Key::Int(0)), Some(Key::Int(1)), Some(Key::Int(2))]
        );
    }
}
