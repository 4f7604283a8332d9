//! `delay`, `duplicate`, `reorder`: packet faults that need tc netem. This machine kind's
//! kernel has none, so they are refused at prepare, plainly, naming what is missing (and
//! saying so honestly where the kernel has netem but schism does not yet use it).

use crate::env::Env;
use crate::kind::Nemesis;
use crate::NemesisError;
use async_trait::async_trait;
use history::rng::Rng;
use history::Value;

pub struct Netem {
    pub name: &'static str,
}

impl Netem {
    fn refused(&self) -> NemesisError {
        NemesisError::Unsupported(format!("the {} nemesis is not built yet", self.name))
    }
}

#[async_trait]
impl Nemesis for Netem {
    fn name(&self) -> &'static str {
        self.name
    }

    async fn prepare(&self, env: &Env<'_>) -> Result<(), NemesisError> {
        let node = env.nodes().first().cloned().unwrap_or_default();
        let probe = [
            "tc", "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms",
        ];
        match env.cluster.exec_in_netns(&node, &probe).await {
            Ok(_) => {
                let _ = env
                    .cluster
                    .exec_in_netns(&node, &["tc", "qdisc", "del", "dev", "lo", "root"])
                    .await;
                Err(NemesisError::Unsupported(format!(
                    "the {} nemesis is not built yet, although this kernel has netem",
                    self.name
                )))
            }
            Err(e) => Err(NemesisError::Unsupported(format!(
                "the {} nemesis needs tc netem, which this machine's kernel lacks ({e}); \
                 use partition, kill, pause or loss",
                self.name
            ))),
        }
    }

    fn choose(&self, _env: &Env<'_>, _rng: &mut Rng) -> Result<Option<Value>, NemesisError> {
        Err(self.refused())
    }

    async fn invoke(&self, _env: &Env<'_>, _fault: &Value) -> Result<Value, NemesisError> {
        Err(self.refused())
    }

    async fn heal(&self, _env: &Env<'_>, _fault: &Value) -> Result<Value, NemesisError> {
        Ok(Value::Null)
    }
}
