//! The nemesis's seeded schedule: wait, fault, hold, heal, again, until told to stop; then
//! heal everything. Each step is recorded in the history as nemesis ops.

use crate::byzantine::ByzMode;
use crate::grudge::{grudge, Shape};
use crate::{apply, runtime};
use crate::{Fault, FaultKind, NemesisError};
use async_trait::async_trait;
use cluster::Cluster;
use history::fault::{FaultRecord, Phase};
use history::recorder::Recorder;
use history::rng::Rng;
use history::{Op, OpType, Process, Value};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// A system that can say which node leads (for the `isolate-leader` shape).
#[async_trait]
pub trait Leader: Send + Sync {
    async fn leader(&self, cluster: &dyn Cluster) -> Option<String>;
}

/// What the nemesis does, and how often.
#[derive(Debug, Clone, PartialEq)]
pub struct NemesisOptions {
    pub faults: Vec<FaultKind>,
    /// Partition shapes to draw from.
    pub shapes: Vec<Shape>,
    /// Healthy time before each fault.
    pub interval: Duration,
    /// How long each fault is held.
    pub duration: Duration,
    /// At most this many nodes killed, paused or losing packets at once.
    pub max_faulty: usize,
    pub loss_probability: f64,
    /// The port of the node runtime, for faults applied through it (`byzantine`, `clock`);
    /// None when the system's nodes do not run under it.
    pub control_port: Option<u16>,
    /// At most this many nodes are ever made Byzantine in a run (chosen once, seeded).
    pub traitors: usize,
    /// The Byzantine modes, taken in turn.
    pub byzantine_modes: Vec<ByzMode>,
    /// The message fields a lying node changes, and the values its lies take.
    pub lie_fields: Vec<String>,
    pub lie_domain: Vec<Value>,
    /// Clock offsets are drawn up to this many milliseconds either way.
    pub max_clock_skew_ms: u64,
}

impl Default for NemesisOptions {
    fn default() -> Self {
        NemesisOptions {
            faults: Vec::new(),
            shapes: Shape::ALL.to_vec(),
            interval: Duration::from_secs(5),
            duration: Duration::from_secs(5),
            max_faulty: 1,
            loss_probability: 0.2,
            control_port: None,
            traitors: 1,
            byzantine_modes: ByzMode::ALL.to_vec(),
            lie_fields: vec!["value".into()],
            lie_domain: Vec::new(),
            max_clock_skew_ms: 30_000,
        }
    }
}

/// The fault injector of one run.
pub struct Nemesis {
    opts: NemesisOptions,
    rng: Mutex<Rng>,
    leader: Option<Arc<dyn Leader>>,
    active: tokio::sync::Mutex<Vec<Fault>>,
    next_kind: Mutex<usize>,
    /// The nodes that lie in this run, once chosen.
    traitors: Mutex<Option<Vec<String>>>,
    next_mode: Mutex<usize>,
}

fn record(rec: &Recorder, f: &str, value: Value) {
    let mut op = Op::client(0, OpType::Info, f, value);
    op.process = Process::Nemesis;
    rec.record(op);
}

impl Nemesis {
    pub fn new(opts: NemesisOptions, seed: u64, leader: Option<Arc<dyn Leader>>) -> Nemesis {
        Nemesis {
            opts,
            rng: Mutex::new(Rng::new(seed)),
            leader,
            active: tokio::sync::Mutex::new(Vec::new()),
            next_kind: Mutex::new(0),
            traitors: Mutex::new(None),
            next_mode: Mutex::new(0),
        }
    }

    pub fn options(&self) -> &NemesisOptions {
        &self.opts
    }

    /// Check that this machine can apply every fault asked for, and set up the network
    /// rules' chain on every node. Faults that need tc netem are refused, plainly, where
    /// the kernel has none.
    pub async fn prepare(&self, cluster: &dyn Cluster) -> Result<(), NemesisError> {
        if let Some(k) = self.opts.faults.iter().find(|k| k.needs_runtime()) {
            if self.opts.control_port.is_none() {
                return Err(NemesisError::Unsupported(format!(
                    "the {} nemesis works on nodes under schism's node runtime (the raft, paxos, \
                     om and eig systems, or a wrapped Maelstrom binary); this system's nodes are not",
                    k.as_str()
                )));
            }
            if *k == FaultKind::Byzantine && self.opts.byzantine_modes.is_empty() {
                return Err(NemesisError::Unknown(
                    "the byzantine nemesis needs at least one mode".into(),
                ));
            }
        }
        if let Some(k) = self.opts.faults.iter().find(|k| k.needs_netem()) {
            let node = cluster
                .nodes()
                .first()
                .map(|n| n.name.clone())
                .unwrap_or_default();
            let probe = [
                "tc", "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms",
            ];
            match cluster.exec_in_netns(&node, &probe).await {
                Ok(_) => {
                    let _ = cluster
                        .exec_in_netns(&node, &["tc", "qdisc", "del", "dev", "lo", "root"])
                        .await;
                    return Err(NemesisError::Unsupported(format!(
                        "the {} nemesis is not built yet, although this kernel has netem",
                        k.as_str()
                    )));
                }
                Err(e) => {
                    return Err(NemesisError::Unsupported(format!(
                        "the {} nemesis needs tc netem, which this machine's kernel lacks ({e}); \
                         use partition, kill, pause or loss",
                        k.as_str()
                    )))
                }
            }
        }
        if self
            .opts
            .faults
            .iter()
            .any(|k| matches!(k, FaultKind::Partition | FaultKind::Loss))
        {
            apply::prepare(cluster).await?;
        }
        Ok(())
    }

    fn rng(&self) -> std::sync::MutexGuard<'_, Rng> {
        self.rng.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A random subset of 1..=max_faulty nodes.
    fn some_nodes(&self, nodes: &[String]) -> Vec<String> {
        let mut rng = self.rng();
        let k = 1 + rng.below(self.opts.max_faulty.clamp(1, nodes.len().max(1)) as u64) as usize;
        let mut pool = nodes.to_vec();
        let mut chosen = Vec::new();
        while chosen.len() < k && !pool.is_empty() {
            let i = rng.below(pool.len() as u64) as usize;
            chosen.push(pool.swap_remove(i));
        }
        chosen.sort();
        chosen
    }

    /// The run's traitors: `traitors` nodes (at least one), chosen the first time; the
    /// leader of that moment among them when the system can say who leads (a lying leader
    /// is the strongest adversary of a leader-based protocol).
    fn traitor_set(&self, nodes: &[String], leader: Option<&str>) -> Vec<String> {
        let mut t = self.traitors.lock().unwrap_or_else(|e| e.into_inner());
        t.get_or_insert_with(|| {
            let mut rng = self.rng();
            let mut pool = nodes.to_vec();
            let mut chosen = Vec::new();
            if let Some(i) = leader.and_then(|l| pool.iter().position(|n| n == l)) {
                chosen.push(pool.swap_remove(i));
            }
            while chosen.len() < self.opts.traitors.max(1) && !pool.is_empty() {
                chosen.push(pool.swap_remove(rng.below(pool.len() as u64) as usize));
            }
            chosen.sort();
            chosen
        })
        .clone()
    }

    /// Apply through the runtime or the cluster, as the fault needs.
    async fn apply(&self, cluster: &dyn Cluster, fault: &Fault) -> Result<Value, NemesisError> {
        match self.opts.control_port {
            Some(p) => runtime::apply(cluster, p, fault).await,
            None => apply::apply(cluster, fault).await.map(|_| Value::Null),
        }
    }

    async fn heal(&self, cluster: &dyn Cluster, fault: &Fault) -> Result<Value, NemesisError> {
        match self.opts.control_port {
            Some(p) => runtime::heal(cluster, p, fault).await,
            None => apply::heal(cluster, fault).await.map(|_| Value::Null),
        }
    }

    /// The next fault of a kind: its nodes and rules, drawn from the seeded RNG.
    pub fn choose(&self, kind: FaultKind, nodes: &[String], leader: Option<&str>) -> Fault {
        match kind {
            FaultKind::Partition => {
                let shapes = if self.opts.shapes.is_empty() {
                    &Shape::ALL[..]
                } else {
                    &self.opts.shapes
                };
                let mut rng = self.rng();
                let shape = shapes[rng.below(shapes.len() as u64) as usize];
                Fault::Partition {
                    shape,
                    grudge: grudge(shape, nodes, &mut rng, leader),
                }
            }
            FaultKind::Kill => Fault::Kill {
                nodes: self.some_nodes(nodes),
            },
            FaultKind::Pause => Fault::Pause {
                nodes: self.some_nodes(nodes),
            },
            FaultKind::Byzantine => {
                let nodes = self.traitor_set(nodes, leader);
                let mode = {
                    let mut m = self.next_mode.lock().unwrap_or_else(|e| e.into_inner());
                    let modes = &self.opts.byzantine_modes;
                    let mode = modes[*m % modes.len().max(1)];
                    *m += 1;
                    mode
                };
                Fault::Byzantine {
                    nodes,
                    mode,
                    rules: mode.rules(&self.opts.lie_fields, &self.opts.lie_domain),
                }
            }
            FaultKind::Clock => {
                let chosen = self.some_nodes(nodes);
                let mut rng = self.rng();
                let max = self.opts.max_clock_skew_ms.max(2);
                let offsets_ms = chosen
                    .into_iter()
                    .map(|n| {
                        let size = rng.between(max / 2, max) as i64;
                        (n, if rng.chance(0.5) { size } else { -size })
                    })
                    .collect();
                Fault::Clock { offsets_ms }
            }
            FaultKind::Loss | FaultKind::Delay | FaultKind::Duplicate | FaultKind::Reorder => {
                Fault::Loss {
                    nodes: self.some_nodes(nodes),
                    probability: self.opts.loss_probability,
                }
            }
        }
    }

    /// Apply the next fault of the schedule and record it.
    pub async fn start_fault(
        &self,
        cluster: &dyn Cluster,
        rec: &Recorder,
    ) -> Result<(), NemesisError> {
        let kind = {
            let mut k = self.next_kind.lock().unwrap_or_else(|e| e.into_inner());
            let kind = self.opts.faults[*k % self.opts.faults.len()];
            *k += 1;
            kind
        };
        let nodes: Vec<String> = cluster.nodes().iter().map(|n| n.name.clone()).collect();
        let first_traitors = kind == FaultKind::Byzantine
            && self
                .traitors
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .is_none();
        let wants_leader = first_traitors
            || (kind == FaultKind::Partition && self.opts.shapes.contains(&Shape::IsolateLeader));
        let leader = match (&self.leader, wants_leader) {
            (Some(l), true) => l.leader(cluster).await,
            _ => None,
        };
        let fault = self.choose(kind, &nodes, leader.as_deref());
        let f = FaultRecord::name(Phase::Start, kind.as_str());
        let mut value = serde_json::to_value(&fault).unwrap_or(Value::Null);
        if let (
            Fault::Partition {
                shape: Shape::IsolateLeader,
                ..
            },
            Value::Object(m),
        ) = (&fault, &mut value)
        {
            m.insert("leader".into(), json!(leader));
        }
        record(rec, &f, value.clone());
        let started = Instant::now();
        let mut active = self.active.lock().await;
        let result = self.apply(cluster, &fault).await;
        if kind.is_standing() {
            // The new mode's rules replace the old ones on the same traitors.
            active.retain(|f| f.kind() != kind);
        }
        // Even a fault that failed half way is healed at the end.
        active.push(fault);
        let ms = started.elapsed().as_secs_f64() * 1e3;
        tracing::info!(fault = %value, apply_ms = ms, ok = result.is_ok(), "{f}");
        match &result {
            Ok(Value::Null) => record(rec, &f, json!({"applied": value, "apply_ms": ms})),
            Ok(answers) => record(
                rec,
                &f,
                json!({"applied": value, "apply_ms": ms, "answers": answers}),
            ),
            Err(e) => record(rec, &f, json!({"error": e.to_string(), "apply_ms": ms})),
        }
        result.map(|_| ())
    }

    /// Heal every active fault and record it.
    pub async fn heal_all(
        &self,
        cluster: &dyn Cluster,
        rec: &Recorder,
    ) -> Result<(), NemesisError> {
        self.heal_some(cluster, rec, true).await
    }

    /// Heal the active faults (the standing ones too when `standing`) and record it.
    async fn heal_some(
        &self,
        cluster: &dyn Cluster,
        rec: &Recorder,
        standing: bool,
    ) -> Result<(), NemesisError> {
        let mut active = self.active.lock().await;
        let mut first_error = None;
        let (kept, to_heal): (Vec<Fault>, Vec<Fault>) = std::mem::take(&mut *active)
            .into_iter()
            .partition(|f| !standing && f.kind().is_standing());
        *active = kept;
        let mut to_heal = to_heal;
        while let Some(fault) = to_heal.pop() {
            let f = FaultRecord::name(Phase::Stop, fault.kind().as_str());
            record(rec, &f, Value::Null);
            let started = Instant::now();
            let result = self.heal(cluster, &fault).await;
            let ms = started.elapsed().as_secs_f64() * 1e3;
            tracing::info!(heal_ms = ms, ok = result.is_ok(), "{f}");
            match result {
                Ok(Value::Null) => record(rec, &f, json!({"healed": fault, "heal_ms": ms})),
                Ok(answers) => record(
                    rec,
                    &f,
                    json!({"healed": fault, "heal_ms": ms, "answers": answers}),
                ),
                Err(e) => {
                    record(rec, &f, json!({"error": e.to_string(), "heal_ms": ms}));
                    first_error.get_or_insert(e);
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Run the schedule until `stop` turns true, then heal everything.
    pub async fn run(
        &self,
        cluster: &dyn Cluster,
        rec: &Recorder,
        mut stop: watch::Receiver<bool>,
    ) -> Result<(), NemesisError> {
        if self.opts.faults.is_empty() {
            return Ok(());
        }
        let outcome = async {
            loop {
                if wait(&mut stop, self.opts.interval).await {
                    return Ok(());
                }
                self.start_fault(cluster, rec).await?;
                if wait(&mut stop, self.opts.duration).await {
                    return Ok(());
                }
                // Traitors stay traitors while the other faults come and go.
                self.heal_some(cluster, rec, false).await?;
            }
        }
        .await;
        let healed = self.heal_all(cluster, rec).await;
        outcome.and(healed)
    }
}

/// Sleep, or stop early: true when told to stop.
async fn wait(stop: &mut watch::Receiver<bool>, d: Duration) -> bool {
    if *stop.borrow() {
        return true;
    }
    tokio::select! {
        _ = tokio::time::sleep(d) => *stop.borrow(),
        r = stop.changed() => r.is_err() || *stop.borrow(),
    }
}
