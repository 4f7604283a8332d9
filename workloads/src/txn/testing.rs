//! For unit tests: a transaction store in memory (the etcd client's micro-op semantics,
//! applied atomically) and a way to ask a generator for its next op.

use super::etcd::{apply, Snapshot};
use crate::generator::{Ctx, Generator, Next};
use crate::{Client, Completion, Invocation};
use async_trait::async_trait;
use history::rng::Rng;

/// A serializable store of transactions, in memory.
#[derive(Default)]
pub struct StoreClient {
    state: Snapshot,
}

#[async_trait]
impl Client for StoreClient {
    async fn invoke(&mut self, inv: &Invocation) -> Completion {
        let txn = inv.value.as_array().cloned().unwrap_or_default();
        match apply(&txn, &self.state) {
            Ok((answered, writes)) => {
                for (k, v) in writes {
                    self.state.insert(k, (v, 1));
                }
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
