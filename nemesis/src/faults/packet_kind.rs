//! The five packet faults (`delay`, `duplicate`, `reorder`, `corrupt`, `rate`): each one's
//! options (`nemesis.options.<fault>`), defaults, the fields its record carries, the
//! shaper's [`Plan`] read back from a record, and the tc netem arguments that do the same
//! where a kernel has netem.

use crate::NemesisError;
use history::Value;
use serde::Deserialize;
use serde_json::json;
use shaper::Plan;

/// Which packet fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PacketKind {
    Delay,
    Duplicate,
    Reorder,
    Corrupt,
    Rate,
}

#[derive(Deserialize)]
#[serde(default, deny_unknown_fields)]
struct DelayOptions {
    delay_ms: u64,
    jitter_ms: u64,
    clients: bool,
}

impl Default for DelayOptions {
    fn default() -> Self {
        DelayOptions {
            delay_ms: 100,
            jitter_ms: 0,
            clients: false,
        }
    }
}

#[derive(Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ChanceOptions {
    probability: Option<f64>,
    hold_ms: Option<u64>,
    clients: bool,
}

#[derive(Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RateOptions {
    bytes_per_s: u64,
    burst_bytes: u64,
    queue_bytes: u64,
    clients: bool,
}

impl Default for RateOptions {
    fn default() -> Self {
        // 1 Mbit/s, bursts of ten full packets, about a second of backlog.
        RateOptions {
            bytes_per_s: 125_000,
            burst_bytes: 15_000,
            queue_bytes: 150_000,
            clients: false,
        }
    }
}

fn num<T: serde::de::DeserializeOwned>(fault: &Value, field: &str) -> Result<T, NemesisError> {
    serde_json::from_value(fault[field].clone())
        .map_err(|e| NemesisError::Unknown(format!("packet fault field {field}: {e}")))
}

impl PacketKind {
    pub fn name(self) -> &'static str {
        match self {
            PacketKind::Delay => "delay",
            PacketKind::Duplicate => "duplicate",
            PacketKind::Reorder => "reorder",
            PacketKind::Corrupt => "corrupt",
            PacketKind::Rate => "rate",
        }
    }

    /// The NFQUEUE number of this kind's rules (one per kind, so kinds never share a queue).
    pub fn queue(self) -> u16 {
        40 + self as u16
    }

    /// The fields of this kind's fault record from the options (its defaults where they
    /// are not given); a bad option is an error naming it.
    pub fn fields(self, section: Option<&Value>) -> Result<Value, NemesisError> {
        let bad = |e: serde_json::Error| {
            NemesisError::Unknown(format!("nemesis.options.{}: {e}", self.name()))
        };
        let section = section.cloned().unwrap_or(Value::Null);
        let section = if section.is_null() {
            json!({})
        } else {
            section
        };
        let v = match self {
            PacketKind::Delay => {
                let o: DelayOptions = serde_json::from_value(section).map_err(bad)?;
                json!({"delay_ms": o.delay_ms, "jitter_ms": o.jitter_ms, "clients": o.clients})
            }
            PacketKind::Rate => {
                let o: RateOptions = serde_json::from_value(section).map_err(bad)?;
                if o.bytes_per_s == 0 {
                    return Err(NemesisError::Unknown(
                        "nemesis.options.rate.bytes_per_s must be positive".into(),
                    ));
                }
                json!({"bytes_per_s": o.bytes_per_s, "burst_bytes": o.burst_bytes,
                       "queue_bytes": o.queue_bytes, "clients": o.clients})
            }
            _ => {
                let o: ChanceOptions = serde_json::from_value(section).map_err(bad)?;
                let (p, hold) = match self {
                    PacketKind::Duplicate => (o.probability.unwrap_or(0.2), None),
                    PacketKind::Reorder => (o.probability.unwrap_or(0.25), o.hold_ms.or(Some(20))),
                    _ => (o.probability.unwrap_or(0.05), None),
                };
                if o.hold_ms.is_some() && self != PacketKind::Reorder {
                    return Err(NemesisError::Unknown(format!(
                        "nemesis.options.{}: hold_ms is an option of reorder only",
                        self.name()
                    )));
                }
                if !(0.0..=1.0).contains(&p) {
                    return Err(NemesisError::Unknown(format!(
                        "nemesis.options.{}.probability must be within 0..1, not {p}",
                        self.name()
                    )));
                }
                let mut v = json!({"probability": p, "clients": o.clients});
                if let Some(h) = hold {
                    v["hold_ms"] = json!(h);
                }
                v
            }
        };
        Ok(v)
    }

    /// The shaper's plan of a fault record.
    pub fn plan(self, fault: &Value) -> Result<Plan, NemesisError> {
        Ok(match self {
            PacketKind::Delay => Plan::Delay {
                delay_ms: num(fault, "delay_ms")?,
                jitter_ms: num(fault, "jitter_ms")?,
            },
            PacketKind::Duplicate => Plan::Duplicate {
                probability: num(fault, "probability")?,
            },
            PacketKind::Reorder => Plan::Reorder {
                probability: num(fault, "probability")?,
                hold_ms: num(fault, "hold_ms")?,
            },
            PacketKind::Corrupt => Plan::Corrupt {
                probability: num(fault, "probability")?,
            },
            PacketKind::Rate => Plan::Rate {
                bytes_per_s: num(fault, "bytes_per_s")?,
                burst_bytes: num(fault, "burst_bytes")?,
                queue_bytes: num(fault, "queue_bytes")?,
            },
        })
    }

    /// The same fault as tc netem arguments (after `netem`), for kernels that have it.
    pub fn netem_args(self, fault: &Value) -> Result<Vec<String>, NemesisError> {
        let pct = |p: f64| format!("{}%", p * 100.0);
        Ok(match self.plan(fault)? {
            Plan::Delay {
                delay_ms,
                jitter_ms,
            } => vec![
                "delay".into(),
                format!("{delay_ms}ms"),
                format!("{jitter_ms}ms"),
            ],
            Plan::Duplicate { probability } => vec!["duplicate".into(), pct(probability)],
            // netem's `reorder P` sends P of the packets at once and delays the rest.
            Plan::Reorder {
                probability,
                hold_ms,
            } => vec![
                "delay".into(),
                format!("{hold_ms}ms"),
                "reorder".into(),
                pct(1.0 - probability),
            ],
            Plan::Corrupt { probability } => vec!["corrupt".into(), pct(probability)],
            Plan::Rate { bytes_per_s, .. } => {
                vec!["rate".into(), format!("{}bit", bytes_per_s * 8)]
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [PacketKind; 5] = [
        PacketKind::Delay,
        PacketKind::Duplicate,
        PacketKind::Reorder,
        PacketKind::Corrupt,
        PacketKind::Rate,
    ];

    #[test]
    fn defaults_make_a_plan_and_netem_arguments_for_every_kind() {
        for k in ALL {
            let f = k.fields(None).unwrap();
            assert_eq!(f["clients"], false, "{k:?}");
            k.plan(&f).unwrap();
            assert!(!k.netem_args(&f).unwrap().is_empty());
        }
        let f = PacketKind::Reorder.fields(None).unwrap();
        assert_eq!(
            PacketKind::Reorder.netem_args(&f).unwrap(),
            ["delay", "20ms", "reorder", "75%"]
        );
        let queues: std::collections::BTreeSet<u16> = ALL.iter().map(|k| k.queue()).collect();
        assert_eq!(queues.len(), 5);
    }

    #[test]
    fn options_are_read_and_bad_ones_named() {
        let f = PacketKind::Delay
            .fields(Some(&json!({"delay_ms": 200, "jitter_ms": 20})))
            .unwrap();
        assert_eq!(
            PacketKind::Delay.plan(&f).unwrap(),
            Plan::Delay {
                delay_ms: 200,
                jitter_ms: 20
            }
        );
        for (k, bad, word) in [
            (PacketKind::Delay, json!({"delay": 1}), "delay"),
            (
                PacketKind::Duplicate,
                json!({"probability": 2.0}),
                "probability",
            ),
            (PacketKind::Corrupt, json!({"hold_ms": 5}), "hold_ms"),
            (PacketKind::Rate, json!({"bytes_per_s": 0}), "bytes_per_s"),
        ] {
            let e = k.fields(Some(&bad)).unwrap_err().to_string();
            assert!(e.contains(k.name()) && e.contains(word), "{e}");
        }
    }
}
