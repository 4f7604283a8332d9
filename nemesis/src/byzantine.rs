//! The Byzantine modes: what a faulty node is made to do, as interceptor rules for its
//! runtime (see `wire::interceptor`).

use crate::NemesisError;
use serde::Serialize;
use serde_json::{json, Value};

/// How a faulty node misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ByzMode {
    /// Sends nothing to its peers.
    Silent,
    /// Drops half of what it sends.
    Omit,
    /// Tells different peers different values.
    Equivocate,
    /// Changes values in what it sends: numbers +-1, values to null or to another value.
    Corrupt,
    /// Sends earlier messages again.
    Replay,
    /// Claims its messages come from other nodes.
    Forge,
}

impl ByzMode {
    pub const ALL: [ByzMode; 6] = [
        ByzMode::Silent,
        ByzMode::Omit,
        ByzMode::Equivocate,
        ByzMode::Corrupt,
        ByzMode::Replay,
        ByzMode::Forge,
    ];
    pub const NAMES: [&'static str; 6] =
        ["silent", "omit", "equivocate", "corrupt", "replay", "forge"];
    /// The default order of the modes in turn: the lies that can split correct nodes
    /// (different values to different peers, damaged values) before the silences, which
    /// resends and timeouts absorb.
    pub const IN_TURN: [ByzMode; 6] = [
        ByzMode::Equivocate,
        ByzMode::Corrupt,
        ByzMode::Omit,
        ByzMode::Silent,
        ByzMode::Replay,
        ByzMode::Forge,
    ];

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    pub fn parse(s: &str) -> Result<ByzMode, NemesisError> {
        Self::NAMES
            .iter()
            .position(|n| *n == s)
            .map(|i| Self::ALL[i])
            .ok_or_else(|| {
                NemesisError::Unknown(format!(
                    "unknown Byzantine mode {s:?}; known: {}",
                    Self::NAMES.join(", ")
                ))
            })
    }

    /// The interceptor rules of this mode. `fields` are the message fields that carry
    /// values worth lying about (dotted paths), `domain` the values a lie may take.
    pub fn rules(self, fields: &[String], domain: &[Value]) -> Value {
        match self {
            ByzMode::Silent => json!([{"action": "drop"}]),
            ByzMode::Omit => json!([{"action": "drop", "p": 0.5}]),
            ByzMode::Equivocate => {
                json!([{"action": "equivocate", "fields": fields, "domain": domain}])
            }
            ByzMode::Corrupt => {
                let set = if domain.is_empty() { "flip" } else { "set" };
                json!([
                    {"action": "mutate", "fields": fields, "how": set, "domain": domain, "p": 0.5},
                    {"action": "mutate", "fields": fields, "how": "inc", "p": 0.25},
                    {"action": "mutate", "fields": fields, "how": "null", "p": 0.1},
                ])
            }
            ByzMode::Replay => json!([{"action": "replay", "p": 0.5}]),
            ByzMode::Forge => json!([{"action": "forge", "p": 0.5}]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wire::interceptor::Rule;

    #[test]
    fn every_mode_parses_and_gives_rules_the_interceptor_accepts() {
        let fields = vec!["value".to_string()];
        for (m, name) in ByzMode::ALL.iter().zip(ByzMode::NAMES) {
            assert_eq!(ByzMode::parse(name).ok(), Some(*m));
            for domain in [vec![], vec![json!("attack"), json!("retreat")]] {
                let rules = m.rules(&fields, &domain);
                let parsed: Result<Vec<Rule>, _> = serde_json::from_value(rules.clone());
                assert!(parsed.is_ok(), "{name}: {rules} {parsed:?}");
            }
        }
        assert!(ByzMode::parse("lie").is_err());
    }
}
