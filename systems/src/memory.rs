//! `memory`: an in-process linearizable register store behind a fake cluster. Clients
//! answer at once, faults change nothing: for trying schism without Docker, testing the
//! run loop, and measuring the harness's own ceiling.

use crate::{Error, Setup, System};
use async_trait::async_trait;
use cluster::fake::FakeCluster;
use cluster::Cluster;
use history::{Key, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use workloads::{Client, Completion, Invocation};

/// One map of registers shared by every client.
#[derive(Default)]
pub struct Memory {
    store: Arc<Mutex<HashMap<Option<Key>, Value>>>,
}

struct MemoryClient {
    store: Arc<Mutex<HashMap<Option<Key>, Value>>>,
}

#[async_trait]
impl Client for MemoryClient {
    async fn invoke(&mut self, inv: &Invocation) -> Completion {
        let mut m = self.store.lock().unwrap_or_else(|e| e.into_inner());
        let cur = m.get(&inv.key).cloned().unwrap_or(Value::Null);
        match inv.f.as_str() {
            "read" => Completion::ok(cur),
            "write" => {
                m.insert(inv.key.clone(), inv.value.clone());
                Completion::ok(inv.value.clone())
            }
            "cas" => match (inv.value.get(0), inv.value.get(1)) {
                (Some(from), Some(to)) if *from == cur => {
                    m.insert(inv.key.clone(), to.clone());
                    Completion::ok(inv.value.clone())
                }
                _ => Completion::fail(inv.value.clone(), history::COMPARE_FAILED),
            },
            f => Completion::fail(inv.value.clone(), format!("no function {f:?}")),
        }
    }
}

#[async_trait]
impl System for Memory {
    fn name(&self) -> &str {
        "memory"
    }
    fn preflight(&self, _setup: &Setup) -> Result<(), Error> {
        Ok(())
    }
    fn uses_docker(&self) -> bool {
        false
    }
    async fn start(&self, setup: &Setup, _run_id: &str) -> Result<Arc<dyn Cluster>, Error> {
        Ok(Arc::new(FakeCluster::new(setup.nodes)))
    }
    fn client_in(
        &self,
        _cluster: &dyn Cluster,
        _i: usize,
        _setup: &Setup,
    ) -> Result<Box<dyn Client>, Error> {
        Ok(Box::new(MemoryClient {
            store: self.store.clone(),
        }))
    }
}
