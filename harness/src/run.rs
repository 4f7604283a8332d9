//! One run, from spec to verdict (the lifecycle, in order):
//!
//! 1. check the spec and what the system needs; draw the seed and print it first;
//! 2. bring the cluster up (every node ready);
//! 3. clients work through the generator while the nemesis runs its schedule; every op is
//!    appended to `history.jsonl` as it happens;
//! 4. the nemesis heals everything; after a pause to recover, the final phase runs (final
//!    reads), so liveness can be judged;
//! 5. teardown always runs, also after an error or Ctrl-C (node logs saved first);
//! 6. the checkers judge what was recorded; `results.json` (and beside it `junit.xml` and
//!    `summary.md`), `<store>/latest`.

use crate::error::RunError;
use crate::spec::TestSpec;
use crate::status;
use crate::store;
use crate::workers::{Counters, Pool};
use cluster::Cluster;
use history::recorder::Recorder;
use history::{Dialect, History, Op, OpType, Process, Validity};
use nemesis::grudge::Shape;
use nemesis::{ByzMode, NemesisOptions, Runner, Target};
use reports::run::RunResult;
use serde_json::json;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use systems::System;
use tokio::sync::watch;
use workloads::generator::{Generator, Stagger, TimeLimit};
use workloads::Workload;

/// Every workload a run can drive (which system serves which: `schism systems`).
pub fn workload_names() -> Vec<&'static str> {
    workloads::registry::names()
}

/// What a run left.
pub struct RunOutcome {
    pub result: RunResult,
    pub dir: PathBuf,
}

fn nemesis_options(spec: &TestSpec, system: &dyn System) -> Result<NemesisOptions, RunError> {
    let bad = |e: nemesis::NemesisError| RunError::Spec(e.to_string());
    let kinds = spec.nemesis.kinds();
    for f in &kinds {
        nemesis::registry::find(f).map_err(bad)?;
    }
    for section in spec.nemesis.options.keys() {
        if !kinds.contains(section) {
            nemesis::registry::find(section).map_err(bad)?;
        }
    }
    let shapes = spec
        .nemesis
        .shapes
        .iter()
        .map(|s| {
            Shape::parse(s).ok_or_else(|| {
                RunError::Spec(format!(
                    "unknown partition shape {s:?}; known: {}",
                    Shape::NAMES.join(", ")
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let (lie_fields, lie_domain) = system.lie_fields();
    let targets: Vec<Target> = spec
        .nemesis
        .targets
        .iter()
        .map(|t| Target::parse(t))
        .collect::<Result<_, _>>()
        .map_err(bad)?;
    let names = node_names(spec);
    for t in &targets {
        t.check(&names).map_err(bad)?;
    }
    let (shapes, targets) = leader_aware(spec, system, shapes, targets)?;
    let clients = nemesis::Clients::parse(&spec.nemesis.clients).map_err(bad)?;
    if clients == nemesis::Clients::BesideNodes && !system.uses_docker() {
        return Err(RunError::Spec(format!(
            "clients beside-nodes need a system whose nodes run in containers, each with a \
             network namespace; {} has none",
            spec.system
        )));
    }
    let options = NemesisOptions {
        clients,
        faults: kinds,
        targets,
        overlap: spec.nemesis.overlap,
        shapes,
        interval: Duration::from_secs_f64(spec.nemesis.interval_s),
        duration: Duration::from_secs_f64(spec.nemesis.duration_s),
        max_faulty: spec.nemesis.max_faulty,
        loss_probability: spec.nemesis.loss_probability,
        traitors: spec.traitors,
        byzantine_modes: spec
            .nemesis
            .byzantine
            .iter()
            .map(|m| ByzMode::parse(m))
            .collect::<Result<Vec<_>, _>>()
            .map_err(bad)?,
        lie_fields: if spec.nemesis.lie_fields.is_empty() {
            lie_fields
        } else {
            spec.nemesis.lie_fields.clone()
        },
        lie_domain: if spec.nemesis.lie_domain.is_empty() {
            lie_domain
        } else {
            spec.nemesis.lie_domain.clone()
        },
        max_clock_skew_ms: spec.nemesis.max_clock_skew_ms,
        system: system.nemesis_facts(),
        sections: spec.nemesis.options.clone(),
        schedule: spec.nemesis.schedule.clone(),
        reaim_leader: spec.nemesis.reaim_leader,
    };
    // A fault this system cannot take is a mistake in the spec, refused before anything
    // starts, naming the fault and why.
    nemesis::registry::check(&options).map_err(|e| RunError::Spec(e.to_string()))?;
    Ok(options)
}

/// The partition shapes and targets of a run, refusing what needs a leader of a system
/// that cannot say who leads: `isolate-leader` and the `leader` target asked for are
/// errors, while the defaults leave them out (rather than aim at a random node under that
/// name): every shape but `isolate-leader`, and the target `some` alone.
fn leader_aware(
    spec: &TestSpec,
    system: &dyn System,
    shapes: Vec<Shape>,
    targets: Vec<Target>,
) -> Result<(Vec<Shape>, Vec<Target>), RunError> {
    if system.leader().is_some() {
        return Ok((shapes, targets));
    }
    let default_targets = crate::spec::NemesisSpec::default().targets;
    let targets = if spec.nemesis.targets == default_targets {
        vec![Target::Some]
    } else {
        targets
    };
    let shapes = leader_aware_shapes(spec, system, shapes, &targets)?;
    Ok((shapes, targets))
}

fn leader_aware_shapes(
    spec: &TestSpec,
    system: &dyn System,
    shapes: Vec<Shape>,
    targets: &[Target],
) -> Result<Vec<Shape>, RunError> {
    let refuse = |what: &str| {
        Err(RunError::Spec(format!(
            "{what} needs a system that can say who leads; {} cannot (give its spec a \
             `leader:` probe, docs/systems.md)",
            system.name()
        )))
    };
    if targets.iter().any(|t| matches!(t, Target::Leader)) {
        return refuse("the leader target");
    }
    if !spec.nemesis.faults.iter().any(|f| f == "partition") {
        return Ok(shapes);
    }
    if shapes.is_empty() || Shape::ALL.iter().all(|s| shapes.contains(s)) {
        // The default: every shape but the one this system cannot aim.
        return Ok(Shape::ALL
            .into_iter()
            .filter(|s| *s != Shape::IsolateLeader)
            .collect());
    }
    if shapes.contains(&Shape::IsolateLeader) {
        return refuse("the isolate-leader partition");
    }
    Ok(shapes)
}

/// The nodes' names: n1, n2, ...
fn node_names(spec: &TestSpec) -> Vec<String> {
    (1..=spec.nodes).map(|i| format!("n{i}")).collect()
}

/// The spec's workload, through the registry.
fn workload(spec: &TestSpec) -> Result<Workload, RunError> {
    let def = workloads::registry::find(&spec.workload).map_err(RunError::Spec)?;
    let options = spec.options_of(def.section);
    let nodes = node_names(spec);
    let setup = workloads::registry::Setup {
        options: &options,
        nodes: &nodes,
        concurrency: spec.concurrency,
        check_time_limit: Some(Duration::from_secs_f64(spec.check_time_limit_s)),
    };
    (def.build)(&setup).map_err(RunError::Spec)
}

/// Everything of the run that is settled before the cluster starts.
struct Plan {
    spec: TestSpec,
    /// What the system is told of the run (with the seed drawn).
    setup: systems::Setup,
    system: Arc<dyn System>,
    nemesis: NemesisOptions,
    seed: u64,
    dir: PathBuf,
    run_id: String,
    started: SystemTime,
}

/// What a run would refuse at its start, checked without side effects: the spec's values,
/// the system (and its spec file), the workload and whether the system serves it, the
/// faults, shapes and Byzantine modes, and what the system needs on this machine.
pub fn prepare(spec: &TestSpec) -> Result<(Arc<dyn System>, NemesisOptions, Workload), RunError> {
    let mut settled;
    let spec = if crate::system::needs_settling(spec) {
        settled = spec.clone();
        crate::system::settle(&mut settled);
        &settled
    } else {
        spec
    };
    spec.validate().map_err(|e| RunError::Spec(e.0))?;
    let setup = crate::system::setup(spec);
    let system = systems::resolve(&setup)?;
    let nemesis = nemesis_options(spec, system.as_ref())?;
    let workload = workload(spec)?;
    let served = system.workloads();
    if !served.contains(&spec.workload) {
        return Err(RunError::Spec(format!(
            "the {} system does not serve the {} workload; it serves: {}",
            system.name(),
            spec.workload,
            served.join(", ")
        )));
    }
    system.preflight(&setup)?;
    Ok((system, nemesis, workload))
}

fn plan(mut spec: TestSpec) -> Result<(Plan, Workload), RunError> {
    crate::system::settle(&mut spec);
    let (system, nemesis, workload) = prepare(&spec)?;
    let seed = spec.seed.unwrap_or_else(|| {
        let t = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        (t.as_nanos() as u64 ^ ((std::process::id() as u64) << 32)) % 1_000_000_000
    });
    spec.seed = Some(seed);
    let started = SystemTime::now();
    let dir = store::run_dir(&spec.store, &crate::system::test_name(&spec), started)?;
    let run_id = format!(
        "{}-{}",
        store::timestamp(started, false).to_lowercase(),
        std::process::id()
    );
    let yaml = serde_yaml::to_string(&spec).map_err(|e| RunError::Harness(e.to_string()))?;
    let spec_path = dir.join("spec.yaml");
    std::fs::write(&spec_path, yaml)
        .map_err(|e| RunError::Harness(format!("writing {}: {e}", spec_path.display())))?;
    let plan = Plan {
        setup: crate::system::setup(&spec),
        spec,
        system,
        nemesis,
        seed,
        dir,
        run_id,
        started,
    };
    Ok((plan, workload))
}

/// Run a test. `on_seed` is told the seed before anything else happens.
pub async fn run(spec: TestSpec, on_seed: impl FnOnce(u64)) -> Result<RunOutcome, RunError> {
    let (plan, workload) = plan(spec)?;
    on_seed(plan.seed);
    crate::runlog::start(&plan.dir);
    tracing::info!(seed = plan.seed, dir = %plan.dir.display(), run_id = %plan.run_id, "run planned");
    let Workload {
        generator,
        final_generator,
        checkers,
        ..
    } = workload;
    let (stop_tx, stop_rx) = watch::channel(false);
    let interrupted = Arc::new(AtomicBool::new(false));
    {
        let (stop_tx, interrupted) = (stop_tx.clone(), interrupted.clone());
        tokio::spawn(async move {
            let why = crate::signals::stop_requested().await;
            eprintln!(
                "schism run: {why}: stopping; healing, tearing down and checking what was recorded"
            );
            tracing::warn!("{why}: the run stops early");
            interrupted.store(true, Ordering::SeqCst);
            let _ = stop_tx.send(true);
            crate::signals::exit_on_second("run");
        });
    }
    if plan.system.uses_docker() {
        if let Some(note) = crate::clean_cmd::leftover_notice().await {
            eprintln!("{note}");
            tracing::warn!("{note}");
        }
    }
    let asked = std::time::Instant::now();
    let cluster = {
        let mut stop = stop_rx.clone();
        tokio::select! {
            c = plan.system.start(&plan.setup, &plan.run_id) => c.map_err(RunError::from),
            _ = stop.wait_for(|s| *s) => {
                plan.system.cleanup(&plan.run_id).await;
                Err(RunError::Interrupted("interrupted while the cluster was starting; nothing was recorded".into()))
            }
        }
    };
    let cluster = match cluster {
        Ok(c) => c,
        Err(e) => {
            plan.system.cleanup(&plan.run_id).await;
            return Err(e);
        }
    };
    let ready_ms = asked.elapsed().as_secs_f64() * 1e3;
    tracing::info!(ready_ms, nodes = ?cluster.nodes(), "cluster ready");
    let recorder = match Recorder::create(&plan.dir.join("history.jsonl")) {
        Ok(r) => Arc::new(r),
        Err(e) => {
            let _ = cluster.teardown(Some(&plan.dir.join("nodes"))).await;
            return Err(e.into());
        }
    };
    for (nodes, how) in traitor_groups(&plan) {
        let mut op = Op::client(
            0,
            OpType::Info,
            "traitors",
            json!({"nodes": nodes, "how": how}),
        );
        op.process = Process::Nemesis;
        recorder.record(op);
    }
    let phases = (generator, final_generator);
    let error = drive(&plan, phases, &cluster, &recorder, stop_rx, &interrupted)
        .await
        .err();
    if let Some(e) = &error {
        tracing::warn!("the run stopped early: {e}");
    }
    let flushed = recorder.flush();
    tracing::info!(ops = recorder.len(), "history flushed; tearing down");
    let torn = cluster.teardown(Some(&plan.dir.join("nodes"))).await;
    let error = error
        .map(|e| e.to_string())
        .or_else(|| flushed.err().map(|e| e.to_string()))
        .or_else(|| torn.err().map(|e| format!("teardown: {e}")));
    let interrupted = interrupted.load(Ordering::SeqCst);
    let mut result = judge(&plan, checkers, &recorder, error, interrupted).await;
    result.cluster_ready_ms = ready_ms;
    tracing::info!(valid = result.valid.as_str(), "checked");
    result.write(&plan.dir.join("results.json"))?;
    crate::report_cmd::write_run_report(&plan.dir);
    crate::ci_files::write(&result, &plan.dir);
    store::mark_latest(&plan.spec.store, &plan.dir)?;
    Ok(RunOutcome {
        result,
        dir: plan.dir,
    })
}

/// The main phase with the nemesis, the heal, and the final phase.
async fn drive(
    plan: &Plan,
    (main, final_generator): (Box<dyn Generator>, FinalGenerator),
    cluster: &Arc<dyn Cluster>,
    recorder: &Arc<Recorder>,
    stop: watch::Receiver<bool>,
    interrupted: &AtomicBool,
) -> Result<(), RunError> {
    let nemesis = Arc::new(Runner::new(
        plan.nemesis.clone(),
        plan.seed.wrapping_add(1),
        plan.system.leader(),
        plan.system.control(),
    )?);
    nemesis.prepare(cluster.as_ref()).await?;
    let counters = Arc::new(Counters::default());
    let pool = Arc::new(Pool {
        system: plan.system.clone(),
        setup: plan.setup.clone(),
        spec: plan.spec.clone(),
        cluster: cluster.clone(),
        recorder: recorder.clone(),
        counters: counters.clone(),
        processes: Mutex::new((0..plan.spec.concurrency as u64).collect()),
    });
    let bar = status::start(recorder.clone(), counters);
    let (nem_stop_tx, nem_stop_rx) = watch::channel(false);
    let nem_task = {
        let (n, c, r) = (nemesis.clone(), cluster.clone(), recorder.clone());
        tokio::spawn(async move { n.run(c.as_ref(), &r, nem_stop_rx).await })
    };
    let time_limit = Duration::from_secs_f64(plan.spec.time_limit_s).as_nanos() as u64;
    let main: Box<dyn Generator> = if plan.spec.rate > 0.0 {
        Box::new(TimeLimit::new(
            time_limit,
            Stagger::new(plan.spec.rate, main),
        ))
    } else {
        Box::new(TimeLimit::new(time_limit, main))
    };
    tracing::info!("main phase");
    let worked = pool
        .run(main, plan.seed.wrapping_add(2), stop.clone())
        .await;
    let _ = nem_stop_tx.send(true);
    let nemesis_result = match nem_task.await {
        Ok(r) => r.map_err(RunError::from),
        Err(e) => Err(RunError::Harness(format!("the nemesis task failed: {e}"))),
    };
    // Whatever happened above, every fault is healed before going on.
    let healed = nemesis.heal_all(cluster.as_ref(), recorder).await;
    worked?;
    nemesis_result?;
    healed?;
    if !interrupted.load(Ordering::SeqCst) {
        let mut s = stop.clone();
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs_f64(plan.spec.recovery_s)) => {}
            _ = s.wait_for(|s| *s) => {}
        }
        tracing::info!("final phase");
        pool.run(final_generator(), plan.seed.wrapping_add(3), stop)
            .await?;
    }
    bar.finish_and_clear();
    Ok(())
}

type FinalGenerator = Box<dyn FnOnce() -> Box<dyn Generator> + Send>;

/// The run's protocol-aware traitors, grouped by how they behave.
fn traitor_groups(plan: &Plan) -> Vec<(Vec<String>, &'static str)> {
    let mut groups: Vec<(Vec<String>, &'static str)> = Vec::new();
    for (node, how) in systems::traitors::choose(&plan.setup) {
        match groups.iter_mut().find(|(_, h)| *h == how) {
            Some((nodes, _)) => nodes.push(node),
            None => groups.push((vec![node], how)),
        }
    }
    groups
}

/// Check what was recorded and make the run's result.
async fn judge(
    plan: &Plan,
    checkers: Vec<Box<dyn checkers::Checker>>,
    recorder: &Recorder,
    error: Option<String>,
    interrupted: bool,
) -> RunResult {
    // The recorder was flushed: its ops are on disk and can be moved out.
    let ops = recorder.take_ops();
    let (counts, rate, faults, span_s) = RunResult::tally(&ops);
    let names: Vec<String> = checkers.iter().map(|c| c.name().to_string()).collect();
    let verdicts = match History::from_ops(ops, Dialect::Schism) {
        Ok(history) => tokio::task::spawn_blocking(move || {
            checkers::compose::judge(&checkers, &history).verdicts
        })
        .await
        .unwrap_or_else(|e| {
            let why = format!("a checker crashed: {e}");
            names.iter().map(|n| unknown(n, why.clone())).collect()
        }),
        Err(e) => {
            let why = format!("the recorded history is not well formed: {e}");
            names.iter().map(|n| unknown(n, why.clone())).collect()
        }
    };
    let (valid, liveness) = RunResult::verdicts(&verdicts);
    let first_anomaly_s = RunResult::first_anomaly_s(&verdicts);
    RunResult {
        test: crate::system::test_name(&plan.spec),
        run_id: plan.run_id.clone(),
        seed: plan.seed,
        system: plan.system.name().to_string(),
        workload: plan.spec.workload.clone(),
        nodes: plan.spec.nodes,
        concurrency: plan.spec.concurrency,
        started: store::timestamp(plan.started, false),
        duration_s: span_s,
        cluster_ready_ms: 0.0,
        valid,
        liveness,
        interrupted,
        error,
        ops: counts,
        ops_per_s: rate,
        first_anomaly_s,
        faults,
        checkers: verdicts,
        history: "history.jsonl".into(),
    }
}

fn unknown(checker: &str, reason: String) -> history::Verdict {
    let mut v = history::Verdict::new(checker, Validity::Unknown);
    v.reason = Some(reason);
    v
}
