//! `loss`: the target nodes drop each incoming packet with the options' probability (an
//! iptables `statistic` rule).

use crate::env::Env;
use crate::kind::{nodes_of, tagged, targeted, Nemesis};
use crate::net::{self, Rule};
use crate::NemesisError;
use async_trait::async_trait;
use history::rng::Rng;
use history::Value;
use serde_json::json;

pub struct Loss;

#[async_trait]
impl Nemesis for Loss {
    fn name(&self) -> &'static str {
        "loss"
    }

    async fn prepare(&self, env: &Env<'_>) -> Result<(), NemesisError> {
        net::prepare(env.cluster).await
    }

    fn choose(&self, env: &Env<'_>, rng: &mut Rng) -> Result<Option<Value>, NemesisError> {
        let nodes = targeted(env, &env.nodes(), rng);
        let p = env.options.loss_probability;
        Ok(Some(tagged(
            self.name(),
            json!({"nodes": nodes, "probability": p}),
        )))
    }

    async fn invoke(&self, env: &Env<'_>, fault: &Value) -> Result<Value, NemesisError> {
        rules(env, fault, Rule::Add).await
    }

    async fn heal(&self, env: &Env<'_>, fault: &Value) -> Result<Value, NemesisError> {
        rules(env, fault, Rule::Delete).await
    }
}

async fn rules(env: &Env<'_>, fault: &Value, how: Rule) -> Result<Value, NemesisError> {
    let p = match &fault["probability"] {
        Value::Number(n) => n.to_string(),
        other => return Err(NemesisError::Unknown(format!("loss probability {other}"))),
    };
    let nodes = nodes_of(fault);
    let rule: Vec<String> = [
        "-m",
        "statistic",
        "--mode",
        "random",
        "--probability",
        &p,
        "-j",
        "DROP",
    ]
    .map(String::from)
    .to_vec();
    net::each(
        env.cluster,
        how,
        nodes.iter().map(|n| (n.as_str(), rule.clone())),
    )
    .await?;
    Ok(Value::Null)
}
