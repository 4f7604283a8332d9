//! `kill`: SIGKILL the target nodes' processes; started again at heal, with their data.

use crate::env::Env;
use crate::kind::{nodes_of, tagged, targeted, Nemesis};
use crate::NemesisError;
use async_trait::async_trait;
use futures_util::future::try_join_all;
use history::rng::Rng;
use history::Value;
use serde_json::json;

pub struct Kill;

#[async_trait]
impl Nemesis for Kill {
    fn name(&self) -> &'static str {
        "kill"
    }

    fn choose(&self, env: &Env<'_>, rng: &mut Rng) -> Result<Option<Value>, NemesisError> {
        let nodes = targeted(env, &env.free_nodes(), rng);
        Ok((!nodes.is_empty()).then(|| tagged(self.name(), json!({ "nodes": nodes }))))
    }

    async fn invoke(&self, env: &Env<'_>, fault: &Value) -> Result<Value, NemesisError> {
        try_join_all(nodes_of(fault).iter().map(|n| env.cluster.kill(n))).await?;
        Ok(Value::Null)
    }

    async fn heal(&self, env: &Env<'_>, fault: &Value) -> Result<Value, NemesisError> {
        try_join_all(nodes_of(fault).iter().map(|n| env.cluster.start(n))).await?;
        Ok(Value::Null)
    }

    fn holds(&self, fault: &Value) -> Vec<String> {
        nodes_of(fault)
    }
}
