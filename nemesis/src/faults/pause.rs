//! `pause`: freeze the target nodes' processes (SIGSTOP through the cgroup freezer);
//! resumed at heal.

use crate::env::Env;
use crate::kind::{nodes_of, tagged, targeted, Nemesis};
use crate::NemesisError;
use async_trait::async_trait;
use futures_util::future::try_join_all;
use history::rng::Rng;
use history::Value;
use serde_json::json;

pub struct Pause;

#[async_trait]
impl Nemesis for Pause {
    fn name(&self) -> &'static str {
        "pause"
    }

    fn choose(&self, env: &Env<'_>, rng: &mut Rng) -> Result<Option<Value>, NemesisError> {
        let nodes = targeted(env, &env.free_nodes(), rng);
        Ok((!nodes.is_empty()).then(|| tagged(self.name(), json!({ "nodes": nodes }))))
    }

    async fn invoke(&self, env: &Env<'_>, fault: &Value) -> Result<Value, NemesisError> {
        try_join_all(nodes_of(fault).iter().map(|n| env.cluster.pause(n))).await?;
        Ok(Value::Null)
    }

    async fn heal(&self, env: &Env<'_>, fault: &Value) -> Result<Value, NemesisError> {
        try_join_all(nodes_of(fault).iter().map(|n| env.cluster.resume(n))).await?;
        Ok(Value::Null)
    }

    fn holds(&self, fault: &Value) -> Vec<String> {
        nodes_of(fault)
    }
}
