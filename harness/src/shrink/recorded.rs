//! What `schism shrink` reads of a stored run: its spec (with its seed), its verdict and
//! first anomaly, and its faults as windows (each `start-<kind>` record paired with the
//! `stop-<kind>` that healed it, times from the history); and the spec that replays a
//! schedule of windows.

use super::reduce::{Candidate, Window};
use crate::exit::ExitCode;
use crate::spec::TestSpec;
use history::fault::{FaultRecord, Phase, Stage};
use history::{Validity, Value};
use nemesis::fixed::Planned;
use reports::run::RunResult;
use std::path::Path;

/// A stored invalid run, as the shrinker needs it.
#[derive(Debug)]
pub struct Recorded {
    pub spec: TestSpec,
    pub result: RunResult,
    /// Its faults, in the order they started.
    pub schedule: Candidate<Value>,
    pub first_anomaly_s: Option<f64>,
}

/// Read `dir`'s spec.yaml, results.json and history.jsonl; refuse a run that was not
/// invalid, or had no faults (exit code and why, naming the file).
pub fn read(dir: &Path) -> Result<Recorded, (ExitCode, String)> {
    let bad = |e: String| (ExitCode::BadInput, e);
    let spec_path = dir.join("spec.yaml");
    let spec = TestSpec::read(&spec_path).map_err(|e| bad(e.0))?;
    if spec.seed.is_none() {
        return Err(bad(format!(
            "{}: no seed; a stored run's spec has the seed it ran with",
            spec_path.display()
        )));
    }
    let results = dir.join("results.json");
    let text = std::fs::read_to_string(&results)
        .map_err(|e| bad(format!("{}: {e}", results.display())))?;
    let result: RunResult = serde_json::from_str(&text)
        .map_err(|e| bad(format!("{}: not a run's results: {e}", results.display())))?;
    if result.valid != Validity::Invalid {
        return Err(bad(format!(
            "{}: the run was {}, not invalid: there is no failure to shrink",
            results.display(),
            result.valid.as_str()
        )));
    }
    // Written by newer runs; else found in the anomalies.
    let first_anomaly_s = result
        .first_anomaly_s
        .or_else(|| RunResult::first_anomaly_s(&result.checkers));
    let history = dir.join(&result.history);
    let text = std::fs::read_to_string(&history)
        .map_err(|e| bad(format!("{}: {e}", history.display())))?;
    let run_s = spec.time_limit_s;
    let windows = windows(&text, run_s);
    if windows.is_empty() {
        return Err(bad(format!(
            "{}: no fault was recorded: the run failed without the nemesis, there is no \
             schedule to shrink",
            history.display()
        )));
    }
    Ok(Recorded {
        spec,
        result,
        schedule: Candidate { windows, run_s },
        first_anomaly_s,
    })
}

/// A fault being read: its kind, value and start.
struct Open {
    kind: String,
    fault: Value,
    at_s: f64,
}

/// The fault windows of a history (JSON lines; lines that do not parse are skipped): each
/// fault from its first `start-<kind>` record to the beginning of the heal that undid it
/// (the heal whose `healed` value is the fault, else the latest open one of its kind);
/// faults never healed last until `run_s` (or their start).
pub fn windows(history: &str, run_s: f64) -> Vec<Window<Value>> {
    let mut open: Vec<Open> = Vec::new();
    let mut done: Vec<Window<Value>> = Vec::new();
    let mut heal_began: Vec<(String, f64)> = Vec::new();
    let close = |o: Open, end_s: f64| Window {
        id: 0,
        at_s: o.at_s,
        end_s: end_s.max(o.at_s),
        fault: o.fault,
    };
    for line in history.lines() {
        let Ok(op) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if op["process"] != "nemesis" {
            continue;
        }
        let (Some(f), Some(ns)) = (op["f"].as_str(), op["time"].as_u64()) else {
            continue;
        };
        let t = ns as f64 / 1e9;
        let Some(r) = FaultRecord::read(f, &op["value"]) else {
            continue;
        };
        let kind = r.kind.to_string();
        match (r.phase, &r.stage) {
            (Phase::Start, Stage::Begin) => open.push(Open {
                kind,
                fault: r.value.clone(),
                at_s: t,
            }),
            (Phase::Start, _) => {}
            (Phase::Stop, Stage::Begin) => heal_began.push((kind, t)),
            (Phase::Stop, _) => {
                let began = heal_began
                    .iter()
                    .rposition(|(k, _)| *k == kind)
                    .map_or(t, |i| heal_began.remove(i).1);
                let healed = r.value.get("healed");
                let which = open
                    .iter()
                    .rposition(|o| o.kind == kind && Some(&o.fault) == healed)
                    .or_else(|| open.iter().rposition(|o| o.kind == kind));
                if let Some(i) = which {
                    done.push(close(open.remove(i), began));
                }
            }
        }
    }
    done.extend(open.into_iter().map(|o| close(o, run_s)));
    done.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
    for (id, w) in done.iter_mut().enumerate() {
        w.id = id;
    }
    done
}

/// The schedule of windows, as a spec's `nemesis.schedule`.
pub fn planned(c: &Candidate<Value>) -> Vec<Planned> {
    c.windows
        .iter()
        .map(|w| Planned {
            at_s: w.at_s,
            end_s: w.end_s,
            fault: w.fault.clone(),
        })
        .collect()
}

/// The spec that replays `c` on `base`'s run: its schedule (the run's faults are its
/// kinds), its length as the time limit; the seed and everything else as they were.
pub fn spec_of(base: &TestSpec, c: &Candidate<Value>) -> TestSpec {
    let mut spec = base.clone();
    let planned = planned(c);
    spec.nemesis.faults = nemesis::fixed::kinds(&planned);
    spec.nemesis.schedule = Some(planned);
    spec.time_limit_s = c.run_s;
    spec
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn line(time_s: f64, f: &str, value: Value) -> String {
        json!({"index": 0, "time": (time_s * 1e9) as u64, "process": "nemesis", "type": "info",
               "f": f, "value": value})
        .to_string()
    }

    #[test]
    fn each_fault_lasts_until_its_own_heal_began() {
        let a = json!({"fault": "partition", "grudge": {"n1": ["n2"]}});
        let b = json!({"fault": "partition", "grudge": {"n3": ["n1"]}});
        let k = json!({"fault": "kill", "nodes": ["n2"]});
        let history = [
            json!({"index": 0, "time": 1, "process": 0, "type": "invoke", "f": "read"}).to_string(),
            line(1.0, "start-partition", a.clone()),
            line(
                1.1,
                "start-partition",
                json!({"applied": a.clone(), "apply_ms": 3}),
            ),
            line(2.0, "start-partition", b.clone()),
            line(
                2.1,
                "start-partition",
                json!({"applied": b.clone(), "apply_ms": 3}),
            ),
            line(3.0, "start-kill", k.clone()),
            line(3.1, "start-kill", json!({"error": "no", "apply_ms": 3})),
            "{torn".into(),
            // The first partition healed first: matched by its value, not by order.
            line(4.0, "stop-partition", Value::Null),
            line(
                4.2,
                "stop-partition",
                json!({"healed": a.clone(), "heal_ms": 2}),
            ),
            line(5.0, "stop-partition", Value::Null),
            line(
                5.2,
                "stop-partition",
                json!({"healed": b.clone(), "heal_ms": 2}),
            ),
        ]
        .join("\n");
        let w = windows(&history, 10.0);
        let got: Vec<(usize, f64, f64, &Value)> = w
            .iter()
            .map(|w| (w.id, w.at_s, w.end_s, &w.fault))
            .collect();
        assert_eq!(
            got,
            [(0, 1.0, 4.0, &a), (1, 2.0, 5.0, &b), (2, 3.0, 10.0, &k)]
        );
        let c = Candidate {
            windows: w,
            run_s: 10.0,
        };
        let spec = spec_of(&TestSpec::default(), &c.ending_at(4.5));
        assert_eq!(spec.nemesis.faults, ["partition", "kill"]);
        assert_eq!(spec.time_limit_s, 4.5);
        let s = spec.nemesis.schedule.unwrap();
        assert_eq!((s.len(), s[2].end_s), (3, 4.5));
    }
}
