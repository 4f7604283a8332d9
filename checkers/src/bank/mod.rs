//! # bank: money is neither created nor destroyed
//!
//! The bank workload keeps a fixed sum of money in a handful of accounts. Clients move
//! money between them (`transfer` of `{"from", "to", "amount"}`) and read every account at
//! once (`read`, which returns a map account -> balance, or `{"node", "value": map}`). An
//! optional `open` op, written first, opens the accounts with their initial balances.
//!
//! A transfer only moves money, and a read sees one consistent snapshot of all accounts,
//! so every `ok` read must show every account, with an integer balance that is not
//! negative, and nothing else, and its balances must sum to the bank's total. Whatever
//! transfers happened (acknowledged or indeterminate) and in whatever order, that holds:
//! a read that breaks it saw a torn transfer, a lost or duplicated write, or a partial
//! state. Each ok read is judged on its own; the anomaly kinds are
//!
//! | kind | the read |
//! |---|---|
//! | `wrong-total` | shows every account, but its balances do not sum to the total |
//! | `negative-balance` | shows a balance below zero (unless negatives are allowed) |
//! | `missing-account` | lacks an account, or shows it as null (Jepsen's nil-balance) |
//! | `unexpected-account` | shows a key that is not an account |
//!
//! A read that is not a map, or shows a balance that is neither an integer (of any width,
//! see `crate::values`) nor null, an open op that is not a map from account to integer
//! balance, and a transfer without an account `from` and `to` and an integer `amount`, are
//! malformed ops: the history cannot be judged (`schism check` names the line).
//!
//! The accounts are those of the `open` op; without one, every key some ok read showed and
//! every account named by a transfer that did not fail. The total is the one the checker
//! was given ([`BankChecker::with_total`]), else the sum of the open op's balances, else
//! the most frequent sum among the reads that show every account: a guess, said so in
//! every explanation and in the stat `total_source` (`given`, `open`, `inferred`).
//! Accounts are compared by their string form: `0` and `"0"` are one account.
//!
//! No ok read means nothing was seen: the verdict is unknown, never valid. Each
//! explanation names the read, what it returned, what was expected, and the transfers in
//! flight around it (concurrent, or indeterminate), so a person can look for the one torn.
//! The checker is linear in the history.
//!
//! ```
//! use checkers::{bank::BankChecker, Checker};
//! use history::{format, Validity};
//! // 3 moves from account 0 to 1, yet a read sees 3 fewer in all: a torn transfer.
//! let text = "{:type :invoke, :f :read, :value nil, :process 1, :time 1}\n\
//!             {:type :ok, :f :read, :value {0 10, 1 20}, :process 1, :time 2}\n\
//!             {:type :invoke, :f :transfer, :value {:from 0, :to 1, :amount 3}, :process 0, :time 3}\n\
//!             {:type :ok, :f :transfer, :value {:from 0, :to 1, :amount 3}, :process 0, :time 4}\n\
//!             {:type :invoke, :f :read, :value nil, :process 1, :time 5}\n\
//!             {:type :ok, :f :read, :value {0 7, 1 20}, :process 1, :time 6}\n";
//! let (h, _) = format::parse(text, None, None).unwrap();
//! let v = BankChecker::with_total(30).check(&h);
//! assert_eq!(v.validity, Validity::Invalid);
//! assert_eq!(v.anomalies[0].kind, "wrong-total");
//! assert!(v.anomalies[0].explanation.contains("sum to 27, but the bank holds 30"));
//! ```

mod model;
mod tell;
#[cfg(test)]
mod tests;

use crate::report::{show, span, Report, MAX_ANOMALIES};
use crate::services::common::{list, named, Reads};
use crate::Checker;
use history::{History, Verdict};
use model::{Accounts, Open, Outcome, Seen};
use serde_json::json;
use tell::Facts;

/// The bank checker (name `bank`).
#[derive(Debug, Clone, Default)]
pub struct BankChecker {
    total: Option<i64>,
    allow_negative: bool,
}

impl BankChecker {
    /// A checker that expects every read to sum to `total`, whatever the open op says.
    pub fn with_total(total: i64) -> Self {
        BankChecker {
            total: Some(total),
            ..BankChecker::default()
        }
    }

    /// Whether a negative balance is allowed (by default it is a `negative-balance`).
    pub fn allow_negative(mut self, allow: bool) -> Self {
        self.allow_negative = allow;
        self
    }
}

/// The total expected, how it is known (`given`, `open`, `inferred`, `none`), and how an
/// explanation says so.
struct Total {
    value: Option<i128>,
    source: &'static str,
    how: String,
}

impl BankChecker {
    fn total(&self, history: &History, open: Option<&Open>, seen: &[Seen]) -> Total {
        if let Some(t) = self.total {
            let differs = open
                .filter(|o| o.total != i128::from(t))
                .map(|o| format!("; the open op's balances sum to {}", o.total))
                .unwrap_or_default();
            return Total {
                value: Some(t.into()),
                source: "given",
                how: format!("the total the checker was given{differs}"),
            };
        }
        if let Some(o) = open {
            return Total {
                value: Some(o.total),
                source: "open",
                how: format!(
                    "the sum of the initial balances of the open op, op {} at line {}",
                    o.invoke,
                    history.line(o.invoke)
                ),
            };
        }
        match model::most_frequent_sum(seen) {
            Some((sum, n, complete)) => Total {
                value: Some(sum),
                source: "inferred",
                how: format!(
                    "inferred: no open op says what the total is, so it is taken as the most \
                     frequent sum among the reads that show every account, {n} of {complete}; \
                     if most reads were wrong, the right ones are those flagged"
                ),
            },
            None => Total {
                value: None,
                source: "none",
                how: "unknown: no open op, and no read showed every account".into(),
            },
        }
    }
}

/// The kinds of violation one read shows, in the order they are told.
#[derive(Default)]
struct Bad {
    wrong_total: Option<i128>,
    negative: bool,
    missing: bool,
    unexpected: bool,
}

impl Bad {
    /// How many kinds it shows.
    fn kinds(&self) -> usize {
        [
            self.wrong_total.is_some(),
            self.negative,
            self.missing,
            self.unexpected,
        ]
        .iter()
        .filter(|b| **b)
        .count()
    }
}

impl Checker for BankChecker {
    fn name(&self) -> &str {
        "bank"
    }

    fn check(&self, history: &History) -> Verdict {
        let mut report = Report::new("bank");
        let open = model::open(history, &mut report);
        let transfers = model::transfers(history, &mut report);
        let reads = Reads::of(history);
        let accounts = match &open {
            Some(o) => Accounts::opened(o),
            None => Accounts::seen(reads.ok.iter().map(|r| &r.value), &transfers),
        };
        let seen: Vec<Seen> = reads
            .ok
            .iter()
            .map(|r| Seen::of(&r.value, &accounts))
            .collect();
        let total = self.total(history, open.as_ref(), &seen);
        let bad: Vec<Bad> = seen
            .iter()
            .map(|s| Bad {
                wrong_total: s
                    .sum
                    .zip(total.value)
                    .and_then(|(s, t)| (s != t).then_some(s)),
                negative: !self.allow_negative && !s.negative.is_empty(),
                missing: !s.absent.is_empty() || !s.null.is_empty(),
                unexpected: !s.unexpected.is_empty(),
            })
            .collect();
        let count = |f: fn(&Bad) -> bool| bad.iter().filter(|b| f(b)).count();
        let counts = [
            ("wrong_total", count(|b| b.wrong_total.is_some())),
            ("negative_balance", count(|b| b.negative)),
            ("missing_account", count(|b| b.missing)),
            ("unexpected_account", count(|b| b.unexpected)),
        ];
        for (s, r) in seen.iter().zip(&reads.ok) {
            if let Some(why) = tell::malformed(s) {
                report.malformed(history, r.complete, why);
            }
        }
        let bad_reads: Vec<usize> = (0..bad.len()).filter(|&k| bad[k].kinds() > 0).collect();
        let (ok, failed, info) = tell::outcomes(&transfers);

        let summary = format!(
            "Over the run: {ok} transfer(s) ok, {failed} failed, {info} indeterminate; {} \
             read(s) ok, {} of them broke the bank's invariants. Expected total: {} ({}).",
            reads.ok.len(),
            bad_reads.len(),
            total.value.map_or("unknown".into(), |t| t.to_string()),
            total.how
        );
        let accounts_text = match accounts.opened_by {
            Some(i) => format!(
                "{} account(s) opened by the open op (op {i}, line {}): {}",
                accounts.list.len(),
                history.line(i),
                tell::accounts(&accounts.list)
            ),
            None => format!(
                "{} account(s) (with no open op, those some ok read showed or a transfer that \
                 did not fail named): {}",
                accounts.list.len(),
                tell::accounts(&accounts.list)
            ),
        };
        // Only the reads whose anomalies can be listed need their context.
        let wanted: Vec<(usize, usize)> = bad_reads
            .iter()
            .take(MAX_ANOMALIES)
            .map(|&k| (reads.ok[k].invoke, reads.ok[k].complete))
            .collect();
        let facts = Facts {
            history,
            transfers: &transfers,
            info: transfers
                .iter()
                .filter(|t| t.outcome == Outcome::Info)
                .map(|t| t.invoke)
                .collect(),
            contexts: tell::contexts(history, &wanted),
            accounts: accounts_text,
            total: total.value,
            total_how: total.how.clone(),
            summary,
        };

        let mut told = 0;
        for &k in &bad_reads {
            if told < MAX_ANOMALIES {
                told += tell_read(&facts, &reads, k, &seen[k], &bad[k], &mut report);
            } else {
                // Past the anomalies listed: only counted, so not worth explaining.
                report.omitted(bad[k].kinds());
            }
        }
        if reads.ok.is_empty() {
            let invoked = history
                .client_pairs()
                .filter(|(i, _)| history.ops()[*i].f == "read")
                .count();
            report.cannot_judge(format!(
                "no read completed ok ({invoked} invoked): no snapshot of the balances was \
                 seen, so nothing was checked.{} {}",
                never_opened(history),
                facts.summary
            ));
        }
        report.stat("reads", json!(reads.ok.len()));
        report.stat(
            "final_reads",
            json!(reads.ok.iter().filter(|r| r.is_final).count()),
        );
        report.stat("bad_reads", json!(bad_reads.len()));
        report.stat("transfers_ok", json!(ok));
        report.stat("transfers_failed", json!(failed));
        report.stat("transfers_info", json!(info));
        report.stat("accounts", json!(accounts.list.len()));
        report.stat(
            "total",
            json!(total.value.and_then(|t| i64::try_from(t).ok())),
        );
        report.stat("total_source", json!(total.source));
        for (name, n) in counts {
            report.stat(name, json!(n));
        }
        report.finish()
    }
}

/// When open ops were tried and none was ok: how many, and the last one's error (the
/// system may not serve what opening needs); else nothing.
fn never_opened(history: &History) -> String {
    let ops = history.ops();
    let opens: Vec<usize> = history
        .client_pairs()
        .filter(|(i, _)| ops[*i].f == "open")
        .filter_map(|(_, c)| c)
        .collect();
    if opens.is_empty() || opens.iter().any(|&c| ops[c].kind == history::OpType::Ok) {
        return String::new();
    }
    let last = &ops[opens[opens.len() - 1]];
    let error = last.error.as_ref().map_or("none given".into(), show);
    format!(
        " The accounts were never opened: {} open attempt(s), none ok; the last ended {} \
         (error: {error}).",
        opens.len(),
        last.kind.as_str()
    )
}

/// Tell every violation the `k`th ok read shows; how many.
fn tell_read(
    f: &Facts<'_>,
    reads: &Reads,
    k: usize,
    seen: &Seen,
    bad: &Bad,
    report: &mut Report,
) -> usize {
    let h = f.history;
    let r = &reads.ok[k];
    let intro = tell::read_intro(h, r.invoke, r.node.as_deref(), &r.value);
    let diff = bad.wrong_total.zip(f.total).map(|(s, t)| s - t);
    let (context, context_ops) = f.context(r.invoke, r.complete, diff);
    let mut ops = vec![span(h, r.invoke)];
    ops.extend(context_ops);
    let mut tell = |kind: &str, text: String, data: serde_json::Value| {
        let mut data = data;
        data["node"] = json!(r.node);
        data["value"] = r.value.clone();
        report.violation(
            kind,
            format!("{text}\n{context}\n{}", f.summary),
            ops.clone(),
            data,
        );
    };
    if let (Some(sum), Some(total)) = (bad.wrong_total, f.total) {
        let clamp = |v: i128| json!(i64::try_from(v).ok());
        tell(
            "wrong-total",
            tell::wrong_total(f, &intro, sum, total),
            json!({"expected": clamp(total), "observed": clamp(sum), "difference": clamp(sum - total)}),
        );
    }
    if bad.negative {
        let negative: serde_json::Map<String, serde_json::Value> = seen
            .negative
            .iter()
            .map(|(a, b)| (a.clone(), crate::values::from_int(*b)))
            .collect();
        tell(
            "negative-balance",
            tell::negative(&intro, seen),
            json!({"negative": negative}),
        );
    }
    if bad.missing {
        tell(
            "missing-account",
            tell::missing(f, &intro, seen),
            json!({"absent": seen.absent, "null": seen.null}),
        );
    }
    if bad.unexpected {
        tell(
            "unexpected-account",
            tell::unexpected(f, &intro, seen),
            json!({"unexpected": seen.unexpected}),
        );
    }
    bad.kinds()
}
