//! Judging one history file by the checkers of a workload (`register`, the default of
//! `schism check`, is linearizability per key; the others are transactions, services and
//! agreement), for `schism check` and `schism report`. The verdict is the worst safety
//! verdict; liveness verdicts are shown, not counted.

use crate::check_input::{malformed_error, Read};
use checkers::Checker;
use reports::results::FileResult;
use std::time::Instant;

/// A workload option given by a flag of `schism check`: the flag, its value, and the
/// option's section and field.
pub struct CheckOption<'a> {
    pub flag: &'a str,
    pub value: serde_json::Value,
    pub section: &'a str,
    pub field: &'a str,
}

/// The checkers of a workload, by name, through the registry, with the options given.
pub fn checkers_for(
    workload: &str,
    given: Vec<CheckOption>,
    time_limit: Option<std::time::Duration>,
) -> Result<Vec<Box<dyn Checker>>, String> {
    let def = workloads::registry::find(workload).map_err(|_| {
        format!(
            "no checkers for workload {workload:?}; known: {} (register is the default)",
            workloads::registry::names().join(", ")
        )
    })?;
    let mut options = serde_json::Map::new();
    for o in given {
        if def.section != Some(o.section) {
            let shown = o.value.to_string();
            return Err(format!(
                "{} {} judges {} histories, not {workload:?}",
                o.flag,
                shown.trim_matches('"'),
                workloads::registry::readers_of(o.section).join(" and ")
            ));
        }
        options.insert(o.field.to_string(), o.value);
    }
    let options = serde_json::Value::Object(options);
    let setup = workloads::registry::Setup {
        options: &options,
        nodes: &[],
        concurrency: 1,
        check_time_limit: time_limit,
    };
    (def.checkers)(&setup)
}

/// Read one file and judge it by `checkers`; any problem becomes the file's error.
pub fn check_file(read: &Read, workload: &str, checkers: &[Box<dyn Checker>]) -> FileResult {
    let name = read.path.display().to_string();
    let (history, format) = match read.history() {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let started = Instant::now();
    let checkers::compose::Judged { verdicts, composed } =
        checkers::compose::judge(checkers, &history);
    if let Some(e) = malformed_error(read.path, &verdicts) {
        return e;
    }
    let (valid, reason) = (composed.safety, composed.reasons);
    // Figures a checker gives about the check (the linearizability checker's model, ops
    // and keys) win over the history's own.
    let stat = |k: &str| verdicts.iter().find_map(|v| v.stats.get(k));
    let count = |k: &str| stat(k).and_then(|v| v.as_u64()).map(|n| n as usize);
    FileResult {
        model: stat("model")
            .and_then(|m| m.as_str())
            .unwrap_or(workload)
            .to_string(),
        dialect: history.dialect.as_str().into(),
        format: format.as_str().into(),
        ops: count("ops").unwrap_or(history.ops().len()),
        keys: count("keys").unwrap_or(0),
        elapsed_ms: started.elapsed().as_secs_f64() * 1e3,
        reason: (!reason.is_empty()).then(|| reason.join("; ")),
        notes: history.notes(),
        anomalies: verdicts.into_iter().flat_map(|v| v.anomalies).collect(),
        ..FileResult::new(&name, valid)
    }
}
