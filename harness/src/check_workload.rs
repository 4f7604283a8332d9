//! `schism check --workload W`: a stored or foreign history judged by the checkers of a
//! workload (transactions, services, agreement) instead of linearizability. The verdict is
//! the worst safety verdict; liveness verdicts are shown, not counted.

use crate::check_cmd::{malformed_error, Read};
use checkers::Checker;
use history::Validity;
use reports::results::FileResult;
use std::time::Instant;

/// The checkers of a workload, by name (`model` for the transactional ones, `bank_total`
/// for `bank`).
pub fn checkers_for(
    workload: &str,
    model: Option<&str>,
    bank_total: Option<i64>,
) -> Result<Vec<Box<dyn Checker>>, String> {
    if let (Some(t), false) = (bank_total, workload == "bank") {
        return Err(format!(
            "--bank-total {t} judges bank histories, not {workload:?}"
        ));
    }
    if let Some(found) = checkers::txn::for_model(workload, model)? {
        return Ok(found);
    }
    if let Some(m) = model {
        return Err(format!(
            "--txn-model {m} judges list-append and rw-register histories, not {workload:?}"
        ));
    }
    match workload {
        "bank" => {
            let c = bank_total.map_or_else(
                checkers::bank::BankChecker::default,
                checkers::bank::BankChecker::with_total,
            );
            return Ok(vec![Box::new(c)]);
        }
        "set" => return Ok(vec![Box::new(checkers::services::SetChecker::store())]),
        _ => {}
    }
    checkers::services::for_workload(workload)
        .or_else(|| checkers::consensus::for_workload(workload))
        .ok_or_else(|| {
            format!(
                "no checkers for workload {workload:?}; known: register (the default), {}",
                crate::run::workload_names()
                    .into_iter()
                    .filter(|w| *w != "register")
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
}

/// Read one file and judge it by `checkers`; any problem becomes the file's error.
pub fn check_file(read: &Read, workload: &str, checkers: &[Box<dyn Checker>]) -> FileResult {
    let name = read.path.display().to_string();
    let (history, format) = match read.history() {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let started = Instant::now();
    let verdicts: Vec<_> = checkers.iter().map(|c| c.check(&history)).collect();
    if let Some(e) = malformed_error(read.path, &verdicts) {
        return e;
    }
    let safety = || verdicts.iter().filter(|v| !v.liveness);
    let valid = if safety().any(|v| v.validity == Validity::Invalid) {
        Validity::Invalid
    } else if safety().any(|v| v.validity == Validity::Unknown) {
        Validity::Unknown
    } else {
        Validity::Valid
    };
    let reason = safety()
        .filter_map(|v| v.reason.as_ref().map(|r| format!("{}: {r}", v.checker)))
        .collect::<Vec<_>>();
    FileResult {
        model: workload.to_string(),
        format: format.as_str().into(),
        ops: history.ops().len(),
        elapsed_ms: started.elapsed().as_secs_f64() * 1e3,
        reason: (!reason.is_empty()).then(|| reason.join("; ")),
        notes: history.notes(),
        anomalies: verdicts.into_iter().flat_map(|v| v.anomalies).collect(),
        ..FileResult::new(&name, valid)
    }
}
