//! The end of a bench: its status, the comparison with the baseline, the record written a
//! last time, the tables printed, a loud warning for runs that were not valid, and the exit
//! code (a run's failure first, then Ctrl-C, then the gate; verdicts never count).

use super::plan::Plan;
use super::runs::write;
use super::GATE_FAILED;
use crate::exit::ExitCode;
use crate::sweep::INTERRUPTED;
use reports::bench::compare;
use reports::bench::model::{Bench, Status};
use std::path::Path;

/// Say loudly which runs were not valid.
fn warn_not_valid(b: &Bench) {
    let bad = b.not_valid();
    if bad.is_empty() {
        return;
    }
    let runs: usize = b.points.iter().map(|p| p.runs.len()).sum();
    eprintln!(
        "schism bench: WARNING: {} of {runs} runs are NOT VALID (safety verdict): these figures \
         may measure a system that broke its guarantees. The exit code follows the gate alone.",
        bad.len()
    );
    for (c, seed, v) in bad {
        eprintln!("  concurrency {c} seed {seed}: {}", v.as_str());
    }
}

/// Finish the bench `b` whose runs are done (`code`: the exit code of a run that failed);
/// returns the exit code.
pub(super) fn finish(
    plan: &Plan,
    b: &mut Bench,
    out: &Path,
    written: std::io::Result<()>,
    code: Option<i32>,
    interrupted: bool,
) -> i32 {
    if b.status == Status::Running {
        b.status = if interrupted {
            Status::Interrupted
        } else {
            Status::Complete
        };
    }
    if let (Status::Complete, Some(old), Some(path)) =
        (b.status, &plan.baseline, &plan.args.baseline)
    {
        let name = path.display().to_string();
        let c = compare::compare(
            old,
            b,
            &name,
            plan.args.tolerance,
            plan.args.latency_floor_ms,
        );
        b.comparison = Some(c);
    }
    let written = written.and(write(b, out));
    print!("{}", reports::bench::text::table(b));
    if let Some(c) = &b.comparison {
        println!(
            "\nagainst {} (tolerance {} %): {}",
            c.baseline,
            c.tolerance * 100.0,
            if c.passed { "within" } else { "OUTSIDE" }
        );
        print!("{}", compare::table(c));
    }
    warn_not_valid(b);
    eprintln!("schism bench: {}: {}", b.status.as_str(), out.display());
    if let Err(e) = written {
        eprintln!(
            "schism bench: cannot write the bench in {}: {e}",
            out.display()
        );
        return ExitCode::HarnessError as i32;
    }
    match (code, &b.comparison) {
        (Some(c), _) => c,
        (None, _) if interrupted => INTERRUPTED,
        (None, Some(c)) if !c.passed => GATE_FAILED,
        _ => 0,
    }
}
