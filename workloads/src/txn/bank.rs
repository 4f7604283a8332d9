//! `bank`: money moves between accounts, and never appears or vanishes. Accounts `0..n`
//! open with a balance each; clients transfer random amounts between two accounts (a
//! transfer that would leave its source negative fails, having done nothing) and read
//! every balance at once. Judged by `checkers::bank`: every read must see the opening
//! total, no negative balance, every account and no other.
//!
//! Ops in the history, as in Jepsen's bank test:
//!
//! | f | invocation | ok completion |
//! |---|---|---|
//! | `open` | `{"0": 10, "1": 10, ..}` | the same |
//! | `transfer` | `{"from": 2, "to": 5, "amount": 3}` | the same |
//! | `read` | null, or `{"final": true}` after the heal | `{"0": 7, "1": 13, ..}` |
//!
//! The first op opens the accounts; no transfer is asked for before an `open` is ok. Over
//! a store of transactions ([`BankClient`] wraps any transaction client: Maelstrom's `txn`
//! or etcd's), account `i` is the register `bank-i`; `open` is one transaction of
//! `cas null -> balance` on every account, a read one transaction of reads, and a transfer
//! reads both balances, then commits `cas old -> new` on both in one transaction, which
//! the store aborts if either changed in between.

use super::{FINAL_ATTEMPTS, FINAL_PAUSE_NS};
use crate::generator::{Ctx, Generator, Next, Once, UntilOk};
use crate::registry::{self, WorkloadDef, WorkloadOptions};
use crate::{Client, Completion, Invocation, Workload};
use async_trait::async_trait;
use checkers::bank::BankChecker;
use history::{Op, OpType};
use serde_json::{json, Map, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// The workload's name.
pub const NAME: &str = "bank";

/// The workload; its options are the spec's `bank:` section.
pub static BANK: WorkloadDef = WorkloadDef {
    name: NAME,
    about: "transfers between accounts in transactions, and reads of every balance; the total never changes",
    section: Some("bank"),
    ops: &["open", "transfer", "read"],
    options: registry::filled::<BankShape>,
    build: |s| {
        let shape = s.options::<BankShape>()?.clamped();
        let total = shape.expected_total.unwrap_or(shape.total());
        let checker = BankChecker::with_total(total);
        Ok(workload(shape, vec![Box::new(checker)]))
    },
    checkers: |s| {
        // A recorded history's total: the one given, else the open op's, else what most
        // reads show (see `checkers::bank`).
        let c = s
            .options::<BankShape>()?
            .expected_total
            .map_or_else(BankChecker::default, BankChecker::with_total);
        Ok(vec![Box::new(c)])
    },
};

/// How the bank is laid out and used (the spec's `bank:` section).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BankShape {
    pub accounts: u32,
    /// Each account's opening balance.
    pub balance: i64,
    /// Transfers move 1..=max_transfer.
    pub max_transfer: i64,
    /// The share of reads among the ops after the opening.
    pub read_fraction: f64,
    /// The total every read must show: in a run, `accounts` x `balance` unless given; in
    /// `schism check` (`--bank-total`), else the open op's, else what most reads show.
    pub expected_total: Option<i64>,
}

impl WorkloadOptions for BankShape {
    fn validate(&self) -> Result<(), String> {
        registry::fraction("bank.read_fraction", self.read_fraction)
    }
}

impl Default for BankShape {
    fn default() -> Self {
        BankShape {
            accounts: 8,
            balance: 10,
            max_transfer: 5,
            read_fraction: 0.3,
            expected_total: None,
        }
    }
}

impl BankShape {
    /// At least two accounts, transfers of at least 1, a read fraction within 0..=1.
    pub fn clamped(&self) -> BankShape {
        BankShape {
            accounts: self.accounts.max(2),
            max_transfer: self.max_transfer.max(1),
            read_fraction: self.read_fraction.clamp(0.0, 1.0),
            ..self.clone()
        }
    }

    /// The bank's total: every account's opening balance.
    pub fn total(&self) -> i64 {
        self.balance * i64::from(self.accounts.max(2))
    }

    /// The `open` op's value: every account with its opening balance.
    pub fn opening(&self) -> Value {
        let accounts: Map<String, Value> = (0..self.accounts.max(2))
            .map(|a| (a.to_string(), json!(self.balance)))
            .collect();
        Value::Object(accounts)
    }
}

/// The pause after an open that was not ok, before the next attempt (and how often a
/// worker asks again while one is in flight).
const OPENING_RETRY_NS: u64 = 100_000_000;

/// The main phase: `open` (again until it is ok), then transfers and reads.
pub struct BankGen {
    shape: BankShape,
    opening: UntilOk,
    /// Set once an open is ok (the final phase reads only then).
    opened: Arc<AtomicBool>,
}

impl BankGen {
    pub fn new(shape: BankShape, opened: Arc<AtomicBool>) -> BankGen {
        let open = Invocation::new("open", None, shape.opening());
        BankGen {
            shape,
            opening: UntilOk::new(open, u32::MAX, OPENING_RETRY_NS),
            opened,
        }
    }
}

impl Generator for BankGen {
    fn next(&mut self, ctx: &mut Ctx<'_>) -> Next {
        if !self.opened.load(Ordering::Relaxed) {
            return self.opening.next(ctx);
        }
        if ctx.rng.unit() < self.shape.read_fraction {
            return Next::Op(Invocation::new("read", None, Value::Null));
        }
        let n = self.shape.accounts.max(2) as u64;
        let from = ctx.rng.below(n);
        let to = (from + 1 + ctx.rng.below(n - 1)) % n;
        let amount = 1 + ctx.rng.below(self.shape.max_transfer.max(1) as u64);
        let value = json!({"from": from, "to": to, "amount": amount});
        Next::Op(Invocation::new("transfer", None, value))
    }

    fn update(&mut self, op: &Op) {
        if op.f == "open" {
            self.opening.update(op);
            if op.kind == OpType::Ok {
                self.opened.store(true, Ordering::Relaxed);
            }
        }
    }
}

/// The bank workload, judged by `checkers`. The final phase reads every balance until a
/// read answers, if the accounts were ever opened (else there is nothing to read: the
/// checker says the accounts were never opened).
pub fn workload(shape: BankShape, checkers: Vec<Box<dyn checkers::Checker>>) -> Workload {
    let opened = Arc::new(AtomicBool::new(false));
    let final_opened = opened.clone();
    Workload {
        name: NAME,
        generator: Box::new(BankGen::new(shape, opened)),
        final_generator: Box::new(move || -> Box<dyn Generator> {
            if !final_opened.load(Ordering::Relaxed) {
                return Box::new(Once::new([]));
            }
            let read = Invocation::new("read", None, json!({"final": true}));
            Box::new(UntilOk::new(read, FINAL_ATTEMPTS, FINAL_PAUSE_NS))
        }),
        checkers,
    }
}

/// The register that holds an account.
fn key(account: &str) -> Value {
    json!(format!("bank-{account}"))
}

/// An account as a string (`3` and `"3"` are the same account).
fn account(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

/// Bank ops over a transaction client (one that takes `f = "txn"` of micro-ops).
pub struct BankClient {
    txn: Box<dyn Client>,
    accounts: Vec<String>,
}

impl BankClient {
    pub fn new(txn: Box<dyn Client>, shape: &BankShape) -> BankClient {
        BankClient {
            txn,
            accounts: (0..shape.accounts.max(2)).map(|a| a.to_string()).collect(),
        }
    }

    async fn run(&mut self, micro_ops: Vec<Value>) -> Completion {
        let inv = Invocation::new("txn", None, Value::Array(micro_ops));
        self.txn.invoke(&inv).await
    }

    /// The balances of `accounts`, read in one transaction (Err: the failed read).
    async fn balances(&mut self, accounts: &[String]) -> Result<Vec<Value>, Completion> {
        let reads = accounts
            .iter()
            .map(|a| json!(["r", key(a), null]))
            .collect();
        let c = self.run(reads).await;
        match (&c.kind, c.value.as_array()) {
            (OpType::Ok, Some(ops)) if ops.len() == accounts.len() => {
                Ok(ops.iter().map(|m| m[2].clone()).collect())
            }
            (OpType::Ok, _) => Err(Completion::fail(
                Value::Null,
                format!("a read answered {}", c.value),
            )),
            _ => Err(Completion::fail(
                Value::Null,
                c.error.unwrap_or_else(|| "read failed".into()),
            )),
        }
    }

    async fn open(&mut self, inv: &Invocation) -> Completion {
        let Some(opening) = inv.value.as_object() else {
            return Completion::fail(inv.value.clone(), "open takes a map of balances");
        };
        let cas = opening
            .iter()
            .map(|(a, b)| json!(["cas", key(a), [null, b]]))
            .collect();
        let c = self.run(cas).await;
        match c.kind {
            OpType::Ok => Completion::ok(inv.value.clone()),
            // Perhaps an earlier open, whose outcome was unknown, took effect: then every
            // account is there (and untouched: no transfer runs before an open is ok).
            OpType::Fail => {
                let accounts: Vec<String> = opening.keys().cloned().collect();
                match self.balances(&accounts).await {
                    Ok(b) if b.iter().all(|v| !v.is_null()) => Completion::ok(inv.value.clone()),
                    _ => Completion::fail(inv.value.clone(), c.error.unwrap_or_default()),
                }
            }
            _ => Completion::info(inv.value.clone(), c.error.unwrap_or_default()),
        }
    }

    async fn transfer(&mut self, inv: &Invocation) -> Completion {
        let v = &inv.value;
        let (from, to) = (account(&v["from"]), account(&v["to"]));
        let Some(amount) = v["amount"].as_i64().filter(|a| *a > 0) else {
            return Completion::fail(v.clone(), "a transfer's amount must be a positive integer");
        };
        let held = match self.balances(&[from.clone(), to.clone()]).await {
            Ok(b) => b,
            Err(c) => return Completion::fail(v.clone(), c.error.unwrap_or_default()),
        };
        let (Some(bf), Some(bt)) = (held[0].as_i64(), held[1].as_i64()) else {
            return Completion::fail(v.clone(), format!("accounts not open: {held:?}"));
        };
        if bf < amount {
            return Completion::fail(
                v.clone(),
                format!("insufficient funds: account {from} holds {bf}"),
            );
        }
        let commit = vec![
            json!(["cas", key(&from), [bf, bf - amount]]),
            json!(["cas", key(&to), [bt, bt + amount]]),
        ];
        let c = self.run(commit).await;
        let error = c.error.unwrap_or_default();
        match c.kind {
            OpType::Ok => Completion::ok(v.clone()),
            OpType::Fail => Completion::fail(v.clone(), error),
            _ => Completion::info(v.clone(), error),
        }
    }

    async fn read(&mut self) -> Completion {
        let accounts = self.accounts.clone();
        match self.balances(&accounts).await {
            Ok(b) => Completion::ok(Value::Object(accounts.into_iter().zip(b).collect())),
            Err(c) => c,
        }
    }
}

#[async_trait]
impl Client for BankClient {
    async fn invoke(&mut self, inv: &Invocation) -> Completion {
        match inv.f.as_str() {
            "open" => self.open(inv).await,
            "transfer" => self.transfer(inv).await,
            "read" => self.read().await,
            f => Completion::fail(inv.value.clone(), format!("no function {f:?} in bank")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::txn::testing::{ask, ask_at, StoreClient};
    use history::rng::Rng;

    #[test]
    fn without_an_opening_the_final_phase_reads_nothing() {
        let mut w = workload(BankShape::default(), Vec::new());
        let mut rng = Rng::new(1);
        assert!(matches!(ask(&mut w.generator, 0, &mut rng), Next::Op(_)));
        let mut last = (w.final_generator)();
        assert_eq!(ask(&mut last, 0, &mut rng), Next::Done);
    }

    #[test]
    fn no_transfer_before_the_opening_is_ok_and_transfers_name_two_accounts() {
        let opened = Arc::new(AtomicBool::new(false));
        let mut g = BankGen::new(BankShape::default(), opened.clone());
        let mut rng = Rng::new(3);
        let Next::Op(open) = ask(&mut g, 0, &mut rng) else {
            panic!("opens first")
        };
        assert_eq!(open.f, "open");
        assert_eq!(open.value["7"], json!(10));
        assert!(matches!(ask(&mut g, 1, &mut rng), Next::Wait(_)));
        g.update(&Op::client(0, OpType::Info, "open", open.value.clone()));
        assert_eq!(
            ask(&mut g, 1, &mut rng),
            Next::Wait(OPENING_RETRY_NS),
            "after a pause"
        );
        let Next::Op(again) = ask_at(&mut g, 1, OPENING_RETRY_NS, &mut rng) else {
            panic!("opens again after an unknown outcome")
        };
        assert_eq!(again.f, "open");
        assert!(!opened.load(Ordering::Relaxed));
        g.update(&Op::client(1, OpType::Ok, "open", again.value.clone()));
        assert!(opened.load(Ordering::Relaxed));
        let (mut reads, mut transfers) = (0, 0);
        for _ in 0..500 {
            let Next::Op(inv) = ask(&mut g, 2, &mut rng) else {
                panic!("an op once open")
            };
            match inv.f.as_str() {
                "read" => reads += 1,
                "transfer" => {
                    transfers += 1;
                    let v = &inv.value;
                    assert_ne!(v["from"], v["to"]);
                    assert!(v["from"].as_u64().unwrap() < 8 && v["to"].as_u64().unwrap() < 8);
                    assert!((1..=5).contains(&v["amount"].as_i64().unwrap()));
                }
                f => panic!("{f}"),
            }
        }
        assert!(
            reads > 100 && transfers > 250,
            "{reads} reads, {transfers} transfers"
        );
    }

    #[tokio::test]
    async fn transfers_conserve_money_and_never_overdraw_over_a_store() {
        let shape = BankShape {
            accounts: 3,
            ..BankShape::default()
        };
        let mut c = BankClient::new(Box::new(StoreClient::default()), &shape);
        let open = Invocation::new("open", None, shape.opening());
        assert_eq!(c.invoke(&open).await.kind, OpType::Ok);
        // Opening again finds it open.
        assert_eq!(c.invoke(&open).await.kind, OpType::Ok);
        let t = |from: u32, to: u32, amount: i64| {
            Invocation::new(
                "transfer",
                None,
                json!({"from": from, "to": to, "amount": amount}),
            )
        };
        assert_eq!(c.invoke(&t(0, 1, 4)).await.kind, OpType::Ok);
        let short = c.invoke(&t(0, 2, 7)).await;
        assert_eq!(short.kind, OpType::Fail);
        assert!(short.error.unwrap().contains("insufficient funds"));
        let read = c.invoke(&Invocation::new("read", None, Value::Null)).await;
        assert_eq!(read.kind, OpType::Ok);
        assert_eq!(read.value, json!({"0": 6, "1": 14, "2": 10}));
    }
}
