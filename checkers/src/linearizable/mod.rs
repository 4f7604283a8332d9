//! Linearizability: is there a total order of the ops, consistent with real time, in which
//! a single copy of the object would have given every observed result?
//!
//! Each key is checked on its own (P-compositionality: a history is linearizable iff each
//! key's sub-history is), keys in parallel. `ok` ops happened within their interval;
//! `info` ops (and invocations that never completed) may have taken effect at any moment
//! after their invocation, or never. What `fail` and nil reads mean follows the history's
//! [`Dialect`]. A time or memory budget that runs out gives `unknown`, never `valid`.
//!
//! The object is a [`Model`] ([`open`]): the built-in ones ([`models`], named in
//! [`ModelKind`]) and the lock checker's are written the same way as one of your own, and
//! the adapter turns each into the numbered form the search works on.

mod adapter;
mod explain;
mod memo;
pub mod models;
mod numbered;
pub mod open;
pub mod oracle;
mod prepare;
mod refute;
mod registry;
mod search;
mod shape;
mod spec;
mod view;

pub use open::Model;
pub use prepare::{LinOp, ModelError, NEVER};
pub use registry::ModelKind;
pub use search::{Budget, Stats, Stopped};
pub use shape::Shape;
pub use view::{OpView, Outcome};

use crate::Checker;
use history::{Anomaly, Dialect, History, Key, Validity, Verdict};
use prepare::{KeyJob, Prepared};
use search::Search;
use spec::Spec;
use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How to check.
#[derive(Debug, Clone)]
pub struct Options {
    /// None: inferred from the history's functions.
    pub model: Option<ModelKind>,
    /// None: the history's own dialect.
    pub dialect: Option<Dialect>,
    pub time_limit: Option<Duration>,
    pub memory_limit_bytes: usize,
    /// Check every key even after one is found not linearizable (to report every
    /// anomaly). Off by default: the verdict is invalid either way, and a key that is not
    /// linearizable can take far longer to refute than the first one found.
    pub all_keys: bool,
    /// Before searching, refute ops that real time alone proves impossible (a read of a
    /// value certainly overwritten). Sound; on by default; off to measure the search alone.
    pub refute: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            model: None,
            dialect: None,
            time_limit: None,
            memory_limit_bytes: 1 << 30,
            all_keys: false,
            refute: true,
        }
    }
}

/// The result for one key.
#[derive(Debug)]
pub struct KeyResult {
    pub key: Option<Key>,
    pub validity: Validity,
    pub reason: Option<String>,
    /// Client operations on this key.
    pub invocations: usize,
    /// Ops the search considered (after the dialect dropped what tells nothing).
    pub ops: usize,
    pub stats: Stats,
    pub elapsed: Duration,
    pub anomaly: Option<Anomaly>,
}

/// The result for a whole history.
#[derive(Debug)]
pub struct Report {
    /// The model's name (`register`, `cas-register`, `kv`, or a model of your own).
    pub model: &'static str,
    pub dialect: Dialect,
    pub verdict: Verdict,
    pub keys: Vec<KeyResult>,
    /// Client operations (invocations) in the history.
    pub ops: usize,
    pub elapsed: Duration,
}

/// Check a history for linearizability against a built-in model (`opts.model`, else the
/// one the history's functions call for). Errors name an op the model cannot understand.
pub fn check(history: &History, opts: &Options) -> Result<Report, ModelError> {
    let model = opts.model.unwrap_or_else(|| ModelKind::infer(history));
    model.check(history, opts)
}

/// Check a history against any model (see [`open::Model`]); `opts.model` is not used.
/// Each key is checked with its own copy of `model`.
pub fn check_model<M: Model + Clone>(
    history: &History,
    model: &M,
    opts: &Options,
) -> Result<Report, ModelError> {
    let started = Instant::now();
    let dialect = opts.dialect.unwrap_or(history.dialect);
    let mut budget = Budget::new(opts.time_limit, opts.memory_limit_bytes);
    budget.stop_at_first_invalid = !opts.all_keys;
    let mut keys = schedule(prepare::prepare(history, model, dialect)?, opts, &budget);
    keys.sort_by(|a, b| a.key.cmp(&b.key));
    let ops = keys.iter().map(|k| k.invocations).sum();
    let name = model.name();
    let mut verdict = verdict(&keys, name, ops, started.elapsed());
    verdict
        .stats
        .insert("dialect".into(), serde_json::json!(dialect.as_str()));
    Ok(Report {
        model: name,
        dialect,
        verdict,
        keys,
        ops,
        elapsed: started.elapsed(),
    })
}

/// Steps a key's search runs before it goes back in the queue, so that every key makes
/// progress and an easy refutation on one key is not stuck behind a hard key.
const SLICE_STEPS: u64 = 1 << 16;

enum Task<'h, S: Spec> {
    Fresh(Prepared<'h, S>),
    Running(Box<Running<'h, S>>),
}

struct Running<'h, S: Spec> {
    job: KeyJob<'h>,
    search: Search<S>,
    ops: usize,
    invocations: usize,
    spent: Duration,
}

/// Check every key on a few worker threads, a slice of search at a time.
fn schedule<S: Spec>(
    mut keys: Vec<Prepared<'_, S>>,
    opts: &Options,
    budget: &Budget,
) -> Vec<KeyResult> {
    // Biggest keys first, so the last one to finish is small.
    keys.sort_by_key(|k| std::cmp::Reverse(k.ops.len()));
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(keys.len())
        .max(1);
    let queue = Mutex::new(keys.into_iter().map(Task::Fresh).collect::<VecDeque<_>>());
    let results = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let Some(task) = lock(&queue).pop_front() else {
                    break;
                };
                let started = Instant::now();
                let mut running = match task {
                    Task::Running(r) => r,
                    Task::Fresh(key) => match start(key, opts, budget) {
                        Started::Searching(r) => r,
                        Started::Done(result) => {
                            lock(&results).push(*result);
                            continue;
                        }
                    },
                };
                let outcome = running.search.run(budget, SLICE_STEPS);
                running.spent += started.elapsed();
                match outcome {
                    None => lock(&queue).push_back(Task::Running(running)),
                    Some(outcome) => {
                        lock(&results).push(finish(*running, Finished::Searched(outcome)))
                    }
                }
            });
        }
    });
    results.into_inner().unwrap_or_else(|e| e.into_inner())
}

enum Started<'h, S: Spec> {
    Searching(Box<Running<'h, S>>),
    Done(Box<KeyResult>),
}

/// Try to refute one of a key's ops, else set up its search.
fn start<'h, S: Spec>(key: Prepared<'h, S>, opts: &Options, budget: &Budget) -> Started<'h, S> {
    let started = Instant::now();
    if budget.stop_at_first_invalid && budget.some_key_invalid.load(Ordering::Relaxed) {
        // Not worth preparing a search that would stop at once.
        let running = Running {
            search: Search::new(key.spec, &[]),
            ops: key.ops.len(),
            invocations: key.invocations,
            job: key.job,
            spent: Duration::ZERO,
        };
        let stopped = search::Outcome::Stopped(Stopped::OtherKeyInvalid);
        return Started::Done(Box::new(finish(running, Finished::Searched(stopped))));
    }
    let refuted = opts
        .refute
        .then(|| refute::refute(&key.spec, &key.ops))
        .flatten();
    let mut running = Box::new(Running {
        search: Search::new(key.spec, &key.ops),
        ops: key.ops.len(),
        invocations: key.invocations,
        job: key.job,
        spent: Duration::ZERO,
    });
    match refuted {
        None => Started::Searching(running),
        Some(r) => {
            budget.some_key_invalid.store(true, Ordering::Relaxed);
            let anomaly = explain::refuted(&mut running.search, &r, &running.job);
            running.spent = started.elapsed();
            Started::Done(Box::new(finish(*running, Finished::Refuted(anomaly))))
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// How a key's check ended.
enum Finished {
    Searched(search::Outcome),
    /// Refuted before the search.
    Refuted(Anomaly),
}

fn finish<S: Spec>(mut r: Running<'_, S>, outcome: Finished) -> KeyResult {
    let outcome = match outcome {
        Finished::Refuted(a) => {
            return KeyResult {
                key: r.job.key,
                validity: Validity::Invalid,
                reason: None,
                invocations: r.invocations,
                ops: r.ops,
                stats: r.search.stats.clone(),
                elapsed: r.spent,
                anomaly: Some(a),
            }
        }
        Finished::Searched(o) => o,
    };
    let (validity, reason, anomaly) = match outcome {
        search::Outcome::Linearizable => (Validity::Valid, None, None),
        search::Outcome::NotLinearizable(f) => (
            Validity::Invalid,
            None,
            Some(explain::anomaly(&mut r.search, &f, &r.job)),
        ),
        search::Outcome::Stopped(why) => {
            let what = match why {
                Stopped::TimeLimit => "the time limit was reached",
                Stopped::MemoryLimit => "the memory budget was reached",
                Stopped::Cancelled => "the check was cancelled",
                Stopped::OtherKeyInvalid => {
                    "not checked to the end: another key is already invalid"
                }
            };
            let key = r
                .job
                .key
                .as_ref()
                .map_or(String::new(), |k| format!(" on key {k}"));
            let reason = format!(
                "{what}{key} after {} search steps; the search did not finish, so nothing is \
                 claimed",
                r.search.stats.steps
            );
            (Validity::Unknown, Some(reason), None)
        }
    };
    KeyResult {
        key: r.job.key,
        validity,
        reason,
        invocations: r.invocations,
        ops: r.ops,
        stats: r.search.stats.clone(),
        elapsed: r.spent,
        anomaly,
    }
}

fn verdict(keys: &[KeyResult], model: &str, ops: usize, elapsed: Duration) -> Verdict {
    let validity = keys
        .iter()
        .map(|k| k.validity)
        .fold(Validity::Valid, Validity::worst);
    let mut v = Verdict::new("linearizable", validity);
    v.anomalies = keys.iter().filter_map(|k| k.anomaly.clone()).collect();
    if validity == Validity::Unknown {
        v.reason = keys.iter().find_map(|k| k.reason.clone());
    }
    let unfinished = keys
        .iter()
        .filter(|k| k.validity == Validity::Unknown)
        .count();
    let configurations: u64 = keys.iter().map(|k| k.stats.configurations).sum();
    for (name, value) in [
        ("model", serde_json::json!(model)),
        ("ops", serde_json::json!(ops)),
        ("keys", serde_json::json!(keys.len())),
        ("keys_unfinished", serde_json::json!(unfinished)),
        ("configurations", serde_json::json!(configurations)),
        ("elapsed_ms", serde_json::json!(elapsed.as_secs_f64() * 1e3)),
    ] {
        v.stats.insert(name.into(), value);
    }
    v
}

/// The linearizability checker as a [`Checker`]. An op the model cannot understand makes
/// the verdict `unknown` and names it as malformed (so `schism check` reports the file and
/// line as an input error).
#[derive(Debug, Clone, Default)]
pub struct Linearizable {
    pub options: Options,
}

impl Checker for Linearizable {
    fn name(&self) -> &str {
        "linearizable"
    }

    fn check(&self, history: &History) -> Verdict {
        match check(history, &self.options) {
            Ok(report) => report.verdict,
            Err(e) => {
                let mut v = Verdict::new("linearizable", Validity::Unknown);
                let m = history::Malformed::at(history, e.index, e.message);
                v.reason = Some(m.reason());
                v.malformed = Some(m);
                v
            }
        }
    }
}
