//! `set`: clients add unique elements to one set in the store and now and then read it
//! whole; once the faults are healed it is read again (`{"final": true}`). Judged by
//! `checkers::services::SetChecker::store`: every element whose add was acknowledged, or
//! that some read returned, must be in the final read, and no read may return an element
//! never added (or whose add definitely failed).
//!
//! | f | invocation | ok completion |
//! |---|---|---|
//! | `add` | the element (a unique integer) | the same |
//! | `read` | null, or `{"final": true}` after the heal | the elements, as a list |
//!
//! Over a store of transactions ([`SetClient`] wraps any transaction client) the set is
//! the list at key `set`: an add is one `append`, a read one `r`.

use super::{FINAL_ATTEMPTS, FINAL_PAUSE_NS};
use crate::generator::{Ctx, Generator, Next, UntilOk};
use crate::registry::{self, NoOptions, WorkloadDef};
use crate::{Client, Completion, Invocation, Workload};
use async_trait::async_trait;
use history::OpType;
use serde_json::{json, Value};

/// The workload's name.
pub const NAME: &str = "set";

/// The share of reads among the main phase's ops (a read returns the whole set),
pub const READ_FRACTION: f64 = 0.1;
/// and at most one read this often: a read returns the whole set, so without a bound a
/// fast store's history grows with the square of the run's length (a 60-s run on Redis
/// wrote 560 MB, nearly all of it reads of 30,000 elements).
pub const READ_GAP_NS: u64 = 250_000_000;

/// Adds of 1, 2, 3, .. with reads mixed in.
#[derive(Default)]
pub struct SetGen {
    next: u64,
    last_read_ns: Option<u64>,
}

impl Generator for SetGen {
    fn next(&mut self, ctx: &mut Ctx<'_>) -> Next {
        let due = self
            .last_read_ns
            .is_none_or(|t| ctx.time_ns >= t + READ_GAP_NS);
        if due && ctx.rng.unit() < READ_FRACTION {
            self.last_read_ns = Some(ctx.time_ns);
            return Next::Op(Invocation::new("read", None, Value::Null));
        }
        self.next += 1;
        Next::Op(Invocation::new("add", None, json!(self.next)))
    }
}

/// The set workload, judged by `checkers`.
/// The workload; it has no options.
pub static SET: WorkloadDef = WorkloadDef {
    name: NAME,
    about: "adds of unique elements to one set over transactions, and reads; nothing acknowledged is lost",
    section: None,
    ops: &["add", "read"],
    options: registry::filled::<NoOptions>,
    build: |_| Ok(workload(checkers())),
    checkers: |_| Ok(checkers()),
};

fn checkers() -> Vec<Box<dyn checkers::Checker>> {
    vec![Box::new(checkers::services::SetChecker::store())]
}

pub fn workload(checkers: Vec<Box<dyn checkers::Checker>>) -> Workload {
    Workload {
        name: NAME,
        generator: Box::new(SetGen::default()),
        final_generator: Box::new(|| {
            let read = Invocation::new("read", None, json!({"final": true}));
            Box::new(UntilOk::new(read, FINAL_ATTEMPTS, FINAL_PAUSE_NS))
        }),
        checkers,
    }
}

/// Set ops over a transaction client (one that takes `f = "txn"` of micro-ops).
pub struct SetClient {
    txn: Box<dyn Client>,
}

impl SetClient {
    pub fn new(txn: Box<dyn Client>) -> SetClient {
        SetClient { txn }
    }
}

#[async_trait]
impl Client for SetClient {
    async fn invoke(&mut self, inv: &Invocation) -> Completion {
        let micro_op = match inv.f.as_str() {
            "add" => json!(["append", "set", inv.value]),
            "read" => json!(["r", "set", null]),
            f => return Completion::fail(inv.value.clone(), format!("no function {f:?} in set")),
        };
        let c = self
            .txn
            .invoke(&Invocation::new("txn", None, json!([micro_op])))
            .await;
        let error = c.error.clone().unwrap_or_default();
        match (c.kind, inv.f.as_str()) {
            (OpType::Ok, "add") => Completion::ok(inv.value.clone()),
            (OpType::Ok, _) => match &c.value[0][2] {
                Value::Null => Completion::ok(json!([])),
                Value::Array(l) => Completion::ok(Value::Array(l.clone())),
                other => Completion::fail(inv.value.clone(), format!("the set holds {other}")),
            },
            (OpType::Fail, _) => Completion::fail(inv.value.clone(), error),
            // A read changed nothing, whatever happened to it.
            (_, "read") => Completion::fail(inv.value.clone(), error),
            _ => Completion::info(inv.value.clone(), error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::txn::testing::{ask_at, StoreClient};
    use history::rng::Rng;
    use std::collections::BTreeSet;

    #[test]
    fn elements_are_unique_and_reads_are_mixed_in() {
        let mut g = SetGen::default();
        let mut rng = Rng::new(5);
        let (mut added, mut reads) = (BTreeSet::new(), 0);
        for p in 0..300 {
            let Next::Op(inv) = ask_at(&mut g, p % 3, p * 100_000_000, &mut rng) else {
                panic!("always an op")
            };
            if inv.f == "add" {
                assert!(added.insert(inv.value.as_u64().unwrap()), "{inv:?}");
            } else {
                reads += 1;
            }
        }
        assert!((10..80).contains(&reads), "{reads}");
    }

    #[test]
    fn reads_are_at_least_a_gap_apart() {
        let mut g = SetGen::default();
        let mut rng = Rng::new(5);
        let times: Vec<u64> = (0..2_000u64)
            .map(|i| i * 1_000_000)
            .filter(|&t| {
                let Next::Op(inv) = ask_at(&mut g, 0, t, &mut rng) else {
                    panic!("always an op")
                };
                inv.f == "read"
            })
            .collect();
        assert!(times.len() >= 4, "{times:?}");
        assert!(
            times.windows(2).all(|w| w[1] - w[0] >= READ_GAP_NS),
            "{times:?}"
        );
    }

    #[tokio::test]
    async fn adds_land_in_the_set_in_order() {
        let mut c = SetClient::new(Box::new(StoreClient::default()));
        let read = Invocation::new("read", None, json!({"final": true}));
        assert_eq!(c.invoke(&read).await.value, json!([]));
        for v in [3, 1, 2] {
            let done = c.invoke(&Invocation::new("add", None, json!(v))).await;
            assert_eq!((done.kind, done.value), (OpType::Ok, json!(v)));
        }
        let done = c.invoke(&read).await;
        assert_eq!((done.kind, done.value), (OpType::Ok, json!([3, 1, 2])));
    }
}
