//! `partition`: each node drops packets from the nodes of its grudge (a shape drawn from
//! the options' shapes). Clients on the controller (the host) are never cut off; clients
//! beside their nodes ([`crate::Clients::BesideNodes`]) send from their node's address, so
//! they share its side, and the record says so (`"clients": "beside-nodes"`).

use crate::env::Env;
use crate::grudge::{draw, grudge, Grudge, Shape};
use crate::kind::{tagged, Nemesis};
use crate::net::{self, Rule};
use crate::NemesisError;
use async_trait::async_trait;
use history::rng::Rng;
use history::Value;
use serde_json::json;

/// The partition fault of one run: it remembers the kind of shape it drew last (see
/// [`crate::grudge::draw`]).
#[derive(Default)]
pub struct Partition {
    last_overlapping: std::sync::Mutex<Option<bool>>,
}

#[async_trait]
impl Nemesis for Partition {
    fn name(&self) -> &'static str {
        "partition"
    }

    fn wants_leader(&self, env: &Env<'_>) -> bool {
        let shapes = match env.options.shapes.as_slice() {
            [] => &Shape::ALL[..],
            s => s,
        };
        shapes.iter().any(|s| s.uses_leader())
    }

    async fn prepare(&self, env: &Env<'_>) -> Result<(), NemesisError> {
        net::prepare(env.cluster).await
    }

    fn choose(&self, env: &Env<'_>, rng: &mut Rng) -> Result<Option<Value>, NemesisError> {
        let shapes = match env.options.shapes.as_slice() {
            [] => &Shape::ALL[..],
            s => s,
        };
        let shape = {
            let mut last = self
                .last_overlapping
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            let shape = draw(shapes, *last, rng);
            *last = Some(shape.overlapping());
            shape
        };
        let g = grudge(shape, &env.nodes(), rng, env.leader.as_deref());
        let mut fault = tagged(self.name(), json!({"shape": shape, "grudge": g}));
        if shape.uses_leader() {
            fault["leader"] = json!(env.leader);
        }
        if env.options.clients == crate::Clients::BesideNodes {
            fault["clients"] = json!(env.options.clients.name());
        }
        Ok(Some(fault))
    }

    async fn invoke(&self, env: &Env<'_>, fault: &Value) -> Result<Value, NemesisError> {
        rules(env, fault, Rule::Add).await
    }

    async fn heal(&self, env: &Env<'_>, fault: &Value) -> Result<Value, NemesisError> {
        rules(env, fault, Rule::Delete).await
    }
}

/// Each node's rule dropping packets from its grudge.
async fn rules(env: &Env<'_>, fault: &Value, how: Rule) -> Result<Value, NemesisError> {
    let g: Grudge = serde_json::from_value(fault["grudge"].clone())
        .map_err(|e| NemesisError::Unknown(format!("a partition without a grudge: {e}")))?;
    let ips = net::ips(env.cluster);
    let rules = g
        .iter()
        .filter(|(_, d)| !d.is_empty())
        .map(|(node, drops)| {
            let sources: Vec<&str> = drops
                .iter()
                .filter_map(|d| ips.get(d))
                .map(String::as_str)
                .collect();
            let rule = ["-s", &sources.join(","), "-j", "DROP"].map(String::from);
            (node.as_str(), rule.to_vec())
        });
    net::each(env.cluster, how, rules).await?;
    Ok(Value::Null)
}
