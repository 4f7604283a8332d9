//! How the bank checker explains a bad read: what it returned, what was expected, and the
//! transfers that could have been in flight.

use super::model::{Outcome, Seen, Transfer};
use super::{named, show, span};
use history::{History, OpSpan, OpType};
use std::collections::{BTreeSet, HashMap};

/// At most this many transfers are named as context for one read.
const CONTEXT: usize = 4;

/// The transfers around one read.
#[derive(Debug, Clone, Default)]
pub(super) struct Context {
    /// The first transfers (invocations, not definitely failed) in flight while it ran.
    pub concurrent: Vec<usize>,
    /// How many were in flight in all.
    pub concurrent_count: usize,
}

/// The transfers in flight during each of `wanted` (reads as (invoke, completion)), found in
/// one pass over the history: a transfer is in flight during a read when their intervals
/// overlap (an indeterminate transfer stays in flight until its `info`, or forever).
pub(super) fn contexts(history: &History, wanted: &[(usize, usize)]) -> HashMap<usize, Context> {
    let ops = history.ops();
    let starts: HashMap<usize, usize> = wanted.iter().map(|&(i, _)| (i, i)).collect();
    let ends: HashMap<usize, usize> = wanted.iter().map(|&(i, c)| (c, i)).collect();
    let mut out: HashMap<usize, Context> = HashMap::new();
    let mut open: BTreeSet<usize> = BTreeSet::new();
    let mut active: Vec<usize> = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        if op.is_client() && op.f == "transfer" {
            if op.kind == OpType::Invoke {
                let failed = history
                    .partner(i)
                    .is_some_and(|c| ops[c].kind == OpType::Fail);
                if !failed {
                    open.insert(i);
                    for r in &active {
                        let ctx = out.entry(*r).or_default();
                        ctx.concurrent_count += 1;
                        if ctx.concurrent.len() < CONTEXT {
                            ctx.concurrent.push(i);
                        }
                    }
                }
            } else if let Some(inv) = history.partner(i) {
                open.remove(&inv);
            }
        }
        if let Some(&r) = starts.get(&i) {
            out.insert(
                r,
                Context {
                    concurrent: open.iter().take(CONTEXT).copied().collect(),
                    concurrent_count: open.len(),
                },
            );
            active.push(r);
        }
        if let Some(&r) = ends.get(&i) {
            active.retain(|a| *a != r);
        }
    }
    out
}

/// What explanations draw on.
pub(super) struct Facts<'a> {
    pub history: &'a History,
    pub transfers: &'a [Transfer],
    /// The invocations of indeterminate transfers, in order.
    pub info: Vec<usize>,
    pub contexts: HashMap<usize, Context>,
    /// The number of accounts and how they are known.
    pub accounts: String,
    /// The total expected and how it is known.
    pub total: Option<i128>,
    pub total_how: String,
    pub summary: String,
}

impl Facts<'_> {
    /// The transfers around the read invoked at `invoke` and completed at `complete`, as
    /// text (`diff`: a wrong total's difference, to point at transfers of that amount), and
    /// their spans.
    pub fn context(
        &self,
        invoke: usize,
        complete: usize,
        diff: Option<i128>,
    ) -> (String, Vec<OpSpan>) {
        let h = self.history;
        let mut spans = Vec::new();
        let mut text = String::new();
        let ctx = self.contexts.get(&invoke).cloned().unwrap_or_default();
        let amount = |i: usize| {
            self.transfers
                .binary_search_by_key(&i, |t| t.invoke)
                .ok()
                .and_then(|k| self.transfers[k].amount)
        };
        let mark = |i: usize| match (diff, amount(i)) {
            (Some(d), Some(a)) if a == d.abs() => " [its amount equals the difference]",
            _ => "",
        };
        if ctx.concurrent_count == 0 {
            text.push_str("No transfer was in flight while this read ran.");
        } else {
            text.push_str(&format!(
                "{} transfer(s) were in flight while this read ran (invoked before it completed, \
                 not completed before it began, not failed){}:",
                ctx.concurrent_count,
                if ctx.concurrent_count > ctx.concurrent.len() {
                    ", the first"
                } else {
                    ""
                }
            ));
            for &t in &ctx.concurrent {
                text.push_str(&format!("\n  {}{}", named(h, t), mark(t)));
                spans.push(span(h, t));
            }
        }
        // Indeterminate transfers invoked before the read completed (each may have taken
        // effect before it), the latest first, but for those already named.
        let before = self.info.partition_point(|&t| t < complete);
        let named_info = ctx
            .concurrent
            .iter()
            .filter(|t| self.info.binary_search(t).is_ok())
            .count();
        let others = before - named_info;
        if others > 0 {
            let mut latest: Vec<usize> = self.info[..before]
                .iter()
                .rev()
                .filter(|t| !ctx.concurrent.contains(t))
                .take(CONTEXT)
                .copied()
                .collect();
            latest.reverse();
            text.push_str(&format!(
                "\n{others} {}indeterminate transfer(s) (info or never completed: each may or \
                 may not have happened) were invoked before it completed{}:",
                if named_info > 0 { "other " } else { "" },
                if others > latest.len() {
                    ", the latest"
                } else {
                    ""
                }
            ));
            for t in latest {
                text.push_str(&format!("\n  {}{}", named(h, t), mark(t)));
                spans.push(span(h, t));
            }
        }
        (text, spans)
    }
}

/// A list of accounts for an explanation.
pub(super) fn accounts(list: &[String]) -> String {
    super::list(list, 12)
}

/// The explanation of each kind of violation a read shows, with its data.
pub(super) fn wrong_total(f: &Facts<'_>, read: &str, sum: i128, total: i128) -> String {
    let diff = sum - total;
    let (amount, went) = if diff < 0 {
        (-diff, "went missing")
    } else {
        (diff, "appeared from nowhere")
    };
    format!(
        "{read}: its balances sum to {sum}, but the bank holds {total} in all ({}), so \
         {amount} {went} (observed {sum} - expected {total} = {diff:+}). A transfer only moves \
         money from one account to another, so whichever transfers happened, in whatever \
         order, every read of all the accounts must sum to {total}.",
        f.total_how
    )
}

pub(super) fn negative(read: &str, seen: &Seen) -> String {
    let held: Vec<String> = seen
        .negative
        .iter()
        .map(|(a, b)| format!("account {a} holds {b}"))
        .collect();
    format!(
        "{read}: {}. A balance never goes below zero: a transfer that would overdraw its \
         source account must fail. (If the system allows overdrafts, build the checker with \
         allow_negative(true).)",
        super::list(&held, 12)
    )
}

pub(super) fn missing(f: &Facts<'_>, read: &str, seen: &Seen) -> String {
    let mut what = Vec::new();
    if !seen.absent.is_empty() {
        what.push(format!("it lacks account(s) {}", accounts(&seen.absent)));
    }
    if !seen.null.is_empty() {
        what.push(format!(
            "it shows account(s) {} with a null balance (Jepsen's nil-balance)",
            accounts(&seen.null)
        ));
    }
    format!(
        "{read}: {}. Every read sees one snapshot of all {}, each holding an integer balance \
         at all times: this read saw a partial state. (Its total is not judged.)",
        what.join("; "),
        f.accounts
    )
}

pub(super) fn unexpected(f: &Facts<'_>, read: &str, seen: &Seen) -> String {
    format!(
        "{read}: it shows {}, which {} not an account; the bank has {}, and a read returns \
         exactly those.",
        accounts(&seen.unexpected),
        if seen.unexpected.len() == 1 {
            "is"
        } else {
            "are"
        },
        f.accounts
    )
}

/// Why a read cannot be judged, if it cannot.
pub(super) fn malformed(seen: &Seen) -> Option<String> {
    if seen.not_map {
        return Some("the read returned a value that is not a map from account to balance".into());
    }
    if seen.malformed.is_empty() {
        return None;
    }
    let bad: Vec<String> = seen
        .malformed
        .iter()
        .map(|(a, b)| format!("account {a}'s balance {}", show(b)))
        .collect();
    Some(format!(
        "in the read, {} {} neither an integer nor null",
        super::list(&bad, 6),
        if bad.len() == 1 { "is" } else { "are" }
    ))
}

/// How a read is introduced: who read, what it returned, where.
pub(super) fn read_intro(
    history: &History,
    invoke: usize,
    node: Option<&str>,
    value: &history::Value,
) -> String {
    let at = node.map(|n| format!(" from {n}")).unwrap_or_default();
    format!("{} returned {}{at}", named(history, invoke), show(value))
}

/// How many transfers ended each way: (ok, failed, indeterminate).
pub(super) fn outcomes(transfers: &[Transfer]) -> (usize, usize, usize) {
    let n = |o: Outcome| transfers.iter().filter(|t| t.outcome == o).count();
    (n(Outcome::Ok), n(Outcome::Fail), n(Outcome::Info))
}
