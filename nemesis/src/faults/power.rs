//! `lose-unfsynced`: the target nodes lose power. Each is killed (SIGKILL), then every
//! write to its data directory it never fsynced is dropped — file data, and directory
//! entries whose directory was never synced — by its powerfs mount (see the `powerfs`
//! crate for what counts as synced); it is started again at heal. Option `cut`: `all`
//! (default) drops every unsynced write; `torn` keeps, per file, the unsynced writes up to
//! a random byte (seeded, recorded in the fault) and tears the write there.
//!
//! The record of each application says, per node, how many bytes, files and directory
//! entries were lost. Needs the cluster to serve the nodes' data directories from the
//! host ([`Nemesis::needs_power_loss`]): the harness asks for it when this fault is in a run.

use crate::env::Env;
use crate::kind::{nodes_of, tagged, targeted, Nemesis};
use crate::NemesisError;
use async_trait::async_trait;
use cluster::Cut;
use futures_util::future::try_join_all;
use history::rng::Rng;
use history::Value;
use serde_json::json;

pub struct LoseUnfsynced;

/// `nemesis.options.lose-unfsynced`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Options {
    cut: CutName,
}

#[derive(Debug, Default, Clone, Copy, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
enum CutName {
    #[default]
    All,
    Torn,
}

/// The cut of one node: torn cuts draw from the fault's seed and the node's place in it.
fn cut_of(fault: &Value, i: usize) -> Cut {
    match (fault["cut"].as_str(), fault["seed"].as_u64()) {
        (Some("torn"), Some(seed)) => Cut::Torn {
            seed: seed.wrapping_add(i as u64),
        },
        _ => Cut::All,
    }
}

#[async_trait]
impl Nemesis for LoseUnfsynced {
    fn name(&self) -> &'static str {
        "lose-unfsynced"
    }

    fn needs_power_loss(&self) -> bool {
        true
    }

    async fn prepare(&self, env: &Env<'_>) -> Result<(), NemesisError> {
        env.options.section::<Options>(self.name()).map(drop)
    }

    fn choose(&self, env: &Env<'_>, rng: &mut Rng) -> Result<Option<Value>, NemesisError> {
        let options: Options = env.options.section(self.name())?;
        let nodes = targeted(env, &env.free_nodes(), rng);
        if nodes.is_empty() {
            return Ok(None);
        }
        let mut fields = json!({ "nodes": nodes, "cut": options.cut });
        if let CutName::Torn = options.cut {
            fields["seed"] = json!(rng.below(1 << 53));
        }
        Ok(Some(tagged(self.name(), fields)))
    }

    async fn invoke(&self, env: &Env<'_>, fault: &Value) -> Result<Value, NemesisError> {
        let nodes = nodes_of(fault);
        let losses = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| env.cluster.lose_unsynced(n, cut_of(fault, i)));
        let lost = try_join_all(losses).await?;
        let answers = nodes.iter().zip(lost).map(|(n, l)| {
            let l = json!({"bytes": l.bytes, "files": l.files, "entries": l.entries});
            (n.clone(), l)
        });
        Ok(Value::Object(answers.collect()))
    }

    async fn heal(&self, env: &Env<'_>, fault: &Value) -> Result<Value, NemesisError> {
        try_join_all(nodes_of(fault).iter().map(|n| env.cluster.start(n))).await?;
        Ok(Value::Null)
    }

    fn holds(&self, fault: &Value) -> Vec<String> {
        nodes_of(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_torn_fault_gives_each_node_its_own_seeded_cut() {
        let torn =
            json!({"fault": "lose-unfsynced", "nodes": ["n1", "n2"], "cut": "torn", "seed": 40});
        let all = json!({"fault": "lose-unfsynced", "nodes": ["n1"], "cut": "all"});
        let cases = [
            (&torn, 0, Cut::Torn { seed: 40 }),
            (&torn, 1, Cut::Torn { seed: 41 }),
            (&all, 0, Cut::All),
        ];
        for (fault, i, cut) in cases {
            assert_eq!(cut_of(fault, i), cut, "{fault} node {i}");
        }
    }
}
