//! Building the verdicts of these checkers on the shared [`Report`] (see `crate::report`):
//! a report that lists the faults every verdict carries, and how instances, decisions and a
//! missing final phase are told in explanations.

use super::decisions::Decision;
use super::faulty::Faults;
pub use crate::report::{show, span, Report};
use history::{Key, Malformed};
use serde_json::json;

/// A report for a checker, with the faults every verdict lists and the malformed ops
/// (those of the run, then those of the faults): with any, it cannot be valid.
pub fn with_faults(name: &str, faults: &Faults, malformed: &Option<Malformed>) -> Report {
    let mut report = Report::new(name);
    report.stat("faults", faults.json());
    for m in [malformed, &faults.malformed].into_iter().flatten() {
        report.malformed_ops(m.clone());
    }
    report
}

/// How an instance is named in an explanation.
pub fn instance(key: &Option<Key>) -> String {
    match key {
        Some(k) => format!("instance {k}"),
        None => "the instance (no key)".to_string(),
    }
}

/// A decision told in an explanation: `n1 decided 9 (final read, line 8)`.
pub fn decided(d: &Decision) -> String {
    format!("{} decided {} ({})", d.node, show(&d.value), d.seen())
}

/// The reason a history without a final phase cannot be judged.
pub fn no_final_phase(f: &str) -> String {
    format!(
        "the history has no final phase (no `{f}` ops): what the nodes decided at the end \
         was never read, so this property cannot be judged"
    )
}

/// Count the instances not judged because their faults went beyond the problem's bound
/// ([`super::omission`]); when no instance was left to judge, the verdict is unknown.
pub fn beyond_bound(report: &mut Report, beyond: usize, judged: usize) {
    report.stat("instances_beyond_bound", json!(beyond));
    if judged == 0 && beyond > 0 {
        report.cannot_judge(format!(
            "every instance ({}) ran with more nodes faulty (traitors, and nodes killed, \
             paused or cut off while it ran) than the problem tolerates (n > 3m)",
            beyond
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use history::Validity;

    #[test]
    fn a_report_with_faults_lists_them_and_the_malformed_ops() {
        let m = |line, count| Malformed {
            index: 0,
            line,
            message: "x".into(),
            count,
        };
        let faults = Faults {
            malformed: Some(m(9, 2)),
            ..Faults::default()
        };
        let v = with_faults("x", &Faults::default(), &None).finish();
        assert_eq!(v.validity, Validity::Valid);
        let v = with_faults("x", &faults, &Some(m(4, 3))).finish();
        assert_eq!(v.validity, Validity::Unknown);
        assert_eq!(v.stats["faults"], faults.json());
        let got = v.malformed.unwrap();
        assert_eq!((got.line, got.count), (4, 5));
    }
}
