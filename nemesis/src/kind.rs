//! One kind of fault: how it is chosen, applied and healed.
//!
//! A fault is data: [`Nemesis::choose`] draws it from the seeded RNG as a JSON value
//! tagged with its kind (`{"fault": "kill", "nodes": ["n2"]}`), which is what the history
//! records, what [`Nemesis::invoke`] applies and what [`Nemesis::heal`] undoes. A new kind
//! is one file implementing this trait plus one line in [`crate::registry`].

use crate::env::Env;
use crate::NemesisError;
use async_trait::async_trait;
use history::rng::Rng;
use history::Value;

/// A kind of fault.
#[async_trait]
pub trait Nemesis: Send + Sync {
    /// Its registry name, the `<kind>` of its `start-<kind>`/`stop-<kind>` records.
    fn name(&self) -> &'static str;
    /// Whether it stands once started: its next start replaces it, and only the final heal
    /// undoes it (a Byzantine node is faulty for the whole run).
    fn standing(&self) -> bool {
        false
    }
    /// Whether choosing needs to know who leads now (asked of the system first).
    fn wants_leader(&self, env: &Env<'_>) -> bool {
        env.options.targets_leader()
    }
    /// Before the run starts (no cluster yet): refuse what the options and the system's
    /// facts say cannot work, naming the fault and why (a refusal is a bad spec).
    fn check(&self, _options: &crate::NemesisOptions) -> Result<(), NemesisError> {
        Ok(())
    }
    /// Whether it needs each node's data directory served by schism on the host (a powerfs
    /// mount, to drop unsynced writes): the cluster is then made with
    /// `ClusterSpec::power_loss`, before any node starts.
    fn needs_power_loss(&self) -> bool {
        false
    }
    /// Check that this machine and system can apply it; set up what it needs.
    async fn prepare(&self, _env: &Env<'_>) -> Result<(), NemesisError> {
        Ok(())
    }
    /// The next fault, drawn with the seeded RNG; None when there is nothing to do (every
    /// node it could hit is held by another fault).
    fn choose(&self, env: &Env<'_>, rng: &mut Rng) -> Result<Option<Value>, NemesisError>;
    /// Apply it; the nodes' answers where they give any, else null.
    async fn invoke(&self, env: &Env<'_>, fault: &Value) -> Result<Value, NemesisError>;
    /// Undo it; the nodes' answers where they give any, else null.
    async fn heal(&self, env: &Env<'_>, fault: &Value) -> Result<Value, NemesisError>;
    /// The nodes this fault holds down while it lasts.
    fn holds(&self, _fault: &Value) -> Vec<String> {
        Vec::new()
    }
}

/// The `nodes` of a fault value.
pub fn nodes_of(fault: &Value) -> Vec<String> {
    fault
        .get("nodes")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|n| n.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// A fault value: its kind, then its fields.
pub fn tagged(kind: &str, fields: Value) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("fault".into(), Value::from(kind));
    if let Value::Object(f) = fields {
        m.extend(f);
    }
    Value::Object(m)
}

/// The nodes a node fault hits: a target drawn from the options, picked among `candidates`.
pub fn targeted(env: &Env<'_>, candidates: &[String], rng: &mut Rng) -> Vec<String> {
    let targets = &env.options.targets;
    let target = match targets.len() {
        0 => &crate::target::Target::Some,
        1 => &targets[0],
        n => &targets[rng.below(n as u64) as usize],
    };
    target.pick(
        candidates,
        env.leader.as_deref(),
        env.options.max_faulty,
        rng,
    )
}
