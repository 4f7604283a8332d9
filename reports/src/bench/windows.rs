//! Fault windows: the spans of a history during which some fault was in force, read from
//! the nemesis ops. A window of a fault kind opens at its first `start-KIND` op (the nemesis
//! records one before applying a fault and one after) and closes at the last `stop-KIND` op
//! of the heal that follows (again one before and one after); a window still open at the
//! end of the history closes with its last op. Windows of different kinds (and overlapping
//! ones) are merged, so an instant is under faults when any fault is in force.

use history::fault::{FaultRecord, Phase};
use history::{Op, Process};
use std::collections::HashMap;

/// A span of time under faults, in ns since the run started, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start_ns: u64,
    pub end_ns: u64,
}

/// Where one kind of fault stands while reading the history.
#[derive(Default)]
struct KindState {
    /// The start of its open window.
    open: Option<u64>,
    /// The window its last stop closed, which a further stop of the same heal extends.
    closing: Option<usize>,
}

/// The windows of faults in these ops (in history order), merged and sorted.
pub fn fault_windows(ops: &[Op]) -> Vec<Window> {
    let mut raw: Vec<Window> = Vec::new();
    let mut kinds: HashMap<&str, KindState> = HashMap::new();
    let last_ns = ops.iter().map(|o| o.time_ns).max().unwrap_or(0);
    for op in ops.iter().filter(|o| o.process == Process::Nemesis) {
        let t = op.time_ns;
        let Some(rec) = FaultRecord::read(&op.f, &op.value) else {
            continue;
        };
        if rec.phase == Phase::Start {
            let k = kinds.entry(rec.kind).or_default();
            k.closing = None;
            k.open.get_or_insert(t);
        } else {
            let k = kinds.entry(rec.kind).or_default();
            if let Some(start_ns) = k.open.take() {
                raw.push(Window {
                    start_ns,
                    end_ns: t,
                });
                k.closing = Some(raw.len() - 1);
            } else if let Some(i) = k.closing {
                raw[i].end_ns = raw[i].end_ns.max(t);
            }
        }
    }
    for k in kinds.values() {
        if let Some(start_ns) = k.open {
            raw.push(Window {
                start_ns,
                end_ns: last_ns,
            });
        }
    }
    merge(raw)
}

/// Sort and merge overlapping windows.
fn merge(mut raw: Vec<Window>) -> Vec<Window> {
    raw.sort_by_key(|w| w.start_ns);
    let mut out: Vec<Window> = Vec::with_capacity(raw.len());
    for w in raw {
        match out.last_mut() {
            Some(last) if w.start_ns <= last.end_ns => last.end_ns = last.end_ns.max(w.end_ns),
            _ => out.push(w),
        }
    }
    out
}

/// Whether `t_ns` falls inside one of these (merged, sorted) windows.
pub fn under_faults(windows: &[Window], t_ns: u64) -> bool {
    let i = windows.partition_point(|w| w.start_ns <= t_ns);
    i > 0 && t_ns <= windows[i - 1].end_ns
}

/// How long the windows overlap `[from_ns, to_ns]`, in ns.
pub fn overlap_ns(windows: &[Window], from_ns: u64, to_ns: u64) -> u64 {
    windows
        .iter()
        .map(|w| {
            let (a, b) = (w.start_ns.max(from_ns), w.end_ns.min(to_ns));
            b.saturating_sub(a)
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use history::OpType;
    use serde_json::json;

    fn nem(f: &str, t: u64) -> Op {
        let mut op = Op::client(0, OpType::Info, f, json!(null)).with_time_ns(t);
        op.process = Process::Nemesis;
        op
    }

    #[test]
    fn a_window_spans_from_the_first_start_to_the_last_stop() {
        let ops = vec![
            nem("traitors", 0),
            nem("start-partition", 10),
            nem("start-partition", 12),
            Op::client(0, OpType::Invoke, "read", json!(null)).with_time_ns(15),
            nem("stop-partition", 20),
            nem("stop-partition", 25),
            nem("start-kill", 40),
            nem("start-kill", 41),
            nem("stop-kill", 50),
            nem("stop-kill", 52),
        ];
        let w = fault_windows(&ops);
        assert_eq!(
            w,
            vec![
                Window {
                    start_ns: 10,
                    end_ns: 25
                },
                Window {
                    start_ns: 40,
                    end_ns: 52
                }
            ]
        );
        for (t, inside) in [(9, false), (10, true), (25, true), (26, false), (45, true)] {
            assert_eq!(under_faults(&w, t), inside, "{t}");
        }
        assert!(!under_faults(&[], 5));
        assert_eq!(overlap_ns(&w, 0, 100), 15 + 12);
        assert_eq!(overlap_ns(&w, 20, 45), 5 + 5);
    }

    #[test]
    fn kinds_overlap_standing_faults_restart_and_open_windows_close_at_the_end() {
        let ops = vec![
            nem("start-byzantine", 5),
            nem("start-byzantine", 6),
            nem("start-pause", 10),
            nem("stop-pause", 20),
            nem("stop-pause", 21),
            // The standing fault changes mode without a stop between.
            nem("start-byzantine", 30),
            nem("start-clock", 90),
            Op::client(0, OpType::Ok, "read", json!(1)).with_time_ns(100),
            nem("stop-byzantine", 60),
            nem("stop-byzantine", 61),
            // A stop of a fault never started is ignored.
            nem("stop-loss", 70),
        ];
        let w = fault_windows(&ops);
        assert_eq!(
            w,
            vec![
                Window {
                    start_ns: 5,
                    end_ns: 61
                },
                Window {
                    start_ns: 90,
                    end_ns: 100
                }
            ]
        );
    }
}
