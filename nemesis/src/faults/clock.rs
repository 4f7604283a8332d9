//! `clock`: the clock the target nodes' protocols see, moved by up to
//! `max_clock_skew_ms` either way (at least half of it); back at heal. Only nodes under
//! schism's runtime have such a clock.

use super::tell::{no_runtime, tell};
use crate::env::Env;
use crate::kind::{tagged, targeted, Nemesis};
use crate::NemesisError;
use async_trait::async_trait;
use history::rng::Rng;
use history::Value;
use serde_json::json;
use std::collections::BTreeMap;

pub struct Clock;

fn offsets(fault: &Value) -> BTreeMap<String, i64> {
    serde_json::from_value(fault["offsets_ms"].clone()).unwrap_or_default()
}

#[async_trait]
impl Nemesis for Clock {
    fn name(&self) -> &'static str {
        "clock"
    }

    async fn prepare(&self, env: &Env<'_>) -> Result<(), NemesisError> {
        match env.control {
            Some(_) => Ok(()),
            None => Err(no_runtime(self.name())),
        }
    }

    fn choose(&self, env: &Env<'_>, rng: &mut Rng) -> Result<Option<Value>, NemesisError> {
        let chosen = targeted(env, &env.nodes(), rng);
        let max = env.options.max_clock_skew_ms.max(2);
        let offsets_ms: BTreeMap<String, i64> = chosen
            .into_iter()
            .map(|n| {
                let size = rng.between(max / 2, max) as i64;
                (n, if rng.chance(0.5) { size } else { -size })
            })
            .collect();
        Ok(Some(tagged(
            self.name(),
            json!({ "offsets_ms": offsets_ms }),
        )))
    }

    async fn invoke(&self, env: &Env<'_>, fault: &Value) -> Result<Value, NemesisError> {
        let bodies = offsets(fault)
            .into_iter()
            .map(|(n, o)| (n, json!({"type": "schism/clock", "offset_ms": o})));
        tell(env, self.name(), bodies.collect()).await
    }

    async fn heal(&self, env: &Env<'_>, fault: &Value) -> Result<Value, NemesisError> {
        let bodies = offsets(fault)
            .into_keys()
            .map(|n| (n, json!({"type": "schism/clock", "offset_ms": 0})));
        tell(env, self.name(), bodies.collect()).await
    }
}
