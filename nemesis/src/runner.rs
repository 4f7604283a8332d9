//! The nemesis of one run: the fault kinds it was given, composed; a schedule that says
//! when each starts and stops (or the fixed faults to apply, [`crate::fixed`]); every
//! step recorded in the history as nemesis ops; and at the end (whatever happened) every
//! fault healed.

use crate::env::{Env, Leader};
use crate::fixed::{self, Fixed};
use crate::kind::Nemesis;
use crate::registry;
use crate::schedule::{Action, Cycle, Overlap, Schedule};
use crate::{NemesisError, NemesisOptions};
use cluster::{Cluster, Control};
use history::fault::{FaultRecord, Phase};
use history::recorder::Recorder;
use history::rng::Rng;
use history::{Op, OpType, Process, Value};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::watch;

/// A fault in effect: which kind (its index), the fault, and its entry in a fixed
/// schedule.
struct Active {
    kind: usize,
    fault: Value,
    planned: Option<usize>,
}

/// The fault injector of one run.
pub struct Runner {
    opts: NemesisOptions,
    kinds: Vec<Box<dyn Nemesis>>,
    rng: Mutex<Rng>,
    leader: Option<Arc<dyn Leader>>,
    control: Option<Arc<dyn Control>>,
    active: Mutex<Vec<Active>>,
    /// Held while a fault is applied or healed: one change to the cluster at a time.
    busy: tokio::sync::Mutex<()>,
    turn: Mutex<usize>,
}

fn record(rec: &Recorder, f: &str, value: Value) {
    let mut op = Op::client(0, OpType::Info, f, value);
    op.process = Process::Nemesis;
    rec.record(op);
}

/// The second record of a fault or heal: what was done (and the nodes' answers, if any)
/// and how long it took, or the error.
fn outcome(
    result: &Result<Value, NemesisError>,
    (done, fault): (&str, &Value),
    (took, ms): (&str, f64),
) -> Value {
    let mut v = serde_json::Map::new();
    match result {
        Ok(answers) => {
            v.insert(done.into(), fault.clone());
            if !answers.is_null() {
                v.insert("answers".into(), answers.clone());
            }
        }
        Err(e) => {
            v.insert("error".into(), json!(e.to_string()));
        }
    }
    v.insert(took.into(), json!(ms));
    Value::Object(v)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Runner {
    /// The nemesis of the options' faults (names of the registry, and the kinds of its
    /// fixed schedule, which is checked), seeded; `leader` says who leads where the system
    /// can, `control` reaches the nodes' runtime where they run under it.
    pub fn new(
        opts: NemesisOptions,
        seed: u64,
        leader: Option<Arc<dyn Leader>>,
        control: Option<Arc<dyn Control>>,
    ) -> Result<Runner, NemesisError> {
        let mut names = opts.faults.clone();
        if let Some(planned) = &opts.schedule {
            fixed::check(planned)?;
            for k in fixed::kinds(planned) {
                if !names.contains(&k) {
                    names.push(k);
                }
            }
        }
        let kinds = names
            .iter()
            .map(|f| registry::find(f).map(|d| (d.make)()))
            .collect::<Result<_, _>>()?;
        Ok(Runner {
            opts,
            kinds,
            rng: Mutex::new(Rng::new(seed)),
            leader,
            control,
            active: Mutex::new(Vec::new()),
            busy: tokio::sync::Mutex::new(()),
            turn: Mutex::new(0),
        })
    }

    pub fn options(&self) -> &NemesisOptions {
        &self.opts
    }

    fn env<'a>(&'a self, cluster: &'a dyn Cluster, leader: Option<String>) -> Env<'a> {
        let held = lock(&self.active)
            .iter()
            .flat_map(|a| self.kinds[a.kind].holds(&a.fault))
            .collect();
        Env {
            cluster,
            control: self.control.as_deref(),
            options: &self.opts,
            leader,
            held,
        }
    }

    fn index(&self, kind: &str) -> Result<usize, NemesisError> {
        self.kinds
            .iter()
            .position(|k| k.name() == kind)
            .ok_or_else(|| NemesisError::Unknown(format!("{kind} is not a fault of this run")))
    }

    /// Check that this machine and system can apply every fault asked for, and set up what
    /// they need (the network rules' chain on every node). Targets naming nodes that do
    /// not exist are refused.
    pub async fn prepare(&self, cluster: &dyn Cluster) -> Result<(), NemesisError> {
        let env = self.env(cluster, None);
        let nodes = env.nodes();
        for t in &self.opts.targets {
            t.check(&nodes)?;
        }
        for k in &self.kinds {
            k.prepare(&env).await?;
        }
        Ok(())
    }

    /// The next fault of a kind as data, drawn with the seeded RNG, `leader` leading.
    pub fn choose(
        &self,
        kind: &str,
        cluster: &dyn Cluster,
        leader: Option<&str>,
    ) -> Result<Option<Value>, NemesisError> {
        let i = self.index(kind)?;
        let env = self.env(cluster, leader.map(String::from));
        self.kinds[i].choose(&env, &mut lock(&self.rng))
    }

    /// Start the next kind in turn.
    pub async fn start_fault(
        &self,
        cluster: &dyn Cluster,
        rec: &Recorder,
    ) -> Result<(), NemesisError> {
        let kind = {
            let mut t = lock(&self.turn);
            *t += 1;
            self.kinds[(*t - 1) % self.kinds.len()].name()
        };
        self.start(kind, cluster, rec).await
    }

    /// Choose a fault of this kind, record it, apply it, record what came of it.
    pub async fn start(
        &self,
        kind: &str,
        cluster: &dyn Cluster,
        rec: &Recorder,
    ) -> Result<(), NemesisError> {
        let i = self.index(kind)?;
        let nemesis = &self.kinds[i];
        let _busy = self.busy.lock().await;
        let mut env = self.env(cluster, None);
        if let Some(l) = self.leader.as_ref().filter(|_| nemesis.wants_leader(&env)) {
            env.leader = l.leader(cluster).await;
        }
        let chosen = nemesis.choose(&env, &mut lock(&self.rng))?;
        let Some(fault) = chosen else {
            tracing::info!(kind, "no node free for this fault: skipped");
            return Ok(());
        };
        self.apply(i, &env, fault, None, rec).await
    }

    /// Apply entry `id` of the fixed schedule, this fault as it is (or re-aimed at the
    /// leader of now, with `reaim_leader`); record it and what came of it.
    pub async fn apply_planned(
        &self,
        id: usize,
        fault: &Value,
        cluster: &dyn Cluster,
        rec: &Recorder,
    ) -> Result<(), NemesisError> {
        let kind = fault.get("fault").and_then(Value::as_str).unwrap_or("");
        let i = self.index(kind)?;
        let _busy = self.busy.lock().await;
        let env = self.env(cluster, None);
        let mut fault = fault.clone();
        if let Some(l) = self.leader.as_ref().filter(|_| self.opts.reaim_leader) {
            if fault.get("leader").is_some() {
                let now = l.leader(cluster).await;
                if let Some(g) = now.and_then(|n| fixed::reaimed(&fault, &n)) {
                    tracing::info!(from = %fault, to = %g, "re-aimed at the leader of now");
                    fault = g;
                }
            }
        }
        self.apply(i, &env, fault, Some(id), rec).await
    }

    /// Record a fault of kind `i`, apply it, record what came of it (with the busy lock
    /// held).
    async fn apply(
        &self,
        i: usize,
        env: &Env<'_>,
        fault: Value,
        planned: Option<usize>,
        rec: &Recorder,
    ) -> Result<(), NemesisError> {
        let nemesis = &self.kinds[i];
        let kind = nemesis.name();
        let f = FaultRecord::name(Phase::Start, kind);
        record(rec, &f, fault.clone());
        let started = Instant::now();
        let result = nemesis.invoke(env, &fault).await;
        {
            let mut active = lock(&self.active);
            if nemesis.standing() {
                // The new one replaces the old on the same nodes.
                active.retain(|a| a.kind != i);
            }
            // Even a fault that failed half way is healed at the end.
            active.push(Active {
                kind: i,
                fault: fault.clone(),
                planned,
            });
        }
        let ms = started.elapsed().as_secs_f64() * 1e3;
        tracing::info!(fault = %fault, apply_ms = ms, ok = result.is_ok(), "{f}");
        record(
            rec,
            &f,
            outcome(&result, ("applied", &fault), ("apply_ms", ms)),
        );
        result.map(|_| ())
    }

    /// Heal every active fault and record it.
    pub async fn heal_all(
        &self,
        cluster: &dyn Cluster,
        rec: &Recorder,
    ) -> Result<(), NemesisError> {
        self.heal_where(cluster, rec, |_| true).await
    }

    /// Heal the active faults of one kind, unless it stands.
    pub async fn stop(
        &self,
        kind: &str,
        cluster: &dyn Cluster,
        rec: &Recorder,
    ) -> Result<(), NemesisError> {
        let i = self.index(kind)?;
        if self.kinds[i].standing() {
            return Ok(());
        }
        self.heal_where(cluster, rec, |a| a.kind == i).await
    }

    /// Heal every active fault that does not stand.
    pub async fn heal_passing(
        &self,
        cluster: &dyn Cluster,
        rec: &Recorder,
    ) -> Result<(), NemesisError> {
        self.heal_where(cluster, rec, |a| !self.kinds[a.kind].standing())
            .await
    }

    /// Heal the fault applied as entry `id` of the fixed schedule (standing or not).
    pub async fn heal_planned(
        &self,
        id: usize,
        cluster: &dyn Cluster,
        rec: &Recorder,
    ) -> Result<(), NemesisError> {
        self.heal_where(cluster, rec, |a| a.planned == Some(id))
            .await
    }

    /// Heal the active faults that pass `which`, the latest first, recording each.
    async fn heal_where(
        &self,
        cluster: &dyn Cluster,
        rec: &Recorder,
        which: impl Fn(&Active) -> bool,
    ) -> Result<(), NemesisError> {
        let _busy = self.busy.lock().await;
        let mut to_heal: Vec<Active> = {
            let mut active = lock(&self.active);
            let (heal, keep) = std::mem::take(&mut *active)
                .into_iter()
                .partition(|a| which(a));
            *active = keep;
            heal
        };
        let env = self.env(cluster, None);
        let mut first_error = None;
        while let Some(Active { kind, fault, .. }) = to_heal.pop() {
            let f = FaultRecord::name(Phase::Stop, self.kinds[kind].name());
            record(rec, &f, Value::Null);
            let started = Instant::now();
            let result = self.kinds[kind].heal(&env, &fault).await;
            let ms = started.elapsed().as_secs_f64() * 1e3;
            tracing::info!(heal_ms = ms, ok = result.is_ok(), "{f}");
            record(
                rec,
                &f,
                outcome(&result, ("healed", &fault), ("heal_ms", ms)),
            );
            if let Err(e) = result {
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Run the schedule (the fixed one of the options, else one fault at a time, or
    /// overlapping with `overlap`) until `stop` turns true, then heal everything.
    pub async fn run(
        &self,
        cluster: &dyn Cluster,
        rec: &Recorder,
        mut stop: watch::Receiver<bool>,
    ) -> Result<(), NemesisError> {
        if self.kinds.is_empty() {
            return Ok(());
        }
        let names: Vec<String> = self.kinds.iter().map(|k| k.name().to_string()).collect();
        let (interval, duration) = (self.opts.interval, self.opts.duration);
        let mut schedule: Box<dyn Schedule> = match &self.opts.schedule {
            Some(planned) => Box::new(Fixed::new(planned)),
            None if self.opts.overlap => Box::new(Overlap::new(names, interval, duration)),
            None => Box::new(Cycle::new(names, interval, duration)),
        };
        let now = tokio::time::Instant::now();
        let replay = schedule.counts_from_history_start();
        let t0 = match replay {
            true => now
                .checked_sub(std::time::Duration::from_nanos(rec.now_ns()))
                .unwrap_or(now),
            false => now,
        };
        // The time spent applying and healing pushes the schedule back, so a fault is held
        // and the cluster left healthy for the full durations however slow the changes.
        let mut lag = std::time::Duration::ZERO;
        let outcome = async {
            while let Some(step) = schedule.next() {
                let pushed = if replay {
                    std::time::Duration::ZERO
                } else {
                    lag
                };
                if wait_until(&mut stop, t0 + step.at + pushed).await {
                    break;
                }
                let began = Instant::now();
                match step.action {
                    Action::Start(kind) => self.start(&kind, cluster, rec).await?,
                    Action::Stop(kind) => self.stop(&kind, cluster, rec).await?,
                    Action::HealPassing => self.heal_passing(cluster, rec).await?,
                    Action::Apply { id, fault } => {
                        self.apply_planned(id, &fault, cluster, rec).await?
                    }
                    Action::Heal(id) => self.heal_planned(id, cluster, rec).await?,
                }
                lag += began.elapsed();
            }
            Ok(())
        }
        .await;
        let healed = self.heal_all(cluster, rec).await;
        outcome.and(healed)
    }
}

/// Sleep until `at`, or stop early: true when told to stop.
async fn wait_until(stop: &mut watch::Receiver<bool>, at: tokio::time::Instant) -> bool {
    if *stop.borrow() {
        return true;
    }
    tokio::select! {
        _ = tokio::time::sleep_until(at) => *stop.borrow(),
        r = stop.changed() => r.is_err() || *stop.borrow(),
    }
}
