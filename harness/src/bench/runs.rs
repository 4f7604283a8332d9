//! The runs of a bench, one at a time in this process (each level's seeds in turn), each
//! measured as it ends and the record (`bench.json`, `bench.html`) rewritten after it; a run
//! that cannot run, stops early or cannot be measured stops the bench, as does Ctrl-C
//! (after the run under way).

use super::plan::Plan;
use super::record;
use crate::exit::ExitCode;
use reports::bench::model::{Bench, BenchRun, Machine, Point, Status};
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::SystemTime;
use tracing::Instrument;

/// The record of the bench before its first run.
fn start(plan: &Plan, command: Vec<String>) -> Bench {
    let spec = &plan.levels[0].1;
    let now = crate::store::timestamp(SystemTime::now(), false);
    let test = crate::system::test_name(spec);
    Bench {
        command,
        started: now.clone(),
        updated: now,
        status: Status::Running,
        machine: Machine::this(),
        test: test
            .strip_suffix(&format!("-concurrency={}", plan.levels[0].0))
            .unwrap_or(&test)
            .to_string(),
        system: crate::system::system_name(spec),
        workload: spec.workload.clone(),
        nodes: spec.nodes,
        rate: spec.rate,
        time_limit_s: spec.time_limit_s,
        nemesis: spec.nemesis.faults.clone(),
        seed: plan.seed,
        seeds: plan.args.seeds,
        levels: plan.levels.iter().map(|(l, _)| *l).collect(),
        points: plan.levels.iter().map(|(l, _)| Point::new(*l)).collect(),
        comparison: None,
    }
}

/// Write the record into `dir`, dated now.
pub(super) fn write(b: &mut Bench, dir: &Path) -> std::io::Result<()> {
    b.updated = crate::store::timestamp(SystemTime::now(), false);
    reports::bench::files::write(b, dir)
}

/// The line shown after a run.
fn progress(r: &BenchRun) -> String {
    let mut s = match r.valid {
        Some(history::Validity::Valid) => "valid".to_string(),
        Some(v) => v.as_str().to_uppercase(),
        None => "no verdict".into(),
    };
    if let Some(f) = &r.figures {
        s.push_str(&format!(", {:.1} ok ops/s", f.throughput));
        if let Some(q) = f.latency_ms {
            s.push_str(&format!(", p99 {:.3} ms", q.p99));
        }
    }
    if let Some(e) = &r.error {
        s.push_str(&format!(", stopped: {e}"));
    }
    s
}

/// Run the plan, writing the record after each run; returns the exit code.
pub(super) fn bench(plan: Plan, command: Vec<String>) -> i32 {
    let seeds = plan.args.seeds;
    let runs = plan.levels.len() * seeds;
    eprintln!("seed: {}", plan.seed);
    eprintln!(
        "schism bench: {} level(s) × {seeds} seed(s) = {runs} run(s)",
        plan.levels.len()
    );
    let crate::grid_runs::Setup { out, rt, stop } = match crate::grid_runs::setup(
        "bench",
        plan.args.out.as_deref(),
        &plan.levels[0].1.store,
        "benches",
    ) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut b = start(&plan, command);
    let mut written = write(&mut b, &out);
    let (mut code, mut done) = (None, 0);
    'runs: for (i, (level, spec)) in plan.levels.iter().enumerate() {
        for k in 0..seeds {
            if stop.load(Ordering::SeqCst) {
                break 'runs;
            }
            let seed = plan.seed.wrapping_add(k as u64);
            let mut spec = spec.clone();
            spec.seed = Some(seed);
            let span = tracing::info_span!("run", concurrency = level, seed);
            let outcome = rt.block_on(crate::run::run(spec.clone(), |_| {}).instrument(span));
            done += 1;
            let r = match outcome {
                Ok(o) => {
                    let r = record::of(&o, &spec);
                    if r.error.is_some() && !o.result.interrupted {
                        code = Some(ExitCode::HarnessError as i32);
                    }
                    r
                }
                Err(e) => {
                    code = Some(e.exit_code() as i32);
                    record::failed(seed, format!("could not run: {e}"))
                }
            };
            eprintln!(
                "[{done}/{runs}] concurrency {level} seed {seed}: {}",
                progress(&r)
            );
            b.points[i].add(r);
            if code.is_some() {
                b.status = Status::Stopped;
            }
            written = written.and(write(&mut b, &out));
            if code.is_some() {
                break 'runs;
            }
        }
    }
    let interrupted = stop.load(Ordering::SeqCst);
    rt.shutdown_background();
    super::finish::finish(&plan, &mut b, &out, written, code, interrupted)
}
