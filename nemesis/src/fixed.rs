//! A fixed schedule: exactly the faults given, each applied at its time and healed at its
//! end, instead of faults drawn on a rhythm. It replays a recorded run's faults (and
//! `schism shrink`'s smaller schedules): each entry's `fault` is a fault value as the
//! history records it (`{"fault": "kill", "nodes": ["n2"]}`), applied as it is, so faults
//! that were aimed at the leader of the time (`isolate-leader` partitions, the `leader`
//! target) hit the nodes recorded then, whoever leads now. With `reaim_leader` (see
//! [`reaimed`]), a fault that names the leader it was aimed at (`"leader": "n1"`, as
//! `isolate-leader` partitions do) is re-aimed at the leader of the replay instead.
//!
//! Times are seconds from the start of the history (its `time` 0), so a replay's faults
//! land where the recording's did; a fault whose time has passed when the nemesis gets to
//! it (a slow change before it) is applied at once. Entries may overlap, also of one kind;
//! each heal undoes exactly its own fault. A standing fault (`byzantine`) is also healed at
//! its `end_s`. Faults after the end of the main phase are never applied.
//!
//! ```
//! use nemesis::fixed::{Fixed, Planned};
//! use nemesis::schedule::{Action, Schedule};
//! let kill = serde_json::json!({"fault": "kill", "nodes": ["n2"]});
//! let planned = vec![Planned { at_s: 1.0, end_s: 3.0, fault: kill.clone() }];
//! let mut s = Fixed::new(&planned);
//! assert_eq!(s.next().unwrap().action, Action::Apply { id: 0, fault: kill });
//! let heal = s.next().unwrap();
//! assert_eq!((heal.at.as_secs(), heal.action), (3, Action::Heal(0)));
//! assert!(s.next().is_none());
//! ```

use crate::schedule::{Action, Schedule, Step};
use crate::NemesisError;
use history::Value;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::time::Duration;

/// One fault of a fixed schedule: applied at `at_s`, healed at `end_s` (seconds from the
/// start of the history).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Planned {
    pub at_s: f64,
    pub end_s: f64,
    /// The fault value, tagged with its kind (`"fault": "partition"`).
    pub fault: Value,
}

impl Planned {
    /// Its kind (the value's `fault`), if it names one.
    pub fn kind(&self) -> Option<&str> {
        self.fault.get("fault").and_then(Value::as_str)
    }
}

/// Refuse a schedule with an entry that cannot be applied: an unknown kind, a time that is
/// not a number of seconds from 0, an end before its start. The error names the entry
/// (`nemesis.schedule[2]`).
pub fn check(planned: &[Planned]) -> Result<(), NemesisError> {
    for (i, p) in planned.iter().enumerate() {
        let bad = |why: String| {
            Err(NemesisError::Unknown(format!(
                "nemesis.schedule[{i}]: {why}"
            )))
        };
        let Some(kind) = p.kind() else {
            return bad(format!(
                "the fault {} names no kind (its \"fault\" field)",
                p.fault
            ));
        };
        if let Err(e) = crate::registry::find(kind) {
            return bad(e.to_string());
        }
        let seconds = |t: f64| t.is_finite() && (0.0..1e9).contains(&t);
        if !seconds(p.at_s) || !seconds(p.end_s) {
            return bad(format!(
                "at_s and end_s must be seconds from 0, not {} and {}",
                p.at_s, p.end_s
            ));
        }
        if p.end_s < p.at_s {
            return bad(format!("end_s {} is before at_s {}", p.end_s, p.at_s));
        }
    }
    Ok(())
}

/// A fault aimed at the leader of its time (its `"leader"`), re-aimed at `now`: the two
/// nodes' names swapped wherever they appear in the value (the grudge's keys and lists,
/// `nodes`, `leader`), so the fault keeps its shape. None when the fault names no leader,
/// or names `now` already.
///
/// ```
/// let f = serde_json::json!({"fault": "partition", "leader": "n1",
///     "grudge": {"n1": ["n2", "n3"], "n2": ["n1"], "n3": ["n1"]}});
/// let g = nemesis::fixed::reaimed(&f, "n3").unwrap();
/// assert_eq!(g, serde_json::json!({"fault": "partition", "leader": "n3",
///     "grudge": {"n3": ["n2", "n1"], "n2": ["n3"], "n1": ["n3"]}}));
/// ```
pub fn reaimed(fault: &Value, now: &str) -> Option<Value> {
    let then = fault.get("leader")?.as_str()?;
    if then == now {
        return None;
    }
    let swap = |s: &str| match s {
        s if s == then => now.to_string(),
        s if s == now => then.to_string(),
        s => s.to_string(),
    };
    fn walk(v: &Value, swap: &dyn Fn(&str) -> String) -> Value {
        match v {
            Value::String(s) => Value::String(swap(s)),
            Value::Array(a) => Value::Array(a.iter().map(|x| walk(x, swap)).collect()),
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, x)| match k.as_str() {
                        // The kind and the shape are not node names.
                        "fault" | "shape" => (k.clone(), x.clone()),
                        _ => (swap(k), walk(x, swap)),
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }
    Some(walk(fault, &swap))
}

/// The kinds a schedule applies, in order of first use.
pub fn kinds(planned: &[Planned]) -> Vec<String> {
    let mut kinds: Vec<String> = Vec::new();
    for k in planned.iter().filter_map(Planned::kind) {
        if !kinds.iter().any(|x| x == k) {
            kinds.push(k.to_string());
        }
    }
    kinds
}

/// The steps of a fixed schedule, in time order: at one time, heals before applies (a
/// fault ending when the next begins does not overlap it), else in the entries' order.
pub struct Fixed {
    steps: VecDeque<Step>,
}

impl Fixed {
    /// The schedule of these entries (checked with [`check`]); entry i is `Apply { id: i }`
    /// and `Heal(i)`.
    pub fn new(planned: &[Planned]) -> Fixed {
        let at = |s: f64| Duration::from_secs_f64(s.clamp(0.0, 1e9));
        let mut steps: Vec<(Duration, u8, usize, Action)> = Vec::new();
        for (id, p) in planned.iter().enumerate() {
            let fault = p.fault.clone();
            steps.push((at(p.at_s), 1, id, Action::Apply { id, fault }));
            steps.push((at(p.end_s.max(p.at_s)), 0, id, Action::Heal(id)));
        }
        steps.sort_by_key(|(at, order, id, _)| (*at, *order, *id));
        Fixed {
            steps: steps
                .into_iter()
                .map(|(at, _, _, action)| Step { at, action })
                .collect(),
        }
    }
}

impl Schedule for Fixed {
    fn next(&mut self) -> Option<Step> {
        self.steps.pop_front()
    }

    fn counts_from_history_start(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn planned(at_s: f64, end_s: f64, fault: Value) -> Planned {
        Planned { at_s, end_s, fault }
    }

    #[test]
    fn steps_come_in_time_order_heals_first() {
        let a = json!({"fault": "kill", "nodes": ["n1"]});
        let b = json!({"fault": "partition", "grudge": {}});
        let mut s = Fixed::new(&[planned(2.0, 4.0, a.clone()), planned(1.0, 2.0, b.clone())]);
        let steps: Vec<Step> = std::iter::from_fn(|| s.next()).collect();
        let actions: Vec<Action> = steps.iter().map(|s| s.action.clone()).collect();
        assert_eq!(
            actions,
            vec![
                Action::Apply { id: 1, fault: b },
                Action::Heal(1),
                Action::Apply { id: 0, fault: a },
                Action::Heal(0),
            ]
        );
        assert!(steps.windows(2).all(|w| w[0].at <= w[1].at));
    }

    #[test]
    fn mistakes_name_the_entry() {
        let kill = json!({"fault": "kill", "nodes": ["n1"]});
        let ok = planned(1.0, 2.0, kill.clone());
        check(std::slice::from_ref(&ok)).unwrap();
        let cases = [
            (
                planned(1.0, 2.0, json!({"fault": "kil"})),
                "unknown nemesis",
            ),
            (planned(1.0, 2.0, json!({"nodes": ["n1"]})), "names no kind"),
            (planned(3.0, 2.0, kill.clone()), "before at_s"),
            (planned(-1.0, 2.0, kill.clone()), "seconds from 0"),
            (planned(f64::NAN, 2.0, kill.clone()), "seconds from 0"),
        ];
        for (bad, why) in cases {
            let e = check(&[ok.clone(), bad]).unwrap_err().to_string();
            assert!(
                e.starts_with("nemesis.schedule[1]: ") && e.contains(why),
                "{e}"
            );
        }
        assert_eq!(
            kinds(&[ok.clone(), planned(0.0, 1.0, json!({"fault": "pause"})), ok]),
            ["kill", "pause"]
        );
    }
}
