//! # workloads: what the clients do, and how to judge it
//!
//! A workload bundles what the clients of a test ask for (a [`generator::Generator`] of
//! invocations, and a final one that runs after the faults are healed), what a client of
//! the system under test must do with them ([`Client`]; the clients of each protocol are
//! the `systems` crate's), and the checker that judges the history. Clients
//! turn every answer into an op completion: `ok` it happened, `fail` it definitely did not,
//! `info` nobody can tell (a timeout, a lost connection), which the checkers treat as "may
//! have happened, at any time after its invocation".
//!
//! ```
//! use workloads::generator::{Ctx, Generator, Limit, Next, Repeat};
//! use workloads::Invocation;
//! let mut g = Limit::new(2, Repeat::new(Invocation::new("read", None, serde_json::Value::Null)));
//! let mut rng = history::rng::Rng::new(1);
//! let mut ctx = Ctx { time_ns: 0, process: 0, rng: &mut rng };
//! assert!(matches!(g.next(&mut ctx), Next::Op(_)));
//! assert!(matches!(g.next(&mut ctx), Next::Op(_)));
//! assert!(matches!(g.next(&mut ctx), Next::Done));
//! ```

pub mod agreement;
pub mod generator;
pub mod limits;
pub mod log;
pub mod register;
pub mod registry;
pub mod services;
pub mod txn;

use async_trait::async_trait;
use history::{Key, OpType, Value};
use smol_str::SmolStr;

/// What a client is asked to do: the function, the key and the argument of an op.
#[derive(Debug, Clone, PartialEq)]
pub struct Invocation {
    pub f: SmolStr,
    pub key: Option<Key>,
    pub value: Value,
}

impl Invocation {
    pub fn new(f: &str, key: Option<Key>, value: Value) -> Invocation {
        Invocation {
            f: f.into(),
            key,
            value,
        }
    }
}

/// How an op ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    /// `Ok`, `Fail` or `Info` (never `Invoke`).
    pub kind: OpType,
    /// The result (a read's value), or the invocation's value.
    pub value: Value,
    pub error: Option<String>,
}

impl Completion {
    pub fn ok(value: Value) -> Completion {
        Completion {
            kind: OpType::Ok,
            value,
            error: None,
        }
    }
    /// It definitely did not happen.
    pub fn fail(value: Value, error: impl Into<String>) -> Completion {
        Completion {
            kind: OpType::Fail,
            value,
            error: Some(error.into()),
        }
    }
    /// It may or may not have happened.
    pub fn info(value: Value, error: impl Into<String>) -> Completion {
        Completion {
            kind: OpType::Info,
            value,
            error: Some(error.into()),
        }
    }
}

/// Talks to one node of the system under test for one logical process at a time.
///
/// Contract: `invoke` returns `Fail` only when the op certainly had no effect, and `Info`
/// whenever it cannot be sure (timeouts, lost connections, indefinite errors). It must
/// return within its own timeout; the caller also enforces one and records `info`.
#[async_trait]
pub trait Client: Send {
    async fn invoke(&mut self, inv: &Invocation) -> Completion;
}

/// A workload, ready to run: what to invoke during the test, what to invoke after the
/// faults are healed, and how to judge the history.
pub struct Workload {
    pub name: &'static str,
    pub generator: Box<dyn generator::Generator>,
    /// Made once the main phase is over (it may depend on what the main phase did).
    pub final_generator: Box<dyn FnOnce() -> Box<dyn generator::Generator> + Send>,
    /// Each judges one property; the run's verdict is the worst of the safety ones.
    pub checkers: Vec<Box<dyn checkers::Checker>>,
}
