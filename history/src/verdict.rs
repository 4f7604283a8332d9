//! What a checker says of a history: valid, invalid or unknown, with the anomalies found.

use crate::op::{Key, Op, OpType, Process, Value};
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

/// The three answers a checker can give. Composed, the worst wins: invalid > unknown > valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Validity {
    Valid,
    /// The checker did not finish (out of time or memory) or could not decide.
    Unknown,
    Invalid,
}

impl Validity {
    /// The worse of two answers.
    pub fn worst(self, other: Validity) -> Validity {
        self.max(other)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Validity::Valid => "valid",
            Validity::Unknown => "unknown",
            Validity::Invalid => "invalid",
        }
    }
}

/// What several checkers say of one history together: the worst safety verdict, and
/// apart from it the worst liveness verdict (None when no liveness checker ran), since a
/// run that did not terminate is never a safety bug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    pub safety: Validity,
    pub liveness: Option<Validity>,
    /// `checker: reason` of each safety verdict that gives a reason.
    pub reasons: Vec<String>,
}

impl Composed {
    pub fn of(verdicts: &[Verdict]) -> Composed {
        let mut c = Composed {
            safety: Validity::Valid,
            liveness: None,
            reasons: Vec::new(),
        };
        for v in verdicts {
            if v.liveness {
                c.liveness = Some(c.liveness.unwrap_or(Validity::Valid).worst(v.validity));
            } else {
                c.safety = c.safety.worst(v.validity);
                if let Some(r) = &v.reason {
                    c.reasons.push(format!("{}: {r}", v.checker));
                }
            }
        }
        c
    }
}

/// Serialised as `true`, `false` or `"unknown"`, as Jepsen does.
impl Serialize for Validity {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Validity::Valid => s.serialize_bool(true),
            Validity::Invalid => s.serialize_bool(false),
            Validity::Unknown => s.serialize_str("unknown"),
        }
    }
}

impl<'de> Deserialize<'de> for Validity {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Bool(true) => Ok(Validity::Valid),
            Value::Bool(false) => Ok(Validity::Invalid),
            Value::String(s) if s == "unknown" => Ok(Validity::Unknown),
            other => Err(serde::de::Error::custom(format!(
                "validity must be true, false or \"unknown\", not {other}"
            ))),
        }
    }
}

/// One client operation as an interval of time: its invocation and its completion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpSpan {
    pub process: Process,
    pub f: SmolStr,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<Key>,
    /// The value the op was invoked with.
    pub value: Value,
    /// The value its completion carried (a read's result), null when it has none.
    pub result: Value,
    /// ok, fail, or info (info also for an op that never completed).
    pub outcome: OpType,
    pub invoke_index: u64,
    pub invoke_time_ns: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complete_index: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complete_time_ns: Option<u64>,
    /// Line of the invocation in the source file.
    pub line: usize,
}

impl OpSpan {
    /// The span of an invocation and its completion (None: it never completed).
    pub fn new(invoke: &Op, completion: Option<&Op>, line: usize) -> OpSpan {
        OpSpan {
            process: invoke.process,
            f: invoke.f.clone(),
            key: invoke.key.clone(),
            value: invoke.value.clone(),
            result: completion.map(|c| c.value.clone()).unwrap_or(Value::Null),
            outcome: completion.map(|c| c.kind).unwrap_or(OpType::Info),
            invoke_index: invoke.index,
            invoke_time_ns: invoke.time_ns,
            complete_index: completion.map(|c| c.index),
            complete_time_ns: completion.map(|c| c.time_ns),
            line,
        }
    }
}

/// One thing a checker found wrong, explained so a person can follow it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Anomaly {
    /// A short class name, such as `nonlinearizable`.
    pub kind: SmolStr,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<Key>,
    /// Plain text, several lines, for a person.
    pub explanation: String,
    /// The ops involved, the failing one first.
    pub ops: Vec<OpSpan>,
    /// Checker-specific details for tools.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub data: Value,
}

impl Anomaly {
    /// When the history had shown this anomaly: the latest moment among its ops (a
    /// completion, or the invocation of an op that never completed), in ns from the
    /// history's clock origin; None when it names no op.
    pub fn shown_ns(&self) -> Option<u64> {
        self.ops
            .iter()
            .map(|o| o.complete_time_ns.unwrap_or(o.invoke_time_ns))
            .max()
    }
}

/// A checker's answer about one history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub checker: SmolStr,
    #[serde(rename = "valid")]
    pub validity: Validity,
    /// Why the answer is unknown, when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub anomalies: Vec<Anomaly>,
    /// Figures about the check itself (ops, keys, states explored, ...).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub stats: serde_json::Map<String, Value>,
    /// Whether the property judged is a liveness property (such as termination): its
    /// violation means something did not happen by the end of the run, not that something
    /// wrong happened.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub liveness: bool,
    /// The first op the checker could not read (a value of the wrong shape): the history
    /// is not one it can judge. `schism check` reports it as an input error naming the
    /// file and line; in a run, the verdict cannot be valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub malformed: Option<Malformed>,
}

/// An op a checker could not read, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Malformed {
    /// The op's index in the history.
    pub index: u64,
    /// Its line in the source.
    pub line: usize,
    pub message: String,
    /// How many ops in all could not be read.
    pub count: usize,
}

impl Malformed {
    /// Op `index` of `history`, which could not be read because of `message`.
    pub fn at(history: &crate::History, index: usize, message: impl Into<String>) -> Malformed {
        Malformed {
            index: index as u64,
            line: history.line(index),
            message: message.into(),
            count: 1,
        }
    }

    /// Keep the first malformed op in `slot`, counting the others.
    pub fn merge_into(self, slot: &mut Option<Malformed>) {
        match slot {
            Some(first) => first.count += self.count,
            None => *slot = Some(self),
        }
    }

    /// The reason a verdict gives for it.
    pub fn reason(&self) -> String {
        let more = match self.count {
            0 | 1 => String::new(),
            n => format!(" ({} malformed ops in all)", n),
        };
        format!(
            "the op at line {} cannot be judged: {}{more}",
            self.line, self.message
        )
    }
}

impl Verdict {
    /// When the first of its listed anomalies had shown itself ([`Anomaly::shown_ns`]);
    /// None unless the verdict is invalid with an anomaly that names ops. A checker that
    /// lists only some of its anomalies may have left out an earlier one.
    pub fn first_anomaly_ns(&self) -> Option<u64> {
        if self.validity != Validity::Invalid {
            return None;
        }
        self.anomalies.iter().filter_map(Anomaly::shown_ns).min()
    }

    pub fn new(checker: &str, validity: Validity) -> Verdict {
        Verdict {
            checker: checker.into(),
            validity,
            reason: None,
            anomalies: Vec::new(),
            stats: serde_json::Map::new(),
            liveness: false,
            malformed: None,
        }
    }

    /// Note a malformed op: the verdict is no longer valid (unknown, unless something
    /// else made it invalid), and its reason names the op. The first one is kept, the
    /// others counted.
    pub fn note_malformed(&mut self, m: Malformed) {
        m.merge_into(&mut self.malformed);
        if let Some(m) = &self.malformed {
            let first = m.reason();
            self.reason = Some(match self.reason.take() {
                Some(r) if !r.starts_with(&first[..first.find(':').unwrap_or(0)]) => {
                    format!("{first}; {r}")
                }
                _ => first,
            });
        }
        self.validity = self.validity.worst(Validity::Unknown);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(invoke_ns: u64, complete_ns: Option<u64>) -> OpSpan {
        OpSpan {
            process: Process::Client(0),
            f: "read".into(),
            key: None,
            value: Value::Null,
            result: Value::Null,
            outcome: if complete_ns.is_some() {
                OpType::Ok
            } else {
                OpType::Info
            },
            invoke_index: 0,
            invoke_time_ns: invoke_ns,
            complete_index: complete_ns.map(|_| 1),
            complete_time_ns: complete_ns,
            line: 1,
        }
    }

    #[test]
    fn the_first_anomaly_is_the_one_whose_last_op_came_first() {
        let anomaly = |ops| Anomaly {
            kind: "k".into(),
            key: None,
            explanation: String::new(),
            ops,
            data: Value::Null,
        };
        let mut v = Verdict::new("c", Validity::Invalid);
        v.anomalies = vec![
            // Shown at 9 s: its last op completed then.
            anomaly(vec![span(1_000, Some(2_000)), span(5_000, Some(9_000))]),
            // Shown at 7 s: an op that never completed counts from its invocation.
            anomaly(vec![span(3_000, Some(4_000)), span(7_000, None)]),
            anomaly(vec![]),
        ];
        assert_eq!(v.first_anomaly_ns(), Some(7_000));
        v.validity = Validity::Unknown;
        assert_eq!(
            v.first_anomaly_ns(),
            None,
            "only an invalid verdict has one"
        );
    }

    #[test]
    fn safety_and_liveness_compose_apart_and_the_worst_wins() {
        let v = |name: &str, validity, liveness| {
            let mut v = Verdict::new(name, validity);
            v.liveness = liveness;
            v.reason = Some(format!("{name} says so"));
            v
        };
        let c = Composed::of(&[
            v("a", Validity::Valid, false),
            v("b", Validity::Unknown, false),
            v("t", Validity::Invalid, true),
        ]);
        assert_eq!(c.safety, Validity::Unknown);
        assert_eq!(c.liveness, Some(Validity::Invalid));
        assert_eq!(c.reasons, ["a: a says so", "b: b says so"]);
        let c = Composed::of(&[
            v("a", Validity::Invalid, false),
            v("b", Validity::Unknown, false),
        ]);
        assert_eq!((c.safety, c.liveness), (Validity::Invalid, None));
        assert_eq!(Composed::of(&[]).safety, Validity::Valid);
    }

    #[test]
    fn the_worst_validity_wins() {
        use Validity::*;
        let table = [
            (Valid, Valid, Valid),
            (Valid, Unknown, Unknown),
            (Unknown, Invalid, Invalid),
            (Invalid, Valid, Invalid),
        ];
        for (a, b, w) in table {
            assert_eq!(a.worst(b), w);
            assert_eq!(b.worst(a), w);
        }
    }

    #[test]
    fn validity_serialises_like_jepsen() {
        for (v, s) in [
            (Validity::Valid, "true"),
            (Validity::Invalid, "false"),
            (Validity::Unknown, "\"unknown\""),
        ] {
            assert_eq!(serde_json::to_string(&v).unwrap(), s);
            assert_eq!(serde_json::from_str::<Validity>(s).unwrap(), v);
        }
    }
}
