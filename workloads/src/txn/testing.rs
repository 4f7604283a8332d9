//! For unit tests: a transaction store in memory (the micro-ops of [`super::apply`],
//! applied atomically) and a way to ask a generator for its next op.

use super::apply::apply;
use crate::generator::{Ctx, Generator, Next};
use crate::{Client, Completion, Invocation};
use async_trait::async_trait;
use history::rng::Rng;
use serde_json::Value;
use std::collections::BTreeMap;

/// A key of the store: a string as it is, anything else as JSON text.
fn key(k: &Value) -> String {
    k.as_str().map_or_else(|| k.to_string(), str::to_string)
}

/// A serializable store of transactions, in memory.
#[derive(Default)]
pub struct StoreClient {
    state: BTreeMap<String, Value>,
}

#[async_trait]
impl Client for StoreClient {
    async fn invoke(&mut self, inv: &Invocation) -> Completion {
        let txn = inv.value.as_array().cloned().unwrap_or_default();
        match apply(&txn, key, |k| self.state.get(k).cloned()) {
            Ok((answered, writes)) => {
                self.state.extend(writes);
                Completion::ok(answered)
            }
            Err(e) => Completion::fail(inv.value.clone(), e),
        }
    }
}

/// The generator's answer to `process` at time 0.
pub fn ask(g: &mut dyn Generator, process: u64, rng: &mut Rng) -> Next {
    ask_at(g, process, 0, rng)
}

/// The generator's answer to `process` at `time_ns`.
pub fn ask_at(g: &mut dyn Generator, process: u64, time_ns: u64, rng: &mut Rng) -> Next {
    g.next(&mut Ctx {
        time_ns,
        process,
        rng,
    })
}
