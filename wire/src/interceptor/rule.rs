//! A rule of the interceptor: which outgoing messages it matches and what it does to them.
//!
//! Rules arrive as JSON in a `schism/byzantine` control message:
//!
//! ```json
//! {"type": "schism/byzantine", "rules": [
//!   {"action": "drop", "p": 0.3},
//!   {"action": "equivocate", "types": ["om"], "fields": ["value"], "domain": ["attack", "retreat"]},
//!   {"action": "mutate", "to": ["n2"], "fields": ["entries.*.value"], "how": "inc"}
//! ]}
//! ```

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One rule. A message matches when its destination and type match; the rule then acts
/// with probability `p`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// Destinations: node names, `peers` (every other node), `clients`, or `*`. Empty
    /// means `peers`.
    #[serde(default)]
    pub to: Vec<String>,
    /// Message types (`type` of the body); empty means every type.
    #[serde(default)]
    pub types: Vec<String>,
    /// The chance that the rule acts on a matching message.
    #[serde(default = "always")]
    pub p: f64,
    #[serde(flatten)]
    pub action: Action,
}

fn always() -> f64 {
    1.0
}

/// What a rule does to a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum Action {
    /// Omission: the message is not sent (with `p` = 1 on every type: silence).
    Drop,
    /// Sent late: `ms` plus a uniform jitter up to `jitter_ms`.
    Delay {
        ms: u64,
        #[serde(default)]
        jitter_ms: u64,
    },
    /// Sent `copies` more times.
    Duplicate {
        #[serde(default = "one")]
        copies: u32,
    },
    /// An earlier message to the same destination is sent again as well.
    Replay,
    /// The named fields (dotted paths, `*` for every element) are changed.
    Mutate {
        fields: Vec<String>,
        how: Mutation,
        /// Values to choose from for `set`.
        #[serde(default)]
        domain: Vec<Value>,
    },
    /// The named fields get a different value for each destination: the first peer the
    /// truth, the others each a different lie (from `domain` when given).
    Equivocate {
        fields: Vec<String>,
        #[serde(default)]
        domain: Vec<Value>,
    },
    /// The message claims to come from another node (`as`, or a random other peer).
    Forge {
        #[serde(default, rename = "as")]
        as_node: Option<String>,
    },
}

fn one() -> u32 {
    1
}

/// How `mutate` changes a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mutation {
    /// Numbers +1 (a term, a round, a ballot: one ahead).
    Inc,
    /// Numbers -1.
    Dec,
    /// Set to null (a vote to nil, a value erased).
    Null,
    /// Set to a value from the domain other than the present one.
    Set,
    /// Booleans negated; numbers negated; strings reversed.
    Flip,
}

impl Action {
    /// The name used in counts and logs.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Drop => "drop",
            Action::Delay { .. } => "delay",
            Action::Duplicate { .. } => "duplicate",
            Action::Replay => "replay",
            Action::Mutate { .. } => "mutate",
            Action::Equivocate { .. } => "equivocate",
            Action::Forge { .. } => "forge",
        }
    }
}

impl Rule {
    /// Whether this rule is about a message of type `kind` from `me` to `dest`.
    pub fn matches(&self, me: &str, nodes: &[String], dest: &str, kind: &str) -> bool {
        let is_peer = dest != me && nodes.iter().any(|n| n == dest);
        let to_ok = if self.to.is_empty() {
            is_peer
        } else {
            self.to.iter().any(|t| match t.as_str() {
                "*" => true,
                "peers" => is_peer,
                "clients" => !is_peer && dest != me,
                name => name == dest,
            })
        };
        to_ok && (self.types.is_empty() || self.types.iter().any(|t| t == kind))
    }
}
