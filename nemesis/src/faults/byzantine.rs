//! `byzantine`: nodes under schism's runtime made to lie. The traitors are chosen once per
//! run (at most `traitors` of them; the leader of that moment first, since a lying leader
//! is the strongest adversary of a leader-based protocol; or the nodes of a target that
//! names them), and lie in each of the options' modes in turn. Standing: the next mode
//! replaces the last, and only the final heal makes them honest again, with each
//! interceptor's report of what its node did.

use super::tell::{no_runtime, tell};
use crate::byzantine::ByzMode;
use crate::env::Env;
use crate::kind::{nodes_of, tagged, Nemesis};
use crate::target::{draw, Target};
use crate::NemesisError;
use async_trait::async_trait;
use history::rng::Rng;
use history::Value;
use serde_json::json;
use std::sync::Mutex;

#[derive(Default)]
pub struct Byzantine {
    /// The run's traitors, once chosen, and the next mode's index.
    state: Mutex<(Option<Vec<String>>, usize)>,
}

impl Byzantine {
    fn traitors(&self, env: &Env<'_>, rng: &mut Rng) -> Vec<String> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state
            .0
            .get_or_insert_with(|| {
                let nodes = env.nodes();
                if let [t @ Target::Nodes(_)] = env.options.targets.as_slice() {
                    return t.pick(&nodes, None, 1, rng);
                }
                let mut chosen = Vec::new();
                let mut pool = nodes;
                if let Some(i) = env
                    .leader
                    .as_deref()
                    .and_then(|l| pool.iter().position(|n| n == l))
                {
                    chosen.push(pool.swap_remove(i));
                }
                let more = env.options.traitors.max(1).saturating_sub(chosen.len());
                chosen.extend(draw(&pool, more, rng));
                chosen.sort();
                chosen
            })
            .clone()
    }
}

#[async_trait]
impl Nemesis for Byzantine {
    fn name(&self) -> &'static str {
        "byzantine"
    }

    fn standing(&self) -> bool {
        true
    }

    /// The leader is asked only before the traitors are chosen.
    fn wants_leader(&self, _env: &Env<'_>) -> bool {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .0
            .is_none()
    }

    async fn prepare(&self, env: &Env<'_>) -> Result<(), NemesisError> {
        if env.control.is_none() {
            return Err(no_runtime(self.name()));
        }
        if env.options.byzantine_modes.is_empty() {
            return Err(NemesisError::Unknown(
                "the byzantine nemesis needs at least one mode".into(),
            ));
        }
        Ok(())
    }

    fn choose(&self, env: &Env<'_>, rng: &mut Rng) -> Result<Option<Value>, NemesisError> {
        let nodes = self.traitors(env, rng);
        let modes = &env.options.byzantine_modes;
        let mode = {
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            let mode: ByzMode = modes[state.1 % modes.len().max(1)];
            state.1 += 1;
            mode
        };
        let rules = mode.rules(&env.options.lie_fields, &env.options.lie_domain);
        Ok(Some(tagged(
            self.name(),
            json!({"nodes": nodes, "mode": mode, "rules": rules}),
        )))
    }

    async fn invoke(&self, env: &Env<'_>, fault: &Value) -> Result<Value, NemesisError> {
        let body = json!({"type": "schism/byzantine", "rules": fault["rules"]});
        let bodies = nodes_of(fault).into_iter().map(|n| (n, body.clone()));
        tell(env, self.name(), bodies.collect()).await
    }

    async fn heal(&self, env: &Env<'_>, fault: &Value) -> Result<Value, NemesisError> {
        let body = json!({"type": "schism/byzantine", "rules": []});
        let bodies = nodes_of(fault).into_iter().map(|n| (n, body.clone()));
        tell(env, self.name(), bodies.collect()).await
    }
}
