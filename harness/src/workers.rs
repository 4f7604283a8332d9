//! The client workers: each one process at a time, asking the generator what to do,
//! invoking it through its client, and recording the invocation and the completion.
//! Jepsen's rule holds: after an indeterminate completion (`info`) the worker goes on as a
//! new process (its id plus the number of workers), since the old op may still be in
//! flight.
//!
//! Workers run as tasks of the controller's runtime, reaching every node from the host;
//! with clients beside their nodes (`nemesis.clients: beside-nodes`) each runs on a thread
//! of its own that has entered its node's network namespace, so every socket its client
//! opens leaves from the node's address and a partition cuts it off with its node.

use crate::error::RunError;
use crate::spec::TestSpec;
use cluster::Cluster;
use history::recorder::Recorder;
use history::rng::Rng;
use history::{Op, OpType, Process};
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use systems::System;
use tokio::sync::watch;
use workloads::generator::{Ctx, Generator, Next};
use workloads::Completion;

/// Running totals, for the status line and the summary.
#[derive(Default, Debug)]
pub struct Counters {
    pub ok: AtomicU64,
    pub fail: AtomicU64,
    pub info: AtomicU64,
}

impl Counters {
    pub fn total(&self) -> u64 {
        self.ok.load(Ordering::Relaxed)
            + self.fail.load(Ordering::Relaxed)
            + self.info.load(Ordering::Relaxed)
    }
}

/// What every worker of a phase shares.
pub struct Pool {
    pub system: Arc<dyn System>,
    /// What the system is told of the run.
    pub setup: systems::Setup,
    pub spec: TestSpec,
    pub cluster: Arc<dyn Cluster>,
    pub recorder: Arc<Recorder>,
    pub counters: Arc<Counters>,
    /// The process each worker is now (kept across phases).
    pub processes: Mutex<Vec<u64>>,
}

struct Shared {
    generator: Box<dyn Generator>,
    rng: Rng,
}

/// One worker to its end.
type Running = Pin<Box<dyn Future<Output = Result<(), RunError>> + Send>>;

impl Pool {
    /// Run every worker on `generator` until it is done or `stop` turns true.
    pub async fn run(
        self: &Arc<Self>,
        generator: Box<dyn Generator>,
        seed: u64,
        stop: watch::Receiver<bool>,
    ) -> Result<(), RunError> {
        let shared = Arc::new(Mutex::new(Shared {
            generator,
            rng: Rng::new(seed),
        }));
        let workers = self.spec.concurrency;
        let beside = nemesis::Clients::from_name(&self.spec.nemesis.clients)
            == Some(nemesis::Clients::BesideNodes);
        let mut tasks: Vec<Running> = Vec::with_capacity(workers);
        for w in 0..workers {
            let i = w % self.cluster.nodes().len();
            let node = self.cluster.nodes()[i].name.clone();
            let (pool, shared, stop) = (self.clone(), shared.clone(), stop.clone());
            if beside {
                let netns = self.cluster.netns_path(&node).await?.ok_or_else(|| {
                    RunError::Spec(format!(
                        "clients beside their nodes need each node's network namespace on \
                         this host, and {node} of {} has none",
                        self.spec.system
                    ))
                })?;
                tasks.push(beside_node(pool, netns, (w, i, node), shared, stop)?);
                continue;
            }
            let client = self
                .system
                .client_in(self.cluster.as_ref(), i, &self.setup)?;
            let task = tokio::spawn(async move { pool.work(w, node, client, shared, stop).await });
            tasks.push(Box::pin(async move {
                task.await
                    .map_err(|e| RunError::Harness(format!("a worker failed: {e}")))
            }));
        }
        for t in tasks {
            t.await?;
        }
        Ok(())
    }

    async fn work(
        &self,
        worker: usize,
        node: String,
        mut client: Box<dyn workloads::Client>,
        shared: Arc<Mutex<Shared>>,
        mut stop: watch::Receiver<bool>,
    ) {
        let timeout = Duration::from_millis(self.spec.client_timeout_ms);
        let workers = self.spec.concurrency as u64;
        loop {
            if *stop.borrow() {
                return;
            }
            let process = self
                .processes
                .lock()
                .map(|p| p[worker])
                .unwrap_or(worker as u64);
            let next = {
                let mut s = shared.lock().unwrap_or_else(|e| e.into_inner());
                let Shared { generator, rng } = &mut *s;
                generator.next(&mut Ctx {
                    time_ns: self.recorder.now_ns(),
                    process,
                    rng,
                })
            };
            let inv = match next {
                Next::Done => return,
                Next::Wait(t) => {
                    let d = Duration::from_nanos(t.saturating_sub(self.recorder.now_ns()));
                    tokio::select! {
                        _ = tokio::time::sleep(d) => {}
                        _ = stop.changed() => {}
                    }
                    continue;
                }
                Next::Op(inv) => inv,
            };
            let mut op = Op::client(process, OpType::Invoke, &inv.f, inv.value.clone());
            op.key = inv.key.clone();
            op.node = Some(node.as_str().into());
            self.recorder.record(op.clone());
            let done = match tokio::time::timeout(timeout, client.invoke(&inv)).await {
                Ok(c) => c,
                Err(_) => Completion::info(inv.value.clone(), "timeout"),
            };
            op.kind = done.kind;
            op.value = done.value;
            op.error = done.error.map(history::Value::String);
            let op = self.recorder.record(op);
            let counter = match op.kind {
                OpType::Ok => &self.counters.ok,
                OpType::Fail => &self.counters.fail,
                _ => &self.counters.info,
            };
            counter.fetch_add(1, Ordering::Relaxed);
            shared
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .generator
                .update(&op);
            if op.kind == OpType::Info {
                if let Ok(mut p) = self.processes.lock() {
                    p[worker] = process + workers;
                }
            }
            // A client that answers without waiting (an in-process one) must not starve
            // the nemesis's timers and the status line.
            tokio::task::yield_now().await;
            debug_assert!(matches!(op.process, Process::Client(_)));
        }
    }
}

/// Worker `w`, bound to node `i`, on a thread of its own inside the node's network
/// namespace (`netns`), with a runtime of its own: its client is made there, so every
/// socket it opens, and every task it spawns, stays in the namespace. The thread starts
/// now; the returned future waits for its end.
fn beside_node(
    pool: Arc<Pool>,
    netns: PathBuf,
    (w, i, node): (usize, usize, String),
    shared: Arc<Mutex<Shared>>,
    stop: watch::Receiver<bool>,
) -> Result<Running, RunError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name(format!("client-{w}-{node}"))
        .spawn(move || {
            let run = || -> Result<(), RunError> {
                shaper::netns::enter(&netns).map_err(|e| {
                    RunError::Harness(format!(
                        "entering {node}'s network namespace ({}): {e}",
                        netns.display()
                    ))
                })?;
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                rt.block_on(async {
                    let client = pool
                        .system
                        .client_in(pool.cluster.as_ref(), i, &pool.setup)?;
                    pool.work(w, node, client, shared, stop).await;
                    Ok(())
                })
            };
            let _ = tx.send(run());
        })?;
    Ok(Box::pin(async move {
        rx.await
            .map_err(|_| RunError::Harness(format!("client worker {w} ended without a word")))?
    }))
}
