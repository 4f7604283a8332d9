//! The one reader of fault windows. The nemesis writes each fault as a pair of records
//! (`start-X` with the fault, then `start-X` with `applied` or `error`) and each heal as
//! another (`stop-X` with null, then `stop-X` with `healed` or `error`). A window runs from
//! the first record of its start to the last of its heal: an op invoked inside it ran under
//! the fault. A standing fault (`byzantine`) started again changes mode: its window ends
//! and a new one begins. A window never healed ends with the history. A start whose first
//! record is missing opens its window at the record there is, unless a fault of its kind
//! is already in force (then it is a later record of that fault).

use super::{Failure, FaultRecord, Phase, Stage, Window};
use crate::{Op, Process};
use serde_json::Value;

/// A window still open while reading, and whether its start's second record (`applied`
/// or `error`) is still to come.
struct Open {
    window: Window,
    awaiting: bool,
}

/// The windows of these nemesis records (time in ns, op name, value; in history order),
/// in order of start; `end_ns` closes the ones never healed.
pub fn read<'a>(
    records: impl IntoIterator<Item = (u64, &'a str, &'a Value)>,
    end_ns: u64,
) -> Vec<Window> {
    let mut done: Vec<Window> = Vec::new();
    let mut open: Vec<Open> = Vec::new();
    for (t, f, value) in records {
        let Some(rec) = FaultRecord::read(f, value) else {
            continue;
        };
        let kind = rec.kind;
        let of_kind = |o: &Open| o.window.kind == kind;
        match (rec.phase, rec.stage.clone()) {
            (Phase::Start, Stage::Begin) => {
                if kind == "byzantine" {
                    if let Some(i) = open.iter().position(of_kind) {
                        let mut w = open.remove(i).window;
                        w.end_ns = t;
                        done.push(w);
                    }
                }
                open.push(Open {
                    window: window(kind, value.clone(), t),
                    awaiting: true,
                });
            }
            (Phase::Start, outcome) => {
                let failure = match outcome {
                    Stage::Failed(e) => Some(Failure::NotApplied(e)),
                    _ => None,
                };
                if let Some(o) = open.iter_mut().rev().find(|o| of_kind(o) && o.awaiting) {
                    o.awaiting = false;
                    o.window.failure = failure;
                } else if !open.iter().any(of_kind) {
                    let mut w = window(kind, rec.fault().clone(), t);
                    w.failure = failure;
                    open.push(Open {
                        window: w,
                        awaiting: false,
                    });
                }
            }
            (Phase::Stop, stage) => {
                let Some(i) = open.iter().position(of_kind) else {
                    continue;
                };
                if stage == Stage::Begin {
                    open[i].window.heal_ns.get_or_insert(t);
                    continue;
                }
                let mut w = open.remove(i).window;
                w.heal_ns.get_or_insert(t);
                w.end_ns = t;
                if let Stage::Failed(e) = stage {
                    w.failure = Some(Failure::HealFailed(e));
                }
                done.push(w);
            }
        }
    }
    for o in open {
        let mut w = o.window;
        w.end_ns = end_ns.max(w.start_ns);
        done.push(w);
    }
    done.sort_by_key(|w| w.start_ns);
    done
}

/// The windows of a history's nemesis ops (in history order); those never healed end
/// with the history's last op.
pub fn of_history(ops: &[Op]) -> Vec<Window> {
    let end_ns = ops.iter().map(|o| o.time_ns).max().unwrap_or(0);
    let nemesis = ops.iter().filter(|o| o.process == Process::Nemesis);
    read(nemesis.map(|o| (o.time_ns, o.f.as_str(), &o.value)), end_ns)
}

fn window(kind: &str, fault: Value, t: u64) -> Window {
    Window {
        kind: kind.to_string(),
        fault,
        start_ns: t,
        heal_ns: None,
        end_ns: t,
        failure: None,
    }
}
